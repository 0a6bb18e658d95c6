"""``govkg route-batch`` with the fast engine: a CSV of work orders streamed in, streamed out.

Same input rules and the same output file, byte for byte, as :mod:`govkg.batch` (columns
``id, lead, respondents, ranks, deadline, basis, gap_codes, error``; a bad row becomes an error
row naming its line), but the input is read row by row and each answer is written at once, so a
file of 25 million rows never sits in memory. The cells that depend only on the answer's core
(:class:`govkg.fast.model.Core`) are formatted once per core; a row then costs the CSV parse,
a few dictionary look-ups and the deadline addition.
"""

from __future__ import annotations

import csv
import os
import sys
import tempfile
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TextIO

from govkg.batch import IN_COLUMNS, OUT_COLUMNS, REQUIRED, SEP
from govkg.errors import InputError
from govkg.fast import _no_gc
from govkg.fast import vocab as v
from govkg.fast.facts import is_lit
from govkg.fast.model import Core, RouteModel, deadlines
from govkg.fast.router import FastRouter, Whistle, gap_code
from govkg.fast.timeutil import day_time_delta
from govkg.route import parse_time

_QUOTE = frozenset(',"\r\n')


@dataclass
class BatchStats:
    """What one streamed batch did."""

    rows: int = 0
    bad_rows: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)  # (line, problem), unless on_bad took them
    cores: int = 0

    @property
    def good(self) -> int:
        return self.rows - self.bad_rows


def _csv_cell(text: str) -> str:
    if text and not _QUOTE.isdisjoint(text):
        return '"' + text.replace('"', '""') + '"'
    return text


class _Times:
    """Validates and normalises the time column as govkg.route.parse_time does, with a fast path
    for the canonical form ``YYYY-MM-DDTHH:MM:SS+08:00`` (which parse_time returns unchanged)."""

    def __init__(self) -> None:
        self.days: dict[str, bool] = {}
        self.clock: set[str] = set()

    def norm(self, text: str, where: str, line: int) -> str:
        if len(text) == 25 and text[10] == "T" and text.endswith("+08:00"):
            day_ok = self.days.get(text[:10])
            if day_ok is None:
                try:
                    date.fromisoformat(text[:10])
                    day_ok = text[4] == "-" and text[7] == "-"
                except ValueError:
                    day_ok = False
                self.days[text[:10]] = day_ok
            hms = text[11:19]
            if day_ok and (hms in self.clock or self._clock_ok(hms)):
                return text
        return parse_time(text, where=where, line=line)

    def _clock_ok(self, hms: str) -> bool:
        ok = (
            len(hms) == 8
            and hms[2] == ":"
            and hms[5] == ":"
            and hms[:2].isdigit()
            and hms[3:5].isdigit()
            and hms[6:].isdigit()
            and int(hms[:2]) < 24
            and int(hms[3:5]) < 60
            and int(hms[6:]) < 60
        )
        if ok:
            self.clock.add(hms)
        return ok


def _header(reader: Iterator[list[str]], path: Path) -> list[str]:
    """The header line's column names; InputError (line 1) when a required column is missing."""
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        header = []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(
            path,
            f"missing column(s) {', '.join(missing)} in the header line; expected {','.join(IN_COLUMNS)}",
            line=1,
        )
    return header


