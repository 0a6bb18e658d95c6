"""Audit a city for responsibility gaps (责任缺口) with the SHACL constraints of shapes/gaps.ttl.

How an audit runs (docs/audit.md says the same for users):

1. The city graph (ontology, vocabularies, reference data and city) is copied and, when
   :mod:`govkg.route` is present, extended with the gk:Assignment triples that
   ``govkg.route.infer_assignments`` infers for the recorded whistles (GAP-UNANSWERED and
   GAP-LATE read them).
2. The gap shapes are loaded and the audit date is put into their queries: every
   ``STRDT(SUBSTR(STR(NOW()), 1, 10), xsd:date)`` (:data:`AUDIT_DATE_DEFAULT`) in an
   ``sh:select`` becomes the audit date as an ``xsd:date`` literal.
3. Each shape's targets give the focus nodes; for each, the constraint's ``sh:select`` runs
   with ``$this`` pre-bound (SHACL-SPARQL pre-binding). Each solution is one :class:`Finding`:
   its variables are the evidence, and the constraint's ``sh:message`` templates (one @zh, one
   @en) are filled with labels. ``engine="pyshacl"`` lets pySHACL (the reference) decide which
   (constraint, focus) pairs fail and re-runs only those queries for the evidence; a test shows
   both engines give the same findings. The direct engine parses each query once, pySHACL once
   per focus node, which is why the direct engine is the default.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from pyshacl import validate as shacl_validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, SKOS
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from govkg import resources
from govkg.errors import InputError
from govkg.loader import load_files
from govkg.namespaces import GK, bind_all

#: The expression the date-dependent queries of shapes/gaps.ttl use for the audit date.
AUDIT_DATE_DEFAULT = "STRDT(SUBSTR(STR(NOW()), 1, 10), xsd:date)"

SEVERITY_NAMES = {SH.Violation: "violation", SH.Warning: "warning", SH.Info: "info"}
SEVERITY_ORDER = ("violation", "warning", "info")
#: Severities that make ``govkg audit`` exit 1. Warnings and infos are reported, exit 0.
FAILING_SEVERITIES = frozenset({"violation"})
#: Display order of the catalogue (docs/audit.md); codes not listed sort after these.
CODE_ORDER = (
    "GAP-UNCOVERED", "GAP-OVERLAP", "GAP-NOPOWER", "GAP-STALE", "GAP-NOBASIS",
    "GAP-COUNT", "GAP-COMMUNITY", "GAP-UNANSWERED", "GAP-LATE",
)

Evidence = dict[str, "str | list[str]"]


class _HasGraph(Protocol):
    name: str
    graph: Graph


@dataclass(frozen=True)
class Finding:
    """One responsibility gap: which constraint found it, where, why, and on what legal ground."""

    code: str
    severity: str
    focus: str
    focus_label: str
    message_zh: str
    message_en: str
    evidence: Evidence
    legal_ground: tuple[str, ...] = ()
    legal_ground_labels: tuple[str, ...] = ()
    shape: str = ""


@dataclass(frozen=True)
class GapType:
    code: str
    iri: str
    label: str


@dataclass
class AuditReport:
    """The findings of one audit of one city at one date."""

    city: str
    at: date
    findings: list[Finding]
    gap_types: dict[str, GapType] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def by_code(self) -> dict[str, list[Finding]]:
        """Findings grouped by code, in catalogue order; ``len()`` of each group is its count."""
        groups: dict[str, list[Finding]] = {}
        for f in sorted(self.findings, key=_finding_key):
            groups.setdefault(f.code, []).append(f)
        return groups

    def counts(self) -> dict[str, int]:
        return {code: len(fs) for code, fs in self.by_code().items()}

    def severity_counts(self) -> dict[str, int]:
        return {s: sum(f.severity == s for f in self.findings) for s in SEVERITY_ORDER}

    @property
    def failed(self) -> bool:
        """True when any finding has a failing severity (sh:Violation)."""
        return any(f.severity in FAILING_SEVERITIES for f in self.findings)

    def gap_label(self, code: str) -> str:
        gt = self.gap_types.get(code)
        return gt.label if gt else code

    def label(self, iri: str | None) -> str:
        if not iri:
            return ""
        return self.labels.get(iri, iri)

    # -- output ----------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "city": self.city,
            "at": self.at.isoformat(),
            "counts": self.counts(),
            "severity_counts": self.severity_counts(),
            "failed": self.failed,
            "gap_types": {c: asdict(g) for c, g in self.gap_types.items()},
            "findings": [asdict(f) for f in sorted(self.findings, key=_finding_key)],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_csv(self) -> str:
        out = io.StringIO()
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["code", "severity", "focus", "focus_label", "message_zh", "message_en",
                    "legal_ground", "legal_ground_label", "evidence"])
        for f in sorted(self.findings, key=_finding_key):
            w.writerow([f.code, f.severity, f.focus, f.focus_label, f.message_zh, f.message_en,
                        " ".join(f.legal_ground), "；".join(f.legal_ground_labels),
                        json.dumps(f.evidence, ensure_ascii=False, sort_keys=True)])
        return out.getvalue()

    def to_text(self) -> str:
        lines = [f"govkg audit: {self.city} at {self.at.isoformat()}", self._summary()]
        for code, group in self.by_code().items():
            lines.append("")
            lines.append(f"{code}  {self.gap_label(code)}  ({len(group)})")
            for f in group:
                lines.append(f"  [{f.severity}] {f.focus_label}")
                lines.append(f"      focus: {f.focus}")
                lines.append(f"      {f.message_zh}")
                lines.append(f"      {f.message_en}")
                for k, v in f.evidence.items():
                    lines.append(f"      {k}: {self._show(v)}")
                for iri, label in zip(f.legal_ground, f.legal_ground_labels, strict=True):
                    lines.append(f"      legal ground: {label} <{iri}>")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        lines = [f"# Gap audit: {self.city} at {self.at.isoformat()}", "", self._summary(), ""]
        if self.findings:
            lines += ["| code | gap | count |", "|---|---|---|"]
            lines += [f"| {c} | {self.gap_label(c)} | {n} |" for c, n in self.counts().items()]
        for code, group in self.by_code().items():
            lines += ["", f"## {code} {self.gap_label(code)} ({len(group)})", ""]
            lines += ["| severity | focus | message | evidence | legal ground |", "|---|---|---|---|---|"]
            for f in group:
                evidence = "<br>".join(f"{k}: {self._show(v)}" for k, v in f.evidence.items())
                ground = "<br>".join(f"[{label}]({iri})" for iri, label in
                                     zip(f.legal_ground, f.legal_ground_labels, strict=True))
                cells = [f.severity, f"[{f.focus_label}]({f.focus})",
                         f"{f.message_zh}<br>{f.message_en}", evidence, ground]
                lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
        return "\n".join(lines) + "\n"

    def _summary(self) -> str:
        if not self.findings:
            return "no findings"
        sc = self.severity_counts()
        parts = ", ".join(f"{n} {s}" for s, n in sc.items() if n)
        verdict = "fails (has violations)" if self.failed else "passes (no violations)"
        return f"{len(self.findings)} finding(s): {parts}; {verdict}"

    def _show(self, value: str | list[str]) -> str:
        if isinstance(value, list):
            return "; ".join(self._show(v) for v in value)
        label = self.labels.get(value)
        return f"{label} <{value}>" if label else value


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _finding_key(f: Finding) -> tuple:
    code_rank = CODE_ORDER.index(f.code) if f.code in CODE_ORDER else len(CODE_ORDER)
    return (code_rank, f.code, SEVERITY_ORDER.index(f.severity) if f.severity in SEVERITY_ORDER else 9,
            f.focus, json.dumps(f.evidence, sort_keys=True, ensure_ascii=False))


# ------------------------------------------------------------------------------------------
# Audit date and shapes
# ------------------------------------------------------------------------------------------
def parse_date(at: str | date | None) -> date:
    """The audit date: today when None, else an ISO date (``2024-06-01``)."""
    if at is None:
        return date.today()
    if isinstance(at, date):
        return at
    try:
        return date.fromisoformat(str(at).strip())
    except ValueError as exc:
        raise InputError("--at", f"not a date: {at!r} (write it as YYYY-MM-DD, e.g. 2024-06-01)") from exc


def load_gap_shapes() -> Graph:
    """shapes/gaps.ttl as shipped (queries still use today's date)."""
    return load_files([resources.shapes_file("gaps")])


def with_audit_date(shapes: Graph, at: date) -> Graph:
    """A copy of ``shapes`` whose queries use ``at`` instead of today's date."""
    literal = f'"{at.isoformat()}"^^xsd:date'
    out = bind_all(Graph())
    for s, p, o in shapes:
        if p == SH.select and isinstance(o, Literal) and AUDIT_DATE_DEFAULT in str(o):
            o = Literal(str(o).replace(AUDIT_DATE_DEFAULT, literal))
        out.add((s, p, o))
    return out


def with_assignments(graph: Graph) -> Graph:
    """A copy of ``graph`` with the routing answers (gk:Assignment) of its recorded whistles,
    when govkg.route is installed; else the graph itself (see docs/audit.md)."""
    try:
        from govkg.route import infer_assignments
    except ImportError:
        return graph
    data = bind_all(Graph())
    data += graph
    inferred = infer_assignments(data)
    if inferred is not None and inferred is not data:
        data += inferred
    return data


# ------------------------------------------------------------------------------------------
# Audit
# ------------------------------------------------------------------------------------------
ENGINES = ("direct", "pyshacl")


def audit(kb: _HasGraph, at: str | date | None = None, shapes: Graph | None = None,
          engine: str = "direct") -> AuditReport:
    """Every responsibility gap in a loaded city (``govkg.load(...)``) at date ``at``
    (default today). ``shapes`` replaces shapes/gaps.ttl (tests use it to drop a constraint);
    ``engine`` is ``"direct"`` (default, fast) or ``"pyshacl"`` (the reference; same findings)."""
    return audit_graph(kb.graph, city=kb.name, at=at, shapes=shapes, engine=engine)


def audit_graph(graph: Graph, city: str = "", at: str | date | None = None,
                shapes: Graph | None = None, engine: str = "direct") -> AuditReport:
    """Audit a graph that already holds the ontology, vocabularies, reference data and city."""
    if engine not in ENGINES:
        raise InputError("--engine", f"unknown audit engine {engine!r} (known: {', '.join(ENGINES)})")
    day = parse_date(at)
    shapes = with_audit_date(load_gap_shapes() if shapes is None else shapes, day)
    data = with_assignments(graph)
    pairs = failing_pairs_pyshacl(shapes, data) if engine == "pyshacl" else None
    findings = _findings(shapes, data, pairs)
    labels = {i: _both_labels(data, URIRef(i)) for i in _iris_of(findings)}
    return AuditReport(city=city, at=day, findings=findings, gap_types=_gap_types(shapes, data),
                       labels=labels)


# ------------------------------------------------------------------------------------------
# Engines. Both give, for each SPARQL constraint, the focus nodes it fails on; the findings are
# then the solutions of that constraint's query with $this pre-bound to the focus node.
# ------------------------------------------------------------------------------------------
Pair = tuple[Node, Node, Node]  # (shape, constraint, focus)


def failing_pairs_pyshacl(shapes: Graph, data: Graph) -> set[Pair]:
    """The reference: run pySHACL and read (shape, constraint, focus) off its results."""
    _conforms, report, _text = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=False, allow_warnings=True,
        do_owl_imports=False,
    )
    out: set[Pair] = set()
    for res in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(res, SH.sourceShape)
        constraint = report.value(res, SH.sourceConstraint)
        focus = report.value(res, SH.focusNode)
        if shape is not None and constraint is not None and focus is not None:
            out.add((shape, constraint, focus))
    return out


