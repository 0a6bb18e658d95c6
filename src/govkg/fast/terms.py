"""Resolve what a user types to an IRI, as govkg.terms does, from compiled facts.

Same tiers and matching as :mod:`govkg.terms` (IRI or prefixed name; notation or label;
alternative label; NFKC, case and space folded) and the same :class:`govkg.terms.TermError`,
without an rdflib graph.
"""

from __future__ import annotations

from govkg.fast import vocab as v
from govkg.fast.facts import Facts, is_iri, is_lit
from govkg.fast.model import Labels, closure
from govkg.namespaces import PREFIXES
from govkg.terms import Resolver, normalize

_CLASSES = {"matter": v.gk("Matter"), "area": v.gk("Area"), "body": v.gk("Body")}


def members(facts: Facts, kind: str) -> set[str]:
    if kind == "severity":
        return {s for s in facts.inverse(v.IN_SCHEME).get(v.SEVERITY_SCHEME, ()) if is_iri(s)}
    cls = _CLASSES.get(kind)
    if cls is None:
        raise ValueError(f"unknown kind of term: {kind!r}")
    typed = facts.inverse(v.TYPE)
    out: set[str] = set()
    for c in closure(cls, facts.inverse(v.SUBCLASS), {}):
        out.update(s for s in typed.get(c, ()) if is_iri(s))
    return out


class FastTermIndex(Resolver):
    """Labels, notations and IRIs of every node of one kind."""

    def __init__(self, facts: Facts, kind: str, labels: Labels) -> None:
        self.facts = facts
        self.kind = kind
        self.labels = labels
        self.nodes = members(facts, kind)
        self.strong: dict[str, set[str]] = {}
        self.weak: dict[str, set[str]] = {}
        for node in self.nodes:
            for prop, table in (
                (v.NOTATION, self.strong),
                (v.PREF, self.strong),
                (v.LABEL, self.strong),
                (v.ALT, self.weak),
                (v.HIDDEN, self.weak),
            ):
                for lit in facts.objects(node, prop):
                    if is_lit(lit) and lit[0].strip():
                        table.setdefault(normalize(lit[0]), set()).add(node)
            if kind == "severity":
                self.strong.setdefault(normalize(node.rsplit("/", 1)[-1]), set()).add(node)
        self._cache: dict[str, str] = {}

    def describe(self, node: str) -> str:
        zh, en = self.labels.ref(node)
        label = zh if zh == en else f"{zh} / {en}"
        notation = self.facts.value(node, v.NOTATION)
        extra = f" [{notation[0] if is_lit(notation) else notation}]" if notation is not None else ""
        return f"{label}{extra} <{node}>"

    def _namespaces(self) -> list[dict[str, str]]:
        return [{p: str(ns) for p, ns in PREFIXES.items()}, self.facts.prefixes]

    def resolve(self, term: str) -> str:
        hit = self._cache.get(term)
        if hit is None:
            hit = self._resolve(term)
            if len(self._cache) < 1_000_000:
                self._cache[term] = hit
        return hit

    def _in_graph(self, iri: str) -> bool:
        return any(iri in by_s for by_s in self.facts.spo.values())

