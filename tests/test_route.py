"""The route API and CLI: Python results, JSON shape, text output, exit codes, bad input."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from conftest import FIXTURES, run_cli
from rdflib import Graph
from rdflib.namespace import RDF

from govkg.cli import main
from govkg.errors import InputError
from govkg.kb import KnowledgeBase, load
from govkg.namespaces import GK
from govkg.route import infer_assignments, parse_time, route, route_specs
from govkg.validate import full_graph

CITY = FIXTURES / "routing" / "city.ttl"
FX = "https://w3id.org/govkg/id/fixture-routing/"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(CITY)


# ---------------------------------------------------------------------------
# infer_assignments
# ---------------------------------------------------------------------------
def test_infer_assignments_routes_the_recorded_whistles_and_is_idempotent():
    g = full_graph([CITY])
    w1 = next(iter(g.subjects(RDF.type, GK.Whistle)))
    assert not list(g.subjects(GK.forWhistle, w1))
    before = len(g)
    assert infer_assignments(g) is g
    added = len(g) - before
    assert added > 0
    assert str(g.value(w1, GK.lead)) == FX + "body/a-cg"
    assignments = set(g.subjects(GK.forWhistle, w1))
    assert {str(g.value(a, GK.assignedTo)) for a in assignments} == {FX + "body/a-cg", FX + "body/a-env"}
    assert all(str(a).startswith(str(w1) + "/assignment/") for a in assignments)
    infer_assignments(g)
    assert len(g) - before == added  # a second run adds nothing
    infer_assignments(g, engine="rdflib")
    assert len(g) - before == added  # nor does the other engine


def test_both_engines_infer_the_same_triples():
    a, b = full_graph([CITY]), full_graph([CITY])
    base_a, base_b = set(a), set(b)
    infer_assignments(a, engine="oxigraph")
    infer_assignments(b, engine="rdflib")
    assert set(a) - base_a == set(b) - base_b != set()


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown engine"):
        infer_assignments(Graph(), engine="fast")


# ---------------------------------------------------------------------------
# route()
# ---------------------------------------------------------------------------
def test_route_answers_and_leaves_the_graph_unchanged(kb: KnowledgeBase):
    before = set(kb.graph)
    result = kb.route(matter="餐饮油烟", area="东一社区", at="2020-05-01T09:00", severity="一般")
    assert set(kb.graph) == before
    assert result.lead is not None and result.lead.label_zh == "东街道综合行政执法局"
    assert result.answered
    bureau = result.respondents[0]
    assert bureau.iri == FX + "body/east-enf" and bureau.role == "lead"
    assert bureau.via_transfer is not None and bureau.via_transfer.iri == FX + "transfer/east-fumes"
    assert bureau.deadline == "2020-05-01T11:00:00+08:00"
    assert [r.iri.rsplit("/", 1)[-1] for r in bureau.ranks] == ["department-deputy-head", "section-chief"]
    (basis,) = bureau.basis
    assert basis.duty.iri == FX + "duty/a-cg-fumes"
    assert [p.iri for p in basis.provision] == ["https://w3id.org/govkg/eli/cn/air-pollution/art/118"]
    assert [s.iri for s in basis.source] == ["https://w3id.org/govkg/source/design"]
    assert basis.transfer is not None and basis.transfer.iri == FX + "transfer/east-fumes"


def test_route_single_agrees_with_the_batch_path(kb: KnowledgeBase):
    single = route(kb, matter="占道经营", area="西街道", at="2020-05-01T09:00")
    from govkg.route import WhistleSpec
    from govkg.terms import resolve_area, resolve_matter

    spec = WhistleSpec(resolve_matter(kb.graph, "占道经营"), resolve_area(kb.graph, "西街道"),
                       parse_time("2020-05-01T09:00"))
    other = WhistleSpec(resolve_matter(kb.graph, "流浪猫"), resolve_area(kb.graph, "西街道"),
                        parse_time("2020-05-01T09:00"))
    batch = route_specs(kb.graph, [spec, other])
    assert batch[0].to_dict() == single.to_dict()
    assert batch[1].to_dict() != single.to_dict()


def test_json_shape(kb: KnowledgeBase):
    result = route(kb, matter="占道经营", area="西街道", at="2020-05-01", severity="major",
                   raised_by="西街道办事处")
    d = json.loads(json.dumps(result.to_dict(), ensure_ascii=False))
    assert set(d) == {"whistle", "lead", "respondents", "fallback", "gaps"}
    assert set(d["whistle"]) >= {"iri", "matter", "area", "at", "severity"}
    assert d["whistle"]["severity"] == "major"
    assert d["whistle"]["raised_by"]["label"] == {"zh": "西街道办事处", "en": "West Street Office"}
    stalls = {"iri": FX + "matter/stalls", "label": {"zh": "占道经营", "en": "street stalls"}}
    assert d["whistle"]["matter"] == stalls
    assert d["lead"]["iri"] == FX + "post/west-secretary"
    assert set(d["lead"]) == {"iri", "label"}
    for r in d["respondents"]:
        assert set(r) >= {"iri", "label", "role", "ranks", "deadline", "basis", "via_transfer"}
        assert r["role"] in {"lead", "cooperate"}
        assert r["deadline"] == "2020-05-01T00:30:00+08:00"
        for b in r["basis"]:
            assert set(b) >= {"duty", "provision", "source"}
    assert d["fallback"] is None
    (gap,) = d["gaps"]
    assert set(gap) >= {"code", "message", "severity", "focus"}
    assert gap["code"] == "GAP-OVERLAP" and gap["severity"] == "warning"
    assert set(gap["message"]) == {"zh", "en"} and gap["focus"] == d["whistle"]["iri"]


def test_fallback_json(kb: KnowledgeBase):
    d = route(kb, matter="流浪猫", area="西街道", at="2020-05-01").to_dict()
    assert d["lead"] is None and d["respondents"] == []
    assert d["fallback"]["iri"] == FX + "body/a-gov"
    assert [g["iri"] for g in d["fallback"]["ground"]] == [
        "https://w3id.org/govkg/eli/bj/hotline-response/art/12/item/2",
        "https://w3id.org/govkg/eli/bj/street-offices/art/17/item/3",
    ]
    assert [g["code"] for g in d["gaps"]] == ["GAP-UNCOVERED"]


def test_explain_is_in_chinese_and_english(kb: KnowledgeBase):
    text = route(kb, matter="乱停车", area="西街道", at="2020-05-01").explain()
    for part in ("甲区城管局 / District A Urban Management Bureau",
                 "甲区交通支队 / District A Traffic Police Division", "牵头 Lead: 无 none",
                 "GAP-OVERLAP", "多头无牵头", "overlap without lead", "配合 cooperate"):
        assert part in text, part


# ---------------------------------------------------------------------------
# Times
# ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [("2020-05-01", "2020-05-01T00:00:00+08:00"),
     ("2020-05-01T09:30", "2020-05-01T09:30:00+08:00"),
     ("2020-05-01 09:30:15", "2020-05-01T09:30:15+08:00"),
     ("2020-04-30T20:00:00Z", "2020-05-01T04:00:00+08:00"),
     ("2020-05-01T09:00:00+08:00", "2020-05-01T09:00:00+08:00"),
     (date(2020, 5, 1), "2020-05-01T00:00:00+08:00"),
     (datetime(2020, 5, 1, 9, 0, tzinfo=UTC), "2020-05-01T17:00:00+08:00")],
)
def test_times_are_read_in_china_time(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("bad", ["2020-13-01", "yesterday", "2020/05/01", "2020-05-01T25:00", ""])
def test_a_bad_time_is_an_input_error(bad):
    with pytest.raises(InputError, match="bad date or time"):
        parse_time(bad)


def test_the_default_time_is_now_in_china(kb: KnowledgeBase):
    china = timezone(timedelta(hours=8))
    before = datetime.now(china).replace(microsecond=0)
    result = route(kb, matter="路灯维修", area="西街道")
    at = datetime.fromisoformat(result.whistle.at)
    assert at.utcoffset() == timedelta(hours=8)
    assert before <= at <= datetime.now(china)


def test_a_utc_time_late_in_the_day_is_judged_on_the_chinese_date(kb: KnowledgeBase):
    # 2018-12-31T20:00Z is 2019-01-01 04:00 in China: the signboard duty has moved to urban management
    result = route(kb, matter="违规牌匾", area="西街道", at="2018-12-31T20:00:00Z")
    assert [r.iri for r in result.respondents] == [FX + "body/a-cg"]


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------
def _main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_text_and_json_say_the_same(capsys):
    args = ("route", "--city", str(CITY), "--matter", "油烟", "--area", "东街道", "--at", "2020-05-01T09:00",
            "--severity", "重大")
    code, text, _ = _main(capsys, *args)
    assert code == 0
    code, out, _ = _main(capsys, *args, "--json")
    assert code == 0
    d = json.loads(out)
    assert f"牵头 Lead: {d['lead']['label']['zh']} / {d['lead']['label']['en']}" in text
    for r in d["respondents"]:
        assert f"{r['label']['zh']} / {r['label']['en']}" in text
        assert r["deadline"] in text
        for rank in r["ranks"]:
            assert rank["label"]["zh"] in text
    assert "缺口 Gaps: 无 none" in text and d["gaps"] == []


def test_cli_fallback_exits_0(capsys):
    code, out, _ = _main(capsys, "route", "--city", str(CITY), "--matter", "流浪猫", "--area", "西街道",
                         "--at", "2020-05-01")
    assert code == 0
    assert "兜底 Fallback: 甲区人民政府 / District A Government" in out
    assert "[GAP-UNCOVERED]" in out


def test_cli_nobody_at_all_exits_1(capsys):
    code, out, _ = _main(capsys, "route", "--city", str(CITY), "--matter", "流浪猫", "--area", "示例市",
                         "--at", "2020-05-01", "--json")
    assert code == 1
    d = json.loads(out)
    assert d["respondents"] == [] and d["fallback"] is None and d["gaps"][0]["code"] == "GAP-UNCOVERED"


@pytest.mark.parametrize(
    ("args", "message"),
    [(("--matter", "油烟机", "--area", "东街道"), "nearest terms (相近的词): 餐饮油烟"),
     (("--matter", "扬尘", "--area", "东街道"), "ambiguous matter"),
     (("--matter", "油烟", "--area", "东大街"), "unknown area"),
     (("--matter", "油烟", "--area", "东街道", "--severity", "huge"), "unknown severity"),
     (("--matter", "油烟", "--area", "东街道", "--at", "someday"), "bad date or time"),
     (("--matter", "油烟", "--area", "东街道", "--raised-by", "nobody"), "unknown body")],
)
def test_cli_bad_input_exits_2_with_the_reason(capsys, args, message):
    code, out, err = _main(capsys, "route", "--city", str(CITY), *args)
    assert code == 2
    assert out == ""
    assert message in err and "Traceback" not in err


def test_cli_unknown_city_and_missing_options_exit_2(capsys):
    code, _, err = _main(capsys, "route", "--city", "atlantis", "--matter", "x", "--area", "y")
    assert code == 2 and "no such city" in err
    with pytest.raises(SystemExit) as exc:
        main(["route", "--city", str(CITY), "--matter", "油烟"])
    assert exc.value.code == 2


def test_cli_subprocess_has_no_traceback_on_bad_input():
    code, _out, err = run_cli("route", "--city", str(CITY), "--matter", "油烟机", "--area", "东街道")
    assert code == 2 and "Traceback" not in err and "餐饮油烟" in err


def test_cli_on_a_bundled_city():
    code, out, err = run_cli("route", "--city", "nanjing-qinhuai", "--matter", "餐饮油烟",
                             "--area", "夫子庙街道", "--at", "2019-10-15T10:00", "--json")
    assert code == 0, err
    d = json.loads(out)
    assert d["lead"]["label"]["zh"] == "夫子庙街道综合行政执法局"
    assert d["respondents"][0]["via_transfer"] is not None


def test_the_gap_shapes_name_the_gap_catalogue_codes(kb: KnowledgeBase):
    from rdflib.namespace import SKOS

    from govkg.route import GAP_SHAPES, routing_shapes

    shapes = routing_shapes()
    codes = set()
    for shape in GAP_SHAPES:
        gap_type = shapes.value(shape, GK.gapType)
        assert gap_type is not None, shape
        codes.add(str(kb.graph.value(gap_type, SKOS.notation)))
    assert codes == {"GAP-OVERLAP", "GAP-UNCOVERED", "GAP-COMMUNITY"}


def test_iterating_the_rules_to_a_fixpoint_adds_nothing_more():
    """pyshacl may iterate rules until nothing changes; the rules are stratified by sh:order, so
    a fixpoint run infers exactly what one ordered pass does."""
    from pyshacl import shacl_rules

    from govkg.route import routing_shapes

    once, fix = full_graph([CITY]), full_graph([CITY])
    base_once, base_fix = set(once), set(fix)
    infer_assignments(once, engine="rdflib")
    shacl_rules(fix, shacl_graph=routing_shapes(), inplace=True, iterate_rules=True)
    assert set(once) - base_once == set(fix) - base_fix != set()
