"""City graph to sheets (export) and sheets to city graph (import).

Export puts each thing in the first typed sheet whose classes it belongs to, and each of its
triples in the column for that property when the cell, read back, gives exactly that triple and
passes the import checks; every other triple goes to the ``statements`` sheet. Because export
checks each row with the import code itself, importing an export gives back the same graph.
"""

from __future__ import annotations

import re
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime

from openpyxl.utils import get_column_letter
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD
from rdflib.term import Node

from govkg import __version__
from govkg.errors import InputError
from govkg.namespaces import ID, VOCAB
from govkg.tables.books import Book, RawBook, RawSheet, Table
from govkg.tables.spec import (
    IGNORED_SHEETS,
    META,
    META_HEADERS,
    PERIOD_DATATYPES,
    REF_KINDS,
    SHEETS_BY_NAME,
    STATEMENT_HEADERS,
    STATEMENTS,
    TEMPLATE_VERSION,
    TYPED_SHEETS,
    Column,
    Sheet,
)
from govkg.tables.terms import (
    SEPARATORS,
    Context,
    TermError,
    Terms,
    in_govkg,
    quiet_literals,
    split_lines,
    split_refs,
)

Triple = tuple[Node, URIRef, Node]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
_COUNT = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
_LANG = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")


@dataclass(frozen=True)
class CellError:
    """One problem in the sheets: where (file and sheet), row as a spreadsheet shows it, column."""

    where: str
    row: int | None
    column: str | None
    letter: str | None
    problem: str

    def __str__(self) -> str:
        parts = [self.where]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}" + (f" ({self.letter})" if self.letter else ""))
        return ", ".join(parts) + ": " + self.problem


class TableImportError(InputError):
    """The sheets have bad rows; nothing was written. ``errors`` lists every one."""

    def __init__(self, errors: list[CellError]) -> None:
        self.errors = list(errors)
        lines = [f"{len(self.errors)} problem(s) in the sheets; nothing written "
                 "(fix them, or use --keep-going to write the good rows)"]
        lines += [f"  {e}" for e in self.errors]
        super().__init__(None, "\n".join(lines))


class CellProblem(ValueError):
    pass


@dataclass
class Env:
    terms: Terms
    ctx: Context
    known: set[Node]


@dataclass
class ImportResult:
    graph: Graph
    city_iri: str
    errors: list[CellError] = field(default_factory=list)
    rows: Counter = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return not self.errors


# ---------------------------------------------------------------------------
# Cells
# ---------------------------------------------------------------------------

def lexical_problem(kind: str, text: str) -> str | None:
    """None if ``text`` is a valid value of a column of ``kind``, else what is wrong."""
    if kind == "date":
        ok = bool(_DATE.match(text)) and _valid(date.fromisoformat, text)
        return None if ok else f"expected a date as YYYY-MM-DD (such as 2019-09-01), found {text!r}"
    if kind == "datetime":
        ok = bool(_DATETIME.match(text)) and _valid(datetime.fromisoformat, text)
        return None if ok else ("expected a date and time as YYYY-MM-DDThh:mm:ss (such as "
                                "2019-03-09T09:00:00, optionally with a zone such as +08:00), "
                                f"found {text!r}")
    if kind == "duration":
        return None if _DURATION.match(text) else f"expected a duration such as PT30M or P3D, found {text!r}"
    if kind == "boolean":
        return None if text in ("true", "false") else f"expected true or false, found {text!r}"
    if kind == "count":
        return None if _COUNT.match(text) else f"expected a whole number (0, 1, 2 …), found {text!r}"
    if kind == "decimal":
        return None if _DECIMAL.match(text) else f"expected a number such as 0.38, found {text!r}"
    return None


def period_datatype(text: str) -> URIRef | None:
    """xsd:gYear for 2019, xsd:gYearMonth for 2018-01, xsd:date for 2019-09-01; None otherwise."""
    if re.match(r"^\d{4}$", text):
        return XSD.gYear
    if re.match(r"^\d{4}-(0[1-9]|1[0-2])$", text):
        return XSD.gYearMonth
    if lexical_problem("date", text) is None:
        return XSD.date
    return None


def _valid(parse, text: str) -> bool:
    try:
        parse(text)
    except ValueError:
        return False
    return True


def _known_terms(ctx: Context, scheme: str | None) -> str:
    if not scheme or scheme not in ctx.schemes:
        return ""
    names = sorted(ctx.curie(c) or f"<{c}>" for c in ctx.schemes[scheme])
    more = f" … ({len(names)} in all)" if len(names) > 16 else ""
    return f" (known: {', '.join(names[:16])}{more})"


