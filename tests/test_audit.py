"""The audit API and CLI: report shapes and formats, exit codes, and every bundled city audited."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest
from conftest import FIXTURES, run_cli
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

import govkg
from govkg import resources
from govkg.audit import FAILING_SEVERITIES, AuditReport, audit, parse_date, render, write_output
from govkg.errors import InputError
from govkg.kb import KnowledgeBase
from govkg.namespaces import GK

GAPS = FIXTURES / "gaps"
AT = "2024-06-01"
CJK = re.compile(r"[\u4e00-\u9fff]")
NON_NEGATIVE_INTEGER = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def city_folder(tmp: Path, *cases: str) -> Path:
    """A city folder holding the gap fixture base and the named cases (what the CLI loads)."""
    folder = tmp / "city"
    folder.mkdir()
    for name in ("base", *cases):
        shutil.copy(GAPS / f"{name}.ttl", folder / f"{name}.ttl")
    return folder


@lru_cache(maxsize=8)
def fixture_report(*cases: str) -> AuditReport:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return govkg.load(city_folder(Path(tmp), *cases)).audit(at=AT)


# ------------------------------------------------------------------------------------------
# API
# ------------------------------------------------------------------------------------------
def test_kb_audit_returns_a_report_grouped_by_code():
    report = fixture_report("count-gap", "late-gap", "uncovered-gap")
    assert isinstance(report, AuditReport)
    assert report.city == "city" and report.at.isoformat() == AT
    groups = report.by_code()
    assert list(groups) == ["GAP-UNCOVERED", "GAP-COUNT", "GAP-LATE"]  # catalogue order
    assert report.counts() == {"GAP-UNCOVERED": 2, "GAP-COUNT": 6, "GAP-LATE": 2}
    assert sum(report.severity_counts().values()) == len(report.findings) == 10
    assert report.severity_counts() == {"violation": 2, "warning": 6, "info": 2}
    assert report.failed


def test_only_violations_fail_the_audit():
    assert {"violation"} == FAILING_SEVERITIES
    warnings_only = fixture_report("late-gap", "count-gap")
    assert {f.severity for f in warnings_only.findings} == {"warning", "info"}
    assert not warnings_only.failed
    assert fixture_report("uncovered-gap").failed


def test_the_audit_date_defaults_to_today_and_rejects_nonsense():
    from datetime import date

    assert parse_date(None) == date.today()
    assert parse_date("2019-09-01") == date(2019, 9, 1)
    with pytest.raises(InputError, match=r"--at.*not a date"):
        parse_date("2019-13-45")
    with pytest.raises(InputError, match="unknown audit engine"):
        audit(govkg.load(GAPS / "base.ttl"), at=AT, engine="fast-and-loose")


def test_json_output_holds_every_field():
    report = fixture_report("count-gap", "late-gap", "uncovered-gap")
    body = json.loads(report.to_json())
    assert body["city"] == "city" and body["at"] == AT and body["failed"] is True
    assert body["counts"] == report.counts()
    assert body["gap_types"]["GAP-LATE"]["iri"] == "https://w3id.org/govkg/vocab/gap/late-or-under-ranked"
    assert len(body["findings"]) == len(report.findings)
    for f in body["findings"]:
        assert set(f) >= {"code", "severity", "focus", "focus_label", "message_zh", "message_en",
                          "evidence", "legal_ground"}
    uncovered = next(f for f in body["findings"] if f["code"] == "GAP-UNCOVERED")
    assert "https://w3id.org/govkg/eli/bj/street-offices/art/17/item/3" in uncovered["legal_ground"]


def test_csv_output_has_one_row_per_finding():
    report = fixture_report("count-gap", "late-gap", "uncovered-gap")
    rows = list(csv.DictReader(io.StringIO(report.to_csv())))
    assert len(rows) == len(report.findings)
    assert [r["code"] for r in rows] == [f.code for c in report.by_code().values() for f in c]
    late = next(r for r in rows if r["focus"].endswith("report/umb"))
    assert json.loads(late["evidence"])["deadline"] == "2024-03-01T09:30:00+08:00"
    assert "第十三条" in late["legal_ground_label"]


def test_text_and_markdown_group_by_code_with_counts_evidence_and_ground():
    report = fixture_report("count-gap", "late-gap", "uncovered-gap")
    text = report.to_text()
    assert "10 finding(s): 2 violation, 6 warning, 2 info; fails (has violations)" in text
    assert re.search(r"^GAP-COUNT .*\(6\)$", text, re.M)
    assert "focus: https://w3id.org/govkg/id/gapfix/report/umb" in text
    assert "deadline: 2024-03-01T09:30:00+08:00" in text
    assert "legal ground: 北京市接诉即办工作条例 第十三条" in text
    md = report.to_markdown()
    assert md.startswith("# Gap audit: city at 2024-06-01")
    assert "| GAP-LATE | 迟到或职级不够 / late or under-ranked report | 2 |" in md
    assert "## GAP-UNCOVERED" in md
    assert md.count("\n| violation |") == 2
    with pytest.raises(InputError, match="unknown format"):
        render(report, "pdf")


def test_a_city_without_gaps_says_so():
    report = fixture_report()
    assert report.findings == [] and not report.failed
    assert "no findings" in report.to_text()
    assert json.loads(report.to_json())["findings"] == []
    assert report.to_csv().count("\n") == 1


def test_write_output_is_atomic_and_checks_the_folder(tmp_path: Path):
    target = tmp_path / "out.md"
    target.write_text("old")
    write_output("new ✓", target)
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert [p.name for p in tmp_path.iterdir()] == ["out.md"]
    with pytest.raises(InputError, match="no such folder"):
        write_output("x", tmp_path / "missing" / "out.md")
    with pytest.raises(InputError, match="is a folder"):
        write_output("x", tmp_path)


# ------------------------------------------------------------------------------------------
# CLI
# ------------------------------------------------------------------------------------------
def test_cli_exits_1_on_violations_and_prints_grouped_findings(tmp_path: Path):
    code, out, err = run_cli("audit", "--city", str(city_folder(tmp_path, "uncovered-gap")), "--at", AT)
    assert code == 1, err
    assert "GAP-UNCOVERED" in out and "(2)" in out and "legal ground:" in out


def test_cli_exits_0_on_warnings_only_and_writes_json(tmp_path: Path):
    folder = city_folder(tmp_path, "late-gap")
    out_file = tmp_path / "audit.json"
    code, out, err = run_cli("audit", "--city", str(folder), "--at", AT, "--format", "json",
                             "-o", str(out_file))
    assert code == 0, err
    assert "wrote" in out and "2 finding(s)" in out
    body = json.loads(out_file.read_text(encoding="utf-8"))
    assert body["counts"] == {"GAP-LATE": 2} and body["failed"] is False


def test_cli_csv_and_md_formats(tmp_path: Path):
    folder = city_folder(tmp_path, "nobasis-gap")
    code, out, _ = run_cli("audit", "--city", str(folder), "--at", AT, "--format", "csv")
    assert code == 1 and out.startswith("code,severity,focus")
    assert len(list(csv.DictReader(io.StringIO(out)))) == 2
    code, out, _ = run_cli("audit", "--city", str(folder), "--at", AT, "--format", "md")
    assert code == 1 and "## GAP-NOBASIS" in out


def test_cli_bad_input_exits_2_without_traceback(tmp_path: Path):
    folder = city_folder(tmp_path)
    code, _, err = run_cli("audit", "--city", str(folder), "--at", "2024-02-30")
    assert code == 2 and "--at" in err and "Traceback" not in err
    code, _, err = run_cli("audit", "--city", "no-such-city")
    assert code == 2 and "no such city" in err and "Traceback" not in err
    code, _, err = run_cli("audit", "--city", str(folder), "--format", "pdf")
    assert code == 2 and "Traceback" not in err
    code, _, err = run_cli("audit", "--city", str(folder), "-o", str(tmp_path / "nope" / "x.txt"))
    assert code == 2 and "no such folder" in err


# ------------------------------------------------------------------------------------------
# Every bundled city
# ------------------------------------------------------------------------------------------
CITIES = resources.bundled_cities()


@lru_cache(maxsize=8)
def city_audit(name: str) -> tuple[AuditReport, Graph]:
    kb = govkg.load(name)
    return kb.audit(at=AT), kb.graph


def test_there_are_bundled_cities():
    assert len(CITIES) >= 3


@pytest.mark.parametrize("name", CITIES)
def test_bundled_city_audit_findings_are_complete(name: str, ontology: Graph):
    report, _graph = city_audit(name)
    codes = {str(ontology.value(g, SKOS.notation)) for g in ontology.subjects(RDF.type, GK.GapType)}
    for f in report.findings:
        assert f.code in codes, f
        assert f.severity in ("violation", "warning", "info")
        assert f.focus.startswith("https://") and f.focus_label
        assert CJK.search(f.message_zh), f.message_zh
        assert f.message_en and not CJK.search(f.message_en.split("'")[0]), f.message_en
        assert "{?" not in f.message_zh + f.message_en and "{$" not in f.message_zh + f.message_en


def _declared_vs_enumerated(graph: Graph) -> set[tuple[str, str, int, int]]:
    """(set, severity, declared, enumerated) for each count gap, computed here from the graph."""
    out = set()
    sets = {s for p in (GK.declaredCount, GK.declaredBodyCount) for s in graph.subjects(p, None)}
    for s in sets:
        members = set(graph.subjects(GK.memberOf, s))
        items: set = set()
        bodies: set = set()
        for m in members:
            moved = set(graph.objects(m, GK.transferredDuty))
            if not moved and (m, RDF.type, GK.Transfer) in graph:
                moved = set(graph.objects(m, GK.matter))
            items |= moved or {m}
            bodies |= set(graph.objects(m, GK.fromBody)) | set(graph.objects(m, GK.holder))
            if any((m, RDF.type, c) in graph for c in graph.transitive_subjects(RDFS.subClassOf, GK.Body)):
                bodies.add(m)
        for prop, found in ((GK.declaredCount, items), (GK.declaredBodyCount, bodies)):
            declared = graph.value(s, prop)
            if declared is None:
                continue
            if not members and int(declared) > 0:
                out.add((str(s), "info", int(declared), 0))
            elif members and len(found) != int(declared):
                out.add((str(s), "warning", int(declared), len(found)))
    return out


@pytest.mark.parametrize("name", CITIES)
def test_bundled_city_count_findings_match_the_data(name: str):
    report, graph = city_audit(name)
    got = set()
    for f in report.findings:
        if f.code == "GAP-COUNT":
            declared = f.evidence.get("declared", f.evidence.get("declaredBodies"))
            enumerated = f.evidence.get("enumerated", f.evidence.get("enumeratedBodies"))
            got.add((f.focus, f.severity, int(declared), int(enumerated)))
    assert got == _declared_vs_enumerated(graph)


def test_count_findings_follow_a_changed_declared_count():
    """Neither side of the comparison above is a tautology: change a declared count in a city and
    the finding appears or goes, both in the audit and in the independent count."""
    report, graph = city_audit("nanjing-qinhuai")
    mismatched = [f for f in report.findings if f.code == "GAP-COUNT" and f.severity == "warning"
                  and "enumerated" in f.evidence]
    assert mismatched, "the Qinhuai model is expected to list only part of a declared set"
    target = mismatched[0]
    focus, enumerated = URIRef(target.focus), int(target.evidence["enumerated"])
    for declared, expect_finding in ((enumerated, False), (enumerated + 1, True)):
        changed = Graph()
        changed += graph
        changed.set((focus, GK.declaredCount, Literal(declared, datatype=NON_NEGATIVE_INTEGER)))
        again = audit(KnowledgeBase("changed", Path("."), changed), at=AT)
        items = {(f.focus, f.evidence.get("declared")) for f in again.findings
                 if f.code == "GAP-COUNT" and "declared" in f.evidence}
        assert ((str(focus), str(declared)) in items) is expect_finding
        independent = {(s, d) for s, _, d, _ in _declared_vs_enumerated(changed)}
        assert ((str(focus), declared) in independent) is expect_finding


def test_both_engines_agree_on_the_smallest_bundled_city():
    """pySHACL (the reference) and the direct engine find the same gaps in a real city."""
    name = min(CITIES, key=lambda c: len(city_audit(c)[1]))
    report, graph = city_audit(name)
    reference = audit(KnowledgeBase(name, Path("."), graph), at=AT, engine="pyshacl")

    def key(r: AuditReport) -> list:
        return sorted((f.code, f.severity, f.focus, str(f.evidence), f.message_en) for f in r.findings)

    assert key(reference) == key(report)
