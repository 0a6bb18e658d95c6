"""The gap audit of shapes/gaps.ttl, computed over compiled facts.

Each SHACL-SPARQL constraint of shapes/gaps.ttl has a Python twin here that returns the same
solutions (one :class:`govkg.audit.Finding` per solution, with the same evidence, messages and
legal grounds), computed for the whole city at once with set operations instead of one query
per focus node. The twins are matched to the constraints by a hash of their query text: when
shapes/gaps.ttl gains or changes a constraint, :func:`audit_facts` raises :class:`Unsupported`
rather than answer differently (``govkg audit`` then uses the SHACL reference).

The recorded whistles are routed by the fast engine (GAP-UNANSWERED and GAP-LATE read their
assignments), as govkg.audit routes them with the routing rules.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path

from govkg.audit import CODE_ORDER, SEVERITY_NAMES, AuditReport, Finding, GapType, parse_date
from govkg.fast import vocab as v
from govkg.fast.facts import Facts, Term, is_iri, is_lit, sort_key
from govkg.fast.model import RouteModel, Unsupported, _date_values, closure, subclass_closure
from govkg.namespaces import PREFIXES

GK = v.GK
Row = dict[str, Term]
XSD_INTEGER = v.XSD + "integer"


# ------------------------------------------------------------------------------------------
# Labels, as govkg.audit shows them
# ------------------------------------------------------------------------------------------
class AuditLabels:
    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._cache: dict[tuple[Term, str], str] = {}

    def label(self, node: Term, lang: str) -> str:
        """rdfs:label, then skos:prefLabel, in ``lang``; else any label; else a prefixed name."""
        key = (node, lang)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._label(node, lang)
        return hit

    def _label(self, node: Term, lang: str) -> str:
        fallback: list[str] = []
        for p in (v.LABEL, v.PREF):
            lits = [o for o in self.facts.objects(node, p) if is_lit(o)]
            match = [o[0] for o in lits if o[2].split("-")[0] == lang]
            if match:
                return min(match)
            if lits and not fallback:
                fallback = [min(o[0] for o in lits)]
        if fallback:
            return fallback[0]
        if is_lit(node):
            return node[0]
        return _prefixed(node)

    def both(self, node: Term) -> str:
        zh, en = self.label(node, "zh"), self.label(node, "en")
        return zh if zh == en else f"{zh} / {en}"


def _prefixed(iri: str) -> str:
    cut = max(iri.rfind("/"), iri.rfind("#"))
    ns, local = iri[: cut + 1], iri[cut + 1 :]
    for prefix, namespace in PREFIXES.items():
        if str(namespace) == ns and local:
            return f"{prefix}:{local}"
    return iri


# ------------------------------------------------------------------------------------------
# The audit context: facts, date, closures, routed whistles
# ------------------------------------------------------------------------------------------
class Ctx:
    def __init__(self, facts: Facts, day: str, model: RouteModel) -> None:
        self.f = facts
        self.day = day
        self.model = model
        self._bstar: dict[Term, frozenset] = {}
        self._wstar: dict[Term, frozenset] = {}
        self.enforcement = frozenset(facts.objects(v.DT_ENFORCEMENT, v.MEMBER))
        self.typed = facts.inverse(v.TYPE)
        self._assign: dict[Term, dict[Term, tuple[set, set]]] | None = None
        self._fallbacks: dict[Term, list[Term]] = {}

    def bstar(self, m: Term) -> frozenset:
        return closure(m, self.f.subjects(v.BROADER), self._bstar)

    def wstar(self, a: Term) -> frozenset:
        return closure(a, self.f.subjects(GK + "within"), self._wstar)

    def instances(self, cls: str) -> set[Term]:
        return {s for c in subclass_closure(self.f, cls) for s in self.typed.get(c, ())}

    def from_ok(self, node: Term) -> list[str]:
        """The node's gk:validFrom values on or before the audit date."""
        return [x for x in _date_values(self.f, node, GK + "validFrom") if x <= self.day]

    def not_ended(self, node: Term) -> bool:
        return not any(x < self.day for x in _date_values(self.f, node, GK + "validTo"))

    def valid(self, node: Term) -> bool:
        return bool(self.from_ok(node)) and self.not_ended(node)

    def supervise(self, node: Term) -> bool:
        return v.ROLE_SUPERVISE in self.f.objects(node, GK + "role")

    # -- routed whistles --------------------------------------------------------------------
    def assignments(self) -> dict[Term, dict[Term, tuple[set, set]]]:
        """whistle → assignee → (deadlines, required ranks), as the routing rules infer them."""
        if self._assign is None:
            self._assign = {}
            for w in self.typed.get(GK + "Whistle", ()):
                self._assign[w] = self._route(w)
        return self._assign

    def _route(self, w: Term) -> dict[Term, tuple[set, set]]:
        f, model = self.f, self.model
        matters, areas, ats = (
            f.objects(w, GK + "matter"),
            f.objects(w, GK + "area"),
            f.objects(w, GK + "raisedAt"),
        )
        sevs = f.objects(w, GK + "severity") or [v.SEV_ORDINARY]
        if len(matters) > 1 or len(areas) > 1 or len(ats) > 1 or len(sevs) > 1:
            raise Unsupported(f"{w}: a recorded whistle with several matters, areas, times or severities")
        if not areas:
            return {}
        area = areas[0]
        if not ats or not is_lit(ats[0]) or ats[0][1] != v.XSD_DATETIME:
            if ats:
                raise Unsupported(f"{w}: gk:raisedAt is not an xsd:dateTime")
            self._fallbacks[w] = self._govs(area)
            return {}
        at = ats[0][0]
        core = model.compute_core(matters[0] if matters else "urn:govkg:no-matter", area, sevs[0], at[:10])
        if not any(r.duties for r in core.respondents):
            self._fallbacks[w] = self._govs(area)
        from govkg.fast.model import deadlines

        return {r.who: (set(deadlines(at, r.times)), set(r.ranks)) for r in core.respondents}

    def _govs(self, area: Term) -> list[Term]:
        m = self.model
        return sorted(
            {g for a in m.astar(area) for g in m.bodies_by_spatial.get(a, ()) if g in m.district_govs},
            key=sort_key,
        )

    def fallbacks(self, w: Term) -> list[Term]:
        self.assignments()
        return self._fallbacks.get(w, [])


