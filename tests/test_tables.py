"""Spreadsheets in and out (govkg import / govkg export, docs/spreadsheets.md).

Round trips on every bundled city and on random small cities, both XLSX and CSV; one test per
kind of bad row, each showing the check catching it; BOM and non-BOM CSV; citations and
traditional characters; the template workbooks in templates/.
"""

from __future__ import annotations

import copy
import string
import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, ORG, RDF, RDFS, SKOS, XSD

from govkg import resources
from govkg.cli import main as cli_main
from govkg.errors import InputError
from govkg.loader import load_city_data, load_files
from govkg.namespaces import GK, LAW
from govkg.tables import (
    SHEETS_BY_NAME,
    TYPED_SHEETS,
    Book,
    Context,
    ImportResult,
    book_to_raw,
    export_city,
    export_graph,
    import_book,
    import_path,
    read_book,
    template_book,
    write_book,
    write_turtle,
)
from govkg.tables.notes import column_widths
from govkg.tables.spec import STATEMENT_HEADERS
from govkg.tables.terms import TermError, Terms, split_citation

MINI = FIXTURES / "tables" / "mini-city"
HAND = FIXTURES / "tables" / "hand-written"
HAND_BASE = "https://w3id.org/govkg/id/hand-written/"
ART_34_1 = LAW["cn/urban-appearance-sanitation/art/34/item/1"]
# Citations that must NOT resolve are built by concatenation, so that the project's citation
# checker (shared/tools/citecheck.py) does not read them as real citations in this file.
REGULATION = "城市市容和环境卫生管理条例"
NO_SUCH_ARTICLE = REGULATION + "第九十九条"


@pytest.fixture(scope="session")
def ctx() -> Context:
    return Context.load()


@pytest.fixture(scope="session")
def mini_book(ctx) -> Book:
    return export_city(MINI, ctx=ctx)


def reimport(book: Book, tmp: Path, fmt: str, ctx: Context):
    out = tmp / ("book.xlsx" if fmt == "xlsx" else "book-csv")
    write_book(book, out, column_widths())
    return import_path(out, ctx=ctx)


def turtle_round(result: ImportResult, tmp: Path) -> Graph:
    """Write Turtle as the CLI does, and parse it again."""
    return load_files([write_turtle(result, tmp / "out.ttl")])


# ---------------------------------------------------------------------------
# Round trips
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("city", resources.bundled_cities())
def test_round_trip_every_bundled_city(city, fmt, tmp_path, ctx):
    original = load_city_data(city)
    book = export_city(city, ctx=ctx)
    result = reimport(book, tmp_path, fmt, ctx)
    assert result.errors == []
    assert isomorphic(turtle_round(result, tmp_path), original)


@pytest.mark.parametrize("city", resources.bundled_cities())
def test_typed_sheets_hold_nearly_everything(city, ctx):
    """The statements sheet is the escape hatch, not the main store."""
    original = load_city_data(city)
    book = export_city(city, ctx=ctx)
    statements = book.table("statements")
    assert len(statements.rows) <= 0.05 * len(original), [r[:3] for r in statements.rows]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_round_trip_fixture_city(fmt, tmp_path, ctx, mini_book):
    result = reimport(mini_book, tmp_path, fmt, ctx)
    assert result.errors == []
    assert isomorphic(turtle_round(result, tmp_path), load_city_data(MINI))


def test_fixture_city_uses_statements_for_what_sheets_cannot_hold(mini_book):
    rows = {tuple(r[:3]) for r in mini_book.table("statements").rows}
    assert ("matter/littering", "skos:altLabel", "亂扔垃圾") in rows  # @zh-Hant: no column
    assert ("body/urban-management", "foaf:homepage", "<http://example.org/urban-management>") in rows
    assert ("duty/community-appearance", "gk:validFrom", "2020-1-1") in rows  # ill-typed date kept as is
    assert ("body/old-town-office", "rdfs:comment", "  leading and trailing spaces are kept  ") in rows
    duties = mini_book.table("duties")
    row = next(r for r in duties.rows if r[0] == "duty/littering-penalty")
    cell = dict(zip(duties.headers, row, strict=True))
    assert cell["legal_basis"] == REGULATION + "第三十四条（一）"
    assert cell["holder"] == "body/urban-management" and cell["duty_type"] == "dt:penalty"


