"""The routing graph by the fast engine: the triples ``shapes/routing.ttl`` infers for the
whistles recorded in a city (what :func:`govkg.route.infer_assignments` adds), without running
the rules.

For each recorded gk:Whistle W: one gk:Assignment per body or leading post that must report,
``<W>/assignment/<md5(assignee)>``, with gk:forWhistle, gk:assignedTo, gk:viaDuty, gk:viaTransfer,
gk:role, gk:requiredRank, gk:deadline and prov:wasDerivedFrom; on W, gk:lead, or gk:fallbackTo
and gk:fallbackGround. tests/test_fast_equivalence.py checks that the triples are the ones the
rules infer, city by city.
"""

from __future__ import annotations

import hashlib

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from govkg.fast import vocab as v
from govkg.fast.facts import sort_key
from govkg.fast.model import RouteModel, Unsupported, deadlines
from govkg.fast.router import FastRouter

GK = v.GK
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def _one(graph: Graph, whistle: URIRef, prop: str) -> str | None:
    values = list(graph.objects(whistle, URIRef(GK + prop)))
    if len(values) > 1:
        raise Unsupported(f"{whistle}: a recorded whistle with several values of gk:{prop}")
    return str(values[0]) if values else None


def routing_triples(router: FastRouter, graph: Graph) -> Graph:
    """What the routing rules infer for every gk:Whistle in ``graph`` (a city loaded with the
    ontology, vocabularies and reference data), computed by ``router`` (compiled from the same
    city). Raises :class:`govkg.fast.Unsupported` where the engine does not follow the rules."""
    model = router.model
    out = Graph()
    for w in sorted(set(graph.subjects(RDF.type, URIRef(GK + "Whistle"))), key=str):
        if not isinstance(w, URIRef):
            raise Unsupported(f"a recorded whistle without an IRI ({w})")
        matter, area = _one(graph, w, "matter"), _one(graph, w, "area")
        severity = _one(graph, w, "severity") or v.SEV_ORDINARY
        if area is None:
            continue
        raised = list(graph.objects(w, URIRef(GK + "raisedAt")))
        if len(raised) > 1:
            raise Unsupported(f"{w}: a recorded whistle with several values of gk:raisedAt")
        at = raised[0] if raised else None
        if not isinstance(at, Literal) or at.datatype != XSD.dateTime:
            raise Unsupported(f"{w}: gk:raisedAt is not an xsd:dateTime")
        core = model.compute_core(matter or "urn:govkg:no-matter", area, severity, str(at)[:10])
        for r in core.respondents:
            a = URIRef(f"{w}/assignment/{hashlib.md5(r.who.encode()).hexdigest()}")
            out.add((a, RDF.type, URIRef(GK + "Assignment")))
            out.add((a, URIRef(GK + "forWhistle"), w))
            out.add((a, URIRef(GK + "assignedTo"), URIRef(r.who)))
            out.add((a, URIRef(GK + "role"), URIRef(f"{v.VOCAB}role/{r.role}")))
            for duty in r.duties:
                out.add((a, URIRef(GK + "viaDuty"), URIRef(duty)))
            for transfer in r.transfers:
                out.add((a, URIRef(GK + "viaTransfer"), URIRef(transfer)))
            for rank in r.ranks:
                out.add((a, URIRef(GK + "requiredRank"), URIRef(rank)))
            for deadline in deadlines(str(at), r.times):
                out.add((a, URIRef(GK + "deadline"), Literal(deadline, datatype=XSD.dateTime)))
            for level in r.levels:
                out.add((a, PROV_DERIVED, URIRef(level)))
        if core.lead is not None:
            out.add((w, URIRef(GK + "lead"), URIRef(core.lead)))
        if core.fallback is not None:
            _fallback(out, model, w, area)
    return out


def _fallback(out: Graph, model: RouteModel, whistle: URIRef, area: str) -> None:
    """gkr:Fallback: every district government whose jurisdiction contains the area."""
    govs = {
        g for a in model.astar(area) for g in model.bodies_by_spatial.get(a, ()) if g in model.district_govs
    }
    for gov in sorted(govs, key=sort_key):
        out.add((whistle, URIRef(GK + "fallbackTo"), URIRef(gov)))
        for ground in v.FALLBACK_GROUNDS:
            out.add((whistle, URIRef(GK + "fallbackGround"), URIRef(ground)))
