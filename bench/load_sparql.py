"""A bounded load test of `govkg serve`: latency and throughput of the who-is-responsible query.

    python bench/load_sparql.py CITY [--requests 2000] [--concurrency 4] [--check 200]
                                     [--replicate N] [--no-gaps]

CITY is a bundled city name or a city folder or file (e.g. the synthetic Beijing-scale model of
bench/generate.py). With ``--replicate N`` the city's files are first copied N times into a
temporary folder, each copy's IRIs renamed (``…/id/<city>/`` becomes ``…/id/<city>/r<i>/``), a
quick way to a large city. The script starts ``govkg serve`` on a free loopback port
(127.0.0.1 only) and asks it for every matter and every area below the root. The questions are
drawn at random (seeded): a matter, an area and a day from 2019 to 2025, as another system
would ask them. It sends a fixed number of who-is-responsible queries (SPARQL 1.1 Protocol,
POST, keep-alive connections, a fixed number of client threads), then stops the server and
prints p50 / p90 / p99 latency, mean and throughput. It stops by itself: the request count is
fixed and every request has a timeout. With ``--check N`` the answers to the first N measured
questions are compared with the fast engine's routing (respondent, duty and transfer of every
body that must answer), and any difference makes the exit code 1. Results also go to
bench/out/load_sparql-<city>.json. No timing assertion: it measures.

``--concurrency 1,2,4,8`` measures each number of client threads in turn against the same
server. The baseline (``--baseline N``, default 300): after the server has stopped, the same
first N questions are evaluated in this process, one after another, on a pyoxigraph in-memory
store holding the same city (no HTTP, no worker pipe); the report gives the endpoint's figures
as ratios to it.
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

TERMS_QUERY = """
PREFIX gk: <https://w3id.org/govkg/ns#>
SELECT DISTINCT ?kind ?term WHERE {
  { ?term a gk:Matter . BIND ("matter" AS ?kind) }
  UNION
  { ?term gk:within ?parent . BIND ("area" AS ?kind) }
}
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


def start_server(city: Path, workers: int, timeout: float, gaps: bool) -> tuple[subprocess.Popen, str, float]:
    cmd = [sys.executable, "-m", "govkg", "serve", "--city", str(city), "--host", "127.0.0.1", "--port", "0",
           "--workers", str(workers), "--timeout", str(timeout)] + ([] if gaps else ["--no-gaps"])
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
    """``count`` random (matter, area, day) questions over every matter and non-root area."""
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    status, body = post(conn, TERMS_QUERY)
    conn.close()
    if status != 200:
        raise SystemExit(f"could not list the matters and areas: HTTP {status}: {body[:300]!r}")
    terms: dict[str, list[str]] = {"matter": [], "area": []}
    for b in json.loads(body)["results"]["bindings"]:
        terms[b["kind"]["value"]].append(b["term"]["value"])
    if not terms["matter"] or not terms["area"]:
        raise SystemExit("the city has no matter or no area to ask about")
    matters, areas = sorted(terms["matter"]), sorted(terms["area"])
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        day = f"{rng.randint(2019, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        out.append((rng.choice(matters), rng.choice(areas), day))
    return out


