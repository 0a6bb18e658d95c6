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


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="govkg", description="Who must answer a whistle, and where duty lists have gaps.")
    p.add_argument("--version", action="version", version=f"govkg {__version__}")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    v = sub.add_parser("validate", help="check RDF files against shapes/core.ttl")
    v.add_argument("paths", nargs="+", help="RDF files or folders (loaded with the ontology and vocabularies)")
    v.add_argument("--json", action="store_true", help="print the report as JSON")
    v.set_defaults(func=cmd_validate)
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
