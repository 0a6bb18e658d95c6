from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Graph

from govkg import resources
from govkg.loader import load_files, load_ontology, load_reference

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
REPO = HERE.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def ontology() -> Graph:
    """The ontology and its vocabularies."""
    return load_ontology()


@pytest.fixture(scope="session")
def reference() -> Graph:
    return load_reference()


@pytest.fixture(scope="session")
def shared() -> Path:
    if not (SHARED / "tools" / "citecheck.py").is_file():
        pytest.skip(f"shared material not found beside the repository ({SHARED})")
    return SHARED


def fixture_graph(name: str) -> Graph:
    return load_files([FIXTURES / name])


def run_cli(*args: str) -> tuple[int, str, str]:
    """Run ``python -m govkg ARGS`` in a subprocess; return (exit code, stdout, stderr)."""
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "govkg", *args], capture_output=True, text=True, timeout=600)
    return proc.returncode, proc.stdout, proc.stderr


def all_bundled_rdf() -> list[Path]:
    out: list[Path] = []
    for kind in ("ontology", "shapes", "examples", "reference"):
        d = resources.data_dir(kind)
        if d.is_dir():
            out += sorted(d.rglob("*.ttl"))
    return out
