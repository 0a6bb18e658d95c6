"""Resolve what a user types to an IRI, as govkg.terms does, from compiled facts.

Same tiers and matching as :mod:`govkg.terms` (IRI or prefixed name; notation or label;
alternative label; NFKC, case and space folded) and the same :class:`govkg.terms.TermError`,
without an rdflib graph.
"""

from __future__ import annotations

import difflib

from govkg.fast import vocab as v
from govkg.fast.facts import Facts, Term, is_iri, is_lit
from govkg.fast.model import Labels, closure
from govkg.namespaces import PREFIXES
from govkg.terms import KIND_NAMES, TermError, _hint, normalize

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


class FastTermIndex:
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

    def _expand(self, term: str) -> str | None:
        text = term.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if text.startswith(("http://", "https://", "urn:")):
            return text
        if ":" in text and " " not in text:
            prefix, local = text.split(":", 1)
            ns = PREFIXES.get(prefix)
            if ns is not None:
                return str(ns) + local
            if prefix in self.facts.prefixes:
                return self.facts.prefixes[prefix] + local
        return None

    def resolve(self, term: str) -> str:
        hit = self._cache.get(term)
        if hit is None:
            hit = self._resolve(term)
            if len(self._cache) < 1_000_000:
                self._cache[term] = hit
        return hit

    def _resolve(self, term: str) -> str:
        what_zh, what_en = KIND_NAMES[self.kind]
        text = str(term or "").strip()
        if not text:
            raise TermError(self.kind, text, f"empty {what_en} ({what_zh}为空)", [])
        iri = self._expand(text)
        if iri is not None and iri in self.nodes:
            return iri
        key = normalize(text)
        for table in (self.strong, self.weak):
            found = table.get(key, set())
            if len(found) == 1:
                return next(iter(found))
            if len(found) > 1:
                cands = [self.describe(n) for n in sorted(found)]
                raise TermError(
                    self.kind,
                    text,
                    f"ambiguous {what_en} {text!r} ({what_zh}有歧义); it names {len(found)} {what_en}s: "
                    + "; ".join(cands)
                    + " — give a notation or IRI",
                    cands,
                )
        if iri is not None:
            known = any(iri in by_s for by_s in self.facts.spo.values())
            why = f"is not a {what_en} in this city" if known else "is not in this city's graph"
            near = self.nearest(iri.rsplit("/", 1)[-1])
            raise TermError(
                self.kind, text, f"{text!r} {why} (不是本城市模型中的{what_zh})" + _hint(near), near
            )
        near = self.nearest(text)
        raise TermError(self.kind, text, f"unknown {what_en} {text!r} (未知{what_zh})" + _hint(near), near)

    def nearest(self, text: str, n: int = 5) -> list[str]:
        key = normalize(text)
        keys = sorted(set(self.strong) | set(self.weak))
        close = difflib.get_close_matches(key, keys, n=n, cutoff=0.4)
        contains = [k for k in keys if key and (key in k or (len(k) > 1 and k in key))]
        out: list[str] = []
        seen: set[Term] = set()
        for k in [*close, *sorted(contains, key=len)]:
            for node in sorted(self.strong.get(k, set()) | self.weak.get(k, set())):
                if node not in seen:
                    seen.add(node)
                    out.append(self.describe(node))
        return out[:n]
