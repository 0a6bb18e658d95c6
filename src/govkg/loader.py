"""Load RDF from local files only: the ontology, its vocabularies, reference data, city models.

Every parse error becomes an :class:`InputError` naming the file and, where the parser
says, the line. No function here follows ``owl:imports`` or fetches anything.
"""

from __future__ import annotations

import re
import xml.sax
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from govkg import resources
from govkg.errors import InputError
from govkg.namespaces import bind_all

FORMATS = {
    ".ttl": "turtle",
    ".turtle": "turtle",
    ".nt": "nt",
    ".n3": "n3",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".trig": "trig",
    ".nq": "nquads",
}


def rdf_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InputError(path, f"not an RDF file this tool reads (known suffixes: {known})")
    return fmt


def _syntax_line(exc: Exception) -> int | None:
    lines = getattr(exc, "lines", None)  # rdflib's Turtle/N3 BadSyntax: newlines before the error
    if isinstance(lines, int):
        return lines + 1
    if isinstance(exc, xml.sax.SAXParseException):
        return exc.getLineNumber()
    m = re.search(r"line (\d+)", str(exc))
    return int(m.group(1)) if m else None


def _syntax_message(exc: Exception) -> str:
    why = getattr(exc, "_why", None)
    if isinstance(why, str):
        return f"invalid RDF syntax: {why}"
    text = str(exc).strip().splitlines()
    return f"invalid RDF syntax: {text[-1] if text else type(exc).__name__}"


def parse_into(graph: Graph, path: Path) -> Graph:
    """Parse one local RDF file into ``graph``; raise InputError naming the file and line."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "no such file or folder")
    if not path.is_file():
        raise InputError(path, "not a file")
    fmt = rdf_format(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        graph.parse(data=data, format=fmt, publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many types; all mean the same to a user
        raise InputError(path, _syntax_message(exc), line=_syntax_line(exc)) from exc
    return graph


def rdf_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (recursively, sorted) into the RDF files they hold."""
    out: list[Path] = []
    for p in map(Path, paths):
        if not p.exists():
            raise InputError(p, "no such file or folder")
        if p.is_dir():
            found = sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in FORMATS)
            if not found:
                raise InputError(p, "folder holds no RDF files (.ttl, .nt, .rdf, .jsonld …)")
            out.extend(found)
        else:
            rdf_format(p)
            out.append(p)
    return out


def load_files(paths: Iterable[str | Path], graph: Graph | None = None) -> Graph:
    graph = bind_all(Graph()) if graph is None else graph
    for f in rdf_files(paths):
        parse_into(graph, f)
    return graph


def load_ontology(graph: Graph | None = None) -> Graph:
    """The ontology and every SKOS vocabulary."""
    return load_files([resources.ontology_file(), *resources.vocab_files()], graph)


def load_reference(graph: Graph | None = None) -> Graph:
    """Laws, provisions and source documents shared by every city."""
    files = resources.reference_files()
    return load_files(files, graph) if files else (bind_all(Graph()) if graph is None else graph)


def city_path(city: str | Path) -> Path:
    """A bundled city name (``nanjing-qinhuai``) or a path to a city folder or file."""
    p = Path(city)
    if p.exists():
        return p
    bundled = resources.data_dir("examples") / str(city)
    if bundled.is_dir():
        return bundled
    names = ", ".join(resources.bundled_cities()) or "none"
    raise InputError(city, f"no such city or path (bundled cities: {names})")


def load_city_data(city: str | Path, graph: Graph | None = None) -> Graph:
    """Only the city's own files."""
    return load_files([city_path(city)], graph)
