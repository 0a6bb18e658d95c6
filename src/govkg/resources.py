"""Where govkg finds its bundled files: ontology, vocabularies, shapes, reference data, cities.

An installed wheel carries them under ``govkg/_data``; a source checkout (or an editable
install) reads them from the repository root. Nothing is ever fetched from the network.
"""

from __future__ import annotations

from pathlib import Path

KINDS = ("ontology", "shapes", "examples", "reference", "queries", "templates")


def data_dir(kind: str) -> Path:
    """The folder of bundled files of one kind (one of ``KINDS``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of bundled data: {kind!r}")
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / kind
    if packaged.is_dir():
        return packaged
    return here.parent.parent / kind


def ontology_file() -> Path:
    return data_dir("ontology") / "govkg.ttl"


def vocab_files() -> list[Path]:
    return sorted((data_dir("ontology") / "vocab").glob("*.ttl"))


def shapes_file(name: str) -> Path:
    return data_dir("shapes") / f"{name}.ttl"


def reference_files() -> list[Path]:
    return sorted(data_dir("reference").glob("*.ttl"))


def bundled_cities() -> list[str]:
    root = data_dir("examples")
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.ttl")))
