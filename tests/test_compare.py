"""govkg compare: every metric checked against an independent plain-SPARQL count over the graphs.

The expected numbers are computed here with SPARQL (property paths, FILTERs, COUNT/SUM), not
copied from the output; the implementation under test uses networkx and Python. A metric that
drifts from its definition in docs/compare.md fails these tests.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from conftest import REPO, run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

import govkg
from govkg.compare import METRICS, compare, write_graphml
from govkg.errors import InputError
from govkg.namespaces import GK, sparql_prologue

CITIES = ("beijing", "nanjing-qinhuai", "chongqing-f-street")
DAY = dt.date(2020, 6, 1)
REFORMS = REPO / "examples" / "reforms"


@pytest.fixture(scope="module")
def kbs():
    return [govkg.load(c) for c in CITIES]


@pytest.fixture(scope="module")
def comparison(kbs):
    return compare(kbs, at=DAY)


def q(graph: Graph, query: str, day: dt.date = DAY) -> list:
    text = sparql_prologue() + query.replace("?DAY", f'"{day.isoformat()}"^^xsd:date')
    return list(graph.query(text))


def scalar(graph: Graph, query: str, day: dt.date = DAY):
    rows = q(graph, query, day)
    value = rows[0][0] if rows else None
    return None if value is None else value.toPython()


IN_FORCE = """ ?{v} gk:validFrom ?{v}From . FILTER (?{v}From <= ?DAY)
               FILTER NOT EXISTS {{ ?{v} gk:validTo ?{v}To . FILTER (?{v}To < ?DAY) }} """

RESPONSIBLE = """
SELECT DISTINCT ?m ?b ?role WHERE {{
  ?m a/rdfs:subClassOf* gk:Matter . ?m skos:broader* ?mm .
  {{
    ?d a gk:Duty ; gk:matter ?mm ; gk:holder ?b . {duty}
    FILTER NOT EXISTS {{ ?d gk:role role:supervise }}
    OPTIONAL {{ ?d gk:role ?role }}
  }} UNION {{
    ?t a gk:Transfer . {transfer}
    {{ ?t gk:transferredDuty ?d2 . ?d2 gk:matter ?mm . FILTER NOT EXISTS {{ ?d2 gk:role role:supervise }}
      OPTIONAL {{ ?d2 gk:role ?role }} }}
    UNION {{ ?t gk:matter ?mm . FILTER NOT EXISTS {{ ?t gk:transferredDuty ?any }} }}
    {{ ?t gk:toBody ?b }}
    UNION {{
      ?t gk:toStreetsOf ?x . ?s gk:within+ ?x . ?b dct:spatial ?s .
      {{ ?s a gk:Street }} UNION {{ ?s a gk:Township }}
      ?b a ?bc .
      FILTER (?bc = gk:StreetEnforcementOffice
              || (?bc = gk:StreetOffice && NOT EXISTS {{ ?e a gk:StreetEnforcementOffice ; dct:spatial ?s }}))
    }}
  }}
}}""".format(duty=IN_FORCE.format(v="d"), transfer=IN_FORCE.format(v="t"))


def expected(graph: Graph, day: dt.date = DAY) -> dict:
    """Every headline metric, by plain SPARQL (and, for means and shares, a little arithmetic)."""
    e = {
        "bodies": scalar(
            graph, "SELECT (COUNT(DISTINCT ?b) AS ?n) { ?b a/rdfs:subClassOf* gk:Body FILTER isIRI(?b) }"
        ),
        "levels": scalar(
            graph, "SELECT (COUNT(DISTINCT ?l) AS ?n) { ?b a/rdfs:subClassOf* gk:Body ; gk:level ?l }"
        ),
        "areas": scalar(
            graph, "SELECT (COUNT(DISTINCT ?a) AS ?n) { ?a a/rdfs:subClassOf* gk:Area FILTER isIRI(?a) }"
        ),
        "matters": scalar(graph, "SELECT (COUNT(DISTINCT ?m) AS ?n) { ?m a/rdfs:subClassOf* gk:Matter }"),
        "duties": scalar(
            graph,
            "SELECT (COUNT(DISTINCT ?d) AS ?n) {{ ?d a gk:Duty . {} }}".format(IN_FORCE.format(v="d")),
            day,
        ),
        "powers": scalar(
            graph,
            "SELECT (COUNT(DISTINCT ?p) AS ?n) {{ ?e a gk:Empowerment ; gk:power ?p . {} }}".format(
                IN_FORCE.format(v="e")
            ),
            day,
        ),
        "transfers": scalar(
            graph,
            "SELECT (COUNT(DISTINCT ?t) AS ?n) {{ ?t a gk:Transfer . {} }}".format(IN_FORCE.format(v="t")),
            day,
        ),
        "matters_transferred": scalar(
            graph,
            """SELECT (COUNT(DISTINCT ?m) AS ?n) {{ ?t a gk:Transfer . {}
            {{ ?t gk:matter ?m }} UNION
            {{ ?t gk:transferredDuty/gk:matter ?m . FILTER NOT EXISTS {{ ?t gk:matter ?x }} }} }}""".format(
                IN_FORCE.format(v="t")
            ),
            day,
        ),
        "declared_transferred": scalar(
            graph, "SELECT (SUM(?c) AS ?n) { ?p a gk:TransferPackage ; gk:declaredCount ?c }"
        ),
        "escalation_levels": scalar(
            graph, "SELECT (COUNT(DISTINCT ?l) AS ?n) { ?p a gk:EscalationPolicy ; gk:hasLevel ?l }"
        ),
        "declared_grids": scalar(graph, "SELECT (SUM(?c) AS ?n) { ?s a gk:GridSet ; gk:declaredCount ?c }"),
        "enumerated_grids": scalar(graph, "SELECT (COUNT(DISTINCT ?g) AS ?n) { ?g a gk:Grid }"),
        "max_households": scalar(
            graph, "SELECT (MAX(?h) AS ?n) { ?r a gk:GridSizeRule ; gk:maxHouseholds ?h }"
        ),
        "whistles": scalar(graph, "SELECT (COUNT(DISTINCT ?w) AS ?n) { ?w a gk:Whistle }"),
        "reports": scalar(graph, "SELECT (COUNT(DISTINCT ?r) AS ?n) { ?r a gk:Report }"),
    }
    for key, cls in (("declared_transferred", "gk:TransferPackage"), ("declared_grids", "gk:GridSet")):
        declared = scalar(graph, f"SELECT (COUNT(?c) AS ?n) {{ ?s a {cls} ; gk:declaredCount ?c }}")
        e[key] = int(e[key]) if declared else None  # nothing declared: no number, not zero
    minutes = []
    for (rt,) in q(graph, "SELECT ?rt { ?p a gk:EscalationPolicy ; gk:hasLevel/gk:responseTime ?rt }"):
        m = re.fullmatch(r"P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?", str(rt))
        assert m, f"unexpected duration {rt}"
        d, h, mi = (int(x or 0) for x in m.groups())
        minutes.append(d * 1440 + h * 60 + mi)
    e["fastest_response"] = min(minutes) if minutes else None
    e["slowest_response"] = max(minutes) if minutes else None
    per_matter: dict[str, set[str]] = {}
    leads: set[str] = set()
    for m, b, role in q(graph, RESPONSIBLE, day):
        per_matter.setdefault(str(m), set()).add(str(b))
        if role is not None and str(role).endswith("/lead"):
            leads.add(str(m))
    depts = {str(r[0]) for r in q(graph, "SELECT ?b { ?b a/rdfs:subClassOf* gk:FunctionalDepartment }")}
    counts = [len(bs) for bs in per_matter.values()]
    dcounts = [n for bs in per_matter.values() if (n := len(bs & depts))]
    e["covered_matters"] = len(counts)
    e["bodies_per_matter"] = round(sum(counts) / len(counts), 2) if counts else None
    e["departments_per_matter"] = round(sum(dcounts) / len(dcounts), 2) if dcounts else None
    e["max_bodies_per_matter"] = max(counts) if counts else None
    e["fragmented_share"] = round(100 * sum(n >= 2 for n in counts) / len(counts), 1) if counts else None
    e["lead_share"] = round(100 * len(leads & set(per_matter)) / len(counts), 1) if counts else None
    # organisation depth: longest chain of org:subOrganizationOf / org:unitOf, by repeated SPARQL joins
    depth = 0
    for n in range(1, 12):
        path = "/".join(["(org:subOrganizationOf|org:unitOf)"] * n)
        ask = f"ASK {{ ?a a/rdfs:subClassOf* gk:Body . ?a {path} ?b . ?b a/rdfs:subClassOf* gk:Body }}"
        if graph.query(sparql_prologue() + ask).askAnswer:
            depth = n
    e["org_depth"] = depth
    return e


def test_every_metric_is_defined_once_and_documented():
    keys = [m.key for m in METRICS]
    assert len(keys) == len(set(keys))
    doc = (REPO / "docs" / "compare.md").read_text(encoding="utf-8")
    missing = [k for k in keys if f"`{k}`" not in doc]
    assert not missing, f"metrics without a definition in docs/compare.md: {missing}"


@pytest.mark.parametrize("i", range(len(CITIES)))
def test_metrics_match_independent_sparql_counts(comparison, kbs, i):
    city = comparison.cities[i]
    want = expected(kbs[i].graph)
    got = {k: city.values[k] for k in want}
    assert got == want


def test_gap_counts_match_an_independent_audit(comparison, kbs):
    from govkg.audit import audit

    for city, kb in zip(comparison.cities, kbs, strict=True):
        report = audit(kb, at=DAY)
        by_code: dict[str, int] = {}
        for f in report.findings:
            by_code[f.code] = by_code.get(f.code, 0) + 1
        assert city.gaps_by_code == by_code
        assert city.values["gaps"] == len(report.findings)


def test_metrics_follow_the_graph(kbs):
    """A broken input moves the metrics, and the independent count moves with them."""
    g = Graph()
    g += kbs[1].graph
    city = "https://w3id.org/govkg/id/nanjing-qinhuai/"
    dept, duty = URIRef(city + "body/test-dept"), URIRef(city + "duty/test-duty")
    g.add((dept, RDF.type, GK.FunctionalDepartment))
    g.add((dept, RDFS.label, Literal("测试部门", lang="zh")))
    g.add((dept, GK.level, URIRef("https://w3id.org/govkg/vocab/level/grid")))
    g.add((duty, RDF.type, GK.Duty))
    g.add((duty, GK.holder, dept))
    g.add((duty, GK.matter, URIRef(city + "matter/littering")))
    g.add((duty, GK.area, URIRef(city + "area/qinhuai")))
    g.add(
        (duty, GK.validFrom, Literal("2020-01-01", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")))
    )

    class KB:
        name, graph = "broken", g

    before = compare([kbs[1]], at=DAY, with_audit=False).cities[0].values
    after = compare([KB()], at=DAY, with_audit=False).cities[0].values
    assert after["bodies"] == before["bodies"] + 1
    assert after["levels"] == before["levels"] + 1
    assert after["duties"] == before["duties"] + 1
    assert after["bodies_per_matter"] > before["bodies_per_matter"]
    want = expected(g)
    assert {k: after[k] for k in want} == want
    assert want != expected(kbs[1].graph)


def test_metrics_of_a_reformed_city_with_transfers_to_all_streets(kbs):
    """gk:toStreetsOf receivers (enforcement office, else street office) counted as defined."""
    from govkg.reform import apply_reforms, load_reform

    reformed, _ = apply_reforms(
        kbs[1].graph, [load_reform(REFORMS / "qinhuai-enforcement-to-all-streets.yaml")], "nanjing-qinhuai"
    )

    class KB:
        name, graph = "reformed", reformed

    day = dt.date(2020, 6, 1)
    got = compare([KB()], at=day, with_audit=False).cities[0].values
    want = expected(reformed, day)
    assert {k: got[k] for k in want} == want
    assert got["transfers"] > compare([kbs[1]], at=day, with_audit=False).cities[0].values["transfers"]


def test_powers_are_aligned_through_skos_mappings(comparison, kbs):
    bj, qh = comparison.cities[0], comparison.cities[1]
    vocab = kbs[0].graph
    rows_both = [
        r for r in comparison.powers_aligned if r["cells"]["beijing"] and r["cells"]["nanjing-qinhuai"]
    ]
    # independent: Qinhuai powers granted with a exact/close match to a power Beijing grants
    granted = {c.name: {p["iri"] for p in c.powers} for c in (bj, qh)}
    matched = {
        p
        for p in granted["nanjing-qinhuai"]
        if any(
            vocab.query(
                sparql_prologue() + "ASK { ?a skos:exactMatch|skos:closeMatch ?b }",
                initBindings={"a": URIRef(p), "b": URIRef(o)},
            ).askAnswer
            for o in granted["beijing"]
        )
    }
    assert len(rows_both) == len(matched) == 6
    for row in rows_both:
        for a in row["cells"]["nanjing-qinhuai"]:
            assert any(
                vocab.query(
                    sparql_prologue() + "ASK { ?a skos:exactMatch|skos:closeMatch ?b }",
                    initBindings={"a": URIRef(a["iri"]), "b": URIRef(b["iri"])},
                ).askAnswer
                for b in row["cells"]["beijing"]
            )
        kinds = {
            str(p)
            for a in row["cells"]["nanjing-qinhuai"]
            for b in row["cells"]["beijing"]
            for p in vocab.predicates(URIRef(a["iri"]), URIRef(b["iri"]))
        }
        assert row["match"] == ("close" if any(k.endswith("closeMatch") for k in kinds) else "exact")
    bjp = scalar(
        kbs[0].graph,
        """SELECT (COUNT(DISTINCT ?p) AS ?n) { ?e a gk:Empowerment ; gk:power ?p .
        ?p skos:inScheme <https://w3id.org/govkg/vocab/beijing-street-power> }""",
    )
    assert (
        sum(
            1
            for r in comparison.powers_aligned
            for p in r["cells"]["beijing"]
            if "beijing-street-power" in p["iri"]
        )
        == bjp
        == 7
    )


