"""Spreadsheets in and out: ``govkg import`` and ``govkg export`` (docs/spreadsheets.md).

A city is written to one sheet per kind of thing (bodies, areas, posts, matters, duties,
transfers, powers, policies, whistles, sets, statistics, sources) plus a ``statements`` sheet
for whatever those sheets cannot hold, as an XLSX workbook or a folder of CSV files. Importing
an export gives back a graph isomorphic to the city's own.

    book = export_city("nanjing-qinhuai")           # a Book
    write_book(book, "qinhuai.xlsx")                 # or "qinhuai-csv/"
    result = import_path("qinhuai.xlsx")             # ImportResult: graph, errors
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Graph

from govkg.errors import InputError
from govkg.namespaces import bind_all
from govkg.tables.books import Book, RawBook, Table, atomic_write, book_to_raw, read_book, write_book
from govkg.tables.convert import (
    CellError,
    ImportResult,
    TableImportError,
    detect_city_iri,
    export_graph,
    import_book,
)
from govkg.tables.notes import column_widths, notes_table, template_book
from govkg.tables.spec import SHEETS_BY_NAME, TYPED_SHEETS
from govkg.tables.terms import Context, quiet_literals
from govkg.tables.turtle import ExactTurtleSerializer

CITY_KINDS = ("area", "body", "post", "matter", "duty", "transfer", "package", "empowerment", "whistle",
              "report", "assessment", "policy", "statistic", "set", "power", "person", "source")


def export_city(city: str | Path, city_iri: str | None = None, ctx: Context | None = None) -> Book:
    """The sheets of a bundled city (by name) or of a city folder or file; with the notes sheet."""
    from govkg.loader import city_path, load_city_data

    path = city_path(city)
    with quiet_literals():
        graph = load_city_data(path)
    name = path.stem if path.is_file() else path.name
    base = city_iri or detect_city_iri(graph, name)
    book = export_graph(graph, base, ctx or Context.load(), name=name)
    book.tables.append(notes_table())
    return book


def export_to(city: str | Path, out: str | Path, city_iri: str | None = None,
              ctx: Context | None = None) -> Book:
    """Export a city to ``out``: an .xlsx workbook, or a folder of CSV files."""
    book = export_city(city, city_iri, ctx)
    write_book(book, out, column_widths())
    return book


def import_path(path: str | Path, city_iri: str | None = None, ctx: Context | None = None) -> ImportResult:
    """Read a workbook or CSV folder into a graph; bad rows are listed in ``errors``, not raised."""
    return import_book(read_book(path), city_iri, ctx)


def city_graph_for_output(result: ImportResult) -> Graph:
    """The imported graph with govkg's prefixes and one prefix per kind of city IRI bound."""
    g = bind_all(Graph())
    for t in result.graph:
        g.add(t)
    used = {str(s) for t in result.graph for s in t}
    for kind in CITY_KINDS:
        ns = f"{result.city_iri}{kind}/"
        if any(u.startswith(ns) for u in used):
            g.bind(kind, ns, override=True, replace=True)
    return g


def write_turtle(result: ImportResult, out: str | Path) -> Path:
    """Write the imported graph as Turtle (to a temporary file, renamed into place)."""
    g = city_graph_for_output(result)

    def write(tmp: Path) -> None:
        with open(tmp, "wb") as f:
            ExactTurtleSerializer(g).serialize(f, encoding="utf-8")

    atomic_write(Path(out), write)
    return Path(out)


def import_to_turtle(path: str | Path, out: str | Path, city_iri: str | None = None, keep_going: bool = False,
                     ctx: Context | None = None) -> ImportResult:
    """Import and write Turtle. With errors: raise TableImportError and write nothing, unless
    ``keep_going``, which writes the good rows (the errors stay in the result)."""
    result = import_path(path, city_iri, ctx)
    if result.errors and not keep_going:
        raise TableImportError(result.errors)
    if Path(out).is_dir():
        raise InputError(out, "is a folder; give the Turtle file to write (-o city.ttl)")
    write_turtle(result, out)
    return result


__all__ = [
    "SHEETS_BY_NAME",
    "TYPED_SHEETS",
    "Book",
    "CellError",
    "Context",
    "ImportResult",
    "RawBook",
    "Table",
    "TableImportError",
    "book_to_raw",
    "column_widths",
    "export_city",
    "export_graph",
    "export_to",
    "import_book",
    "import_path",
    "import_to_turtle",
    "read_book",
    "template_book",
    "write_book",
    "write_turtle",
]
