"""HermiT (through owlready2) finds the ontology, vocabularies, reference data and cities
consistent, and catches deliberate nonsense."""

from __future__ import annotations

import shutil

import pytest
from conftest import fixture_graph
from rdflib import Graph

from govkg import resources
from govkg.loader import load_files, load_ontology
from govkg.reasoning import check_consistency

pytestmark = pytest.mark.skipif(shutil.which("java") is None, reason="HermiT needs Java")


def _with(base: Graph, extra: Graph) -> Graph:
    g = Graph()
    for t in base:
        g.add(t)
    for t in extra:
        g.add(t)
    return g


def test_ontology_and_vocabularies_are_consistent(ontology: Graph):
    result = check_consistency(ontology)
    assert result.consistent, result.detail
    assert "unsatisfiable" not in result.detail


def test_ontology_with_reference_data_and_cities_is_consistent(ontology: Graph, reference: Graph):
    cities = [resources.data_dir("examples") / c for c in resources.bundled_cities()]
    data = load_files(cities) if cities else Graph()
    result = check_consistency(_with(_with(ontology, reference), data))
    assert result.consistent, result.detail


@pytest.mark.parametrize("fixture", ["contradiction.ttl", "whistle-as-body.ttl"])
def test_contradictory_fixture_is_inconsistent(ontology: Graph, fixture: str):
    result = check_consistency(_with(ontology, fixture_graph(fixture)))
    assert not result.consistent


def test_disjointness_is_what_makes_it_inconsistent():
    # Without the ontology's axioms the same fixture is harmless: the check is not vacuous.
    result = check_consistency(fixture_graph("contradiction.ttl"))
    assert result.consistent
    assert check_consistency(_with(load_ontology(), fixture_graph("contradiction.ttl"))).consistent is False
