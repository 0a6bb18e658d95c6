"""The dataset files the server writes once and each query worker loads into memory."""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox

MANIFEST = "manifest.json"


def load_dataset(directory: Path) -> ox.Store:
    """A new in-memory store holding the named graphs listed in ``directory``'s manifest
    (``[[file, graph IRI], ...]``, written by :func:`govkg.server.engine.write_dataset`)."""
    store = ox.Store()
    for name, iri in json.loads((directory / MANIFEST).read_text(encoding="utf-8")):
        store.bulk_load(path=str(directory / name), format=ox.RdfFormat.N_TRIPLES,
                        to_graph=ox.NamedNode(iri))
    return store
