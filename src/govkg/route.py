"""Who must answer a whistle: run the routing rules (shapes/routing.ttl) and read the answer.

The SHACL-AF rules in ``shapes/routing.ttl`` are the reference semantics (docs/routing.md).
This module only runs them with pyshacl and reads back what they inferred:

- :func:`infer_assignments` runs the rules over a graph that already holds the ontology,
  vocabularies, reference data and a city, and adds the inferred triples to it;
- :func:`route` asks about one whistle without changing ``kb.graph``;
- :func:`route_specs` routes many whistles with one run of the rules (``govkg route-batch``);
- :func:`routing_gaps` checks the gap shapes of the same file after the rules have run.

The rules run on an in-memory pyoxigraph store when pyoxigraph is installed (the same rules,
run by pyshacl with a faster SPARQL engine; tests check that both engines infer the same
triples), else on the rdflib graph itself.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SH, SKOS, XSD
from rdflib.term import Node

from govkg import resources
from govkg.errors import InputError
from govkg.loader import load_files
from govkg.namespaces import GK, ORG, SEV, bind_all

GKR = Namespace("https://w3id.org/govkg/shapes/routing#")
GAP_SHAPES = (GKR.Overlap, GKR.Uncovered, GKR.Community)
CHINA_TIME = timezone(timedelta(hours=8), "CST")
ENGINES = ("auto", "oxigraph", "rdflib")
_SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


# ---------------------------------------------------------------------------
# Running the rules
# ---------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _parsed_routing_shapes() -> Graph:
    return load_files([resources.shapes_file("routing")])


def _routing_shapes() -> Graph:
    """A fresh copy for each run: pyshacl adds a few triples to the shapes graph it is given."""
    out = bind_all(Graph())
    out += _parsed_routing_shapes()
    return out


def _gap_shapes() -> Graph:
    """The routing shapes without the rules (pyshacl's use_shapes skips nested property shapes)."""
    out = _routing_shapes()
    out.remove((None, SH.rule, None))
    out.remove((GKR.Routing, SH.targetNode, None))
    return out


def routing_shapes() -> Graph:
    """A fresh copy of the routing shapes graph (rules and gap shapes)."""
    return _routing_shapes()


def _has_oxigraph() -> bool:
    """pyoxigraph is installed and pyshacl can run rules on its stores (pyshacl 0.40 and later)."""
    try:
        import pyoxigraph  # noqa: F401
        from pyshacl.graph_abstraction import has_oxigraph
    except ImportError:
        return False
    return bool(has_oxigraph)


def infer_assignments(graph: Graph, engine: str = "auto") -> Graph:
    """Run the routing rules over ``graph`` and add what they infer to it; return ``graph``.

    ``graph`` must already hold the ontology, vocabularies, reference data and a city (see
    :func:`govkg.validate.full_graph` and :func:`govkg.kb.load`). Every ``gk:Whistle`` in it is
    routed: ``gk:Assignment`` nodes (``gk:forWhistle``, ``gk:assignedTo``, ``gk:viaDuty``,
    ``gk:viaTransfer``, ``gk:role``, ``gk:requiredRank``, ``gk:deadline``) and, on the whistle,
    ``gk:lead`` or ``gk:fallbackTo`` / ``gk:fallbackGround``. Running it again adds nothing.

    ``engine``: ``"oxigraph"`` (pyshacl over a pyoxigraph store, fast), ``"rdflib"`` (pyshacl
    over the rdflib graph), or ``"auto"`` (oxigraph when installed).
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; one of {', '.join(ENGINES)}")
    if engine == "auto":
        engine = "oxigraph" if _has_oxigraph() else "rdflib"
    if engine == "rdflib":
        _run_rules_rdflib(graph)
    else:
        _run_rules_oxigraph(graph)
    return graph


def _run_rules_rdflib(graph: Graph) -> None:
    from pyshacl import shacl_rules

    shacl_rules(graph, shacl_graph=_routing_shapes(), inplace=True, inference="none", do_owl_imports=False)


def _to_ox(node: Node) -> Any:
    import pyoxigraph as ox

    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        return ox.BlankNode(str(node))
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype:
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise TypeError(f"cannot store {node!r}")


def _from_ox(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == str(XSD.string):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def _run_rules_oxigraph(graph: Graph) -> None:
    import pyoxigraph as ox
    from pyshacl import shacl_rules

    store = ox.Store()
    store.extend(ox.Quad(_to_ox(s), _to_ox(p), _to_ox(o), ox.DefaultGraph()) for s, p, o in graph)
    before = set(store)
    shacl_rules(store, shacl_graph=_routing_shapes(), inplace=True, inference="none", do_owl_imports=False)
    # Only the quads the rules added go back (compared in oxigraph's own terms, which may write
    # some literals differently from rdflib). The rules mint IRIs, never blank nodes.
    for quad in set(store) - before:
        graph.add((_from_ox(quad.subject), _from_ox(quad.predicate), _from_ox(quad.object)))


@dataclass(frozen=True)
class GapHit:
    """One routing gap found by the gap shapes of shapes/routing.ttl."""

    whistle: URIRef
    gap_type: URIRef
    value: URIRef | None


def routing_gaps(graph: Graph, whistles: Sequence[URIRef]) -> list[GapHit]:
    """Check the routing gap shapes (after :func:`infer_assignments`) on the given whistles."""
    from pyshacl import validate

    if not whistles:
        return []
    shapes = _gap_shapes()
    # No focus_nodes: pyshacl 0.40 also filters the nodes of nested shapes (sh:qualifiedValueShape)
    # by them, which makes the gap shapes wrong. Every whistle is checked; results are filtered.
    wanted = set(whistles)
    _conforms, report, _text = validate(
        graph,
        shacl_graph=shapes,
        advanced=False,
        inference="none",
        allow_warnings=True,
        do_owl_imports=False,
        inplace=True,
    )
    hits: set[GapHit] = set()
    for res in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(res, SH.focusNode)
        shape = report.value(res, SH.sourceShape)
        gap_type = _gap_type_of(shapes, shape)
        if gap_type is None or focus not in wanted:
            continue
        value = report.value(res, SH.value)
        hits.add(GapHit(focus, gap_type, value if isinstance(value, URIRef) and value != focus else None))
    return sorted(hits, key=lambda h: (str(h.whistle), str(h.gap_type), str(h.value or "")))


def _gap_type_of(shapes: Graph, shape: Node | None) -> URIRef | None:
    if shape is None:
        return None
    found = shapes.value(shape, GK.gapType)
    if found is None:
        parent = shapes.value(predicate=SH.property, object=shape)
        found = shapes.value(parent, GK.gapType) if parent is not None else None
    return found if isinstance(found, URIRef) else None


# ---------------------------------------------------------------------------
# The answer
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Ref:
    """A node with its Chinese and English labels."""

    iri: str
    label_zh: str
    label_en: str

    @property
    def label(self) -> str:
        if self.label_zh == self.label_en:
            return self.label_zh
        return f"{self.label_zh} / {self.label_en}"

    def to_dict(self) -> dict[str, Any]:
        return {"iri": self.iri, "label": {"zh": self.label_zh, "en": self.label_en}}


@dataclass(frozen=True)
class Basis:
    """Why a respondent must answer: one duty, its legal provisions, its sources, and the
    transfer it came through (None when the holder answers its own duty)."""

    duty: Ref
    provision: list[Ref] = field(default_factory=list)
    source: list[Ref] = field(default_factory=list)
    transfer: Ref | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "duty": self.duty.to_dict(),
            "provision": [p.to_dict() for p in self.provision],
            "source": [s.to_dict() for s in self.source],
            "transfer": self.transfer.to_dict() if self.transfer else None,
        }


@dataclass(frozen=True)
class Respondent:
    """A body or leading post that must report on the whistle."""

    iri: str
    label_zh: str
    label_en: str
    role: str
    ranks: list[Ref]
    deadline: str | None
    basis: list[Basis]
    via_transfer: Ref | None
    kind: str = "body"
    derived_from: Ref | None = None

    @property
    def label(self) -> str:
        return Ref(self.iri, self.label_zh, self.label_en).label

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "kind": self.kind,
            "role": self.role,
            "ranks": [r.to_dict() for r in self.ranks],
            "deadline": self.deadline,
            "basis": [b.to_dict() for b in self.basis],
            "via_transfer": self.via_transfer.to_dict() if self.via_transfer else None,
            "escalation_level": self.derived_from.to_dict() if self.derived_from else None,
        }


@dataclass(frozen=True)
class Fallback:
    """The district government a whistle nobody answers falls back to, and the legal ground."""

    body: Ref
    ground: list[Ref]

    def to_dict(self) -> dict[str, Any]:
        return {**self.body.to_dict(), "ground": [g.to_dict() for g in self.ground]}


@dataclass(frozen=True)
class Gap:
    """A responsibility gap the routing of this whistle reveals (codes from ontology/vocab/gap.ttl)."""

    code: str
    message_zh: str
    message_en: str
    severity: str
    focus: str
    evidence: list[str] = field(default_factory=list)
    legal_ground: list[Ref] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": {"zh": self.message_zh, "en": self.message_en},
            "severity": self.severity,
            "focus": self.focus,
            "evidence": list(self.evidence),
            "legal_ground": [g.to_dict() for g in self.legal_ground],
        }


@dataclass(frozen=True)
class WhistleInfo:
    iri: str
    matter: Ref
    area: Ref
    at: str
    severity: Ref
    raised_by: Ref | None = None

    @property
    def severity_name(self) -> str:
        return self.severity.iri.rsplit("/", 1)[-1]

    def to_dict(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "matter": self.matter.to_dict(),
            "area": self.area.to_dict(),
            "at": self.at,
            "severity": self.severity_name,
            "raised_by": self.raised_by.to_dict() if self.raised_by else None,
        }


@dataclass(frozen=True)
class RouteResult:
    """Who must answer one whistle: lead, respondents, fallback and gaps."""

    whistle: WhistleInfo
    lead: Ref | None
    respondents: list[Respondent]
    fallback: Fallback | None
    gaps: list[Gap]

    @property
    def answered(self) -> bool:
        """True when someone must answer: a respondent, or the district government by fallback."""
        return bool(self.respondents) or self.fallback is not None

    @property
    def gap_codes(self) -> list[str]:
        return [g.code for g in self.gaps]

    def to_dict(self) -> dict[str, Any]:
        return {
            "whistle": self.whistle.to_dict(),
            "lead": self.lead.to_dict() if self.lead else None,
            "respondents": [r.to_dict() for r in self.respondents],
            "fallback": self.fallback.to_dict() if self.fallback else None,
            "gaps": [g.to_dict() for g in self.gaps],
        }

    def explain(self) -> str:
        """The answer for a person, in Chinese and English."""
        return explain(self)


# ---------------------------------------------------------------------------
# Reading what the rules inferred
# ---------------------------------------------------------------------------
def _text(graph: Graph, node: Node, lang: str) -> str | None:
    for prop in (SKOS.prefLabel, RDFS.label):
        for lit in graph.objects(node, prop):
            tag = lit.language if isinstance(lit, Literal) else None
            if tag and (tag == lang or tag.startswith(lang + "-")):
                return str(lit)
    return None


def ref(graph: Graph, node: Node) -> Ref:
    """``node`` with its zh and en labels (each falls back to the other, then to the IRI's end)."""
    zh = _text(graph, node, "zh")
    en = _text(graph, node, "en")
    tail = str(node).rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return Ref(str(node), zh or en or tail, en or zh or tail)


def _refs(graph: Graph, nodes: Iterable[Node]) -> list[Ref]:
    return [ref(graph, n) for n in sorted(set(nodes), key=str)]


def _seniority(graph: Graph, rank: Node) -> int:
    value = graph.value(rank, GK.seniority)
    try:
        return int(value) if value is not None else 0
    except (TypeError, ValueError):
        return 0


def _role_name(role: Node | None) -> str:
    return str(role).rsplit("/", 1)[-1] if role is not None else "cooperate"


def _read_respondent(graph: Graph, assignment: Node) -> Respondent:
    who = graph.value(assignment, GK.assignedTo)
    roles = {_role_name(r) for r in graph.objects(assignment, GK.role)}
    role = "lead" if "lead" in roles else (sorted(roles)[0] if roles else "cooperate")
    ranks = sorted(set(graph.objects(assignment, GK.requiredRank)),
                   key=lambda r: (-_seniority(graph, r), str(r)))
    deadlines = sorted(str(d) for d in graph.objects(assignment, GK.deadline))
    transfers = sorted(set(graph.objects(assignment, GK.viaTransfer)), key=str)
    basis = []
    for duty in sorted(set(graph.objects(assignment, GK.viaDuty)), key=str):
        through = next((t for t in transfers if (t, GK.transferredDuty, duty) in graph), None)
        basis.append(
            Basis(
                duty=ref(graph, duty),
                provision=_refs(graph, graph.objects(duty, GK.legalBasis)),
                source=_refs(graph, graph.objects(duty, DCTERMS.source)),
                transfer=ref(graph, through) if through is not None else None,
            )
        )
    level = graph.value(assignment, _PROV_DERIVED)
    kind = "post" if (who, RDF.type, ORG.Post) in graph else "body"
    r = ref(graph, who)
    return Respondent(
        iri=r.iri,
        label_zh=r.label_zh,
        label_en=r.label_en,
        role=role,
        ranks=[ref(graph, x) for x in ranks],
        deadline=deadlines[0] if deadlines else None,
        basis=basis,
        via_transfer=ref(graph, transfers[0]) if transfers else None,
        kind=kind,
        derived_from=ref(graph, level) if level is not None else None,
    )


_PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def read_result(graph: Graph, whistle: URIRef, hits: Sequence[GapHit] = ()) -> RouteResult:
    """The answer for ``whistle`` from a graph the rules have run over."""
    lead_node = graph.value(whistle, GK.lead)
    respondents = [_read_respondent(graph, a) for a in set(graph.subjects(GK.forWhistle, whistle))]
    respondents.sort(
        key=lambda r: (r.iri != str(lead_node), r.kind != "post", r.role != "lead", r.label_zh, r.iri)
    )
    fb = graph.value(whistle, GK.fallbackTo)
    grounds = _refs(graph, graph.objects(whistle, GK.fallbackGround))
    fallback = Fallback(ref(graph, fb), grounds) if fb is not None else None
    info = _whistle_info(graph, whistle)
    result = RouteResult(
        whistle=info,
        lead=ref(graph, lead_node) if lead_node is not None else None,
        respondents=respondents,
        fallback=fallback,
        gaps=[],
    )
    gaps = [_gap(graph, result, h) for h in hits if h.whistle == whistle]
    gaps.sort(key=lambda g: (g.code, g.evidence))
    return RouteResult(info, result.lead, respondents, fallback, gaps)


def _whistle_info(graph: Graph, whistle: URIRef) -> WhistleInfo:
    severity = graph.value(whistle, GK.severity) or SEV.ordinary
    raised_by = graph.value(whistle, GK.raisedBy)
    return WhistleInfo(
        iri=str(whistle),
        matter=ref(graph, graph.value(whistle, GK.matter)),
        area=ref(graph, graph.value(whistle, GK.area)),
        at=str(graph.value(whistle, GK.raisedAt) or ""),
        severity=ref(graph, severity),
        raised_by=ref(graph, raised_by) if raised_by is not None else None,
    )


def _gap(graph: Graph, result: RouteResult, hit: GapHit) -> Gap:
    concept = hit.gap_type
    code = str(graph.value(concept, SKOS.notation) or concept.rsplit("/", 1)[-1])
    severity = _SEVERITY_NAMES.get(graph.value(concept, SH.severity), "violation")
    grounds = _refs(graph, graph.objects(concept, GK.legalGround))
    community = None
    if code == "GAP-COMMUNITY":
        who = graph.value(hit.value, GK.assignedTo) if hit.value is not None else None
        duties = sorted(str(d) for d in graph.objects(hit.value, GK.viaDuty)) if hit.value is not None else []
        outside = [ref(graph, URIRef(d)) for d in duties if not _in_community_list(graph, URIRef(d))]
        community = (ref(graph, who) if who is not None else None, outside)
    return gap_finding(code, ref(graph, concept), severity, grounds, result, community)


def gap_finding(code: str, kind: Ref, severity: str, grounds: list[Ref], result: RouteResult,
                community: tuple[Ref | None, list[Ref]] | None = None) -> Gap:
    """A routing gap of ``result`` with its zh/en message and evidence (both engines use this).
    ``kind`` is the gap type; ``community`` for GAP-COMMUNITY: the community body handed the
    matter and the duties it got that are in no community duty list."""
    w = result.whistle
    bodies = [r for r in result.respondents if r.kind == "body"]
    names_zh = "、".join(r.label_zh for r in bodies)
    names_en = ", ".join(r.label_en for r in bodies)
    evidence: list[str] = []
    if code == "GAP-OVERLAP":
        leads = [r for r in bodies if r.role == "lead"]
        if leads:
            why_zh = f"其中{len(leads)}个都持有牵头职责"
            why_en = f"{len(leads)} of them hold a lead duty"
        else:
            why_zh, why_en = "没有一个持有牵头职责", "none holds a lead duty"
        zh = f"{kind.label_zh}：{len(bodies)}个主体须响应（{names_zh}），{why_zh}，没有唯一的牵头主体"
        en = (f"{kind.label_en}: {len(bodies)} bodies must answer ({names_en}) and {why_en}, "
              "so there is no single lead")
        evidence = [r.iri for r in bodies]
    elif code == "GAP-UNCOVERED":
        zh = (f"{kind.label_zh}：{w.at[:10]}没有有效职责覆盖{w.area.label_zh}的“{w.matter.label_zh}”，"
              "责任主体不明确")
        en = (f"{kind.label_en}: on {w.at[:10]} no valid duty covers '{w.matter.label_en}' in "
              f"{w.area.label_en}; the responsible body is unclear")
        if result.fallback:
            zh += f"，兜底至{result.fallback.body.label_zh}"
            en += f"; it falls back to {result.fallback.body.label_en}"
        else:
            zh += "，且没有包含该区域的区人民政府可兜底"
            en += "; and no district government's jurisdiction contains the area to fall back to"
        evidence = [w.matter.iri, w.area.iri]
    elif code == "GAP-COMMUNITY":
        who, outside = community or (None, [])
        body = who if who is not None else Ref("", "社区", "a community")
        duty_zh = "、".join(d.label_zh for d in outside)
        duty_en = ", ".join(d.label_en for d in outside)
        zh = f"{kind.label_zh}：{body.label_zh}经由不在任何社区职责清单内的职责（{duty_zh}）被派办"
        en = (f"{kind.label_en}: {body.label_en} is handed the matter through duties in no community "
              f"duty list ({duty_en})")
        evidence = [body.iri, *(d.iri for d in outside)]
    else:  # a gap shape added to routing.ttl without a message here
        zh, en = kind.label_zh, kind.label_en
    return Gap(code, zh, en, severity, w.iri, evidence, grounds)


def _in_community_list(graph: Graph, duty: URIRef) -> bool:
    return any((lst, RDF.type, GK.CommunityDutyList) in graph for lst in graph.objects(duty, GK.memberOf))


# ---------------------------------------------------------------------------
# Asking
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class WhistleSpec:
    """A whistle to route, with its terms already resolved to IRIs."""

    matter: URIRef
    area: URIRef
    at: str
    severity: URIRef | None = None
    raised_by: URIRef | None = None

    def iri(self, salt: str = "") -> URIRef:
        key = "|".join([salt, str(self.matter), str(self.area), self.at, str(self.severity or ""),
                        str(self.raised_by or "")])
        return URIRef("urn:govkg:whistle:" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:20])

    def add_to(self, graph: Graph, iri: URIRef) -> None:
        graph.add((iri, RDF.type, GK.Whistle))
        graph.add((iri, GK.matter, self.matter))
        graph.add((iri, GK.area, self.area))
        graph.add((iri, GK.raisedAt, Literal(self.at, datatype=XSD.dateTime)))
        if self.severity is not None:
            graph.add((iri, GK.severity, self.severity))
        if self.raised_by is not None:
            graph.add((iri, GK.raisedBy, self.raised_by))


def parse_time(
    value: str | date | datetime | None, where: str | None = "--at", line: int | None = None
) -> str:
    """An xsd:dateTime lexical form in China Standard Time (UTC+8).

    Accepts a date (``2019-09-01``, read as midnight), a date and time (``2019-09-01T10:00``,
    ``2019-09-01 10:00:00``, with or without an offset), a :class:`date` or :class:`datetime`,
    or None for now. A time without an offset is read as China Standard Time; a time with an
    offset is converted to it, so that validity is judged on the Chinese calendar date.
    """
    if value is None:
        moment = datetime.now(CHINA_TIME)
    elif isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime(value.year, value.month, value.day)
    else:
        text = str(value).strip()
        try:
            if len(text) == 10:
                d = date.fromisoformat(text)
                moment = datetime(d.year, d.month, d.day)
            else:
                moment = datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                where,
                f"bad date or time {text!r}: expected YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00]",
                line=line,
            ) from None
    moment = moment.replace(tzinfo=CHINA_TIME) if moment.tzinfo is None else moment.astimezone(CHINA_TIME)
    return moment.replace(microsecond=0).isoformat()


