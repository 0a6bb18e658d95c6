"""Reforms as what-ifs: an overlay on a baseline city, and what it changes.

A reform (in the spirit of OpenFisca's reforms) is a file, YAML or Turtle, that transfers
matters, grants or withdraws powers, designates leads or changes an escalation policy, with
an effective date and a source (docs/reform.md). Applying it never touches the baseline graph:
it produces an :class:`Overlay`, triples to add (every new node carries the reform's source
and status, so the core shapes still pass) and, for the few changes that replace a value,
triples to hide. Several reforms apply in order, each on the view the previous ones left.

:func:`whatif` then routes the same whistles (the city's recorded ones, or a given batch,
plus by default one probe whistle per matter and street) on the baseline and on the reformed
view, audits both, and reports what changed: whistles routed differently, gaps closed and
gaps opened, per body and per matter.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD
from rdflib.term import Node

from govkg.compare import as_date, in_force, instances, is_instance, label, local_name, street_receivers
from govkg.errors import InputError
from govkg.namespaces import DT, GK, PREFIXES, ROLE, ST, bind_all, city_namespace

CHANGE_KINDS = ("transfer", "grant_power", "withdraw_power", "designate_lead", "escalation")
ENFORCEMENT = URIRef(str(DT) + "enforcement")
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")


# ---------------------------------------------------------------------------
# YAML with line numbers
# ---------------------------------------------------------------------------


class LDict(dict):
    """A mapping read from YAML that remembers the line of each key (1-based)."""

    line: int = 0
    lines: dict[str, int]


class LList(list):
    line: int = 0
    lines: list[int]


def _yaml_value(node: yaml.Node, constructor: yaml.constructor.SafeConstructor) -> Any:
    if isinstance(node, yaml.MappingNode):
        out = LDict()
        out.line, out.lines = node.start_mark.line + 1, {}
        for k, v in node.value:
            key = str(constructor.construct_object(k))
            out[key] = _yaml_value(v, constructor)
            out.lines[key] = v.start_mark.line + 1
        return out
    if isinstance(node, yaml.SequenceNode):
        seq = LList(_yaml_value(v, constructor) for v in node.value)
        seq.line, seq.lines = node.start_mark.line + 1, [v.start_mark.line + 1 for v in node.value]
        return seq
    return constructor.construct_object(node)


def read_yaml(path: Path) -> Any:
    """Parse a YAML file into LDict / LList / scalars; InputError with the line on bad YAML."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(path, f"cannot read: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(path, "not UTF-8 text") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            path,
            f"invalid YAML: {getattr(exc, 'problem', None) or exc}",
            line=mark.line + 1 if mark else None,
        ) from exc
    if node is None:
        raise InputError(path, "empty file: expected a mapping with 'reform' and 'changes'")
    return _yaml_value(node, yaml.SafeLoader(""))


# ---------------------------------------------------------------------------
# Reform files
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReformInfo:
    """The header of a reform: who, what, when, on what source, how sure."""

    id: str
    label_zh: str
    label_en: str
    effective: dt.date
    source: str
    status: str
    locator: str | None = None
    comment: str | None = None
    citation: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": {"zh": self.label_zh, "en": self.label_en},
            "effective": self.effective.isoformat(),
            "source": self.source,
            "status": self.status,
            "locator": self.locator,
            "citation": self.citation,
        }


@dataclass
class ChangeSpec:
    """One change as written in the file (terms not yet resolved)."""

    kind: str
    params: LDict
    index: int
    line: int | None


@dataclass
class Reform:
    info: ReformInfo
    changes: list[ChangeSpec]
    path: Path | None = None
    turtle: Graph | None = None  # a Turtle reform: the triples to add, as written
    iri: str | None = None  # a Turtle reform's own gk:Reform node


def load_reform(path: str | Path) -> Reform:
    """Read a reform file: ``.yaml``/``.yml`` (changes) or ``.ttl`` (ready-made triples)."""
    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such reform file")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _load_yaml_reform(path)
    if suffix in (".ttl", ".turtle"):
        return _load_turtle_reform(path)
    raise InputError(path, "a reform file is YAML (.yaml, .yml) or Turtle (.ttl)")


def _need(d: LDict, key: str, path: Path, where: str) -> Any:
    if key not in d or d[key] in (None, ""):
        raise InputError(path, f"{where}: missing '{key}'", line=d.line)
    return d[key]


def _line(d: Any, key: str | int | None = None) -> int | None:
    if isinstance(d, LDict) and isinstance(key, str) and key in d.lines:
        return d.lines[key]
    if isinstance(d, LList) and isinstance(key, int) and key < len(d.lines):
        return d.lines[key]
    return getattr(d, "line", None)


def _header(path: Path, head: LDict) -> ReformInfo:
    rid = str(_need(head, "id", path, "reform"))
    if not _ID.match(rid):
        raise InputError(
            path, f"reform.id {rid!r}: use lower-case letters, digits and hyphens", line=_line(head, "id")
        )
    eff = head.get("effective")
    day = eff if isinstance(eff, dt.date) and not isinstance(eff, dt.datetime) else None
    if day is None:
        try:
            day = dt.date.fromisoformat(str(eff))
        except ValueError:
            raise InputError(
                path, f"reform.effective: not a date (YYYY-MM-DD): {eff!r}", line=_line(head, "effective")
            ) from None
    status = str(_need(head, "status", path, "reform"))
    if status not in ("sourced", "illustrative"):
        raise InputError(
            path,
            f"reform.status must be 'sourced' or 'illustrative', not {status!r}",
            line=_line(head, "status"),
        )
    source = str(_need(head, "source", path, "reform")).strip()
    iri = _source_iri(source)
    return ReformInfo(
        id=rid,
        label_zh=str(_need(head, "label_zh", path, "reform")),
        label_en=str(_need(head, "label_en", path, "reform")),
        effective=day,
        source=iri or "",
        status=status,
        locator=str(head["locator"]) if head.get("locator") else None,
        comment=str(head["comment"]) if head.get("comment") else None,
        citation=None if iri else source,
    )


def _source_iri(text: str) -> str | None:
    """An IRI (``https://…``, ``<…>``) or a prefixed name of a known prefix; None for a citation."""
    t = text.strip()
    if t.startswith("<") and t.endswith(">"):
        t = t[1:-1]
    if re.match(r"^(https?|urn):\S+$", t):
        return t
    m = re.match(r"^([a-z][a-z0-9]*):(\S+)$", t)
    if m and m.group(1) in PREFIXES:
        return str(PREFIXES[m.group(1)]) + m.group(2)
    return None