def test_export_breaks_if_a_column_loses_data(ctx, mini_book):
    """Sanity check of the round-trip test itself: dropping a cell is noticed."""
    broken = copy.deepcopy(mini_book)
    duties = broken.table("duties")
    duties.rows[0][duties.headers.index("valid_from")] = ""
    result = import_book(book_to_raw(broken), ctx=ctx)
    assert not isomorphic(result.graph, load_city_data(MINI))


# ---------------------------------------------------------------------------
# Random small cities
# ---------------------------------------------------------------------------

H_BASE = "https://w3id.org/govkg/id/h-city/"
ZH_CHARS = "街道社区城管局市场监管执法乱扔垃圾占道经营噪音油烟夫子庙雙塘秦虹區條例號辦事處（）；，。：“”、·"
EN_CHARS = string.ascii_letters + " ;,'-()."
AREA_CLASSES = [GK.District, GK.Street, GK.Township, GK.Community, GK.Grid, GK.BackStreet]
BODY_CLASSES = [GK.DistrictGovernment, GK.FunctionalDepartment, GK.StreetOffice, GK.StreetEnforcementOffice,
                GK.ResidentsCommittee, GK.PublicServiceEnterprise]
DUTY_TYPES = [URIRef(f"https://w3id.org/govkg/vocab/duty-type/{t}") for t in
              ("penalty", "coercion", "inspection", "licensing", "public-service", "responsibility")]
ROLES = [URIRef(f"https://w3id.org/govkg/vocab/role/{r}") for r in ("lead", "cooperate", "supervise")]
PROVISIONS = [LAW[f"cn/urban-appearance-sanitation/art/34/item/{i}"] for i in range(1, 8)] + [
    LAW["cn/urban-appearance-sanitation/art/36/item/1"], LAW["bj/street-offices/art/11/item/3"],
    LAW["cn/urban-roads/art/27"], LAW["cn/urban-appearance-sanitation"]]
STATUS = [URIRef("https://w3id.org/govkg/vocab/status/sourced"), URIRef("https://w3id.org/govkg/vocab/status/illustrative")]

zh_text = st.text(alphabet=ZH_CHARS + " \n;", min_size=1, max_size=10)
en_text = st.text(alphabet=EN_CHARS, min_size=1, max_size=12)
dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2040, 12, 31)).map(date.isoformat)
odd_dates = st.sampled_from(["2019-9-1", "2019/09/01", "20190901"])


