"""Named queries (queries/*.rq): headers, parameters, and answers that agree with the library."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli
from rdflib import URIRef
from rdflib.namespace import RDF, SKOS
from sparql_support import (
    CASES,
    TESTVILLE,
    T,
    answers_from_query,
    answers_from_route,
    ask,
    city_dataset,
    city_kb,
    city_store,
    who_is_responsible,
)

from govkg import resources
from govkg.errors import InputError
from govkg.namespaces import GK
from govkg.queries import (
    Param,
    QueryParamError,
    format_term,
    get_query,
    named_queries,
    normalise,
    parse_params,
    parse_query_file,
    rows,
    run_local,
)
from govkg.server import guard

EXPECTED = {"who-is-responsible", "street-powers", "department-transfers", "gaps-by-code",
            "escalation-policy"}


def test_bundled_queries_have_headers_and_parameters():
    queries = named_queries()
    assert set(queries) >= EXPECTED
    assert resources.data_dir("queries").is_dir()
    for q in queries.values():
        assert q.summary and q.description, q.name
        assert q.params, q.name
        for p in q.params:
            assert p.description, (q.name, p.name)
            assert f"VALUES ?{p.name} {{ UNDEF }}" in q.text
        assert guard.inspect(q.text) is None


def test_docs_show_every_named_query():
    doc = (Path(__file__).resolve().parent.parent / "docs" / "sparql.md").read_text(encoding="utf-8")
    for name in named_queries():
        assert f"govkg query {name}" in doc, f"docs/sparql.md has no example of {name}"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("SELECT * WHERE { ?s ?p ?o }\n", "must start with"),
        ("# other-name: x\nSELECT * WHERE { ?s ?p ?o }\n", "first line"),
        ("# broken: x\n# @param a number required x\nSELECT * { VALUES ?a { UNDEF } }\n", "bad parameter"),
        ("# broken: x\n# @param a iri required x\nSELECT * WHERE { ?a ?p ?o }\n", "has no 'VALUES"),
    ],
)
def test_bad_query_headers_are_refused(tmp_path, text, problem):
    path = tmp_path / "broken.rq"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=problem):
        parse_query_file(path)


def test_render_writes_checked_terms_as_constants():
    q = named_queries()["who-is-responsible"]
    text = q.render({"matter": T + "matter/littering", "area": f"<{T}area/c1>", "date": "2021-05-01"})
    for name in ("matter", "area", "date"):
        assert f"?{name}" not in text and f"VALUES ?{name}" not in text
    assert text.count(f"<{T}matter/littering> skos:broader*") == 2
    assert text.count(f"<{T}area/c1> gk:within*") >= 2
    assert '"2021-05-01"^^<http://www.w3.org/2001/XMLSchema#date>' in text
    e = named_queries()["escalation-policy"].render({"district": T + "area/d1", "severity": "sev:major"})
    assert "FILTER (!true || ?levelSeverity = <https://w3id.org/govkg/vocab/severity/major>)" in e
    unset = named_queries()["escalation-policy"].render({"district": T + "area/d1"})
    assert "VALUES ?severity { UNDEF }" in unset and "!BOUND(?severity)" in unset


def test_a_parameter_may_not_be_projected(tmp_path):
    path = tmp_path / "proj.rq"
    head = "# proj: x\n# @param a iri optional x\n"
    path.write_text(head + "SELECT ?a WHERE { VALUES ?a { UNDEF } ?a ?p ?o }\n")
    with pytest.raises(InputError, match="projected"):
        parse_query_file(path)
    path.write_text(head + "SELECT ?b WHERE { VALUES ?a { UNDEF } BIND(1 AS ?a) }\n")
    with pytest.raises(InputError, match="projected"):
        parse_query_file(path)
    path.write_text(head + "SELECT ?ab WHERE { VALUES ?a { UNDEF } ?a ?p ?ab }\n")
    assert parse_query_file(path).render({"a": "urn:x"}).count("?ab") == 2


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"area": T + "area/c1", "date": "2021-05-01"}, "matter .* is required"),
        ({"matter": T + "m", "area": T + "a", "date": "2021-13-01"}, "not a date"),
        ({"matter": T + "m> } ?s ?p ?o { <x", "area": T + "a", "date": "2021-01-01"}, "not an IRI"),
        ({"matter": "littering", "area": T + "a", "date": "2021-01-01"}, "not an IRI"),
        ({"matter": T + "m", "area": T + "a", "date": "2021-01-01", "colour": "red"}, "unknown parameter"),
    ],
)
def test_render_refuses_bad_values(values, problem):
    with pytest.raises(QueryParamError, match=problem):
        named_queries()["who-is-responsible"].render(values)


def test_string_values_cannot_leave_their_literal():
    term = format_term(Param("code", "string", False, ""), 'GAP" } ?s ?p ?o . { "')
    assert term == '"GAP\\" } ?s ?p ?o . { \\""'
    q = named_queries()["gaps-by-code"].render({"code": 'GAP" } ?s ?p ?o . { "'})
    assert rows(run_local(city_store(), q)) == []


def test_parse_params():
    assert parse_params(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(InputError, match="key=value"):
        parse_params(["novalue"])


@pytest.mark.parametrize(("matter", "area", "date"), CASES, ids=lambda v: v.rsplit("/", 1)[-1])
def test_who_is_responsible_agrees_with_the_library(matter, area, date):
    results = run_local(city_store(), who_is_responsible(matter, area, date))
    expected = city_kb().route(matter=matter, area=area, at=date).to_dict()
    assert answers_from_query(results) == answers_from_route(expected)


def test_who_is_responsible_cases_cover_every_step():
    """The cases above are worth something: they include transfers of both kinds, an overlap,
    expired and future validity and nobody responsible."""
    seen_transfers, seen_overlap, seen_nobody, seen_holder = set(), False, False, False
    for matter, area, date in CASES:
        results = run_local(city_store(), who_is_responsible(matter, area, date))
        triples, lead = answers_from_query(results)
        seen_transfers |= {t for _r, _d, t in triples if t}
        seen_overlap |= len({r for r, _d, _t in triples}) > 1 and lead is None
        seen_nobody |= not triples
        seen_holder |= any(t is None for _r, _d, t in triples)
    assert seen_transfers == {T + "transfer/appearance-to-streets", T + "transfer/greening-to-s1"}
    assert seen_overlap and seen_nobody and seen_holder


def test_who_is_responsible_sends_streets_without_enforcement_office_to_the_street_office():
    west = ask("who-is-responsible", matter=T + "matter/littering", area=T + "area/c2", date="2021-05-01")
    assert {r["respondent"] for r in west} == {T + "body/s2-office"}
    east = ask("who-is-responsible", matter=T + "matter/littering", area=T + "area/c1", date="2021-05-01")
    assert {r["respondent"] for r in east} == {T + "body/s1-enforcement"}


def _recorded_whistles(kb, limit=6):
    out = []
    for w in sorted(kb.graph.subjects(RDF.type, GK.Whistle)):
        matter, area, at = (kb.graph.value(w, GK[p]) for p in ("matter", "area", "raisedAt"))
        if matter is not None and area is not None and at is not None:
            out.append((str(matter), str(area), str(at)[:10]))
    return out[:limit]


@pytest.mark.parametrize("city", resources.bundled_cities())
def test_who_is_responsible_agrees_with_the_library_on_bundled_cities(city):
    from govkg.server.dataset import build_dataset, memory_store

    kb = pytest.importorskip("govkg.kb").load(city)
    store = memory_store(build_dataset(kb, gaps=False))
    whistles = _recorded_whistles(kb)
    if not whistles:
        pytest.skip(f"{city} records no whistle yet")
    for matter, area, day in whistles:
        results = run_local(store, who_is_responsible(matter, area, day))
        expected = kb.route(matter=matter, area=area, at=day).to_dict()
        assert answers_from_query(results) == answers_from_route(expected), (city, matter, area, day)


def test_street_powers():
    got = {(r["kind"], r["power"]) for r in ask("street-powers", street=T + "area/s1")}
    bjp = "https://w3id.org/govkg/vocab/beijing-street-power/"
    littering = T + "matter/littering"
    assert got == {("empowerment", bjp + "p1"), ("empowerment", bjp + "p3"), ("enforcement", littering)}
    early = ask("street-powers", street=T + "area/s1", date="2020-01-01")
    assert {r["power"] for r in early} == {bjp + "p1", littering}
    assert {r["power"] for r in ask("street-powers", street=T + "area/s2")} == {bjp + "p1"}


def test_department_transfers_match_the_graph():
    g = city_kb().graph
    for dept in ("umb", "housing", "water"):
        department = URIRef(T + "body/" + dept)
        expected = {str(t) for t in g.subjects(GK.fromBody, department)}
        assert {r["transfer"] for r in ask("department-transfers", department=str(department))} == expected
    later = ask("department-transfers", department=T + "body/housing", date="2023-01-01")
    assert later == []  # the greening pilot ended on 2022-12-31


def test_gaps_by_code_match_the_audit():
    from govkg.audit import audit

    report = audit(city_kb())
    expected = {(f.code, f.focus) for f in report.findings}
    got = {(r["gapCode"], r["focus"]) for r in ask("gaps-by-code")}
    assert got == expected and expected
    assert {r["gapCode"] for r in ask("gaps-by-code", code="GAP-OVERLAP")} == {"GAP-OVERLAP"}


def test_escalation_policy_matches_the_graph():
    g = city_kb().graph
    q = named_queries()["escalation-policy"]
    got = rows(run_local(city_store(), q.render({"district": T + "area/c1"})))
    expected = set()
    for level in g.objects(URIRef(T + "policy/d1-escalation"), GK.hasLevel):
        sev = str(g.value(level, GK.severity))
        expected |= {(sev, "required", str(r)) for r in g.objects(level, GK.requiredRank)}
        expected |= {(sev, "lead", str(r)) for r in g.objects(level, GK.leadRank)}
    assert {(r["levelSeverity"], r["rankKind"], r["rank"]) for r in got} == expected
    major = rows(run_local(city_store(), q.render({"district": T + "area/d1", "severity": "sev:major"})))
    assert {r["levelSeverity"] for r in major} == {"https://w3id.org/govkg/vocab/severity/major"}
    assert {r["doubleReport"] for r in major} == {"true"}


def test_dataset_graphs():
    ds = city_dataset()
    assert set(ds.graphs) == {T, T + "routing", T + "gaps"}
    assert ds.routing_inferred
    routing = ds.graphs[T + "routing"]
    assert len(list(routing.subjects(RDF.type, GK.Assignment))) >= 3
    assert not set(routing) & set(ds.graphs[T])  # only what the rules added
    assert any(True for _ in ds.graphs[T].subjects(SKOS.notation, None))


def test_normalise_ignores_blank_node_labels_and_xsd_string():
    a = {"results": {"bindings": [{"x": {"type": "bnode", "value": "b0"},
                                   "y": {"type": "literal", "value": "v"}}]}}
    b = {"results": {"bindings": [{"x": {"type": "bnode", "value": "nodeID://1"},
                                   "y": {"type": "typed-literal", "value": "v",
                                         "datatype": "http://www.w3.org/2001/XMLSchema#string"}}]}}
    assert normalise(a) == normalise(b)
    c = {"results": {"bindings": [{"x": {"type": "bnode", "value": "b0"},
                                   "y": {"type": "literal", "value": "v", "xml:lang": "zh"}}]}}
    assert normalise(a) != normalise(c)


def test_get_query_by_path_and_unknown_name(tmp_path):
    path = tmp_path / "mine.rq"
    path.write_text("# mine: a test\n# @param x iri optional x\nSELECT * WHERE { VALUES ?x { UNDEF } }\n")
    assert get_query(str(path)).name == "mine"
    with pytest.raises(InputError, match="no such named query"):
        get_query("no-such-query")


def test_cli_query_list_run_and_errors():
    code, out, _ = run_cli("query", "--list")
    assert code == 0 and "who-is-responsible" in out and "matter=iri" in out
    code, out, err = run_cli("query", "street-powers", "--city", str(TESTVILLE),
                             "--param", f"street={T}area/s2", "--json")
    assert code == 0, err
    assert {b["power"]["value"] for b in json.loads(out)["results"]["bindings"]} == {
        "https://w3id.org/govkg/vocab/beijing-street-power/p1"}
    code, _, err = run_cli("query", "street-powers", "--city", str(TESTVILLE), "--param", "street=nowhere")
    assert code == 2 and "not an IRI" in err and "Traceback" not in err
    code, _, err = run_cli("query", "street-powers", "--param", f"street={T}area/s2")
    assert code == 2 and "--city" in err
    code, _, err = run_cli("query", "nonesuch", "--city", str(TESTVILLE))
    assert code == 2 and "no such named query" in err
