"""The ``govkg`` command: a thin layer over the library.

Exit codes: 0 fine (conforms, no findings); 1 non-conformance or findings; 2 usage or input error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from govkg import __version__
from govkg.errors import GovkgError

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on usage errors, as we document
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"govkg: error: {message}\n")


def cmd_validate(args: argparse.Namespace) -> int:
    from govkg.validate import validate_paths

    report, graph = validate_paths(args.paths)
    print(report.to_json() if args.json else report.to_text(graph))
    return EXIT_OK if report.conforms else EXIT_FINDINGS


def cmd_import(args: argparse.Namespace) -> int:
    from govkg.tables import import_to_turtle

    result = import_to_turtle(args.book, args.output, city_iri=args.city_iri, keep_going=args.keep_going)
    rows = sum(result.rows.values())
    print(f"govkg import: wrote {args.output}: {len(result.graph)} triples from {rows} row(s)")
    if result.errors:
        print(f"govkg import: {len(result.errors)} bad row problem(s) left out:", file=sys.stderr)
        for e in result.errors:
            print(f"  {e}", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from govkg.tables import export_to

    book = export_to(args.city, args.output, city_iri=args.city_iri)
    counts = ", ".join(f"{t.name} {len(t.rows)}" for t in book.tables if t.name not in ("meta", "notes"))
    print(f"govkg export: wrote {args.output} ({counts})")
    return EXIT_OK


def cmd_route(args: argparse.Namespace) -> int:
    import json

    from govkg.route import route

    router = _fast_router(args) if getattr(args, "engine", "shacl") == "fast" and not args.endpoint else None
    if router is not None:
        result = router.route(matter=args.matter, area=args.area, at=args.at, severity=args.severity,
                              raised_by=args.raised_by)
    else:
        result = route(_city_or_endpoint(args), matter=args.matter, area=args.area, at=args.at,
                       severity=args.severity, raised_by=args.raised_by)
    print(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if args.json else result.explain())
    return EXIT_OK if result.answered else EXIT_FINDINGS


def cmd_route_batch(args: argparse.Namespace) -> int:
    from govkg.batch import route_batch, write_results
    from govkg.kb import load

    router = _fast_router(args) if getattr(args, "engine", "shacl") == "fast" else None
    if router is not None:
        from govkg.fast.batch import route_csv

        stats = route_csv(router, args.input, args.output)
        for line, problem in stats.bad:
            print(f"{args.input}:{line}: {problem}", file=sys.stderr)
        print(f"govkg route-batch: wrote {args.output}: {stats.rows} row(s), {stats.good} routed, "
              f"{stats.bad_rows} bad")
        return EXIT_FINDINGS if stats.bad_rows else EXIT_OK
    result = route_batch(load(args.city), args.input)
    write_results(result, args.output)
    for row in result.bad:
        print(f"{args.input}:{row.line}: {row.error}", file=sys.stderr)
    good = len(result.rows) - len(result.bad)
    print(f"govkg route-batch: wrote {args.output}: {len(result.rows)} row(s), {good} routed, "
          f"{len(result.bad)} bad")
    return EXIT_FINDINGS if result.bad else EXIT_OK


def _fast_router(args: argparse.Namespace):
    """The compiled city for --engine fast (docs/performance.md), or None when the city uses
    something the fast engine does not implement (then the SHACL reference answers)."""
    if not args.city:
        raise GovkgError("give --city C or --endpoint URL")
    from govkg.fast import Unsupported, load_router

    try:
        return load_router(args.city)
    except Unsupported as exc:
        print(f"govkg: note: {exc}; using --engine shacl", file=sys.stderr)
        return None


def _city_or_endpoint(args: argparse.Namespace):
    """The KnowledgeBase of --city, or the city a store behind --endpoint holds (govkg push)."""
    if getattr(args, "endpoint", None):
        from govkg.push import remote_kb

        return remote_kb(args.endpoint, args.city)
    if not args.city:
        raise GovkgError("give --city C or --endpoint URL")
    from govkg.kb import load

    return load(args.city)


def cmd_serve(args: argparse.Namespace) -> int:
    from govkg.kb import load
    from govkg.server import Limits, open_service, serve

    def log(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    limits = Limits(timeout=args.timeout, max_result_bytes=args.max_result_bytes,
                    max_request_bytes=args.max_request_bytes)
    log(f"govkg serve: loading {args.city} …")
    kb = load(args.city)
    service = open_service(kb, limits=limits, workers=args.workers, gaps=not args.no_gaps,
                           log=log if args.access_log else None, engine=args.engine)
    for note in service.notes:
        log(f"govkg serve: note: {note}")
    if not service.routing_inferred:
        log("govkg serve: govkg.route is not installed; serving the city without inferred routing")

    def ready(server) -> None:
        host, port = server.server_address[:2]
        log(f"govkg serve: {service.engine.quads} quads; SPARQL at http://{host}:{port}/sparql "
            f"(route: /route, OpenAPI: /openapi.json); Ctrl-C stops")

    serve(service, host=args.host, port=args.port, ready=ready)
    log("govkg serve: stopped")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace) -> int:
    from govkg.audit import render, write_output
    from govkg.kb import load

    kb = load(args.city)
    report = kb.audit(at=args.at)
    if args.html:
        from govkg.report import audit_html, write_atomic

        write_atomic(args.html, audit_html(report, kb))
        print(f"govkg audit: wrote {args.html}", file=sys.stderr)
    text = render(report, args.format)
    if args.output:
        write_output(text, args.output)
        print(f"govkg audit: wrote {args.output}: {len(report.findings)} finding(s) "
              f"({', '.join(f'{n} {s}' for s, n in report.severity_counts().items())})")
    else:
        print(text, end="" if text.endswith("\n") else "\n")
    return EXIT_FINDINGS if report.failed else EXIT_OK


def cmd_query(args: argparse.Namespace) -> int:
    import json

    from govkg.queries import get_query, named_queries, parse_params, run_local, run_remote, table

    if args.list:
        for q in named_queries().values():
            params = " ".join(f"{p.name}={p.kind}" + ("" if p.required else "?") for p in q.params)
            print(f"{q.name}  {params}\n    {q.summary}")
        return EXIT_OK
    if not args.name:
        raise GovkgError("name a query (govkg query --list shows them)")
    named = get_query(args.name)
    text = named.render(parse_params(args.param or []))
    if args.endpoint:
        results = run_remote(args.endpoint, text)
    elif args.city:
        from govkg.kb import load
        from govkg.server.dataset import build_dataset, memory_store

        needs_gaps = "gapType" in text
        store = memory_store(build_dataset(load(args.city), gaps=needs_gaps))
        results = run_local(store, text)
    else:
        raise GovkgError("give --city C or --endpoint URL")
    print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else table(results))
    return EXIT_OK


def cmd_push(args: argparse.Namespace) -> int:
    from govkg.kb import load
    from govkg.push import push

    report = push(load(args.city), args.endpoint, chunk_size=args.chunk, replace=not args.keep,
                  gaps=not args.no_gaps, graph_store=args.graph_store)
    print(report.to_text())
    return EXIT_OK


def cmd_compare(args: argparse.Namespace) -> int:
    from govkg.compare import compare_cities, write_graphml

    comparison = compare_cities(args.cities, at=args.at, with_audit=not args.no_audit)
    if args.graphml:
        for path in write_graphml(comparison, args.graphml):
            print(f"govkg compare: wrote {path}", file=sys.stderr)
    if args.html:
        from govkg.report import compare_html, write_atomic

        write_atomic(args.html, compare_html(comparison))
        print(f"govkg compare: wrote {args.html}", file=sys.stderr)
    print(comparison.to_json() if args.json else comparison.to_text())
    return EXIT_OK


def cmd_reform(args: argparse.Namespace) -> int:
    from govkg.kb import load
    from govkg.reform import whatif

    result = whatif(load(args.city), args.reform, whistles=args.whistles, probe=not args.no_probe,
                    at=args.at, with_audit=not args.no_audit)
    if args.html:
        from govkg.report import reform_html, write_atomic

        write_atomic(args.html, reform_html(result))
        print(f"govkg reform: wrote {args.html}", file=sys.stderr)
    if args.overlay:
        from govkg.reform import write_overlay

        write_overlay(result, args.overlay)
        print(f"govkg reform: wrote {args.overlay}", file=sys.stderr)
    print(result.to_json() if args.json else result.to_text())
    return EXIT_FINDINGS if result.opens_gaps else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="govkg", description="Who must answer a whistle, and where duty lists have gaps.")
    p.add_argument("--version", action="version", version=f"govkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check RDF files against shapes/core.ttl")
    v.add_argument("paths", nargs="+",
                   help="RDF files or folders (loaded with the ontology and vocabularies)")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=cmd_validate)

    im = sub.add_parser("import", help="read a duty-list workbook (.xlsx) or CSV folder into Turtle")
    im.add_argument("book", help="an .xlsx workbook or a folder of CSV files (docs/spreadsheets.md)")
    im.add_argument("-o", "--output", required=True, help="the Turtle file to write")
    im.add_argument("--city-iri", help="the city base IRI (else the meta sheet's city_iri)")
    im.add_argument("--keep-going", action="store_true",
                    help="write the good rows and list the bad ones (exit 1), instead of writing "
                         "nothing (exit 2)")
    im.set_defaults(func=cmd_import)

    ex = sub.add_parser("export", help="write a city into the spreadsheet template (.xlsx or CSV folder)")
    ex.add_argument("--city", required=True, help="a bundled city name, or a city folder or file")
    ex.add_argument("-o", "--output", required=True, help="OUT.xlsx, or DIR/ for one CSV file per sheet")
    ex.add_argument("--city-iri", help="the city base IRI (default: found from the city's IRIs)")
    ex.set_defaults(func=cmd_export)

    r = sub.add_parser("route", help="who must answer a whistle (exit 0 answered, 1 nobody, 2 bad input)")
    r.add_argument("--city", help="a bundled city name, or a city folder or file (or, with --endpoint, "
                                  "the city's name in the store)")
    r.add_argument("--endpoint", metavar="URL",
                   help="read the city from a SPARQL store that `govkg push` filled, instead of --city")
    r.add_argument("--matter", required=True,
                   help="the matter: a label (zh or en), alternative label, notation or IRI")
    r.add_argument("--area", required=True, help="where: a label, notation or IRI of an area")
    r.add_argument("--at", help="when: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS][+08:00] (default now, China time)")
    r.add_argument("--severity", help="ordinary/serious/major or 一般/较大/重大 (default ordinary)")
    r.add_argument("--raised-by", help="the body that blows the whistle (label or IRI; optional)")
    r.add_argument("--json", action="store_true", help="print the answer as JSON (docs/route-json.md)")
    r.add_argument("--engine", choices=("fast", "shacl"), default="fast",
                   help="fast: compiled indexes, cached (default); shacl: the SHACL-AF rules of "
                        "shapes/routing.ttl run by pyshacl (the reference); see docs/performance.md")
    r.set_defaults(func=cmd_route)

    rb = sub.add_parser("route-batch",
                        help="route a CSV of work orders (id,time,matter,area,severity,raised_by)")
    rb.add_argument("input", help="the input CSV (UTF-8, with or without BOM)")
    rb.add_argument("-o", "--output", required=True, help="the output CSV to write")
    rb.add_argument("--engine", choices=("fast", "shacl"), default="fast",
                    help="fast: compiled indexes, streamed (default); shacl: the reference rules")
    rb.add_argument("--city", default="beijing",
                    help="a bundled city name, or a city folder or file (default beijing)")
    rb.set_defaults(func=cmd_route_batch)

    sv = sub.add_parser("serve", help="a read-only SPARQL 1.1 endpoint and JSON route endpoint over a city")
    sv.add_argument("--city", required=True, help="a bundled city name, or a city folder or file")
    sv.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1, loopback only)")
    sv.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    sv.add_argument("--timeout", type=float, default=10.0, help="query timeout in seconds (default 10)")
    sv.add_argument("--max-result-bytes", type=int, default=16 * 1024 * 1024,
                    help="largest serialized result (default 16 MiB; larger gets 422)")
    sv.add_argument("--max-request-bytes", type=int, default=1024 * 1024,
                    help="largest request body or query string (default 1 MiB; larger gets 413)")
    sv.add_argument("--workers", type=int, default=2, help="query worker processes (default 2)")
    sv.add_argument("--no-gaps", action="store_true", help="skip the audit (no gaps graph; faster start)")
    sv.add_argument("--engine", choices=("fast", "shacl"), default="fast",
                    help="fast: routing graph, gaps and POST /route by the fast engine (default); "
                         "shacl: by the rules and shapes (same answers, slower)")
    sv.add_argument("--access-log", action="store_true", help="log each request to stderr")
    sv.set_defaults(func=cmd_serve)

    au = sub.add_parser("audit", help="find responsibility gaps (exit 1 when any violation-severity finding)")
    au.add_argument("--city", required=True, help="a bundled city name, or a city folder or file")
    au.add_argument("--at", help="the audit date, YYYY-MM-DD (default today)")
    au.add_argument("--format", choices=("text", "json", "csv", "md"), default="text",
                    help="output format (default text); docs/audit.md")
    au.add_argument("-o", "--output", help="write the report to this file instead of standard output")
    au.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report (docs/reform.md)")
    au.set_defaults(func=cmd_audit)

    qy = sub.add_parser("query", help="run a named SPARQL query (queries/*.rq) on a city or an endpoint")
    qy.add_argument("name", nargs="?", help="a named query (see --list) or a path to a .rq file")
    qy.add_argument("--param", action="append", metavar="KEY=VALUE", help="a query parameter (repeatable)")
    qy.add_argument("--city", help="a bundled city name, or a city folder or file")
    qy.add_argument("--endpoint", metavar="URL", help="a SPARQL 1.1 endpoint (e.g. a store filled by push)")
    qy.add_argument("--json", action="store_true", help="print SPARQL JSON results")
    qy.add_argument("--list", action="store_true", help="list the named queries and their parameters")
    qy.set_defaults(func=cmd_query)

    pu = sub.add_parser("push", help="load a city with its inferred routing into an external SPARQL store")
    pu.add_argument("--city", required=True, help="a bundled city name, or a city folder or file")
    pu.add_argument("--endpoint", required=True, metavar="URL", help="the store's SPARQL 1.1 Update URL")
    pu.add_argument("--graph-store", metavar="URL",
                    help="send with the SPARQL 1.1 Graph Store Protocol to this URL instead of SPARQL Update "
                         "(Virtuoso: http://HOST:8890/sparql-graph-crud)")
    pu.add_argument("--chunk", type=int, default=2000, help="triples per request (default 2000)")
    pu.add_argument("--keep", action="store_true", help="add to the graphs instead of replacing them")
    pu.add_argument("--no-gaps", action="store_true", help="skip the audit (no gaps graph)")
    pu.set_defaults(func=cmd_push)

    cm = sub.add_parser("compare", help="side-by-side metrics of city models (docs/compare.md)")
    cm.add_argument("cities", nargs="+", help="bundled city names, or city folders or files")
    cm.add_argument("--at", help="the comparison date, YYYY-MM-DD (default today)")
    cm.add_argument("--json", action="store_true", help="print the metrics as JSON")
    cm.add_argument("--graphml", metavar="DIR",
                    help="also write each city's responsibility and organisation graphs as GraphML (Gephi)")
    cm.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    cm.add_argument("--no-audit", action="store_true", help="skip the audit (no gap counts; faster)")
    cm.set_defaults(func=cmd_compare)

    rf = sub.add_parser("reform", help="apply reforms to a city as a what-if and report what changes "
                                       "(exit 1 when a gap opens; docs/reform.md)")
    rf.add_argument("--city", required=True, help="a bundled city name, or a city folder or file")
    rf.add_argument("--reform", required=True, action="append", metavar="FILE",
                    help="a reform file (.yaml or .ttl); repeat to apply several in order")
    rf.add_argument("--whistles", metavar="FILE",
                    help="replay these whistles (.csv or .yaml) instead of the city's recorded ones")
    rf.add_argument("--no-probe", action="store_true",
                    help="do not add one probe whistle per matter and street")
    rf.add_argument("--at", help="replay and audit on this date, YYYY-MM-DD "
                                 "(default: the latest effective date)")
    rf.add_argument("--json", action="store_true", help="print the changes as JSON")
    rf.add_argument("--html", metavar="FILE", help="also write a self-contained HTML report")
    rf.add_argument("--overlay", metavar="FILE",
                    help="also write the overlays as TriG (added and removed graphs)")
    rf.add_argument("--no-audit", action="store_true", help="skip the audits (no gaps closed or opened)")
    rf.set_defaults(func=cmd_reform)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except GovkgError as exc:
        print(f"govkg: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
