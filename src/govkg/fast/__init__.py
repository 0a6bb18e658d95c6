"""The fast engine: the routing rules and the gap constraints run on compiled Python indexes.

``shapes/routing.ttl`` and ``shapes/gaps.ttl`` stay the reference semantics; this package gives
identical answers (tests/test_fast_equivalence.py) orders of magnitude faster, for batch routing
at a city's scale (docs/performance.md):

- :func:`load_router` compiles a city (or reads the compiled form from the cache, keyed by a
  hash of every input file and of this package's code) and returns a :class:`FastRouter`;
- :func:`router_from_graph` compiles an in-memory rdflib graph (no cache);
- :mod:`govkg.fast.batch` routes a CSV of whistles as a stream;
- :mod:`govkg.fast.audit` audits a city, finding what shapes/gaps.ttl finds.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from govkg.fast.facts import Facts, facts_from_triples, triples_from_file, triples_from_rdflib
from govkg.fast.model import FORMAT_VERSION, RouteModel, Unsupported
from govkg.fast.router import FastRouter, Whistle


def input_files(city: str | Path) -> list[Path]:
    """The files a city is loaded from: ontology, vocabularies, reference data, the city."""
    from govkg import resources
    from govkg.loader import city_path, rdf_files

    return [
        resources.ontology_file(),
        *resources.vocab_files(),
        *resources.reference_files(),
        *rdf_files([city_path(city)]),
    ]


def facts_from_files(paths: Iterable[Path]) -> Facts:
    facts = Facts()
    for p in paths:
        facts_from_triples(triples_from_file(p, facts.prefixes), facts)
    return facts


@contextmanager
def _no_gc() -> Iterator[None]:
    """Building, unpickling or filling caches with millions of small objects that live on: the
    cyclic collector would walk them again and again (the engine makes no reference cycles), so
    it is paused, and afterwards the survivors are frozen out of its way (gc.freeze)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def compile_facts(facts: Facts) -> RouteModel:
    with _no_gc():
        return RouteModel(facts)


def router_from_graph(graph: Any, name: str = "") -> FastRouter:
    """Compile an rdflib graph that holds the ontology, vocabularies, reference data and city."""
    facts = facts_from_triples(triples_from_rdflib(graph))
    for prefix, ns in graph.namespaces():
        facts.prefixes.setdefault(prefix, str(ns))
    return FastRouter(compile_facts(facts), name=name)


# ------------------------------------------------------------------------------------------
# Cache
# ------------------------------------------------------------------------------------------
def cache_dir() -> Path:
    """``$GOVKG_CACHE_DIR``, else ``$XDG_CACHE_HOME/govkg``, else ``~/.cache/govkg``."""
    env = os.environ.get("GOVKG_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "govkg"


def _code_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def cache_key(files: Iterable[Path]) -> str:
    """A hash of the engine's code, its format version and the content of every input file."""
    h = hashlib.sha256(f"govkg-fast {FORMAT_VERSION} {_code_hash()}".encode())
    for p in files:
        h.update(str(Path(p).name).encode())
        with open(p, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 22), b""):
                h.update(block)
    return h.hexdigest()[:32]


def load_router(city: str | Path, cache: bool = True) -> FastRouter:
    """A router for a bundled city name or a city folder or file (compiled once, then cached)."""
    from govkg.loader import city_path

    path = city_path(city)
    name = path.stem if path.is_file() else path.name
    files = input_files(path)
    if not cache:
        with _no_gc():
            return FastRouter(compile_facts(facts_from_files(files)), name=name)
    key = cache_key(files)
    target = cache_dir() / f"route-{key}.pickle"
    with _no_gc():
        model = _read_cache(target)
        if model is None:
            model = compile_facts(facts_from_files(files))
            _write_cache(target, model)
    return FastRouter(model, name=name)


def _read_cache(target: Path) -> RouteModel | None:
    try:
        with open(target, "rb") as fh:
            model = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return model if isinstance(model, RouteModel) else None


def _write_cache(target: Path, model: RouteModel) -> None:
    """Write atomically (temp file, then rename); a cache that cannot be written is skipped."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".route-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError:
        return


__all__ = [
    "Facts",
    "FastRouter",
    "RouteModel",
    "Unsupported",
    "Whistle",
    "cache_dir",
    "cache_key",
    "compile_facts",
    "facts_from_files",
    "input_files",
    "load_router",
    "router_from_graph",
]