@st.composite
def random_cities(draw) -> Graph:
    g = Graph()
    pick = draw

    def labels(node, pred=RDFS.label):
        g.add((node, pred, Literal(pick(zh_text), lang=pick(st.sampled_from(["zh", "zh", "zh-Hant"])))))
        if pick(st.booleans()):
            g.add((node, pred, Literal(pick(en_text), lang="en")))

    def provenance(node):
        g.add((node, DCTERMS.source, URIRef("https://w3id.org/govkg/source/seed-003")))
        g.add((node, GK.status, pick(st.sampled_from(STATUS))))
        if pick(st.booleans()):
            g.add((node, GK.sourceLocator, Literal(pick(zh_text))))

    areas = [URIRef(f"{H_BASE}area/a{i}") for i in range(pick(st.integers(1, 4)))]
    for i, a in enumerate(areas):
        g.add((a, RDF.type, pick(st.sampled_from(AREA_CLASSES))))
        labels(a)
        provenance(a)
        if i:
            g.add((a, GK.within, areas[pick(st.integers(0, i - 1))]))
    bodies = [URIRef(f"{H_BASE}body/b{i}") for i in range(pick(st.integers(1, 4)))]
    for i, b in enumerate(bodies):
        g.add((b, RDF.type, pick(st.sampled_from(BODY_CLASSES))))
        labels(b)
        provenance(b)
        g.add((b, DCTERMS.spatial, pick(st.sampled_from(areas))))
        if i and pick(st.booleans()):
            g.add((b, ORG.subOrganizationOf, bodies[pick(st.integers(0, i - 1))]))
    matters = [URIRef(f"{H_BASE}matter/m{i}") for i in range(pick(st.integers(1, 4)))]
    for i, m in enumerate(matters):
        g.add((m, RDF.type, GK.Matter))
        labels(m, SKOS.prefLabel)
        for alt in pick(st.lists(zh_text, max_size=3)):
            g.add((m, SKOS.altLabel, Literal(alt, lang="zh")))
        g.add((m, SKOS.notation, Literal(f"M-{i}")))
        if i and pick(st.booleans()):
            g.add((m, SKOS.broader, matters[pick(st.integers(0, i - 1))]))
        provenance(m)
    duties = [URIRef(f"{H_BASE}duty/d{i}") for i in range(pick(st.integers(0, 5)))]
    for d in duties:
        g.add((d, RDF.type, GK.Duty))
        labels(d)
        if pick(st.integers(0, 5)):  # now and then a duty without holder: it must still survive
            g.add((d, GK.holder, pick(st.sampled_from(bodies))))
        g.add((d, GK.matter, pick(st.sampled_from(matters))))
        g.add((d, GK.dutyType, pick(st.sampled_from(DUTY_TYPES))))
        g.add((d, GK.role, pick(st.sampled_from(ROLES))))
        g.add((d, GK.area, pick(st.sampled_from(areas))))
        for p in pick(st.lists(st.sampled_from(PROVISIONS), max_size=2, unique=True)):
            g.add((d, GK.legalBasis, p))
        g.add((d, GK.validFrom, Literal(pick(st.one_of(dates, dates, dates, odd_dates)), datatype=XSD.date)))
        if pick(st.booleans()):
            g.add((d, GK.validTo, Literal(pick(dates), datatype=XSD.date)))
        if pick(st.booleans()):
            g.add((d, RDFS.comment, Literal(pick(en_text), lang="en")))
        provenance(d)
    for i in range(pick(st.integers(0, 3)) if duties else 0):
        t = URIRef(f"{H_BASE}transfer/t{i}")
        g.add((t, RDF.type, GK.Transfer))
        labels(t)
        g.add((t, GK.fromBody, pick(st.sampled_from(bodies))))
        if pick(st.booleans()):
            g.add((t, GK.toBody, pick(st.sampled_from(bodies))))
        else:
            g.add((t, GK.toStreetsOf, pick(st.sampled_from(areas))))
        g.add((t, GK.transferredDuty, pick(st.sampled_from(duties))))
        g.add((t, GK.validFrom, Literal(pick(dates), datatype=XSD.date)))
        provenance(t)
    if pick(st.booleans()):  # a blank node, referred to from a typed row
        level = BNode()
        g.add((level, RDF.type, GK.EscalationLevel))
        g.add((level, GK.doubleReport, Literal(pick(st.booleans()))))
        policy = URIRef(f"{H_BASE}policy/p")
        g.add((policy, RDF.type, GK.EscalationPolicy))
        g.add((policy, GK.hasLevel, level))
        g.add((policy, GK.appliesTo, areas[0]))
    return g


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=random_cities())
def test_random_cities_round_trip_csv(city, ctx):
    book = export_graph(city, H_BASE, ctx)
    assert isomorphic(import_book(book_to_raw(book), ctx=ctx).graph, city)
    with tempfile.TemporaryDirectory() as tmp:
        result = reimport(book, Path(tmp), "csv", ctx)
    assert result.errors == []
    assert isomorphic(result.graph, city)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(city=random_cities())
