"""Reforms as what-ifs: the sample reforms change what they should, checked against independent
route and audit calls on the baseline and the reformed graph, and bad reform files get clear
errors naming the file and line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, REPO, run_cli
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import to_isomorphic
from rdflib.namespace import DCTERMS, RDF, XSD

import govkg
from govkg.errors import InputError
from govkg.kb import KnowledgeBase
from govkg.namespaces import GK, ST, sparql_prologue
from govkg.reform import apply_reform, apply_reforms, load_reform, whatif

REFORMS = REPO / "examples" / "reforms"
SAMPLES = [
    REFORMS / n
    for n in (
        "qinhuai-enforcement-to-all-streets.yaml",
        "qinhuai-street-leads.yaml",
        "qinhuai-30-minute-reporting.yaml",
    )
]
E = dt.date(2020, 1, 1)
Q = "https://w3id.org/govkg/id/nanjing-qinhuai/"


@pytest.fixture(scope="module")
def kb():
    return govkg.load("nanjing-qinhuai")


@pytest.fixture(scope="module")
def result(kb):
    return whatif(kb, SAMPLES)


def sparql(graph: Graph, query: str, **bindings) -> list:
    return list(graph.query(sparql_prologue() + query, initBindings=bindings or None))


def test_every_sample_reform_loads():
    for path in REFORMS.glob("*.yaml"):
        r = load_reform(path)
        assert r.info.status in ("sourced", "illustrative") and r.changes, path


def test_baseline_is_never_modified(kb):
    before = to_isomorphic(kb.graph)
    reformed, overlays = apply_reforms(kb.graph, [load_reform(p) for p in SAMPLES], kb.name)
    assert to_isomorphic(kb.graph) == before
    assert len(reformed) == len(kb.graph) + sum(len(o.added) - len(o.removed) for o in overlays)
    for ov in overlays:
        assert all(t in kb.graph or any(t in o.added for o in overlays) for t in ov.removed)


def test_overlay_nodes_carry_the_reforms_source_and_status(kb):
    reform = load_reform(SAMPLES[0])
    ov = apply_reform(kb.graph, reform, kb.name)
    new = {s for s, _, _ in ov.added if (s, None, None) not in kb.graph}
    assert new
    for node in new:
        assert (node, DCTERMS.source, URIRef(reform.info.source)) in ov.added
        assert (node, GK.status, ST.illustrative) in ov.added
    # independent: one transfer per enforcement duty of the bureau in force on the effective date
    duties = sparql(
        kb.graph,
        """SELECT DISTINCT ?d WHERE {
        ?d a gk:Duty ; gk:holder ?h ; gk:dutyType ?t ; gk:validFrom ?f .
        <https://w3id.org/govkg/vocab/duty-type/enforcement> skos:member ?t .
        FILTER (?f <= "2020-01-01"^^xsd:date)
        FILTER NOT EXISTS { ?d gk:validTo ?to . FILTER (?to < "2020-01-01"^^xsd:date) }
        FILTER NOT EXISTS { ?d gk:role role:supervise } }""",
        h=URIRef(Q + "body/urban-management-bureau"),
    )
    moved = {o for s, _, o in ov.added.triples((None, GK.transferredDuty, None))}
    assert moved == {d for (d,) in duties} and len(moved) > 0
    assert len(set(ov.added.subjects(RDF.type, GK.Transfer))) == len(duties)
    # each moved duty's area lies in the district, so each ends the day before (no GAP-STALE)
    for d in moved:
        assert (d, GK.validTo, Literal("2019-12-31", datatype=XSD.date)) in ov.added


def test_reformed_graph_passes_the_core_shapes(kb):
    from govkg.validate import validate_graph

    reformed, _ = apply_reforms(kb.graph, [load_reform(p) for p in SAMPLES], kb.name)
    before = {(r.focus, r.message) for r in validate_graph(kb.graph) if r.severity == "violation"}
    after = {(r.focus, r.message) for r in validate_graph(reformed) if r.severity == "violation"}
    assert after <= before, sorted(after - before)
    # and the check bites: drop the status of one new node
    broken = Graph()
    broken += reformed
    node = next(
        iter(set(reformed.subjects(RDF.type, GK.Transfer)) - set(kb.graph.subjects(RDF.type, GK.Transfer)))
    )
    broken.remove((node, GK.status, None))
    assert any(r.focus == str(node) for r in validate_graph(broken) if r.severity == "violation")


def test_terms_the_overlays_use_are_declared(kb):
    from govkg import qc
    from govkg.loader import load_ontology

    _reformed, overlays = apply_reforms(kb.graph, [load_reform(p) for p in SAMPLES], kb.name)
    used = set()
    for ov in overlays:
        used |= qc.gk_terms_used(ov.added)
    assert GK.Reform in used
    assert qc.term_problems(load_ontology(), used) == []


def _route_dict(kbase, w) -> dict:
    from govkg.route import route

    by = w["before"]["whistle"]["raised_by"]
    r = route(
        kbase,
        matter=w["matter"]["iri"],
        area=w["area"]["iri"],
        at=w["at"],
        severity=w["severity"],
        raised_by=by["iri"] if by else None,
    )
    return _normal(r.to_dict())


def _normal(d: dict) -> dict:
    """A route answer without the working IRIs of the asked whistle (they differ per run)."""
    d = json.loads(json.dumps(d))
    d["whistle"].pop("iri", None)
    for g in d["gaps"]:
        g.pop("focus", None)
        g["evidence"] = [e for e in g["evidence"] if not e.startswith("urn:govkg:whistle:")]
    return d


def test_whistles_routed_differently_match_independent_route_calls(kb, result):
    reformed = KnowledgeBase("reformed", kb.path, result.reformed)
    changed = [w.to_dict() for w in result.changed_whistles]
    assert changed
    sample = [w for w in changed if w["origin"] == "recorded"] + changed[:: max(1, len(changed) // 12)]
    for w in sample:
        for side, kbase in (("before", kb), ("after", reformed)):
            want = _route_dict(kbase, w)
            assert _normal(w[side]) == want, (w["matter"], w["area"], side)
    # the unchanged ones too: a few probes route identically on both graphs
    same = [w for w in result.whistles if not w.changed][:5]
    for w in same:
        d = w.to_dict()
        assert _route_dict(kb, d)["respondents"] == _route_dict(reformed, d)["respondents"]


def test_transfer_reform_moves_the_bureaus_whistles_to_the_street_offices(kb, result):
    # independent expectation: each (matter, street) of an enforcement duty of the bureau in force
    # on the effective date, in a street without an enforcement office, now goes to its street office
    rows = sparql(
        kb.graph,
        """SELECT DISTINCT ?m ?s ?office WHERE {
        ?d gk:holder ?h ; gk:matter ?m ; gk:area ?s ; gk:dutyType ?t ; gk:validFrom ?f .
        <https://w3id.org/govkg/vocab/duty-type/enforcement> skos:member ?t .
        FILTER (?f <= "2020-01-01"^^xsd:date)
        FILTER NOT EXISTS { ?d gk:validTo ?to . FILTER (?to < "2020-01-01"^^xsd:date) }
        ?office a gk:StreetOffice ; dct:spatial ?s .
        FILTER NOT EXISTS { ?e a gk:StreetEnforcementOffice ; dct:spatial ?s } }""",
        h=URIRef(Q + "body/urban-management-bureau"),
    )
    assert rows
    probes = {
        (w.probe.spec.matter, w.probe.spec.area): w for w in result.whistles if w.probe.origin == "probe"
    }
    for m, s, office in rows:
        w = probes[(m, s)]
        assert w.before.lead.iri == Q + "body/urban-management-bureau"
        assert w.after.lead.iri == str(office)
        assert {"lead", "respondents"} <= set(w.aspects)
    per_body = {r["body"]["iri"]: r for r in result.per_body()}
    assert per_body[Q + "body/urban-management-bureau"]["whistles_lost"] >= len(rows)


def test_street_lead_closes_the_overlap_of_the_recorded_whistle(result):
    w = next(w for w in result.whistles if w.probe.name == Q + "whistle/ruijinlu-2019-01")
    assert "GAP-OVERLAP" in w.before.gap_codes and "GAP-OVERLAP" not in w.after.gap_codes
    assert w.before.lead is None and w.after.lead.iri == Q + "body/ruijinlu-street-office"
    assert w.after.whistle.at.startswith("2020-01-01T09:00")  # replayed on the effective date


def test_gaps_closed_and_opened_match_independent_audits(kb, result):
    from govkg.audit import audit

    before = audit(kb, at=E)
    after = audit(KnowledgeBase("reformed", kb.path, result.reformed), at=E)

    def key(f):
        return json.dumps([f.code, f.focus, f.evidence], sort_keys=True, ensure_ascii=False)

    kb_, ka = {key(f) for f in before.findings}, {key(f) for f in after.findings}
    assert {key(f) for f in result.gaps_closed} == kb_ - ka
    assert {key(f) for f in result.gaps_opened} == ka - kb_
    assert result.audit_before.counts() == before.counts()
    # what the sample reforms should do, from the data
    closed = {(f.code, f.focus, f.evidence.get("value")) for f in result.gaps_closed}
    assert ("GAP-UNCOVERED", Q + "matter/market-surroundings", Q + "area/honghua") in closed
    # late reports, by independent route calls at each recorded whistle's own time
    reformed = KnowledgeBase("reformed", kb.path, result.reformed)

    def late(kbase) -> set[str]:
        from govkg.route import route

        out = set()
        for r, w, body, arrived in sparql(
            kb.graph,
            """SELECT ?r ?w ?b ?t WHERE {
                ?r gk:answers ?w ; gk:reportingBody ?b ; gk:arrivedAt ?t }""",
        ):
            g = kb.graph
            sev = g.value(w, GK.severity)
            answer = route(
                kbase,
                matter=str(g.value(w, GK.matter)),
                area=str(g.value(w, GK.area)),
                at=str(g.value(w, GK.raisedAt)),
                severity=str(sev) if sev else None,
            )
            for resp in answer.respondents:
                if (
                    resp.iri == str(body)
                    and resp.deadline
                    and arrived.toPython() > dt.datetime.fromisoformat(resp.deadline)
                ):
                    out.add(str(r))
        return out

    expected_late = late(reformed) - late(kb)
    assert expected_late
    assert {f.focus for f in result.gaps_opened if f.code == "GAP-LATE"} == expected_late
    assert result.opens_gaps


def test_json_text_and_html_agree(result):
    from govkg.report import REFORM_SECTIONS, reform_html

    data = json.loads(result.to_json())
    assert [r["id"] for r in data["reforms"]] == [load_reform(p).info.id for p in SAMPLES]
    assert len(data["whistles"]["changed"]) == len(result.changed_whistles)
    assert data["gaps"]["opened"] and data["gaps"]["closed"]
    text = result.to_text()
    for ov in result.overlays:
        assert ov.reform.id in text
    assert f"Gaps opened 新增: {len(result.gaps_opened)}" in text
    html = reform_html(result)
    for sid in REFORM_SECTIONS:
        assert f'id="{sid}"' in html
    assert html.count("<tr>") > len(result.changed_whistles)


def test_reforms_apply_in_order_and_not_twice(kb):
    lead = load_reform(SAMPLES[1])
    view, ovs = apply_reforms(kb.graph, [lead], kb.name)
    with pytest.raises(InputError, match="already applied"):
        apply_reform(view, lead, kb.name)
    # in order: the escalation change applies to the view the lead reform left, and keeps its duty
    view2, ovs2 = apply_reforms(kb.graph, [lead, load_reform(SAMPLES[2])], kb.name)
    level = sparql(
        view2,
        """SELECT ?rt WHERE { ?p gk:appliesTo ?d ; gk:hasLevel ?l . ?l gk:severity sev:ordinary ;
        gk:responseTime ?rt . ?d rdfs:label "秦淮区"@zh }""",
    )
    assert [str(r[0]) for r in level] == ["PT30M"]
    assert set(ovs[0].added) <= set(view2)
    assert [o.reform.id for o in ovs2] == ["qinhuai-street-leads", "qinhuai-30-minute-reporting"]


def test_turtle_reform_adds_provenance_and_acts_like_the_yaml(kb, tmp_path):
    ttl = load_reform(FIXTURES / "reform" / "honghua-lead.ttl")
    ov = apply_reform(kb.graph, ttl, kb.name)
    duty = URIRef(Q + "duty/honghua-market-lead")
    assert (duty, DCTERMS.source, URIRef("https://w3id.org/govkg/source/seed-003")) in ov.added
    assert (duty, GK.status, ST.illustrative) in ov.added
    assert (duty, GK.validFrom, Literal("2020-01-01", datatype=XSD.date)) in ov.added
    res = whatif(kb, [ttl], probe=False, with_audit=False)
    w = next(w for w in res.whistles if w.probe.name == Q + "whistle/honghua-2019-03-09")
    office = Q + "body/honghua-street-office"
    assert office in {r.iri for r in w.after.respondents} - {r.iri for r in w.before.respondents}
    assert "GAP-UNCOVERED" in w.before.gap_codes and "GAP-UNCOVERED" not in w.after.gap_codes
    # the same change written in YAML routes this whistle the same way
    yaml_res = whatif(kb, [SAMPLES[1]], probe=False, with_audit=False)
    wy = next(x for x in yaml_res.whistles if x.probe.name == w.probe.name)
    assert [(r.iri, r.role) for r in wy.after.respondents] == [(r.iri, r.role) for r in w.after.respondents]
    bad = tmp_path / "bad.ttl"
    bad.write_text(
        (FIXTURES / "reform" / "honghua-lead.ttl")
        .read_text(encoding="utf-8")
        .replace("body\\/honghua-street-office", "body\\/no-such-office"),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="no-such-office"):
        apply_reform(kb.graph, load_reform(bad), kb.name)


def test_grant_and_withdraw_powers(kb, tmp_path):
    from govkg.compare import compare

    path = tmp_path / "powers.yaml"
    path.write_text(
        """reform:
  id: powers
  label_zh: 收回综合执法指挥调度权，赋予露天烧烤执法权
  label_en: Withdraw the command power; grant enforcement power over open-air barbecue
  effective: 2021-01-01
  source: src:seed-003
  status: illustrative