def target_problem(col: Column, node: Node, text: str, env: Env) -> str | None:
    """Does a parsed reference point to something that exists, of the right sort?"""
    if isinstance(node, BNode) or col.kind == "id":
        return None
    defined = node in env.known or node in env.ctx.subjects
    if col.target == "entity" and not defined:
        return (f"unknown {col.noun} {text!r}: not defined in the {col.defined_in} sheet "
                "nor in the vocabularies")
    if col.target == "vocab":
        if in_govkg(node) and not defined:
            hint = _known_terms(env.ctx, col.scheme)
            if not hint and not str(node).startswith(VOCAB):
                hint = (" (write vocabulary terms with their prefix, such as dt:penalty or "
                        "rank:department-head)")
            return f"unknown vocabulary term {text!r}{hint}"
        in_scheme = env.ctx.schemes.get(col.scheme or "", set())
        if col.scheme and node in env.ctx.subjects and node not in in_scheme and node not in env.known:
            name = col.scheme[len(VOCAB):]
            return f"{text!r} is not a term of the {name} vocabulary{_known_terms(env.ctx, col.scheme)}"
    if col.target == "class" and in_govkg(node) and not env.ctx.is_class(node) and node not in env.known:
        return f"unknown class {text!r} (gk: classes must be declared in ontology/govkg.ttl)"
    if col.target == "law" and in_govkg(node) and not defined:
        return f"unknown legal provision {text!r}: not in reference/statutes.ttl"
    if col.target == "any" and in_govkg(node) and not defined:
        return f"unknown term {text!r}: not defined in the workbook nor in the vocabularies or reference data"
    return None


def parse_cell(col: Column, text: str, env: Env) -> list[Node]:
    """The values one cell gives; CellProblem says what is wrong."""
    out: list[Node] = []
    if col.kind == "period":
        parts = split_lines(text) if col.multi else [text.strip()]
        for part in parts:
            datatype = period_datatype(part)
            if datatype is None:
                raise CellProblem(f"expected a year (2019), a month (2018-01) or a date (2019-09-01), "
                                  f"found {part!r}")
            out.append(Literal(part, datatype=datatype))
        return out
    if col.kind in REF_KINDS:
        parts = split_refs(text) if col.multi else [text.strip()]
        for part in parts:
            try:
                node = env.terms.parse(part)
            except TermError as exc:
                one = " (this column takes one value)" if not col.multi and SEPARATORS.search(part) else ""
                raise CellProblem(f"{exc}{one}") from exc
            problem = target_problem(col, node, part, env)
            if problem:
                raise CellProblem(problem)
            out.append(node)
        return out
    parts = split_lines(text) if col.multi else [text.strip()]
    for part in parts:
        if col.kind == "boolean":
            part = part.lower()
        problem = lexical_problem(col.kind, part)
        if problem:
            raise CellProblem(problem)
        out.append(Literal(part, lang=col.lang) if col.lang else Literal(part, datatype=col.datatype))
    return out


def parse_row(sheet: Sheet, values: dict[str, str], subject: Node,
              env: Env) -> tuple[list[Triple], list[tuple[str, str]]]:
    """The triples of one row of a typed sheet, and its problems as (column, problem)."""
    triples: list[Triple] = []
    problems: list[tuple[str, str]] = []
    parsed: dict[str, list[Node]] = {}
    for col in sheet.columns:
        if col.kind == "id" or col.predicate is None:
            continue
        text = values.get(col.header, "")
        if not text.strip():
            parsed[col.header] = []
            continue
        try:
            nodes = parse_cell(col, text, env)
        except CellProblem as exc:
            problems.append((col.header, str(exc)))
            continue
        parsed[col.header] = nodes
        triples += [(subject, col.predicate, n) for n in nodes]
    bad = {c for c, _ in problems}
    if "type" not in bad and not parsed.get("type"):
        if sheet.default_type is not None:
            triples.append((subject, RDF.type, sheet.default_type))
        else:
            problems.append(("type", f"a row of the {sheet.name} sheet needs a type: "
                                     f"{sheet.column('type').en}"))
    if "holder" in sheet.checks and "holder" not in bad and not parsed.get("holder"):
        problems.append(("holder", "duty without holder: every duty needs the body that holds it "
                         "(gk:holder)"))
    if "enforcement-basis" in sheet.checks and "legal_basis" not in bad and not parsed.get("legal_basis"):
        enforcing = [t for t in parsed.get("duty_type", []) if t in env.ctx.enforcement_types]
        if enforcing:
            names = ", ".join(env.ctx.curie(t) or str(t) for t in enforcing)
            problems.append(("legal_basis", f"enforcement duty ({names}) without legal basis: an enforcement "
                             "duty (penalty, coercion, inspection) needs the provision it rests on, "
                             "such as 城市市容和环境卫生管理条例第三十四条（一）"))
    return triples, problems


