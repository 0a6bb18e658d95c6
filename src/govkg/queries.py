"""Named SPARQL queries (``queries/*.rq``) that other systems can reuse, and how to run them.

Each file starts with a header comment::

    # who-is-responsible: who must answer a whistle about a matter in an area on a date.
    # (more lines of description)
    #
    # @param matter iri  required  the matter (gk:Matter), e.g. …
    # @param date   date optional  the day the answer is for

and marks each parameter in the query body with a line ``VALUES ?name { UNDEF }`` (as often as
the query needs it, e.g. once in each branch of a UNION). A file run as it is stays valid
SPARQL: an unset parameter is unbound. :meth:`NamedQuery.render` writes each given value into
the query as a constant: its ``VALUES ?name { UNDEF }`` lines go, ``BOUND(?name)`` becomes
``true`` and every other ``?name`` becomes the value, a checked RDF term (an IRI, an
``xsd:date`` or a string), so a value can never change the shape of the query. Constants,
rather than VALUES bindings, because stores differ in how far a VALUES binding reaches into
nested groups, OPTIONAL and NOT EXISTS (Virtuoso 7 gets it wrong); a constant means the same
everywhere. A parameter must therefore not be projected by SELECT nor bound by BIND … AS.

Queries run on a city loaded here (pyoxigraph, over the same dataset ``govkg serve``
offers) or on any SPARQL 1.1 endpoint (``--endpoint URL``); both give SPARQL JSON results.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govkg import resources
from govkg.errors import GovkgError, InputError
from govkg.namespaces import PREFIXES

PARAM_KINDS = ("iri", "date", "string")
_PARAM_LINE = re.compile(r"^#\s*@param\s+(\w+)\s+(\w+)\s+(required|optional)\s*(.*)$")
_NAME_LINE = re.compile(r"^#\s*([a-z0-9][a-z0-9-]*)\s*:\s*(.+)$")
_IRI_FORBIDDEN = re.compile(r"[\x00-\x20<>\"{}|^`\\]")
_VAR_END = r"(?![\w\u00b7\u0300-\u036f\u203f-\u2040])"
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


class QueryParamError(GovkgError):
    """A parameter value that is missing, unknown or not of the declared kind."""


class EndpointError(GovkgError):
    """A remote SPARQL endpoint that cannot be reached or refuses the request."""


@dataclass(frozen=True)
class Param:
    name: str
    kind: str
    required: bool
    description: str


@dataclass(frozen=True)
class NamedQuery:
    name: str
    summary: str
    description: str
    params: tuple[Param, ...]
    text: str
    path: Path

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "summary": self.summary,
            "description": self.description,
            "params": [
                {"name": p.name, "kind": p.kind, "required": p.required, "description": p.description}
                for p in self.params
            ],
        }

    def render(self, values: dict[str, str]) -> str:
        """The query with each given value written in as a constant, without comment lines
        (some clients, SPARQLWrapper among them, guess the query type from words in comments)."""
        known = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise QueryParamError(
                f"query {self.name}: unknown parameter {', '.join(unknown)}; "
                f"its parameters are {', '.join(known) or 'none'}"
            )
        text = self.text
        for p in self.params:
            value = values.get(p.name)
            if value is None or value == "":
                if p.required:
                    raise QueryParamError(f"query {self.name}: parameter {p.name} ({p.kind}) is required")
                continue
            term = format_term(p, value)
            name = re.escape(p.name)
            text = re.sub(r"[ \t]*VALUES\s+[?$]" + name + r"\s*\{\s*UNDEF\s*\}[ \t]*\n?", "", text)
            text = re.sub(r"\bBOUND\s*\(\s*[?$]" + name + r"\s*\)", "true", text, flags=re.IGNORECASE)
            text = re.sub(r"[?$]" + name + _VAR_END, lambda _m, t=term: t, text)
        return "".join(line for line in text.splitlines(keepends=True) if not line.lstrip().startswith("#"))


def _values_line(name: str) -> re.Pattern[str]:
    return re.compile(r"(VALUES\s+\?" + re.escape(name) + r"\s*\{\s*)UNDEF(\s*\})")


def _projection(text: str) -> str:
    """The text between the first SELECT and its WHERE (or first '{'), comments dropped."""
    body = "\n".join(line.split("#", 1)[0] for line in text.splitlines())
    m = re.search(r"\bSELECT\b(.*?)(\bWHERE\b|\{)", body, flags=re.IGNORECASE | re.DOTALL)
    return m.group(1) if m else ""


def format_term(param: Param, value: str) -> str:
    """A parameter value as a SPARQL term of the declared kind; QueryParamError if it is not one."""
    value = value.strip()
    if param.kind == "date":
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise QueryParamError(f"parameter {param.name}: {value!r} is not a date (YYYY-MM-DD)") from None
        return f'"{day.isoformat()}"^^<http://www.w3.org/2001/XMLSchema#date>'
    if param.kind == "string":
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
        return f'"{escaped}"'
    return f"<{expand_iri(param.name, value)}>"


def expand_iri(name: str, value: str) -> str:
    """An IRI from ``<…>``, an absolute IRI, or a govkg prefixed name (``sev:major``, ``gk:Duty``)."""
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    else:
        prefix, sep, local = value.partition(":")
        if sep and prefix in PREFIXES and not local.startswith("//"):
            value = str(PREFIXES[prefix]) + local
    if not _SCHEME.match(value) or _IRI_FORBIDDEN.search(value):
        known = ", ".join(f"{p}:" for p in PREFIXES)
        raise QueryParamError(
            f"parameter {name}: {value!r} is not an IRI; give an absolute IRI "
            f"(https://w3id.org/govkg/id/…) or a prefixed name with one of {known}"
        )
    return value


def parse_query_file(path: Path) -> NamedQuery:
    """Read a named query and its header; InputError if the header is missing or wrong."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    if not header:
        raise InputError(path, "a named query must start with a '# name: what it answers' comment")
    m = _NAME_LINE.match(header[0])
    if m is None or m.group(1) != path.stem:
        raise InputError(path, f"the first line must be '# {path.stem}: what the query answers'", line=1)
    params: list[Param] = []
    description: list[str] = []
    for i, line in enumerate(header[1:], start=2):
        if "@param" in line:
            pm = _PARAM_LINE.match(line)
            if pm is None or pm.group(2) not in PARAM_KINDS:
                raise InputError(
                    path, f"bad parameter line; write '# @param NAME ({'|'.join(PARAM_KINDS)}) "
                    "(required|optional) description'", line=i,
                )
            params.append(Param(pm.group(1), pm.group(2), pm.group(3) == "required", pm.group(4).strip()))
        else:
            description.append(line.lstrip("#").strip())
    projected = _projection(text)
    for p in params:
        if not _values_line(p.name).search(text):
            raise InputError(
                path, f"parameter {p.name} has no 'VALUES ?{p.name} {{ UNDEF }}' line in the query"
            )
        var = re.escape(p.name) + _VAR_END
        if re.search(r"[?$]" + var, projected) or re.search(r"\bAS\s+[?$]" + var, text, re.IGNORECASE):
            raise InputError(path, f"parameter {p.name} is projected or bound by BIND; it becomes a constant")
    return NamedQuery(
        name=path.stem,
        summary=m.group(2).strip(),
        description=" ".join(d for d in description if d).strip(),
        params=tuple(params),
        text=text,
        path=path,
    )


