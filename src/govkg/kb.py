"""A loaded city: the graph plus the operations users run on it (route, audit)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from govkg.loader import city_path, load_files
from govkg.validate import full_graph


@dataclass
class KnowledgeBase:
    """A city model loaded with the ontology, vocabularies and reference data."""

    name: str
    path: Path
    graph: Graph

    def route(self, matter: str, area: str, at: str | None = None, severity: str | None = None,
              raised_by: str | None = None):
        """Who must answer a whistle about ``matter`` in ``area`` (labels, notations or IRIs)."""
        from govkg.route import route

        return route(self, matter=matter, area=area, at=at, severity=severity, raised_by=raised_by)

    def audit(self, at: str | None = None):
        """Every responsibility gap in the city, as findings grouped by code."""
        from govkg.audit import audit

        return audit(self, at=at)


def load(city: str | Path) -> KnowledgeBase:
    """Load a bundled city by name (``"nanjing-qinhuai"``) or a city folder or file by path."""
    path = city_path(city)
    graph = full_graph([])
    load_files([path], graph)
    return KnowledgeBase(name=path.stem if path.is_file() else path.name, path=path, graph=graph)