def _constraints(shapes: Graph) -> list[tuple[Node, Node]]:
    """Every active (shape, SPARQL constraint) of a shapes graph, in a stable order."""
    out = []
    for shape in sorted(set(shapes.subjects(SH.sparql, None))):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        for constraint in sorted(shapes.objects(shape, SH.sparql)):
            if shapes.value(constraint, SH.deactivated) == Literal(True):
                continue
            if shapes.value(constraint, SH.select) is not None:
                out.append((shape, constraint))
    return out


_TARGETS_SUPPORTED = {SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf}


def focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a shape's targets (SHACL 2.1.3), for the target kinds gaps.ttl uses."""
    unsupported = sorted(str(p) for p in shapes.predicates(shape, None)
                         if str(p).startswith(str(SH) + "target") and p not in _TARGETS_SUPPORTED)
    if unsupported:
        raise InputError(str(shape), f"the direct audit engine does not support {unsupported}; "
                                     "use engine='pyshacl'")
    out: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        classes = set(data.transitive_subjects(RDFS.subClassOf, cls))
        for c in classes:
            out.update(data.subjects(RDF.type, c))
    out.update(shapes.objects(shape, SH.targetNode))
    for p in shapes.objects(shape, SH.targetSubjectsOf):
        out.update(data.subjects(p, None))
    for p in shapes.objects(shape, SH.targetObjectsOf):
        out.update(data.objects(None, p))
    return out


