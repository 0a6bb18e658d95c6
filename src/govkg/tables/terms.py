"""How a cell names an RDF term, both ways: ids, prefixed names, IRIs, blank nodes, citations.

A cell refers to:
- a thing of the city by its local name after the city base IRI (``body/fuzimiao-office``);
- a vocabulary concept or class by a prefixed name (``dt:penalty``, ``gk:StreetOffice``);
- a legal provision by a Chinese citation (``城市市容和环境卫生管理条例第三十四条（一）``, also
  ``第三十四条第一项``, half-width brackets, 《》 and spaces), read through the labels of
  ``reference/statutes.ttl``; a law by its title;
- anything by its full IRI (``<https://…>`` or a bare ``https://…``), or a blank node (``_:b1``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from govkg.namespaces import BASE, GK, PREFIXES, VOCAB

ENFORCEMENT = URIRef(VOCAB + "duty-type/enforcement")

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_NUM = "零〇一二三四五六七八九十百千两"
_CITATION = re.compile(
    rf"^(?P<title>.*?)第(?P<art>[{_NUM}\d]+)条"
    rf"(?:第?[（(](?P<item>[{_NUM}\d]+)[）)]|第(?P<item2>[{_NUM}\d]+)项)?$"
)
_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
           "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
_BAD_IRI_CHARS = re.compile(r'[\s<>"{}|^`\\]')
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_CURIE = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>.*)$")
_LOCAL_OK = re.compile(r"^[A-Za-z0-9_~.%/-]+$")
_BNODE_OK = re.compile(r"^[A-Za-z0-9_.-]+$")
SEPARATORS = re.compile(r"[;；]")


@contextmanager
def quiet_literals() -> Iterator[None]:
    """Silence rdflib's log record (with a traceback) for each ill-typed literal, such as
    "2020-1-1"^^xsd:date: the sheets keep such literals exactly as they are, on purpose."""
    log = logging.getLogger("rdflib.term")
    before = log.disabled
    log.disabled = True
    try:
        yield
    finally:
        log.disabled = before


class TermError(ValueError):
    """A cell that does not name a term; the message says why."""


def cn_number(text: str) -> int:
    """A Chinese (or Arabic) numeral up to the thousands: 三十四 -> 34, 一百零二 -> 102."""
    if text.isdigit():
        return int(text)
    total, num = 0, 0
    for ch in text:
        if ch in _DIGITS:
            num = _DIGITS[ch]
        elif ch in "十百千":
            total += (num or 1) * {"十": 10, "百": 100, "千": 1000}[ch]
            num = 0
        else:
            raise TermError(f"not a number: {text!r}")
    return total + num


def normalise_citation(text: str) -> str:
    """Drop spaces, 《》 and a leading 中华人民共和国; full-width digits become ASCII."""
    t = re.sub(r"[\s\u3000]+", "", text).translate(_FULLWIDTH_DIGITS)
    t = t.replace("《", "").replace("》", "")
    return t.removeprefix("中华人民共和国")


def split_citation(text: str) -> tuple[str, int, int | None] | None:
    """(law title, article, item) of a citation, or None if it is not written as one."""
    m = _CITATION.match(normalise_citation(text))
    if not m:
        return None
    item = m.group("item") or m.group("item2")
    try:
        return m.group("title"), cn_number(m.group("art")), cn_number(item) if item else None
    except TermError:
        return None


@dataclass
class Context:
    """What cells may refer to besides the city itself: the ontology, vocabularies and reference data."""

    graph: Graph
    subjects: set[Node] = field(default_factory=set)
    classes: set[URIRef] = field(default_factory=set)
    enforcement_types: set[URIRef] = field(default_factory=set)
    schemes: dict[str, set[URIRef]] = field(default_factory=dict)
    provisions: dict[tuple[str, int, int | None], URIRef] = field(default_factory=dict)
    laws: dict[str, URIRef] = field(default_factory=dict)
    citation_of: dict[URIRef, str] = field(default_factory=dict)

    @classmethod
    def load(cls) -> Context:
        from govkg.loader import load_ontology, load_reference

        graph = load_ontology()
        load_reference(graph)
        return cls.from_graph(graph)

    @classmethod
    def from_graph(cls, graph: Graph) -> Context:
        ctx = cls(graph=graph, subjects=set(graph.subjects()))
        ctx.classes = {c for t in (OWL.Class, RDFS.Class) for c in graph.subjects(RDF.type, t)
                       if isinstance(c, URIRef)}
        ctx.enforcement_types = {m for m in graph.objects(ENFORCEMENT, SKOS.member) if isinstance(m, URIRef)}
        for c, scheme in graph.subject_objects(SKOS.inScheme):
            if isinstance(c, URIRef):
                ctx.schemes.setdefault(str(scheme), set()).add(c)
        for law in graph.subjects(RDF.type, GK.Law):
            if not isinstance(law, URIRef):
                continue
            titles = [o for p in (RDFS.label, DCTERMS.title) for o in graph.objects(law, p)
                      if isinstance(o, Literal) and (o.language or "").startswith("zh")]
            for t in sorted(titles):
                ctx.laws.setdefault(normalise_citation(str(t)), law)
                ctx.citation_of.setdefault(law, normalise_citation(str(t)))
        for prov in graph.subjects(RDF.type, GK.LegalProvision):
            for label in sorted(graph.objects(prov, RDFS.label)):
                if not (isinstance(label, Literal) and label.language == "zh" and isinstance(prov, URIRef)):
                    continue
                parts = split_citation(str(label))
                if parts is not None:
                    title, art, item = parts
                    ctx.provisions.setdefault((title, art, item), prov)
                    ctx.citation_of.setdefault(prov, normalise_citation(str(label)))
        return ctx

    def is_class(self, iri: Node) -> bool:
        return iri in self.classes

    def subclasses(self, cls: URIRef) -> set[URIRef]:
        """``cls`` and every class below it (rdfs:subClassOf*)."""
        out = {cls}
        todo = [cls]
        while todo:
            for sub in self.graph.subjects(RDFS.subClassOf, todo.pop()):
                if isinstance(sub, URIRef) and sub not in out:
                    out.add(sub)
                    todo.append(sub)
        return out

    def resolve_citation(self, text: str) -> URIRef:
        """The provision (or law) a Chinese citation names; TermError says what is wrong."""
        norm = normalise_citation(text)
        if norm in self.laws:
            return self.laws[norm]
        parts = split_citation(text)
        if parts is None:
            raise TermError(f"unparseable legal citation {text!r}: write the law and article, "
                            "such as 城市市容和环境卫生管理条例第三十四条（一） or 第三十四条第一项")
        title, art, item = parts
        if not title:
            raise TermError(f"unparseable legal citation {text!r}: name the law before the article, "
                            "such as 城市市容和环境卫生管理条例第三十四条（一）")
        if title not in self.laws:
            known = "、".join(sorted(self.laws))
            raise TermError(f"unparseable legal citation {text!r}: no law titled {title!r} in "
                            f"reference/statutes.ttl (known: {known})")
        found = self.provisions.get((title, art, item))
        if found is None:
            where = f"第{art}条" + (f"第{item}项" if item else "")
            raise TermError(f"unparseable legal citation {text!r}: {title} has no {where} in "
                            f"reference/statutes.ttl")
        return found

    def curie(self, iri: URIRef) -> str | None:
        """``prefix:local`` for an IRI in a known namespace (the longest namespace wins)."""
        best: tuple[str, str] | None = None
        for prefix, ns in PREFIXES.items():
            if str(iri).startswith(str(ns)):
                local = str(iri)[len(str(ns)):]
                if local and _LOCAL_OK.match(local) and (best is None or len(local) < len(best[1])):
                    best = (prefix, local)
        return f"{best[0]}:{best[1]}" if best else None


@dataclass
class Terms:
    """Parse and format terms for one city: its base IRI and its blank-node labels."""

    ctx: Context
    base: str
    bnodes: dict[str, BNode] = field(default_factory=dict)
    labels: dict[BNode, str] = field(default_factory=dict)

    def parse(self, text: str) -> Node:
        t = text.strip()
        if not t:
            raise TermError("empty")
        if t.startswith("<") and t.endswith(">"):
            return _iri(t[1:-1], t)
        if t.startswith("_:"):
            label = t[2:]
            if not _BNODE_OK.match(label):
                raise TermError(f"not a blank-node label: {t!r} (letters, digits, _ . - only)")
            return self.bnodes.setdefault(label, BNode())
        if re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", t):
            return _iri(t, t)
        if _CJK.search(t):
            return self.ctx.resolve_citation(t)
        m = _CURIE.match(t)
        if m:
            prefix = m.group("prefix") or ""
            if prefix not in PREFIXES:
                known = ", ".join(sorted(PREFIXES))
                raise TermError(f"unknown prefix {prefix!r} in {t!r} (known prefixes: {known}; "
                                "or write the full IRI in <…>)")
            local = m.group("local")
            if _BAD_IRI_CHARS.search(local):
                raise TermError(f"not a valid name: {t!r}")
            return URIRef(str(PREFIXES[prefix]) + local)
        if _BAD_IRI_CHARS.search(t):
            raise TermError(f"not a valid id: {t!r} (no spaces or <>\"{{}}|^`\\ in ids)")
        return URIRef(self.base + t)

    def format(self, node: Node) -> str:
        """The shortest cell text that parses back to ``node``."""
        if isinstance(node, BNode):
            if node not in self.labels:
                label = f"b{len(self.labels) + 1}"
                self.labels[node] = label
                self.bnodes[label] = node
            return "_:" + self.labels[node]
        if not isinstance(node, URIRef):
            raise TermError(f"not a reference: {node!r}")
        s = str(node)
        candidates = []
        if node in self.ctx.citation_of:
            candidates.append(self.ctx.citation_of[node])
        if s.startswith(self.base) and _LOCAL_OK.match(s[len(self.base):]):
            candidates.append(s[len(self.base):])
        curie = self.ctx.curie(node)
        if curie:
            candidates.append(curie)
        candidates.append(f"<{s}>")
        for c in candidates:
            try:
                if self.parse(c) == node:
                    return c
            except TermError:
                continue
        raise TermError(f"IRI cannot be written in a cell: {s!r}")


def _iri(text: str, cell: str) -> URIRef:
    if not _SCHEME.match(text) or _BAD_IRI_CHARS.search(text):
        raise TermError(f"not an absolute IRI: {cell!r}")
    return URIRef(text)


def in_govkg(iri: Node) -> bool:
    """Is ``iri`` one of govkg's own (ontology, vocabulary, reference or city) IRIs?"""
    return isinstance(iri, URIRef) and str(iri).startswith(BASE)


def split_refs(cell: str) -> list[str]:
    """Reference cells hold several values separated by ';' or '；'."""
    return [p.strip() for p in SEPARATORS.split(cell) if p.strip()]


def split_lines(cell: str) -> list[str]:
    """Text cells hold several values on separate lines."""
    return [p.strip() for p in cell.splitlines() if p.strip()]