def test_random_cities_round_trip_xlsx(city, ctx):
    book = export_graph(city, H_BASE, ctx)
    with tempfile.TemporaryDirectory() as tmp:
        result = reimport(book, Path(tmp), "xlsx", ctx)
    assert result.errors == []
    assert isomorphic(result.graph, city)


# ---------------------------------------------------------------------------
# Bad rows
# ---------------------------------------------------------------------------

def edited(book: Book, sheet: str, row_id: str, column: str, value: str) -> tuple[Book, int, str]:
    """A copy of ``book`` with one cell changed; the spreadsheet row number and column letter."""
    book = copy.deepcopy(book)
    table = book.table(sheet)
    i = next(i for i, r in enumerate(table.rows) if r[0] == row_id)
    j = table.headers.index(column)
    table.rows[i][j] = value
    return book, i + 2, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[j]


BAD_ROWS = [
    ("duties", "duty/littering-penalty", "holder", "body/nowhere",
     "unknown body 'body/nowhere': not defined in the bodies sheet nor in the vocabularies"),
    ("duties", "duty/littering-penalty", "matter", "matter/nowhere",
     "unknown matter 'matter/nowhere': not defined in the matters sheet"),
    ("duties", "duty/littering-penalty", "area", "area/atlantis",
     "unknown area 'area/atlantis': not defined in the areas sheet"),
    ("duties", "duty/littering-penalty", "valid_from", "2019/9/1",
     "expected a date as YYYY-MM-DD (such as 2019-09-01), found '2019/9/1'"),
    ("duties", "duty/littering-penalty", "valid_to", "2019年9月1日",
     "expected a date as YYYY-MM-DD (such as 2019-09-01), found '2019年9月1日'"),
    ("duties", "duty/littering-penalty", "holder", "", "duty without holder"),
    ("duties", "duty/littering-penalty", "legal_basis", "",
     "enforcement duty (dt:penalty) without legal basis"),
    ("duties", "duty/littering-penalty", "legal_basis", NO_SUCH_ARTICLE,
     f"unparseable legal citation '{NO_SUCH_ARTICLE}': {REGULATION} has no 第99条"),
    ("duties", "duty/littering-penalty", "legal_basis", "市容条例第三十四条（一）",
     "unparseable legal citation '市容条例第三十四条（一）': no law titled '市容条例'"),
    ("duties", "duty/littering-penalty", "legal_basis", "第三十四条（一）",
     "name the law before the article"),
    ("duties", "duty/littering-penalty", "duty_type", "dt:penaltyy", "unknown vocabulary term 'dt:penaltyy'"),
    ("duties", "duty/littering-penalty", "duty_type", "penalty", "unknown vocabulary term 'penalty'"),
    ("duties", "duty/littering-penalty", "duty_type", "sev:major",
     "'sev:major' is not a term of the duty-type vocabulary"),
    ("duties", "duty/stalls-inspection", "role", "role:boss", "unknown vocabulary term 'role:boss'"),
    ("duties", "duty/stalls-inspection", "status", "xx:sourced", "unknown prefix 'xx'"),
    ("transfers", "transfer/littering-old-town", "from_body", "body/ghost", "unknown body 'body/ghost'"),
    ("transfers", "transfer/littering-old-town", "valid_from", "01/09/2019", "found '01/09/2019'"),
    ("whistles", "whistle/barbecue", "raised_at", "2019-10-08 09:30", "expected a date and time"),
    ("bodies", "body/willow-committee", "type", "gk:ResidentCommittee",
     "unknown class 'gk:ResidentCommittee'"),
    ("areas", "area/grid-1", "within", "area/nowhere", "unknown area 'area/nowhere'"),
    ("matters", "matter/street-stalls", "broader", "matter/nowhere", "unknown matter 'matter/nowhere'"),
]
BAD_IDS = [f"{sheet}-{col}-{value or 'empty'}" for sheet, _, col, value, _ in BAD_ROWS]