def _findings(shapes: Graph, data: Graph, pairs: set[Pair] | None) -> list[Finding]:
    """Findings of every constraint; with ``pairs`` (from pySHACL) only for those focus nodes."""
    out: list[Finding] = []
    for shape, constraint in _constraints(shapes):
        query = _prepared(_prologue(shapes, constraint) + str(shapes.value(constraint, SH.select)))
        if pairs is None:
            foci = focus_nodes(shapes, shape, data)
        else:
            foci = {f for s, c, f in pairs if s == shape and c == constraint}
        for focus in sorted(foci):
            for row in _rows(query, focus, data):
                out.append(_finding(shapes, data, shape, constraint, focus, row))
    return sorted(_dedupe(out), key=_finding_key)


def _dedupe(findings: Iterable[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for f in findings:
        seen.setdefault(json.dumps(asdict(f), sort_keys=True, ensure_ascii=False), f)
    return list(seen.values())


def _prologue(shapes: Graph, constraint: Node) -> str:
    lines = []
    for ont in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(ont, SH.declare):
            prefix, ns = shapes.value(decl, SH.prefix), shapes.value(decl, SH.namespace)
            if prefix is not None and ns is not None:
                lines.append(f"PREFIX {prefix}: <{ns}>")
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    """Parse a query once per process (parsing costs far more than running it on one focus)."""
    return prepareQuery(text)


def _rows(query: Query, focus: Node, data: Graph) -> list[dict[str, Node]]:
    rows = []
    for r in data.query(query, initBindings={"this": focus}):
        rows.append({k: v for k, v in r.asdict().items() if k != "this" and v is not None})
    return rows


def _finding(shapes: Graph, data: Graph, shape: Node, constraint: Node, focus: Node,
             row: dict[str, Node]) -> Finding:
    gap = shapes.value(shape, GK.gapType)
    code = _code(data, gap)
    severity = SEVERITY_NAMES.get(shapes.value(shape, SH.severity), "violation")
    grounds = (sorted(shapes.objects(constraint, GK.legalGround))
               or sorted(shapes.objects(shape, GK.legalGround)))
    evidence = {k: _evidence_value(v) for k, v in sorted(row.items()) if not _message_only(k)}
    messages = {lang: _template(shapes, constraint, shape, lang) for lang in ("zh", "en")}
    return Finding(
        code=code,
        severity=severity,
        focus=str(focus),
        focus_label=_both_labels(data, focus),
        message_zh=_fill(messages["zh"], data, focus, row, "zh"),
        message_en=_fill(messages["en"], data, focus, row, "en"),
        evidence=evidence,
        legal_ground=tuple(str(g) for g in grounds),
        legal_ground_labels=tuple(_label(data, g, "zh") for g in grounds),
        shape=str(shape),
    )


def _message_only(var: str) -> bool:
    """Variables named ``…Zh`` / ``…En`` only fill the message of that language: not evidence."""
    return var.endswith(("Zh", "En"))


def _code(data: Graph, gap: Node | None) -> str:
    if gap is None:
        return "GAP-UNKNOWN"
    notation = data.value(gap, SKOS.notation)
    return str(notation) if notation is not None else str(gap)


def _gap_types(shapes: Graph, data: Graph) -> dict[str, GapType]:
    out = {}
    for gap in set(shapes.objects(None, GK.gapType)):
        code = _code(data, gap)
        out[code] = GapType(code=code, iri=str(gap), label=_both_labels(data, gap))
    return dict(sorted(out.items(), key=lambda kv: CODE_ORDER.index(kv[0]) if kv[0] in CODE_ORDER else 99))


def _template(shapes: Graph, constraint: Node, shape: Node, lang: str) -> str:
    for node in (constraint, shape):
        for m in shapes.objects(node, SH.message):
            if isinstance(m, Literal) and (m.language or "").split("-")[0] == lang:
                return str(m)
    return ""


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _fill(template: str, data: Graph, focus: Node, row: dict[str, Node], lang: str) -> str:
    def repl(m: re.Match) -> str:
        name = m.group(1)
        node = focus if name == "this" else row.get(name)
        return _display(data, node, lang)

    return _PLACEHOLDER.sub(repl, template)


def _display(data: Graph, node: Node | None, lang: str) -> str:
    if node is None:
        return "—"
    if isinstance(node, URIRef):
        return _label(data, node, lang)
    text = str(node)
    parts = sorted(text.split())  # GROUP_CONCAT has no order: sort, so every run reads the same
    if parts and all(p.startswith(("http://", "https://")) for p in parts):
        sep = "、" if lang == "zh" else ", "
        return sep.join(_label(data, URIRef(p), lang) for p in parts)
    return text


def _evidence_value(node: Node) -> str | list[str]:
    text = str(node)
    if isinstance(node, Literal):
        parts = sorted(text.split())
        if len(parts) > 1 and all(p.startswith(("http://", "https://")) for p in parts):
            return parts
    return text


def _label(data: Graph, node: Node, lang: str) -> str:
    """The node's rdfs:label or skos:prefLabel in ``lang``, else in any language, else its IRI."""
    fallback = None
    for p in (RDFS.label, SKOS.prefLabel):
        for lit in data.objects(node, p):
            if not isinstance(lit, Literal):
                continue
            if (lit.language or "").split("-")[0] == lang:
                return str(lit)
            fallback = fallback or str(lit)
    if fallback:
        return fallback
    try:
        return data.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)
    except Exception:
        return str(node)


def _both_labels(data: Graph, node: Node) -> str:
    zh, en = _label(data, node, "zh"), _label(data, node, "en")
    return zh if zh == en else f"{zh} / {en}"


def _iris_of(findings: Iterable[Finding]) -> set[str]:
    out: set[str] = set()
    for f in findings:
        out.add(f.focus)
        for v in f.evidence.values():
            for x in v if isinstance(v, list) else [v]:
                if x.startswith(("http://", "https://")):
                    out.add(x)
    return out


# ------------------------------------------------------------------------------------------
# Output
# ------------------------------------------------------------------------------------------
FORMATS = ("text", "json", "csv", "md")


def render(report: AuditReport, fmt: str = "text") -> str:
    """The report as text, JSON, CSV or Markdown."""
    renderers = {"text": report.to_text, "json": report.to_json, "csv": report.to_csv,
                 "md": report.to_markdown}
    if fmt not in renderers:
        raise InputError("--format", f"unknown format {fmt!r} (known: {', '.join(FORMATS)})")
    return renderers[fmt]()


def write_output(text: str, path: str | Path) -> Path:
    """Write ``text`` (UTF-8) to ``path`` through a temporary file in the same folder, then rename."""
    out = Path(path)
    if out.is_dir():
        raise InputError(out, "is a folder; give a file name")
    if not out.parent.is_dir():
        raise InputError(out, f"no such folder: {out.parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


__all__ = [
    "AUDIT_DATE_DEFAULT", "FAILING_SEVERITIES", "AuditReport", "Finding", "GapType",
    "audit", "audit_graph", "focus_nodes", "load_gap_shapes", "parse_date", "render", "with_assignments",
    "with_audit_date", "write_output",
]
