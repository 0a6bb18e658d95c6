"""Resolve what a user types (a matter, an area, a body, a severity) to an IRI in a graph.

A term may be a full IRI, a prefixed name (``sev:major``, any prefix bound on the graph or
known to govkg), a notation (``skos:notation``), a label in Chinese or English
(``rdfs:label`` / ``skos:prefLabel``) or an alternative label (``skos:altLabel``). Matching
ignores case, surrounding space and full-width/half-width differences (Unicode NFKC).

Candidates are looked up in tiers, first match wins: IRI or prefixed name; notation or label;
alternative label. Two different candidates in the winning tier make the term ambiguous. An
unknown or ambiguous term raises :class:`TermError` (an InputError) naming the nearest terms
or the candidates.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import Node

from govkg.errors import InputError
from govkg.namespaces import GK, PREFIXES, VOCAB

SEVERITY_SCHEME = URIRef(VOCAB + "severity")

KIND_NAMES = {
    "matter": ("事项", "matter"),
    "area": ("区域", "area"),
    "body": ("主体", "body"),
    "severity": ("事件等级", "severity"),
}


class TermError(InputError):
    """A term that does not resolve: unknown (with the nearest terms) or ambiguous (with the
    candidates)."""

    def __init__(self, kind: str, term: str, problem: str, candidates: list[str]) -> None:
        self.kind = kind
        self.term = term
        self.candidates = candidates
        super().__init__(None, problem)


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _subclasses(graph: Graph, cls: URIRef) -> set[Node]:
    return set(graph.transitive_subjects(RDFS.subClassOf, cls))


def members(graph: Graph, kind: str) -> set[URIRef]:
    """Every node of a kind: instances of gk:Matter, gk:Area, gk:Body (with their subclasses),
    or the concepts of the severity scheme."""
    if kind == "severity":
        return {c for c in graph.subjects(SKOS.inScheme, SEVERITY_SCHEME) if isinstance(c, URIRef)}
    cls = {"matter": GK.Matter, "area": GK.Area, "body": GK.Body}.get(kind)
    if cls is None:
        raise ValueError(f"unknown kind of term: {kind!r}")
    out: set[URIRef] = set()
    for c in _subclasses(graph, cls):
        out.update(s for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef))
    return out


class Resolver:
    """How a term resolves, for any index of labels (this module's :class:`TermIndex` over an
    rdflib graph, ``govkg.fast.terms.FastTermIndex`` over compiled facts): the tiers, the
    matching and every :class:`TermError` message. An index provides ``kind``, ``nodes``,
    ``strong`` and ``weak`` (normalized label → nodes) and the hooks below."""

    kind: str
    nodes: set
    strong: dict
    weak: dict

    def _namespaces(self) -> list[dict[str, str]]:
        """Prefix tables to expand a prefixed name with, first match wins."""
        raise NotImplementedError

    def _node(self, iri: str) -> Node | str:
        """An IRI as the index's nodes are (URIRef, or str)."""
        return iri

    def _expand(self, term: str) -> Node | str | None:
        """The IRI a term spells (full, in angle brackets or prefixed), else None."""
        text = term.strip()
        if text.startswith("<") and text.endswith(">"):
            text = text[1:-1]
        if text.startswith(("http://", "https://", "urn:")):
            return self._node(text)
        if ":" in text and " " not in text:
            prefix, local = text.split(":", 1)
            for table in self._namespaces():
                if prefix in table:
                    return self._node(str(table[prefix]) + local)
        return None

    def describe(self, node: Node | str) -> str:
        """A node for a message: label, notation and IRI."""
        raise NotImplementedError

    def _in_graph(self, iri: Node | str) -> bool:
        """True when the IRI is the subject of a triple of the city."""
        raise NotImplementedError

    def elsewhere(self, key: str) -> str:
        """What else in the city a label names, for the message (empty when not known)."""
        return ""

    def _resolve(self, term: str) -> Node | str:
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
                cands = [self.describe(n) for n in sorted(found, key=str)]
                raise TermError(
                    self.kind, text,
                    f"ambiguous {what_en} {text!r} ({what_zh}有歧义); it names {len(found)} {what_en}s: "
                    + "; ".join(cands) + " — give a notation or IRI",
                    cands,
                )
        if iri is not None:
            why = f"is not a {what_en} in this city" if self._in_graph(iri) else "is not in this city's graph"
            near = self.nearest(str(iri).rsplit("/", 1)[-1])
            problem = f"{text!r} {why} (不是本城市模型中的{what_zh})" + _hint(near)
            raise TermError(self.kind, text, problem, near)
        near = self.nearest(text)
        other = self.elsewhere(key)
        if other:
            raise TermError(self.kind, text, f"{text!r} is not a {what_en} (不是{what_zh}): it names {other}"
                            + _hint(near), near)
        raise TermError(self.kind, text, f"unknown {what_en} {text!r} (未知{what_zh})" + _hint(near), near)

    def nearest(self, text: str, n: int = 5) -> list[str]:
        """The closest terms: labels and notations by similarity, and ones containing the text."""
        key = normalize(text)
        keys = sorted(set(self.strong) | set(self.weak))
        close = difflib.get_close_matches(key, keys, n=n, cutoff=0.4)
        contains = [k for k in keys if key and (key in k or (len(k) > 1 and k in key))]
        out: list[str] = []
        seen: set = set()
        for k in [*close, *sorted(contains, key=len)]:
            for node in sorted(self.strong.get(k, set()) | self.weak.get(k, set()), key=str):
                if node not in seen:
                    seen.add(node)
                    out.append(self.describe(node))
        return out[:n]


