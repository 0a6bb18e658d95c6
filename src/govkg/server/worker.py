"""A query worker: a child process that loads the dataset into memory and answers queries.

The server runs each query in one of these processes so that a query past its deadline can be
stopped for real (the process is killed and replaced); pyoxigraph has no way to cancel a
running evaluation from Python. Run as ``python -m govkg.server.worker DATASET_DIR MAX_BYTES``
(the folder :func:`govkg.server.engine.write_dataset` wrote). The worker only ever calls
``Store.query``, which cannot change the store; the parent refuses updates before they get here.

Protocol over stdin/stdout: the parent writes one JSON line per request
(``{"query", "accept", "default_graphs", "named_graphs"}``); the worker answers with one JSON
header line (``{"status", "type", "length"}``) followed by ``length`` bytes of body. It first
writes ``{"ready": true}`` once the dataset is loaded. The parent inspects every query (see
:mod:`govkg.server.guard`) before sending it: the worker never sees a SERVICE clause.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from govkg.server import negotiate
from govkg.server.files import load_dataset

RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}
CONTENT_TYPES = {
    "text/csv": "text/csv; charset=utf-8",
    "text/tab-separated-values": "text/tab-separated-values; charset=utf-8",
    "text/turtle": "text/turtle; charset=utf-8",
}


class ResultTooLarge(Exception):
    pass


class LimitedBuffer:
    """A write-only byte sink that raises once more than ``limit`` bytes are written.

    pyoxigraph serializes while it evaluates, so raising here also stops the evaluation.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        self.size += len(data)
        if self.size > self.limit:
            raise ResultTooLarge
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _text(status: int, message: str) -> tuple[int, str, bytes]:
    return status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode()


def answer(store: ox.Store, request: dict[str, Any], max_bytes: int) -> tuple[int, str, bytes]:
    """Evaluate one request; return (HTTP status, content type, body)."""
    defaults = [ox.NamedNode(g) for g in request.get("default_graphs") or []]
    named = [ox.NamedNode(g) for g in request.get("named_graphs") or []] or None
    try:
        result = store.query(
            request["query"],
            use_default_graph_as_union=not defaults,
            default_graph=defaults or None,
            named_graphs=named,
        )
    except SyntaxError as exc:
        return _text(400, f"malformed query: {exc}")
    except (OSError, RuntimeError, ValueError) as exc:
        return _text(400, f"query failed: {exc}")
    accept = negotiate.parse_accept(request.get("accept"))
    if isinstance(result, ox.QueryTriples):
        media = negotiate.choose(accept, negotiate.GRAPHS, negotiate.GRAPHS_ALIASES)
        formats: dict[str, Any] = GRAPH_FORMATS
        offered = negotiate.GRAPHS
    else:
        media = negotiate.choose(accept, negotiate.RESULTS, negotiate.RESULTS_ALIASES)
        formats = RESULT_FORMATS
        offered = negotiate.RESULTS
    if media is None:
        offers = ", ".join(offered)
        return _text(406, f"none of the accepted media types can carry this result; offered: {offers}")
    sink = LimitedBuffer(max_bytes)
    try:
        result.serialize(sink, formats[media])
    except ResultTooLarge:
        return _text(
            422,
            f"result too large: it exceeds the limit of {max_bytes} bytes; narrow the query or add LIMIT",
        )
    except (OSError, RuntimeError, ValueError) as exc:
        return _text(400, f"query failed: {exc}")
    return 200, CONTENT_TYPES.get(media, media), sink.getvalue()


def _send(out: BinaryIO, header: dict[str, Any], body: bytes = b"") -> None:
    out.write(json.dumps(header).encode() + b"\n" + body)
    out.flush()


def main(argv: list[str]) -> int:
    dataset_dir, max_bytes = Path(argv[0]), int(argv[1])
    store = load_dataset(dataset_dir)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    _send(out, {"ready": True})
    for line in inp:
        try:
            request = json.loads(line)
            status, ctype, body = answer(store, request, max_bytes)
        except Exception as exc:  # a worker must answer every request, whatever happened
            status, ctype, body = _text(500, f"internal error: {type(exc).__name__}: {exc}")
        _send(out, {"status": status, "type": ctype, "length": len(body)}, body)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
