"""Deadlines: ``raisedAt + responseTime`` exactly as the routing rules' SPARQL engine writes it.

The reference rules compute ``?at + ?responseTime`` in SPARQL; with pyoxigraph (the engine
``govkg.route`` uses when it is installed) the result is written in canonical XSD form: the
offset ``+00:00`` as ``Z``, no trailing zeros in fractions of a second. The common case (an
offset or ``Z``, whole seconds, a duration in days, hours, minutes and whole seconds) is computed
here in Python; anything else (months or years, fractions, no offset) is handed to pyoxigraph
itself, so the answer is the engine's own.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from functools import lru_cache

from govkg.fast.vocab import XSD, XSD_DATETIME

_DURATION = re.compile(r"(-)?P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?")
_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)")


@lru_cache(maxsize=4096)
def day_time_delta(lexical: str) -> timedelta | None:
    """A duration with no year or month part and whole seconds, as a timedelta; else None."""
    m = _DURATION.fullmatch(lexical)
    if m is None or lexical in ("P", "-P") or lexical.endswith("T"):
        return None
    sign, d, h, mi, s = m.groups()
    delta = timedelta(days=int(d or 0), hours=int(h or 0), minutes=int(mi or 0), seconds=int(s or 0))
    return -delta if sign else delta


def add_duration(at: str, duration: str, datatype: str = XSD + "duration") -> str | None:
    """``at`` (an xsd:dateTime lexical form) plus ``duration``; None where SPARQL gives an error."""
    delta = day_time_delta(duration)
    if delta is not None and _AT.fullmatch(at) and at[11:13] != "24":
        tz = at[19:]
        try:
            moment = datetime.fromisoformat(at[:19]) + delta
        except (ValueError, OverflowError):
            return _add_by_engine(at, duration, datatype)
        if not 1 <= moment.year <= 9999:
            return _add_by_engine(at, duration, datatype)
        return moment.isoformat() + ("Z" if tz in ("Z", "+00:00", "-00:00") else tz)
    return _add_by_engine(at, duration, datatype)


@lru_cache(maxsize=65536)
def _add_by_engine(at: str, duration: str, datatype: str) -> str | None:
    try:
        import pyoxigraph as ox
    except ImportError:  # pragma: no cover - pyoxigraph is how the reference computes it too
        return None
    store = ox.Store()
    query = "SELECT ?x WHERE { VALUES (?a ?d) { (?A ?D) } BIND ((?a + ?d) AS ?x) }"
    query = query.replace("?A", _lit(at, XSD_DATETIME)).replace("?D", _lit(duration, datatype))
    try:
        rows = list(store.query(query))
    except (SyntaxError, ValueError):
        return None
    value = rows[0]["x"] if rows else None
    return value.value if value is not None else None


def _lit(text: str, datatype: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"^^<{datatype}>'
