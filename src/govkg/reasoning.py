"""Consistency checking with HermiT, through owlready2 (needs Java on PATH).

HermiT implements the OWL 2 datatype map, which has no ``xsd:date``, ``xsd:duration`` or
``xsd:gYear``. Before reasoning, literals of those types become plain strings and range
axioms naming them are dropped; the class and property axioms, the ones that catch
nonsense (a street office that is also a functional department, a whistle used as a body),
are passed through unchanged.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass

from rdflib import Graph, Literal
from rdflib.namespace import RDFS, XSD

OWL2_UNSUPPORTED = {XSD.date, XSD.duration, XSD.gYear, XSD.gYearMonth, XSD.gMonth, XSD.gDay, XSD.time}


@dataclass(frozen=True)
class Consistency:
    consistent: bool
    detail: str


def owl2_compatible(graph: Graph) -> Graph:
    """A copy of ``graph`` that HermiT accepts (see the module docstring)."""
    out = Graph()
    for s, p, o in graph:
        if p == RDFS.range and o in OWL2_UNSUPPORTED:
            continue
        if isinstance(o, Literal) and o.datatype in OWL2_UNSUPPORTED:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def check_consistency(graph: Graph) -> Consistency:
    """Run HermiT over ``graph``; report whether it is consistent."""
    import owlready2

    compatible = owl2_compatible(graph)
    fd, path = tempfile.mkstemp(suffix=".nt", prefix="govkg-hermit-")
    os.close(fd)
    try:
        compatible.serialize(destination=path, format="nt", encoding="utf-8")
        world = owlready2.World()
        onto = world.get_ontology("file://" + path).load()
        try:
            with onto:
                owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
        except owlready2.OwlReadyInconsistentOntologyError as exc:
            return Consistency(False, str(exc) or "HermiT: the ontology is inconsistent")
        unsat = [str(c) for c in world.inconsistent_classes()]
        if unsat:
            return Consistency(True, "unsatisfiable classes: " + ", ".join(sorted(unsat)))
        return Consistency(True, "HermiT: consistent")
    finally:
        os.unlink(path)
