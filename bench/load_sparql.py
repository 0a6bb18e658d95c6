"""A bounded load test of `govkg serve`: latency and throughput of the who-is-responsible query.

    python bench/load_sparql.py CITY [--requests 2000] [--concurrency 4] [--replicate N]

CITY is a bundled city name or a city folder or file (e.g. the synthetic Beijing-scale model of
bench/generate.py). With ``--replicate N`` the city's files are first copied N times into a
temporary folder, each copy's IRIs renamed (``…/id/<city>/`` becomes ``…/id/<city>/r<i>/``), a
quick way to a large city. The script starts ``govkg serve`` on a free loopback port
(127.0.0.1 only), asks it for (matter, area) pairs that some duty covers, sends a fixed number
of who-is-responsible queries (SPARQL 1.1 Protocol, POST, keep-alive connections, a fixed
number of client threads), then stops the server and prints p50 / p90 / p99 latency, mean and
throughput. It stops by itself: the request count is fixed and every request has a timeout.
Results also go to bench/out/load_sparql-<city>.json. No assertion: it measures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from govkg.loader import city_path, rdf_files  # noqa: E402
from govkg.namespaces import ID  # noqa: E402
from govkg.queries import named_queries  # noqa: E402

PAIRS_QUERY = """
PREFIX gk: <https://w3id.org/govkg/ns#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT DISTINCT ?matter ?area ?from WHERE {
  ?duty a gk:Duty ; gk:matter ?dutyMatter ; gk:area ?dutyArea ; gk:validFrom ?from .
  ?matter skos:broader* ?dutyMatter .
  ?area gk:within* ?dutyArea .
} LIMIT 20000
"""


def replicate(city: Path, copies: int, out: Path) -> Path:
    """Copy a city's RDF files ``copies`` times with renamed IRIs; return the new city folder."""
    name = city.name if city.is_dir() else city.stem
    base = f"{ID}{name}/"
    target = out / f"{name}-x{copies}"
    target.mkdir(parents=True, exist_ok=True)
    for f in rdf_files([city]):
        text = f.read_text(encoding="utf-8")
        for i in range(copies):
            renamed = text.replace(base, f"{base}r{i}/")
            (target / f"r{i:04d}-{f.name}").write_text(renamed, encoding="utf-8")
    return target


def start_server(city: Path, workers: int, timeout: float) -> tuple[subprocess.Popen, str, float]:
    cmd = [sys.executable, "-m", "govkg", "serve", "--city", str(city), "--host", "127.0.0.1", "--port", "0",
           "--no-gaps", "--workers", str(workers), "--timeout", str(timeout)]
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True)
    assert proc.stderr is not None
    for line in proc.stderr:
        m = re.search(r"SPARQL at (http://127\.0\.0\.1:\d+)/sparql", line)
        if m:
            return proc, m.group(1), time.monotonic() - started
        if "error" in line.lower():
            print(line, end="", file=sys.stderr)
    proc.wait()
    raise SystemExit(f"govkg serve did not start (exit {proc.returncode})")


def post(conn: http.client.HTTPConnection, query: str) -> tuple[int, bytes]:
    body = urllib.parse.urlencode({"query": query})
    conn.request("POST", "/sparql", body=body, headers={
        "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/sparql-results+json"})
    resp = conn.getresponse()
    return resp.status, resp.read()


def parameter_sets(base: str, count: int, seed: int) -> list[tuple[str, str, str]]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    status, body = post(conn, PAIRS_QUERY)
    conn.close()
    if status != 200:
        raise SystemExit(f"could not list (matter, area) pairs: HTTP {status}: {body[:300]!r}")
    pairs = [(b["matter"]["value"], b["area"]["value"], b["from"]["value"])
             for b in json.loads(body)["results"]["bindings"]]
    if not pairs:
        raise SystemExit("the city has no duty to ask about")
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        matter, area, valid_from = rng.choice(pairs)
        year = max(int(valid_from[:4]), 2019) + rng.randint(0, 3)
        out.append((matter, area, f"{year}-06-01"))
    return out


def run_load(base: str, queries: list[str], concurrency: int,
             timeout: float) -> tuple[list[float], int, float]:
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    next_index = iter(range(len(queries)))

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        mine: list[float] = []
        bad = 0
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            t0 = time.perf_counter()
            try:
                status, _ = post(conn, queries[i])
            except (OSError, http.client.HTTPException):
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
            mine.append(time.perf_counter() - t0)
            bad += status != 200
        conn.close()
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.perf_counter() - t0


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("city", help="a bundled city name, or a city folder or file")
    ap.add_argument("--requests", type=int, default=2000, help="measured requests (default 2000)")
    ap.add_argument("--warmup", type=int, default=100, help="unmeasured requests first (default 100)")
    ap.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    ap.add_argument("--workers", type=int, default=2, help="server query workers (default 2)")
    ap.add_argument("--replicate", type=int, default=0, help="copy the city N times with renamed IRIs")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s (default 30)")
    args = ap.parse_args(argv)

    city = city_path(args.city)
    tmp = None
    label = city.name
    if args.replicate > 1:
        tmp = Path(tempfile.mkdtemp(prefix="govkg-load-"))
        city = replicate(city, args.replicate, tmp)
        label = city.name
    proc = None
    try:
        proc, base, startup = start_server(city, args.workers, args.timeout)
        health = json.loads(_get(base + "/health"))
        params = parameter_sets(base, args.warmup + args.requests, args.seed)
        q = named_queries()["who-is-responsible"]
        queries = [q.render({"matter": m, "area": a, "date": d}) for m, a, d in params]
        run_load(base, queries[: args.warmup], args.concurrency, args.timeout)
        latencies, errors, elapsed = run_load(base, queries[args.warmup :], args.concurrency, args.timeout)
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    ms = [x * 1000 for x in latencies]
    result = {
        "city": label, "quads": health["quads"], "routing_inferred": health["routing_inferred"],
        "server_start_s": round(startup, 1), "requests": len(ms), "errors": errors,
        "concurrency": args.concurrency, "workers": args.workers,
        "p50_ms": round(percentile(ms, 50), 2), "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2), "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2), "throughput_qps": round(len(ms) / elapsed, 1),
    }
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"load_sparql-{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    print(f"| {label} | {result['quads']} | {result['requests']} | {args.concurrency} | {result['p50_ms']} | "
          f"{result['p90_ms']} | {result['p99_ms']} | {result['throughput_qps']} | {errors} |")
    return 0 if errors == 0 else 1


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.read()


if __name__ == "__main__":
    sys.exit(main())
