"""Resolving what users type: labels, alternative labels, notations, IRIs, prefixed names;
unknown and ambiguous terms fail with the nearest terms or the candidates."""

from __future__ import annotations

import pytest
from conftest import FIXTURES
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from govkg.errors import InputError
from govkg.kb import KnowledgeBase, load
from govkg.namespaces import GK, SEV
from govkg.terms import TermError, TermIndex, resolve_area, resolve_body, resolve_matter, resolve_severity

FX = "https://w3id.org/govkg/id/fixture-routing/"
FUMES = URIRef(FX + "matter/fumes")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(FIXTURES / "routing" / "city.ttl")


@pytest.mark.parametrize(
    "term",
    ["餐饮油烟", "restaurant cooking fumes", "Restaurant Cooking FUMES", "  餐饮油烟 ", "油烟", "烧烤油烟",
     "cooking fumes", "FX-0101", "fx-0101", "ＦＸ－０１０１", FX + "matter/fumes", f"<{FX}matter/fumes>",
     "matter:fumes"],
)
def test_a_matter_resolves_by_label_altlabel_notation_iri_or_prefixed_name(kb: KnowledgeBase, term: str):
    assert resolve_matter(kb.graph, term) == FUMES


def test_areas_and_bodies_resolve_through_their_subclasses(kb: KnowledgeBase):
    assert resolve_area(kb.graph, "东一社区第1网格") == URIRef(FX + "area/east-1-g1")  # a gk:Grid
    assert resolve_area(kb.graph, "North Town") == URIRef(FX + "area/north-town")  # a gk:Township
    # a gk:VerticallyManagedDepartment
    assert resolve_body(kb.graph, "甲区交通支队") == URIRef(FX + "body/a-traffic")


@pytest.mark.parametrize(
    ("term", "expected"),
    [("ordinary", SEV.ordinary), ("serious", SEV.serious), ("major", SEV.major), ("MAJOR", SEV.major),
     ("一般", SEV.ordinary), ("较大", SEV.serious), ("重大", SEV.major), ("重大事件", SEV.major),
     ("較大事件", SEV.serious), ("3", SEV.major), (str(SEV.serious), SEV.serious), ("sev:major", SEV.major)],
)
def test_severity_terms(kb: KnowledgeBase, term: str, expected: URIRef):
    assert resolve_severity(kb.graph, term) == expected


def test_an_ambiguous_altlabel_lists_the_candidates(kb: KnowledgeBase):
    with pytest.raises(TermError) as err:
        resolve_matter(kb.graph, "扬尘")
    assert "ambiguous" in str(err.value)
    assert len(err.value.candidates) == 2
    assert any("施工扬尘" in c for c in err.value.candidates)
    assert any("道路扬尘" in c for c in err.value.candidates)
    # each candidate still resolves by its own label or notation
    assert resolve_matter(kb.graph, "施工扬尘") != resolve_matter(kb.graph, "FX-12")


def test_an_unknown_term_suggests_the_nearest(kb: KnowledgeBase):
    with pytest.raises(TermError) as err:
        resolve_matter(kb.graph, "油烟机")
    assert isinstance(err.value, InputError)
    assert "unknown matter '油烟机'" in str(err.value)
    assert any("餐饮油烟" in c for c in err.value.candidates)
    with pytest.raises(TermError) as err:
        resolve_area(kb.graph, "West Stret")
    assert any("West Street" in c for c in err.value.candidates)


def test_an_unknown_severity_suggests_the_nearest(kb: KnowledgeBase):
    with pytest.raises(TermError) as err:
        resolve_severity(kb.graph, "majr")
    assert any("major" in c for c in err.value.candidates)


def test_a_term_of_the_wrong_kind_is_refused(kb: KnowledgeBase):
    with pytest.raises(TermError, match="is not a matter"):
        resolve_matter(kb.graph, FX + "area/east")
    with pytest.raises(TermError, match="not a matter"):
        resolve_matter(kb.graph, "东街道")  # an area's label
    with pytest.raises(TermError, match="not in this city"):
        resolve_area(kb.graph, "https://example.org/nowhere")


def test_an_empty_term_is_refused(kb: KnowledgeBase):
    with pytest.raises(TermError, match="empty"):
        resolve_area(kb.graph, "  ")


def test_a_label_wins_over_another_nodes_altlabel(kb: KnowledgeBase):
    g = Graph()
    g += kb.graph
    other = URIRef(FX + "matter/other")
    g.add((other, RDF.type, GK.Matter))
    g.add((other, SKOS.prefLabel, Literal("油烟", lang="zh")))  # FUMES has 油烟 as an altLabel
    assert resolve_matter(g, "油烟") == other
    assert resolve_matter(g, "烧烤油烟") == FUMES
    # and without the label, the altLabel alone would resolve to FUMES (the check can fail)
    g.remove((other, SKOS.prefLabel, None))
    assert resolve_matter(g, "油烟") == FUMES


def test_an_index_resolves_many_terms(kb: KnowledgeBase):
    ix = TermIndex(kb.graph, "matter")
    assert len(ix.nodes) == 15
    assert ix.resolve("FX-09") == URIRef(FX + "matter/mining")
    assert ix.resolve("盗采") == URIRef(FX + "matter/mining")
