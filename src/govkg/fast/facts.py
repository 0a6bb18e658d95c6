"""The triples a compiled city needs, as plain Python values (no rdflib objects).

A term is an IRI (``str``), a blank node (``str`` starting with ``_:``) or a literal
(:data:`Lit`, a ``(lexical form, datatype IRI, language)`` tuple; the datatype is ``""`` for a
language-tagged string and ``xsd:string`` for a plain one). :class:`Facts` holds, for every
predicate, the objects of every subject; long texts that no rule or gap constraint reads
(comments, definitions, quoted statute text) are dropped on the way in.

Triples come from files (parsed by pyoxigraph when it is installed, which is several times
faster than rdflib and never builds a graph, else by rdflib) or from an rdflib graph.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from govkg.errors import InputError

Lit = tuple[str, str, str]
Term = Any  # str (IRI or "_:" blank node) or Lit

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Predicates whose objects are long texts nobody routes or audits on.
SKIPPED = frozenset(
    {
        "http://www.w3.org/2000/01/rdf-schema#comment",
        "http://www.w3.org/2004/02/skos/core#definition",
        "http://www.w3.org/2004/02/skos/core#scopeNote",
        "http://www.w3.org/2004/02/skos/core#example",
        "http://www.w3.org/2004/02/skos/core#editorialNote",
        "https://w3id.org/govkg/ns#quotedText",
        "https://w3id.org/govkg/ns#sourceLocator",
    }
)


@dataclass
class Facts:
    """Subject → objects, per predicate; ``inverse`` builds object → subjects on demand."""

    spo: dict[str, dict[Term, list[Term]]] = field(default_factory=dict)
    #: prefix → namespace bound in the files read (first binding wins)
    prefixes: dict[str, str] = field(default_factory=dict)
    _inverse: dict[str, dict[Term, list[Term]]] = field(default_factory=dict, repr=False)

    def add(self, s: Term, p: str, o: Term) -> None:
        by_s = self.spo.get(p)
        if by_s is None:
            by_s = self.spo[p] = {}
        objs = by_s.get(s)
        if objs is None:
            by_s[s] = [o]
        elif o not in objs:
            objs.append(o)

    def objects(self, s: Term, p: str) -> list[Term]:
        return self.spo.get(p, {}).get(s, [])

    def value(self, s: Term, p: str) -> Term | None:
        """The least object (by sort key), so that a repeated property reads the same every time."""
        objs = self.objects(s, p)
        if not objs:
            return None
        return objs[0] if len(objs) == 1 else min(objs, key=sort_key)

    def subjects(self, p: str) -> dict[Term, list[Term]]:
        return self.spo.get(p, {})

    def inverse(self, p: str) -> dict[Term, list[Term]]:
        inv = self._inverse.get(p)
        if inv is None:
            inv = {}
            for s, objs in self.spo.get(p, {}).items():
                for o in objs:
                    inv.setdefault(o, []).append(s)
            self._inverse[p] = inv
        return inv

    def has(self, s: Term, p: str, o: Term) -> bool:
        return o in self.objects(s, p)

    def types(self, s: Term) -> list[Term]:
        return self.objects(s, RDF_TYPE)

    def __getstate__(self) -> dict[str, Any]:
        return {"spo": self.spo, "prefixes": self.prefixes}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.spo = state["spo"]
        self.prefixes = state["prefixes"]
        self._inverse = {}


def sort_key(term: Term) -> tuple[str, str, str]:
    if isinstance(term, tuple):
        return (term[0], term[1], term[2])
    return (term, "", "")


def is_lit(term: Term) -> bool:
    return isinstance(term, tuple)


def is_iri(term: Term) -> bool:
    return isinstance(term, str) and not term.startswith("_:")


# ------------------------------------------------------------------------------------------
# Reading triples
# ------------------------------------------------------------------------------------------
def facts_from_triples(triples: Iterable[tuple[Term, str, Term]], facts: Facts | None = None) -> Facts:
    facts = Facts() if facts is None else facts
    add = facts.add
    for s, p, o in triples:
        if p not in SKIPPED:
            add(s, p, o)
    return facts


def triples_from_rdflib(graph: Any) -> Iterator[tuple[Term, str, Term]]:
    """Convert an rdflib graph's triples to plain terms."""
    from rdflib import BNode, Literal

    cache: dict[Any, Term] = {}

    def conv(node: Any) -> Term:
        hit = cache.get(node)
        if hit is not None:
            return hit
        if isinstance(node, Literal):
            if node.language:
                out: Term = (str(node), "", node.language)
            else:
                out = (str(node), str(node.datatype) if node.datatype else XSD_STRING, "")
        elif isinstance(node, BNode):
            out = "_:" + str(node)
        else:
            out = str(node)
        cache[node] = out
        return out

    for s, p, o in graph:
        yield conv(s), str(p), conv(o)


_OX_FORMATS = {
    ".ttl": "TURTLE",
    ".turtle": "TURTLE",
    ".nt": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".n3": "N3",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
    ".jsonld": "JSON_LD",
    ".json": "JSON_LD",
}


def has_oxigraph() -> bool:
    try:
        import pyoxigraph  # noqa: F401
    except ImportError:
        return False
    return True


def triples_from_file(path: Path, prefixes: dict[str, str] | None = None) -> Iterator[tuple[Term, str, Term]]:
    """The triples of one RDF file (relative IRIs resolved against the file's URI, as the
    loader does); pyoxigraph when installed, else rdflib. Errors name the file. The file's
    prefix bindings are added to ``prefixes`` (a prefix already there is kept)."""
    path = Path(path)
    fmt = _OX_FORMATS.get(path.suffix.lower())
    if has_oxigraph() and fmt is not None and fmt != "JSON_LD":
        yield from _triples_oxigraph(path, fmt, {} if prefixes is None else prefixes)
        return
    from rdflib import Graph

    from govkg.loader import parse_into

    graph = parse_into(Graph(), path)
    if prefixes is not None:
        for prefix, ns in graph.namespaces():
            prefixes.setdefault(prefix, str(ns))
    yield from triples_from_rdflib(graph)


def _triples_oxigraph(path: Path, fmt: str, prefixes: dict[str, str]) -> Iterator[tuple[Term, str, Term]]:
    import pyoxigraph as ox

    iris: dict[str, str] = {}
    lits: dict[tuple[str, str, str], Lit] = {}
    try:
        parser = ox.parse(
            path=str(path),
            format=getattr(ox.RdfFormat, fmt),
            base_iri=path.resolve().as_uri(),
            rename_blank_nodes=True,
        )
        for quad in parser:
            s = quad.subject
            sv = "_:" + s.value if isinstance(s, ox.BlankNode) else iris.setdefault(s.value, s.value)
            pv = iris.setdefault(quad.predicate.value, quad.predicate.value)
            o = quad.object
            if isinstance(o, ox.NamedNode):
                ov: Term = iris.setdefault(o.value, o.value)
            elif isinstance(o, ox.BlankNode):
                ov = "_:" + o.value
            else:
                lang = o.language
                key = (o.value, "" if lang else o.datatype.value, lang or "")
                ov = lits.setdefault(key, key)
            yield sv, pv, ov
        for prefix, ns in (getattr(parser, "prefixes", None) or {}).items():
            prefixes.setdefault(prefix, ns)
    except SyntaxError as exc:
        raise InputError(path, f"invalid RDF syntax: {exc}") from exc
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc}") from exc
