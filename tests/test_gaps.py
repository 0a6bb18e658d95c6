"""The gap constraints (shapes/gaps.ttl): for every gap code a fixture city that shows the gap
(exact code and focus) and a fixed twin that does not; removing a code's constraint from the
shapes graph removes its finding; the fast engine and pySHACL agree; the shapes agree with the
gap vocabulary. Fixtures: tests/fixtures/gaps/base.ttl plus one <case>.ttl each."""

from __future__ import annotations

from functools import lru_cache

import pytest
from conftest import FIXTURES
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, SKOS

from govkg import qc
from govkg.audit import (
    AUDIT_DATE_DEFAULT,
    AuditReport,
    audit,
    load_gap_shapes,
    parse_date,
    with_assignments,
    with_audit_date,
)
from govkg.kb import KnowledgeBase
from govkg.loader import load_files, load_reference
from govkg.namespaces import GAP, GK, bind_all
from govkg.validate import full_graph

GAPS = FIXTURES / "gaps"
AT = "2024-06-01"
CITY = "https://w3id.org/govkg/id/gapfix/"
GAP_OF_CODE = {
    "GAP-UNCOVERED": GAP.uncovered, "GAP-OVERLAP": GAP.overlap, "GAP-NOPOWER": GAP["no-power"],
    "GAP-STALE": GAP.stale, "GAP-NOBASIS": GAP["no-basis"], "GAP-COUNT": GAP["count-mismatch"],
    "GAP-COMMUNITY": GAP["community-overload"], "GAP-UNANSWERED": GAP.unanswered,
    "GAP-LATE": GAP["late-or-under-ranked"],
}


def iri(path: str) -> str:
    return CITY + path


@lru_cache(maxsize=1)
def _shared() -> Graph:
    return full_graph([])


def city(*cases: str) -> KnowledgeBase:
    """The fixture city: base.ttl plus the named case files, with ontology and reference data."""
    g = bind_all(Graph())
    g += _shared()
    load_files([GAPS / "base.ttl", *(GAPS / f"{c}.ttl" for c in cases)], g)
    return KnowledgeBase(name="gapfix+" + "+".join(cases), path=GAPS, graph=g)


@lru_cache(maxsize=64)
def run(*cases: str, at: str = AT) -> AuditReport:
    return audit(city(*cases), at=at)


def found(report: AuditReport, code: str) -> set[tuple[str, str | None]]:
    """(focus, sh:value) of each finding of ``code``."""
    out = set()
    for f in report.findings:
        if f.code == code:
            value = f.evidence.get("value")
            out.add((f.focus, value if isinstance(value, str) else None))
    return out


# (case file, code, expected {(focus, value)})
SHOWN = [
    ("uncovered-gap", "GAP-UNCOVERED",
     {(iri("matter/noise"), iri("area/street-a")), (iri("matter/noise"), iri("area/street-b"))}),
    ("overlap-gap", "GAP-OVERLAP", {(iri("matter/road-occupation"), iri("area/district"))}),
    ("overlap-two-leads", "GAP-OVERLAP", {(iri("matter/road-occupation"), iri("area/district"))}),
    ("nopower-gap", "GAP-NOPOWER", {(iri("duty/street-b-fumes"), iri("matter/cooking-fumes"))}),
    ("stale-gap", "GAP-STALE", {(iri("duty/env-dust"), iri("transfer/dust-to-streets"))}),
    ("nobasis-gap", "GAP-NOBASIS",
     {(iri("duty/umb-graffiti-inspection"), "https://w3id.org/govkg/vocab/duty-type/inspection"),
      (iri("empowerment/street-b-assessment"), "https://w3id.org/govkg/vocab/beijing-street-power/p4")}),
    ("count-gap", "GAP-COUNT",
     {(iri("set/declared-only"), None), (iri("set/department-list"), None), (iri("set/package"), None)}),
    ("community-gap", "GAP-COMMUNITY", {(iri("duty/rc-sanitation"), iri("body/community-a1-rc"))}),
    ("unanswered-gap", "GAP-UNANSWERED", {(iri("whistle/w-noise"), iri("body/district-gov"))}),
    ("late-gap", "GAP-LATE",
     {(iri("report/umb"), iri("body/umb")), (iri("report/sa"), iri("body/street-a-enforcement"))}),
]
FIXED = [
    ("uncovered-fixed", "GAP-UNCOVERED"), ("uncovered-fixed-transfer", "GAP-UNCOVERED"),
    ("overlap-fixed", "GAP-OVERLAP"), ("nopower-fixed", "GAP-NOPOWER"),
    ("nopower-fixed-power", "GAP-NOPOWER"), ("stale-fixed", "GAP-STALE"), ("stale-partial", "GAP-STALE"),
    ("nobasis-fixed", "GAP-NOBASIS"), ("count-fixed", "GAP-COUNT"), ("community-fixed", "GAP-COMMUNITY"),
    ("unanswered-fixed", "GAP-UNANSWERED"), ("late-fixed", "GAP-LATE"),
]


