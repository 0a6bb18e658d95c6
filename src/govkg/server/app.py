"""The HTTP front: SPARQL 1.1 Protocol, a JSON route endpoint, named queries, health, OpenAPI.

Standard library only (``http.server.ThreadingHTTPServer``); each query runs in a worker
process of :class:`govkg.server.engine.QueryEngine`. Read-only and offline: updates and
``SERVICE`` are refused before evaluation (:mod:`govkg.server.guard`).
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from govkg import __version__
from govkg.errors import GovkgError
from govkg.server import guard, negotiate
from govkg.server.engine import Answer, QueryEngine

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"


class InFlight:
    """Counts requests being answered, so a shutdown can wait for them."""

    def __init__(self) -> None:
        self._count = 0
        self._cond = threading.Condition()

    def __enter__(self) -> InFlight:
        with self._cond:
            self._count += 1
        return self

    def __exit__(self, *exc: object) -> None:
        with self._cond:
            self._count -= 1
            self._cond.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: self._count == 0, timeout=timeout)


@dataclass
class Service:
    """What the handler needs: the engine, the loaded city (for /route), named queries."""

    engine: QueryEngine
    city: str
    route: Callable[..., dict[str, Any]] | None = None
    named_queries: dict[str, Any] = field(default_factory=dict)
    log: Callable[[str], None] | None = None
    routing_inferred: bool = False
    notes: list[str] = field(default_factory=list)  # how the dataset was built (fallbacks)
    route_lock: threading.Lock = field(default_factory=threading.Lock)
    inflight: InFlight = field(default_factory=InFlight)


def _text(status: int, message: str) -> Answer:
    return Answer(status, TEXT, (message.rstrip() + "\n").encode())


def _json(status: int, obj: Any) -> Answer:
    return Answer(status, JSON, (json.dumps(obj, ensure_ascii=False, indent=2) + "\n").encode())


def sparql(service: Service, query: str | None, accept: str | None, default_graphs: list[str],
           named_graphs: list[str]) -> Answer:
    """Answer one SPARQL Protocol query operation."""
    if query is None or not query.strip():
        return _text(400, "missing query: send it as the 'query' parameter (GET or form POST) or as an "
                          "application/sparql-query body")
    refusal = guard.inspect(query)
    if refusal is not None:
        return _text(403, refusal.message)
    return service.engine.run(query, accept, default_graphs, named_graphs)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = f"govkg/{__version__}"
    timeout = 30  # seconds an idle keep-alive connection is kept
    service: Service  # set on the subclass made by make_server

    # -- plumbing ---------------------------------------------------------------------------
    def setup(self) -> None:
        super().setup()
        # Headers and body go out as separate writes; without this, Nagle's algorithm and the
        # client's delayed ACK add about 40 ms to every keep-alive response.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        if self.service.log is not None:
            self.service.log(f"{self.address_string()} {format % args}")

    def _send(self, answer: Answer, head_only: bool = False, close: bool = False) -> None:
        self.send_response(answer.status)
        self.send_header("Content-Type", answer.content_type)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Vary", "Accept")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not head_only:
            self.wfile.write(answer.body)

    def _body(self) -> bytes | None:
        """The request body, or None after answering 411/413 (the connection is then closed)."""
        limit = self.service.engine.limits.max_request_bytes
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._send(_text(411, "send the request body with a Content-Length, not chunked"), close=True)
            return None
        raw = self.headers.get("Content-Length")
        if raw is None:
            self._send(_text(411, "a POST needs a Content-Length header"), close=True)
            return None
        try:
            length = int(raw)
        except ValueError:
            self._send(_text(400, f"bad Content-Length: {raw!r}"), close=True)
            return None
        if length > limit:
            message = f"request too large: {length} bytes; the limit is {limit} bytes"
            self._send(_text(413, message), close=True)
            return None
        return self.rfile.read(length) if length > 0 else b""

    def _params(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query, keep_blank_values=True)

    # -- routes -----------------------------------------------------------------------------
    def do_HEAD(self) -> None:
        self._dispatch("GET", head_only=True)

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _refuse_method(self) -> None:
        self._send(_text(405, f"{self.command} is not allowed here"))

    do_PUT = do_DELETE = do_PATCH = _refuse_method

    def _dispatch(self, method: str, head_only: bool = False) -> None:
        with self.service.inflight:
            self._answer(method, head_only)

    def _answer(self, method: str, head_only: bool) -> None:
        path = urlsplit(self.path).path.rstrip("/") or "/"
        limit = self.service.engine.limits.max_request_bytes
        if len(self.path) > limit:
            self._send(_text(414, f"request URI too long; the limit is {limit} bytes"), close=True)
            return
        try:
            if path == "/sparql":
                answer = self._sparql(method)
            elif path == "/route":
                answer = self._route(method)
            elif path == "/health":
                answer = self._health(method)
            elif path == "/openapi.json":
                from govkg.server.openapi import openapi

                answer = _json(200, openapi(self.service)) if method == "GET" else _text(405, "use GET")
            elif path == "/queries":
                answer = _json(200, [q.describe() for q in self.service.named_queries.values()])
            elif path.startswith("/queries/"):
                answer = self._named(method, path.removeprefix("/queries/"))
            elif path == "/":
                answer = _json(200, self._index())
            else:
                answer = _text(404, f"no such resource: {path} (see /openapi.json)")
        except _Answered:
            return
        self._send(answer, head_only=head_only)

    def _index(self) -> dict[str, Any]:
        return {"service": "govkg", "version": __version__, "city": self.service.city,
                "sparql": "/sparql", "route": "/route", "queries": "/queries", "health": "/health",
                "openapi": "/openapi.json"}

    def _health(self, method: str) -> Answer:
        engine = self.service.engine
        ok = engine.live_workers > 0
        return _json(200 if ok else 503, {
            "status": "ok" if ok else "degraded", "city": self.service.city, "quads": engine.quads,
            "graphs": engine.graphs, "routing_inferred": self.service.routing_inferred,
            "notes": self.service.notes,
            "workers": engine.live_workers, "timeouts": engine.timeouts,
            "limits": {"timeout_s": engine.limits.timeout, "max_result_bytes": engine.limits.max_result_bytes,
                       "max_request_bytes": engine.limits.max_request_bytes},
        })

    def _sparql(self, method: str) -> Answer:
        params = self._params()
        try:
            accept = negotiate.accept_for_format(_first(params, "format"), self.headers.get("Accept"))
        except ValueError as exc:
            return _text(400, str(exc))
        if method == "GET":
            if "update" in params:
                return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
            if "query" not in params:
                return self._service_description()
            return sparql(self.service, _first(params, "query"), accept, params.get("default-graph-uri", []),
                          params.get("named-graph-uri", []))
        body = self._body()
        if body is None:
            raise _Answered
        ctype = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if ctype == "application/sparql-update":
            return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
        if ctype == "application/sparql-query":
            query = _decode(body)
        elif ctype == "application/x-www-form-urlencoded":
            form = parse_qs(_decode(body) or "", keep_blank_values=True)
            if "update" in form:
                return _text(403, "SPARQL Update is not allowed: this endpoint is read-only")
            query = _first(form, "query")
            params = {**params, **form}
        else:
            return _text(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
        if query is None:
            return _text(400, "the request body is not valid UTF-8" if ctype == "application/sparql-query"
                         else "missing 'query' form field")
        return sparql(self.service, query, accept, params.get("default-graph-uri", []),
                      params.get("named-graph-uri", []))

    def _service_description(self) -> Answer:
        base = f"http://{self.headers.get('Host', 'localhost')}/sparql"
        graphs = "".join(f"    sd:namedGraph [ sd:name <{g}> ] ;\n" for g in self.service.engine.graphs)
        formats = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "JSON-LD")
        result_formats = " ,\n    ".join(f"<http://www.w3.org/ns/formats/{f}>" for f in formats)
        ttl = (
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            f"<{base}> a sd:Service ;\n"
            f"  sd:endpoint <{base}> ;\n"
            "  sd:supportedLanguage sd:SPARQL11Query ;\n"
            f"  sd:resultFormat {result_formats} ;\n"
            "  sd:feature sd:UnionDefaultGraph ;\n"
            "  sd:defaultDataset [ a sd:Dataset ;\n"
            f"{graphs}"
            "  ] .\n"
        )
        return Answer(200, "text/turtle; charset=utf-8", ttl.encode())

    def _route(self, method: str) -> Answer:
        if method != "POST":
            return _text(405, "POST a JSON whistle: {\"matter\": …, \"area\": …, \"at\": …, \"severity\": …}")
        if self.service.route is None:
            return _json(501, {"error": "routing is not available in this build of govkg"})
        body = self._body()
        if body is None:
            raise _Answered
        try:
            whistle = json.loads(body or b"null")
        except (ValueError, UnicodeDecodeError) as exc:
            return _json(400, {"error": f"the body is not JSON: {exc}"})
        fields = ("matter", "area", "at", "severity", "raised_by")
        if not isinstance(whistle, dict) or not isinstance(whistle.get("matter"), str) \
                or not isinstance(whistle.get("area"), str):
            return _json(400, {"error": "send a JSON object with at least \"matter\" and \"area\" (strings)"})
        unknown = sorted(set(whistle) - set(fields))
        if unknown:
            return _json(400, {"error": f"unknown fields: {', '.join(unknown)}; known: {', '.join(fields)}"})
        bad = [k for k in fields if whistle.get(k) is not None and not isinstance(whistle[k], str)]
        if bad:
            return _json(400, {"error": f"fields must be strings: {', '.join(bad)}"})
        try:
            with self.service.route_lock:
                result = self.service.route(**{k: whistle.get(k) for k in fields})
        except GovkgError as exc:
            return _json(400, {"error": str(exc)})
        return _json(200, result)

    def _named(self, method: str, name: str) -> Answer:
        from govkg.queries import QueryParamError

        named = self.service.named_queries.get(name)
        if named is None:
            return _text(404, f"no named query {name!r}; see /queries")
        if method != "GET":
            return _text(405, "use GET with the parameters in the query string")
        params = self._params()
        try:
            accept = negotiate.accept_for_format(_first(params, "format"), self.headers.get("Accept"))
        except ValueError as exc:
            return _text(400, str(exc))
        values = {k: v[-1] for k, v in params.items() if k != "format"}
        try:
            text = named.render(values)
        except QueryParamError as exc:
            return _text(400, str(exc))
        return sparql(self.service, text, accept, [], [])


class _Answered(Exception):
    """The handler already sent its answer (411/413) and closed the connection."""


def _first(params: dict[str, list[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def _decode(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def make_server(service: Service, host: str = "127.0.0.1", port: int = 8000) -> Server:
    """A server bound to ``host:port`` (port 0 picks a free one); call ``serve_forever()``."""
    handler = type("GovkgHandler", (Handler,), {"service": service})
    return Server((host, port), handler)