def _load_yaml_reform(path: Path) -> Reform:
    doc = read_yaml(path)
    if not isinstance(doc, LDict):
        raise InputError(
            path, "expected a mapping with 'reform' and 'changes'", line=getattr(doc, "line", None)
        )
    unknown = sorted(set(doc) - {"reform", "changes"})
    if unknown:
        raise InputError(
            path,
            f"unknown top-level key(s): {', '.join(unknown)} (expected 'reform' and 'changes')",
            line=_line(doc, unknown[0]),
        )
    head = doc.get("reform")
    if not isinstance(head, LDict):
        raise InputError(
            path,
            "'reform' must be a mapping with id, label_zh, label_en, effective, source, status",
            line=_line(doc, "reform"),
        )
    info = _header(path, head)
    items = doc.get("changes")
    if not isinstance(items, LList) or not items:
        raise InputError(path, "'changes' must be a non-empty list", line=_line(doc, "changes"))
    changes = []
    for i, item in enumerate(items):
        if not isinstance(item, LDict) or len(item) != 1:
            raise InputError(
                path,
                f"changes[{i}]: each change is a mapping with one key, one of {', '.join(CHANGE_KINDS)}",
                line=_line(items, i),
            )
        kind = next(iter(item))
        if kind not in CHANGE_KINDS:
            raise InputError(
                path,
                f"changes[{i}]: unknown change {kind!r} (one of {', '.join(CHANGE_KINDS)})",
                line=_line(items, i),
            )
        params = item[kind]
        if not isinstance(params, LDict):
            raise InputError(path, f"changes[{i}].{kind}: expected a mapping", line=_line(item, kind))
        changes.append(ChangeSpec(kind, params, i, _line(item, kind)))
    return Reform(info, changes, path)


def _load_turtle_reform(path: Path) -> Reform:
    from govkg.loader import parse_into

    g = parse_into(bind_all(Graph()), path)
    heads = sorted(set(g.subjects(RDF.type, GK.Reform)))
    if len(heads) != 1:
        raise InputError(path, f"a Turtle reform describes exactly one gk:Reform node, found {len(heads)}")
    h = heads[0]
    lab = label(g, h)
    eff = as_date(g.value(h, GK.validFrom))
    if eff is None:
        raise InputError(path, f"{h}: the gk:Reform needs gk:validFrom (its effective date, an xsd:date)")
    status = g.value(h, GK.status)
    if status not in (ST.sourced, ST.illustrative):
        raise InputError(path, f"{h}: gk:status must be st:sourced or st:illustrative")
    source = g.value(h, DCTERMS.source)
    if not isinstance(source, URIRef):
        raise InputError(path, f"{h}: the gk:Reform needs dct:source (an IRI)")
    rid = str(g.value(h, DCTERMS.identifier) or local_name(h))
    if not _ID.match(rid):
        raise InputError(
            path,
            f"{h}: reform id {rid!r}: use lower-case letters, digits and hyphens "
            "(dct:identifier or the IRI's last segment)",
        )
    loc = g.value(h, GK.sourceLocator)
    info = ReformInfo(
        rid, lab["zh"], lab["en"], eff, str(source), local_name(status), str(loc) if loc is not None else None
    )
    return Reform(info, [], path, turtle=g, iri=str(h))


# ---------------------------------------------------------------------------
# Overlays
# ---------------------------------------------------------------------------


@dataclass
class AppliedChange:
    """What one change did to the view."""

    reform: str
    index: int
    kind: str
    summary_zh: str
    summary_en: str
    created: list[str] = field(default_factory=list)
    ended: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "reform": self.reform,
            "index": self.index,
            "kind": self.kind,
            "summary": {"zh": self.summary_zh, "en": self.summary_en},
            "created": self.created,
            "ended": self.ended,
            "added": self.added,
            "removed": self.removed,
        }


@dataclass
class Overlay:
    """A reform applied: triples to add and triples to hide, and a log of each change."""

    reform: ReformInfo
    iri: str
    added: Graph
    removed: Graph
    log: list[AppliedChange]

    def apply_to(self, graph: Graph) -> Graph:
        """A new graph: ``graph`` minus the removed triples plus the added ones."""
        out = bind_all(Graph())
        for t in graph:
            if t not in self.removed:
                out.add(t)
        out += self.added
        return out


