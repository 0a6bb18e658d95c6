"""Run SHACL data shapes (shapes/core.ttl) over RDF files and report, for people or programs."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from govkg import resources
from govkg.loader import load_files, load_ontology, load_reference, rdf_files
from govkg.namespaces import bind_all

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}


@dataclass(frozen=True)
class Result:
    """One SHACL validation result."""

    severity: str
    focus: str
    path: str | None
    value: str | None
    message: str
    shape: str
    constraint: str


@dataclass
class ValidationReport:
    conforms: bool
    files: list[str]
    results: list[Result] = field(default_factory=list)

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "violation"]

    def to_json(self) -> str:
        body = {
            "conforms": self.conforms,
            "files": self.files,
            "counts": {s: sum(r.severity == s for r in self.results) for s in SEVERITY_NAMES.values()},
            "results": [asdict(r) for r in self.results],
        }
        return json.dumps(body, ensure_ascii=False, indent=2)

    def to_text(self, graph: Graph | None = None) -> str:
        lines = [f"govkg validate: {len(self.files)} file(s)"]
        if not self.results:
            lines.append("conforms: yes (no violations)")
            return "\n".join(lines)
        for r in self.results:
            lines.append(f"[{r.severity}] {_short(r.focus, graph)}")
            if r.path:
                lines.append(f"    path:  {_short(r.path, graph)}")
            if r.value:
                lines.append(f"    value: {_short(r.value, graph)}")
            lines.append(f"    {r.message}")
        n = len(self.violations)
        verdict = "yes" if self.conforms else "no"
        lines.append(f"conforms: {verdict} ({n} violation(s), {len(self.results) - n} other result(s))")
        return "\n".join(lines)


def _short(text: str, graph: Graph | None) -> str:
    if graph is None or not text.startswith("http"):
        return text
    try:
        return graph.namespace_manager.normalizeUri(URIRef(text))
    except Exception:
        return text


def _str(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, Literal):
        return str(node)
    return str(node)


def load_shapes(name: str = "core") -> Graph:
    return load_files([resources.shapes_file(name)])


def results_of(report_graph: Graph) -> list[Result]:
    out = []
    for res in report_graph.subjects(RDF.type, SH.ValidationResult):
        msgs = [str(m) for m in report_graph.objects(res, SH.resultMessage)]
        out.append(
            Result(
                severity=SEVERITY_NAMES.get(report_graph.value(res, SH.resultSeverity), "violation"),
                focus=_str(report_graph.value(res, SH.focusNode)) or "",
                path=_str(report_graph.value(res, SH.resultPath)),
                value=_str(report_graph.value(res, SH.value)),
                message=" | ".join(sorted(msgs)) or "constraint not met",
                shape=_str(report_graph.value(res, SH.sourceShape)) or "",
                constraint=_str(report_graph.value(res, SH.sourceConstraintComponent)) or "",
            )
        )
    return sorted(out, key=lambda r: (r.severity != "violation", r.focus, r.path or "", r.message))


def validate_graph(data: Graph, shapes: Graph | None = None) -> list[Result]:
    """Validate ``data``, which must hold the ontology, vocabularies and reference data too
    (see :func:`full_graph`), so that subclasses count and concept and provision IRIs resolve."""
    shapes = load_shapes("core") if shapes is None else shapes
    _conforms, report_graph, _text = shacl_validate(
        data,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
    )
    return results_of(report_graph)


def full_graph(paths: list[str | Path] | list[Path]) -> Graph:
    """The ontology, vocabularies and reference data, plus the given files."""
    data = bind_all(Graph())
    load_ontology(data)
    load_reference(data)
    return load_files(paths, data) if paths else data


def validate_paths(paths: list[str | Path]) -> tuple[ValidationReport, Graph]:
    """Load files together with the ontology, vocabularies and reference data, then validate."""
    files = rdf_files(paths)
    data = full_graph(files)
    results = validate_graph(data)
    conforms = not any(r.severity == "violation" for r in results)
    return ValidationReport(conforms, [str(f) for f in files], results), data
