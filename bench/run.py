"""One command for the routing and audit benchmark (bench/README.md):

    python bench/run.py --scale beijing --whistles 25000000
    python bench/run.py --quick                      # a smoke run: small city, 20,000 whistles

It makes the synthetic city and the whistle file when they are missing (bench/generate.py,
under bench/out/), then, each step in its own process so that each peak memory is its own:

1. fast: compile the city (cold), load it from the cache, route the sample, route the whole
   file (streamed; the output goes to /dev/null unless --keep-output);
2. reference: load the city with rdflib and route the same sample with govkg.batch (pyshacl
   running shapes/routing.ttl);
3. audit: the fast gap audit of the whole model;

and prints whistles/s of both engines, their ratio, peak memory, the audit's time, and the
comparison of every sampled answer (full JSON answers, and the route-batch CSV byte for byte).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import asdict
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import SCALES, generate_city, write_whistles  # noqa: E402


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _sample_file(source: Path, target: Path, rows: int) -> Path:
    with (
        open(source, encoding="utf-8", newline="") as fh,
        open(target, "w", encoding="utf-8", newline="") as out,
    ):
        out.writelines(islice(fh, rows + 1))
    return target


# ------------------------------------------------------------------------------------------
# Workers (run in child processes)
# ------------------------------------------------------------------------------------------
def worker_fast(city: Path, whistles: Path, sample: Path, work: Path, keep_output: bool) -> dict:
    from govkg.fast import cache_dir, load_router
    from govkg.fast.batch import BatchRouter, route_csv
    from govkg.route import WhistleSpec

    out: dict = {}
    t = time.perf_counter()
    load_router(city, cache=False)
    out["compile_s"] = time.perf_counter() - t
    t = time.perf_counter()
    load_router(city)  # writes the cache if it is not there yet
    out["first_cached_load_s"] = time.perf_counter() - t
    t = time.perf_counter()
    router = load_router(city)
    out["cached_load_s"] = time.perf_counter() - t
    out["cache_dir"] = str(cache_dir())

    # the sample: full answers (JSON), and the route-batch CSV
    from govkg.fast.batch import iter_rows

    batch = BatchRouter(router)
    answers = []
    good = 0
    t = time.perf_counter()
    for line, cells in iter_rows(sample):
        try:
            w = batch.whistle(line, cells, str(sample), "")
        except Exception as exc:  # an input error: recorded as such
            answers.append({"error": getattr(exc, "problem", str(exc))})
            continue
        from rdflib import URIRef

        spec = WhistleSpec(
            URIRef(w.matter),
            URIRef(w.area),
            w.at,
            URIRef(w.severity) if w.severity else None,
            URIRef(w.raised_by) if w.raised_by else None,
        )
        w = type(w)(str(spec.iri(salt=str(good))), w.matter, w.area, w.at, w.severity, w.raised_by)
        good += 1
        answers.append(router.result(w).to_dict())
    out["sample_full_answers_s"] = time.perf_counter() - t
    (work / "fast-sample.json").write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    t, c = time.perf_counter(), time.process_time()
    st = route_csv(router, sample, work / "fast-sample.csv")
    out["sample_s"] = time.perf_counter() - t
    out["sample_cpu_s"] = time.process_time() - c
    out["sample_rows"] = st.rows

    t, c = time.perf_counter(), time.process_time()
    st = route_csv(
        router,
        whistles,
        (work / "fast-full.csv") if keep_output else Path(os.devnull),
        on_bad=lambda line, problem: None,
    )
    out["full_s"] = time.perf_counter() - t
    out["full_cpu_s"] = time.process_time() - c
    out["load_after"] = os.getloadavg()[0]
    out["full_rows"] = st.rows
    out["full_bad"] = st.bad_rows
    out["cores"] = st.cores
    out["peak_mib"] = _peak_mib()
    return out


def worker_reference(city: Path, sample: Path, work: Path) -> dict:
    from govkg.batch import route_batch, write_results
    from govkg.kb import load

    out: dict = {}
    t = time.perf_counter()
    kb = load(city)
    out["load_s"] = time.perf_counter() - t
    out["triples"] = len(kb.graph)
    t, c = time.perf_counter(), time.process_time()
    result = route_batch(kb, sample)
    out["sample_s"] = time.perf_counter() - t
    out["sample_cpu_s"] = time.process_time() - c
    out["sample_rows"] = len(result.rows)
    write_results(result, work / "reference-sample.csv")
    answers = [r.result.to_dict() if r.result is not None else {"error": r.error} for r in result.rows]
    (work / "reference-sample.json").write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    out["peak_mib"] = _peak_mib()
    return out


def worker_audit(city: Path, at: str) -> dict:
    from govkg.fast.audit import audit_city

    out: dict = {}
    t, c = time.perf_counter(), time.process_time()
    report = audit_city(city, at=at)
    out["audit_s"] = time.perf_counter() - t
    out["audit_cpu_s"] = time.process_time() - c
    out["counts"] = report.counts()
    out["findings"] = len(report.findings)
    out["peak_mib"] = _peak_mib()
    return out


def _child(kind: str, payload: dict, timeout: float | None = None) -> dict | None:
    """Run one worker in a fresh interpreter; its answer is JSON on the last line of stdout.
    None when it runs longer than ``timeout`` seconds (it is then stopped)."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--worker", kind, "--payload", json.dumps(payload)]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise SystemExit(f"bench worker {kind} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------------------------------
# Comparing the two engines
# ------------------------------------------------------------------------------------------
def _first_difference(a: object, b: object, path: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if a.get(k) != b.get(k):
                return _first_difference(a.get(k), b.get(k), f"{path}.{k}")
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _first_difference(x, y, f"{path}[{i}]")
    ra, fb = json.dumps(a, ensure_ascii=False)[:200], json.dumps(b, ensure_ascii=False)[:200]
    return f"{path}: reference {ra} / fast {fb}"


def compare(work: Path) -> dict:
    ref = json.loads((work / "reference-sample.json").read_text(encoding="utf-8"))
    fast = json.loads((work / "fast-sample.json").read_text(encoding="utf-8"))
    equal = sum(1 for a, b in zip(ref, fast, strict=False) if a == b)
    diffs = [
        f"row {i + 1}: {_first_difference(a, b)}"
        for i, (a, b) in enumerate(zip(ref, fast, strict=False))
        if a != b
    ]
    csv_same = (work / "reference-sample.csv").read_bytes() == (work / "fast-sample.csv").read_bytes()
    return {
        "compared": min(len(ref), len(fast)),
        "equal": equal,
        "different": len(diffs) + abs(len(ref) - len(fast)),
        "first_differences": diffs[:5],
        "csv_identical": csv_same,
    }


# ------------------------------------------------------------------------------------------
# Main
# ------------------------------------------------------------------------------------------
def prepare(scale: str, whistles: int, out: Path, seed: int) -> tuple[Path, Path]:
    params = SCALES[scale]
    folder = out / scale
    city = folder / "city"
    stamp = folder / "params.json"
    wanted = json.dumps(asdict(params), sort_keys=True)
    if not (city / "duties.nt").is_file() or not stamp.is_file() or stamp.read_text() != wanted:
        print(f"generating the {scale} city into {city} ...", flush=True)
        t = time.perf_counter()
        counts = generate_city(params, city)
        stamp.write_text(wanted)
        print(f"  {sum(counts.values())} triples in {time.perf_counter() - t:.1f} s", flush=True)
    wfile = folder / f"whistles-{whistles}-seed{seed}.csv"
    if not wfile.is_file():
        print(f"generating {whistles} whistles into {wfile} ...", flush=True)
        t = time.perf_counter()
        write_whistles(city, wfile, whistles, seed)
        print(f"  {time.perf_counter() - t:.1f} s", flush=True)
    return city, wfile


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/run.py", description="routing and audit benchmark")
    ap.add_argument("--scale", default="beijing", choices=sorted(SCALES))
    ap.add_argument("--whistles", type=int, default=1_000_000)
    ap.add_argument("--sample", type=int, default=2000, help="rows routed by both engines and compared")
    ap.add_argument("--seed", type=int, default=12345, help="seed of the whistle file")
    ap.add_argument("--audit-at", default="2025-06-30", help="the audit date")
    ap.add_argument("--out", type=Path, default=HERE / "out")
    ap.add_argument("--keep-output", action="store_true", help="write the full output CSV (large)")
    ap.add_argument("--quick", action="store_true", help="smoke run: small city, 20,000 whistles, sample 300")
    ap.add_argument(
        "--no-reference", action="store_true", help="skip the SHACL reference (and the comparison)"
    )
    ap.add_argument(
        "--reference-timeout",
        type=float,
        default=None,
        help="stop the reference after this many seconds (then there is no comparison)",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--payload", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.worker:
        p = json.loads(args.payload)
        if args.worker == "fast":
            res = worker_fast(
                Path(p["city"]), Path(p["whistles"]), Path(p["sample"]), Path(p["work"]), p["keep_output"]
            )
        elif args.worker == "reference":
            res = worker_reference(Path(p["city"]), Path(p["sample"]), Path(p["work"]))
        else:
            res = worker_audit(Path(p["city"]), p["at"])
        print(json.dumps(res))
        return 0

    if args.quick:
        args.scale, args.whistles, args.sample = "small", 20_000, 300
    os.environ.setdefault("GOVKG_CACHE_DIR", str(args.out / "cache"))
    started = time.perf_counter()
    city, wfile = prepare(args.scale, args.whistles, args.out, args.seed)
    work = args.out / args.scale / "run"
    work.mkdir(parents=True, exist_ok=True)
    sample = _sample_file(wfile, work / "sample.csv", args.sample)
    payload = {
        "city": str(city),
        "whistles": str(wfile),
        "sample": str(sample),
        "work": str(work),
        "keep_output": args.keep_output,
        "at": args.audit_at,
    }

    print(
        f"machine: {platform.node()}, {os.cpu_count()} cores, {platform.processor() or platform.machine()}, "
        f"Python {platform.python_version()}; load average {os.getloadavg()[0]:.2f}",
        flush=True,
    )
    print(f"city: {city} ({args.scale}); whistles: {wfile.name}; sample: {args.sample} rows", flush=True)
    fast = _child("fast", payload)
    print(
        f"fast: compile {fast['compile_s']:.1f} s, cached load {fast['cached_load_s']:.2f} s; "
        f"sample {fast['sample_rows']} rows in {fast['sample_s']:.2f} s; "
        f"full file {fast['full_rows']} rows in {fast['full_s']:.1f} s "
        f"= {fast['full_rows'] / fast['full_s']:,.0f} whistles/s wall, "
        f"{fast['full_rows'] / fast['full_cpu_s']:,.0f} whistles/s of CPU time "
        f"({fast['full_cpu_s']:.1f} s CPU; "
        f"{fast['cores']} distinct answer cores; load average after {fast['load_after']:.2f}); "
        f"peak {fast['peak_mib']:,.0f} MiB",
        flush=True,
    )
    audit = _child("audit", payload)
    print(
        f"audit (fast): {audit['findings']} findings in {audit['audit_s']:.1f} s "
        f"({audit['audit_cpu_s']:.1f} s CPU), "
        f"peak {audit['peak_mib']:,.0f} MiB;"
        f" counts {json.dumps(audit['counts'])}",
        flush=True,
    )
    summary = {"scale": args.scale, "whistles": args.whistles, "fast": fast, "audit": audit}
    if not args.no_reference:
        started_ref = time.perf_counter()
        ref = _child("reference", payload, args.reference_timeout)
        if ref is None:
            print(
                f"reference (pyshacl, shapes/routing.ttl): did not finish the {args.sample}-row sample "
                f"within {time.perf_counter() - started_ref:.0f} s (stopped); no comparison",
                flush=True,
            )
            summary["reference"] = {"timeout_s": args.reference_timeout}
            print(f"total {time.perf_counter() - started:.0f} s", flush=True)
            (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
            return 0
        fast_rate = fast["sample_rows"] / fast["sample_s"]
        ref_rate = ref["sample_rows"] / ref["sample_s"]
        print(
            f"reference (pyshacl, shapes/routing.ttl): load {ref['load_s']:.1f} s "
            f"({ref['triples']} triples); "
            f"sample {ref['sample_rows']} rows in {ref['sample_s']:.1f} s = {ref_rate:,.1f} whistles/s "
            f"({ref['sample_cpu_s']:.1f} s CPU); "
            f"peak {ref['peak_mib']:,.0f} MiB",
            flush=True,
        )
        print(
            f"ratio on the sample: fast {fast_rate:,.0f} / reference {ref_rate:,.1f} whistles/s = "
            f"{fast_rate / ref_rate:,.0f}x; full file vs reference sample: "
            f"{fast['full_rows'] / fast['full_s'] / ref_rate:,.0f}x",
            flush=True,
        )
        cmp = compare(work)
        print(
            f"comparison of {cmp['compared']} sampled answers: {cmp['equal']} equal, "
            f"{cmp['different']} different;"
            f" route-batch CSV byte-identical: {cmp['csv_identical']}",
            flush=True,
        )
        for d in cmp["first_differences"]:
            print(f"  {d}")
        summary.update(reference=ref, comparison=cmp)
    print(f"total {time.perf_counter() - started:.0f} s", flush=True)
    (work / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