class _Builder:
    """Collects the triples of one reform against a read-only view."""

    def __init__(self, view: Graph, reform: Reform, city: str) -> None:
        self.view = view
        self.reform = reform
        self.info = reform.info
        self.ns = city_namespace(city)
        self.iri = URIRef(reform.iri or f"{self.ns}reform/{self.info.id}")
        self.added = bind_all(Graph())
        self.removed = bind_all(Graph())
        self.log: list[AppliedChange] = []
        self.source = (
            URIRef(self.info.source) if self.info.source else URIRef(f"{self.ns}source/reform-{self.info.id}")
        )
        self._indexes: dict[str, Any] = {}
        self._minted: set[URIRef] = set()

    # -- helpers -----------------------------------------------------------------------
    def where(self, ch: ChangeSpec, key: str | None = None) -> tuple[Path | str | None, int | None]:
        line = _line(ch.params, key) if key else ch.line
        return (self.reform.path, line)

    def fail(self, ch: ChangeSpec, key: str | None, problem: str) -> InputError:
        path, line = self.where(ch, key)
        loc = f"changes[{ch.index}].{ch.kind}" + (f".{key}" if key else "")
        return InputError(path, f"{loc}: {problem}", line=line)

    def term(self, ch: ChangeSpec, key: str, kind: str, value: Any = None) -> URIRef:
        from govkg.terms import index

        text = ch.params.get(key) if value is None else value
        if text in (None, ""):
            raise self.fail(ch, key, "missing")
        if kind not in self._indexes:
            self._indexes[kind] = index(self.view, kind)
        try:
            return self._indexes[kind].resolve(str(text))
        except InputError as exc:
            raise self.fail(ch, key, exc.problem) from None

    def concept(
        self, ch: ChangeSpec, key: str, classes: Sequence[URIRef], what: str, value: Any = None
    ) -> URIRef:
        """A power, matter or rank by IRI, prefixed name, notation or label (zh or en, alt labels)."""
        from govkg.terms import normalize

        text = str(ch.params.get(key) if value is None else value or "").strip()
        if not text:
            raise self.fail(ch, key, "missing")
        nodes = [n for c in classes for n in instances(self.view, c)]
        iri = _source_iri(text)
        if iri is None and ":" in text and " " not in text:
            prefix, local = text.split(":", 1)
            ns = dict(self.view.namespaces()).get(prefix)
            iri = str(ns) + local if ns is not None else None
        if iri is not None and URIRef(iri) in nodes:
            return URIRef(iri)
        key_text = normalize(text)
        for props in ((SKOS.notation, SKOS.prefLabel, RDFS.label), (SKOS.altLabel,)):
            found = sorted(
                {
                    n
                    for n in nodes
                    for p in props
                    for o in self.view.objects(n, p)
                    if isinstance(o, Literal) and normalize(o) == key_text
                }
            )
            if len(found) == 1:
                return found[0]
            if len(found) > 1:
                names = "; ".join(
                    f"{label(self.view, n)['zh']} [{self.view.value(n, SKOS.notation) or ''}] <{n}>"
                    for n in found
                )
                raise self.fail(ch, key, f"ambiguous {what} {text!r}: {names}; give a notation or IRI")
        raise self.fail(ch, key, f"unknown {what} {text!r}")

    def mint(self, kind: str, slug: str) -> URIRef:
        base = f"{self.ns}{kind}/reform-{self.info.id}-{slug}"
        iri, n = URIRef(base), 2
        while iri in self._minted or (iri, None, None) in self.view:
            iri, n = URIRef(f"{base}-{n}"), n + 1
        self._minted.add(iri)
        return iri

    def fact(self, node: URIRef, cls: URIRef, zh: str, en: str, comment: str) -> None:
        """A new node with its type, labels and the reform's provenance."""
        a = self.added
        a.add((node, RDF.type, cls))
        a.add((node, RDFS.label, Literal(zh, lang="zh")))
        a.add((node, RDFS.label, Literal(en, lang="en")))
        a.add((node, DCTERMS.source, self.source))
        a.add((node, GK.status, ST[self.info.status]))
        if self.info.locator:
            a.add((node, GK.sourceLocator, Literal(self.info.locator)))
        a.add((node, PROV.wasInfluencedBy, self.iri))
        note = (
            f"Added by reform '{self.info.id}' ({self.info.label_en}), effective {self.info.effective}, "
            f"{self.info.status}. {comment}".strip()
        )
        a.add((node, RDFS.comment, Literal(note, lang="en")))

    def end(self, node: Node, last_day: dt.date) -> bool:
        """Make ``node`` end on ``last_day`` (gk:validTo), replacing a later end; a node that would
        end before it starts is hidden whole. True when the view changes."""
        start = as_date(self.view.value(node, GK.validFrom))
        old = self.view.value(node, GK.validTo)
        if as_date(old) is not None and as_date(old) <= last_day:
            return False
        if start is not None and start > last_day:
            for t in self.view.triples((node, None, None)):
                self.removed.add(t)
            return True
        if old is not None:
            self.removed.add((node, GK.validTo, old))
        self.added.add((node, GK.validTo, Literal(last_day.isoformat(), datatype=XSD.date)))
        return True

    def record(
        self,
        ch: ChangeSpec,
        zh: str,
        en: str,
        created: Iterable[Node] = (),
        ended: Iterable[Node] = (),
        before: tuple[int, int] = (0, 0),
    ) -> None:
        self.log.append(
            AppliedChange(
                self.info.id,
                ch.index,
                ch.kind,
                zh,
                en,
                [str(c) for c in created],
                [str(e) for e in ended],
                len(self.added) - before[0],
                len(self.removed) - before[1],
            )
        )

    def sizes(self) -> tuple[int, int]:
        return len(self.added), len(self.removed)

    def lab(self, node: Node) -> dict[str, str]:
        return label(self.view, node)

    # -- the header ------------------------------------------------------------------------
    def header(self) -> None:
        if (self.iri, None, None) in self.view:
            raise InputError(
                self.reform.path, f"reform '{self.info.id}' is already applied to this view ({self.iri})"
            )
        i = self.info
        a = self.added
        a.add((self.iri, RDF.type, GK.Reform))
        a.add((self.iri, RDFS.label, Literal(i.label_zh, lang="zh")))
        a.add((self.iri, RDFS.label, Literal(i.label_en, lang="en")))
        a.add((self.iri, DCTERMS.identifier, Literal(i.id)))
        a.add((self.iri, GK.validFrom, Literal(i.effective.isoformat(), datatype=XSD.date)))
        a.add((self.iri, DCTERMS.source, self.source))
        a.add((self.iri, GK.status, ST[i.status]))
        if i.locator:
            a.add((self.iri, GK.sourceLocator, Literal(i.locator)))
        if i.comment:
            a.add((self.iri, RDFS.comment, Literal(i.comment, lang="en")))
        if i.citation:
            a.add((self.source, RDF.type, GK.SourceDocument))
            a.add((self.source, RDFS.label, Literal(i.citation, lang="zh")))
            a.add((self.source, RDFS.label, Literal(i.citation, lang="en")))
            a.add((self.source, DCTERMS.bibliographicCitation, Literal(i.citation)))
        elif (self.source, None, None) not in self.view and str(self.source).startswith(
            "https://w3id.org/govkg/"
        ):
            raise InputError(
                self.reform.path,
                f"reform.source {self.source}: no such source document or provision "
                "in the reference data (check the IRI, or give a citation as text)",
            )

    # -- changes ---------------------------------------------------------------------------
    def transfer(self, ch: ChangeSpec) -> None:
        p = ch.params
        _only(
            self,
            ch,
            {"from", "to", "to_streets_of", "matters", "department_enforcement", "end_duties", "comment"},
        )
        before = self.sizes()
        dept = (
            self.term(ch, "department_enforcement", "body")
            if p.get("department_enforcement") not in (None, True, False)
            else None
        )
        if "from" in p:
            source = self.term(ch, "from", "body")
            if dept is not None and dept != source:
                raise self.fail(ch, "department_enforcement", "names another body than 'from'")
        elif dept is not None:
            source = dept
        else:
            raise self.fail(ch, None, "give 'from' (the body that gives the matters up)")
        if ("to" in p) == ("to_streets_of" in p):
            raise self.fail(ch, None, "give exactly one of 'to' (a body) and 'to_streets_of' (an area)")
        by_matter = "matters" in p
        if by_matter == ("department_enforcement" in p):
            raise self.fail(ch, None, "give exactly one of 'matters' (a list) and 'department_enforcement'")
        day = self.info.effective
        candidates = [
            d
            for d in self.view.subjects(GK.holder, source)
            if (d, RDF.type, GK.Duty) in self.view
            and in_force(self.view, d, day)
            and self.view.value(d, GK.role) != ROLE.supervise
        ]
        duties: list[URIRef] = []
        if by_matter:
            matters = p["matters"]
            if not isinstance(matters, list) or not matters:
                raise self.fail(ch, "matters", "expected a non-empty list of matters")
            for j, text in enumerate(matters):
                m = self.term(ch, "matters", "matter", value=text)
                found = [d for d in candidates if self._covers(m, self.view.value(d, GK.matter))]
                if not found:
                    raise self.fail(
                        ch,
                        "matters",
                        f"item {j}: {self.lab(source)['zh']} holds no duty on "
                        f"{self.lab(m)['zh']} ({self.lab(m)['en']}) in force on {day}",
                    )
                duties += [d for d in found if d not in duties]
        else:
            duties = [
                d
                for d in candidates
                if (ENFORCEMENT, SKOS.member, self.view.value(d, GK.dutyType)) in self.view
            ]
            if not duties:
                raise self.fail(
                    ch,
                    "department_enforcement",
                    f"{self.lab(source)['zh']} holds no enforcement duty "
                    f"(penalty, coercion, inspection) in force on {day}",
                )
        target = self.term(ch, "to", "body") if "to" in p else self.term(ch, "to_streets_of", "area")
        to_prop = GK.toBody if "to" in p else GK.toStreetsOf
        if to_prop == GK.toStreetsOf and not street_receivers(self.view, target):
            raise self.fail(
                ch,
                "to_streets_of",
                f"no street or township with a street body lies within {self.lab(target)['zh']}",
            )
        end_duties = p.get("end_duties", True) is not False
        created, ended = [], []
        tlab = self.lab(target)
        to_zh = tlab["zh"] + ("各街道" if to_prop == GK.toStreetsOf else "")
        to_en = ("the streets of " if to_prop == GK.toStreetsOf else "") + tlab["en"]
        for d in sorted(duties):
            t = self.mint("transfer", local_name(d))
            dl = self.lab(d)
            self.fact(
                t,
                GK.Transfer,
                f"{dl['zh']}下放至{to_zh}（{self.info.label_zh}）",
                f"{dl['en']} moved to {to_en} ({self.info.label_en})",
                str(p.get("comment") or ""),
            )
            a = self.added
            a.add((t, GK.fromBody, source))
            a.add((t, to_prop, target))
            a.add((t, GK.transferredDuty, d))
            a.add((t, GK.matter, self.view.value(d, GK.matter)))
            a.add((t, GK.validFrom, Literal(day.isoformat(), datatype=XSD.date)))
            a.add((t, GK.instrument, self.source))
            for basis in self.view.objects(d, GK.legalBasis):
                a.add((t, GK.legalBasis, basis))
            created.append(t)
            if (
                end_duties
                and self._covers_area(to_prop, target, d)
                and self.end(d, day - dt.timedelta(days=1))
            ):
                ended.append(d)
        slab = self.lab(source)
        self.record(
            ch,
            f"{slab['zh']}的{len(duties)}项职责下放至{to_zh}，{len(ended)}项原职责到期",
            f"{len(duties)} duties of {slab['en']} moved to {to_en}; {len(ended)} of the department's "
            "listed duties end the day before",
            created,
            ended,
            before,
        )

    def _covers(self, broad: Node, matter: Node | None) -> bool:
        if matter is None:
            return False
        return bool(
            self.view.query(
                f"ASK {{ ?m <{SKOS.broader}>* ?b }}", initBindings={"m": matter, "b": broad}
            ).askAnswer
        )

    def _covers_area(self, to_prop: URIRef, target: URIRef, duty: Node) -> bool:
        """The transfer covers the duty's whole area (then the duty would be stale: GAP-STALE)."""
        area = self.view.value(duty, GK.area)
        if area is None:
            return False
        if to_prop == GK.toStreetsOf:
            return bool(
                self.view.query(
                    f"ASK {{ ?a <{GK.within}>* ?x }}", initBindings={"a": area, "x": target}
                ).askAnswer
            )
        return area in set(self.view.objects(target, DCTERMS.spatial))

    def _power(self, ch: ChangeSpec) -> URIRef:
        return self.concept(
            ch, "power", (GK.Power, GK.Matter), "power (a gk:Power, or a matter for an enforcement power)"
        )

    def _grantees(self, ch: ChangeSpec, key: str) -> tuple[URIRef, bool]:
        """A body, or an area (True) whose streets and townships are meant."""
        from govkg.terms import TermError, index

        text = ch.params.get(key)
        if text in (None, ""):
            raise self.fail(ch, key, "missing")
        try:
            return index(self.view, "body").resolve(str(text)), False
        except TermError:
            pass
        try:
            return index(self.view, "area").resolve(str(text)), True
        except TermError as exc:
            raise self.fail(ch, key, f"no body or area {text!r} ({exc.problem})") from None

    def grant_power(self, ch: ChangeSpec) -> None:
        _only(self, ch, {"to", "power", "by", "comment"})
        before = self.sizes()
        who, is_area = self._grantees(ch, "to")
        power = self._power(ch)
        day = self.info.effective
        wl, pl = self.lab(who), self.lab(power)
        created: list[Node] = []
        if is_instance(self.view, power, GK.Power):
            grantor = (
                self.term(ch, "by", "body")
                if ch.params.get("by")
                else self._district_government(who, is_area)
            )
            e = self.mint("empowerment", local_name(power) + "-" + local_name(who))
            self.fact(
                e,
                GK.Empowerment,
                f"向{wl['zh']}赋予{pl['zh']}（{self.info.label_zh}）",
                f"{wl['en']} granted: {pl['en']} ({self.info.label_en})",
                str(ch.params.get("comment") or ""),
            )
            self.added.add((e, GK.granteeArea if is_area else GK.grantee, who))
            self.added.add((e, GK.power, power))
            self.added.add((e, GK.validFrom, Literal(day.isoformat(), datatype=XSD.date)))
            self.added.add((e, GK.instrument, self.source))
            if grantor is not None:
                self.added.add((e, GK.grantor, grantor))
            created.append(e)
            zh, en = f"向{wl['zh']}赋予职权：{pl['zh']}", f"{wl['en']} is granted the power: {pl['en']}"
        else:
            bodies = street_receivers(self.view, who) if is_area else [who]
            if not bodies:
                raise self.fail(ch, "to", f"no street body lies within {wl['zh']}")
            for b in bodies:
                self.added.add((b, GK.enforcementPower, power))
            zh = f"{len(bodies)}个主体获得对“{pl['zh']}”的执法权"
            en = f"{len(bodies)} bodies get enforcement power over '{pl['en']}'"
        self.record(ch, zh, en, created, (), before)

    def _district_government(self, who: URIRef, is_area: bool) -> URIRef | None:
        area = who if is_area else self.view.value(who, DCTERMS.spatial)
        if area is None:
            return None
        rows = self.view.query(
            f"""SELECT ?g WHERE {{ ?a <{GK.within}>* ?d . ?g <{DCTERMS.spatial}> ?d .
                                  ?g a/<{RDFS.subClassOf}>* <{GK.DistrictGovernment}> }}""",
            initBindings={"a": area},
        )
        found = sorted(r[0] for r in rows)
        return found[0] if found else None

    def withdraw_power(self, ch: ChangeSpec) -> None:
        _only(self, ch, {"from", "power", "comment"})
        before = self.sizes()
        who, is_area = self._grantees(ch, "from")
        power = self._power(ch)
        day = self.info.effective
        wl, pl = self.lab(who), self.lab(power)
        ended: list[Node] = []
        if is_instance(self.view, power, GK.Power):
            prop = GK.granteeArea if is_area else GK.grantee
            grants = [
                e
                for e in self.view.subjects(GK.power, power)
                if (e, prop, who) in self.view and in_force(self.view, e, day)
            ]
            if not grants and not is_area:
                area = self.view.value(who, DCTERMS.spatial)
                wide = [
                    e
                    for e in self.view.subjects(GK.power, power)
                    if in_force(self.view, e, day)
                    and any(self._within(area, a) for a in self.view.objects(e, GK.granteeArea))
                ]
                if wide:
                    raise self.fail(
                        ch,
                        "from",
                        f"{pl['zh']} is granted to a whole area ({', '.join(map(str, wide))});"
                        " withdraw it from that area, not from one body",
                    )
            if not grants:
                raise self.fail(
                    ch, "power", f"no empowerment of {pl['zh']} to {wl['zh']} is in force on {day}"
                )
            for e in grants:
                if self.end(e, day - dt.timedelta(days=1)):
                    ended.append(e)
            zh, en = f"收回{wl['zh']}的职权：{pl['zh']}", f"{wl['en']} loses the power: {pl['en']}"
        else:
            bodies = street_receivers(self.view, who) if is_area else [who]
            holders = [b for b in bodies if (b, GK.enforcementPower, power) in self.view]
            if not holders:
                raise self.fail(
                    ch, "power", f"{wl['zh']} has no enforcement power over {pl['zh']} to withdraw"
                )
            for b in holders:
                self.removed.add((b, GK.enforcementPower, power))
            ended += holders
            zh = f"{len(holders)}个主体失去对“{pl['zh']}”的执法权"
            en = f"{len(holders)} bodies lose enforcement power over '{pl['en']}'"
        self.record(ch, zh, en, (), ended, before)

    def _within(self, area: Node | None, outer: Node) -> bool:
        if area is None:
            return False
        return bool(
            self.view.query(
                f"ASK {{ ?a <{GK.within}>* ?x }}", initBindings={"a": area, "x": outer}
            ).askAnswer
        )

    def designate_lead(self, ch: ChangeSpec) -> None:
        _only(self, ch, {"body", "matter", "area", "comment"})
        before = self.sizes()
        body = self.term(ch, "body", "body")
        matter = self.term(ch, "matter", "matter")
        area = self.term(ch, "area", "area")
        bl, ml, al = self.lab(body), self.lab(matter), self.lab(area)
        d = self.mint("duty", f"lead-{local_name(matter)}-{local_name(area)}")
        self.fact(
            d,
            GK.Duty,
            f"{bl['zh']}：牵头负责{ml['zh']}（{al['zh']}）",
            f"{bl['en']}: leads on {ml['en']} ({al['en']})",
            str(ch.params.get("comment") or ""),
        )
        a = self.added
        a.add((d, GK.holder, body))
        a.add((d, GK.matter, matter))
        a.add((d, GK.dutyType, DT.responsibility))
        a.add((d, GK.role, ROLE.lead))
        a.add((d, GK.area, area))
        a.add((d, GK.validFrom, Literal(self.info.effective.isoformat(), datatype=XSD.date)))
        self.record(
            ch,
            f"{bl['zh']}在{al['zh']}牵头负责“{ml['zh']}”",
            f"{bl['en']} leads on '{ml['en']}' in {al['en']}",
            [d],
            (),
            before,
        )

    def escalation(self, ch: ChangeSpec) -> None:
        p = ch.params
        _only(
            self,
            ch,
            {
                "district",
                "severity",
                "response_time",
                "required_ranks",
                "lead_ranks",
                "double_report",
                "comment",
            },
        )
        before = self.sizes()
        district = self.term(ch, "district", "area")
        severity = self.term(ch, "severity", "severity")
        keys = {"response_time", "required_ranks", "lead_ranks", "double_report"} & set(p)
        if not keys:
            raise self.fail(
                ch, None, "nothing to change: give response_time, required_ranks, lead_ranks or double_report"
            )
        policies = sorted(
            pol
            for pol in self.view.subjects(GK.appliesTo, district)
            if (pol, RDF.type, GK.EscalationPolicy) in self.view
        )
        dl, sl = self.lab(district), self.lab(severity)
        created: list[Node] = []
        if policies:
            policy = policies[0]
        else:
            policy = self.mint("policy", f"escalation-{local_name(district)}")
            self.fact(
                policy,
                GK.EscalationPolicy,
                f"{dl['zh']}分级报到机制（{self.info.label_zh}）",
                f"{dl['en']} escalation policy ({self.info.label_en})",
                "",
            )
            self.added.add((policy, GK.appliesTo, district))
            created.append(policy)
        old = next(
            (lv for lv in self.view.objects(policy, GK.hasLevel) if (lv, GK.severity, severity) in self.view),
            None,
        )
        new = self.mint("policy", f"{local_name(policy)}-{local_name(severity)}")
        self.fact(
            new,
            GK.EscalationLevel,
            f"{dl['zh']}分级报到：{sl['zh']}（{self.info.label_zh}）",
            f"{dl['en']} escalation: {sl['en']} ({self.info.label_en})",
            str(p.get("comment") or ""),
        )
        a = self.added
        a.add((new, GK.severity, severity))
        copied = {
            GK.requiredRank: "required_ranks",
            GK.leadRank: "lead_ranks",
            GK.doubleReport: "double_report",
            GK.responseTime: "response_time",
        }
        for prop, key in copied.items():
            if key in p or old is None:
                continue
            for o in self.view.objects(old, prop):
                a.add((new, prop, o))
        if "response_time" in p:
            text = str(p["response_time"]).strip()
            lit = Literal(text, datatype=XSD.duration)
            if not re.match(
                r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$", text
            ):
                raise self.fail(
                    ch, "response_time", f"not an ISO 8601 duration (such as PT30M, PT2H, P1D): {text!r}"
                )
            a.add((new, GK.responseTime, lit))
        for key, prop in (("required_ranks", GK.requiredRank), ("lead_ranks", GK.leadRank)):
            if key in p:
                ranks = p[key] if isinstance(p[key], list) else [p[key]]
                for r in ranks:
                    a.add((new, prop, self.concept(ch, key, (GK.Rank,), "rank", value=r)))
        if "double_report" in p:
            if not isinstance(p["double_report"], bool):
                raise self.fail(ch, "double_report", "expected true or false")
            a.add((new, GK.doubleReport, Literal(p["double_report"])))
        if old is not None:
            self.removed.add((policy, GK.hasLevel, old))
        a.add((policy, GK.hasLevel, new))
        created.append(new)
        what = ", ".join(sorted(keys))
        self.record(
            ch,
            f"{dl['zh']}“{sl['zh']}”等级报到规则调整（{what}）",
            f"{dl['en']}: the {sl['en']} escalation level changes ({what})",
            created,
            [old] if old is not None else [],
            before,
        )

    # -- Turtle reforms --------------------------------------------------------------------
    def turtle(self) -> None:
        g = self.reform.turtle
        assert g is not None
        before = self.sizes()
        facts = (GK.Transfer, GK.Empowerment, GK.Duty, GK.EscalationPolicy, GK.EscalationLevel)
        created = []
        for t in g:
            if t[0] != self.iri or t[1] not in (RDF.type,):
                self.added.add(t)
        for cls in facts:
            for node in sorted(set(g.subjects(RDF.type, cls))):
                created.append(node)
                if g.value(node, DCTERMS.source) is None:
                    self.added.add((node, DCTERMS.source, self.source))
                if g.value(node, GK.status) is None:
                    self.added.add((node, GK.status, ST[self.info.status]))
                if cls in (GK.Transfer, GK.Empowerment, GK.Duty) and g.value(node, GK.validFrom) is None:
                    self.added.add(
                        (node, GK.validFrom, Literal(self.info.effective.isoformat(), datatype=XSD.date))
                    )
                self.added.add((node, PROV.wasInfluencedBy, self.iri))
        unknown = sorted(
            {
                o
                for _, p, o in g
                if isinstance(o, URIRef)
                and p != RDF.type
                and str(o).startswith(str(self.ns))
                and (o, None, None) not in g
                and (o, None, None) not in self.view
            }
        )
        if unknown:
            raise InputError(
                self.reform.path,
                "refers to nodes that are neither in the city nor in the file: "
                + ", ".join(map(str, unknown[:5])),
            )
        spec = ChangeSpec("turtle", LDict(), 0, None)
        self.record(
            spec,
            f"Turtle改革文件：新增{len(created)}个节点",
            f"Turtle reform: {len(created)} new nodes",
            created,
            (),
            before,
        )


