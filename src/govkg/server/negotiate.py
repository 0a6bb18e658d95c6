"""Content negotiation for SPARQL results and graphs (HTTP ``Accept``, RFC 9110 §12.5.1)."""

from __future__ import annotations

from dataclasses import dataclass

# Results of SELECT and ASK.
RESULTS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
RESULTS_ALIASES = {
    "application/json": "application/sparql-results+json",
    "application/xml": "application/sparql-results+xml",
    "text/xml": "application/sparql-results+xml",
}
# Graphs of CONSTRUCT and DESCRIBE.
GRAPHS = {
    "text/turtle": "turtle",
    "application/n-triples": "ntriples",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdfxml",
}
GRAPHS_ALIASES = {"application/x-turtle": "text/turtle", "text/plain": "application/n-triples",
                  "application/json": "application/ld+json"}
# The ``format`` request parameter, for browsers and shells that cannot set Accept.
FORMAT_PARAM = {
    "json": ("application/sparql-results+json", "application/ld+json"),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "csv": ("text/csv", None),
    "tsv": ("text/tab-separated-values", None),
    "turtle": (None, "text/turtle"),
    "ttl": (None, "text/turtle"),
    "ntriples": (None, "application/n-triples"),
    "nt": (None, "application/n-triples"),
    "jsonld": (None, "application/ld+json"),
    "rdfxml": (None, "application/rdf+xml"),
}


@dataclass(frozen=True)
class Range:
    media: str  # "type/subtype", "type/*" or "*/*"
    q: float
    order: int


def parse_accept(header: str | None) -> list[Range]:
    """The media ranges of an Accept header, best first; ``*/*`` when the header is absent."""
    if not header or not header.strip():
        return [Range("*/*", 1.0, 0)]
    out: list[Range] = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            out.append(Range(media, min(q, 1.0), i))
    return sorted(out, key=lambda r: (-r.q, -_specificity(r.media), r.order))


def _specificity(media: str) -> int:
    return 0 if media == "*/*" else 1 if media.endswith("/*") else 2


def choose(accept: list[Range], offers: dict[str, str], aliases: dict[str, str]) -> str | None:
    """The offered media type the client prefers (the first offer wins on ``*/*``), or None."""
    default = next(iter(offers))
    for r in accept:
        if r.media in offers:
            return r.media
        if r.media in aliases:
            return aliases[r.media]
        if r.media == "*/*":
            return default
        if r.media.endswith("/*"):
            major = r.media[:-1]
            for offer in offers:
                if offer.startswith(major):
                    return offer
    return None


def accept_for_format(fmt: str | None, header: str | None) -> str | None:
    """The Accept header to use: the ``format`` parameter rewritten, else ``header`` itself.

    Raises ValueError for a ``format`` value that is not one of :data:`FORMAT_PARAM`.
    """
    if not fmt:
        return header
    pair = FORMAT_PARAM.get(fmt.lower())
    if pair is None:
        raise ValueError("unknown format parameter; use one of " + ", ".join(FORMAT_PARAM))
    return ", ".join(m for m in pair if m)
