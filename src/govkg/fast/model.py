"""The routing rules of shapes/routing.ttl, run on plain Python indexes.

:class:`RouteModel` is compiled once from a city's triples (:mod:`govkg.fast.facts`). It
follows the SHACL-AF rules step by step (the step numbers are docs/routing.md's), with the same
set semantics as their SPARQL: every property may have several values, only explicit
``rdf:type`` triples count where the rules say ``?x a C``, and ``sh:class`` counts subclasses.

The answer to a whistle depends on its matter only through the matters of the duties that
name the matter or a broader one, on its area only through the areas that matter to some
rule (duty areas, jurisdictions, policy areas, paired areas), on its severity, and on its date
only through the *validity epoch*: the interval between two dates at which some duty,
transfer or policy starts or stops being valid. So the answer's core (:class:`Core`) is
computed once per (matter key, area key, severity, epoch) and cached; a whistle then costs a
few dictionary look-ups and a deadline addition. :meth:`RouteModel.result` turns a core back
into the full :class:`govkg.route.RouteResult`, with every basis, provision, source and gap
message, exactly as ``govkg.route`` reads it from the inferred graph.

Where a city leaves the fragment this engine implements (a validity date that is not a plain
``xsd:date``), compiling raises :class:`Unsupported`; callers fall back to the SHACL engine.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from govkg.errors import GovkgError
from govkg.fast import vocab as v
from govkg.fast.facts import Facts, Term, is_iri, is_lit, sort_key
from govkg.fast.timeutil import add_duration

#: Version of the compiled form; a cached model of another version is not used.
FORMAT_VERSION = 1


class Unsupported(GovkgError):
    """The city uses something the fast engine does not implement; use ``--engine shacl``."""


# ------------------------------------------------------------------------------------------
# Small helpers
# ------------------------------------------------------------------------------------------
def _date_values(facts: Facts, node: Term, prop: str) -> tuple[str, ...]:
    out = []
    for o in facts.objects(node, prop):
        if not is_lit(o) or o[1] != v.XSD_DATE or len(o[0]) != 10 or o[0][4] != "-" or o[0][7] != "-":
            raise Unsupported(
                f"{node}: {prop.rsplit('#', 1)[-1]} {o!r} is not a plain xsd:date "
                "(YYYY-MM-DD); the fast engine needs one (use --engine shacl)"
            )
        out.append(o[0])
    return tuple(out)


def _next_day(day: str) -> str:
    try:
        return (date.fromisoformat(day) + timedelta(days=1)).isoformat()
    except (ValueError, OverflowError):
        return "9999-12-32"


def closure(start: Term, step: dict[Term, list[Term]], memo: dict[Term, frozenset]) -> frozenset:
    """``start`` and everything reachable from it along ``step`` (zero or more steps)."""
    hit = memo.get(start)
    if hit is not None:
        return hit
    seen = {start}
    todo = [start]
    while todo:
        x = todo.pop()
        for y in step.get(x, ()):
            if y not in seen:
                seen.add(y)
                todo.append(y)
    out = frozenset(seen)
    memo[start] = out
    return out


def plus_closure(start: Term, step: dict[Term, list[Term]]) -> frozenset:
    """Everything reachable from ``start`` in one or more steps."""
    seen: set[Term] = set()
    todo = list(step.get(start, ()))
    while todo:
        x = todo.pop()
        if x not in seen:
            seen.add(x)
            todo.extend(step.get(x, ()))
    return frozenset(seen)


def subclass_closure(facts: Facts, cls: str) -> frozenset:
    """``cls`` and every class that is rdfs:subClassOf* it."""
    return closure(cls, facts.inverse(v.SUBCLASS), {})


# ------------------------------------------------------------------------------------------
# Compiled pieces
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Validity:
    froms: tuple[str, ...]
    tos: tuple[str, ...]

    def valid(self, day: str) -> bool:
        """Duties and transfers: some validFrom <= day, and no validTo < day."""
        return any(f <= day for f in self.froms) and not any(t < day for t in self.tos)

    def valid_policy(self, day: str) -> bool:
        """Policies: no validFrom > day, and no validTo < day (no validFrom: always)."""
        return not any(f > day for f in self.froms) and not any(t < day for t in self.tos)


@dataclass(frozen=True)
class CoreAssign:
    who: str
    kind: str  # "post" or "body"
    role: str
    duties: tuple[str, ...]
    transfers: tuple[str, ...]
    ranks: tuple[str, ...]  # sorted by seniority, then IRI
    times: tuple[tuple[str, str], ...]
    level: str | None
    levels: tuple[str, ...] = ()  # every escalation level used (prov:wasDerivedFrom); level is the first


@dataclass(frozen=True)
class Core:
    """Everything about an answer that does not depend on the whistle's own moment or labels."""

    lead: str | None
    respondents: tuple[CoreAssign, ...]  # in the order govkg.route sorts them
    fallback: str | None
    gaps: tuple[tuple[str, str | None], ...]  # (gap type IRI, assignee for GAP-COMMUNITY)
    times: tuple[tuple[str, str], ...] = ()  # every response time of any respondent

    @property
    def answered(self) -> bool:
        return bool(self.respondents) or self.fallback is not None