def named_queries(folder: Path | None = None) -> dict[str, NamedQuery]:
    """Every named query of the folder (default: the bundled ``queries/``), by name."""
    folder = folder or resources.data_dir("queries")
    return {p.stem: parse_query_file(p) for p in sorted(folder.glob("*.rq"))}


def get_query(name: str) -> NamedQuery:
    """A bundled named query by name, or a ``.rq`` file by path."""
    path = Path(name)
    if path.suffix == ".rq" and path.is_file():
        return parse_query_file(path)
    queries = named_queries()
    if name not in queries:
        raise InputError(name, f"no such named query (known: {', '.join(queries) or 'none'})")
    return queries[name]


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``["key=value", …]`` from the command line into a dict; InputError on a pair without '='."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(None, f"--param {pair!r}: write it as key=value")
        out[key.strip()] = value
    return out


# ---------------------------------------------------------------------------------------------
# Running queries
# ---------------------------------------------------------------------------------------------
def run_remote(endpoint: str, query: str, timeout: float = 60.0) -> dict[str, Any]:
    """POST a query to a SPARQL 1.1 endpoint; return its SPARQL JSON results."""
    check_endpoint(endpoint)
    data = urllib.parse.urlencode({"query": query}).encode()
    body, _ = send(endpoint, data, "POST", {"Accept": "application/sparql-results+json",
                                            "Content-Type": "application/x-www-form-urlencoded"},
                   timeout)
    try:
        return json.loads(body)
    except ValueError:
        raise EndpointError(f"{endpoint}: the answer is not SPARQL JSON results") from None