def test_text_json_and_html_show_the_same_numbers(comparison):
    from govkg.report import compare_html

    names = [c.name for c in comparison.cities]
    data = json.loads(comparison.to_json())
    assert data["cities"] == names and data["at"] == DAY.isoformat()
    by_key = {m["key"]: m for m in data["metrics"]}
    for c in comparison.cities:
        for k, v in c.values.items():
            assert by_key[k]["values"][c.name] == v
            assert by_key[k]["definition"]
    text = comparison.to_text()
    html = compare_html(comparison)
    for m in METRICS:
        shown = [_fmt(c.values[m.key]) for c in comparison.cities]
        line = next(ln for ln in text.splitlines() if ln.strip().startswith(f"{m.zh} / {m.en}"))
        assert line.split()[-len(shown) :] == shown, line
        row = re.search(rf'<tr><td><a href="#def-{re.escape(m.key)}">.*?</tr>', html).group(0)
        assert re.findall(r'<span class="num">([^<]*)</span>', row) == shown


def _fmt(v) -> str:
    if v is None:
        return "—"
    return f"{v:g}" if isinstance(v, float) else str(v)


def test_graphml_export_reads_back_in_networkx(comparison, kbs, tmp_path):
    written = write_graphml(comparison, tmp_path / "graphs")
    assert len(written) == 2 * len(CITIES)
    for city, kb in zip(comparison.cities, kbs, strict=True):
        org = nx.read_graphml(tmp_path / "graphs" / f"{city.name}-organisation.graphml")
        resp = nx.read_graphml(tmp_path / "graphs" / f"{city.name}-responsibility.graphml")
        assert org.number_of_nodes() == expected(kb.graph)["bodies"]
        links = scalar(
            kb.graph,
            """SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?a ?b {
            ?a a/rdfs:subClassOf* gk:Body . ?a org:subOrganizationOf|org:unitOf ?b .
            ?b a/rdfs:subClassOf* gk:Body FILTER (?a != ?b) } }""",
        )
        assert org.number_of_edges() == links
        direct = {
            (str(b), str(m))
            for m, b, _ in q(kb.graph, RESPONSIBLE.replace("?m skos:broader* ?mm", "BIND(?m AS ?mm)"))
        }
        edges = {(u, v) for u, v, d in resp.edges(data=True) if d.get("kind") == "responsible"}
        assert edges == direct