def test_every_gap_code_has_a_gap_fixture_and_a_fixed_twin():
    codes = set(GAP_OF_CODE)
    assert {c for _, c, _ in SHOWN} == codes
    assert {c for _, c in FIXED} == codes
    on_disk = {p.stem for p in GAPS.glob("*.ttl")} - {"base"}
    assert on_disk == {c for c, _, _ in SHOWN} | {c for c, _ in FIXED} | {"uncovered-expired"}


def test_the_base_city_has_no_finding_at_all():
    report = run()
    assert report.findings == [], report.to_text()


@pytest.mark.parametrize(("case", "code", "expected"), SHOWN, ids=[c for c, _, _ in SHOWN])
def test_gap_fixture_shows_the_gap(case: str, code: str, expected: set):
    report = run(case)
    assert found(report, code) == expected, report.to_text()
    for f in report.findings:
        if f.code == code:
            assert f.message_zh and f.message_en and f.focus_label
            assert "{" not in f.message_zh + f.message_en


@pytest.mark.parametrize(("case", "code"), FIXED, ids=[c for c, _ in FIXED])
def test_fixed_twin_has_no_finding_of_that_code(case: str, code: str):
    report = run(case)
    assert found(report, code) == set(), report.to_text()


def without_gap_type(shapes: Graph, gap: URIRef) -> Graph:
    """A copy of the shapes graph with every shape of one gap type (and its constraints) removed."""
    out = Graph()
    out += shapes

    def drop(node) -> None:
        for p, o in list(out.predicate_objects(node)):
            out.remove((node, p, o))
            if isinstance(o, BNode) and p != SH.prefixes:
                drop(o)

    for shape in list(out.subjects(GK.gapType, gap)):
        drop(shape)
    return out


@pytest.mark.parametrize(("case", "code", "expected"), SHOWN, ids=[c for c, _, _ in SHOWN])
def test_removing_the_constraint_removes_the_finding(case: str, code: str, expected: set):
    full = run(case)
    reduced_shapes = without_gap_type(load_gap_shapes(), GAP_OF_CODE[code])
    assert set(reduced_shapes.subjects(GK.gapType, GAP_OF_CODE[code])) == set()
    reduced = audit(city(case), at=AT, shapes=reduced_shapes)
    assert found(full, code) == expected
    assert found(reduced, code) == set()
    others = sorted((f.code, f.focus, str(f.evidence)) for f in full.findings if f.code != code)
    assert sorted((f.code, f.focus, str(f.evidence)) for f in reduced.findings) == others


def test_uncovered_depends_on_the_audit_date():
    noise = iri("matter/noise")
    assert found(run("uncovered-expired", at="2020-06-01"), "GAP-UNCOVERED") == set()
    assert {f for f, _ in found(run("uncovered-expired", at=AT), "GAP-UNCOVERED")} == {noise}


def test_stale_only_once_the_transfer_is_in_force():
    assert found(run("stale-gap", at="2020-12-31"), "GAP-STALE") == set()
    assert found(run("stale-gap", at="2021-01-01"), "GAP-STALE") != set()


def test_overlap_names_the_holders_and_counts_the_leads():
    none_lead = next(f for f in run("overlap-gap").findings if f.code == "GAP-OVERLAP")
    assert sorted(none_lead.evidence["holders"]) == [iri("body/transport"), iri("body/umb")]
    assert (none_lead.evidence["holderCount"], none_lead.evidence["leadCount"]) == ("2", "0")
    two_leads = next(f for f in run("overlap-two-leads").findings if f.code == "GAP-OVERLAP")
    assert two_leads.evidence["leadCount"] == "2"
    assert "区城管局" in none_lead.message_zh and "District Transport Bureau" in none_lead.message_en
    assert two_leads.severity == "warning"
    assert two_leads.legal_ground == ("https://w3id.org/govkg/eli/bj/hotline-response/art/14",)


def test_count_findings_state_both_numbers_with_the_right_severity():
    report = run("count-gap")
    rows = {(f.focus, f.severity, f.evidence.get("declared", f.evidence.get("declaredBodies")),
             f.evidence.get("enumerated", f.evidence.get("enumeratedBodies")))
            for f in report.findings if f.code == "GAP-COUNT"}
    assert rows == {
        (iri("set/declared-only"), "info", "5", "0"), (iri("set/declared-only"), "info", "2", "0"),
        (iri("set/department-list"), "warning", "4", "2"), (iri("set/department-list"), "warning", "3", "2"),
        (iri("set/package"), "warning", "3", "1"), (iri("set/package"), "warning", "2", "1"),
    }
    partial = next(f for f in report.findings
                   if f.focus == iri("set/department-list") and "declared" in f.evidence)
    assert "申报4项" in partial.message_zh and "已列举2项" in partial.message_zh
    assert "declares 4 items and enumerates 2" in partial.message_en
    assert "normal honest state" in partial.message_en


