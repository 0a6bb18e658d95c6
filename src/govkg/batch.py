"""Route a file of 12345-style work orders: CSV in, CSV out (``govkg route-batch``).

Input columns: ``id,time,matter,area,severity,raised_by`` (UTF-8, with or without a BOM;
``severity`` and ``raised_by`` may be empty or absent). Output columns: ``id, lead,
respondents, ranks, deadline, basis, gap_codes, error``: one output row per input row, in
order. A bad row (a missing value, an unknown term, a bad time) becomes an error row that
names its line, never a dropped one. The routing rules run once over all good rows together.
See docs/route-json.md for the cell formats.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govkg.errors import InputError
from govkg.route import RouteResult, WhistleSpec, parse_time, route_specs
from govkg.terms import TermIndex

IN_COLUMNS = ("id", "time", "matter", "area", "severity", "raised_by")
REQUIRED = ("id", "time", "matter", "area")
OUT_COLUMNS = ("id", "lead", "respondents", "ranks", "deadline", "basis", "gap_codes", "error")
SEP = "; "


@dataclass(frozen=True)
class WorkOrder:
    """One input row as read: its physical line number and its cells."""

    line: int
    cells: dict[str, str]

    @property
    def id(self) -> str:
        return self.cells.get("id", "")


@dataclass(frozen=True)
class BatchRow:
    """One output row: the answer, or the problem with the input row (``error``, written in the
    error column as ``line N: problem``)."""

    line: int
    id: str
    result: RouteResult | None = None
    error: str | None = None

    def to_cells(self) -> dict[str, str]:
        if self.result is None:
            cells = dict.fromkeys(OUT_COLUMNS, "")
            return {**cells, "id": self.id, "error": f"line {self.line}: {self.error}"}
        return {"id": self.id, **result_cells(self.result), "error": ""}


@dataclass(frozen=True)
class BatchResult:
    source: str
    rows: list[BatchRow]

    @property
    def bad(self) -> list[BatchRow]:
        return [r for r in self.rows if r.error is not None]


def read_work_orders(path: str | Path) -> list[WorkOrder]:
    """Read the CSV; a missing file, bad encoding or missing column raises InputError (the
    whole file is unusable); problems inside a row are left for :func:`route_batch`."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such file")
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"not UTF-8 text (byte {exc.start}): save the CSV as UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise InputError(path, f"missing column(s) {', '.join(missing)} in the header line; "
                               f"expected {','.join(IN_COLUMNS)}", line=1)
    reader.fieldnames = header
    orders = []
    try:
        for row in reader:
            cells = {k: (v or "").strip() for k, v in row.items() if isinstance(k, str)}
            orders.append(WorkOrder(reader.line_num, cells))
    except csv.Error as exc:
        raise InputError(path, f"bad CSV: {exc}", line=reader.line_num) from None
    return orders


def route_batch(kb: Any, path: str | Path, engine: str = "auto") -> BatchResult:
    """Route every work order of the CSV at ``path`` against ``kb`` (one run of the rules)."""
    orders = read_work_orders(path)
    graph = kb.graph
    indexes = {kind: TermIndex(graph, kind) for kind in ("matter", "area", "severity", "body")}
    specs: list[WhistleSpec] = []
    slots: list[int] = []
    rows: list[BatchRow] = []
    for order in orders:
        try:
            spec = _spec(order, indexes, str(path))
        except InputError as exc:
            rows.append(BatchRow(order.line, order.id, error=exc.problem))
            continue
        slots.append(len(rows))
        rows.append(BatchRow(order.line, order.id))
        specs.append(spec)
    for slot, result in zip(slots, route_specs(graph, specs, engine=engine), strict=True):
        rows[slot] = BatchRow(rows[slot].line, rows[slot].id, result=result)
    return BatchResult(str(path), rows)


def _spec(order: WorkOrder, indexes: dict[str, TermIndex], where: str) -> WhistleSpec:
    empty = [c for c in REQUIRED if not order.cells.get(c)]
    if empty:
        raise InputError(where, f"missing value in column(s) {', '.join(empty)}", line=order.line)
    c = order.cells
    try:
        return WhistleSpec(
            matter=indexes["matter"].resolve(c["matter"]),
            area=indexes["area"].resolve(c["area"]),
            at=parse_time(c["time"], where=where, line=order.line),
            severity=indexes["severity"].resolve(c["severity"]) if c.get("severity") else None,
            raised_by=indexes["body"].resolve(c["raised_by"]) if c.get("raised_by") else None,
        )
    except InputError as exc:
        raise InputError(where, exc.problem, line=order.line) from None


def result_cells(result: RouteResult) -> dict[str, str]:
    """The output cells of one answered row (see docs/route-json.md)."""
    lead = result.lead.label if result.lead else ""
    if not lead and result.fallback:
        lead = f"{result.fallback.body.label} (兜底 fallback)"
    ranks: list[str] = []
    basis: list[str] = []
    for r in result.respondents:
        for rank in r.ranks:
            if rank.label not in ranks:
                ranks.append(rank.label)
        for b in r.basis:
            text = b.duty.label
            if b.provision:
                text += " [" + ", ".join(p.label_zh for p in b.provision) + "]"
            if b.transfer:
                text += f" (经由下放 via {b.transfer.label})"
            if text not in basis:
                basis.append(text)
    deadlines = sorted(r.deadline for r in result.respondents if r.deadline)
    return {
        "lead": lead,
        "respondents": SEP.join(r.label for r in result.respondents),
        "ranks": SEP.join(ranks),
        "deadline": deadlines[0] if deadlines else "",
        "basis": SEP.join(basis),
        "gap_codes": SEP.join(result.gap_codes),
    }


def write_results(result: BatchResult, out: str | Path) -> Path:
    """Write the output CSV (UTF-8) to a temporary file beside ``out``, then rename it."""
    out = Path(out)
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(out, "the output folder does not exist")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(OUT_COLUMNS))
            writer.writeheader()
            for row in result.rows:
                writer.writerow(row.to_cells())
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return out