changes:
  - withdraw_power:
      from: 秦淮区
      power: QH3
  - grant_power:
      to: 秦淮区
      power: 露天烧烤
""",
        encoding="utf-8",
    )
    view, _overlays = apply_reforms(kb.graph, [load_reform(path)], kb.name)
    day = dt.date(2021, 6, 1)

    class View:
        name, graph = "v", view

    before = compare([kb], at=day, with_audit=False).cities[0].values["powers"]
    after = compare([View()], at=day, with_audit=False).cities[0].values["powers"]
    assert after == before - 1
    grants = sparql(view, "SELECT ?b WHERE { ?b gk:enforcementPower ?m . ?m skos:notation ?n }")
    streets = sparql(kb.graph, "SELECT ?s WHERE { ?s a gk:Street }")
    assert len(grants) == len(streets)


BAD = {
    "unknown key": ("changes:\n  - transfer:\n      frm: x\n", "unknown key 'frm'", "frm:"),
    "unknown change": ("changes:\n  - abolish:\n      body: x\n", "unknown change 'abolish'", "abolish"),
    "unknown body": (
        "changes:\n  - designate_lead:\n      body: 不存在的部门\n      matter: 雨污分流工程\n"
        "      area: 瑞金路街道\n",
        "unknown body '不存在的部门'",
        "body:",
    ),
    "bad duration": (
        "changes:\n  - escalation:\n      district: 秦淮区\n      severity: ordinary\n"
        "      response_time: half an hour\n",
        "not an ISO 8601 duration",
        "response_time:",
    ),
    "ambiguous power": (
        "changes:\n  - grant_power:\n      to: 秦淮区\n      power: 规划参与权\n",
        "ambiguous power",
        "power: 规划",
    ),
    "no duty": (
        "changes:\n  - transfer:\n      from: 秦淮区水务局\n      to_streets_of: 秦淮区\n"
        "      matters: [乱扔废弃物]\n",
        "holds no duty",
        "matters:",
    ),
}
HEAD = """reform:
  id: bad
  label_zh: 坏
  label_en: bad
  effective: 2020-01-01
  source: src:seed-003
  status: illustrative
