"""The ontology checks itself: one versioned owl:Ontology, every gk: term declared, labelled
and defined, every concept in a scheme with zh and en labels, shapes that obey SHACL-SHACL."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, all_bundled_rdf, fixture_graph
from rdflib import Graph

import govkg
from govkg import qc, resources
from govkg.loader import load_files


def test_version_is_the_installed_package_version():
    assert govkg.__version__ != "0+unknown", "govkg must be installed (pip install -e .) to run the tests"


def test_exactly_one_versioned_ontology():
    onto_files = sorted(resources.data_dir("ontology").rglob("*.ttl"))
    assert qc.ontology_header_problems(load_files(onto_files), govkg.__version__) == []


def test_ontology_header_check_catches_two_ontologies_and_wrong_version():
    problems = qc.ontology_header_problems(fixture_graph("two-ontologies.ttl"), "9.9.9")
    assert problems and "exactly one owl:Ontology" in problems[0]
    onto = load_files([resources.ontology_file()])
    assert any("versionInfo" in p for p in qc.ontology_header_problems(onto, "9.9.9"))


def test_every_gk_term_used_is_declared_labelled_and_defined(ontology: Graph):
    used = qc.gk_terms_used(load_files(all_bundled_rdf()))
    assert len(used) > 50
    assert qc.term_problems(ontology, used) == []


def test_every_declared_term_is_labelled_and_defined(ontology: Graph):
    assert qc.term_problems(ontology, qc.declared_terms(ontology)) == []


def test_term_check_catches_an_undeclared_term(ontology: Graph):
    used = qc.gk_terms_used(fixture_graph("undeclared-and-unlabelled.ttl"))
    assert qc.term_problems(ontology, used) == ["gk:noSuchProperty: not declared in the ontology"]


def test_term_check_catches_a_missing_english_label(ontology: Graph):
    broken = Graph()
    for t in ontology:
        broken.add(t)
    from rdflib.namespace import RDFS

    from govkg.namespaces import GK

    broken.remove((GK.Duty, RDFS.label, None))
    assert any("gk:Duty: no rdfs:label @en" in p for p in qc.term_problems(broken, {GK.Duty}))


def test_term_check_sees_gk_names_inside_sparql_strings():
    shapes = load_files([resources.shapes_file("core")])
    from govkg.namespaces import GK

    assert GK.legalBasis in qc.gk_terms_used(shapes)


def test_every_concept_is_in_a_scheme_with_zh_and_en_labels(ontology: Graph):
    graph = load_files(all_bundled_rdf())
    assert qc.concept_problems(graph) == []


def test_concept_check_catches_a_schemeless_half_labelled_concept():
    problems = qc.concept_problems(fixture_graph("undeclared-and-unlabelled.ttl"))
    assert any("in no concept scheme" in p for p in problems)
    assert any("no skos:prefLabel @en" in p for p in problems)


@pytest.mark.parametrize("shapes_file", sorted(p.name for p in resources.data_dir("shapes").glob("*.ttl")))
def test_shapes_conform_to_shacl_shacl(shapes_file: str):
    assert qc.shapes_problems(load_files([resources.data_dir("shapes") / shapes_file])) == []


def test_shacl_shacl_catches_broken_shapes():
    assert qc.shapes_problems(load_files([FIXTURES / "broken-shapes.ttl"])) != []
