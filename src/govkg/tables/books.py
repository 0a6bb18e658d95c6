"""Reading and writing the sheets: an XLSX workbook (openpyxl) or a folder of CSV files.

Cells are read as text: numbers, dates and booleans that a spreadsheet program stored as such
are turned back into the text the template expects (2019-09-01, 162, true). CSV files are
UTF-8 with or without a byte-order mark; they are written with one, so that Excel shows Chinese.
Every file is written to a temporary file and renamed into place.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from govkg.errors import InputError

# Characters an XLSX cell cannot hold (XML 1.0 forbids most control characters; \r becomes \n).
_XLSX_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


@dataclass
class Table:
    """One sheet to write: a header row and rows of text cells."""

    name: str
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)


@dataclass
class Book:
    """Sheets to write, in order."""

    tables: list[Table]

    def table(self, name: str) -> Table | None:
        return next((t for t in self.tables if t.name == name), None)


@dataclass
class RawSheet:
    """One sheet as read: where it came from, its headers, and its rows with spreadsheet row numbers."""

    name: str
    where: str
    headers: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class RawBook:
    source: str
    sheets: dict[str, RawSheet]


def book_to_raw(book: Book, source: str = "(in memory)") -> RawBook:
    """Read a Book as if it had been written and read back (for tests and in-memory round trips)."""
    sheets = {}
    for t in book.tables:
        rows = [(i + 2, list(r)) for i, r in enumerate(t.rows) if any(c != "" for c in r)]
        sheets[t.name] = RawSheet(t.name, f"{source}, sheet {t.name}", list(t.headers), rows)
    return RawBook(source, sheets)


# ---------------------------------------------------------------------------
# Cell values
# ---------------------------------------------------------------------------

def cell_text(value: object) -> str:
    """A cell value as the text the template expects."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------

def read_book(path: str | Path) -> RawBook:
    """Read an .xlsx workbook or a folder of .csv files."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, "no such file or folder")
    if p.is_dir():
        return read_csv_dir(p)
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        return read_xlsx(p)
    if p.suffix.lower() == ".csv":
        raise InputError(p, "give the folder that holds the CSV files (one file per sheet), not one file")
    raise InputError(p, "not a spreadsheet this tool reads: give an .xlsx workbook or a folder of .csv files")


def read_xlsx(path: Path) -> RawBook:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise InputError(path, f"cannot open as an XLSX workbook: {exc}") from exc
    sheets: dict[str, RawSheet] = {}
    try:
        for ws in wb.worksheets:
            name = ws.title.strip()
            it = ws.iter_rows(values_only=True)
            header_row = next(it, None)
            headers = [cell_text(v).strip() for v in (header_row or ())]
            while headers and headers[-1] == "":
                headers.pop()
            rows = []
            for n, values in enumerate(it, start=2):
                cells = [cell_text(v) for v in values]
                if any(c.strip() for c in cells):
                    rows.append((n, cells))
            sheets[name] = RawSheet(name, f"{path.name}, sheet {name}", headers, rows)
    finally:
        wb.close()
    return RawBook(str(path), sheets)


def read_csv_text(data: bytes, where: str | Path) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it looks like GBK/GB18030: in Excel save as 'CSV UTF-8')"
        except UnicodeDecodeError:
            pass
        raise InputError(where, f"not UTF-8 text at byte {exc.start}{hint}") from exc


def read_csv_dir(folder: Path) -> RawBook:
    files = sorted(f for f in folder.iterdir() if f.is_file() and f.suffix.lower() == ".csv")
    if not files:
        raise InputError(folder, "folder holds no .csv files")
    sheets: dict[str, RawSheet] = {}
    for f in files:
        text = read_csv_text(f.read_bytes(), f)
        try:
            records = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as exc:
            raise InputError(f, f"not valid CSV: {exc}") from exc
        headers = [h.strip() for h in records[0]] if records else []
        while headers and headers[-1] == "":
            headers.pop()
        rows = [(n, cells) for n, cells in enumerate(records[1:], start=2) if any(c.strip() for c in cells)]
        sheets[f.stem.strip()] = RawSheet(f.stem.strip(), str(f), headers, rows)
    return RawBook(str(folder), sheets)


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------

def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def is_csv_target(path: str | Path) -> bool:
    """A path ending in '/', an existing folder, or a path without .xlsx is a CSV folder."""
    s = str(path)
    p = Path(path)
    return s.endswith(("/", os.sep)) or p.is_dir() or p.suffix.lower() not in (".xlsx", ".xlsm")


def write_book(book: Book, path: str | Path, widths: dict[str, list[int]] | None = None) -> Path:
    """Write to an .xlsx workbook, or to a folder of CSV files (see :func:`is_csv_target`)."""
    p = Path(path)
    if p.suffix.lower() == ".csv":
        raise InputError(p, "CSV export writes one file per sheet: give a folder (such as out/), "
                         "or an .xlsx file")
    if is_csv_target(path):
        write_csv_dir(book, p)
    else:
        write_xlsx(book, p, widths or {})
    return p


def write_csv_dir(book: Book, folder: Path) -> None:
    if folder.exists() and not folder.is_dir():
        raise InputError(folder, "exists and is not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    for t in book.tables:
        buf = io.StringIO(newline="")
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(t.headers)
        w.writerows(t.rows)
        data = buf.getvalue().encode("utf-8-sig")
        atomic_write(folder / f"{t.name}.csv", lambda tmp, data=data: tmp.write_bytes(data))


def check_xlsx_text(book: Book) -> None:
    for t in book.tables:
        for i, row in enumerate(t.rows, start=2):
            for j, cell in enumerate(row):
                m = _XLSX_BAD.search(cell)
                if m:
                    where = f"sheet {t.name}, row {i}, column {t.headers[j]}"
                    raise InputError(None, f"{where}: the value holds a "
                                     f"control character ({m.group()!r}) that an XLSX cell cannot keep; "
                                     "export to a folder of CSV files instead")


def write_xlsx(book: Book, path: Path, widths: dict[str, list[int]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    check_xlsx_text(book)
    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    fixed = dt.datetime(2000, 1, 1)
    wb.properties.creator = "govkg"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    for t in book.tables:
        ws = wb.create_sheet(t.name)
        ws.append(t.headers)
        for c in ws[1]:
            c.font = bold
            c.fill = fill
        for row in t.rows:
            ws.append(row)
        for j, w in enumerate(widths.get(t.name, []), start=1):
            from openpyxl.utils import get_column_letter

            ws.column_dimensions[get_column_letter(j)].width = w
        if t.name == "notes":
            for row in ws.iter_rows(min_row=2):
                for c in row:
                    c.alignment = wrap
        ws.freeze_panes = "B2" if "id" in t.headers or t.name == "statements" else "A2"
        for col in ws.iter_cols(min_row=2):
            for c in col:
                c.number_format = "@"
    atomic_write(path, lambda tmp: wb.save(tmp))