def _working_copy(graph: Graph) -> Graph:
    copy = bind_all(Graph())
    copy += graph
    return copy


def route_specs(graph: Graph, specs: Sequence[WhistleSpec], engine: str = "auto") -> list[RouteResult]:
    """Route many whistles with one run of the rules, on a copy of ``graph`` (left unchanged)."""
    if not specs:
        return []
    work = _working_copy(graph)
    iris = [spec.iri(salt=str(i)) for i, spec in enumerate(specs)]
    for spec, iri in zip(specs, iris, strict=True):
        spec.add_to(work, iri)
    infer_assignments(work, engine=engine)
    hits = routing_gaps(work, iris)
    by_whistle: dict[URIRef, list[GapHit]] = {}
    for h in hits:
        by_whistle.setdefault(h.whistle, []).append(h)
    return [read_result(work, iri, by_whistle.get(iri, [])) for iri in iris]


def route(
    kb: Any,
    matter: str,
    area: str,
    at: str | date | datetime | None = None,
    severity: str | None = None,
    raised_by: str | None = None,
    engine: str = "auto",
) -> RouteResult:
    """Who must answer a whistle about ``matter`` in ``area`` at ``at`` (default now).

    ``kb`` is a :class:`govkg.kb.KnowledgeBase` (anything with a ``.graph``). Terms may be
    labels (zh or en), alternative labels, notations, IRIs or prefixed names (see
    :mod:`govkg.terms`); an unknown or ambiguous term, or a bad date, raises InputError.
    ``kb.graph`` is not changed: the whistle is added to a working copy.
    """
    from govkg.terms import resolve_area, resolve_body, resolve_matter, resolve_severity

    graph = kb.graph
    spec = WhistleSpec(
        matter=resolve_matter(graph, matter),
        area=resolve_area(graph, area),
        at=parse_time(at),
        severity=resolve_severity(graph, severity) if severity else None,
        raised_by=resolve_body(graph, raised_by) if raised_by else None,
    )
    return route_specs(graph, [spec], engine=engine)[0]


