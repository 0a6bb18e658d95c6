"""``govkg push``: load a city, with its inferred routing and gaps, into an external SPARQL store.

Scale-out: many readers query a shared SPARQL 1.1 store (Virtuoso, Fuseki, GraphDB, Oxigraph
server …) instead of each loading the city. The dataset is the one ``govkg serve`` offers
(:mod:`govkg.server.dataset`: three named graphs), sent over HTTP in one of two standard ways:

- SPARQL 1.1 Update to ``endpoint``: ``DROP SILENT GRAPH`` for each graph (unless
  ``replace=False``), then the triples in chunks of ``INSERT { GRAPH <g> { … } } WHERE {}``
  (``INSERT DATA`` would be the obvious form, but Virtuoso 7 refuses blank nodes in it);
- the SPARQL 1.1 Graph Store HTTP Protocol to ``graph_store`` (``…?graph=<g>``): the first chunk
  of each graph with PUT (which replaces the graph), the others with POST, as N-Triples. Use it
  for Virtuoso 7 (``http://host:8890/sparql-graph-crud``), whose SPARQL compiler cannot take
  ``xsd:duration`` literals in an update (our escalation response times).

Triples that share blank nodes always go in the same chunk, so a blank node stays one node.

``remote_graph`` reads a store's graphs back into rdflib, so the library (``route``) can run
against an endpoint.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import BNode, Graph
from rdflib.term import Node

from govkg.errors import GovkgError, InputError
from govkg.namespaces import ID, bind_all
from govkg.queries import EndpointError, check_endpoint, send

if TYPE_CHECKING:
    from govkg.kb import KnowledgeBase

Triple = tuple[Node, Node, Node]


@dataclass
class PushReport:
    endpoint: str
    graphs: dict[str, int] = field(default_factory=dict)  # graph IRI -> triples sent
    requests: int = 0

    @property
    def triples(self) -> int:
        return sum(self.graphs.values())

    def to_text(self) -> str:
        lines = [f"pushed {self.triples} triples in {self.requests} requests to {self.endpoint}"]
        lines += [f"  {n:>8}  <{g}>" for g, n in self.graphs.items()]
        return "\n".join(lines)


def _find(parent: dict[BNode, BNode], b: BNode) -> BNode:
    while parent[b] != b:
        parent[b] = parent[parent[b]]
        b = parent[b]
    return b


def blank_node_groups(triples: Iterable[Triple]) -> tuple[list[Triple], list[list[Triple]]]:
    """Split triples into those without blank nodes and groups joined by shared blank nodes."""
    plain: list[Triple] = []
    with_blanks: list[Triple] = []
    parent: dict[BNode, BNode] = {}
    for t in triples:
        blanks = [n for n in (t[0], t[2]) if isinstance(n, BNode)]
        if not blanks:
            plain.append(t)
            continue
        with_blanks.append(t)
        for b in blanks:
            parent.setdefault(b, b)
        if len(blanks) == 2:
            ra, rb = _find(parent, blanks[0]), _find(parent, blanks[1])
            if ra != rb:
                parent[ra] = rb
    groups: dict[BNode, list[Triple]] = {}
    for t in with_blanks:
        b = t[0] if isinstance(t[0], BNode) else t[2]
        groups.setdefault(_find(parent, b), []).append(t)  # type: ignore[arg-type]
    return plain, list(groups.values())


def chunks(graph: Graph, size: int) -> Iterator[list[Triple]]:
    """Triples of ``graph`` in lists of about ``size``; a blank-node group is never split."""
    plain, groups = blank_node_groups(graph)
    chunk: list[Triple] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    for t in plain:
        if len(chunk) >= size:
            yield chunk
            chunk = []
        chunk.append(t)
    if chunk:
        yield chunk


def _ntriples(triples: list[Triple]) -> str:
    g = Graph()
    for t in triples:
        g.add(t)
    data = g.serialize(format="nt", encoding="utf-8")
    return data.decode("utf-8") if isinstance(data, bytes) else data


def insert_request(graph_iri: str, triples: list[Triple]) -> str:
    return f"INSERT {{ GRAPH <{graph_iri}> {{\n{_ntriples(triples)}}} }} WHERE {{}}"


def post_update(endpoint: str, update: str, timeout: float = 300.0) -> None:
    """Send one SPARQL 1.1 Update request (form-encoded ``update=``); EndpointError if refused."""
    check_endpoint(endpoint)
    data = urllib.parse.urlencode({"update": update}).encode()
    send(endpoint, data, "POST", {"Content-Type": "application/x-www-form-urlencoded",
                                  "Accept": "application/sparql-results+json, text/plain, */*"},
         timeout, refused="update refused, HTTP")


def send_graph_store(graph_store: str, graph_iri: str, triples: list[Triple], method: str,
                     timeout: float = 300.0) -> None:
    """PUT or POST N-Triples to a Graph Store Protocol endpoint (``?graph=<iri>``)."""
    check_endpoint(graph_store)
    sep = "&" if "?" in graph_store else "?"
    url = f"{graph_store}{sep}{urllib.parse.urlencode({'graph': graph_iri})}"
    send(url, _ntriples(triples).encode("utf-8"), method, {"Content-Type": "application/n-triples"},
         timeout, refused=f"{method} refused, HTTP", unreachable="the graph store", name=graph_store)


def push_graphs(graphs: dict[str, Graph], endpoint: str, chunk_size: int = 2000, replace: bool = True,
                graph_store: str | None = None, timeout: float = 300.0) -> PushReport:
    """Write each named graph into the store: with SPARQL Update to ``endpoint``, or with the
    Graph Store Protocol to ``graph_store`` when it is given."""
    if chunk_size < 1:
        raise InputError("--chunk", "the chunk size must be at least 1 triple")
    report = PushReport(endpoint=graph_store or endpoint)
    for iri, graph in graphs.items():
        if replace and graph_store is None:
            post_update(endpoint, f"DROP SILENT GRAPH <{iri}>", timeout)
            report.requests += 1
        sent = 0
        for chunk in chunks(graph, chunk_size):
            if graph_store is None:
                post_update(endpoint, insert_request(iri, chunk), timeout)
            else:
                method = "PUT" if replace and sent == 0 else "POST"
                send_graph_store(graph_store, iri, chunk, method, timeout)
            report.requests += 1
            sent += len(chunk)
        report.graphs[iri] = sent
    return report


def push(kb: object, endpoint: str, chunk_size: int = 2000, replace: bool = True, routing: bool = True,
         gaps: bool = True, graph_store: str | None = None) -> PushReport:
    """Push a loaded city (``govkg.load(...)``) with its inferred routing and gaps."""
    from govkg.server.dataset import build_dataset

    ds = build_dataset(kb, routing=routing, gaps=gaps)
    return push_graphs(ds.graphs, endpoint, chunk_size=chunk_size, replace=replace, graph_store=graph_store)


def iso_duration(seconds: float) -> str:
    """An xsd:dayTimeDuration lexical form: 1800 -> "PT30M", 604800 -> "P7D"."""
    sign = "-" if seconds < 0 else ""
    rest = abs(seconds)
    days, rest = divmod(rest, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    date_part = f"{int(days)}D" if days else ""
    time_part = "".join(f"{v:g}{u}" for v, u in ((hours, "H"), (minutes, "M"), (secs, "S")) if v)
    if not date_part and not time_part:
        return "PT0S"
    return f"{sign}P{date_part}" + (f"T{time_part}" if time_part else "")


def canonical(graph: Graph) -> Graph:
    """Undo what stores do to literals on the way in: Virtuoso 7 gives booleans back as 1/0 and
    durations as seconds; the routing rules match ``true`` and read ISO 8601 durations."""
    from rdflib import Literal
    from rdflib.namespace import XSD

    from govkg.queries import duration_seconds

    for s, p, o in list(graph):
        if not isinstance(o, Literal) or o.datatype is None:
            continue
        text = str(o)
        new = None
        if o.datatype == XSD.boolean and text in ("1", "0"):
            new = Literal("true" if text == "1" else "false", datatype=XSD.boolean)
        elif o.datatype in (XSD.duration, XSD.dayTimeDuration) and not text.lstrip("-").startswith("P"):
            seconds = duration_seconds(text)
            if seconds is not None:
                new = Literal(iso_duration(seconds), datatype=o.datatype)
        if new is not None:
            graph.remove((s, p, o))
            graph.add((s, p, new))
    return graph


def remote_graph(endpoint: str, graph_iris: list[str] | None = None, page: int = 10000,
                 timeout: float = 300.0) -> Graph:
    """Read triples back from a SPARQL endpoint into rdflib (the named graphs given, else all).

    Pages through ``CONSTRUCT`` results with ORDER BY, LIMIT and OFFSET (10000 a page: Virtuoso
    sorts no more), so that stores that cap a result's size still give everything; then undoes
    the store's rewriting of literals (:func:`canonical`).
    """
    check_endpoint(endpoint)
    graph = bind_all(Graph())
    source = " ".join(f"FROM <{g}>" for g in graph_iris or [])
    offset = 0
    while True:
        query = (f"CONSTRUCT {{ ?s ?p ?o }} {source} WHERE {{ ?s ?p ?o }} "
                 f"ORDER BY ?s ?p ?o LIMIT {page} OFFSET {offset}")
        data = urllib.parse.urlencode({"query": query}).encode()
        body, ctype = send(endpoint, data, "POST", {"Content-Type": "application/x-www-form-urlencoded",
                                                    "Accept": "application/n-triples"}, timeout)
        fmt = "turtle" if "turtle" in ctype else "nt"
        chunk = Graph()
        try:
            chunk.parse(data=body, format=fmt)
        except Exception as exc:  # any parser error means the same: not the RDF we asked for
            raise EndpointError(f"{endpoint}: the CONSTRUCT answer does not parse as {fmt}: {exc}") from None
        graph += chunk
        if len(chunk) < page:
            return canonical(graph)
        offset += page


def pushed_cities(endpoint: str) -> list[str]:
    """The cities pushed to a store: names of the graphs ``https://w3id.org/govkg/id/<city>/``."""
    from govkg.queries import rows, run_remote

    query = (
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?d a <https://w3id.org/govkg/ns#Duty> } "
        f'FILTER (STRSTARTS(STR(?g), "{ID}")) }}'
    )
    out = []
    for row in rows(run_remote(endpoint, query)):
        rest = row["g"][len(ID):]
        if rest.endswith("/") and rest.count("/") == 1:
            out.append(rest[:-1])
    return sorted(out)


def remote_kb(endpoint: str, city: str | None = None) -> KnowledgeBase:
    """A KnowledgeBase read from a store that ``govkg push`` filled: the city graph only.

    Without ``city`` the store must hold exactly one pushed city.
    """
    from govkg.kb import KnowledgeBase
    from govkg.server.dataset import city_graph_iri

    if city is None:
        cities = pushed_cities(endpoint)
        if len(cities) != 1:
            found = ", ".join(cities) or "none"
            raise InputError(endpoint, f"name the city with --city: the store holds {len(cities)} ({found})")
        city = cities[0]
    graph = remote_graph(endpoint, [city_graph_iri(city)])
    if len(graph) == 0:
        raise InputError(endpoint, f"the store has no graph <{city_graph_iri(city)}>; push the city first")
    return KnowledgeBase(name=city, path=Path(city), graph=graph)


__all__ = ["GovkgError", "PushReport", "push", "push_graphs", "pushed_cities", "remote_graph", "remote_kb"]