def check_answers(city: Path, base: str, params: list[tuple[str, str, str]], queries: list[str]) -> list[str]:
    """Differences between the endpoint's who-is-responsible rows and the fast engine's routing."""
    from govkg.fast import load_router

    router = load_router(city)
    host, port = urllib.parse.urlsplit(base).netloc.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=120)
    problems = []
    for (matter, area, day), query in zip(params, queries, strict=True):
        status, body = post(conn, query)
        if status != 200:
            problems.append(f"{matter} {area} {day}: HTTP {status}")
            continue
        got = {(b["respondent"]["value"], b["duty"]["value"], b.get("transfer", {}).get("value"))
               for b in json.loads(body)["results"]["bindings"]}
        expected = set()
        for r in router.route(matter, area, day).to_dict()["respondents"]:
            if r["kind"] == "body":
                for basis in r["basis"]:
                    via = basis["transfer"]["iri"] if basis["transfer"] else None
                    expected.add((r["iri"], basis["duty"]["iri"], via))
        if got != expected:
            problems.append(f"{matter} {area} {day}: endpoint {sorted(got)} != engine {sorted(expected)}")
    conn.close()
    return problems


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
    ap.add_argument("--concurrency", default="4",
                    help="client threads, or a comma-separated list run in turn (default 4)")
    ap.add_argument("--workers", type=int, default=2, help="server query workers (default 2)")
    ap.add_argument("--replicate", type=int, default=0, help="copy the city N times with renamed IRIs")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout, s (default 30)")
    ap.add_argument("--check", type=int, default=0, metavar="N",
                    help="compare the first N answers with the fast engine's routing (default 0)")
    ap.add_argument("--no-gaps", action="store_true", help="serve without the gaps graph (faster start)")
    ap.add_argument("--baseline", type=int, default=300, metavar="N",
                    help="evaluate the first N questions in-process as the baseline (default 300; 0: none)")
    args = ap.parse_args(argv)
    levels = [int(c) for c in str(args.concurrency).split(",")]

    city = city_path(args.city)
    tmp = None
    label = city.name if city.name != "city" else f"synthetic-{city.parent.name}"
    if args.replicate > 1:
        tmp = Path(tempfile.mkdtemp(prefix="govkg-load-"))
        city = replicate(city, args.replicate, tmp)
        label = city.name
    proc = None
    try:
        proc, base, startup = start_server(city, args.workers, args.timeout, gaps=not args.no_gaps)
        health = json.loads(_get(base + "/health"))
        params = parameter_sets(base, args.warmup + args.requests, args.seed)
        q = named_queries()["who-is-responsible"]
        queries = [q.render({"matter": m, "area": a, "date": d}) for m, a, d in params]
        run_load(base, queries[: args.warmup], levels[0], args.timeout)
        runs = []
        for level in levels:
            latencies, errors, elapsed = run_load(base, queries[args.warmup :], level, args.timeout)
            runs.append(summary(latencies, errors, elapsed, level))
        n = min(args.check, args.requests)
        problems = check_answers(city, base, params[args.warmup : args.warmup + n],
                                 queries[args.warmup : args.warmup + n]) if n else []
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    base_n = min(args.baseline, args.requests)
    baseline = in_process(city, queries[args.warmup : args.warmup + base_n]) if base_n else None
    result = {
        "city": label, "quads": health["quads"], "routing_inferred": health["routing_inferred"],
        "gaps_graph": not args.no_gaps, "server_start_s": round(startup, 1), "workers": args.workers,
        "runs": runs, "checked": n, "different": len(problems), "baseline_in_process": baseline,
    }
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    (out / f"load_sparql-{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    for r in runs:
        ratio = ""
        if baseline:
            ratio = (f" {r['p50_ms'] / baseline['p50_ms']:.1f}x |"
                     f" {r['throughput_qps'] / baseline['throughput_qps']:.2f}x |")
        print(f"| {label} | {result['quads']} | {r['requests']} | {r['concurrency']} | {r['p50_ms']} | "
              f"{r['p90_ms']} | {r['p99_ms']} | {r['throughput_qps']} | {r['errors']} |{ratio}")
    for p in problems[:5]:
        print("DIFFERENT:", p, file=sys.stderr)
    return 0 if all(r["errors"] == 0 for r in runs) and not problems else 1


def summary(latencies: list[float], errors: int, elapsed: float, concurrency: int) -> dict:
    ms = [x * 1000 for x in latencies]
    return {
        "concurrency": concurrency, "requests": len(ms), "errors": errors,
        "p50_ms": round(percentile(ms, 50), 2), "p90_ms": round(percentile(ms, 90), 2),
        "p99_ms": round(percentile(ms, 99), 2), "mean_ms": round(statistics.fmean(ms), 2),
        "max_ms": round(max(ms), 2), "throughput_qps": round(len(ms) / elapsed, 1),
    }


def in_process(city: Path, queries: list[str]) -> dict:
    """The baseline: the questions evaluated one by one in this process (SPARQL JSON results
    serialized, as a worker does) on an in-memory store holding the ontology, reference and city."""
    import io

    import pyoxigraph as ox

    from govkg.resources import data_dir

    store = ox.Store()
    graph = ox.NamedNode(f"{ID}{city.stem if city.is_file() else city.name}/")
    t0 = time.perf_counter()
    for f in rdf_files([data_dir("ontology"), data_dir("reference"), city]):
        fmt = ox.RdfFormat.TURTLE if f.suffix == ".ttl" else ox.RdfFormat.N_TRIPLES
        store.bulk_load(path=str(f), format=fmt, to_graph=graph)
    load_s = time.perf_counter() - t0
    latencies = []
    t0 = time.perf_counter()
    for q in queries:
        t = time.perf_counter()
        sink = io.BytesIO()
        store.query(q, use_default_graph_as_union=True).serialize(sink, ox.QueryResultsFormat.JSON)
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - t0
    result = summary(latencies, 0, elapsed, 1)
    result["load_s"] = round(load_s, 1)
    return result


def _get(url: str) -> bytes:
    import urllib.request

    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.read()


if __name__ == "__main__":
    sys.exit(main())