def send(url: str, data: bytes, method: str, headers: dict[str, str], timeout: float,
         refused: str = "HTTP", unreachable: str = "the endpoint",
         name: str | None = None) -> tuple[bytes, str]:
    """One HTTP request to a SPARQL service; its body and content type, or EndpointError:
    ``<name>: <refused> <code>: <detail>`` when it answers with an error, ``<name>: cannot reach
    <unreachable>: …`` when it cannot be reached (``name``: the URL unless given)."""
    name = name or url
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as resp:
            return resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace").strip()
        raise EndpointError(f"{name}: {refused} {exc.code}: {detail[:2000]}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise EndpointError(f"{name}: cannot reach {unreachable}: {getattr(exc, 'reason', exc)}") from None


def check_endpoint(endpoint: str) -> None:
    """InputError unless ``endpoint`` is an http(s) URL."""
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(endpoint, "not an http(s) URL of a SPARQL endpoint")


def run_local(store: Any, query: str) -> dict[str, Any]:
    """Evaluate a query on a pyoxigraph store (default graph: the union of its graphs)."""
    import io

    import pyoxigraph as ox

    from govkg.server import guard

    refusal = guard.inspect(query)
    if refusal is not None:
        raise InputError(None, refusal.message)
    try:
        result = store.query(query, use_default_graph_as_union=True)
    except SyntaxError as exc:
        raise InputError(None, f"malformed query: {exc}") from None
    if isinstance(result, ox.QueryTriples):
        raise InputError(None, "named queries must be SELECT or ASK queries")
    buf = io.BytesIO()
    result.serialize(buf, ox.QueryResultsFormat.JSON)
    return json.loads(buf.getvalue())


def rows(results: dict[str, Any]) -> list[dict[str, str]]:
    """SPARQL JSON results as plain rows ``{variable: value}`` (unbound variables left out)."""
    if "boolean" in results:
        return [{"boolean": "true" if results["boolean"] else "false"}]
    return [{k: v["value"] for k, v in b.items()} for b in results.get("results", {}).get("bindings", [])]


XSD = "http://www.w3.org/2001/XMLSchema#"
_DURATION = re.compile(r"^(-?)P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$")


def canonical_literal(value: str, datatype: str) -> str:
    """One lexical form per value for the datatypes stores rewrite: xsd:boolean ("1" is "true")
    and day-time xsd:duration (Virtuoso 7 keeps "PT30M" as the seconds "1800.0")."""
    if datatype == XSD + "boolean":
        return {"1": "true", "0": "false"}.get(value.strip(), value.strip())
    if datatype in (XSD + "duration", XSD + "dayTimeDuration"):
        seconds = duration_seconds(value)
        if seconds is not None:
            return f"{seconds:g}"
    return value


def duration_seconds(value: str) -> float | None:
    """Seconds of a day-time duration ("PT1H30M", "P7D") or of a plain number; None otherwise."""
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    m = _DURATION.match(text)
    if m is None or text in ("P", "PT", "-P"):
        return None
    sign, days, hours, minutes, secs = m.groups()
    total = int(days or 0) * 86400 + int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(secs or 0)
    return -total if sign else total


def normalise(results: dict[str, Any]) -> list[tuple[tuple[str, str, str], ...]]:
    """Results in a form two engines can be compared on: sorted rows of (var, kind, value).

    Literals compare by value, language and datatype; plain strings and xsd:string are one;
    booleans and day-time durations by value (:func:`canonical_literal`); blank nodes compare
    as "bnode" (their labels are local to a result).
    """
    out = []
    for b in results.get("results", {}).get("bindings", []):
        row = []
        for var, term in sorted(b.items()):
            kind = term.get("type")
            if kind == "bnode":
                row.append((var, "bnode", ""))
            elif kind == "uri":
                row.append((var, "uri", term["value"]))
            else:
                dt = term.get("datatype", "")
                if dt == "http://www.w3.org/2001/XMLSchema#string":
                    dt = ""
                lang = term.get("xml:lang", "").lower()
                row.append((var, f"literal@{lang}^^{dt}", canonical_literal(term["value"], dt)))
        out.append(tuple(row))
    return sorted(out)


def table(results: dict[str, Any]) -> str:
    """SPARQL JSON results as an aligned text table."""
    if "boolean" in results:
        return "true" if results["boolean"] else "false"
    head = list(results.get("head", {}).get("vars", []))
    body = [[r.get(v, "") for v in head] for r in rows(results)]
    if not head:
        return ""
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h) for i, h in enumerate(head)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(head, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    lines.append(f"({len(body)} row{'s' if len(body) != 1 else ''})")
    return "\n".join(lines)