def _only(b: _Builder, ch: ChangeSpec, allowed: set[str]) -> None:
    extra = sorted(set(ch.params) - allowed)
    if extra:
        raise b.fail(ch, extra[0], f"unknown key {extra[0]!r} (allowed: {', '.join(sorted(allowed))})")


def apply_reform(view: Graph, reform: Reform, city: str) -> Overlay:
    """The overlay of ``reform`` on ``view`` (left unchanged); ``city`` names the IRI namespace."""
    b = _Builder(view, reform, city)
    b.header()
    if reform.turtle is not None:
        b.turtle()
    for ch in reform.changes:
        getattr(b, ch.kind)(ch)
    return Overlay(reform.info, str(b.iri), b.added, b.removed, b.log)


def apply_reforms(baseline: Graph, reforms: Sequence[Reform], city: str) -> tuple[Graph, list[Overlay]]:
    """Apply reforms in order; return the reformed view (a new graph) and each overlay."""
    view, overlays = baseline, []
    for r in reforms:
        ov = apply_reform(view, r, city)
        overlays.append(ov)
        view = ov.apply_to(view)
    if view is baseline:  # no reform: still a copy, so that callers may change it
        view = bind_all(Graph())
        view += baseline
    return view, overlays


# ---------------------------------------------------------------------------
# Whistles to replay
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """A whistle to replay on both views: where it came from and its spec."""

    origin: str  # recorded | batch | probe
    name: str  # the recorded whistle's IRI, the batch row, or "probe"
    spec: Any  # govkg.route.WhistleSpec


