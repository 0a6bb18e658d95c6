"""The dataset govkg serves and pushes: a city with its inferred routing and its gaps.

Three named graphs (their union is the default graph of ``govkg serve`` and, in most stores,
of a query that names no graph):

- ``https://w3id.org/govkg/id/<city>/``: the city with the ontology, vocabularies and reference
  data it was loaded with (the graph ``govkg.load`` gives);
- ``https://w3id.org/govkg/id/<city>/routing``: the routing answers for the city's recorded
  whistles (gk:Assignment, gk:lead, gk:fallbackTo): what the rules of shapes/routing.ttl infer,
  computed by the fast engine (``govkg.fast.assignments``, the default) or by running the rules
  (``govkg.route.infer_assignments``, ``engine="shacl"``); tests/test_fast_equivalence.py shows
  both give the same triples;
- ``https://w3id.org/govkg/id/<city>/gaps``: the audit findings on the build date (the fast audit
  by default, the SHACL audit with ``engine="shacl"``; the same findings), one
  ``sh:ValidationResult`` each, with ``gk:gapType``, ``sh:focusNode``, ``sh:resultSeverity``,
  ``sh:resultMessage`` (@zh, @en) and ``gk:legalGround``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, SH, XSD

from govkg.namespaces import GK, ID, bind_all

SEVERITIES = {"violation": SH.Violation, "warning": SH.Warning, "info": SH.Info}
ENGINES = ("fast", "shacl")


def city_graph_iri(city: str) -> str:
    return f"{ID}{city}/"


def routing_graph_iri(city: str) -> str:
    return f"{ID}{city}/routing"


def gaps_graph_iri(city: str) -> str:
    return f"{ID}{city}/gaps"


@dataclass
class Dataset:
    city: str
    graphs: dict[str, Graph]
    routing_inferred: bool = False
    gaps_on: date | None = None
    notes: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(g) for g in self.graphs.values())


def infer_routing(graph: Graph) -> Graph | None:
    """The triples ``govkg.route.infer_assignments`` adds to ``graph``; None without govkg.route."""
    try:
        from govkg.route import infer_assignments
    except ImportError:
        return None
    data = bind_all(Graph())
    data += graph
    result = infer_assignments(data)
    inferred = bind_all(Graph())
    for source in (data, result) if isinstance(result, Graph) and result is not data else (data,):
        for triple in source:
            if triple not in graph:
                inferred.add(triple)
    return inferred


def gaps_graph(report: Any, city: str) -> Graph:
    """An audit report (``govkg.audit.AuditReport``) as RDF, one sh:ValidationResult per finding."""
    g = bind_all(Graph())
    base = f"{ID}{city}/finding/"
    for f in report.findings:
        key = "\x1f".join([f.code, f.focus, f.shape, f.message_en])
        node = URIRef(base + hashlib.sha1(key.encode()).hexdigest()[:16])
        g.add((node, RDF.type, SH.ValidationResult))
        if f.focus:
            g.add((node, SH.focusNode, URIRef(f.focus)))
        g.add((node, SH.resultSeverity, SEVERITIES.get(f.severity, SH.Info)))
        g.add((node, SH.resultMessage, Literal(f.message_zh, lang="zh")))
        g.add((node, SH.resultMessage, Literal(f.message_en, lang="en")))
        gap = report.gap_types.get(f.code)
        if gap is not None:
            g.add((node, GK.gapType, URIRef(gap.iri)))
        if f.shape:
            g.add((node, SH.sourceShape, URIRef(f.shape)))
        for ground in f.legal_ground:
            g.add((node, GK.legalGround, URIRef(ground)))
        g.add((node, DCTERMS.date, Literal(report.at.isoformat(), datatype=XSD.date)))
    return g


def fast_router(kb: Any) -> Any:
    """The fast engine's router for a loaded city: compiled from its files (and cached) when it
    was loaded from files, else from its graph. Raises govkg.fast.Unsupported."""
    from govkg.fast import load_router, router_from_graph

    path = getattr(kb, "path", None)
    if path is not None and path.exists():
        return load_router(path)
    return router_from_graph(kb.graph, name=kb.name)


def build_dataset(kb: Any, routing: bool = True, gaps: bool = True, at: date | None = None,
                  engine: str = "fast", router: Any = None) -> Dataset:
    """The named graphs of a loaded city (``govkg.load(...)``). ``engine``: ``"fast"`` computes
    the routing graph and the gaps with the fast engine (``router``, else one compiled here),
    falling back to the rules where it does not apply; ``"shacl"`` runs the rules and shapes."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    ds = Dataset(city=kb.name, graphs={city_graph_iri(kb.name): kb.graph})
    if engine == "fast" and (routing or gaps):
        from govkg.fast import Unsupported

        try:
            router = router or fast_router(kb)
        except Unsupported as exc:
            ds.notes.append(f"the fast engine does not apply ({exc}); the rules and shapes were run")
            engine, router = "shacl", None
    if routing:
        inferred = _fast_routing(ds, router, kb.graph) if engine == "fast" else None
        if inferred is None:
            inferred = infer_routing(kb.graph)
        if inferred is None:
            ds.notes.append("govkg.route is not installed: the routing graph is empty")
        else:
            ds.graphs[routing_graph_iri(kb.name)] = inferred
            ds.routing_inferred = True
    if gaps:
        report = _fast_audit(ds, router, kb.name, at) if engine == "fast" else None
        if report is None:
            from govkg.audit import audit

            report = audit(kb, at=at)
        ds.graphs[gaps_graph_iri(kb.name)] = gaps_graph(report, kb.name)
        ds.gaps_on = report.at
    return ds


def _fast_routing(ds: Dataset, router: Any, graph: Graph) -> Graph | None:
    from govkg.fast import Unsupported
    from govkg.fast.assignments import routing_triples

    try:
        triples = routing_triples(router, graph)
    except Unsupported as exc:
        ds.notes.append(f"routing graph: the fast engine does not apply ({exc}); the rules were run")
        return None
    inferred = bind_all(Graph())
    for triple in triples:
        if triple not in graph:
            inferred.add(triple)
    return inferred


def _fast_audit(ds: Dataset, router: Any, city: str, at: date | None) -> Any:
    from govkg.fast import Unsupported
    from govkg.fast.audit import audit_facts, load_shapes_facts

    try:
        return audit_facts(router.facts, load_shapes_facts(), router.model, city=city, at=at)
    except Unsupported as exc:
        ds.notes.append(f"gaps: the fast audit does not apply ({exc}); the shapes were run")
        return None


def memory_store(ds: Dataset) -> Any:
    """An in-memory pyoxigraph store holding the dataset's named graphs."""
    import pyoxigraph as ox

    store = ox.Store()
    for iri, graph in ds.graphs.items():
        data = graph.serialize(format="nt", encoding="utf-8")
        store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(iri))
    return store
