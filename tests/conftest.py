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


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory):
    """Keep the fast engine's compile cache out of the user's ~/.cache during tests
    (subprocesses inherit the variable)."""
    import os

    old = os.environ.get("GOVKG_CACHE_DIR")
    os.environ["GOVKG_CACHE_DIR"] = str(tmp_path_factory.mktemp("govkg-cache"))
    yield
    if old is None:
        os.environ.pop("GOVKG_CACHE_DIR", None)
    else:
        os.environ["GOVKG_CACHE_DIR"] = old


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