class RouteModel:
    """A city compiled for routing. Build with :func:`govkg.fast.compile_facts`."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        f = facts
        self._broader = f.subjects(v.BROADER)
        self._within = f.subjects(v.gk("within"))
        self._mstar: dict[Term, frozenset] = {}
        self._astar: dict[Term, frozenset] = {}
        typed = f.inverse(v.TYPE)
        self.typed = typed
        self.duty_class = set(typed.get(v.gk("Duty"), ()))
        self.transfer_class = set(typed.get(v.gk("Transfer"), ()))
        self.posts = set(typed.get(v.POST, ()))
        seo = set(typed.get(v.gk("StreetEnforcementOffice"), ()))
        self.seo = seo
        self.street_like = set(typed.get(v.gk("StreetOffice"), ())) | set(
            typed.get(v.gk("TownshipGovernment"), ())
        )
        self.district_govs = set(typed.get(v.gk("DistrictGovernment"), ()))
        gsgb_classes = subclass_closure(f, v.gk("GrassrootsSelfGovernanceBody"))
        self.gsgb = {s for c in gsgb_classes for s in typed.get(c, ())}
        cdl_classes = subclass_closure(f, v.gk("CommunityDutyList"))
        self.cdl_any = {s for c in cdl_classes for s in typed.get(c, ())}
        self.cdl_direct = set(typed.get(v.gk("CommunityDutyList"), ()))
        self.spatial = f.subjects(v.SPATIAL)
        self.bodies_by_spatial = f.inverse(v.SPATIAL)

        # Duties that a rule can match: typed gk:Duty (held) or moved by some transfer.
        transferred = f.inverse(v.gk("transferredDuty"))
        self.transfers_of: dict[Term, list[Term]] = {}
        self.tvalid: dict[Term, Validity] = {}
        for t in self.transfer_class:
            froms = _date_values(f, t, v.gk("validFrom"))
            if not froms:
                continue  # the rule needs a gk:validFrom
            self.tvalid[t] = Validity(froms, _date_values(f, t, v.gk("validTo")))
        for d, ts in transferred.items():
            live = sorted((t for t in ts if t in self.tvalid), key=sort_key)
            if live:
                self.transfers_of[d] = live
        candidates = set(self.duty_class) | set(self.transfers_of)
        self.dvalid: dict[Term, Validity] = {}
        self.by_matter_area: dict[tuple[Term, Term], list[Term]] = {}
        self.supervise: set[Term] = set()
        self.lead_duty: set[Term] = set()
        matters_ref: set[Term] = set()
        for d in sorted(candidates, key=sort_key):
            ms, as_ = f.objects(d, v.gk("matter")), f.objects(d, v.gk("area"))
            if not ms or not as_:
                continue
            roles = f.objects(d, v.gk("role"))
            if v.ROLE_SUPERVISE in roles:
                self.supervise.add(d)
                continue  # supervision never answers (both rules filter it out)
            if v.ROLE_LEAD in roles:
                self.lead_duty.add(d)
            if d in self.duty_class:
                self.dvalid[d] = Validity(
                    _date_values(f, d, v.gk("validFrom")), _date_values(f, d, v.gk("validTo"))
                )
            for m in ms:
                matters_ref.add(m)
                for a in as_:
                    self.by_matter_area.setdefault((m, a), []).append(d)
        self.matters_ref = frozenset(matters_ref)

        # Receivers of transfers.
        self._street_receivers: dict[Term, tuple[Term, ...]] = {}

        # Escalation policies.
        self.policies = set(typed.get(v.gk("EscalationPolicy"), ()))
        self.pvalid = {
            p: Validity(_date_values(f, p, v.gk("validFrom")), _date_values(f, p, v.gk("validTo")))
            for p in self.policies
        }
        self.policies_by_area: dict[Term, list[Term]] = {}
        for p in sorted(self.policies, key=sort_key):
            for pa in f.objects(p, v.gk("appliesTo")):
                self.policies_by_area.setdefault(pa, []).append(p)
        self._aplus: dict[Term, frozenset] = {}

        # Posts by the lead ranks they satisfy, by paired area, by body in charge of.
        self.posts_by_rank: dict[Term, list[Term]] = {}
        self.posts_paired: dict[Term, list[Term]] = {}
        self.posts_in_charge: dict[Term, list[Term]] = {}
        self._rank_star: dict[Term, frozenset] = {}
        for post in sorted(self.posts, key=sort_key):
            for pr in f.objects(post, v.gk("rank")):
                for lr in closure(pr, self._broader, self._rank_star):
                    lst = self.posts_by_rank.setdefault(lr, [])
                    if post not in lst:
                        lst.append(post)
            for pa in f.objects(post, v.gk("pairedWith")):
                self.posts_paired.setdefault(pa, []).append(post)
            for b in f.objects(post, v.gk("inChargeOf")):
                self.posts_in_charge.setdefault(b, []).append(post)

        # Areas whose presence in a whistle's ancestry can change an answer, by kind.
        self.duties_of_matter: dict[Term, list[Term]] = {}
        self.duty_areas_of: dict[Term, set[Term]] = {}
        for (m, a), ds in self.by_matter_area.items():
            self.duty_areas_of.setdefault(m, set()).add(a)
            self.duties_of_matter.setdefault(m, []).extend(ds)
        self.street_receiver_areas = frozenset(
            a
            for a, bodies in self.bodies_by_spatial.items()
            if any(b in self.seo or b in self.street_like for b in bodies)
        )
        self.common_areas = frozenset(
            set(self.policies_by_area)
            | {
                a
                for a, bodies in self.bodies_by_spatial.items()
                if any(b in self.district_govs for b in bodies)
            }
        )
        self.paired_areas = frozenset(self.posts_paired)
        self.lead_severities = frozenset(
            sev
            for p in self.policies
            for lv in f.objects(p, v.gk("hasLevel"))
            if f.objects(lv, v.gk("leadRank"))
            for sev in f.objects(lv, v.gk("severity"))
        )

        self._minfo: dict[Term, tuple[int, frozenset]] = {}
        self._psigs: dict[frozenset, int] = {}
        self._psig_of: dict[Term, int] = {}
        self._chains: dict[Term, tuple[Term, ...]] = {}
        self._mkeys: dict[frozenset, int] = {}
        self._pairs: dict[tuple, Pair] = {}

    # -- closures and keys ------------------------------------------------------------------
    def mstar(self, m: Term) -> frozenset:
        return closure(m, self._broader, self._mstar)

    def astar(self, a: Term) -> frozenset:
        return closure(a, self._within, self._astar)

    def aplus(self, a: Term) -> frozenset:
        hit = self._aplus.get(a)
        if hit is None:
            hit = self._aplus[a] = plus_closure(a, self._within)
        return hit

    def matter_info(self, m: Term) -> tuple[int, frozenset, frozenset]:
        """The matter's key (the matters of duties it reaches) and the areas that can change an
        answer about it: without and with lead posts (see :meth:`pair`)."""
        hit = self._minfo.get(m)
        if hit is None:
            sig = self.mstar(m) & self.matters_ref
            key = self._mkeys.setdefault(sig, len(self._mkeys))
            rel = set(self.common_areas)
            for x in sig:
                rel.update(self.duty_areas_of.get(x, ()))
                for d in self.duties_of_matter.get(x, ()):
                    for t in self.transfers_of.get(d, ()):
                        for r in f_objects(self.facts, t, v.gk("toBody")):
                            rel.update(self.spatial.get(r, ()))
                        if f_objects(self.facts, t, v.gk("toStreetsOf")):
                            rel.update(self.street_receiver_areas)
            hit = self._minfo[m] = (key, frozenset(rel))
        return hit

    def post_signature(self, area: Term) -> int:
        """An id of the set of posts paired with ``area`` or an area containing it."""
        hit = self._psig_of.get(area)
        if hit is None:
            posts = frozenset(p for a in self.astar(area) for p in self.posts_paired.get(a, ()))
            hit = self._psig_of[area] = self._psigs.setdefault(posts, len(self._psigs))
        return hit

    def chain(self, area: Term) -> tuple[Term, ...]:
        """``area``, its parent, its parent's parent … while each has exactly one parent."""
        hit = self._chains.get(area)
        if hit is None:
            out = [area]
            parents = self._within.get(area, ())
            while len(parents) == 1 and parents[0] not in out:
                out.append(parents[0])
                parents = self._within.get(parents[0], ())
            hit = self._chains[area] = tuple(out)
        return hit

    def pair(self, matter: Term, area: Term, severity: Term) -> Pair:
        """Where the answers for ``matter`` in ``area`` are cached (with their local epochs).

        The rules read a whistle's area only through its ancestors (``gk:within*``) that are
        the area of a duty on the matter, the jurisdiction of a body that can receive a transfer
        of such a duty or take a fallback, or the area of a policy; and, when a level for the
        severity calls lead posts, through the posts paired with one of its ancestors. Whistles
        that agree on those get the same answer, so they share a :class:`Pair`."""
        mk, plain = self.matter_info(matter)
        lead = severity in self.lead_severities
        key = (
            mk,
            lead,
            frozenset(x for x in self.astar(area) if x in plain),
            self.post_signature(area) if lead else -1,
        )
        p = self._pairs.get(key)
        if p is None:
            matched = self.matched(self.mstar(matter), self.astar(area))
            p = self._pairs[key] = Pair(matter, area, self.local_bounds(matter, area, matched), matched)
        return p

    def local_bounds(self, matter: Term, area: Term, matched: list[Term] | None = None) -> list[str]:
        """The validity dates of what can matter here: the duties the whistle matches, their
        transfers, and the policies of its area."""
        vb = self._vbounds
        bounds: set[str] = set()
        if matched is None:
            matched = self.matched(self.mstar(matter), self.astar(area))
        for d in matched:
            val = self.dvalid.get(d)
            if val is not None:
                bounds.update(vb(val))
            for t in self.transfers_of.get(d, ()):
                bounds.update(vb(self.tvalid[t]))
        for a in self.astar(area):
            for p in self.policies_by_area.get(a, ()):
                bounds.update(vb(self.pvalid[p]))
        return sorted(bounds)

    def _vbounds(self, val: Validity) -> tuple[str, ...]:
        cache = self.__dict__.setdefault("_vb_cache", {})
        hit = cache.get(id(val))  # the Validity objects live as long as the model
        if hit is None:
            hit = cache[id(val)] = tuple(_val_bounds(val))
        return hit

    def core(self, matter: Term, area: Term, severity: Term, day: str) -> Core:
        """The cached core answer for a whistle on ``matter`` in ``area`` on ``day``."""
        return self.pair(matter, area, severity).core(self, severity, day)

    def matched(self, mstar: frozenset, astar: frozenset) -> list[Term]:
        """Duties on a matter in ``mstar`` in an area in ``astar`` (not supervision ones)."""
        matched: list[Term] = []
        seen: set[Term] = set()
        for m in mstar:
            for a in astar:
                for d in self.by_matter_area.get((m, a), ()):
                    if d not in seen:
                        seen.add(d)
                        matched.append(d)
        return matched

    # -- the rules --------------------------------------------------------------------------
    def street_receivers(self, s: Term) -> tuple[Term, ...]:
        """toStreetsOf: the enforcement office whose jurisdiction is ``s``, else its street
        office or township government (rule gkr:TransferredDuty)."""
        hit = self._street_receivers.get(s)
        if hit is None:
            bodies = self.bodies_by_spatial.get(s, ())
            has_seo = any(b in self.seo for b in bodies)
            hit = tuple(b for b in bodies if b in self.seo or (b in self.street_like and not has_seo))
            self._street_receivers[s] = hit
        return hit

    def policy_levels(self, astar: frozenset, severity: Term, day: str) -> list[Term]:
        """The levels for ``severity`` of the nearest valid escalation policies (step 4)."""
        valid_here: list[tuple[Term, Term]] = []
        for pa in astar:
            for p in self.policies_by_area.get(pa, ()):
                if self.pvalid[p].valid_policy(day):
                    valid_here.append((p, pa))
        if not valid_here:
            return []
        levels: list[Term] = []
        for p, pa in valid_here:
            if any(pa in self.aplus(na) for _n, na in valid_here):
                continue  # a nearer valid policy applies
            for level in self._plevels[p]:
                if severity in self._linfo[level][0] and level not in levels:
                    levels.append(level)
        return levels

    def _prepare(self) -> None:
        """Per-node tuples the rules read, so that computing an answer does no graph look-ups."""
        f = self.facts
        gk = v.gk
        self._holders = {d: tuple(f.objects(d, gk("holder"))) for d in self.dvalid}
        self._tinfo = {
            t: (
                self.tvalid[t],
                tuple((r, frozenset(self.spatial.get(r, ()))) for r in f.objects(t, gk("toBody"))),
                tuple(f.objects(t, gk("toStreetsOf"))),
            )
            for t in self.tvalid
        }
        levels = {lv for p in self.policies for lv in f.objects(p, gk("hasLevel"))}
        self._linfo = {
            lv: (
                frozenset(f.objects(lv, gk("severity"))),
                tuple(f.objects(lv, gk("requiredRank"))),
                tuple((o[0], o[1]) for o in f.objects(lv, gk("responseTime")) if is_lit(o)),
                tuple(f.objects(lv, gk("leadRank"))),
            )
            for lv in levels
        }
        self._plevels = {p: tuple(f.objects(p, gk("hasLevel"))) for p in self.policies}
        self._post_paired = {p: frozenset(f.objects(p, gk("pairedWith"))) for p in self.posts}
        self._post_charge = {p: tuple(f.objects(p, gk("inChargeOf"))) for p in self.posts}
        self._paired_by_rank: dict[tuple[Term, Term], list[Term]] = {}
        self._charge_by_rank: dict[tuple[Term, Term], list[Term]] = {}
        for lr, posts in self.posts_by_rank.items():
            for post in posts:
                for a in self._post_paired[post]:
                    self._paired_by_rank.setdefault((lr, a), []).append(post)
                for b in self._post_charge[post]:
                    self._charge_by_rank.setdefault((lr, b), []).append(post)
        self._cdl_ok = {}

    def compute_core(
        self, matter: Term, area: Term, severity: Term, day: str, matched: list[Term] | None = None
    ) -> Core:
        """Run the rules of shapes/routing.ttl, in their sh:order, for one whistle."""
        if "_tinfo" not in self.__dict__:
            self._prepare()
        mstar, astar = self.mstar(matter), self.astar(area)
        if matched is None:
            matched = self.matched(mstar, astar)
        # who -> [duties, transfers, roles, ranks, times, levels]
        assigns: dict[Term, list[set]] = {}

        def get(who: Term) -> list[set]:
            a = assigns.get(who)
            if a is None:
                a = assigns[who] = [set(), set(), set(), set(), set(), set()]
            return a

        # gkr:TransferredDuty (steps 1-2)
        moved_to: dict[Term, set[Term]] = {}
        for d in matched:
            for t in self.transfers_of.get(d, ()):
                validity, to_body, to_streets = self._tinfo[t]
                if not validity.valid(day):
                    continue
                receivers: list[Term] = [r for r, areas in to_body if not areas.isdisjoint(astar)]
                for x in to_streets:
                    for s in astar:
                        if s in self.street_receiver_areas and x in self.astar(s):
                            receivers.extend(self.street_receivers(s))
                for r in receivers:
                    asg = get(r)
                    asg[0].add(d)
                    asg[1].add(t)
                    moved_to.setdefault(d, set()).add(r)

        # gkr:HeldDuty (steps 1, 3)
        for d in matched:
            val = self.dvalid.get(d)
            if val is None or not val.valid(day):
                continue
            receivers_of_d = moved_to.get(d, ())
            for h in self._holders[d]:
                if any(r != h for r in receivers_of_d):
                    continue
                get(h)[0].add(d)

        # gkr:LeadDuty
        lead_duty = self.lead_duty
        for asg in assigns.values():
            if not asg[0].isdisjoint(lead_duty):
                asg[2].add(v.ROLE_LEAD)

        # gkr:RanksAndDeadline (step 4)
        levels = self.policy_levels(astar, severity, day)
        linfo = self._linfo
        with_duty = [(w, a) for w, a in assigns.items() if a[0]]
        for _w, asg in with_duty:
            for lv in levels:
                _sevs, ranks, times, _lead_ranks = linfo[lv]
                asg[3].update(ranks)
                asg[4].update(times)
                asg[5].add(lv)

        # gkr:LeadPosts (step 4)
        if levels:
            body_respondents = {w for w, _a in with_duty}
            for lv in levels:
                _sevs, _ranks, times, lead_ranks = linfo[lv]
                for lr in lead_ranks:
                    posts = {p for a in astar for p in self._paired_by_rank.get((lr, a), ())}
                    posts.update(p for b in body_respondents for p in self._charge_by_rank.get((lr, b), ()))
                    for post in posts:
                        asg = get(post)
                        asg[2].add(v.ROLE_LEAD)
                        asg[3].add(lr)
                        asg[4].update(times)
                        asg[5].add(lv)

        # gkr:OnlyRespondent
        if len(with_duty) == 1 and v.ROLE_LEAD not in with_duty[0][1][2]:
            with_duty[0][1][2].add(v.ROLE_LEAD)

        # gkr:LeadIsPost, gkr:LeadIsBody
        lead: Term | None = None
        post_keys = [
            ("1" if self._post_paired[w].isdisjoint(astar) else "0") + str(w)
            for w in assigns
            if w in self.posts
        ]
        if post_keys:
            lead = min(post_keys)[1:]
        else:
            leads = [w for w, a in with_duty if v.ROLE_LEAD in a[2]]
            if len(leads) == 1:
                lead = leads[0]

        # gkr:Cooperate
        for _w, a in with_duty:
            if v.ROLE_LEAD not in a[2]:
                a[2].add(v.ROLE_COOPERATE)

        # gkr:Fallback (step 5)
        fallback: Term | None = None
        if not with_duty:
            govs = sorted(
                {g for a in astar for g in self.bodies_by_spatial.get(a, ()) if g in self.district_govs},
                key=sort_key,
            )
            fallback = govs[0] if govs else None

        # Routing gaps (gkr:Overlap, gkr:Uncovered, gkr:Community)
        gaps: list[tuple[str, str | None]] = []
        if len(with_duty) >= 2 and sum(1 for _w, a in with_duty if v.ROLE_LEAD in a[2]) != 1:
            gaps.append((v.GAP_OVERLAP, None))
        if not with_duty:
            gaps.append((v.GAP_UNCOVERED, None))
        for w, a in assigns.items():
            if w in self.gsgb and any(not self._in_any_cdl(d) for d in a[0]):
                gaps.append((v.GAP_COMMUNITY, w))

        respondents = [self._core_assign(w, a) for w, a in assigns.items()]
        ref = self.labels.ref
        respondents.sort(
            key=lambda r: (r.who != lead, r.kind != "post", r.role != "lead", ref(r.who)[0], r.who)
        )
        times = tuple(sorted({t for r in respondents for t in r.times}))
        return Core(
            lead=lead, respondents=tuple(respondents), fallback=fallback, gaps=tuple(gaps), times=times
        )

    def _in_any_cdl(self, duty: Term) -> bool:
        hit = self._cdl_ok.get(duty)
        if hit is None:
            hit = self._cdl_ok[duty] = any(
                lst in self.cdl_any for lst in self.facts.objects(duty, v.gk("memberOf"))
            )
        return hit

    def in_direct_cdl(self, duty: Term) -> bool:
        return any(lst in self.cdl_direct for lst in self.facts.objects(duty, v.gk("memberOf")))

    def seniority(self, rank: Term) -> int:
        cache = self.__dict__.setdefault("_seniority", {})
        hit = cache.get(rank)
        if hit is None:
            value = self.facts.value(rank, v.gk("seniority"))
            hit = 0
            if value is not None and is_lit(value):
                try:
                    hit = int(value[0])
                except ValueError:
                    hit = 0
            cache[rank] = hit
        return hit

    def _core_assign(self, who: Term, a: list[set]) -> CoreAssign:
        duties, transfers, roles_iri, ranks, times, levels = a
        roles = {r.rsplit("/", 1)[-1] for r in roles_iri}
        role = "lead" if "lead" in roles else (sorted(roles)[0] if roles else "cooperate")
        ordered = (
            sorted(ranks, key=lambda r: (-self.seniority(r), sort_key(r))) if len(ranks) > 1 else list(ranks)
        )
        level = min(levels, key=sort_key) if levels else None
        return CoreAssign(
            who=who,
            kind="post" if who in self.posts else "body",
            role=role,
            duties=tuple(sorted(duties)),  # subjects: always strings
            transfers=tuple(sorted(transfers)),
            ranks=tuple(ordered),
            times=tuple(sorted(times)),
            level=level,
            levels=tuple(sorted(levels, key=sort_key)),
        )

    # -- labels ----------------------------------------------------------------------------
    @property
    def labels(self) -> Labels:
        lab = self.__dict__.get("_labels")
        if lab is None:
            lab = self.__dict__["_labels"] = Labels(self.facts)
        return lab

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("_labels", None)
        state.pop("_seniority", None)
        state.pop("_basis_texts", None)
        state.pop("_cells_cache", None)
        state.pop("_minute_cache", None)
        state.pop("_batch_pairs", None)
        state.pop("_batch_static", None)
        state.pop("_vb_cache", None)
        for k in (
            "_holders",
            "_tinfo",
            "_linfo",
            "_plevels",
            "_post_paired",
            "_post_charge",
            "_cdl_ok",
            "_paired_by_rank",
            "_charge_by_rank",
        ):
            state.pop(k, None)
        state["_pairs"] = {}
        return state