def _lit(text: str, dt: str = v.XSD + "string") -> Term:
    return (text, dt, "")


def _num(term: Term) -> int | None:
    if not is_lit(term):
        return None
    try:
        return int(term[0])
    except ValueError:
        return None


# ------------------------------------------------------------------------------------------
# The constraints (focus → rows), one function per sh:sparql of shapes/gaps.ttl
# ------------------------------------------------------------------------------------------
def c_uncovered(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    leaves = [
        m
        for m in targets
        if not any((GK + "Matter") in f.objects(x, v.TYPE) for x in f.inverse(v.BROADER).get(m, ()))
    ]
    streets = sorted(
        {
            s
            for c in (GK + "Street", GK + "Township")
            for s in ctx.typed.get(c, ())
            if s in f.inverse(v.SPATIAL)
        },
        key=sort_key,
    )
    covered_at: dict[Term, set[Term]] = {}  # area → duty matters
    for d in f.subjects(GK + "matter"):
        if not f.objects(d, GK + "area") or not ctx.valid(d) or ctx.supervise(d):
            continue
        for a in f.objects(d, GK + "area"):
            covered_at.setdefault(a, set()).update(f.objects(d, GK + "matter"))
    transfers = [t for t in ctx.typed.get(GK + "Transfer", ()) if ctx.valid(t)]
    out: dict[Term, list[Row]] = {}
    for s in streets:
        up = ctx.wstar(s)
        cov: set[Term] = set()
        for a in up:
            cov.update(covered_at.get(a, ()))
        for t in transfers:
            reaches = any(
                not up.isdisjoint(f.objects(r, v.SPATIAL)) for r in f.objects(t, GK + "toBody")
            ) or any(x in up for x in f.objects(t, GK + "toStreetsOf"))
            if not reaches:
                continue
            moved = f.objects(t, GK + "transferredDuty")
            for d in moved:
                if not ctx.supervise(d) and not up.isdisjoint(f.objects(d, GK + "area")):
                    cov.update(f.objects(d, GK + "matter"))
            if not moved:
                cov.update(f.objects(t, GK + "matter"))
        for m in leaves:
            if ctx.bstar(m).isdisjoint(cov):
                out.setdefault(m, []).append({"value": s})
    return out


def c_overlap(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    groups: dict[tuple[Term, Term], tuple[set, set]] = {}
    for d, ms in f.subjects(GK + "matter").items():
        holders = f.objects(d, GK + "holder")
        if not holders or not ctx.valid(d) or ctx.supervise(d):
            continue
        lead = v.ROLE_LEAD in f.objects(d, GK + "role")
        for m in ms:
            if m not in targets:
                continue
            for a in f.objects(d, GK + "area"):
                hs, ls = groups.setdefault((m, a), (set(), set()))
                hs.update(holders)
                if lead:
                    ls.update(holders)
    out: dict[Term, list[Row]] = {}
    for (m, a), (hs, ls) in groups.items():
        if len(hs) >= 2 and len(ls) != 1:
            out.setdefault(m, []).append(
                {
                    "value": a,
                    "holderCount": _lit(str(len(hs)), XSD_INTEGER),
                    "leadCount": _lit(str(len(ls)), XSD_INTEGER),
                    "holders": _lit(" ".join(sorted(str(h) for h in hs))),
                }
            )
    return out


def c_no_power(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    street_bodies = set()
    for c in (GK + "StreetOffice", GK + "TownshipGovernment", GK + "StreetEnforcementOffice"):
        street_bodies |= ctx.instances(c)
    transfers = [t for t in ctx.typed.get(GK + "Transfer", ()) if ctx.valid(t)]
    moved_for: dict[Term, set[Term]] = {}  # holder → matters moved to it

    def moved_to(h: Term) -> set[Term]:
        hit = moved_for.get(h)
        if hit is None:
            hit = set()
            areas = f.objects(h, v.SPATIAL)
            for t in transfers:
                to_h = h in f.objects(t, GK + "toBody") or any(
                    x in ctx.wstar(ha) for x in f.objects(t, GK + "toStreetsOf") for ha in areas
                )
                if to_h:
                    for d in f.objects(t, GK + "transferredDuty"):
                        hit.update(f.objects(d, GK + "matter"))
                    hit.update(f.objects(t, GK + "matter"))
            moved_for[h] = hit
        return hit

    out: dict[Term, list[Row]] = {}
    for d in targets:
        if not ctx.valid(d):
            continue
        for h in f.objects(d, GK + "holder"):
            if h not in street_bodies:
                continue
            powers = set(f.objects(h, GK + "enforcementPower"))
            for m in f.objects(d, GK + "matter"):
                up = ctx.bstar(m)
                if not up.isdisjoint(powers) or not up.isdisjoint(moved_to(h)):
                    continue
                for dt in f.objects(d, GK + "dutyType"):
                    if dt in ctx.enforcement:
                        out.setdefault(d, []).append({"value": m, "holder": h, "dutyType": dt})
    return out


def c_stale(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    out: dict[Term, list[Row]] = {}
    for d in targets:
        if not ctx.from_ok(d) or not ctx.not_ended(d):
            continue
        holders = f.objects(d, GK + "holder")
        areas = f.objects(d, GK + "area")
        for t in f.inverse(GK + "transferredDuty").get(d, ()):
            if not ctx.not_ended(t):
                continue
            whole = any(x in ctx.wstar(a) for x in f.objects(t, GK + "toStreetsOf") for a in areas) or any(
                a in f.objects(r, v.SPATIAL) for r in f.objects(t, GK + "toBody") for a in areas
            )
            if not whole:
                continue
            for fb in f.objects(t, GK + "fromBody"):
                if fb not in holders:
                    continue
                for since in ctx.from_ok(t):
                    out.setdefault(d, []).append(
                        {"value": t, "fromBody": fb, "transferredSince": _lit(since, v.XSD_DATE)}
                    )
    return out


def c_no_basis_duty(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    out: dict[Term, list[Row]] = {}
    for d in targets:
        if f.objects(d, GK + "legalBasis"):
            continue
        for dt in f.objects(d, GK + "dutyType"):
            if dt in ctx.enforcement:
                out.setdefault(d, []).append({"value": dt})
    return out


def c_no_basis_empowerment(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    out: dict[Term, list[Row]] = {}
    for e in targets:
        if f.objects(e, GK + "legalBasis"):
            continue
        powers = f.objects(e, GK + "power")
        out[e] = [{"value": p} for p in powers] or [{}]
    return out


def _members(ctx: Ctx) -> dict[Term, list[Term]]:
    return ctx.f.inverse(GK + "memberOf")


def c_count_nothing(ctx: Ctx, targets: set[Term], prop: str, names: tuple[str, str]) -> dict[Term, list[Row]]:
    members = _members(ctx)
    out: dict[Term, list[Row]] = {}
    for s in targets:
        if members.get(s):
            continue
        for d in ctx.f.objects(s, GK + prop):
            n = _num(d)
            if n is not None and n > 0:
                out.setdefault(s, []).append({names[0]: d, names[1]: _lit("0", XSD_INTEGER)})
    return out


_NOTES_ITEMS = (
    ("只列出了部分条目，这是如实记录的正常状态", "列举的条目多于申报数，请核对"),
    ("only part is listed, the normal honest state", "more items listed than declared: check them"),
)
_NOTES_BODIES = (
    ("只列出了部分主体的条目，这是如实记录的正常状态", "列举的主体多于申报数，请核对"),
    ("only part is listed, the normal honest state", "more bodies listed than declared: check them"),
)


def c_count_items(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    members = _members(ctx)
    out: dict[Term, list[Row]] = {}
    for s in targets:
        ms = members.get(s, [])
        if not ms:
            continue
        items: set[Term] = set()
        for m in ms:
            duties = f.objects(m, GK + "transferredDuty") or [None]
            tm = f.objects(m, GK + "matter") if (GK + "Transfer") in f.objects(m, v.TYPE) else []
            for d in duties:
                for x in tm or [None]:
                    items.add(d if d is not None else (x if x is not None else m))
        for declared in f.objects(s, GK + "declaredCount"):
            n = _num(declared)
            if n is None or len(items) == n:
                continue
            less = len(items) < n
            out.setdefault(s, []).append(
                {
                    "declared": declared,
                    "enumerated": _lit(str(len(items)), XSD_INTEGER),
                    "noteZh": _lit(_NOTES_ITEMS[0][0 if less else 1]),
                    "noteEn": _lit(_NOTES_ITEMS[1][0 if less else 1]),
                }
            )
    return out


def c_count_bodies(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    members = _members(ctx)
    bodies_cls = ctx.instances(GK + "Body")
    out: dict[Term, list[Row]] = {}
    for s in targets:
        ms = members.get(s, [])
        if not ms:
            continue
        bodies: set[Term] = set()
        for m in ms:
            bodies.update(f.objects(m, GK + "fromBody"))
            bodies.update(f.objects(m, GK + "holder"))
            if m in bodies_cls:
                bodies.add(m)
        for declared in f.objects(s, GK + "declaredBodyCount"):
            n = _num(declared)
            if n is None or len(bodies) == n:
                continue
            less = len(bodies) < n
            out.setdefault(s, []).append(
                {
                    "declaredBodies": declared,
                    "enumeratedBodies": _lit(str(len(bodies)), XSD_INTEGER),
                    "noteZh": _lit(_NOTES_BODIES[0][0 if less else 1]),
                    "noteEn": _lit(_NOTES_BODIES[1][0 if less else 1]),
                }
            )
    return out


def c_community(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    gsgb = ctx.instances(GK + "GrassrootsSelfGovernanceBody")
    lists = ctx.instances(GK + "CommunityDutyList")
    out: dict[Term, list[Row]] = {}
    for d in targets:
        if not ctx.valid(d):
            continue
        if any(x in lists for x in f.objects(d, GK + "memberOf")):
            continue
        for h in f.objects(d, GK + "holder"):
            if h in gsgb:
                out.setdefault(d, []).append({"value": h})
    return out


def c_unanswered(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    assigned = ctx.assignments()
    out: dict[Term, list[Row]] = {}
    for w in targets:
        if assigned.get(w):
            continue
        out[w] = [{"value": g} for g in ctx.fallbacks(w)] or [{}]
    return out


def _moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _reporters(ctx: Ctx, r: Term) -> list[Term]:
    return [*ctx.f.objects(r, GK + "reportingBody"), *ctx.f.objects(r, GK + "reportingPost")]


def c_late(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    assigned = ctx.assignments()
    out: dict[Term, list[Row]] = {}
    for r in targets:
        for w in f.objects(r, GK + "answers"):
            for arrived in f.objects(r, GK + "arrivedAt"):
                for who in _reporters(ctx, r):
                    dues = assigned.get(w, {}).get(who, (set(), set()))[0]
                    if not dues or not is_lit(arrived) or arrived[1] != v.XSD_DATETIME:
                        continue
                    moments = [(_moment(d), d) for d in dues]
                    t = _moment(arrived[0])
                    if t is None or any(
                        m is None or (m.tzinfo is None) != (t.tzinfo is None) for m, _d in moments
                    ):
                        continue
                    latest = max(moments, key=lambda x: x[0])
                    if t > latest[0]:
                        out.setdefault(r, []).append(
                            {
                                "value": who,
                                "whistle": w,
                                "arrivedAt": arrived,
                                "deadline": _lit(latest[1], v.XSD_DATETIME),
                            }
                        )
    return out


def c_under_ranked(ctx: Ctx, targets: set[Term]) -> dict[Term, list[Row]]:
    f = ctx.f
    assigned = ctx.assignments()

    def seniorities(rank: Term) -> list[int]:
        return [n for n in (_num(x) for x in f.objects(rank, GK + "seniority")) if n is not None]

    out: dict[Term, list[Row]] = {}
    for r in targets:
        for w in f.objects(r, GK + "answers"):
            for rank in f.objects(r, GK + "rank"):
                own = seniorities(rank)
                for who in _reporters(ctx, r):
                    required = assigned.get(w, {}).get(who, (set(), set()))[1]
                    if not required or not f.objects(rank, GK + "seniority"):
                        continue
                    ok = False
                    for sn in own:
                        met = any(
                            m == rank
                            or not f.objects(m, GK + "seniority")
                            or any(sn >= need for need in seniorities(m))
                            for m in required
                        )
                        if not met:
                            ok = True
                    if ok:
                        out.setdefault(r, []).append(
                            {
                                "value": who,
                                "whistle": w,
                                "rank": rank,
                                "requiredRanks": _lit(" ".join(sorted(str(x) for x in required))),
                            }
                        )
    return out


#: the constraints of shapes/gaps.ttl this module implements, by the hash of their query text
CONSTRAINTS: dict[str, Callable[[Ctx, set[Term]], dict[Term, list[Row]]]] = {}


def _register(name: str, fn: Callable[[Ctx, set[Term]], dict[Term, list[Row]]]) -> None:
    CONSTRAINTS[name] = fn


_register("uncovered", c_uncovered)
_register("overlap", c_overlap)
_register("no-power", c_no_power)
_register("stale", c_stale)
_register("no-basis-duty", c_no_basis_duty)
_register("no-basis-empowerment", c_no_basis_empowerment)
_register(
    "count-nothing-items", lambda ctx, t: c_count_nothing(ctx, t, "declaredCount", ("declared", "enumerated"))
)
_register(
    "count-nothing-bodies",
    lambda ctx, t: c_count_nothing(ctx, t, "declaredBodyCount", ("declaredBodies", "enumeratedBodies")),
)
_register("count-items", c_count_items)
_register("count-bodies", c_count_bodies)
_register("community", c_community)
_register("unanswered", c_unanswered)
_register("late", c_late)
_register("under-ranked", c_under_ranked)

#: query-text hash → constraint name (the hashes of shapes/gaps.ttl as this module was written
#: against; tests/test_fast_equivalence.py fails when the file changes without this table)
KNOWN: dict[str, str] = {
    "1294df93a36b2434": "uncovered",
    "3b6ff74e2aea6944": "overlap",
    "6965ec16ac322724": "no-power",
    "674c44178376a9ad": "stale",
    "a8dadc1012accf2e": "no-basis-duty",
    "6ef6078620c7b900": "no-basis-empowerment",
    "e1eb3a973918af3c": "count-nothing-items",
    "1c495d66db2ae487": "count-nothing-bodies",
    "fbc4d6c725fb4d48": "count-items",
    "171471534400506e": "count-bodies",
    "9bc9b9ff1b5a0e1c": "community",
    "b686a47f912c9bcd": "unanswered",
    "3534abd1521e639c": "late",
    "9ac9de7b48a1fc00": "under-ranked",
}


def query_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()[:16]


# ------------------------------------------------------------------------------------------
# Running the audit
# ------------------------------------------------------------------------------------------
_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _display(labels: AuditLabels, node: Term | None, lang: str) -> str:
    if node is None:
        return "—"
    if not is_lit(node):
        return labels.label(node, lang)
    text = node[0]
    parts = text.split()
    if parts and all(p.startswith(("http://", "https://")) for p in parts):
        sep = "、" if lang == "zh" else ", "
        return sep.join(labels.label(p, lang) for p in parts)
    return text


def _evidence_value(node: Term) -> str | list[str]:
    text = node[0] if is_lit(node) else str(node)
    if is_lit(node):
        parts = text.split()
        if len(parts) > 1 and all(p.startswith(("http://", "https://")) for p in parts):
            return parts
    return text


def _lang_text(shapes: Facts, node: Term, lang: str) -> str | None:
    found = [o[0] for o in shapes.objects(node, v.SH + "message") if is_lit(o) and o[2].split("-")[0] == lang]
    return min(found) if found else None


def audit_facts(
    facts: Facts, shapes: Facts, model: RouteModel, city: str = "", at: str | date | None = None
) -> AuditReport:
    """Every finding shapes/gaps.ttl (given as ``shapes``) makes on the city in ``facts``."""
    day = parse_date(at)
    ctx = Ctx(facts, day.isoformat(), model)
    labels = AuditLabels(facts)
    findings: list[Finding] = []
    gap_types: dict[str, GapType] = {}
    for _shape, gaps in sorted(shapes.subjects(GK + "gapType").items(), key=lambda kv: sort_key(kv[0])):
        for gap in gaps:
            notation = facts.value(gap, v.NOTATION)
            code = notation[0] if is_lit(notation) else (str(notation) if notation is not None else str(gap))
            gap_types[code] = GapType(code=code, iri=str(gap), label=labels.both(gap))
    for shape, constraints in sorted(
        shapes.subjects(v.SH + "sparql").items(), key=lambda kv: sort_key(kv[0])
    ):
        gap = shapes.value(shape, GK + "gapType")
        notation = facts.value(gap, v.NOTATION) if gap is not None else None
        code = "GAP-UNKNOWN" if gap is None else (notation[0] if is_lit(notation) else str(notation or gap))
        severity = SEVERITY_NAMES_STR.get(shapes.value(shape, v.SH_SEVERITY), "violation")
        other = sorted(
            p
            for p in _predicates(shapes, shape)
            if p.startswith(v.SH + "target") and p != v.SH + "targetClass"
        )
        if other:
            raise Unsupported(f"{shape}: the fast audit reads only sh:targetClass, not {other}")
        targets: set[Term] = set()
        for cls in shapes.objects(shape, v.SH + "targetClass"):
            targets |= ctx.instances(cls)
        for constraint in constraints:
            select = shapes.value(constraint, v.SH + "select")
            if select is None:
                continue
            name = KNOWN.get(query_hash(select[0]))
            if name is None:
                raise Unsupported(
                    f"shapes/gaps.ttl: a constraint of {shape} that the fast audit does not "
                    "implement (its query changed?); use the SHACL audit"
                )
            rows_by_focus = CONSTRAINTS[name](ctx, targets)
            grounds = sorted(shapes.objects(constraint, GK + "legalGround"), key=sort_key) or sorted(
                shapes.objects(shape, GK + "legalGround"), key=sort_key
            )
            templates = {
                lang: _lang_text(shapes, constraint, lang) or _lang_text(shapes, shape, lang) or ""
                for lang in ("zh", "en")
            }
            for focus, rows in rows_by_focus.items():
                if focus not in targets:
                    continue
                for row in rows:
                    findings.append(
                        _finding(labels, code, severity, str(shape), focus, row, grounds, templates)
                    )
    findings = _dedupe(findings)
    findings.sort(key=_finding_key)
    iris = _iris_of(findings)
    return AuditReport(
        city=city,
        at=day,
        findings=findings,
        gap_types=dict(
            sorted(gap_types.items(), key=lambda kv: CODE_ORDER.index(kv[0]) if kv[0] in CODE_ORDER else 99)
        ),
        labels={i: labels.both(i) for i in iris},
    )


def _predicates(facts: Facts, s: Term) -> list[str]:
    return [p for p, by_s in facts.spo.items() if s in by_s]


SEVERITY_NAMES_STR = {str(k): name for k, name in SEVERITY_NAMES.items()}


def _finding(
    labels: AuditLabels,
    code: str,
    severity: str,
    shape: str,
    focus: Term,
    row: Row,
    grounds: list[Term],
    templates: dict[str, str],
) -> Finding:
    def fill(template: str, lang: str) -> str:
        def repl(m: re.Match) -> str:
            name = m.group(1)
            return _display(labels, focus if name == "this" else row.get(name), lang)

        return _PLACEHOLDER.sub(repl, template)

    return Finding(
        code=code,
        severity=severity,
        focus=str(focus),
        focus_label=labels.both(focus),
        message_zh=fill(templates["zh"], "zh"),
        message_en=fill(templates["en"], "en"),
        evidence={k: _evidence_value(x) for k, x in sorted(row.items()) if not k.endswith(("Zh", "En"))},
        legal_ground=tuple(str(g) for g in grounds),
        legal_ground_labels=tuple(labels.label(g, "zh") for g in grounds),
        shape=shape,
    )


def _finding_key(f: Finding) -> tuple:
    from govkg.audit import _finding_key as key

    return key(f)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    from dataclasses import asdict

    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(json.dumps(asdict(f), sort_keys=True, ensure_ascii=False), f)
    return list(seen.values())


def _iris_of(findings: Iterable[Finding]) -> set[str]:
    out: set[str] = set()
    for f in findings:
        out.add(f.focus)
        for val in f.evidence.values():
            for x in val if isinstance(val, list) else [val]:
                if x.startswith(("http://", "https://")):
                    out.add(x)
    return out


def load_shapes_facts() -> Facts:
    from govkg import resources
    from govkg.fast import facts_from_files

    return facts_from_files([resources.shapes_file("gaps")])


def audit_city(city: str | Path, at: str | date | None = None) -> AuditReport:
    """The fast audit of a bundled city or a city folder or file (compiled; not cached)."""
    from govkg.fast import _no_gc, compile_facts, facts_from_files, input_files
    from govkg.loader import city_path

    path = city_path(city)
    with _no_gc():
        facts = facts_from_files(input_files(path))
        model = compile_facts(facts)
    name = path.stem if path.is_file() else path.name
    return audit_facts(facts, load_shapes_facts(), model, city=name, at=at)


def audit_graph(graph: object, city: str = "", at: str | date | None = None) -> AuditReport:
    """The fast audit of an rdflib graph holding the ontology, vocabularies, reference data, city."""
    from govkg.fast import compile_facts
    from govkg.fast.facts import facts_from_triples, triples_from_rdflib

    facts = facts_from_triples(triples_from_rdflib(graph))
    return audit_facts(facts, load_shapes_facts(), compile_facts(facts), city=city, at=at)


__all__ = ["CONSTRAINTS", "KNOWN", "audit_city", "audit_facts", "audit_graph", "is_iri", "query_hash"]