def _moment(at_text: str, day: dt.date | None, effective: dt.date) -> str:
    """Replay time: the recorded time, moved to ``day`` (if given) or to the effective date when earlier."""
    from govkg.route import parse_time

    moment = dt.datetime.fromisoformat(parse_time(at_text))
    if day is not None:
        target = day
    elif moment.date() < effective:
        target = effective
    else:
        return moment.isoformat()
    return moment.replace(year=target.year, month=target.month, day=target.day).isoformat()


def recorded_whistles(graph: Graph, day: dt.date | None, effective: dt.date) -> list[Probe]:
    from govkg.route import WhistleSpec

    out = []
    for w in instances(graph, GK.Whistle):
        m, a, t = graph.value(w, GK.matter), graph.value(w, GK.area), graph.value(w, GK.raisedAt)
        if m is None or a is None or t is None:
            continue
        out.append(
            Probe(
                "recorded",
                str(w),
                WhistleSpec(
                    m,
                    a,
                    _moment(str(t), day, effective),
                    graph.value(w, GK.severity),
                    graph.value(w, GK.raisedBy),
                ),
            )
        )
    return out


def probe_whistles(graph: Graph, day: dt.date) -> list[Probe]:
    """One ordinary whistle per matter and street (or township, community, village) at 10:00 on ``day``."""
    from govkg.route import WhistleSpec, parse_time

    areas = [a for cls in (GK.Street, GK.Township) for a in instances(graph, cls)]
    if not areas:
        areas = [a for cls in (GK.Community, GK.Village) for a in instances(graph, cls)]
    at = parse_time(f"{day.isoformat()}T10:00:00")
    return [
        Probe("probe", "probe", WhistleSpec(m, a, at))
        for m in instances(graph, GK.Matter)
        for a in sorted(areas)
    ]