def f_objects(facts: Facts, s: Term, p: str) -> list[Term]:
    return facts.objects(s, p)


def _val_bounds(val: Validity) -> list[str]:
    return [*val.froms, *(_next_day(t) for t in val.tos)]


class Pair:
    """The answers for one (matter key, area key), by severity and local validity epoch."""

    __slots__ = ("area", "bounds", "cores", "matched", "matter")

    def __init__(
        self, matter: Term, area: Term, bounds: list[str], matched: list[Term] | None = None
    ) -> None:
        self.matter = matter
        self.area = area
        self.bounds = bounds
        self.matched = matched
        self.cores: dict[tuple[Term, int], Core] = {}

    def epoch(self, day: str) -> int:
        return bisect.bisect_right(self.bounds, day) if self.bounds else 0

    def core(self, model: RouteModel, severity: Term, day: str) -> Core:
        key = (severity, bisect.bisect_right(self.bounds, day) if self.bounds else 0)
        c = self.cores.get(key)
        if c is None:
            c = self.cores[key] = model.compute_core(self.matter, self.area, severity, day, self.matched)
        return c


class Labels:
    """Labels of nodes, read as govkg.route.ref reads them (skos:prefLabel, then rdfs:label;
    the language tag equal to, or starting with, ``zh`` / ``en``; each falls back to the other,
    then to the IRI's last segment). Several matching labels: the least, so answers are stable."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self._refs: dict[Term, tuple[str, str]] = {}
        self._texts: dict[Term, str] = {}

    def _text(self, node: Term, lang: str) -> str | None:
        for prop in (v.PREF, v.LABEL):
            found = [
                o[0]
                for o in self.facts.objects(node, prop)
                if is_lit(o) and o[2] and (o[2] == lang or o[2].startswith(lang + "-"))
            ]
            if found:
                return min(found)
        return None

    def text(self, node: Term) -> str:
        """``zh / en`` (or one of them when they are the same), as govkg.route.Ref.label."""
        hit = self._texts.get(node)
        if hit is None:
            zh, en = self.ref(node)
            hit = self._texts[node] = zh if zh == en else f"{zh} / {en}"
        return hit

    def ref(self, node: Term) -> tuple[str, str]:
        hit = self._refs.get(node)
        if hit is None:
            zh, en = self._text(node, "zh"), self._text(node, "en")
            text = node[0] if is_lit(node) else str(node)
            tail = text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
            hit = self._refs[node] = (zh or en or tail, en or zh or tail)
        return hit


def assignment_iri(whistle: str, who: str) -> str:
    return f"{whistle}/assignment/{hashlib.md5(who.encode('utf-8')).hexdigest()}"


def deadlines(at: str, times: tuple[tuple[str, str], ...]) -> list[str]:
    out = {d for lex, dt in times if dt in v.DURATIONS and (d := add_duration(at, lex, dt)) is not None}
    return sorted(out)


__all__ = [
    "FORMAT_VERSION",
    "Core",
    "CoreAssign",
    "Labels",
    "RouteModel",
    "Unsupported",
    "deadlines",
    "is_iri",
]