"""


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_reform_files_name_file_and_line(kb, tmp_path, case):
    body, message, marker = BAD[case]
    path = tmp_path / "bad.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    line = next(i for i, text in enumerate((HEAD + body).splitlines(), 1) if marker in text)
    with pytest.raises(InputError) as err:
        apply_reform(kb.graph, load_reform(path), kb.name)
    assert message in str(err.value)
    assert err.value.where == str(path) and err.value.line == line, str(err.value)


@pytest.mark.parametrize(
    "text,message",
    [
        ("reform: [1]\n", "'reform' must be a mapping"),
        (HEAD.replace("2020-01-01", "someday") + "changes:\n  - escalation: {}\n", "not a date"),
        (HEAD.replace("illustrative", "maybe") + "changes: []\n", "must be 'sourced' or 'illustrative'"),
        (HEAD + "changes: [\n", "invalid YAML"),
        (
            HEAD.replace("src:seed-003", "src:seed-999") + "changes:\n  - designate_lead: {body: x}\n",
            "no such source document",
        ),
    ],
)
def test_bad_headers(kb, tmp_path, text, message):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        apply_reform(kb.graph, load_reform(path), kb.name)


def test_cli_reform(tmp_path):
    out = tmp_path / "overlay.trig"
    html = tmp_path / "reform.html"
    code, stdout, err = run_cli(
        "reform",
        "--city",
        "nanjing-qinhuai",
        "--reform",
        str(SAMPLES[0]),
        "--reform",
        str(SAMPLES[1]),
        "--no-audit",
        "--no-probe",
        "--json",
        "--overlay",
        str(out),
        "--html",
        str(html),
    )
    assert code == 0, err
    data = json.loads(stdout)
    assert [r["id"] for r in data["reforms"]] == [
        "qinhuai-enforcement-to-all-streets",
        "qinhuai-street-leads",
    ]
    assert data["gaps"] is None and data["whistles"]["counts"]["recorded"]["changed"] >= 1
    ds = Dataset()
    ds.parse(out, format="trig")
    names = {str(g.identifier) for g in ds.graphs()}
    assert Q + "reform/qinhuai-street-leads/added" in names
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    bad = tmp_path / "bad.yaml"
    bad.write_text(HEAD + "changes:\n  - abolish: {}\n", encoding="utf-8")
    code, stdout, err = run_cli("reform", "--city", "nanjing-qinhuai", "--reform", str(bad))
    assert code == 2 and f"{bad}:9:" in err and "Traceback" not in err
    code, stdout, err = run_cli(
        "reform", "--city", "nanjing-qinhuai", "--reform", str(tmp_path / "none.yaml")
    )
    assert code == 2 and "no such reform file" in err


def test_cli_reform_exits_1_when_a_gap_opens():
    code, stdout, err = run_cli(
        "reform", "--city", "nanjing-qinhuai", "--reform", str(SAMPLES[2]), "--no-probe"
    )
    assert code == 1, err
    assert "GAP-LATE" in stdout


def test_sample_files_cite_correctly(shared):
    import subprocess
    import sys

    files = [str(p) for p in REFORMS.glob("*.yaml")] + [str(REPO / "docs" / "reform.md")]
    proc = subprocess.run(
        [sys.executable, str(shared / "tools" / "citecheck.py"), *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_docs_exist():
    assert Path(REPO / "docs" / "reform.md").is_file()
