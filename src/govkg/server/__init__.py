"""``govkg serve``: a read-only SPARQL 1.1 endpoint and a JSON route endpoint over one city.

Use :func:`open_service` to build everything for a loaded city and :func:`serve` to run it.
See docs/sparql.md.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import Any

from govkg.server.app import Server, Service, make_server
from govkg.server.dataset import Dataset, build_dataset
from govkg.server.engine import Limits, QueryEngine


def _route_function(kb: Any, router: Any = None) -> Callable[..., dict[str, Any]] | None:
    """POST /route: the fast engine's answer when ``router`` is given (what ``govkg route``
    gives by default), else the rules' (``govkg route --engine shacl``); the same JSON."""
    if router is not None:
        def route_fast(**whistle: str | None) -> dict[str, Any]:
            return router.route(**whistle).to_dict()

        return route_fast
    try:
        import govkg.route  # noqa: F401
    except ImportError:
        return None

    def route(**whistle: str | None) -> dict[str, Any]:
        return kb.route(**whistle).to_dict()

    return route


def open_service(kb: Any, limits: Limits | None = None, workers: int = 2, routing: bool = True,
                 gaps: bool = True, log: Callable[[str], None] | None = None,
                 dataset: Dataset | None = None, engine: str = "fast") -> Service:
    """Build the dataset of a loaded city, the store and its workers, and the route function.
    ``engine``: ``"fast"`` (default) routes and audits with the fast engine where it applies,
    ``"shacl"`` with the rules and shapes; the answers are the same."""
    from govkg.queries import named_queries

    router, notes = None, []
    if engine == "fast":
        from govkg.fast import Unsupported
        from govkg.server.dataset import fast_router

        try:
            router = fast_router(kb)
        except Unsupported as exc:
            notes.append(f"the fast engine does not apply ({exc}); the rules and shapes are run")
    ds = dataset or build_dataset(kb, routing=routing, gaps=gaps, engine="fast" if router else "shacl",
                                  router=router)
    engine_ = QueryEngine(ds.graphs, limits=limits, workers=workers)
    return Service(engine=engine_, city=ds.city, route=_route_function(kb, router),
                   named_queries=named_queries(), log=log, routing_inferred=ds.routing_inferred,
                   notes=notes + ds.notes)


def serve(service: Service, host: str = "127.0.0.1", port: int = 8000,
          ready: Callable[[Server], None] | None = None) -> None:
    """Serve until SIGINT or SIGTERM, then stop taking requests, let those in flight finish
    (up to the query timeout), stop the workers and delete the store."""
    server = make_server(service, host, port)
    stopping = threading.Event()

    def stop(_signum: int = 0, _frame: object = None) -> None:
        if not stopping.is_set():
            stopping.set()
            threading.Thread(target=server.shutdown, daemon=True).start()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGINT, signal.SIGTERM):
            previous[sig] = signal.signal(sig, stop)
    try:
        if ready is not None:
            ready(server)
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        service.inflight.wait_idle(service.engine.limits.timeout + 1)
        service.engine.close()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


__all__ = ["Limits", "QueryEngine", "Server", "Service", "make_server", "open_service", "serve"]
