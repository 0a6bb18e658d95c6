"""The embedded SPARQL engine: a pool of query workers, each with the dataset in memory.

The named graphs of a :class:`govkg.server.dataset.Dataset` are written once to N-Triples files
in a temporary folder (with a manifest naming each file's graph); every worker process
(:mod:`govkg.server.worker`) loads them into its own in-memory pyoxigraph store. Queries see the
union of the graphs as the default graph unless they name graphs. Each query runs in a worker
with a deadline: past it the worker is killed and replaced, and the caller gets a timeout.

Why in memory: pyoxigraph's in-memory store answers the point look-ups that routing queries are
made of several times faster than its on-disk (RocksDB) store (bench/README.md, SPARQL load).
Each worker holds a copy (about 0.6 GB for the 1.6-million-triple Beijing-scale model, 0.8 GB
at its peak while loading, which takes about 6 s); the workers load at the same time.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import select
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph

from govkg.server.files import MANIFEST


@dataclass(frozen=True)
class Limits:
    """Resource limits of the endpoint (all configurable from ``govkg serve``)."""

    timeout: float = 10.0  # seconds a query may take, waiting for a worker included
    max_result_bytes: int = 16 * 1024 * 1024  # serialized result
    max_request_bytes: int = 1024 * 1024  # request body, or query string of a GET


@dataclass(frozen=True)
class Answer:
    status: int
    content_type: str
    body: bytes


def _ntriples(graph: Graph) -> bytes:
    data = graph.serialize(format="nt", encoding="utf-8")
    return data if isinstance(data, bytes) else data.encode()


def write_dataset(directory: Path, graphs: dict[str, Graph]) -> int:
    """Write each graph to an N-Triples file in ``directory`` and a manifest of
    ``[file, graph IRI]`` pairs that :func:`govkg.server.files.load_dataset` reads; return
    the quad count."""
    directory.mkdir(parents=True, exist_ok=True)
    manifest = []
    count = 0
    for i, (iri, graph) in enumerate(graphs.items()):
        path = directory / f"graph-{i}.nt"
        path.write_bytes(_ntriples(graph))
        manifest.append([path.name, iri])
        count += len(graph)
    tmp = directory / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest), encoding="utf-8")
    tmp.replace(directory / MANIFEST)
    return count


class WorkerFailed(Exception):
    pass


@dataclass(eq=False)
class _Worker:
    proc: subprocess.Popen[bytes]
    buffer: bytearray = field(default_factory=bytearray)

    def send(self, request: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(request).encode() + b"\n")
        self.proc.stdin.flush()

    def _fill(self, deadline: float) -> bool:
        """Read what the worker has written; False when the deadline passed first."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return False
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            raise WorkerFailed("the query worker stopped unexpectedly")
        self.buffer += chunk
        return True

    def receive(self, deadline: float) -> tuple[dict, bytes] | None:
        """The next message, or None if the deadline passed before it was complete."""
        while b"\n" not in self.buffer:
            if not self._fill(deadline):
                return None
        end = self.buffer.index(b"\n")
        header = json.loads(self.buffer[:end])
        length = int(header.get("length", 0))
        while len(self.buffer) < end + 1 + length:
            if not self._fill(deadline):
                return None
        body = bytes(self.buffer[end + 1 : end + 1 + length])
        del self.buffer[: end + 1 + length]
        return header, body

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                stream.close()


class QueryEngine:
    """The dataset served by ``workers`` query processes, each holding it in memory."""

    def __init__(self, graphs: dict[str, Graph], limits: Limits | None = None, workers: int = 2,
                 startup_timeout: float = 60.0) -> None:
        self.limits = limits or Limits()
        self.startup_timeout = startup_timeout
        self._dir = Path(tempfile.mkdtemp(prefix="govkg-store-"))
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self.timeouts = 0
        try:
            self.quads = write_dataset(self._dir / "dataset", graphs)
            self.graphs = list(graphs)
            starting = [self._start() for _ in range(max(1, workers))]
            for worker in starting:
                self._idle.put(self._ready(worker))
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        return self._ready(self._start())

    def _start(self) -> _Worker:
        cmd = [sys.executable, "-m", "govkg.server.worker", str(self._dir / "dataset"),
               str(self.limits.max_result_bytes)]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, close_fds=True)
        worker = _Worker(proc)
        with self._lock:
            self._all.add(worker)
        return worker

    def _ready(self, worker: _Worker) -> _Worker:
        """The worker once it has loaded the dataset; WorkerFailed (and the worker stopped) if it
        does not say so within the start-up timeout."""
        try:
            msg = worker.receive(time.monotonic() + self.startup_timeout)
        except WorkerFailed:
            msg = None
        if msg is None or not msg[0].get("ready"):
            self._discard(worker)
            raise WorkerFailed("a query worker did not start (could it load the dataset?)")
        return worker

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)

    def _replace(self, worker: _Worker) -> None:
        self._discard(worker)
        if self._closed:
            return
        with contextlib.suppress(WorkerFailed):  # else the pool shrinks; /health shows live workers
            self._idle.put(self._spawn())

    @property
    def live_workers(self) -> int:
        with self._lock:
            return len(self._all)

    def run(self, query: str, accept: str | None = None, default_graphs: list[str] | None = None,
            named_graphs: list[str] | None = None) -> Answer:
        """Evaluate a query that has already passed :func:`govkg.server.guard.inspect`."""
        if self._closed:
            return Answer(503, "text/plain; charset=utf-8", b"the endpoint is shutting down\n")
        timeout = self.limits.timeout
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            return Answer(503, "text/plain; charset=utf-8",
                          f"all query workers stayed busy for the query timeout of {timeout:g} s; "
                          "try again later\n".encode())
        request = {"query": query, "accept": accept, "default_graphs": default_graphs or [],
                   "named_graphs": named_graphs or []}
        try:
            worker.send(request)
            msg = worker.receive(deadline)
        except (WorkerFailed, OSError, ValueError) as exc:
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return Answer(500, "text/plain; charset=utf-8", f"query worker failed: {exc}\n".encode())
        if msg is None:
            self.timeouts += 1
            threading.Thread(target=self._replace, args=(worker,), daemon=True).start()
            return Answer(503, "text/plain; charset=utf-8",
                          f"query timed out: it ran longer than the limit of {timeout:g} s and was "
                          "stopped\n".encode())
        self._idle.put(worker)
        header, body = msg
        return Answer(int(header["status"]), str(header["type"]), body)

    def close(self) -> None:
        """Stop every worker and delete the dataset files."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
        for w in workers:
            self._discard(w)
        shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> QueryEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