@dataclass
class TermIndex(Resolver):
    """Labels, notations and IRIs of every node of one kind in a graph; build once, resolve often."""

    graph: Graph
    kind: str
    nodes: set[URIRef] = field(init=False)
    strong: dict[str, set[URIRef]] = field(init=False)
    weak: dict[str, set[URIRef]] = field(init=False)
    shown: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.nodes = members(self.graph, self.kind)
        self.strong, self.weak, self.shown = {}, {}, {}
        for node in self.nodes:
            for prop, table in ((SKOS.notation, self.strong), (SKOS.prefLabel, self.strong),
                                (RDFS.label, self.strong), (SKOS.altLabel, self.weak),
                                (SKOS.hiddenLabel, self.weak)):
                for lit in self.graph.objects(node, prop):
                    if isinstance(lit, Literal) and str(lit).strip():
                        key = normalize(lit)
                        table.setdefault(key, set()).add(node)
                        self.shown.setdefault(key, str(lit).strip())
            if self.kind == "severity":  # ordinary / serious / major
                name = str(node).rsplit("/", 1)[-1]
                self.strong.setdefault(normalize(name), set()).add(node)

    def describe(self, node: URIRef) -> str:
        from govkg.route import ref

        r = ref(self.graph, node)
        notation = self.graph.value(node, SKOS.notation)
        extra = f" [{notation}]" if notation is not None else ""
        return f"{r.label}{extra} <{node}>"

    def _namespaces(self) -> list[dict[str, str]]:
        bound: dict[str, str] = {}
        for p, ns in self.graph.namespaces():
            bound.setdefault(p, str(ns))
        return [bound, {p: str(ns) for p, ns in PREFIXES.items()}]

    def _node(self, iri: str) -> URIRef:
        return URIRef(iri)

    def resolve(self, term: str) -> URIRef:
        return URIRef(self._resolve(term))

    def _in_graph(self, iri: Node | str) -> bool:
        return (URIRef(iri), None, None) in self.graph

    def elsewhere(self, key: str) -> str:
        """What else in the graph a label names (for "'东街道' is not a matter: it names an area")."""
        from govkg.route import ref

        found = []
        for prop in (SKOS.prefLabel, RDFS.label, SKOS.altLabel, SKOS.notation):
            for node, lit in self.graph.subject_objects(prop):
                if isinstance(node, URIRef) and isinstance(lit, Literal) and normalize(lit) == key:
                    kinds = sorted({ref(self.graph, t).label for t in self.graph.objects(node, RDF.type)})
                    found.append(f"{' / '.join(kinds) or 'a node'} <{node}>")
        return "; ".join(sorted(set(found))[:3])


def _hint(near: list[str]) -> str:
    return ("; nearest terms (相近的词): " + "; ".join(near)) if near else ""


def index(graph: Graph, kind: str) -> TermIndex:
    """The term index of one kind for a graph; build it once when resolving many terms."""
    return TermIndex(graph, kind)


def resolve(graph: Graph, term: str, kind: str) -> URIRef:
    return index(graph, kind).resolve(term)


def resolve_matter(graph: Graph, term: str) -> URIRef:
    return resolve(graph, term, "matter")


def resolve_area(graph: Graph, term: str) -> URIRef:
    return resolve(graph, term, "area")


def resolve_body(graph: Graph, term: str) -> URIRef:
    return resolve(graph, term, "body")


def resolve_severity(graph: Graph, term: str) -> URIRef:
    """ordinary / serious / major, 一般 / 较大 / 重大 (also 一般事件 …, notations 1 / 2 / 3), or an IRI."""
    return resolve(graph, term, "severity")