def batch_whistles(graph: Graph, path: str | Path, day: dt.date | None, effective: dt.date) -> list[Probe]:
    """Whistles from a CSV (header: matter, area, at, severity, raised_by) or a YAML list of mappings."""
    from govkg.route import WhistleSpec
    from govkg.terms import index

    path = Path(path)
    if not path.is_file():
        raise InputError(path, "no such whistle file")
    rows: list[tuple[int | None, dict[str, Any]]] = []
    if path.suffix.lower() in (".yaml", ".yml"):
        doc = read_yaml(path)
        if not isinstance(doc, LList):
            raise InputError(path, "expected a list of whistles (mappings with matter, area, at …)")
        rows = [(_line(doc, i), dict(r)) for i, r in enumerate(doc) if isinstance(r, dict)]
    elif path.suffix.lower() == ".csv":
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            missing = {"matter", "area", "at"} - set(reader.fieldnames or [])
            if missing:
                raise InputError(path, f"CSV header lacks column(s): {', '.join(sorted(missing))}", line=1)
            rows = [(i + 2, r) for i, r in enumerate(reader)]
    else:
        raise InputError(path, "a whistle batch is .csv or .yaml")
    idx = {k: index(graph, k) for k in ("matter", "area", "severity", "body")}
    out = []
    for line, r in rows:
        try:
            spec = WhistleSpec(
                idx["matter"].resolve(str(r.get("matter") or "")),
                idx["area"].resolve(str(r.get("area") or "")),
                _moment(str(r.get("at") or ""), day, effective),
                idx["severity"].resolve(str(r["severity"])) if r.get("severity") else None,
                idx["body"].resolve(str(r["raised_by"])) if r.get("raised_by") else None,
            )
        except InputError as exc:
            raise InputError(path, exc.problem, line=line) from None
        out.append(Probe("batch", str(r.get("id") or f"row {line}"), spec))
    return out


# ---------------------------------------------------------------------------
# What changed
# ---------------------------------------------------------------------------


def _summary(result: Any) -> dict[str, Any]:
    return {
        "lead": result.lead.iri if result.lead else None,
        "respondents": {
            r.iri: {
                "role": r.role,
                "ranks": sorted(x.iri for x in r.ranks),
                "deadline": r.deadline,
                "via_transfer": r.via_transfer.iri if r.via_transfer else None,
            }
            for r in result.respondents
        },
        "fallback": result.fallback.body.iri if result.fallback else None,
        "gaps": sorted(result.gap_codes),
    }


ASPECTS = ("lead", "respondents", "role", "ranks", "deadline", "via_transfer", "fallback", "gaps")


