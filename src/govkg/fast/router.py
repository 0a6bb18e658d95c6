"""Route whistles with a compiled city; answers are :class:`govkg.route.RouteResult` values,
identical to the SHACL reference's (tests/test_fast_equivalence.py checks it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from govkg.fast import vocab as v
from govkg.fast.facts import Facts, Term, is_lit, sort_key
from govkg.fast.model import Core, RouteModel, deadlines
from govkg.fast.terms import FastTermIndex
from govkg.route import (
    Basis,
    Fallback,
    Gap,
    Ref,
    Respondent,
    RouteResult,
    WhistleInfo,
    WhistleSpec,
    gap_finding,
    parse_time,
)

_SEVERITY_NAMES = {v.SH + "Violation": "violation", v.SH + "Warning": "warning", v.SH + "Info": "info"}


@dataclass(frozen=True)
class Whistle:
    """A whistle as the fast engine sees it (plain strings)."""

    iri: str
    matter: str
    area: str
    at: str
    severity: str | None = None
    raised_by: str | None = None

    @property
    def day(self) -> str:
        return self.at[:10]


class FastRouter:
    """Routing with a compiled city: ``router.route(matter, area, at, severity)``."""

    def __init__(self, model: RouteModel, name: str = "") -> None:
        self.model = model
        self.facts: Facts = model.facts
        self.labels = model.labels
        self.name = name
        self._indexes: dict[str, FastTermIndex] = {}

    # -- terms -------------------------------------------------------------------------------
    def index(self, kind: str) -> FastTermIndex:
        idx = self._indexes.get(kind)
        if idx is None:
            idx = self._indexes[kind] = FastTermIndex(self.facts, kind, self.labels)
        return idx

    def spec(
        self,
        matter: str,
        area: str,
        at: str | date | datetime | None = None,
        severity: str | None = None,
        raised_by: str | None = None,
    ) -> WhistleSpec:
        from rdflib import URIRef

        return WhistleSpec(
            matter=URIRef(self.index("matter").resolve(matter)),
            area=URIRef(self.index("area").resolve(area)),
            at=parse_time(at),
            severity=URIRef(self.index("severity").resolve(severity)) if severity else None,
            raised_by=URIRef(self.index("body").resolve(raised_by)) if raised_by else None,
        )

    # -- routing -----------------------------------------------------------------------------
    def route(
        self,
        matter: str,
        area: str,
        at: str | date | datetime | None = None,
        severity: str | None = None,
        raised_by: str | None = None,
    ) -> RouteResult:
        """Same contract as :func:`govkg.route.route` (terms resolved the same way)."""
        return self.route_specs([self.spec(matter, area, at, severity, raised_by)])[0]

    def route_specs(self, specs: Sequence[WhistleSpec]) -> list[RouteResult]:
        """Same answers, whistle IRIs included, as :func:`govkg.route.route_specs`."""
        out = []
        for i, spec in enumerate(specs):
            w = Whistle(
                str(spec.iri(salt=str(i))),
                str(spec.matter),
                str(spec.area),
                spec.at,
                str(spec.severity) if spec.severity is not None else None,
                str(spec.raised_by) if spec.raised_by is not None else None,
            )
            out.append(self.result(w))
        return out

    def core(self, w: Whistle) -> Core:
        return self.model.core(w.matter, w.area, w.severity or v.SEV_ORDINARY, w.day)

    def result(self, w: Whistle, core: Core | None = None) -> RouteResult:
        """The full answer, with every basis, for one whistle."""
        core = self.core(w) if core is None else core
        return materialise(self.model, w, core)


# ------------------------------------------------------------------------------------------
# From a core to the full answer (as govkg.route.read_result reads the inferred graph)
# ------------------------------------------------------------------------------------------
def _ref(model: RouteModel, node: Term) -> Ref:
    zh, en = model.labels.ref(node)
    return Ref(node[0] if is_lit(node) else str(node), zh, en)


def _refs(model: RouteModel, nodes: Any) -> list[Ref]:
    return [_ref(model, n) for n in sorted(set(nodes), key=lambda n: n[0] if is_lit(n) else n)]


def materialise(model: RouteModel, w: Whistle, core: Core, at_datatype: str = v.XSD_DATETIME) -> RouteResult:
    f = model.facts
    respondents = []
    for r in core.respondents:
        basis = []
        for duty in r.duties:
            through = next((t for t in r.transfers if f.has(t, v.gk("transferredDuty"), duty)), None)
            basis.append(
                Basis(
                    duty=_ref(model, duty),
                    provision=_refs(model, f.objects(duty, v.gk("legalBasis"))),
                    source=_refs(model, f.objects(duty, v.SOURCE)),
                    transfer=_ref(model, through) if through is not None else None,
                )
            )
        dls = deadlines(w.at, r.times) if at_datatype == v.XSD_DATETIME else []
        who = _ref(model, r.who)
        respondents.append(
            Respondent(
                iri=who.iri,
                label_zh=who.label_zh,
                label_en=who.label_en,
                role=r.role,
                ranks=[_ref(model, x) for x in r.ranks],
                deadline=dls[0] if dls else None,
                basis=basis,
                via_transfer=_ref(model, r.transfers[0]) if r.transfers else None,
                kind=r.kind,
                derived_from=_ref(model, r.level) if r.level is not None else None,
            )
        )
    fallback = None
    if core.fallback is not None:
        fallback = Fallback(_ref(model, core.fallback), _refs(model, v.FALLBACK_GROUNDS))
    info = WhistleInfo(
        iri=w.iri,
        matter=_ref(model, w.matter),
        area=_ref(model, w.area),
        at=w.at,
        severity=_ref(model, w.severity or v.SEV_ORDINARY),
        raised_by=_ref(model, w.raised_by) if w.raised_by else None,
    )
    lead = _ref(model, core.lead) if core.lead is not None else None
    partial = RouteResult(info, lead, respondents, fallback, [])
    gaps = [_gap(model, partial, gap_type, who) for gap_type, who in core.gaps]
    gaps.sort(key=lambda g: (g.code, g.evidence))
    return RouteResult(info, lead, respondents, fallback, gaps)


def gap_code(model: RouteModel, concept: str) -> str:
    notation = model.facts.value(concept, v.NOTATION)
    if notation is None:
        return concept.rsplit("/", 1)[-1]
    return notation[0] if is_lit(notation) else str(notation)


def _gap(model: RouteModel, result: RouteResult, concept: str, who: str | None) -> Gap:
    f = model.facts
    code = gap_code(model, concept)
    severity = _SEVERITY_NAMES.get(f.value(concept, v.SH_SEVERITY), "violation")
    grounds = _refs(model, f.objects(concept, v.gk("legalGround")))
    community = None
    if code == "GAP-COMMUNITY":
        duties = next((r.basis for r in result.respondents if r.iri == who), [])
        outside = sorted(b.duty.iri for b in duties if not model.in_direct_cdl(b.duty.iri))
        community = (_ref(model, who) if who is not None else None, [_ref(model, d) for d in outside])
    return gap_finding(code, _ref(model, concept), severity, grounds, result, community)


__all__ = ["FastRouter", "Whistle", "gap_code", "materialise", "sort_key"]