# ---------------------------------------------------------------------------
# Text for people
# ---------------------------------------------------------------------------
_ROLE_ZH = {"lead": "牵头", "cooperate": "配合"}


def explain(result: RouteResult) -> str:
    w = result.whistle
    lines = [
        f"吹哨 Whistle: {w.matter.label} @ {w.area.label}",
        f"  时间 at: {w.at}    等级 severity: {w.severity.label}"
        + (f"    吹哨主体 raised by: {w.raised_by.label}" if w.raised_by else ""),
    ]
    lines.append(f"牵头 Lead: {result.lead.label if result.lead else '无 none'}")
    if result.respondents:
        lines.append(f"报到 Respondents ({len(result.respondents)}):")
        for i, r in enumerate(result.respondents, 1):
            kind = "领导岗位 leading post" if r.kind == "post" else "主体 body"
            lines.append(f"  {i}. {r.label}  [{_ROLE_ZH.get(r.role, r.role)} {r.role}; {kind}]")
            ranks = "; ".join(x.label for x in r.ranks) or "未规定 none set"
            lines.append(f"     职级 ranks: {ranks}")
            lines.append(f"     时限 deadline: {r.deadline or '未规定 none set'}")
            for b in r.basis:
                lines.append(f"     依据 basis: {b.duty.label}")
                if b.provision:
                    lines.append(f"       条款 provision: {'; '.join(p.label for p in b.provision)}")
                if b.source:
                    lines.append(f"       来源 source: {'; '.join(s.label for s in b.source)}")
                if b.transfer:
                    lines.append(f"       经由下放 via transfer: {b.transfer.label}")
            if r.kind == "post" and r.derived_from:
                lines.append(f"     依据 basis: {r.derived_from.label}")
    else:
        lines.append("报到 Respondents: 无 none")
    if result.fallback:
        lines.append(f"兜底 Fallback: {result.fallback.body.label}")
        for g in result.fallback.ground:
            lines.append(f"  依据 ground: {g.label}")
    else:
        lines.append("兜底 Fallback: 无 none")
    if result.gaps:
        lines.append("缺口 Gaps:")
        for g in result.gaps:
            lines.append(f"  [{g.code}] ({g.severity}) {g.message_zh}")
            lines.append(f"      {g.message_en}")
    else:
        lines.append("缺口 Gaps: 无 none")
    return "\n".join(lines)


__all__ = [
    "Basis",
    "Fallback",
    "Gap",
    "GapHit",
    "Ref",
    "Respondent",
    "RouteResult",
    "WhistleInfo",
    "WhistleSpec",
    "explain",
    "infer_assignments",
    "parse_time",
    "read_result",
    "route",
    "route_specs",
    "routing_gaps",
    "routing_shapes",
]