def parse_statement(values: dict[str, str], env: Env) -> tuple[Triple | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    terms = env.terms
    s = p = o = None
    try:
        s = terms.parse(values.get("subject", ""))
        if isinstance(s, Literal):
            raise TermError("a subject cannot be a literal")
    except TermError as exc:
        problems.append(("subject", str(exc)))
    pred_text = values.get("predicate", "").strip()
    try:
        p = RDF.type if pred_text == "a" else terms.parse(pred_text)
        if not isinstance(p, URIRef):
            raise TermError(f"a predicate must be an IRI, found {pred_text!r}")
    except TermError as exc:
        problems.append(("predicate", str(exc)))
    kind = values.get("kind", "").strip().lower()
    datatype = values.get("datatype", "").strip()
    lang = values.get("lang", "").strip()
    if kind not in ("", "ref", "literal"):
        problems.append(("kind", f"expected ref or literal, found {kind!r}"))
    elif kind == "literal" or (kind == "" and (datatype or lang)):
        if datatype and lang:
            problems.append(("lang", "a literal has a datatype or a language, not both"))
        elif lang and not _LANG.match(lang):
            problems.append(("lang", f"not a language tag: {lang!r} (such as zh, en, zh-Hant)"))
        else:
            dt_node = None
            if datatype:
                try:
                    dt_node = terms.parse(datatype)
                except TermError as exc:
                    problems.append(("datatype", str(exc)))
            if dt_node is not None and not isinstance(dt_node, URIRef):
                problems.append(("datatype", f"a datatype must be an IRI, found {datatype!r}"))
            elif not problems:
                o = Literal(values.get("object", ""), lang=lang or None, datatype=dt_node)
    else:
        if datatype or lang:
            problems.append(("kind", "kind is ref, but a datatype or language is given"))
        else:
            try:
                o = terms.parse(values.get("object", ""))
            except TermError as exc:
                problems.append(("object", str(exc)))
    if problems or s is None or p is None or o is None:
        return None, problems
    return (s, p, o), problems  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------

def check_city_iri(iri: str, where: str) -> str:
    iri = iri.strip()
    if iri.startswith("<") and iri.endswith(">"):
        iri = iri[1:-1]
    if not re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+[/#]$", iri) or re.search(r'[<>"{}|^`\\\s]', iri):
        raise InputError(where, f"the city base IRI must be an absolute IRI ending in / or #, such as "
                         f"https://w3id.org/govkg/id/my-city/ ; found {iri!r}")
    return iri


def read_meta(raw: RawBook) -> dict[str, str]:
    sheet = next((s for n, s in raw.sheets.items() if n.lower() == META), None)
    if sheet is None:
        return {}
    heads = [h.lower() for h in sheet.headers]
    if heads[:2] != META_HEADERS:
        raise InputError(sheet.where, f"the meta sheet needs the headers key, value; found {sheet.headers}")
    out = {}
    for _, cells in sheet.rows:
        if cells:
            out[cells[0].strip()] = cells[1].strip() if len(cells) > 1 else ""
    return out


def _letters(headers: list[str]) -> dict[str, str]:
    return {h: get_column_letter(i + 1) for i, h in enumerate(headers)}


def _header_errors(rs: RawSheet, expected: list[str], need_id: bool) -> list[CellError]:
    errors = []
    seen: set[str] = set()
    for i, h in enumerate(rs.headers):
        letter = get_column_letter(i + 1)
        if not h:
            continue
        if h not in expected:
            errors.append(CellError(rs.where, 1, h, letter, f"unknown column {h!r} (columns of this sheet: "
                                    f"{', '.join(expected)})"))
        elif h in seen:
            errors.append(CellError(rs.where, 1, h, letter, f"column {h!r} appears twice"))
        seen.add(h)
    if need_id and "id" not in rs.headers:
        errors.append(CellError(rs.where, 1, "id", None, "the sheet has no id column"))
    return errors


def _row_values(rs: RawSheet, cells: list[str]) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    values: dict[str, str] = {}
    stray: list[tuple[str, str, str]] = []
    for i, cell in enumerate(cells):
        head = rs.headers[i] if i < len(rs.headers) else ""
        if head:
            values[head] = cell
        elif cell.strip():
            stray.append((f"#{i + 1}", get_column_letter(i + 1), "a value in a column without a header"))
    return values, stray


def import_book(raw: RawBook, city_iri: str | None = None, ctx: Context | None = None) -> ImportResult:
    """Read the sheets into a graph. Bad rows are left out and listed in ``errors``."""
    with quiet_literals():
        return _import_book(raw, city_iri, ctx or Context.load())


def _import_book(raw: RawBook, city_iri: str | None, ctx: Context) -> ImportResult:
    meta = read_meta(raw)
    given = city_iri or meta.get("city_iri", "")
    if not given:
        raise InputError(raw.source, "no city base IRI: fill city_iri on the meta sheet or give --city-iri "
                         "(such as https://w3id.org/govkg/id/my-city/)")
    base = check_city_iri(given, raw.source)
    env = Env(Terms(ctx, base), ctx, set())
    result = ImportResult(graph=Graph(), city_iri=base)
    errors = result.errors

    typed: list[tuple[Sheet, RawSheet]] = []
    statements: list[RawSheet] = []
    for name, rs in raw.sheets.items():
        key = name.lower()
        if key in IGNORED_SHEETS or key == META:
            continue
        if key == STATEMENTS:
            errs = _header_errors(rs, STATEMENT_HEADERS, need_id=False)
            errors += errs
            if not errs:
                statements.append(rs)
        elif key in SHEETS_BY_NAME:
            sheet = SHEETS_BY_NAME[key]
            errs = _header_errors(rs, sheet.headers, need_id=True)
            errors += errs
            if not errs:
                typed.append((sheet, rs))
        else:
            known = ", ".join([META, *SHEETS_BY_NAME, STATEMENTS])
            errors.append(CellError(rs.where, None, None, None, f"unknown sheet {name!r} (sheets: {known})"))

    # Pass 1: every id, so that rows may refer to rows further down or on other sheets.
    ids: dict[Node, str] = {}
    rows: list[tuple[Sheet, RawSheet, int, dict[str, str], Node]] = []
    for sheet, rs in typed:
        letters = _letters(rs.headers)
        for n, cells in rs.rows:
            values, stray = _row_values(rs, cells)
            errors += [CellError(rs.where, n, c, letter, p) for c, letter, p in stray]
            text = values.get("id", "").strip()
            try:
                if not text:
                    raise TermError("the id is empty")
                subject = env.terms.parse(text)
                if isinstance(subject, Literal):
                    raise TermError(f"not an id: {text!r}")
            except TermError as exc:
                errors.append(CellError(rs.where, n, "id", letters.get("id"), str(exc)))
                continue
            if subject in ids:
                errors.append(CellError(rs.where, n, "id", letters.get("id"),
                                        f"duplicate id {text!r} (already at {ids[subject]})"))
                continue
            ids[subject] = f"{rs.where}, row {n}"
            if stray:
                continue
            rows.append((sheet, rs, n, values, subject))
    env.known = set(ids)
    stmt_rows: list[tuple[RawSheet, int, dict[str, str]]] = []
    for rs in statements:
        for n, cells in rs.rows:
            values, stray = _row_values(rs, cells)
            errors += [CellError(rs.where, n, c, letter, p) for c, letter, p in stray]
            if stray:
                continue
            stmt_rows.append((rs, n, values))
            with suppress(TermError):
                env.known.add(env.terms.parse(values.get("subject", "")))

    # Pass 2: the rows.
    graph = result.graph
    for sheet, rs, n, values, subject in rows:
        triples, problems = parse_row(sheet, values, subject, env)
        if problems:
            letters = _letters(rs.headers)
            errors += [CellError(rs.where, n, c, letters.get(c), p) for c, p in problems]
            continue
        for t in triples:
            graph.add(t)
        result.rows[sheet.name] += 1
    for rs, n, values in stmt_rows:
        triple, problems = parse_statement(values, env)
        if problems or triple is None:
            letters = _letters(rs.headers)
            errors += [CellError(rs.where, n, c, letters.get(c), p) for c, p in problems]
            continue
        graph.add(triple)
        result.rows[STATEMENTS] += 1
    errors.sort(key=lambda e: (e.where, e.row or 0, e.letter or ""))
    return result


# ---------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------

def detect_city_iri(graph: Graph, name: str = "") -> str:
    """The base IRI of a city graph: https://w3id.org/govkg/id/<name>/ (or the most used <city>)."""
    counts: Counter = Counter()
    for s in graph.subjects():
        if isinstance(s, URIRef) and str(s).startswith(ID):
            counts[str(s)[len(ID):].split("/", 1)[0]] += 1
    if name and name in counts:
        return f"{ID}{name}/"
    if counts:
        return f"{ID}{counts.most_common(1)[0][0]}/"
    raise InputError(name or None, f"cannot tell the city base IRI (no subject under {ID}<city>/); "
                     "give --city-iri")


def _fits(col: Column, v: Node) -> bool:
    if col.kind in REF_KINDS:
        return isinstance(v, URIRef | BNode)
    if not isinstance(v, Literal):
        return False
    if col.lang:
        return (v.language or "").lower() == col.lang
    if col.kind == "period":
        return v.language is None and v.datatype in PERIOD_DATATYPES
    return v.language is None and v.datatype == col.datatype


def _node_key(n: Node) -> tuple[int, str]:
    return (1 if isinstance(n, BNode) else 0, str(n))


def export_row(city: Graph, sheet: Sheet, s: Node, env: Env) -> tuple[list[str], set[Triple]] | None:
    """The cells of one row, and the triples they hold; None when the row would not import as is."""
    try:
        values = {"id": env.terms.format(s)}
    except TermError:
        return None
    claimed: set[Triple] = set()
    for col in sheet.columns:
        if col.kind == "id" or col.predicate is None:
            continue
        texts = []
        for v in sorted(city.objects(s, col.predicate), key=_node_key):
            if not _fits(col, v):
                continue
            try:
                text = env.terms.format(v) if col.kind in REF_KINDS else str(v)
                if parse_cell(col, text, env) != [v]:
                    continue
            except (TermError, CellProblem):
                continue
            texts.append(text)
            claimed.add((s, col.predicate, v))
            if not col.multi:
                break
        values[col.header] = ("; " if col.kind in REF_KINDS else "\n").join(texts)
    triples, problems = parse_row(sheet, values, s, env)
    if problems or set(triples) != claimed:
        return None
    return [values.get(h, "") for h in sheet.headers], claimed


def statement_row(t: Triple, terms: Terms) -> list[str]:
    s, p, o = t
    if isinstance(o, Literal):
        dt_text = terms.format(o.datatype) if o.datatype is not None else ""
        return [terms.format(s), terms.format(p), str(o), dt_text, o.language or "", "literal"]
    return [terms.format(s), terms.format(p), terms.format(o), "", "", "ref"]


def sheet_of(types: set[Node], classes: dict[str, set[URIRef]]) -> Sheet | None:
    for sheet in TYPED_SHEETS:
        if types & classes[sheet.name]:
            return sheet
    return None


def export_graph(city: Graph, base: str, ctx: Context, name: str = "") -> Book:
    """The sheets for a city graph (the city's own triples only)."""
    with quiet_literals():
        return _export_graph(city, base, ctx, name)


def _export_graph(city: Graph, base: str, ctx: Context, name: str) -> Book:
    env = Env(Terms(ctx, base), ctx, set(city.subjects()))
    classes = {sh.name: set().union(*(ctx.subclasses(c) for c in sh.classes)) for sh in TYPED_SHEETS}
    members: dict[str, list[Node]] = {sh.name: [] for sh in TYPED_SHEETS}
    for s in sorted(set(city.subjects()), key=_node_key):
        sheet = sheet_of(set(city.objects(s, RDF.type)), classes)
        if sheet is not None:
            members[sheet.name].append(s)
    claimed: set[Triple] = set()
    meta = [["city_iri", base], ["name", name], ["template", TEMPLATE_VERSION],
            ["govkg_version", __version__]]
    tables = [Table(META, list(META_HEADERS), meta)]
    for sheet in TYPED_SHEETS:
        table = Table(sheet.name, sheet.headers)
        for s in members[sheet.name]:
            row = export_row(city, sheet, s, env)
            if row is not None:
                table.rows.append(row[0])
                claimed |= row[1]
        tables.append(table)
    rest = sorted((t for t in city if t not in claimed), key=lambda t: tuple(_node_key(x) for x in t))
    tables.append(Table(STATEMENTS, list(STATEMENT_HEADERS), [statement_row(t, env.terms) for t in rest]))
    return Book(tables)
