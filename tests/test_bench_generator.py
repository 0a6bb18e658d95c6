"""bench/generate.py: a synthetic city that follows docs/modelling.md, deterministic by seed, that
exercises every routing feature and every gap type; and whistle files for it."""

from __future__ import annotations

import csv
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import REPO
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from govkg.namespaces import GK, ORG

sys.path.insert(0, str(REPO / "bench"))
import generate

SMALL = generate.SCALES["small"]
ST_ILLUSTRATIVE = URIRef("https://w3id.org/govkg/vocab/status/illustrative")
SRC_DESIGN = URIRef("https://w3id.org/govkg/source/design")


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen") / "synthetic-small"
    generate.generate_city(SMALL, out)
    return out


@pytest.fixture(scope="module")
def graph(city: Path) -> Graph:
    g = Graph()
    for f in sorted(city.glob("*.nt")):
        g.parse(f, format="nt")
    return g


def test_same_seed_same_city_other_seed_other_city(city: Path, tmp_path: Path):
    again = tmp_path / "again"
    generate.generate_city(SMALL, again)
    for f in sorted(city.glob("*.nt")):
        assert (again / f.name).read_bytes() == f.read_bytes(), f.name
    other = tmp_path / "other"
    generate.generate_city(replace(SMALL, seed=SMALL.seed + 1), other)
    assert (other / "duties.nt").read_bytes() != (city / "duties.nt").read_bytes()


def test_every_node_follows_the_modelling_conventions(graph: Graph):
    prefix = "https://w3id.org/govkg/id/synthetic-small/"
    subjects = {s for s in graph.subjects() if str(s).startswith(prefix)}
    assert len(subjects) > 300
    problems = []
    for s in subjects:
        if (s, RDF.type, None) not in graph:
            problems.append(f"{s}: untyped")
        langs = {
            lit.language
            for p in (RDFS.label, SKOS.prefLabel)
            for lit in graph.objects(s, p)
            if isinstance(lit, Literal)
        }
        if not {"zh", "en"} <= langs:
            problems.append(f"{s}: labels {langs}")
        if (s, DCTERMS.source, SRC_DESIGN) not in graph or (s, GK.status, ST_ILLUSTRATIVE) not in graph:
            problems.append(f"{s}: source or status")
    assert not problems, problems[:5]


def test_the_city_is_valid_against_the_core_shapes(city: Path):
    from govkg.validate import validate_paths

    report, _graph = validate_paths([city])
    assert report.conforms, [r.message for r in report.violations][:5]


def test_the_city_exercises_every_routing_feature(graph: Graph):
    def count(s=None, p=None, o=None) -> int:
        return len(set(graph.triples((s, p, o))))

    role = "https://w3id.org/govkg/vocab/role/"
    assert count(None, SKOS.broader, None) > 0, "matter hierarchy"
    assert count(None, GK.within, None) > 0, "area containment"
    assert count(None, GK.validTo, None) > 0, "validity windows"
    assert count(None, GK.toStreetsOf, None) > 0 and count(None, GK.toBody, None) > 0, (
        "transfers of both kinds"
    )
    for r in ("lead", "cooperate", "supervise"):
        assert count(None, GK.role, URIRef(role + r)) > 0, r
    assert count(None, GK.leadRank, None) > 0, "lead posts"
    assert count(None, GK.doubleReport, Literal(True)) > 0, "double report"
    assert count(None, GK.pairedWith, None) > 0 and count(None, GK.inChargeOf, None) > 0, "posts"
    assert count(None, RDF.type, GK.CommunityDutyList) > 0, "community duty lists"
    assert count(None, RDF.type, GK.StreetEnforcementOffice) > 0
    assert count(None, RDF.type, GK.Township) > 0 and count(None, RDF.type, GK.Street) > 0
    policy_areas = set(graph.objects(None, GK.appliesTo))
    assert any((a, RDF.type, GK.Township) in graph for a in policy_areas), "a nearer (township) policy"
    assert count(None, RDF.type, ORG.Post) > 0
    streets = set(graph.subjects(RDF.type, GK.Street)) | set(graph.subjects(RDF.type, GK.Township))
    with_seo = {
        a
        for a in streets
        if any((b, RDF.type, GK.StreetEnforcementOffice) in graph for b in graph.subjects(DCTERMS.spatial, a))
    }
    assert with_seo and with_seo != streets, "streets with and without an enforcement office"


def test_the_city_has_every_gap_type(city: Path):
    from govkg.fast.audit import audit_city

    counts = audit_city(city, at="2025-06-30").counts()
    for code in (
        "GAP-UNCOVERED",
        "GAP-OVERLAP",
        "GAP-NOPOWER",
        "GAP-STALE",
        "GAP-NOBASIS",
        "GAP-COUNT",
        "GAP-COMMUNITY",
        "GAP-UNANSWERED",
        "GAP-LATE",
    ):
        assert counts.get(code, 0) > 0, f"{code}: {counts}"


def test_whistle_files_are_deterministic_and_route(city: Path, tmp_path: Path):
    a, b, c = tmp_path / "a.csv", tmp_path / "b.csv", tmp_path / "c.csv"
    generate.write_whistles(city, a, 500, seed=1)
    generate.write_whistles(city, b, 500, seed=1)
    generate.write_whistles(city, c, 500, seed=2)
    assert a.read_bytes() == b.read_bytes() != c.read_bytes()
    rows = list(csv.DictReader(a.open(encoding="utf-8")))
    assert len(rows) == 500
    assert list(rows[0]) == ["id", "time", "matter", "area", "severity", "raised_by"]
    assert {r["severity"] for r in rows} <= {"ordinary", "serious", "major", ""}
    from govkg.fast import load_router
    from govkg.fast.batch import route_csv

    stats = route_csv(load_router(city, cache=False), a, tmp_path / "out.csv")
    assert stats.rows == 500 and stats.bad_rows == 0, stats.bad[:3]


def test_whistle_rows_stream_in_chunks(city: Path):
    src = generate.whistle_source(city)
    blocks = list(generate.whistle_rows(src, 250, seed=3, chunk=100))
    assert len(blocks) == 3 and sum(block.count("\n") for block in blocks) == 250


def test_a_folder_that_is_not_a_generated_city_is_refused(tmp_path: Path):
    (tmp_path / "matters.nt").write_text("", encoding="utf-8")
    (tmp_path / "areas.nt").write_text("", encoding="utf-8")
    with pytest.raises(SystemExit):
        generate.whistle_source(tmp_path)
