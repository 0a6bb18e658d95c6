"""Side-by-side metrics of city models (``govkg compare A B [C ...]``).

Each metric is computed from the RDF of one city with plain SPARQL and two networkx graphs:

- the **responsibility graph**: bodies and matters, an edge body → matter for every duty in
  force (not supervisory) and for every transfer in force (to the receiving body);
- the **organisation graph**: bodies, an edge child → parent for ``org:subOrganizationOf``
  and ``org:unitOf``.

Both can be written as GraphML for Gephi (:func:`write_graphml`). Every metric has a key, a
zh and en label and a definition (``METRICS``, also in docs/compare.md); the definitions are
the contract that tests check against independent SPARQL counts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from govkg.errors import InputError
from govkg.namespaces import GK, ORG, ROLE, sparql_prologue

# ---------------------------------------------------------------------------
# Small graph helpers shared by compare, reform and report
# ---------------------------------------------------------------------------

LABEL_PROPS = (RDFS.label, SKOS.prefLabel)


def local_name(node: Node) -> str:
    text = str(node)
    for sep in ("#", "/"):
        if sep in text.rstrip(sep):
            text = text.rstrip(sep).rsplit(sep, 1)[1]
    return text


def label(graph: Graph, node: Node | None) -> dict[str, str]:
    """``{"zh": …, "en": …}`` from rdfs:label or skos:prefLabel; the local name when missing."""
    if node is None:
        return {"zh": "", "en": ""}
    found: dict[str, str] = {}
    for prop in LABEL_PROPS:
        for lit in graph.objects(node, prop):
            if not isinstance(lit, Literal):
                continue
            lang = (lit.language or "").lower()
            key = "zh" if lang in ("zh", "zh-hans", "zh-cn") else "en" if lang.startswith("en") else None
            if key and key not in found:
                found[key] = str(lit)
    name = local_name(node)
    zh = found.get("zh") or found.get("en") or name
    return {"zh": zh, "en": found.get("en") or found.get("zh") or name}


def label_text(graph: Graph, node: Node | None) -> str:
    """``"zh / en"`` (just one of them when they are the same)."""
    lab = label(graph, node)
    return lab["zh"] if lab["zh"] == lab["en"] else f"{lab['zh']} / {lab['en']}"


def as_date(value: Any) -> dt.date | None:
    """A date from an xsd:date or xsd:dateTime literal, a date, a datetime or an ISO string."""
    if value is None:
        return None
    if isinstance(value, Literal):
        value = value.toPython()
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def in_force(graph: Graph, node: Node, day: dt.date | None) -> bool:
    """``gk:validFrom ≤ day ≤ gk:validTo`` (open ends allowed); always true when ``day`` is None."""
    if day is None:
        return True
    start = as_date(graph.value(node, GK.validFrom))
    end = as_date(graph.value(node, GK.validTo))
    return (start is None or start <= day) and (end is None or day <= end)


def parse_day(text: str | dt.date | None, where: str = "--at") -> dt.date | None:
    """Parse a YYYY-MM-DD date given by a user; InputError when it is not one."""
    if text is None or isinstance(text, dt.date):
        return text  # type: ignore[return-value]
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError as exc:
        raise InputError(where, f"not a date (YYYY-MM-DD): {text!r}") from exc


def duration_minutes(value: Any) -> float | None:
    """Minutes in an xsd:duration literal (PT30M → 30, P1D → 1440); None when absent or odd."""
    if value is None:
        return None
    py = value.toPython() if isinstance(value, Literal) else value
    if isinstance(py, dt.timedelta):
        return py.total_seconds() / 60
    if hasattr(py, "totimedelta"):  # isodate.Duration with months or years
        try:
            return py.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds() / 60
        except Exception:
            return None
    return None


def _q(graph: Graph, query: str, **bindings: Node) -> list[Any]:
    return list(graph.query(sparql_prologue() + query, initBindings=bindings or None))


def is_instance(graph: Graph, node: Node, cls: URIRef) -> bool:
    """``node`` is typed ``cls`` or a subclass of it."""
    res = graph.query(
        sparql_prologue() + "ASK { ?x a/rdfs:subClassOf* ?c }", initBindings={"x": node, "c": cls}
    )
    return bool(res.askAnswer)


def instances(graph: Graph, cls: URIRef) -> list[URIRef]:
    """IRIs typed ``cls`` or any subclass of it, sorted."""
    rows = _q(graph, "SELECT DISTINCT ?x WHERE { ?x a/rdfs:subClassOf* ?c . FILTER isIRI(?x) }", c=cls)
    return sorted(r[0] for r in rows)


def most_specific_class(graph: Graph, node: Node, root: URIRef) -> URIRef | None:
    """The asserted gk: class of ``node`` below ``root`` that has no asserted subclass among its types."""
    types = [t for t in graph.objects(node, RDF.type) if isinstance(t, URIRef) and str(t).startswith(str(GK))]
    below = [
        t
        for t in types
        if graph.query(
            sparql_prologue() + "ASK { ?t rdfs:subClassOf* ?r }", initBindings={"t": t, "r": root}
        ).askAnswer
    ]
    for t in below:
        if not any(o != t and (o, RDFS.subClassOf, t) in graph for o in below):
            return t
    return below[0] if below else None


# ---------------------------------------------------------------------------
# Metric catalogue
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MetricDef:
    key: str
    zh: str
    en: str
    definition: str
    unit: str = ""


METRICS: tuple[MetricDef, ...] = (
    MetricDef(
        "bodies",
        "主体数",
        "bodies",
        "Distinct IRIs typed gk:Body or any subclass (party committees, governments, departments, "
        "street bodies, communities, enterprises).",
    ),
    MetricDef(
        "levels", "治理层级数", "governance levels", "Distinct gk:level values (lvl: concepts) of the bodies."
    ),
    MetricDef(
        "org_depth",
        "组织树深度",
        "organisation depth",
        "Edges on the longest chain of the organisation graph (child → parent through "
        "org:subOrganizationOf or org:unitOf); 0 when no body has a parent.",
    ),
    MetricDef("areas", "区域数", "areas", "Distinct IRIs typed gk:Area or a subclass."),
    MetricDef("matters", "事项数", "matters", "Distinct IRIs typed gk:Matter in the city."),
    MetricDef(
        "duties",
        "有效职责数",
        "duties in force",
        "gk:Duty nodes in force on the comparison date (gk:validFrom ≤ date ≤ gk:validTo, "
        "open ends allowed).",
    ),
    MetricDef(
        "powers",
        "赋予街乡的职权数",
        "powers granted",
        "Distinct gk:power values of gk:Empowerment nodes in force on the date (Beijing's seven, "
        "Qinhuai's six …); the table 'powers aligned' lines them up through skos:exactMatch and "
        "skos:closeMatch.",
    ),
    MetricDef(
        "transfers",
        "有效下放数",
        "transfers in force",
        "gk:Transfer nodes in force on the date (one per duty and receiving body or area).",
    ),
    MetricDef(
        "matters_transferred",
        "下放事项数",
        "matters transferred",
        "Distinct matters moved by the transfers in force on the date: a transfer's gk:matter, "
        "else the gk:matter of its gk:transferredDuty.",
    ),
    MetricDef(
        "declared_transferred",
        "申报下放事项数",
        "declared transferred matters",
        "Sum of gk:declaredCount over gk:TransferPackage nodes (such as Qinhuai's 162); "
        "compare with 'matters transferred'.",
    ),
    MetricDef(
        "covered_matters",
        "有责任主体的事项数",
        "matters with a responsible body",
        "Matters that at least one body answers for in the responsibility graph, directly or "
        "through a broader matter (skos:broader*).",
    ),
    MetricDef(
        "bodies_per_matter",
        "每事项部门数（九龙治水指数）",
        "bodies per matter (fragmentation, 九龙治水)",
        "Mean, over the matters with a responsible body, of the number of distinct bodies "
        "responsible for the matter (edges of the responsibility graph on the matter or a "
        "broader one).",
    ),
    MetricDef(
        "departments_per_matter",
        "每事项职能部门数",
        "departments per matter",
        "The same mean counting only functional departments (gk:FunctionalDepartment and its "
        "subclasses), over the matters with at least one responsible department: how many "
        "departments share a matter (九龙治水).",
    ),
    MetricDef(
        "max_bodies_per_matter",
        "单一事项最多部门数",
        "most bodies on one matter",
        "Largest number of distinct bodies responsible for one matter.",
    ),
    MetricDef(
        "fragmented_share",
        "多部门事项占比",
        "share of matters with several bodies",
        "Matters with two or more responsible bodies, divided by the matters with a responsible body.",
        "%",
    ),
    MetricDef(
        "lead_share",
        "有牵头主体的事项占比",
        "share of matters with a lead",
        "Matters for which at least one responsibility edge has role lead (牵头: a duty with gk:role "
        "role:lead, or a transfer of such a duty), divided by the matters with a responsible body.",
        "%",
    ),
    MetricDef(
        "gaps",
        "责任缺口数",
        "gaps (audit findings)",
        "Findings of govkg.audit on the comparison date; by code in the table 'gaps by code'.",
    ),
    MetricDef(
        "escalation_levels",
        "分级报到等级数",
        "escalation levels",
        "gk:EscalationLevel nodes reached by gk:hasLevel from the city's gk:EscalationPolicy nodes.",
    ),
    MetricDef(
        "fastest_response",
        "最短响应时限",
        "fastest response time",
        "Smallest gk:responseTime of those levels, in minutes.",
        "min",
    ),
    MetricDef(
        "slowest_response",
        "最长响应时限",
        "slowest response time",
        "Largest gk:responseTime of those levels, in minutes.",
        "min",
    ),
    MetricDef(
        "declared_grids",
        "申报网格数",
        "declared grids",
        "Sum of gk:declaredCount over gk:GridSet nodes (1026 comprehensive + 308 specialised …).",
    ),
    MetricDef("enumerated_grids", "已列网格数", "enumerated grids", "Distinct IRIs typed gk:Grid."),
    MetricDef(
        "max_households",
        "每格最多户数",
        "largest grid size",
        "Largest gk:maxHouseholds of the city's gk:GridSizeRule nodes (households a grid).",
    ),
    MetricDef("whistles", "记录的吹哨数", "recorded whistles", "Distinct IRIs typed gk:Whistle."),
    MetricDef("reports", "记录的报到数", "recorded reports", "Distinct IRIs typed gk:Report."),
)
METRIC_BY_KEY = {m.key: m for m in METRICS}

SEVERITY_ORDER = {"ordinary": 1, "serious": 2, "major": 3}
MATCH_PROPS = {SKOS.exactMatch: "exact", SKOS.closeMatch: "close"}


# ---------------------------------------------------------------------------
# Per-city facts
# ---------------------------------------------------------------------------


@dataclass
class Edge:
    """One responsibility edge: ``body`` answers for ``matter`` through a duty or a transfer."""

    body: str
    matter: str
    role: str | None
    duty: str | None
    transfer: str | None = None


def street_receivers(graph: Graph, area: Node) -> list[URIRef]:
    """For a transfer ``gk:toStreetsOf area``: for every street (or township) within ``area``, its
    street enforcement office, else its street office (else, for a township, its government)."""
    rows = _q(
        graph,
        """
        SELECT DISTINCT ?s WHERE {
            ?s gk:within+ ?x .
            { ?s a/rdfs:subClassOf* gk:Street } UNION { ?s a/rdfs:subClassOf* gk:Township }
        }""",
        x=area,
    )
    out: list[URIRef] = []
    for (street,) in sorted(rows):
        for cls in (GK.StreetEnforcementOffice, GK.StreetOffice, GK.TownshipGovernment):
            bodies = sorted(b for b in graph.subjects(DCTERMS.spatial, street) if is_instance(graph, b, cls))
            if bodies:
                out.append(bodies[0])
                break
    return out


def responsibility_edges(graph: Graph, day: dt.date | None) -> list[Edge]:
    """Edges of the responsibility graph on ``day`` (None: ignore validity)."""
    edges: list[Edge] = []
    for duty in instances(graph, GK.Duty):
        holder, matter = graph.value(duty, GK.holder), graph.value(duty, GK.matter)
        role = graph.value(duty, GK.role)
        if holder is None or matter is None or role == ROLE.supervise or not in_force(graph, duty, day):
            continue
        edges.append(Edge(str(holder), str(matter), local_name(role) if role else None, str(duty)))
    for t in instances(graph, GK.Transfer):
        if not in_force(graph, t, day):
            continue
        duties = list(graph.objects(t, GK.transferredDuty))
        matters = [graph.value(d, GK.matter) for d in duties] or list(graph.objects(t, GK.matter))
        own = list(graph.objects(t, GK.matter))
        receivers = list(graph.objects(t, GK.toBody))
        for area in graph.objects(t, GK.toStreetsOf):
            receivers += street_receivers(graph, area)
        pairs = [(d, graph.value(d, GK.matter)) for d in duties] if duties else [(None, m) for m in matters]
        for duty, matter in pairs:
            m = own[0] if own and duty is None else matter
            if m is None:
                continue
            role = graph.value(duty, GK.role) if duty is not None else None
            if role == ROLE.supervise:
                continue
            for r in sorted(set(receivers)):
                edges.append(
                    Edge(
                        str(r),
                        str(m),
                        local_name(role) if role else None,
                        str(duty) if duty is not None else None,
                        str(t),
                    )
                )
    return edges


def responsibility_graph(graph: Graph, day: dt.date | None) -> nx.DiGraph:
    """Bodies and matters; an edge body → matter (attributes: roles, duties, transfers)."""
    g = nx.DiGraph()
    for b in instances(graph, GK.Body):
        lab = label(graph, b)
        g.add_node(str(b), kind="body", label_zh=lab["zh"], label_en=lab["en"])
    for m in instances(graph, GK.Matter):
        lab = label(graph, m)
        g.add_node(
            str(m),
            kind="matter",
            label_zh=lab["zh"],
            label_en=lab["en"],
            notation=str(graph.value(m, SKOS.notation) or ""),
        )
    for m in instances(graph, GK.Matter):
        for parent in graph.objects(m, SKOS.broader):
            if g.has_node(str(parent)):
                g.add_edge(str(m), str(parent), kind="broader")
    for e in responsibility_edges(graph, day):
        for node, kind in ((e.body, "body"), (e.matter, "matter")):
            if not g.has_node(node):
                lab = label(graph, URIRef(node))
                g.add_node(node, kind=kind, label_zh=lab["zh"], label_en=lab["en"])
        if g.has_edge(e.body, e.matter):
            data = g.edges[e.body, e.matter]
        else:
            g.add_edge(e.body, e.matter, kind="responsible", roles=[], duties=[], transfers=[])
            data = g.edges[e.body, e.matter]
        if e.role and e.role not in data["roles"]:
            data["roles"].append(e.role)
        if e.duty and e.duty not in data["duties"]:
            data["duties"].append(e.duty)
        if e.transfer and e.transfer not in data["transfers"]:
            data["transfers"].append(e.transfer)
    return g


def organisation_graph(graph: Graph) -> nx.DiGraph:
    """Bodies; an edge child → parent for org:subOrganizationOf and org:unitOf."""
    g = nx.DiGraph()
    for b in instances(graph, GK.Body):
        lab = label(graph, b)
        cls = most_specific_class(graph, b, GK.Body)
        level = graph.value(b, GK.level)
        g.add_node(
            str(b),
            label_zh=lab["zh"],
            label_en=lab["en"],
            cls=local_name(cls) if cls else "",
            level=local_name(level) if level else "",
        )
    for b in instances(graph, GK.Body):
        for prop in (ORG.subOrganizationOf, ORG.unitOf):
            for parent in graph.objects(b, prop):
                if g.has_node(str(parent)) and parent != b:
                    g.add_edge(str(b), str(parent), kind=local_name(prop))
    return g


def org_depth(org: nx.DiGraph) -> int | None:
    if org.number_of_edges() == 0:
        return 0
    if not nx.is_directed_acyclic_graph(org):
        return None
    return int(nx.dag_longest_path_length(org))


def matter_ancestors(resp: nx.DiGraph) -> dict[str, set[str]]:
    """Each matter with itself and every broader matter."""
    broader = nx.DiGraph()
    for u, v, d in resp.edges(data=True):
        if d.get("kind") == "broader":
            broader.add_edge(u, v)
    out: dict[str, set[str]] = {}
    for m, data in resp.nodes(data=True):
        if data.get("kind") == "matter":
            out[m] = {m} | (nx.descendants(broader, m) if broader.has_node(m) else set())
    return out


@dataclass
class MatterCoverage:
    """Who answers for one matter: body IRI → how (roles; 'direct' or 'broader'; via transfer)."""

    matter: str
    label: dict[str, str]
    notation: str
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def has_lead(self) -> bool:
        return any("lead" in b["roles"] for b in self.bodies.values())


def matter_coverage(resp: nx.DiGraph) -> list[MatterCoverage]:
    """For every matter of the responsibility graph, the bodies responsible for it (direct or via a
    broader matter), sorted by notation then label."""
    ancestors = matter_ancestors(resp)
    out = []
    for m, data in resp.nodes(data=True):
        if data.get("kind") != "matter":
            continue
        cov = MatterCoverage(m, {"zh": data["label_zh"], "en": data["label_en"]}, data.get("notation", ""))
        for anc in sorted(ancestors[m]):
            for body, _, ed in resp.in_edges(anc, data=True):
                if ed.get("kind") != "responsible":
                    continue
                entry = cov.bodies.setdefault(body, {"roles": [], "direct": False, "transfer": False})
                entry["roles"] = sorted(set(entry["roles"]) | set(ed["roles"]))
                entry["direct"] = entry["direct"] or anc == m
                entry["transfer"] = entry["transfer"] or bool(ed["transfers"])
        out.append(cov)
    return sorted(out, key=lambda c: (c.notation or "~", c.label["zh"], c.matter))


# ---------------------------------------------------------------------------
# One city's metrics
# ---------------------------------------------------------------------------


@dataclass
class CityMetrics:
    name: str
    values: dict[str, float | int | None]
    bodies_by_class: dict[str, int]
    bodies_by_level: dict[str, int]
    powers: list[dict[str, Any]]
    coverage: list[MatterCoverage]
    gaps_by_code: dict[str, int] | None
    escalation: list[dict[str, Any]]
    grids: dict[str, Any]
    org: nx.DiGraph = field(repr=False)
    resp: nx.DiGraph = field(repr=False)
    labels: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)


def _count(graph: Graph, cls: URIRef) -> int:
    return len(instances(graph, cls))


def _escalation(graph: Graph) -> list[dict[str, Any]]:
    out = []
    for pol in instances(graph, GK.EscalationPolicy):
        levels = []
        for lvl in sorted(graph.objects(pol, GK.hasLevel)):
            sev = graph.value(lvl, GK.severity)
            rt = graph.value(lvl, GK.responseTime)
            dr = graph.value(lvl, GK.doubleReport)
            levels.append(
                {
                    "iri": str(lvl),
                    "severity": local_name(sev) if sev else None,
                    "severity_label": label(graph, sev) if sev else None,
                    "required_ranks": [label(graph, r) for r in sorted(graph.objects(lvl, GK.requiredRank))],
                    "lead_ranks": [label(graph, r) for r in sorted(graph.objects(lvl, GK.leadRank))],
                    "double_report": bool(dr.toPython()) if isinstance(dr, Literal) else None,
                    "response_time": str(rt) if rt is not None else None,
                    "response_minutes": duration_minutes(rt),
                }
            )
        levels.sort(key=lambda x: SEVERITY_ORDER.get(x["severity"] or "", 9))
        out.append(
            {
                "iri": str(pol),
                "label": label(graph, pol),
                "applies_to": [label(graph, a) for a in sorted(graph.objects(pol, GK.appliesTo))],
                "levels": levels,
            }
        )
    return out


def _grids(graph: Graph) -> dict[str, Any]:
    rules = []
    for r in instances(graph, GK.GridSizeRule):
        mh = graph.value(r, GK.maxHouseholds)
        rules.append(
            {
                "iri": str(r),
                "label": label(graph, r),
                "estate_type": str(graph.value(r, GK.estateType) or ""),
                "max_households": int(mh) if mh is not None else None,
            }
        )
    sets = []
    for s in instances(graph, GK.GridSet):
        n = graph.value(s, GK.declaredCount)
        kind = graph.value(s, GK.gridKind)
        sets.append(
            {
                "iri": str(s),
                "label": label(graph, s),
                "kind": label(graph, kind) if kind else None,
                "declared": int(n) if n is not None else None,
            }
        )
    return {"rules": rules, "sets": sets, "enumerated": _count(graph, GK.Grid)}


def _powers(graph: Graph, day: dt.date | None) -> list[dict[str, Any]]:
    granted: dict[URIRef, list[str]] = {}
    for e in instances(graph, GK.Empowerment):
        if not in_force(graph, e, day):
            continue
        for p in graph.objects(e, GK.power):
            granted.setdefault(p, []).append(str(e))
    out = []
    for p in sorted(granted):
        scheme = graph.value(p, SKOS.inScheme)
        out.append(
            {
                "iri": str(p),
                "label": label(graph, p),
                "notation": str(graph.value(p, SKOS.notation) or ""),
                "scheme": str(scheme) if scheme else None,
                "scheme_label": label(graph, scheme) if scheme else None,
                "empowerments": sorted(granted[p]),
            }
        )
    return out


def _audit_counts(kb: Any, day: dt.date | None) -> dict[str, int] | None:
    try:
        from govkg.audit import audit
    except ImportError:
        return None
    return dict(audit(kb, at=day).counts())


def city_metrics(kb: Any, day: dt.date | None, with_audit: bool = True) -> CityMetrics:
    """Every metric of one loaded city (a :class:`govkg.kb.KnowledgeBase`) on ``day``."""
    graph: Graph = kb.graph
    org = organisation_graph(graph)
    resp = responsibility_graph(graph, day)
    coverage = matter_coverage(resp)
    covered = [c for c in coverage if c.bodies]
    counts = [len(c.bodies) for c in covered]
    powers = _powers(graph, day)
    escalation = _escalation(graph)
    level_minutes = [
        lv["response_minutes"] for p in escalation for lv in p["levels"] if lv["response_minutes"] is not None
    ]
    grids = _grids(graph)
    transfers = [t for t in instances(graph, GK.Transfer) if in_force(graph, t, day)]
    moved: set[Node] = set()
    for t in transfers:
        own = list(graph.objects(t, GK.matter))
        if own:
            moved.update(own)
        else:
            moved.update(m for d in graph.objects(t, GK.transferredDuty) for m in graph.objects(d, GK.matter))
    declared = [
        int(n)
        for p in instances(graph, GK.TransferPackage)
        if (n := graph.value(p, GK.declaredCount)) is not None
    ]
    departments = {str(d) for d in instances(graph, GK.FunctionalDepartment)}
    dept_counts = [n for c in covered if (n := len(set(c.bodies) & departments))]
    gaps = _audit_counts(kb, day) if with_audit else None
    households = [r["max_households"] for r in grids["rules"] if r["max_households"] is not None]
    grid_declared = [s["declared"] for s in grids["sets"] if s["declared"] is not None]

    by_class: Counter[str] = Counter(d["cls"] for _, d in org.nodes(data=True))
    levels: Counter[str] = Counter(d["level"] for _, d in org.nodes(data=True) if d["level"])
    values: dict[str, float | int | None] = {
        "bodies": org.number_of_nodes(),
        "levels": len(levels),
        "org_depth": org_depth(org),
        "areas": _count(graph, GK.Area),
        "matters": _count(graph, GK.Matter),
        "duties": sum(1 for d in instances(graph, GK.Duty) if in_force(graph, d, day)),
        "powers": len(powers),
        "transfers": len(transfers),
        "matters_transferred": len(moved),
        "declared_transferred": sum(declared) if declared else None,
        "covered_matters": len(covered),
        "bodies_per_matter": round(sum(counts) / len(counts), 2) if counts else None,
        "departments_per_matter": round(sum(dept_counts) / len(dept_counts), 2) if dept_counts else None,
        "max_bodies_per_matter": max(counts) if counts else None,
        "fragmented_share": _pct(sum(1 for n in counts if n >= 2), len(counts)),
        "lead_share": _pct(sum(1 for c in covered if c.has_lead), len(covered)),
        "gaps": sum(gaps.values()) if gaps is not None else None,
        "escalation_levels": sum(len(p["levels"]) for p in escalation),
        "fastest_response": _num(min(level_minutes)) if level_minutes else None,
        "slowest_response": _num(max(level_minutes)) if level_minutes else None,
        "declared_grids": sum(grid_declared) if grid_declared else None,
        "enumerated_grids": grids["enumerated"],
        "max_households": max(households) if households else None,
        "whistles": _count(graph, GK.Whistle),
        "reports": _count(graph, GK.Report),
    }
    labels = {n: {"zh": d["label_zh"], "en": d["label_en"]} for n, d in resp.nodes(data=True)}
    return CityMetrics(
        kb.name,
        values,
        dict(sorted(by_class.items())),
        dict(sorted(levels.items())),
        powers,
        coverage,
        gaps,
        escalation,
        grids,
        org,
        resp,
        labels,
    )


def _pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _num(x: float) -> float | int:
    return int(x) if float(x).is_integer() else round(x, 1)


# ---------------------------------------------------------------------------
# Powers aligned through SKOS mappings
# ---------------------------------------------------------------------------


def align_powers(graph: Graph, cities: Sequence[CityMetrics]) -> list[dict[str, Any]]:
    """Rows of powers that match across cities.

    The powers granted in any compared city are nodes; ``skos:exactMatch`` and
    ``skos:closeMatch`` between them (stated in either direction, read from ``graph``, which
    holds the vocabularies) are edges. A row is a connected component; it lists, per city,
    the powers of the component that the city grants, and the weakest mapping used.
    """
    g = nx.Graph()
    for c in cities:
        for p in c.powers:
            g.add_node(p["iri"], label=p["label"], notation=p["notation"])
    for u in list(g.nodes):
        for prop, kind in MATCH_PROPS.items():
            for v in graph.objects(URIRef(u), prop):
                if g.has_node(str(v)):
                    prev = g.edges[u, str(v)]["match"] if g.has_edge(u, str(v)) else None
                    g.add_edge(u, str(v), match="close" if "close" in (prev, kind) else kind)
    rows = []
    for comp in nx.connected_components(g):
        sub = g.subgraph(comp)
        kinds = {d["match"] for _, _, d in sub.edges(data=True)}
        cells = {}
        for c in cities:
            mine = sorted(p["iri"] for p in c.powers if p["iri"] in comp)
            cells[c.name] = [
                {"iri": p, "label": g.nodes[p]["label"], "notation": g.nodes[p]["notation"]} for p in mine
            ]
        match = "close" if "close" in kinds else "exact" if kinds else None
        rows.append({"match": match, "cells": cells})

    def sort_key(row: dict[str, Any]) -> tuple:
        present = [i for i, c in enumerate(cities) if row["cells"][c.name]]
        first = present[0] if present else 99
        notation = row["cells"][cities[first].name][0]["notation"] if present else ""
        return (-len(present), first, notation)

    return sorted(rows, key=sort_key)


# ---------------------------------------------------------------------------
# The comparison
# ---------------------------------------------------------------------------


@dataclass
class Comparison:
    at: dt.date | None
    cities: list[CityMetrics]
    powers_aligned: list[dict[str, Any]]

    def metric_rows(self) -> list[tuple[MetricDef, dict[str, Any]]]:
        return [(m, {c.name: c.values.get(m.key) for c in self.cities}) for m in METRICS]

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat() if self.at else None,
            "cities": [c.name for c in self.cities],
            "metrics": [
                {
                    "key": m.key,
                    "label": {"zh": m.zh, "en": m.en},
                    "unit": m.unit,
                    "definition": m.definition,
                    "values": vals,
                }
                for m, vals in self.metric_rows()
            ],
            "bodies_by_class": {c.name: c.bodies_by_class for c in self.cities},
            "bodies_by_level": {c.name: c.bodies_by_level for c in self.cities},
            "powers": {c.name: c.powers for c in self.cities},
            "powers_aligned": self.powers_aligned,
            "gaps_by_code": {c.name: c.gaps_by_code for c in self.cities},
            "bodies_per_matter": {
                c.name: [
                    {
                        "matter": cov.matter,
                        "label": cov.label,
                        "notation": cov.notation,
                        "bodies": sorted(cov.bodies),
                        "lead": cov.has_lead,
                    }
                    for cov in c.coverage
                    if cov.bodies
                ]
                for c in self.cities
            },
            "escalation": {c.name: c.escalation for c in self.cities},
            "grids": {c.name: c.grids for c in self.cities},
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        names = [c.name for c in self.cities]
        at = self.at.isoformat() if self.at else "any date"
        lines = [f"govkg compare: {', '.join(names)} (on {at})", ""]
        head = ["metric", *names]
        rows = [
            [f"{m.zh} / {m.en}" + (f" ({m.unit})" if m.unit else "")] + [fmt_value(vals[n]) for n in names]
            for m, vals in self.metric_rows()
        ]
        lines += _text_table(head, rows)
        lines += ["", "Powers aligned (skos:exactMatch / skos:closeMatch) 职权对照:"]
        rows = []
        for row in self.powers_aligned:
            rows.append(
                [row["match"] or "-"]
                + [
                    ", ".join(
                        f"{p['notation'] or local_name(p['iri'])} {p['label']['zh']}" for p in row["cells"][n]
                    )
                    or "—"
                    for n in names
                ]
            )
        lines += _text_table(["match", *names], rows)
        codes = sorted({k for c in self.cities for k in (c.gaps_by_code or {})})
        lines += ["", "Gaps by code 缺口（按代码）:"]
        if any(c.gaps_by_code is None for c in self.cities):
            lines.append("  (audit not available)")
        else:
            lines += _text_table(
                ["code", *names],
                [[code] + [str((c.gaps_by_code or {}).get(code, 0)) for c in self.cities] for code in codes]
                or [["(none)"] + ["0"] * len(names)],
            )
        lines += ["", "Escalation levels 分级报到:"]
        for c in self.cities:
            for p in c.escalation:
                for lv in p["levels"]:
                    ranks = ", ".join(r["zh"] for r in lv["required_ranks"]) or "—"
                    lead = ", ".join(r["zh"] for r in lv["lead_ranks"])
                    lines.append(
                        f"  {c.name}: {lv['severity'] or '?'}: {lv['response_time'] or 'no time'}; "
                        f"ranks {ranks}"
                        + (f"; lead {lead}" if lead else "")
                        + ("; double report 双报到" if lv["double_report"] else "")
                    )
        lines += ["", "Metric definitions: docs/compare.md"]
        return "\n".join(lines)


def fmt_value(v: Any) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{v:g}" if not math.isnan(v) else "—"
    return str(v)


def _text_table(head: list[str], rows: list[list[str]]) -> list[str]:
    def width(s: str) -> int:
        return sum(2 if ord(ch) > 0x2E7F else 1 for ch in s)

    cols = list(zip(*([head, *rows]), strict=False))
    widths = [max(width(x) for x in col) for col in cols]

    def fmt(r: list[str]) -> str:
        return "  " + "  ".join(x + " " * (w - width(x)) for x, w in zip(r, widths, strict=False)).rstrip()

    return [fmt(head), "  " + "  ".join("-" * w for w in widths)] + [fmt(r) for r in rows]


def compare(kbs: Iterable[Any], at: dt.date | str | None = None, with_audit: bool = True) -> Comparison:
    """Compare loaded cities (:class:`govkg.kb.KnowledgeBase`) on date ``at`` (default: today)."""
    day = parse_day(at) if at is not None else dt.date.today()
    kbs = list(kbs)
    if len(kbs) < 1:
        raise InputError(None, "compare needs at least one city")
    names = [kb.name for kb in kbs]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise InputError(None, f"the same city is given twice: {', '.join(dupes)}")
    cities = [city_metrics(kb, day, with_audit=with_audit) for kb in kbs]
    return Comparison(day, cities, align_powers(kbs[0].graph, cities))


def compare_cities(
    names: Sequence[str], at: dt.date | str | None = None, with_audit: bool = True
) -> Comparison:
    """Load bundled cities or city folders by name or path, then :func:`compare` them."""
    from govkg.kb import load

    return compare([load(n) for n in names], at=at, with_audit=with_audit)


# ---------------------------------------------------------------------------
# GraphML export
# ---------------------------------------------------------------------------


def _graphml_ready(g: nx.DiGraph) -> nx.DiGraph:
    """A copy whose attributes are GraphML scalars (lists joined with spaces)."""
    h = nx.DiGraph()
    for n, d in g.nodes(data=True):
        h.add_node(n, **{k: _scalar(v) for k, v in d.items()})
    for u, v, d in g.edges(data=True):
        h.add_edge(u, v, **{k: _scalar(x) for k, x in d.items()})
    return h


def _scalar(v: Any) -> Any:
    if isinstance(v, list | tuple | set):
        return " ".join(str(x) for x in v)
    return "" if v is None else v


def write_graphml(comparison: Comparison, folder: str | Path) -> list[Path]:
    """Write ``<city>-responsibility.graphml`` and ``<city>-organisation.graphml`` into ``folder``."""
    from govkg.report import write_atomic

    out_dir = Path(folder)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(out_dir, "not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for c in comparison.cities:
        for kind, g in (("responsibility", c.resp), ("organisation", c.org)):
            path = out_dir / f"{c.name}-{kind}.graphml"
            text = "\n".join(nx.generate_graphml(_graphml_ready(g), prettyprint=True)) + "\n"
            write_atomic(path, text)
            written.append(path)
    return written
