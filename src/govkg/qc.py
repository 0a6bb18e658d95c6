"""Quality checks that keep the ontology, vocabularies and shapes honest.

Each function returns a list of problems (empty when all is well), so that tests can show
both that the project passes and that a broken input is caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

from govkg.loader import load_files
from govkg.namespaces import GK

DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
_GK_IN_TEXT = re.compile(r"\bgk:([A-Za-z_][\w-]*)")


_NAMES = {RDFS.label: "rdfs:label", SKOS.definition: "skos:definition", SKOS.prefLabel: "skos:prefLabel"}


def _langs(graph: Graph, s: URIRef, p: URIRef) -> list[str]:
    return [o.language or "" for o in graph.objects(s, p) if isinstance(o, Literal)]


def _has_zh_en(graph: Graph, s: URIRef, p: URIRef) -> list[str]:
    langs = _langs(graph, s, p)
    missing = [lang for lang in ("zh", "en") if not any(x == lang or x.startswith(lang + "-") for x in langs)]
    dup = [lang for lang in ("zh", "en") if langs.count(lang) > 1]
    name = _NAMES.get(p, p.n3())
    return [f"no {name} @{m}" for m in missing] + [f"more than one {name} @{d}" for d in dup]


def ontology_header_problems(graph: Graph, version: str) -> list[str]:
    """Exactly one owl:Ontology, with a versioned IRI and owl:versionInfo equal to ``version``."""
    onts = sorted(set(graph.subjects(RDF.type, OWL.Ontology)))
    if len(onts) != 1:
        return [f"expected exactly one owl:Ontology, found {len(onts)}: {[str(o) for o in onts]}"]
    ont = onts[0]
    problems = []
    info = [str(v) for v in graph.objects(ont, OWL.versionInfo)]
    if info != [version]:
        problems.append(f"owl:versionInfo is {info}, the package version is {version!r}")
    viri = [str(v) for v in graph.objects(ont, OWL.versionIRI)]
    if viri != [f"{ont}/{version}"]:
        problems.append(f"owl:versionIRI is {viri}, expected ['{ont}/{version}']")
    return problems


def gk_terms_used(graph: Graph) -> set[URIRef]:
    """Every gk: IRI in a graph: in triples, and written as gk:name inside SPARQL strings."""
    used: set[URIRef] = set()
    for triple in graph:
        for node in triple:
            if isinstance(node, URIRef) and str(node).startswith(str(GK)):
                used.add(node)
            elif isinstance(node, Literal) and "gk:" in node:
                used.update(GK[m] for m in _GK_IN_TEXT.findall(str(node)))
    return used


def term_problems(ontology: Graph, used: Iterable[URIRef]) -> list[str]:
    """Each used gk: term is declared in the ontology, labelled in zh and en, and defined."""
    problems = []
    for term in sorted(set(used)):
        name = f"gk:{term[len(GK):]}"
        if not any((term, RDF.type, t) in ontology for t in DECLARATION_TYPES):
            problems.append(f"{name}: not declared in the ontology")
            continue
        problems += [f"{name}: {p}" for p in _has_zh_en(ontology, term, RDFS.label)]
        problems += [f"{name}: {p}" for p in _has_zh_en(ontology, term, SKOS.definition)]
    return problems


def declared_terms(ontology: Graph) -> set[URIRef]:
    return {
        s
        for t in DECLARATION_TYPES
        for s in ontology.subjects(RDF.type, t)
        if isinstance(s, URIRef) and str(s).startswith(str(GK))
    }


def concept_problems(graph: Graph) -> list[str]:
    """Every skos:Concept is in a scheme that exists and has one prefLabel @zh and one @en."""
    problems = []
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    for c in sorted(set(graph.subjects(RDF.type, SKOS.Concept))):
        in_schemes = set(graph.objects(c, SKOS.inScheme))
        if not in_schemes:
            problems.append(f"{c}: in no concept scheme")
        elif not in_schemes & schemes:
            problems.append(f"{c}: its scheme {sorted(map(str, in_schemes))} is not a skos:ConceptScheme")
        problems += [f"{c}: {p}" for p in _has_zh_en(graph, c, SKOS.prefLabel)]
    return problems


def shacl_shacl() -> Graph:
    """The SHACL-SHACL meta-shapes, as shipped inside pyshacl (a local file)."""
    import pyshacl

    return load_files([Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"])


def shapes_problems(shapes: Graph) -> list[str]:
    """Validate a shapes graph against SHACL-SHACL; one line per result."""
    from pyshacl import validate

    conforms, report, _ = validate(shapes, shacl_graph=shacl_shacl(), inference="none", do_owl_imports=False)
    if conforms:
        return []
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        out.append(f"{report.value(r, SH.focusNode)} {report.value(r, SH.resultPath)}: "
                   f"{report.value(r, SH.resultMessage)}")
    return sorted(out) or ["does not conform to SHACL-SHACL"]
