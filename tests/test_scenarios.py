"""Routing scenarios: every case of every YAML file in tests/scenarios/ is a test.

The whistles of one city are routed together, with one run of the rules (as route-batch does);
every case then checks its own answer. The same whistles are routed again with the rules run by
pyshacl over rdflib instead of pyoxigraph, and the answers must be identical. The file format is
described at the top of tests/scenarios/fixture-rules.yaml.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import HERE

from govkg import resources
from govkg.kb import KnowledgeBase, load
from govkg.route import Ref, Respondent, RouteResult, WhistleSpec, parse_time, route_specs
from govkg.terms import resolve_area, resolve_matter, resolve_severity

SCENARIOS = HERE / "scenarios"
EXPECT_KEYS = {"lead", "respondents", "respondents_include", "respondents_exclude", "roles", "ranks",
               "deadline", "via_transfer", "basis_duties", "gaps", "fallback"}


def _files() -> list[Path]:
    return sorted(SCENARIOS.glob("*.yaml"))


def _city_of(case: dict[str, Any], doc: dict[str, Any]) -> str:
    city = str(case.get("city") or doc["city"])
    if city in resources.bundled_cities():
        return city
    return str((HERE / city).resolve())


def _cases() -> list[tuple[str, str, dict[str, Any]]]:
    out = []
    for f in _files():
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            out.append((f.name, _city_of(case, doc), case))
    return out


CASES = _cases()


def _id(item: tuple[str, str, dict[str, Any]]) -> str:
    return f"{item[0]}::{item[2]['name']}"


# ---------------------------------------------------------------------------
# Checking one answer against a case's expectations
# ---------------------------------------------------------------------------
def _names(r: Ref | Respondent) -> set[str]:
    iri = r.iri
    return {iri, r.label_zh, r.label_en, iri.rstrip("/").rsplit("/", 1)[-1]}


def _find(result: RouteResult, key: str) -> Respondent | None:
    found = [r for r in result.respondents if key in _names(r)]
    return found[0] if len(found) == 1 else None


def _same_set(refs: list[Ref] | list[Respondent], keys: list[str]) -> bool:
    if len(refs) != len(keys):
        return False
    return all(sum(k in _names(r) for r in refs) == 1 for k in keys) and all(
        any(k in _names(r) for k in keys) for r in refs
    )


def check(result: RouteResult, expect: dict[str, Any]) -> list[str]:
    """Every way ``result`` differs from ``expect`` (an empty list when it matches)."""
    problems: list[str] = []
    unknown = set(expect) - EXPECT_KEYS
    if unknown:
        problems.append(f"unknown expect keys {sorted(unknown)}")
    shown = [r.label_zh for r in result.respondents]

    def need(key: str) -> Respondent | None:
        r = _find(result, key)
        if r is None:
            problems.append(f"expected respondent {key!r} not found (respondents: {shown})")
        return r

    if "lead" in expect:
        want = expect["lead"]
        got = result.lead
        if want is None and got is not None:
            problems.append(f"lead: expected none, got {got.label}")
        elif want is not None and (got is None or want not in _names(got)):
            problems.append(f"lead: expected {want!r}, got {got.label if got else None}")
    if "respondents" in expect and not _same_set(result.respondents, list(expect["respondents"])):
        problems.append(f"respondents: expected {expect['respondents']}, got {shown}")
    for key in expect.get("respondents_include", []):
        need(key)
    for key in expect.get("respondents_exclude", []):
        if _find(result, key) is not None:
            problems.append(f"respondent {key!r} must not answer (respondents: {shown})")
    for key, role in (expect.get("roles") or {}).items():
        r = need(key)
        if r is not None and r.role != role:
            problems.append(f"role of {key}: expected {role}, got {r.role}")
    if "ranks" in expect:
        ranks = expect["ranks"]
        if isinstance(ranks, dict):
            pairs = [(need(k), v) for k, v in ranks.items()]
        else:
            pairs = [(r, ranks) for r in result.respondents if r.kind == "body"]
        for r, want in pairs:
            if r is not None and not _same_set(r.ranks, list(want)):
                got = [x.label_zh for x in r.ranks]
                problems.append(f"ranks of {r.label_zh}: expected {want}, got {got}")
    if "deadline" in expect:
        want = expect["deadline"]
        want = None if want is None else parse_time(want)
        for r in result.respondents:
            if r.deadline != want:
                problems.append(f"deadline of {r.label_zh}: expected {want}, got {r.deadline}")
    for key, transfer in (expect.get("via_transfer") or {}).items():
        r = need(key)
        if r is None:
            continue
        if transfer is None and r.via_transfer is not None:
            problems.append(f"{key} answers via {r.via_transfer.label}, expected directly")
        elif transfer is not None and (r.via_transfer is None or transfer not in _names(r.via_transfer)):
            problems.append(f"{key}: expected via {transfer}, got {r.via_transfer}")
    for key, duties in (expect.get("basis_duties") or {}).items():
        r = need(key)
        if r is not None and not _same_set([b.duty for b in r.basis], list(duties)):
            problems.append(f"basis of {key}: expected {duties}, got {[b.duty.label_zh for b in r.basis]}")
    if "gaps" in expect and sorted(result.gap_codes) != sorted(expect["gaps"]):
        problems.append(f"gaps: expected {sorted(expect['gaps'])}, got {sorted(result.gap_codes)}")
    if "fallback" in expect:
        want = expect["fallback"]
        got = result.fallback
        if want is None and got is not None:
            problems.append(f"fallback: expected none, got {got.body.label}")
        elif want is not None and (got is None or want not in _names(got.body)):
            problems.append(f"fallback: expected {want!r}, got {got.body.label if got else None}")
    return problems


# ---------------------------------------------------------------------------
# Routing every city's cases together
# ---------------------------------------------------------------------------
_KBS: dict[str, KnowledgeBase] = {}


def _kb(city: str) -> KnowledgeBase:
    if city not in _KBS:
        _KBS[city] = load(city)
    return _KBS[city]


def _spec(kb: KnowledgeBase, whistle: dict[str, Any]) -> WhistleSpec:
    g = kb.graph
    sev = whistle.get("severity")
    return WhistleSpec(
        matter=resolve_matter(g, str(whistle["matter"])),
        area=resolve_area(g, str(whistle["area"])),
        at=parse_time(whistle["at"]),
        severity=resolve_severity(g, str(sev)) if sev else None,
    )


def _route_all(engine: str) -> dict[str, RouteResult]:
    by_city: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for item in CASES:
        by_city.setdefault(item[1], []).append((_id(item), item[2]))
    out: dict[str, RouteResult] = {}
    for city, items in by_city.items():
        kb = _kb(city)
        results = route_specs(kb.graph, [_spec(kb, c["whistle"]) for _, c in items], engine=engine)
        out.update({cid: r for (cid, _), r in zip(items, results, strict=True)})
    return out


@pytest.fixture(scope="module")
def routed() -> dict[str, RouteResult]:
    return _route_all("auto")


def test_there_are_scenarios_for_every_bundled_city():
    cities = {Path(c).name for _, c, _ in CASES}
    for city in resources.bundled_cities():
        assert city in cities, f"no routing scenario for the bundled city {city}"


@pytest.mark.parametrize("item", CASES, ids=[_id(i) for i in CASES])
def test_scenario(item: tuple[str, str, dict[str, Any]], routed: dict[str, RouteResult]):
    case = item[2]
    assert set(case) <= {"name", "rule", "city", "whistle", "expect"}, f"unknown case keys in {case['name']}"
    problems = check(routed[_id(item)], case["expect"])
    assert not problems, f"{_id(item)}:\n  " + "\n  ".join(problems)


def test_every_rule_has_a_positive_and_a_negative_case():
    rules: dict[str, int] = {}
    for _, _, case in CASES:
        if case.get("rule"):
            rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    for rule in ("matter hierarchy", "area containment", "validity", "transfer", "supervise excluded",
                 "ranks and deadline", "lead posts", "fallback", "community"):
        assert rules.get(rule, 0) >= 2, f"rule {rule!r} needs a positive and a negative case"


def test_the_rdflib_engine_gives_the_same_answers(routed: dict[str, RouteResult]):
    """The rules run by pyshacl over rdflib (no pyoxigraph) answer every scenario identically."""
    slow = _route_all("rdflib")
    assert slow.keys() == routed.keys()
    for cid in routed:
        assert slow[cid].to_dict() == routed[cid].to_dict(), cid


# ---------------------------------------------------------------------------
# The checker itself catches wrong answers
# ---------------------------------------------------------------------------
def _first(cid_part: str, routed: dict[str, RouteResult]) -> RouteResult:
    return next(r for cid, r in routed.items() if cid_part in cid)


def test_the_checker_catches_a_wrong_lead_respondent_gap_and_deadline(routed: dict[str, RouteResult]):
    result = _first("the holder of a lead duty leads", routed)
    good = {"lead": "甲区城管局", "gaps": [], "respondents": ["甲区城管局", "甲区生态环境局"]}
    assert check(result, good) == []
    assert check(result, {"lead": "甲区生态环境局"})
    assert check(result, {"lead": None})
    assert check(result, {"respondents": ["甲区城管局"]})
    assert check(result, {"respondents": ["甲区城管局", "甲区生态环境局", "甲区房产局"]})
    assert check(result, {"respondents_exclude": ["甲区生态环境局"]})
    assert check(result, {"gaps": ["GAP-OVERLAP"]})
    assert check(result, {"deadline": "2020-05-01T09:00:00+08:00"})
    assert check(result, {"deadline": None})
    assert check(result, {"ranks": ["department-head"]})
    assert check(result, {"roles": {"甲区生态环境局": "lead"}})
    assert check(result, {"fallback": "甲区人民政府"})
    assert check(result, {"via_transfer": {"甲区城管局": "east-fumes"}})
    assert check(result, {"basis_duties": {"甲区城管局": ["a-cg-noise"]}})
    assert check(result, {"no_such_key": 1})
