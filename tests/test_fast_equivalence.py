"""The fast engine (govkg.fast) gives the same answers as the SHACL reference.

Routing: the full answer (lead, respondents, roles, ranks, deadlines, bases, fallback, gaps and
their messages; ``RouteResult.to_dict()``) of govkg.route (pyshacl running shapes/routing.ttl)
and of govkg.fast must be equal, on the bundled cities, the routing fixture, every YAML scenario
and random small cities (hypothesis). The route-batch CSV must be byte-identical. Audit: the
findings of govkg.audit (shapes/gaps.ttl) and govkg.fast.audit must be equal.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from dataclasses import asdict
from pathlib import Path

import pytest
from conftest import FIXTURES, HERE, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS, XSD

from govkg import resources
from govkg.audit import audit_graph as shacl_audit_graph
from govkg.fast import Unsupported, cache_key, input_files, load_router, router_from_graph
from govkg.fast.audit import KNOWN, audit_graph, load_shapes_facts, query_hash
from govkg.fast.batch import route_csv
from govkg.kb import load
from govkg.namespaces import GK, ORG, bind_all
from govkg.route import WhistleSpec, parse_time, route_specs
from govkg.validate import full_graph

ROUTING_CITY = FIXTURES / "routing" / "city.ttl"
SEV = "https://w3id.org/govkg/vocab/severity/"
DAYS = ["2016-06-01", "2018-12-31", "2019-09-01T10:00", "2020-06-01T23:50", "2023-01-01"]


def _specs(graph: Graph, n: int, seed: int) -> list[WhistleSpec]:
    """A deterministic sample of whistles: every matter and area, severities, dates."""
    from govkg.terms import members

    matters = sorted(members(graph, "matter"), key=str)
    areas = sorted(members(graph, "area"), key=str)
    sevs = [None, *(URIRef(SEV + s) for s in ("ordinary", "serious", "major"))]
    rnd = random.Random(seed)
    out = [WhistleSpec(m, rnd.choice(areas), parse_time(rnd.choice(DAYS)), rnd.choice(sevs)) for m in matters]
    out += [
        WhistleSpec(rnd.choice(matters), a, parse_time(rnd.choice(DAYS)), rnd.choice(sevs)) for a in areas
    ]
    while len(out) < n:
        out.append(
            WhistleSpec(
                rnd.choice(matters), rnd.choice(areas), parse_time(rnd.choice(DAYS)), rnd.choice(sevs)
            )
        )
    return out[: max(n, len(matters) + len(areas))]


def _same_answers(graph: Graph, specs: list[WhistleSpec]) -> list[str]:
    ref = route_specs(graph, specs)
    fast = router_from_graph(graph).route_specs(specs)
    problems = []
    for i, (a, b) in enumerate(zip(ref, fast, strict=True)):
        if a.to_dict() != b.to_dict():
            problems.append(
                f"whistle {i}: reference {json.dumps(a.to_dict(), ensure_ascii=False)[:600]}\n"
                f"          fast {json.dumps(b.to_dict(), ensure_ascii=False)[:600]}"
            )
    return problems


def _routing_graph_differences(graph: Graph, router=None) -> list[str]:
    """The routing graph (what the rules infer for the recorded whistles) of both engines."""
    from govkg.fast.assignments import routing_triples
    from govkg.server.dataset import infer_routing

    reference = set(infer_routing(graph))
    fast = {t for t in routing_triples(router or router_from_graph(graph), graph) if t not in graph}
    return [f"only reference: {t}" for t in sorted(reference - fast)] + [
        f"only fast: {t}" for t in sorted(fast - reference)
    ]


SPARQL_CITY = FIXTURES / "sparql" / "testville"


@pytest.mark.parametrize("city", [str(ROUTING_CITY), str(SPARQL_CITY), *resources.bundled_cities()])
def test_routing_graph_is_identical(city: str):
    graph = load(city).graph
    assert any(graph.subjects(RDF.type, GK.Whistle)), "the city records no whistle to compare"
    problems = _routing_graph_differences(graph)
    assert not problems, "\n".join(problems[:5])


def test_the_routing_graph_comparison_catches_a_broken_fast_engine():
    graph = load(SPARQL_CITY).graph
    router = router_from_graph(graph)
    router.model.transfers_of.clear()
    assert _routing_graph_differences(graph, router)


@pytest.mark.parametrize("city", [str(ROUTING_CITY), *resources.bundled_cities()])
def test_routing_is_identical_on_bundled_cities(city: str):
    kb = load(city)
    specs = _specs(kb.graph, 150, seed=7)
    problems = _same_answers(kb.graph, specs)
    assert not problems, "\n".join(problems[:3])


def _norm_finding(f) -> str:
    """A finding as JSON; GROUP_CONCAT lists (whose order SPARQL leaves open) sorted, and the
    messages that list them compared as multisets of characters."""
    d = asdict(f)
    lists = any(isinstance(x, list) for x in d["evidence"].values())
    d["evidence"] = {k: sorted(x) if isinstance(x, list) else x for k, x in d["evidence"].items()}
    if lists:
        d["message_zh"] = sorted(Counter(d["message_zh"]).items())
        d["message_en"] = sorted(Counter(d["message_en"]).items())
    return json.dumps(d, sort_keys=True, ensure_ascii=False)


def _audit_differences(graph: Graph, at: str) -> list[str]:
    ref = shacl_audit_graph(graph, city="c", at=at)
    fast = audit_graph(graph, city="c", at=at)
    a = Counter(_norm_finding(f) for f in ref.findings)
    b = Counter(_norm_finding(f) for f in fast.findings)
    out = [f"only in the reference: {x[:500]}" for x in (a - b)]
    out += [f"only in the fast audit: {x[:500]}" for x in (b - a)]
    if ref.gap_types != fast.gap_types:
        out.append("gap types differ")
    if ref.labels != fast.labels:
        out.append("labels differ")
    return out


@pytest.mark.parametrize(
    "city", [str(ROUTING_CITY), str(FIXTURES / "gaps" / "base.ttl"), *resources.bundled_cities()]
)
@pytest.mark.parametrize("at", ["2019-10-01", "2025-06-30"])
def test_audit_is_identical_on_bundled_cities(city: str, at: str):
    problems = _audit_differences(load(city).graph, at)
    assert not problems, "\n".join(problems[:3])


# ---------------------------------------------------------------------------
# YAML scenarios (tests/scenarios/) through both engines
# ---------------------------------------------------------------------------
def test_every_scenario_gets_the_same_answer_and_passes_its_expectations():
    import test_scenarios as sc

    by_city: dict[str, list] = {}
    for item in sc.CASES:
        by_city.setdefault(item[1], []).append(item)
    assert by_city, "no scenarios found"
    for city, items in by_city.items():
        kb = sc._kb(city)
        specs = [sc._spec(kb, item[2]["whistle"]) for item in items]
        ref = route_specs(kb.graph, specs)
        fast = load_router(city, cache=False).route_specs(specs)
        for item, a, b in zip(items, ref, fast, strict=True):
            assert a.to_dict() == b.to_dict(), sc._id(item)
            assert sc.check(b, item[2]["expect"]) == [], sc._id(item)


# ---------------------------------------------------------------------------
# Random small cities (hypothesis)
# ---------------------------------------------------------------------------
_BASE: Graph | None = None


def _base() -> Graph:
    global _BASE
    if _BASE is None:
        _BASE = full_graph([])
    return _BASE


RANKS = [
    "district-party-secretary",
    "district-standing-committee-member",
    "deputy-district-head",
    "department-head",
    "department-deputy-head",
    "section-chief",
]
DATES = ["2017-01-01", "2019-09-01", "2020-01-01", "2021-12-31", "2023-06-30"]


def random_city(seed: int) -> tuple[Graph, list[WhistleSpec]]:
    """A small random city that uses every routing feature, and whistles for it."""
    rnd = random.Random(seed)
    ns = "https://w3id.org/govkg/id/random/"
    g = bind_all(Graph())

    def node(kind: str, name: str, *classes: URIRef, label: str = "") -> URIRef:
        iri = URIRef(f"{ns}{kind}/{name}")
        for c in classes:
            g.add((iri, RDF.type, c))
        pred = SKOS.prefLabel if kind == "matter" else RDFS.label
        g.add((iri, pred, Literal(f"{label or name}甲", lang="zh")))
        g.add((iri, pred, Literal(label or name, lang="en")))
        return iri

    def date(value: str) -> Literal:
        return Literal(value, datatype=XSD.date)

    city = node("area", "city", GK.City)
    districts, streets, communities, depts, offices, committees, all_bodies = [], [], [], [], [], [], []
    for d in range(rnd.randint(1, 2)):
        da = node("area", f"d{d}", GK.District)
        g.add((da, GK.within, city))
        districts.append(da)
        if rnd.random() < 0.85:
            gov = node("body", f"d{d}-gov", GK.DistrictGovernment)
            g.add((gov, DCTERMS.spatial, da))
            all_bodies.append(gov)
        for k in range(rnd.randint(1, 3)):
            dep = node(
                "body", f"d{d}-dep{k}", rnd.choice([GK.FunctionalDepartment, GK.VerticallyManagedDepartment])
            )
            g.add((dep, DCTERMS.spatial, da))
            depts.append(dep)
        for s in range(rnd.randint(1, 3)):
            town = rnd.random() < 0.4
            sa = node("area", f"d{d}s{s}", GK.Township if town else GK.Street)
            g.add((sa, GK.within, da))
            streets.append(sa)
            off = node("body", f"d{d}s{s}-office", GK.TownshipGovernment if town else GK.StreetOffice)
            g.add((off, DCTERMS.spatial, sa))
            offices.append(off)
            if rnd.random() < 0.5:
                enf = node("body", f"d{d}s{s}-enf", GK.StreetEnforcementOffice)
                g.add((enf, DCTERMS.spatial, sa))
                offices.append(enf)
            for c in range(rnd.randint(0, 2)):
                ca = node("area", f"d{d}s{s}c{c}", GK.Community)
                g.add((ca, GK.within, sa))
                communities.append(ca)
                if rnd.random() < 0.7:
                    rc = node("body", f"d{d}s{s}c{c}-rc", GK.ResidentsCommittee)
                    g.add((rc, DCTERMS.spatial, ca))
                    committees.append(rc)
    all_bodies += depts + offices + committees
    areas = [city, *districts, *streets, *communities]
    scheme = URIRef(ns + "matters")
    matters = []
    for t in range(rnd.randint(2, 3)):
        top = node("matter", f"m{t}", GK.Matter, SKOS.Concept)
        g.add((top, SKOS.inScheme, scheme))
        g.add((top, SKOS.notation, Literal(f"M{t}")))
        matters.append(top)
        for c in range(rnd.randint(0, 2)):
            child = node("matter", f"m{t}-{c}", GK.Matter, SKOS.Concept)
            g.add((child, SKOS.broader, top))
            g.add((child, SKOS.notation, Literal(f"M{t}-{c}")))
            matters.append(child)
    lists = []
    for i, rc in enumerate(committees):
        lst = node("set", f"list{i}", GK.CommunityDutyList)
        g.add((lst, GK.listOf, rc))
        lists.append(lst)
    duties = []
    for i in range(rnd.randint(2, 12)):
        classes = [GK.Duty] if rnd.random() < 0.95 else []
        duty = node("duty", f"duty{i}", *classes)
        holder = rnd.choice(all_bodies)
        g.add((duty, GK.holder, holder))
        g.add((duty, GK.matter, rnd.choice(matters)))
        g.add((duty, GK.area, rnd.choice(areas)))
        role = rnd.choice(["lead", "lead", "cooperate", "cooperate", "supervise", None])
        if role:
            g.add((duty, GK.role, URIRef("https://w3id.org/govkg/vocab/role/" + role)))
        dtype = rnd.choice(["penalty", "inspection", "responsibility", "public-service"])
        g.add((duty, GK.dutyType, URIRef("https://w3id.org/govkg/vocab/duty-type/" + dtype)))
        if dtype in ("penalty", "inspection") and rnd.random() < 0.7:
            g.add(
                (
                    duty,
                    GK.legalBasis,
                    URIRef("https://w3id.org/govkg/eli/cn/urban-appearance-sanitation/art/34"),
                )
            )
        if rnd.random() < 0.9:
            g.add((duty, GK.validFrom, date(rnd.choice(DATES[:3]))))
        if rnd.random() < 0.25:
            g.add((duty, GK.validTo, date(rnd.choice(DATES[1:]))))
        if holder in committees and lists and rnd.random() < 0.6:
            g.add((duty, GK.memberOf, rnd.choice(lists)))
        if holder in offices and rnd.random() < 0.3:
            g.add((holder, GK.enforcementPower, rnd.choice(matters)))
        g.add((duty, DCTERMS.source, URIRef("https://w3id.org/govkg/source/design")))
        duties.append(duty)
    package = node("package", "p", GK.TransferPackage)
    g.add((package, GK.declaredCount, Literal(rnd.randint(0, 4), datatype=XSD.nonNegativeInteger)))
    g.add((package, GK.declaredBodyCount, Literal(rnd.randint(0, 2), datatype=XSD.nonNegativeInteger)))
    for i in range(rnd.randint(0, 4)):
        t = node("transfer", f"t{i}", GK.Transfer)
        duty = rnd.choice(duties)
        if rnd.random() < 0.85:
            g.add((t, GK.transferredDuty, duty))
        g.add((t, GK.matter, rnd.choice(matters)))
        for holder in g.objects(duty, GK.holder):
            g.add((t, GK.fromBody, holder))
        if rnd.random() < 0.5:
            g.add((t, GK.toStreetsOf, rnd.choice(districts + streets)))
        else:
            g.add((t, GK.toBody, rnd.choice(offices + committees + depts)))
        if rnd.random() < 0.9:
            g.add((t, GK.validFrom, date(rnd.choice(DATES[:4]))))
        if rnd.random() < 0.3:
            g.add((t, GK.validTo, date(rnd.choice(DATES[2:]))))
        if rnd.random() < 0.7:
            g.add((t, GK.memberOf, package))
    posts = []
    for i in range(rnd.randint(0, 3)):
        p = node("post", f"post{i}", ORG.Post)
        g.add((p, GK.rank, URIRef("https://w3id.org/govkg/vocab/rank/" + rnd.choice(RANKS[:3]))))
        if rnd.random() < 0.6:
            g.add((p, GK.pairedWith, rnd.choice(streets + districts)))
        if rnd.random() < 0.6 and depts:
            g.add((p, GK.inChargeOf, rnd.choice(depts + offices)))
        posts.append(p)
    # Policies on distinct areas: two valid policies on one area would make the level an answer
    # cites (prov:wasDerivedFrom) a free choice of the reference reader (see docs/performance.md).
    policy_areas = rnd.sample(districts + streets, min(len(districts + streets), rnd.randint(0, 3)))
    for i, pa in enumerate(policy_areas):
        pol = node("policy", f"pol{i}", GK.EscalationPolicy)
        g.add((pol, GK.appliesTo, pa))
        if rnd.random() < 0.3:
            g.add((pol, GK.validFrom, date(rnd.choice(DATES))))
        if rnd.random() < 0.2:
            g.add((pol, GK.validTo, date(rnd.choice(DATES))))
        for sev in rnd.sample(["ordinary", "serious", "major"], rnd.randint(1, 3)):
            lv = node("policy", f"pol{i}-{sev}", GK.EscalationLevel)
            g.add((pol, GK.hasLevel, lv))
            g.add((lv, GK.severity, URIRef(SEV + sev)))
            for r in rnd.sample(RANKS[3:], rnd.randint(0, 2)):
                g.add((lv, GK.requiredRank, URIRef("https://w3id.org/govkg/vocab/rank/" + r)))
            if rnd.random() < 0.4:
                g.add(
                    (lv, GK.leadRank, URIRef("https://w3id.org/govkg/vocab/rank/" + rnd.choice(RANKS[1:3])))
                )
            if rnd.random() < 0.85:
                g.add(
                    (
                        lv,
                        GK.responseTime,
                        Literal(rnd.choice(["PT30M", "PT2H", "P1D", "P1DT2H"]), datatype=XSD.duration),
                    )
                )
    sevs = [None, *(URIRef(SEV + s) for s in ("ordinary", "serious", "major"))]
    for i in range(rnd.randint(0, 2)):
        w = node("whistle", f"w{i}", GK.Whistle)
        g.add((w, GK.matter, rnd.choice(matters)))
        g.add((w, GK.area, rnd.choice(areas)))
        g.add(
            (w, GK.raisedAt, Literal(f"2020-0{rnd.randint(1, 9)}-01T09:00:00+08:00", datatype=XSD.dateTime))
        )
        if rnd.random() < 0.7:
            g.add((w, GK.severity, rnd.choice(sevs[1:])))
        rep = node("report", f"r{i}", GK.Report)
        g.add((rep, GK.answers, w))
        g.add((rep, GK.reportingBody, rnd.choice(all_bodies)))
        g.add((rep, GK.rank, URIRef("https://w3id.org/govkg/vocab/rank/" + rnd.choice(RANKS))))
        g.add(
            (
                rep,
                GK.arrivedAt,
                Literal(
                    f"2020-0{rnd.randint(1, 9)}-01T{rnd.randint(9, 12):02d}:00:00+08:00",
                    datatype=XSD.dateTime,
                ),
            )
        )
    if rnd.random() < 0.5:
        e = node("empowerment", "e", GK.Empowerment)
        g.add((e, GK.power, URIRef("https://w3id.org/govkg/vocab/beijing-street-power/p1")))
    graph = bind_all(Graph())
    graph += _base()
    graph += g
    specs = [
        WhistleSpec(
            rnd.choice(matters),
            rnd.choice(areas),
            parse_time(f"{rnd.choice(DATES)}T{rnd.randint(0, 23):02d}:{rnd.randint(0, 59):02d}"),
            rnd.choice(sevs),
        )
        for _ in range(rnd.randint(3, 8))
    ]
    return graph, specs


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=2**31))
def test_random_cities_route_and_audit_identically(seed: int):
    graph, specs = random_city(seed)
    problems = _same_answers(graph, specs)
    assert not problems, f"seed {seed}:\n" + "\n".join(problems[:2])
    problems = _routing_graph_differences(graph)
    assert not problems, f"seed {seed}, routing graph:\n" + "\n".join(problems[:3])
    at = random.Random(seed).choice(DATES)
    problems = _audit_differences(graph, at)
    assert not problems, f"seed {seed}, audit at {at}:\n" + "\n".join(problems[:3])


# ---------------------------------------------------------------------------
# route-batch: byte-identical output; CLI engines agree
# ---------------------------------------------------------------------------
BATCH_CSV = """id,time,matter,area,severity,raised_by
A1,2020-05-01T09:00:00+08:00,餐饮油烟,西街道,,
A2,2020-06-01,FX-0101,东一社区第1网格,major,西街道办事处
"A,3",2019-09-01T10:00,噪声扰民,东街道,较大,
A4,2023-01-01T08:00:00Z,流浪猫,丙街道,重大,
A5,2020-02-30T10:00:00+08:00,餐饮油烟,西街道,,
A6,2020-05-01,no such matter,西街道,,
A7,2020-05-01,扬尘,西街道,,
A8,,餐饮油烟,西街道,,
A9,2020-05-01,餐饮油烟,西街道,,nobody