def iter_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, cells) for each data row, as govkg.batch.read_work_orders reads them."""
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = _header(reader, path)
            try:
                for row in reader:
                    if not row:
                        continue  # DictReader skips blank lines too
                    cells = {}
                    for i, name in enumerate(header):
                        cells[name] = row[i].strip() if i < len(row) else ""
                    yield reader.line_num, cells
            except csv.Error as exc:
                raise InputError(path, f"bad CSV: {exc}", line=reader.line_num) from None
    except UnicodeDecodeError as exc:
        raise InputError(
            path, f"not UTF-8 text (byte {exc.start} of a block): save the CSV as UTF-8"
        ) from None


class BatchRouter:
    """Streams rows through a :class:`FastRouter`, formatting each core's cells once."""

    def __init__(self, router: FastRouter) -> None:
        self.router = router
        self.model = router.model
        self.matters = router.index("matter")
        self.areas = router.index("area")
        self.severities = router.index("severity")
        self.bodies = router.index("body")
        self.times = _Times()
        # cells by core (kept on the model: cores live there too)
        self._cells: dict[int, tuple] = self.model.__dict__.setdefault("_cells_cache", {})
        self._minutes: dict = self.model.__dict__.setdefault("_minute_cache", {})

    def whistle(self, line: int, cells: dict[str, str], where: str, salt: str) -> Whistle:
        """The whistle of one row, checked in govkg.batch's order (empty cells, then matter,
        area, time, severity, raised_by); a problem raises InputError naming the line."""
        empty = [c for c in REQUIRED if not cells.get(c)]
        if empty:
            raise InputError(where, f"missing value in column(s) {', '.join(empty)}", line=line)
        try:
            matter = self.matters.resolve(cells["matter"])
            area = self.areas.resolve(cells["area"])
            at = self.times.norm(cells["time"], where, line)
            sev = cells.get("severity")
            severity = self.severities.resolve(sev) if sev else None
            rb = cells.get("raised_by")
            raised_by = self.bodies.resolve(rb) if rb else None
        except InputError as exc:
            raise InputError(where, exc.problem, line=line) from None
        return Whistle(salt, matter, area, at, severity, raised_by)

    def cells_of(self, core: Core) -> tuple[str, str, tuple, dict | None]:
        """(lead,respondents,ranks cells; basis,gap_codes cells; response times; minute cache)
        of a core. The minute cache is there when the core has one response time in whole
        minutes: deadline = cache[at[:16]] + at[16:] (the seconds and offset do not change)."""
        hit = self._cells.get(id(core))
        if hit is None:
            cells = core_cells(self.model, core)
            head = ",".join(_csv_cell(cells[k]) for k in ("lead", "respondents", "ranks"))
            tail = ",".join(_csv_cell(cells[k]) for k in ("basis", "gap_codes"))
            times = tuple(
                (lex, dt, day_time_delta(lex) if dt in v.DURATIONS else None) for lex, dt in core.times
            )
            minutes = None
            if len(times) == 1 and times[0][2] is not None and times[0][2].seconds % 60 == 0:
                minutes = self._minutes.setdefault(times[0][2], {})
            hit = self._cells[id(core)] = (sys.intern(head), sys.intern(tail), times, minutes)
        return hit

    def row_text(self, ident: str, w: Whistle) -> str:
        head, tail, times, _minutes = self.cells_of(self.router.core(w))
        return f"{_csv_cell(ident)},{head},{_deadline(w.at, times)},{tail},\r\n"


def _deadline(at: str, times: tuple) -> str:
    """The earliest of ``at`` + each response time (as govkg.batch.result_cells shows it)."""
    if not times:
        return ""
    if len(times) == 1:
        _lex, _dt, delta = times[0]
        if delta is not None and len(at) == 25 and at.endswith("+08:00"):
            return (datetime.fromisoformat(at[:19]) + delta).isoformat() + "+08:00"
    found = deadlines(at, tuple((lex, dt) for lex, dt, _d in times))
    return found[0] if found else ""


def _label(model: RouteModel, node: str) -> str:
    return model.labels.text(node)


def _basis_text(model: RouteModel, duty: str, through: str | None) -> str:
    cache = model.__dict__.setdefault("_basis_texts", {})
    key = (duty, through)
    hit = cache.get(key)
    if hit is None:
        f = model.facts
        hit = _label(model, duty)
        provisions = sorted(set(f.objects(duty, v.gk("legalBasis"))), key=lambda n: n[0] if is_lit(n) else n)
        if provisions:
            hit += " [" + ", ".join(model.labels.ref(p)[0] for p in provisions) + "]"
        if through is not None:
            hit += f" (经由下放 via {_label(model, through)})"
        cache[key] = hit
    return hit


def core_cells(model: RouteModel, core: Core) -> dict[str, str]:
    """govkg.batch.result_cells of the answer, straight from its core (no deadline: it is the
    whistle's own). Equal to ``result_cells(router.result(w, core))`` without building it."""
    f = model.facts
    lead = _label(model, core.lead) if core.lead is not None else ""
    if not lead and core.fallback is not None:
        lead = f"{_label(model, core.fallback)} (兜底 fallback)"
    ranks: list[str] = []
    basis: list[str] = []
    for r in core.respondents:
        for rank in r.ranks:
            text = _label(model, rank)
            if text not in ranks:
                ranks.append(text)
        for duty in r.duties:
            through = next((t for t in r.transfers if f.has(t, v.gk("transferredDuty"), duty)), None)
            text = _basis_text(model, duty, through)
            if text not in basis:
                basis.append(text)
    codes = sorted(gap_code(model, g) for g, _who in core.gaps)
    return {
        "lead": lead,
        "respondents": SEP.join(_label(model, r.who) for r in core.respondents),
        "ranks": SEP.join(ranks),
        "basis": SEP.join(basis),
        "gap_codes": SEP.join(codes),
    }