def test_errors_are_input_errors():
    with pytest.raises(InputError, match="no such city"):
        govkg.load("atlantis")
    with pytest.raises(InputError, match="not a date"):
        compare([govkg.load("chongqing-f-street")], at="2020-13-45")
    kb = govkg.load("chongqing-f-street")
    with pytest.raises(InputError, match="twice"):
        compare([kb, kb], with_audit=False)


def test_cli_compare_json_graphml_html(tmp_path):
    html = tmp_path / "cmp.html"
    code, out, err = run_cli(
        "compare",
        "beijing",
        "chongqing-f-street",
        "--json",
        "--no-audit",
        "--at",
        "2020-06-01",
        "--graphml",
        str(tmp_path / "g"),
        "--html",
        str(html),
    )
    assert code == 0, err
    data = json.loads(out)
    assert data["cities"] == ["beijing", "chongqing-f-street"]
    assert (tmp_path / "g" / "beijing-organisation.graphml").is_file()
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".*.tmp"))
    code, out, err = run_cli("compare", "beijing", "atlantis")
    assert code == 2 and "atlantis" in err and "Traceback" not in err
    code, out, err = run_cli("compare", "beijing", "--at", "soon")
    assert code == 2 and "not a date" in err
    code, out, err = run_cli("compare", "beijing", "--no-audit", "--html", str(tmp_path / "no" / "x.html"))
    assert code == 2 and "does not exist" in err


def test_docs_are_cited_correctly():
    assert Path(REPO / "docs" / "compare.md").is_file()