def test_late_and_under_ranked_reports_carry_deadline_and_ranks():
    by_focus = {f.focus: f for f in run("late-gap").findings if f.code == "GAP-LATE"}
    late = by_focus[iri("report/umb")]
    assert late.evidence["deadline"] == "2024-03-01T09:30:00+08:00"
    assert late.evidence["arrivedAt"] == "2024-03-01T10:15:00+08:00"
    assert late.legal_ground[0].endswith("hotline-response/art/13")
    low = by_focus[iri("report/sa")]
    assert low.evidence["rank"] == "https://w3id.org/govkg/vocab/rank/grid-worker"
    assert sorted(low.evidence["requiredRanks"]) == [
        "https://w3id.org/govkg/vocab/rank/department-deputy-head", "https://w3id.org/govkg/vocab/rank/section-chief"]
    assert low.legal_ground == ()  # rank requirements rest on district policy, not a statute held


def test_unanswered_and_late_read_the_routing_answers():
    kb = city("unanswered-fixed")
    routed = with_assignments(kb.graph)
    whistle = URIRef(iri("whistle/w-litter"))
    assigned = {routed.value(a, GK.assignedTo) for a in routed.subjects(GK.forWhistle, whistle)}
    assert URIRef(iri("body/umb")) in assigned
    assert not any(kb.graph.subjects(GK.forWhistle, whistle)), "the audit must not change the city graph"


def test_both_engines_agree_on_every_gap_fixture():
    cases = [c for c, _, _ in SHOWN if c != "overlap-two-leads"]
    kb = city(*cases)
    direct = audit(kb, at=AT)
    reference = audit(kb, at=AT, engine="pyshacl")
    def key(report: AuditReport) -> list:
        return sorted((f.code, f.severity, f.focus, str(f.evidence), f.message_en) for f in report.findings)

    assert {f.code for f in direct.findings} == set(GAP_OF_CODE)
    assert key(reference) == key(direct)


# ------------------------------------------------------------------------------------------
# The shapes file itself
# ------------------------------------------------------------------------------------------
def test_gap_shapes_obey_shacl_shacl():
    assert qc.shapes_problems(load_gap_shapes()) == []


def test_every_gap_type_has_a_shape_and_every_shape_a_known_gap_type(ontology: Graph):
    shapes = load_gap_shapes()
    vocab_types = set(ontology.subjects(RDF.type, GK.GapType))
    shape_types = set(shapes.objects(None, GK.gapType))
    assert shape_types == vocab_types == set(GAP_OF_CODE.values())
    codes = {str(ontology.value(g, SKOS.notation)) for g in vocab_types}
    assert codes == set(GAP_OF_CODE)


def test_every_constraint_has_one_message_in_zh_and_one_in_en():
    shapes = load_gap_shapes()
    constraints = list(shapes.objects(None, SH.sparql))
    assert len(constraints) >= 9
    for c in constraints:
        langs = sorted(m.language for m in shapes.objects(c, SH.message) if isinstance(m, Literal))
        assert langs == ["en", "zh"], c


def test_legal_grounds_exist_and_agree_with_the_gap_vocabulary(ontology: Graph):
    shapes, reference = load_gap_shapes(), load_reference()
    for shape, gap in shapes.subject_objects(GK.gapType):
        allowed = set(ontology.objects(gap, GK.legalGround))
        grounds = set(shapes.objects(shape, GK.legalGround))
        for c in shapes.objects(shape, SH.sparql):
            grounds |= set(shapes.objects(c, GK.legalGround))
        for g in grounds:
            assert (g, RDF.type, GK.LegalProvision) in reference, g
            assert g in allowed, f"{shape}: {g} is not a legal ground of {gap} in the gap vocabulary"


def test_severity_of_each_shape_follows_the_gap_vocabulary(ontology: Graph):
    shapes = load_gap_shapes()
    severities: dict = {}
    for shape, gap in shapes.subject_objects(GK.gapType):
        severities.setdefault(gap, set()).add(shapes.value(shape, SH.severity))
    assert severities[GAP["no-basis"]] == {SH.Violation, SH.Warning}
    assert severities[GAP["count-mismatch"]] == {SH.Info, SH.Warning}
    for gap, found_severities in severities.items():
        default = ontology.value(gap, SH.severity)
        assert default in found_severities, f"{gap}: vocabulary default {default} not used by any shape"
        if gap not in (GAP["no-basis"], GAP["count-mismatch"]):
            assert found_severities == {default}


def test_audit_date_reaches_every_date_dependent_query():
    shapes = load_gap_shapes()
    selects = [str(o) for o in shapes.objects(None, SH.select)]
    dated = [q for q in selects if "?at" in q]
    assert len(dated) == 5  # uncovered, overlap, no-power, stale, community
    assert all(AUDIT_DATE_DEFAULT in q for q in dated)
    moved = [str(o) for o in with_audit_date(shapes, parse_date("2019-09-01")).objects(None, SH.select)]
    assert not any(AUDIT_DATE_DEFAULT in q for q in moved)
    assert sum('"2019-09-01"^^xsd:date' in q for q in moved) == 5