def route_csv(
    router: FastRouter, source: str | Path, out: str | Path, on_bad: Callable[[int, str], None] | None = None
) -> BatchStats:
    """Route every row of ``source`` into the CSV ``out`` (temp file, then rename; ``os.devnull``
    to keep nothing). ``on_bad(line, problem)`` is called for each bad row as it is met (else
    they are collected in the returned stats)."""
    source, out = Path(source), Path(out)
    to_devnull = str(out) == os.devnull
    folder = out.parent if str(out.parent) else Path(".")
    if not to_devnull and not folder.is_dir():
        raise InputError(out, "the output folder does not exist")
    if to_devnull:
        fd, tmp = os.open(os.devnull, os.O_WRONLY), None
    else:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with open(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh, _no_gc():
            stats = _stream(router, source, fh, on_bad)
        if tmp is not None:
            os.chmod(tmp, 0o644)
            os.replace(tmp, out)
    except BaseException:
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return stats


def _stream(
    router: FastRouter, source: Path, fh: TextIO, on_bad: Callable[[int, str], None] | None
) -> BatchStats:
    """The loop, written for speed. A row whose (matter, area, severity) cells were seen before
    costs a dictionary look-up for its answer's cells, the time check and the deadline; a new
    combination resolves its terms and finds its answer's :class:`~govkg.fast.model.Pair`."""
    stats = BatchStats()
    batch = BatchRouter(router)
    model = router.model
    where = str(source)
    out: list[str] = [",".join(OUT_COLUMNS) + "\r\n"]
    empty_cells = "," * (len(OUT_COLUMNS) - 2)
    mcache: dict[str, tuple] = {}
    acache: dict[str, tuple] = {}
    scache: dict[str, tuple] = {"": (v.SEV_ORDINARY, v.SEV_ORDINARY in model.lead_severities)}
    good_bodies: set[str] = {""}
    # (matter key, lead posts?, area, paired posts) → pair. An area that no rule can tell from its
    # only parent for this matter is looked up as that parent: far fewer keys than (matter, area).
    pcache: dict[tuple, object] = model.__dict__.setdefault("_batch_pairs", {})
    # (id(pair), severity) → cells, for pairs with one validity epoch
    static: dict[tuple[int, str], tuple] = model.__dict__.setdefault("_batch_static", {})
    cells_of = batch.cells_of
    cells_cache = batch._cells
    norm = batch.times.norm
    days = batch.times.days
    clock = batch.times.clock
    fromiso = datetime.fromisoformat

    def bad(ident: str, line: int, problem: str) -> None:
        stats.bad_rows += 1
        out.append(f"{_csv_cell(ident)}{empty_cells},{_csv_cell(f'line {line}: {problem}')}\r\n")
        if on_bad is not None:
            on_bad(line, problem)
        else:
            stats.bad.append((line, problem))

    def resolve(line: int, t: str, m: str, a: str, sv: str, rb: str) -> str | None:
        """Check and resolve the cells of a row in govkg.batch's order; the time, or None."""
        try:
            if m not in mcache:
                iri = batch.matters.resolve(m)
                mcache[m] = (iri, *model.matter_info(iri))
            if a not in acache:
                iri = batch.areas.resolve(a)
                acache[a] = (iri, model.chain(iri), model.post_signature(iri))
            at = norm(t, where, line)
            if sv not in scache:
                iri = batch.severities.resolve(sv)
                scache[sv] = (iri, iri in model.lead_severities)
            if rb not in good_bodies:
                batch.bodies.resolve(rb)
                good_bodies.add(rb)
        except InputError as exc:
            bad(ident, line, exc.problem)
            return None
        return at

    reader, line_of = _reader(source)
    for row in reader:
        if len(row) != 6:
            if not row:
                continue
            row = _widen(row, reader)
        ident, t, m, a, sv, rb = row
        ident, t, m, a, sv, rb = ident.strip(), t.strip(), m.strip(), a.strip(), sv.strip(), rb.strip()
        stats.rows += 1
        if not (ident and t and m and a):
            names = [c for c, x in zip(REQUIRED, (ident, t, m, a), strict=True) if not x]
            bad(ident, line_of(), f"missing value in column(s) {', '.join(names)}")
            continue
        mi = mcache.get(m)
        ai = acache.get(a)
        si = scache.get(sv)
        if (
            mi is None
            or ai is None
            or si is None
            or rb not in good_bodies
            or not (
                len(t) == 25
                and t[10] == "T"
                and t[19:] == "+08:00"
                and days.get(t[:10])
                and t[11:19] in clock
            )
        ):
            at = resolve(line_of(), t, m, a, sv, rb)
            if at is None:
                continue
            mi, ai, si = mcache[m], acache[a], scache[sv]
        else:
            at = t
        iri, mk, plain = mi
        lead = si[1]
        area, chain, psig = ai
        for eff in chain:  # the nearest area of the chain that the rules can tell apart
            if eff in plain:
                break
        pk = (mk, lead, eff, psig if lead else -1)
        p = pcache.get(pk)
        if p is None:
            p = pcache[pk] = model.pair(iri, area, si[0])
        if p.bounds:
            core = p.cores.get((si[0], bisect_right(p.bounds, at[:10])))
            if core is None:
                core = p.core(model, si[0], at[:10])
            cells = cells_cache.get(id(core))
            head, tail, times, minutes = cells if cells is not None else cells_of(core)
        else:
            sk = (id(p), si[0])
            cells = static.get(sk)
            if cells is None:
                cells = static[sk] = cells_of(p.core(model, si[0], at[:10]))
            head, tail, times, minutes = cells
        deadline = ""
        if minutes is not None:  # ``at`` is canonical here: YYYY-MM-DDTHH:MM:SS+08:00
            prefix = minutes.get(at[:16])
            if prefix is None:
                prefix = minutes[at[:16]] = (fromiso(at[:16]) + times[0][2]).isoformat()[:16]
            deadline = prefix + at[16:]
        elif times:
            deadline = _deadline(at, times)
        if _QUOTE.isdisjoint(ident):
            out.append(f"{ident},{head},{deadline},{tail},\r\n")
        else:
            out.append(f"{_csv_cell(ident)},{head},{deadline},{tail},\r\n")
        if len(out) >= 8192:
            fh.write("".join(out))
            out.clear()
    fh.write("".join(out))
    stats.cores = len(batch._cells)
    return stats


_STANDARD = ("id", "time", "matter", "area", "severity", "raised_by")


def _reader(source: Path) -> tuple[Iterator[list[str]], Callable[[], int]]:
    """Rows of the CSV as lists of the six input columns in the standard order (whatever the
    file's order, missing optional columns empty), and a function giving the current line."""
    if not source.is_file():
        raise InputError(source, "no such file")

    def rows() -> Iterator[list[str]]:
        try:
            with open(source, encoding="utf-8-sig", newline="") as fh:
                reader = csv.reader(fh)
                state["reader"] = reader
                header = _header(reader, source)
                last = {name: i for i, name in enumerate(header)}  # a repeated name: the last wins
                index = [last.get(name, -1) for name in _STANDARD]
                state["index"] = index
                try:
                    if index == list(range(6)) and len(header) == 6:
                        yield from reader
                    else:
                        for row in reader:
                            if not row:
                                continue
                            yield [row[i] if 0 <= i < len(row) else "" for i in index]
                except csv.Error as exc:
                    raise InputError(source, f"bad CSV: {exc}", line=reader.line_num) from None
        except UnicodeDecodeError as exc:
            raise InputError(
                source, f"not UTF-8 text (byte {exc.start} of a block): save it as UTF-8"
            ) from None

    state: dict = {}
    return rows(), lambda: state["reader"].line_num


def _widen(row: list[str], reader: object) -> list[str]:
    """A row of the standard header with too few or too many cells, as DictReader reads it."""
    return [row[i] if i < len(row) else "" for i in range(6)]


__all__ = ["BatchRouter", "BatchStats", "core_cells", "iter_rows", "route_csv"]