def _aspects(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    out = []
    if before["lead"] != after["lead"]:
        out.append("lead")
    rb, ra = before["respondents"], after["respondents"]
    if set(rb) != set(ra):
        out.append("respondents")
    both = set(rb) & set(ra)
    for key in ("role", "ranks", "deadline", "via_transfer"):
        if any(rb[i][key] != ra[i][key] for i in both):
            out.append(key)
    if before["fallback"] != after["fallback"]:
        out.append("fallback")
    if before["gaps"] != after["gaps"]:
        out.append("gaps")
    return out


@dataclass
class WhistleDiff:
    probe: Probe
    before: Any  # RouteResult
    after: Any

    @property
    def aspects(self) -> list[str]:
        return _aspects(_summary(self.before), _summary(self.after))

    @property
    def changed(self) -> bool:
        return bool(self.aspects)

    def to_dict(self) -> dict[str, Any]:
        w = self.after.whistle
        return {
            "origin": self.probe.origin,
            "name": self.probe.name,
            "matter": w.matter.to_dict(),
            "area": w.area.to_dict(),
            "at": w.at,
            "severity": w.severity_name,
            "changes": self.aspects,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
        }


def _finding_key(f: Any) -> str:
    return json.dumps([f.code, f.focus, f.evidence], sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class ReformResult:
    """Everything a what-if found."""

    city: str
    at: dt.date
    reforms: list[ReformInfo]
    overlays: list[Overlay]
    whistles: list[WhistleDiff]
    audit_before: Any | None
    audit_after: Any | None
    baseline: Graph = field(repr=False)
    reformed: Graph = field(repr=False)

    @property
    def changed_whistles(self) -> list[WhistleDiff]:
        return [w for w in self.whistles if w.changed]

    def _findings(self) -> tuple[list[Any], list[Any]]:
        if self.audit_before is None or self.audit_after is None:
            return [], []
        before = {_finding_key(f): f for f in self.audit_before.findings}
        after = {_finding_key(f): f for f in self.audit_after.findings}
        closed = [before[k] for k in sorted(set(before) - set(after))]
        opened = [after[k] for k in sorted(set(after) - set(before))]
        return closed, opened

    @property
    def gaps_closed(self) -> list[Any]:
        return self._findings()[0]

    @property
    def gaps_opened(self) -> list[Any]:
        return self._findings()[1]

    @property
    def opens_gaps(self) -> bool:
        routing_opened = any(set(w.after.gap_codes) - set(w.before.gap_codes) for w in self.whistles)
        return bool(self.gaps_opened) or routing_opened

    # -- attribution -------------------------------------------------------------------------
    def _related(self, iris: Iterable[str]) -> tuple[set[str], set[str]]:
        """Bodies and matters a finding or whistle is about (through duties, transfers, whistles)."""
        bodies, matters = set(), set()
        for g in (self.baseline, self.reformed):
            for i in iris:
                n = URIRef(i)
                if is_instance(g, n, GK.Body):
                    bodies.add(i)
                if is_instance(g, n, GK.Matter):
                    matters.add(i)
                for p in (GK.holder, GK.fromBody, GK.toBody, GK.reportingBody, GK.grantee):
                    bodies.update(str(o) for o in g.objects(n, p))
                for p in (GK.matter,):
                    matters.update(str(o) for o in g.objects(n, p))
                for d in g.objects(n, GK.transferredDuty):
                    matters.update(str(o) for o in g.objects(d, GK.matter))
                for w in g.objects(n, GK.answers):
                    matters.update(str(o) for o in g.objects(w, GK.matter))
        return bodies, matters

    def _finding_iris(self, f: Any) -> list[str]:
        out = [f.focus]
        for v in f.evidence.values():
            out += [
                x for x in (v if isinstance(v, list) else [v]) if str(x).startswith(("http://", "https://"))
            ]
        return out

    def per_body(self) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, int]] = {}

        def row(b: str) -> dict[str, int]:
            return rows.setdefault(
                b,
                {
                    "whistles_gained": 0,
                    "whistles_lost": 0,
                    "lead_gained": 0,
                    "lead_lost": 0,
                    "gaps_closed": 0,
                    "gaps_opened": 0,
                },
            )

        for w in self.changed_whistles:
            rb = {r.iri for r in w.before.respondents if r.kind == "body"}
            ra = {r.iri for r in w.after.respondents if r.kind == "body"}
            for b in ra - rb:
                row(b)["whistles_gained"] += 1
            for b in rb - ra:
                row(b)["whistles_lost"] += 1
            lb, la = (
                (w.before.lead.iri if w.before.lead else None),
                (w.after.lead.iri if w.after.lead else None),
            )
            if lb != la:
                if la:
                    row(la)["lead_gained"] += 1
                if lb:
                    row(lb)["lead_lost"] += 1
        for key, findings in (("gaps_closed", self.gaps_closed), ("gaps_opened", self.gaps_opened)):
            for f in findings:
                for b in self._related(self._finding_iris(f))[0]:
                    row(b)[key] += 1
        return [
            {"body": {"iri": b, "label": self._label(b)}, **v}
            for b, v in sorted(rows.items(), key=lambda kv: (-sum(kv[1].values()), self._label(kv[0])["zh"]))
        ]

    def per_matter(self) -> list[dict[str, Any]]:
        rows: dict[str, dict[str, int]] = {}

        def row(m: str) -> dict[str, int]:
            return rows.setdefault(
                m,
                {
                    "whistles_changed": 0,
                    "routing_gaps_closed": 0,
                    "routing_gaps_opened": 0,
                    "gaps_closed": 0,
                    "gaps_opened": 0,
                },
            )

        for w in self.changed_whistles:
            r = row(w.after.whistle.matter.iri)
            r["whistles_changed"] += 1
            r["routing_gaps_closed"] += len(set(w.before.gap_codes) - set(w.after.gap_codes))
            r["routing_gaps_opened"] += len(set(w.after.gap_codes) - set(w.before.gap_codes))
        for key, findings in (("gaps_closed", self.gaps_closed), ("gaps_opened", self.gaps_opened)):
            for f in findings:
                for m in self._related(self._finding_iris(f))[1]:
                    row(m)[key] += 1
        return [
            {"matter": {"iri": m, "label": self._label(m)}, **v}
            for m, v in sorted(rows.items(), key=lambda kv: (-sum(kv[1].values()), self._label(kv[0])["zh"]))
        ]

    def _label(self, iri: str) -> dict[str, str]:
        node = URIRef(iri)
        g = self.reformed if (node, None, None) in self.reformed else self.baseline
        return label(g, node)

    def counts(self) -> dict[str, Any]:
        by_origin: dict[str, dict[str, int]] = {}
        for w in self.whistles:
            d = by_origin.setdefault(w.probe.origin, {"total": 0, "changed": 0})
            d["total"] += 1
            d["changed"] += int(w.changed)
        return by_origin

    # -- output ------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {
            "city": self.city,
            "at": self.at.isoformat(),
            "reforms": [
                {
                    **ov.reform.to_dict(),
                    "iri": ov.iri,
                    "added": len(ov.added),
                    "removed": len(ov.removed),
                    "changes": [c.to_dict() for c in ov.log],
                }
                for ov in self.overlays
            ],
            "whistles": {"counts": self.counts(), "changed": [w.to_dict() for w in self.changed_whistles]},
            "gaps": None
            if self.audit_before is None
            else {
                "before": self.audit_before.counts(),
                "after": self.audit_after.counts(),
                "closed": [asdict(f) for f in self.gaps_closed],
                "opened": [asdict(f) for f in self.gaps_opened],
            },
            "per_body": self.per_body(),
            "per_matter": self.per_matter(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def to_text(self) -> str:
        lines = [f"govkg reform: {self.city}, compared on {self.at.isoformat()}"]
        for ov in self.overlays:
            i = ov.reform
            lines.append(f"reform {i.id}: {i.label_zh} / {i.label_en}")
            lines.append(f"  effective {i.effective}; {i.status}; source {i.source or i.citation}")
            lines.append(f"  overlay: +{len(ov.added)} triples, -{len(ov.removed)} triples")
            for c in ov.log:
                lines.append(f"  [{c.kind}] {c.summary_zh}")
                lines.append(f"      {c.summary_en}")
        lines.append("")
        counts = self.counts()
        lines.append(
            "Whistles routed differently 派单变化: "
            + (", ".join(f"{o}: {d['changed']} of {d['total']}" for o, d in counts.items()) or "no whistles")
        )
        for w in self.changed_whistles:
            info = w.after.whistle
            if w.probe.origin == "probe":
                lines.append(
                    f"  [probe] {info.matter.label_zh} @ {info.area.label_zh}: {', '.join(w.aspects)}: "
                    f"{_brief(w.before)} → {_brief(w.after)}"
                )
                continue
            lines.append(
                f"  [{w.probe.origin}] {w.probe.name}: {info.matter.label} @ {info.area.label} "
                f"({info.at[:16]}, {info.severity_name}); changed: {', '.join(w.aspects)}"
            )
            lines.append(f"      before: {_brief(w.before)}")
            lines.append(f"      after:  {_brief(w.after)}")
        lines.append("")
        if self.audit_before is None:
            lines.append("Gaps: audit not run")
        else:
            codes = sorted(set(self.audit_before.counts()) | set(self.audit_after.counts()))
            lines.append(
                "Gaps by code 缺口 (before → after): "
                + (
                    ", ".join(
                        f"{c} {self.audit_before.counts().get(c, 0)} → {self.audit_after.counts().get(c, 0)}"
                        for c in codes
                    )
                    or "none"
                )
            )
            for title, fs in (("closed 消除", self.gaps_closed), ("opened 新增", self.gaps_opened)):
                lines.append(f"Gaps {title}: {len(fs)}")
                for f in fs:
                    lines.append(f"  [{f.code}] {f.message_zh}")
                    lines.append(f"      {f.message_en}")
        lines.append("")
        lines.append("Per body 按主体 (whistles +/-, lead +/-, gaps closed/opened):")
        for r in self.per_body():
            lab = r["body"]["label"]
            lines.append(
                f"  {lab['zh']} / {lab['en']}: whistles +{r['whistles_gained']} -{r['whistles_lost']}, "
                f"lead +{r['lead_gained']} -{r['lead_lost']}, gaps closed {r['gaps_closed']}, "
                f"opened {r['gaps_opened']}"
            )
        lines.append(
            "Per matter 按事项 (whistles changed, routing gaps closed/opened, audit gaps closed/opened):"
        )
        for r in self.per_matter():
            lab = r["matter"]["label"]
            lines.append(
                f"  {lab['zh']} / {lab['en']}: {r['whistles_changed']} changed, routing gaps "
                f"-{r['routing_gaps_closed']} +{r['routing_gaps_opened']}, audit gaps -{r['gaps_closed']} "
                f"+{r['gaps_opened']}"
            )
        return "\n".join(lines)


def _brief(result: Any) -> str:
    parts = []
    bodies = [r for r in result.respondents]
    if bodies:
        parts.append(
            "; ".join(
                f"{r.label_zh}{'*' if result.lead and r.iri == result.lead.iri else ''}"
                + (f" ({', '.join(x.label_zh for x in r.ranks)})" if r.ranks else "")
                + (f" by {r.deadline[11:16]}" if r.deadline else "")
                for r in bodies
            )
        )
    else:
        parts.append("nobody")
    if result.fallback:
        parts.append(f"fallback {result.fallback.body.label_zh}")
    if result.gap_codes:
        parts.append("gaps " + ", ".join(result.gap_codes))
    return " | ".join(parts)


# ---------------------------------------------------------------------------
# The what-if
# ---------------------------------------------------------------------------


@dataclass
class _View:
    name: str
    graph: Graph


def whatif(
    kb: Any,
    reforms: Sequence[Reform | str | Path],
    whistles: str | Path | None = None,
    probe: bool = True,
    at: str | dt.date | None = None,
    with_audit: bool = True,
) -> ReformResult:
    """Apply ``reforms`` in order to the loaded city ``kb`` and report what changes.

    Whistles: the city's recorded ones (or the batch file ``whistles``), plus with ``probe`` one
    ordinary whistle per matter and street. Each is routed on the baseline and on the reformed
    view at the same moment: ``at`` (keeping the time of day) when given, else its own time moved
    to the latest effective date when it is earlier. The audits run on ``at``, else on the latest
    effective date.
    """
    from govkg.compare import parse_day
    from govkg.route import route_specs

    loaded = [r if isinstance(r, Reform) else load_reform(r) for r in reforms]
    if not loaded:
        raise InputError(None, "give at least one reform (--reform FILE)")
    day = parse_day(at) if at is not None else None
    effective = max(r.info.effective for r in loaded)
    when = day or effective
    reformed, overlays = apply_reforms(kb.graph, loaded, kb.name)
    probes = (
        batch_whistles(kb.graph, whistles, day, effective)
        if whistles is not None
        else recorded_whistles(kb.graph, day, effective)
    )
    if probe:
        probes += probe_whistles(kb.graph, when)
    specs = [p.spec for p in probes]
    before = route_specs(kb.graph, specs) if specs else []
    after = route_specs(reformed, specs) if specs else []
    diffs = [WhistleDiff(p, b, a) for p, b, a in zip(probes, before, after, strict=True)]
    audit_before = audit_after = None
    if with_audit:
        from govkg.audit import audit

        audit_before = audit(kb, at=when)
        audit_after = audit(_View(kb.name, reformed), at=when)
    return ReformResult(
        kb.name,
        when,
        [r.info for r in loaded],
        overlays,
        diffs,
        audit_before,
        audit_after,
        kb.graph,
        reformed,
    )


def overlay_dataset(overlays: Sequence[Overlay]) -> Any:
    """The overlays as an rdflib Dataset: per reform, a graph ``<reform>/added`` and ``<reform>/removed``."""
    from rdflib import Dataset

    ds = Dataset()
    for prefix, ns in bind_all(Graph()).namespaces():
        ds.bind(prefix, ns)
    for ov in overlays:
        for kind, g in (("added", ov.added), ("removed", ov.removed)):
            named = ds.graph(URIRef(f"{ov.iri}/{kind}"))
            for t in g:
                named.add(t)
    return ds


def write_overlay(result: ReformResult, path: str | Path) -> Path:
    """Write the overlays of a what-if as TriG (temp file, then rename)."""
    from govkg.report import write_atomic

    text = overlay_dataset(result.overlays).serialize(format="trig")
    return write_atomic(path, text)