@pytest.mark.parametrize(("sheet", "row_id", "column", "value", "problem"), BAD_ROWS, ids=BAD_IDS)
def test_bad_row_rejects_whole_import(sheet, row_id, column, value, problem, mini_book, tmp_path, capsys):
    book, row, letter = edited(mini_book, sheet, row_id, column, value)
    folder = tmp_path / "tables"
    write_book(book, folder)
    out = tmp_path / "out.ttl"
    code = cli_main(["import", str(folder), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert not out.exists()
    assert f"{folder / sheet}.csv, row {row}, column {column} ({letter}): " in err
    assert problem in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("sheet", "row_id", "column", "value", "problem"), BAD_ROWS[:8], ids=BAD_IDS[:8])
def test_keep_going_writes_exactly_the_good_rows(sheet, row_id, column, value, problem, mini_book, tmp_path,
                                                capsys):
    book, row, _ = edited(mini_book, sheet, row_id, column, value)
    folder = tmp_path / "tables"
    write_book(book, folder)
    out = tmp_path / "out.ttl"
    code = cli_main(["import", str(folder), "-o", str(out), "--keep-going"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"row {row}, column {column}" in err and problem in err
    original = load_city_data(MINI)
    subject = URIRef("https://w3id.org/govkg/id/mini-city/" + row_id)
    expected = Graph()
    for t in original:
        if t[0] != subject:
            expected.add(t)
    assert isomorphic(load_files([out]), expected)


def test_all_bad_rows_are_listed(mini_book, tmp_path, capsys):
    book, row1, _ = edited(mini_book, "duties", "duty/littering-penalty", "holder", "body/nowhere")
    book, row2, _ = edited(book, "areas", "area/grid-1", "within", "area/nowhere")
    book, row3, _ = edited(book, "duties", "duty/stalls-inspection", "valid_from", "2019.3.24")
    path = tmp_path / "book.xlsx"
    write_book(book, path)
    out = tmp_path / "out.ttl"
    assert cli_main(["import", str(path), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert "3 problem(s)" in err
    assert f"book.xlsx, sheet duties, row {row1}, column holder (E): unknown body 'body/nowhere'" in err
    assert f"book.xlsx, sheet areas, row {row2}, column within (E): unknown area 'area/nowhere'" in err
    assert f"book.xlsx, sheet duties, row {row3}, column valid_from (K): expected a date" in err
    assert not out.exists()


def test_failed_import_leaves_an_existing_output_alone(mini_book, tmp_path, capsys):
    book, _, _ = edited(mini_book, "duties", "duty/littering-penalty", "holder", "")
    write_book(book, tmp_path / "book.xlsx")
    out = tmp_path / "out.ttl"
    out.write_text("# earlier output\n", encoding="utf-8")
    assert cli_main(["import", str(tmp_path / "book.xlsx"), "-o", str(out)]) == 2
    assert out.read_text(encoding="utf-8") == "# earlier output\n"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.ttl")]  # no temp file left


def test_duplicate_ids_unknown_sheets_and_columns(mini_book, ctx):
    book = copy.deepcopy(mini_book)
    duties = book.table("duties")
    duties.rows.append(list(duties.rows[0]))
    book.tables.append(book.tables.pop(book.tables.index(duties)))
    from govkg.tables import Table

    book.tables.append(Table("dutys", ["id"], [["duty/x"]]))
    areas = book.table("areas")
    areas.headers[areas.headers.index("within")] = "inside"
    result = import_book(book_to_raw(book, "b.xlsx"), ctx=ctx)
    text = "\n".join(map(str, result.errors))
    dup = f"sheet duties, row {len(duties.rows) + 1}, column id (A): duplicate id 'duty/community-appearance'"
    assert dup in text
    assert "b.xlsx, sheet dutys: unknown sheet 'dutys'" in text
    assert "b.xlsx, sheet areas, row 1, column inside (E): unknown column 'inside'" in text


def test_statements_sheet_rows_are_checked(ctx):
    from govkg.tables import Table

    rows = [
        ["body/x", "rdfs:label", "某单位", "", "zh", ""],                  # literal by lang
        ["body/x", "gk:validFrom", "2019-09-01", "xsd:date", "", ""],     # literal by datatype
        ["body/x", "a", "gk:StreetOffice", "", "", ""],                   # ref by default
        ["body/x", "rdfs:comment", " 原样 ", "", "", "literal"],           # plain literal, spaces kept
        ["body/x", "rdfs:label", "x", "xsd:string", "en", ""],            # bad: both
        ["body/x", "rdfs:label", "x", "", "", "thing"],                   # bad: kind
        ["body/x", "nope:label", "x", "", "", "literal"],                 # bad: prefix
    ]
    book = Book([Table("meta", ["key", "value"], [["city_iri", HAND_BASE]]),
                 Table("statements", list(STATEMENT_HEADERS), rows)])
    result = import_book(book_to_raw(book, "s.csv"), ctx=ctx)
    x = URIRef(HAND_BASE + "body/x")
    assert (x, RDFS.label, Literal("某单位", lang="zh")) in result.graph
    assert (x, GK.validFrom, Literal("2019-09-01", datatype=XSD.date)) in result.graph
    assert (x, RDF.type, GK.StreetOffice) in result.graph
    assert (x, RDFS.comment, Literal(" 原样 ")) in result.graph
    problems = [(e.row, e.column, e.problem) for e in result.errors]
    assert (6, "lang", "a literal has a datatype or a language, not both") in problems
    assert (7, "kind", "expected ref or literal, found 'thing'") in problems
    assert any(r == 8 and c == "predicate" and "unknown prefix 'nope'" in p for r, c, p in problems)


# ---------------------------------------------------------------------------
# Chinese: encodings, citations, traditional characters
# ---------------------------------------------------------------------------

def test_hand_written_csv_with_and_without_bom(ctx):
    assert (HAND / "bodies.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert not (HAND / "areas.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    result = import_path(HAND, ctx=ctx)
    assert result.errors == []
    g = result.graph
    duty = lambda name: URIRef(HAND_BASE + "duty/" + name)  # noqa: E731
    assert set(g.objects(duty("littering-a"), GK.legalBasis)) == {ART_34_1}      # 第三十四条（一）
    assert set(g.objects(duty("littering-b"), GK.legalBasis)) == {ART_34_1}      # 第三十四条第一项
    assert set(g.objects(duty("littering-c"), GK.legalBasis)) == {              # 《》, (一), ； and a space
        ART_34_1, LAW["cn/urban-roads/art/27"]}
    assert set(g.objects(duty("appearance"), GK.legalBasis)) == set()
    office = URIRef(HAND_BASE + "body/fuzimiao-office")
    assert (office, RDFS.label, Literal("夫子廟街道辦事處", lang="zh")) in g
    assert (duty("littering-c"), RDFS.label, Literal("亂扔廢棄物的檢查", lang="zh")) in g
    littering = URIRef(HAND_BASE + "matter/littering")
    alt = {Literal("乱扔垃圾", lang="zh"), Literal("亂扔煙頭", lang="zh")}
    assert set(g.objects(littering, SKOS.altLabel)) == alt
    assert (littering, RDF.type, GK.Matter) in g  # the default type of the matters sheet


@pytest.mark.parametrize("bom", [True, False])
def test_exported_csv_reads_back_with_or_without_bom(bom, mini_book, tmp_path, ctx):
    folder = tmp_path / "csv"
    write_book(mini_book, folder)
    for f in folder.glob("*.csv"):
        data = f.read_bytes()
        assert data.startswith(b"\xef\xbb\xbf")  # written for Excel
        if not bom:
            f.write_bytes(data[3:])
    result = import_path(folder, ctx=ctx)
    assert result.errors == []
    assert isomorphic(result.graph, load_city_data(MINI))


def test_gbk_csv_gets_a_clear_error(tmp_path):
    (tmp_path / "bodies.csv").write_bytes("id,label_zh\nbody/x,区城管局\n".encode("gbk"))
    with pytest.raises(InputError, match=r"bodies\.csv: not UTF-8 .*GBK"):
        read_book(tmp_path)


def test_every_provision_label_parses_and_resolves_back(ctx):
    provisions = set(ctx.graph.subjects(RDF.type, GK.LegalProvision))
    assert len(provisions) > 500
    assert set(ctx.provisions.values()) == provisions
    for iri, citation in ctx.citation_of.items():
        assert ctx.resolve_citation(citation) == iri


@pytest.mark.parametrize("text", [
    REGULATION + "第三十四条（一）",
    REGULATION + "第三十四条(一)",
    REGULATION + "第三十四条第一项",
    "《" + REGULATION + "》第三十四条（一）",
    REGULATION + " 第三十四条（一）",
    REGULATION + "第34条（1）",
    "中华人民共和国" + REGULATION + "第三十四条（一）",
])
def test_citation_forms(text, ctx):
    assert Terms(ctx, HAND_BASE).parse(text) == ART_34_1


def test_citation_errors(ctx):
    terms = Terms(ctx, HAND_BASE)
    assert terms.parse(REGULATION) == LAW["cn/urban-appearance-sanitation"]
    assert split_citation("第一百零二条") == ("", 102, None)
    for text, problem in [(NO_SUCH_ARTICLE, "has no 第99条"), ("某某条例第三条", "no law titled '某某条例'"),
                          ("第三条", "name the law"), ("城管规定", "unparseable legal citation")]:
        with pytest.raises(TermError, match=problem):
            terms.parse(text)


def test_excel_typed_cells_are_read_as_text(tmp_path, ctx):
    """Dates and numbers that Excel stores as such are read back in the template's form."""
    wb = Workbook()
    wb.active.title = "meta"
    wb["meta"].append(["key", "value"])
    wb["meta"].append(["city_iri", HAND_BASE])
    ws = wb.create_sheet("sets")
    ws.append(["id", "label_zh", "declared_count", "valid_from"])
    ws.append(["set/x", "清单", 162, datetime(2019, 9, 1)])
    wb.save(tmp_path / "typed.xlsx")
    result = import_path(tmp_path / "typed.xlsx", ctx=ctx)
    assert result.errors == []
    x = URIRef(HAND_BASE + "set/x")
    assert (x, GK.declaredCount, Literal("162", datatype=XSD.nonNegativeInteger)) in result.graph
    assert (x, GK.validFrom, Literal("2019-09-01", datatype=XSD.date)) in result.graph


def test_xlsx_refuses_what_it_cannot_hold_but_csv_keeps_it(tmp_path, ctx):
    g = Graph()
    body = URIRef(H_BASE + "body/b")
    g.add((body, RDF.type, GK.StreetOffice))
    g.add((body, RDFS.comment, Literal("line one\r\nline two\x07", lang="en")))
    book = export_graph(g, H_BASE, ctx)
    with pytest.raises(InputError, match="control character"):
        write_book(book, tmp_path / "b.xlsx")
    assert not (tmp_path / "b.xlsx").exists()
    assert isomorphic(reimport(book, tmp_path, "csv", ctx).graph, g)


# ---------------------------------------------------------------------------
# Templates and the CLI
# ---------------------------------------------------------------------------

TEMPLATES = REPO / "templates"


def sheet_values(path: Path) -> dict[str, list[list[str]]]:
    wb = load_workbook(path, read_only=True)
    out = {ws.title: [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
           for ws in wb.worksheets}
    wb.close()
    return out


def test_template_has_the_documented_sheets_and_headers():
    values = sheet_values(TEMPLATES / "govkg-template.xlsx")
    assert list(values) == ["meta", *SHEETS_BY_NAME, "statements", "notes"]
    for sheet in TYPED_SHEETS:
        assert values[sheet.name][0] == sheet.headers
        assert len(values[sheet.name]) == 1  # empty
    assert values["duties"][0][:17] == [
        "id", "type", "label_zh", "label_en", "holder", "matter", "duty_type", "role", "area", "legal_basis",
        "valid_from", "valid_to", "member_of", "source", "source_locator", "status", "comment"]
    assert values["statements"][0] == ["subject", "predicate", "object", "datatype", "lang", "kind"]
    assert ["city_iri", ""] in values["meta"]
    documented = {(r[0], r[1]) for r in values["notes"][1:]}
    for sheet in TYPED_SHEETS:
        for header in sheet.headers:
            assert (sheet.name, header) in documented, (sheet.name, header)
    assert all(r[5] and r[6] for r in values["notes"][1:])  # every note in English and Chinese


def test_template_matches_the_code():
    """A stale template fails here: run python templates/build_templates.py."""
    values = sheet_values(TEMPLATES / "govkg-template.xlsx")
    for table in template_book().tables:
        assert values[table.name] == [table.headers, *table.rows], table.name


@pytest.mark.skipif("nanjing-qinhuai" not in resources.bundled_cities(), reason="Qinhuai not bundled")
def test_example_workbook_is_qinhuai(ctx):
    """A stale example fails here: run python templates/build_templates.py."""
    result = import_path(TEMPLATES / "example-qinhuai.xlsx", ctx=ctx)
    assert result.errors == []
    assert isomorphic(result.graph, load_city_data("nanjing-qinhuai"))


def test_empty_template_needs_a_city_iri(tmp_path, capsys):
    template = TEMPLATES / "govkg-template.xlsx"
    out = tmp_path / "t.ttl"
    assert cli_main(["import", str(template), "-o", str(out)]) == 2
    assert "no city base IRI" in capsys.readouterr().err
    assert not out.exists()
    new_city = "https://w3id.org/govkg/id/new/"
    assert cli_main(["import", str(template), "-o", str(out), "--city-iri", new_city]) == 0
    assert len(load_files([out])) == 0
    assert cli_main(["import", str(template), "-o", str(out), "--city-iri", "not an iri"]) == 2


def test_docs_name_every_sheet_and_column():
    doc = (REPO / "docs" / "spreadsheets.md").read_text(encoding="utf-8")
    for sheet in TYPED_SHEETS:
        line = next((x for x in doc.splitlines() if x.startswith(f"| `{sheet.name}` |")), "")
        assert line, sheet.name
        assert line.rsplit("|", 2)[1].strip() == ", ".join(sheet.headers), sheet.name


def test_cli_export_then_import(tmp_path):
    book = tmp_path / "mini.xlsx"
    code, out, err = run_cli("export", "--city", str(MINI), "-o", str(book))
    assert code == 0, err
    assert "duties 3" in out
    ttl = tmp_path / "mini.ttl"
    code, out, err = run_cli("import", str(book), "-o", str(ttl))
    assert code == 0, err
    assert isomorphic(load_files([ttl]), load_city_data(MINI))
    code, _, err = run_cli("export", "--city", str(MINI), "-o", str(tmp_path / "csv") + "/")
    assert code == 0, err
    assert (tmp_path / "csv" / "duties.csv").is_file()
    code, _, err = run_cli("export", "--city", str(MINI), "-o", str(tmp_path / "one.csv"))
    assert code == 2 and "give a folder" in err and not (tmp_path / "one.csv").exists()
    code, _, err = run_cli("import", str(tmp_path / "nowhere.xlsx"), "-o", str(ttl))
    assert code == 2 and "no such file or folder" in err and "Traceback" not in err