A10,2020-05-01T24:00:00+08:00,路灯维修,南街道,serious,
"""


def test_route_batch_output_is_byte_identical(tmp_path: Path):
    from govkg.batch import route_batch, write_results

    src = tmp_path / "in.csv"
    src.write_text(BATCH_CSV, encoding="utf-8")
    write_results(route_batch(load(ROUTING_CITY), src), tmp_path / "ref.csv")
    stats = route_csv(load_router(ROUTING_CITY, cache=False), src, tmp_path / "fast.csv")
    assert (tmp_path / "ref.csv").read_bytes() == (tmp_path / "fast.csv").read_bytes()
    assert stats.rows == 10 and stats.bad_rows == 6


def test_cli_engines_agree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GOVKG_CACHE_DIR", str(tmp_path / "cache"))
    args = [
        "route",
        "--city",
        str(ROUTING_CITY),
        "--matter",
        "餐饮油烟",
        "--area",
        "东一社区第1网格",
        "--at",
        "2020-06-01",
        "--severity",
        "major",
        "--json",
    ]
    code_f, out_f, err_f = run_cli(*args)
    code_s, out_s, err_s = run_cli(*args, "--engine", "shacl")
    assert (code_f, out_f) == (code_s, out_s), err_f + err_s
    assert list((tmp_path / "cache").glob("route-*.pickle")), "the fast engine did not cache the city"
    src = tmp_path / "in.csv"
    src.write_text(BATCH_CSV, encoding="utf-8")
    code_f, out_f, _ = run_cli(
        "route-batch", str(src), "-o", str(tmp_path / "f.csv"), "--city", str(ROUTING_CITY)
    )
    code_s, out_s, _ = run_cli(
        "route-batch",
        str(src),
        "-o",
        str(tmp_path / "s.csv"),
        "--city",
        str(ROUTING_CITY),
        "--engine",
        "shacl",
    )
    assert code_f == code_s == 1
    assert out_f.replace("f.csv", "OUT") == out_s.replace("s.csv", "OUT")
    assert (tmp_path / "f.csv").read_bytes() == (tmp_path / "s.csv").read_bytes()


# ---------------------------------------------------------------------------
# The checks catch what they must
# ---------------------------------------------------------------------------
def test_the_comparison_catches_a_broken_fast_engine():
    """A fast model that forgets the transfers answers differently, and the comparison says so."""
    kb = load(ROUTING_CITY)
    specs = _specs(kb.graph, 40, seed=3)
    router = router_from_graph(kb.graph)
    router.model.transfers_of.clear()
    ref = route_specs(kb.graph, specs)
    fast = router.route_specs(specs)
    assert any(a.to_dict() != b.to_dict() for a, b in zip(ref, fast, strict=True))


def test_the_audit_comparison_catches_a_missing_constraint(monkeypatch: pytest.MonkeyPatch):
    import govkg.fast.audit as fa

    graph = load(ROUTING_CITY).graph
    monkeypatch.setitem(fa.CONSTRAINTS, "stale", lambda ctx, targets: {})
    assert any("GAP-STALE" in p for p in _audit_differences(graph, "2020-06-01"))


def test_a_changed_gap_constraint_is_refused_not_guessed():
    """Every constraint of shapes/gaps.ttl has a known twin; an edited query is refused."""
    shapes = load_shapes_facts()
    selects = [o[0] for objs in shapes.subjects("http://www.w3.org/ns/shacl#select").values() for o in objs]
    assert selects and all(query_hash(q) in KNOWN for q in selects), "shapes/gaps.ttl changed: update KNOWN"
    key = next(iter(shapes.subjects("http://www.w3.org/ns/shacl#select")))
    old = shapes.spo["http://www.w3.org/ns/shacl#select"][key][0]
    shapes.spo["http://www.w3.org/ns/shacl#select"][key] = [(old[0] + " LIMIT 1", old[1], old[2])]
    from govkg.fast import compile_facts
    from govkg.fast.audit import audit_facts
    from govkg.fast.facts import facts_from_triples, triples_from_rdflib

    facts = facts_from_triples(triples_from_rdflib(load(ROUTING_CITY).graph))
    with pytest.raises(Unsupported):
        audit_facts(facts, shapes, compile_facts(facts))


def test_a_validity_date_that_is_not_a_date_is_refused(tmp_path: Path):
    text = ROUTING_CITY.read_text(encoding="utf-8").replace('"2015-01-01"^^xsd:date', '"2015"', 1)
    bad = tmp_path / "city.ttl"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(Unsupported):
        load_router(bad, cache=False)


def test_the_cache_is_keyed_by_content(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("GOVKG_CACHE_DIR", str(tmp_path / "cache"))
    city = tmp_path / "city.ttl"
    city.write_text(ROUTING_CITY.read_text(encoding="utf-8"), encoding="utf-8")
    key = cache_key(input_files(city))
    first = load_router(city).route("餐饮油烟", "西街道", "2020-05-01")
    assert (tmp_path / "cache" / f"route-{key}.pickle").is_file()
    again = load_router(city).route("餐饮油烟", "西街道", "2020-05-01")
    assert again.to_dict() == first.to_dict()
    city.write_text(
        city.read_text(encoding="utf-8").replace("甲区城管局查处餐饮油烟", "甲区城管局查处油烟"),
        encoding="utf-8",
    )
    assert cache_key(input_files(city)) != key
    changed = load_router(city).route("餐饮油烟", "西街道", "2020-05-01")
    assert changed.to_dict() != first.to_dict()


def test_scenario_files_exist():
    assert sorted((HERE / "scenarios").glob("*.yaml")), "the scenario files are missing"
