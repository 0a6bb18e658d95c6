"""Self-contained HTML reports for people: compare, audit and reform.

One HTML file, no script, no network: the CSS is inlined and every chart is an inline SVG
drawn here in Python (horizontal bar charts, a matter × body coverage heat map, an
organisation tree). Labels are shown in Chinese and English; a print stylesheet keeps the
page readable on A4 paper (colours kept, charts not split across pages, a letter in each
heat-map cell so that grey-scale prints still read).

Every section is an ``<section id="…" class="report-section">``; the ids are stable (the
browser test checks them): see ``COMPARE_SECTIONS``, ``AUDIT_SECTIONS``, ``REFORM_SECTIONS``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import os
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from govkg import __version__

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------


def write_atomic(path: str | Path, content: str | bytes) -> Path:
    """Write ``content`` to a temporary file beside ``path``, then rename it into place."""
    from govkg.errors import InputError

    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(path, f"cannot write: folder {folder} does not exist")
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


# ---------------------------------------------------------------------------
# HTML pieces
# ---------------------------------------------------------------------------

Label = dict[str, str] | str


def esc(text: Any) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def zh_en(lab: Label | None) -> tuple[str, str]:
    if lab is None:
        return "", ""
    if isinstance(lab, str):
        if " / " in lab:
            zh, en = lab.split(" / ", 1)
            return zh, en
        return lab, lab
    return lab.get("zh", ""), lab.get("en", "")


def bi(lab: Label | None, block: bool = False) -> str:
    """A zh + en label as HTML (the English smaller and grey, on its own line when ``block``)."""
    zh, en = zh_en(lab)
    if not zh and not en:
        return ""
    if zh == en or not en:
        return f'<span class="zh" lang="zh-Hans">{esc(zh)}</span>'
    sep = "<br>" if block else " "
    return f'<span class="zh" lang="zh-Hans">{esc(zh)}</span>{sep}<span class="en" lang="en">{esc(en)}</span>'


def iri_link(iri: str | None, text: Label | None = None) -> str:
    if not iri:
        return "—"
    inner = bi(text) if text else esc(iri)
    return f'<a href="{esc(iri)}" title="{esc(iri)}">{inner}</a>'


def table(head: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "", caption: str = "") -> str:
    """A table; ``head`` and cells are HTML already (use :func:`esc`)."""
    out = [f'<table class="{esc(cls)}">']
    if caption:
        out.append(f"<caption>{caption}</caption>")
    out.append("<thead><tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr></thead><tbody>")
    n = 0
    for row in rows:
        n += 1
        out.append("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>")
    if n == 0:
        out.append(f'<tr><td colspan="{len(head)}" class="none">—</td></tr>')
    out.append("</tbody></table>")
    return "".join(out)


def heading(zh: str, en: str) -> str:
    return f'<span lang="zh-Hans">{esc(zh)}</span> <span class="en" lang="en">{esc(en)}</span>'


@dataclass
class Section:
    """One section of a report: a stable id, a zh and en title, and HTML."""

    id: str
    zh: str
    en: str
    body: str
    intro: str = ""

    def render(self) -> str:
        intro = f'<p class="intro">{self.intro}</p>' if self.intro else ""
        return (
            f'<section id="{esc(self.id)}" class="report-section">'
            f"<h2>{heading(self.zh, self.en)}</h2>{intro}{self.body}</section>"
        )


CSS = """
:root { --ink:#1d2733; --muted:#5b6773; --rule:#d5dbe1; --band:#f3f6f9; --accent:#1f4e79; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--ink); background: #fff;
  font: 14px/1.5 "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei",
        "WenQuanYi Micro Hei", "Helvetica Neue", Arial, sans-serif; }
header.report-head { background: var(--accent); color: #fff; padding: 22px 32px 18px; }
header.report-head h1 { margin: 0 0 4px; font-size: 24px; font-weight: 600; }
header.report-head h1 .en { color: #cfe0f1; font-size: 17px; font-weight: 400; }
header.report-head p { margin: 2px 0; color: #dbe7f3; font-size: 13px; }
nav.toc { padding: 8px 32px; background: var(--band); border-bottom: 1px solid var(--rule); font-size: 13px; }
nav.toc a { margin-right: 14px; color: var(--accent); text-decoration: none; white-space: nowrap; }
main { padding: 8px 32px 40px; max-width: 1240px; }
section.report-section { margin: 26px 0 10px; }
h2 { font-size: 19px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid var(--accent); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.en { color: var(--muted); font-weight: 400; }
p.intro, p.note { color: var(--muted); margin: 4px 0 10px; max-width: 62em; }
table { border-collapse: collapse; margin: 6px 0 14px; font-size: 13px; }
th, td { border: 1px solid var(--rule); padding: 4px 8px; vertical-align: top; text-align: left; }
thead th { background: var(--band); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.none { color: var(--muted); text-align: center; }
table.metrics td:first-child { min-width: 16em; }
tr.changed td { background: #fff7e6; }
.tag { display: inline-block; padding: 0 6px; border-radius: 3px; font-size: 12px; line-height: 18px;
  background: var(--band); border: 1px solid var(--rule); white-space: nowrap; }
.tag.violation, .tag.opened, .tag.removed { background: #fbe9e7; border-color: #e4a79d; color: #8a2a1c; }
.tag.warning { background: #fff4db; border-color: #e7c77b; color: #7a5600; }
.tag.info { background: #e8f1fa; border-color: #a9c6e3; color: #1f4e79; }
.tag.closed, .tag.added { background: #e6f4ea; border-color: #9fcfaa; color: #1e6b34; }
.tag.illustrative { background: #fff4db; border-color: #e7c77b; color: #7a5600; }
.tag.sourced { background: #e6f4ea; border-color: #9fcfaa; color: #1e6b34; }
figure { margin: 8px 0 18px; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { color: var(--muted); font-size: 12px; margin-top: 2px; }
.chart-text { font-family: inherit; }
dl.defs dt { font-weight: 600; margin-top: 8px; }
dl.defs dd { margin: 0 0 0 1.5em; color: var(--ink); }
.small { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; padding: 12px 32px 24px; border-top: 1px solid var(--rule); }
a { color: var(--accent); }
@media print {
  @page { size: A4; margin: 12mm; }
  body { font-size: 10pt; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  header.report-head { padding: 10px 0; background: #fff; color: var(--ink);
    border-bottom: 2px solid var(--accent); }
  header.report-head h1 .en, header.report-head p { color: var(--muted); }
  nav.toc { display: none; }
  main { padding: 0; max-width: none; }
  section.report-section { margin: 14px 0 6px; }
  h2, h3 { break-after: avoid; page-break-after: avoid; }
  figure, tr { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  footer { padding: 8px 0; }
}
"""


def page(title_zh: str, title_en: str, lines: Sequence[str], sections: Sequence[Section]) -> str:
    """A complete HTML document: header, table of contents, sections, footer. No script."""
    toc = "".join(
        f'<a href="#{esc(s.id)}">{esc(s.zh)} <span class="en">{esc(s.en)}</span></a>' for s in sections
    )
    head_lines = "".join(f"<p>{line}</p>" for line in lines)
    body = "".join(s.render() for s in sections)
    generated = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="generator" content="govkg ' + esc(__version__) + '">'
        '<link rel="icon" href="data:,">'
        f"<title>{esc(title_zh)} · {esc(title_en)}</title>"
        f"<style>{CSS}</style></head><body>"
        f'<header class="report-head"><h1><span lang="zh-Hans">{esc(title_zh)}</span> '
        f'<span class="en" lang="en">{esc(title_en)}</span></h1>{head_lines}</header>'
        f'<nav class="toc">{toc}</nav><main>{body}</main>'
        f"<footer>govkg {esc(__version__)} · generated {esc(generated)} · "
        "self-contained: no script, no network.</footer></body></html>\n"
    )


# ---------------------------------------------------------------------------
# SVG charts
# ---------------------------------------------------------------------------

PALETTE = ("#1f4e79", "#d9822b", "#3c8d5a", "#8e5ea2", "#b33c3c", "#5f7d95")
FONT = 12


def text_px(text: str, size: float = FONT) -> float:
    """Rough rendered width of ``text`` (CJK and full-width characters one em, others ~0.56 em)."""
    return sum(size * (1.0 if ord(ch) > 0x2E7F else 0.56) for ch in text)


def clip(text: str, px: float, size: float = FONT) -> str:
    if text_px(text, size) <= px:
        return text
    out = ""
    for ch in text:
        if text_px(out + ch + "…", size) > px:
            break
        out += ch
    return out + "…"


def _svg(width: float, height: float, inner: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" font-size="{FONT}" class="chart-text">'
        f"<title>{esc(title)}</title>{inner}</svg>"
    )


def _ticks(vmax: float, integers: bool) -> tuple[float, float]:
    """A round step and axis maximum for at most about five ticks."""
    if vmax <= 0:
        return 1.0, 1.0
    raw = vmax / 5
    exp = 10 ** math.floor(math.log10(raw))
    steps = (1, 2, 5, 10) if integers else (1, 2, 2.5, 5, 10)
    step = next(m * exp for m in steps if m * exp >= raw)
    if integers:
        step = max(1.0, float(round(step)))
    return step, step * math.ceil(vmax / step)


def fmt_num(v: float | int | None) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and not v.is_integer():
        return f"{v:.3g}" if abs(v) < 100 else f"{v:.0f}"
    return str(int(v))


def bar_chart(
    categories: Sequence[tuple[str, Label]],
    series: Sequence[tuple[Label, dict[str, float | None]]],
    title: str,
    unit: str = "",
    width: int = 760,
) -> str:
    """Horizontal grouped bars: one group per category, one bar per series, value at the end."""
    label_w = min(300, max([text_px(zh_en(lab)[0]) for _, lab in categories] + [60]) + 16)
    bar_h, gap = 14, 10
    n = max(1, len(series))
    legend_h = 22 if n > 1 else 0
    group_h = n * bar_h + gap
    height = legend_h + len(categories) * group_h + 30
    values = [v for _, vals in series for v in vals.values() if v is not None]
    step, vmax = _ticks(max(values) if values else 1, all(float(v).is_integer() for v in values))
    plot_w = width - label_w - 60
    parts = []
    x = label_w
    for i, (name, _) in enumerate(series if n > 1 else []):
        zh, en = zh_en(name)
        text = zh if zh == en else f"{zh} {en}"
        parts.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 16}" y="14">{esc(text)}</text>'
        )
        x += text_px(text) + 36
    top = legend_h
    for t in range(round(vmax / step) + 1):
        gx = label_w + plot_w * t * step / vmax
        parts.append(
            f'<line x1="{gx:.1f}" y1="{top}" x2="{gx:.1f}" y2="{height - 24}" stroke="#e3e7eb"/>'
            f'<text x="{gx:.1f}" y="{height - 10}" text-anchor="middle" fill="#5b6773">'
            f"{esc(fmt_num(t * step))}</text>"
        )
    for ci, (key, lab) in enumerate(categories):
        y0 = top + ci * group_h
        zh, en = zh_en(lab)
        parts.append(
            f'<text x="{label_w - 8}" y="{y0 + n * bar_h / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{esc(zh)} / {esc(en)}</title>{esc(clip(zh, label_w - 12))}</text>"
        )
        for si, (name, vals) in enumerate(series):
            v = vals.get(key)
            y = y0 + si * bar_h
            color = PALETTE[si % len(PALETTE)]
            w = 0 if v is None else plot_w * v / vmax
            sname = zh_en(name)[1]
            parts.append(
                f'<rect x="{label_w}" y="{y + 1}" width="{w:.1f}" height="{bar_h - 2}" fill="{color}">'
                f"<title>{esc(sname)}: {esc(fmt_num(v))}{esc(unit)}</title></rect>"
                f'<text x="{label_w + w + 4:.1f}" y="{y + bar_h - 3}" fill="#1d2733">'
                f"{esc(fmt_num(v))}</text>"
            )
    parts.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{height - 24}" stroke="#8a96a3"/>')
    return _svg(width, height, "".join(parts), title)


HEAT = {
    "lead": ("#1f4e79", "#fff", "L", ("牵头", "lead duty")),
    "cooperate": ("#7ea6cd", "#0d2238", "C", ("配合", "cooperating duty")),
    "transfer": ("#d9822b", "#fff", "T", ("承接下放", "received by transfer")),
    "broader": ("#d7e2ec", "#3a4a5a", "b", ("经上位事项", "through a broader matter")),
}
DIFF = {"added": ("#2e8b57", "+"), "removed": ("#c0392b", "−")}


def _legend(items: Sequence[tuple[str, str, str, str]], y: float = 4) -> tuple[str, float]:
    """Legend swatches (fill, ink or outline colour, mark, text) in one row; returns SVG and width."""
    parts, x = [], 0.0
    for fill, ink, mark, text in items:
        if fill == "none":
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="13" height="13" fill="#fff" stroke="{ink}" '
                'stroke-width="2"/>'
            )
        else:
            parts.append(f'<rect x="{x}" y="{y}" width="15" height="15" fill="{fill}"/>')
        parts.append(
            f'<text x="{x + 7.5}" y="{y + 11.5}" text-anchor="middle" fill="{ink}" '
            f'font-size="10">{esc(mark)}</text><text x="{x + 20}" y="{y + 12}">{esc(text)}</text>'
        )
        x += 20 + text_px(text) + 18
    return "".join(parts), x


def heatmap(
    rows: Sequence[tuple[str, Label]],
    cols: Sequence[tuple[str, Label]],
    cells: dict[tuple[str, str], str],
    title: str,
    diff: dict[tuple[str, str], str] | None = None,
) -> str:
    """Matter × body coverage: a coloured square per (row, column) with a category of ``HEAT``.

    Column labels are written vertically (upright Chinese, top to bottom). ``diff`` marks cells
    ``added`` or ``removed`` (a reform's before/after) with a coloured outline and + or −."""
    cell, col_font, max_chars = 22, 11, 16
    row_label_w = min(330, max([text_px(zh_en(lab)[0]) for _, lab in rows] + [60]) + 14)
    col_label_h = max([min(len(zh_en(lab)[0]), max_chars + 1) for _, lab in cols] + [4]) * (col_font + 1) + 10
    items = [(fill, ink, mark, f"{zh} {en}") for fill, ink, mark, (zh, en) in HEAT.values()]
    if diff:
        items += [
            ("none", DIFF["added"][0], DIFF["added"][1], "新增 added"),
            ("none", DIFF["removed"][0], DIFF["removed"][1], "取消 removed"),
        ]
    legend, legend_w = _legend(items)
    legend_h = 28
    grid_w = row_label_w + len(cols) * cell
    width = max(grid_w + 10, legend_w)
    top = legend_h + col_label_h
    height = top + len(rows) * cell + 8
    parts = [legend]
    for ci, (_key, lab) in enumerate(cols):
        cx = row_label_w + ci * cell + cell / 2
        zh, en = zh_en(lab)
        shown = zh if len(zh) <= max_chars else zh[:max_chars] + "…"
        parts.append(
            f'<text x="{cx:.1f}" y="{top - 8 - len(shown) * (col_font + 1.5):.1f}" '
            f'writing-mode="vertical-rl" font-size="{col_font}" letter-spacing="1">'
            f"<title>{esc(zh)} / {esc(en)}</title>{esc(shown)}</text>"
        )
    for ri, (rkey, lab) in enumerate(rows):
        y = top + ri * cell
        zh, en = zh_en(lab)
        if ri % 2 == 0:
            parts.append(f'<rect x="0" y="{y}" width="{grid_w}" height="{cell}" fill="#f6f8fa"/>')
        parts.append(
            f'<text x="{row_label_w - 6}" y="{y + cell / 2 + 4}" text-anchor="end">'
            f"<title>{esc(zh)} / {esc(en)}</title>{esc(clip(zh, row_label_w - 10))}</text>"
        )
        for ci, (ckey, clab) in enumerate(cols):
            x0 = row_label_w + ci * cell
            cat = cells.get((rkey, ckey))
            change = (diff or {}).get((rkey, ckey))
            tip = f"{zh} × {zh_en(clab)[0]}"
            if cat:
                fill, ink, mark, (lzh, len_) = HEAT[cat]
                parts.append(
                    f'<rect x="{x0 + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                    f'fill="{fill}"><title>{esc(tip)}: {esc(lzh)} {esc(len_)}</title></rect>'
                    f'<text x="{x0 + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                    f'fill="{ink}" font-size="10">{mark}</text>'
                )
            else:
                parts.append(
                    f'<rect x="{x0 + 1}" y="{y + 1}" width="{cell - 2}" height="{cell - 2}" '
                    'fill="none" stroke="#e3e7eb"/>'
                )
            if change:
                color, sign = DIFF[change]
                parts.append(
                    f'<rect x="{x0 + 2}" y="{y + 2}" width="{cell - 4}" height="{cell - 4}" '
                    f'fill="none" stroke="{color}" stroke-width="2.5"><title>{esc(tip)}: '
                    f"{change}</title></rect>"
                )
                if not cat:
                    parts.append(
                        f'<text x="{x0 + cell / 2}" y="{y + cell / 2 + 4}" text-anchor="middle" '
                        f'fill="{color}" font-size="13">{sign}</text>'
                    )
    return _svg(width, height, "".join(parts), title)


CLASS_COLOURS = {
    "PartyCommittee": "#b33c3c",
    "MunicipalGovernment": "#1f4e79",
    "DistrictGovernment": "#1f4e79",
    "TownshipGovernment": "#3c8d5a",
    "Government": "#1f4e79",
    "FunctionalDepartment": "#5f7d95",
    "VerticallyManagedDepartment": "#5f7d95",
    "DispatchedAgency": "#8e5ea2",
    "StreetOffice": "#3c8d5a",
    "StreetEnforcementOffice": "#d9822b",
    "CommandCentre": "#8e5ea2",
    "ResidentsCommittee": "#9a7b4f",
    "VillagersCommittee": "#9a7b4f",
    "Enterprise": "#7f8c8d",
    "PublicServiceEnterprise": "#7f8c8d",
}


def org_tree(org: nx.DiGraph, title: str, width: int = 900) -> str:
    """The organisation graph (edges child → parent) as an indented tree, roots at the left."""
    children: dict[str, list[str]] = {n: [] for n in org.nodes}
    for child, parent in org.edges:
        children[parent].append(child)

    def key(n: str) -> tuple:
        d = org.nodes[n]
        return (d.get("level", ""), d.get("cls", ""), d.get("label_zh", ""), n)

    roots = sorted((n for n in org.nodes if org.out_degree(n) == 0), key=key)
    rows: list[tuple[str, int, str | None]] = []
    seen: set[str] = set()

    def walk(n: str, depth: int, parent: str | None) -> None:
        if n in seen:
            return
        seen.add(n)
        rows.append((n, depth, parent))
        for c in sorted(children[n], key=key):
            walk(c, depth + 1, n)

    for r in roots:
        walk(r, 0, None)
    for n in sorted(org.nodes, key=key):  # cycles, if any, still show
        walk(n, 0, None)
    line_h, indent = 22, 22
    height = len(rows) * line_h + 10
    ypos = {n: i * line_h + 16 for i, (n, _, _) in enumerate(rows)}
    parts = []
    for n, depth, parent in rows:
        x = 10 + depth * indent
        y = ypos[n]
        if parent is not None:
            px = 10 + (depth - 1) * indent
            parts.append(
                f'<path d="M{px + 5},{ypos[parent] + 5} V{y} H{x - 2}" fill="none" stroke="#9aa6b2"/>'
            )
        d = org.nodes[n]
        colour = CLASS_COLOURS.get(d.get("cls", ""), "#5b6773")
        zh, en = d.get("label_zh", ""), d.get("label_en", "")
        cls_txt = d.get("cls", "")
        text_x = x + 14
        room = width - text_x - 10
        parts.append(
            f'<circle cx="{x + 5}" cy="{y}" r="5" fill="{colour}"><title>{esc(cls_txt)}</title></circle>'
            f'<text x="{text_x}" y="{y + 4}"><title>{esc(n)}</title>{esc(clip(zh, room))}'
            f'<tspan fill="#5b6773" font-size="11"> {esc(clip(en, max(0, room - text_px(zh) - 8), 11))}'
            "</tspan></text>"
        )
    return _svg(width, height, "".join(parts), title)


def figure(svg: str, caption: str = "") -> str:
    cap = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f"<figure>{svg}{cap}</figure>"


# ---------------------------------------------------------------------------
# Shared building blocks
# ---------------------------------------------------------------------------


def coverage_cells(
    coverage: Iterable[Any],
) -> tuple[list[tuple[str, Label]], list[tuple[str, Label]], dict[tuple[str, str], str]]:
    """Rows, columns and categories of the matter × body heat map from MatterCoverage items."""
    cells: dict[tuple[str, str], str] = {}
    rows: list[tuple[str, Label]] = []
    bodies: dict[str, int] = {}
    for cov in coverage:
        rows.append((cov.matter, cov.label))
        for body, how in cov.bodies.items():
            bodies[body] = bodies.get(body, 0) + 1
            if how["transfer"] and how["direct"]:
                cat = "transfer"
            elif not how["direct"]:
                cat = "broader"
            elif "lead" in how["roles"]:
                cat = "lead"
            else:
                cat = "cooperate"
            cells[(cov.matter, body)] = cat
    return rows, [(b, b) for b in sorted(bodies, key=lambda b: (-bodies[b], b))], cells


def coverage_figure(
    coverage: Sequence[Any],
    labels: dict[str, dict[str, str]],
    title: str,
    diff: dict[tuple[str, str], str] | None = None,
    extra_cols: Iterable[str] = (),
) -> str:
    rows, cols, cells = coverage_cells(coverage)
    col_keys = [c for c, _ in cols] + [c for c in extra_cols if c not in {k for k, _ in cols}]
    cols_l = [(c, labels.get(c, {"zh": c, "en": c})) for c in col_keys]
    if not rows or not cols_l:
        return '<p class="note">No duties in force: nothing to draw. 无有效职责。</p>'
    return figure(
        heatmap(rows, cols_l, cells, title, diff),
        "Rows: matters (事项); columns: bodies (主体). L lead 牵头 · C cooperating 配合 · "
        "T received by transfer 承接下放 · b only through a broader matter 经上位事项. "
        "Hover for full names.",
    )


def org_figure(org: nx.DiGraph, title: str) -> str:
    if org.number_of_nodes() == 0:
        return '<p class="note">No bodies. 无主体。</p>'
    legend = " · ".join(
        f'<span style="color:{c}">●</span> {esc(k)}'
        for k, c in CLASS_COLOURS.items()
        if any(d.get("cls") == k for _, d in org.nodes(data=True))
    )
    return figure(org_tree(org, title), f"Parent bodies at the left (org:subOrganizationOf). {legend}")


def severity_tag(sev: str) -> str:
    return f'<span class="tag {esc(sev)}">{esc(sev)}</span>'


# ---------------------------------------------------------------------------
# compare
# ---------------------------------------------------------------------------

COMPARE_SECTIONS = (
    "summary",
    "charts",
    "powers",
    "gaps",
    "fragmentation",
    "coverage",
    "organisation",
    "escalation",
    "grids",
    "definitions",
)


def compare_html(comparison: Any) -> str:
    """The HTML report of a :class:`govkg.compare.Comparison`."""
    from govkg.compare import METRIC_BY_KEY, METRICS, fmt_value

    cities = comparison.cities
    names = [c.name for c in cities]
    at = comparison.at.isoformat() if comparison.at else "any date"
    sections: list[Section] = []

    head = ['<span lang="zh-Hans">指标</span> <span class="en">metric</span>'] + [
        f'<span class="num">{esc(n)}</span>' for n in names
    ]
    rows = []
    for m, vals in comparison.metric_rows():
        unit = f' <span class="en">({esc(m.unit)})</span>' if m.unit else ""
        rows.append(
            [f'<a href="#def-{esc(m.key)}">{bi({"zh": m.zh, "en": m.en})}</a>{unit}']
            + [f'<span class="num">{esc(fmt_value(vals[n]))}</span>' for n in names]
        )
    sections.append(
        Section(
            "summary",
            "指标总览",
            "metrics side by side",
            table(head, rows, "metrics"),
            f"Each city model as loaded, on {esc(at)}. Definitions at the end "
            '(<a href="#definitions">指标定义</a>).',
        )
    )

    series = [(n, {}) for n in names]
    charts = []
    groups = (
        ("规模", "size", ("bodies", "areas", "matters", "duties", "transfers", "whistles")),
        ("职权与下放", "powers and transfers", ("powers", "matters_transferred", "covered_matters")),
        (
            "九龙治水",
            "fragmentation",
            ("bodies_per_matter", "departments_per_matter", "max_bodies_per_matter"),
        ),
        ("占比", "shares (%)", ("fragmented_share", "lead_share")),
        ("响应时限", "response time (minutes)", ("fastest_response", "slowest_response")),
    )
    for zh, en, keys in groups:
        keys = tuple(k for k in keys if k in METRIC_BY_KEY)
        cats = [(k, {"zh": METRIC_BY_KEY[k].zh, "en": METRIC_BY_KEY[k].en}) for k in keys]
        series = [(c.name, {k: _as_float(c.values.get(k)) for k in keys}) for c in cities]
        charts.append(f"<h3>{heading(zh, en)}</h3>" + figure(bar_chart(cats, series, f"{zh} {en}")))
    sections.append(Section("charts", "指标图", "charts", "".join(charts)))

    prow = []
    for row in comparison.powers_aligned:
        cells = []
        for n in names:
            ps = row["cells"][n]
            cells.append(
                "<br>".join(
                    f'<span class="tag">{esc(p["notation"])}</span> {bi(p["label"], True)}' for p in ps
                )
                or '<span class="en">—</span>'
            )
        match = row["match"]
        tag = {"exact": "skos:exactMatch", "close": "skos:closeMatch"}.get(
            match or "", "no counterpart 无对应"
        )
        prow.append([f'<span class="tag">{esc(tag)}</span>', *cells])
    sections.append(
        Section(
            "powers",
            "职权对照",
            "powers aligned",
            table(["mapping 对应", *map(esc, names)], prow),
            "Powers granted to streets and townships (gk:Empowerment in force), one row per group of powers "
            "linked by skos:exactMatch or skos:closeMatch (ontology/vocab/qinhuai-power.ttl maps Qinhuai's "
            "six to Beijing's seven).",
        )
    )

    codes = sorted({k for c in cities for k in (c.gaps_by_code or {})})
    if any(c.gaps_by_code is None for c in cities):
        gap_body = '<p class="note">The audit module is not available: no gap counts.</p>'
    elif not codes:
        gap_body = '<p class="note">No findings in any city. 无缺口。</p>'
    else:
        gap_series = [(c.name, {k: float((c.gaps_by_code or {}).get(k, 0)) for k in codes}) for c in cities]
        gap_body = figure(bar_chart([(k, k) for k in codes], gap_series, "gaps by code")) + table(
            ["code 代码", *map(esc, names)],
            [
                [esc(k)] + [f'<span class="num">{(c.gaps_by_code or {}).get(k, 0)}</span>' for c in cities]
                for k in codes
            ],
        )
    sections.append(
        Section(
            "gaps",
            "缺口（按代码）",
            "gaps by code",
            gap_body,
            "Findings of <code>govkg audit</code> on the same date, counted by gap code.",
        )
    )

    frag = []
    for c in cities:
        covered = [cov for cov in c.coverage if cov.bodies]
        top = sorted(covered, key=lambda cov: (-len(cov.bodies), cov.notation, cov.label["zh"]))[:12]
        if not top:
            frag.append(f'<h3>{esc(c.name)}</h3><p class="note">No matter has a responsible body.</p>')
            continue
        cats = [(cov.matter, cov.label) for cov in top]
        vals = {cov.matter: float(len(cov.bodies)) for cov in top}
        frag.append(
            f"<h3>{esc(c.name)}</h3>"
            + figure(
                bar_chart(cats, [("bodies", vals)], f"{c.name}: bodies per matter"),
                "Matters with the most responsible bodies (at most 12 shown). 责任主体最多的事项。",
            )
        )
    sections.append(
        Section(
            "fragmentation",
            "九龙治水：每事项主体数",
            "bodies per matter",
            "".join(frag),
            esc(METRIC_BY_KEY["bodies_per_matter"].definition),
        )
    )

    cov_parts = [
        f"<h3>{esc(c.name)}</h3>" + coverage_figure(c.coverage, c.labels, f"{c.name} coverage")
        for c in cities
    ]
    sections.append(
        Section(
            "coverage",
            "事项 × 主体覆盖",
            "matter × body coverage",
            "".join(cov_parts),
            "Who answers for each matter on the comparison date: duties in force "
            "(supervisory duties left out) and transfers in force.",
        )
    )

    org_parts = [f"<h3>{esc(c.name)}</h3>" + org_figure(c.org, f"{c.name} organisation") for c in cities]
    sections.append(Section("organisation", "组织树", "organisation tree", "".join(org_parts)))

    esc_rows = []
    for c in cities:
        for pol in c.escalation:
            for lv in pol["levels"]:
                esc_rows.append(
                    [
                        esc(c.name),
                        bi(pol["label"], True),
                        bi(lv["severity_label"]),
                        ", ".join(bi(r) for r in lv["required_ranks"]) or "—",
                        ", ".join(bi(r) for r in lv["lead_ranks"]) or "—",
                        "yes 是" if lv["double_report"] else "no 否",
                        f'<span class="num">{esc(lv["response_time"] or "—")}</span>',
                        f'<span class="num">{esc(fmt_num(lv["response_minutes"]))}</span>',
                    ]
                )
    sections.append(
        Section(
            "escalation",
            "分级报到",
            "escalation levels",
            table(
                [
                    "city",
                    "policy 机制",
                    "severity 等级",
                    "required ranks 报到职级",
                    "lead ranks 牵头职级",
                    "double report 双报到",
                    "response 时限",
                    "minutes 分钟",
                ],
                esc_rows,
            ),
        )
    )

    grid_rows = []
    for c in cities:
        for s in c.grids["sets"]:
            grid_rows.append(
                [
                    esc(c.name),
                    "grid set 网格集合",
                    bi(s["label"], True),
                    bi(s["kind"]) if s["kind"] else "—",
                    f'<span class="num">{esc(fmt_num(s["declared"]))}</span>',
                ]
            )
        for r in c.grids["rules"]:
            grid_rows.append(
                [
                    esc(c.name),
                    "size rule 划分标准",
                    bi(r["label"], True),
                    esc(r["estate_type"] or "—"),
                    f'<span class="num">≤ {esc(fmt_num(r["max_households"]))} households 户</span>',
                ]
            )
        grid_rows.append(
            [
                esc(c.name),
                "enumerated 已列",
                "gk:Grid",
                "—",
                f'<span class="num">{c.grids["enumerated"]}</span>',
            ]
        )
    sections.append(
        Section(
            "grids",
            "网格",
            "grids",
            table(["city", "kind 类别", "what 名称", "grid kind / estate 类型", "number 数量"], grid_rows),
        )
    )

    defs = "".join(
        f'<dt id="def-{esc(m.key)}">{bi({"zh": m.zh, "en": m.en})} <code>{esc(m.key)}</code></dt>'
        f"<dd>{esc(m.definition)}</dd>"
        for m in METRICS
    )
    sections.append(Section("definitions", "指标定义", "metric definitions", f'<dl class="defs">{defs}</dl>'))

    lines = [f"Cities 城市: {esc(', '.join(names))}", f"Date 日期: {esc(at)}"]
    return page("城市模型比较", "City models compared", lines, sections)


def _as_float(v: Any) -> float | None:
    return None if v is None else float(v)


# ---------------------------------------------------------------------------
# audit
# ---------------------------------------------------------------------------

AUDIT_SECTIONS = ("summary", "gaps", "findings", "coverage", "organisation")


def audit_html(report: Any, kb: Any) -> str:
    """The HTML report of a :class:`govkg.audit.AuditReport` of the loaded city ``kb``."""
    from govkg.compare import matter_coverage, organisation_graph, responsibility_graph

    counts = report.counts()
    sev = report.severity_counts()
    sections = []
    summary_rows = [[severity_tag(s), f'<span class="num">{n}</span>'] for s, n in sev.items()]
    verdict = "fails: has violations 存在违规缺口" if report.failed else "passes: no violations 无违规缺口"
    sections.append(
        Section(
            "summary",
            "概要",
            "summary",
            f"<p><strong>{len(report.findings)}</strong> finding(s) 项缺口 · {esc(verdict)}</p>"
            + table(["severity 严重程度", "findings 数量"], summary_rows),
        )
    )
    if counts:
        cats = [(code, {"zh": zh_en(report.gap_label(code))[0], "en": code}) for code in counts]
        chart = figure(
            bar_chart(cats, [("findings", {k: float(v) for k, v in counts.items()})], "gaps by code")
        )
    else:
        chart = '<p class="note">No findings. 无缺口。</p>'
    sections.append(
        Section(
            "gaps",
            "缺口（按代码）",
            "gaps by code",
            chart
            + table(
                ["code 代码", "gap 缺口", "findings 数量"],
                [
                    [esc(c), bi(report.gap_label(c)), f'<span class="num">{n}</span>']
                    for c, n in counts.items()
                ],
            ),
        )
    )
    rows = []
    for code, group in report.by_code().items():
        for f in group:
            grounds = "<br>".join(
                iri_link(i, lab) for i, lab in zip(f.legal_ground, f.legal_ground_labels, strict=False)
            )
            rows.append(
                [
                    esc(code),
                    severity_tag(f.severity),
                    iri_link(f.focus, f.focus_label),
                    f'<span lang="zh-Hans">{esc(f.message_zh)}</span><br>'
                    f'<span class="en">{esc(f.message_en)}</span>',
                    grounds or "—",
                ]
            )
    sections.append(
        Section(
            "findings",
            "缺口明细",
            "findings",
            table(
                ["code 代码", "severity 严重程度", "focus 对象", "message 说明", "legal ground 法律依据"],
                rows,
            ),
        )
    )
    resp = responsibility_graph(kb.graph, report.at)
    labels = {n: {"zh": d["label_zh"], "en": d["label_en"]} for n, d in resp.nodes(data=True)}
    sections.append(
        Section(
            "coverage",
            "事项 × 主体覆盖",
            "matter × body coverage",
            coverage_figure(matter_coverage(resp), labels, "coverage"),
            f"Duties and transfers in force on {esc(report.at.isoformat())}.",
        )
    )
    sections.append(
        Section(
            "organisation",
            "组织树",
            "organisation tree",
            org_figure(organisation_graph(kb.graph), "organisation"),
        )
    )
    lines = [f"City 城市: {esc(report.city)}", f"Date 日期: {esc(report.at.isoformat())}"]
    return page("责任缺口审计", "Responsibility-gap audit", lines, sections)


# ---------------------------------------------------------------------------
# reform
# ---------------------------------------------------------------------------

REFORM_SECTIONS = ("reforms", "before-after", "whistles", "gaps", "bodies", "matters", "coverage")
ASPECT_ZH = {
    "lead": "牵头",
    "respondents": "报到主体",
    "role": "角色",
    "ranks": "职级",
    "deadline": "时限",
    "via_transfer": "经由下放",
    "fallback": "兜底",
    "gaps": "缺口",
}


def _answer_html(result: Any) -> str:
    parts = []
    for r in result.respondents:
        lead = result.lead is not None and r.iri == result.lead.iri
        star = ' <span class="tag">牵头 lead</span>' if lead else ""
        ranks = (
            f'<br><span class="en small">{esc(", ".join(x.label_zh for x in r.ranks))}</span>'
            if r.ranks
            else ""
        )
        deadline = f' <span class="small">≤ {esc(r.deadline[11:16])}</span>' if r.deadline else ""
        parts.append(f"{bi({'zh': r.label_zh, 'en': r.label_en})}{star}{deadline}{ranks}")
    if result.fallback:
        parts.append(f'<span class="tag">兜底 fallback</span> {bi(result.fallback.body.to_dict()["label"])}')
    if result.gaps:
        parts.append(" ".join(f'<span class="tag violation">{esc(g.code)}</span>' for g in result.gaps))
    return "<br>".join(parts) or '<span class="en">nobody 无</span>'


def _finding_rows(findings: Sequence[Any], state: str) -> list[list[str]]:
    return [
        [
            f'<span class="tag {state}">{esc(f.code)}</span>',
            severity_tag(f.severity),
            iri_link(f.focus, f.focus_label),
            f'<span lang="zh-Hans">{esc(f.message_zh)}</span><br><span class="en">{esc(f.message_en)}</span>',
        ]
        for f in findings
    ]


def reform_html(result: Any) -> str:
    """The HTML report of a :class:`govkg.reform.ReformResult`."""
    from govkg.compare import matter_coverage, responsibility_graph

    sections = []
    cards = []
    for ov in result.overlays:
        i = ov.reform
        src = iri_link(i.source, i.source) if i.source else esc(i.citation or "")
        rows = [
            [
                esc(c.kind),
                bi({"zh": c.summary_zh, "en": c.summary_en}, True),
                f'<span class="num">{len(c.created)}</span>',
                f'<span class="num">{len(c.ended)}</span>',
                f'<span class="num">+{c.added} / −{c.removed}</span>',
            ]
            for c in ov.log
        ]
        cards.append(
            f"<h3>{bi({'zh': i.label_zh, 'en': i.label_en})}</h3>"
            f"<p><code>{esc(i.id)}</code> · effective 生效 <strong>{esc(i.effective.isoformat())}</strong> · "
            f'<span class="tag {esc(i.status)}">{esc(i.status)}</span> · source 来源 {src}'
            + (f'<br><span class="small">“{esc(i.locator)}”</span>' if i.locator else "")
            + "</p>"
            + table(["change 改变", "what 内容", "new nodes 新节点", "ended 终止", "triples 三元组"], rows)
        )
    sections.append(
        Section(
            "reforms",
            "改革方案",
            "reforms applied",
            "".join(cards),
            f"Applied in this order to <code>{esc(result.city)}</code> as overlays; the baseline "
            f"model is not changed. Compared on {esc(result.at.isoformat())}.",
        )
    )

    charts = []
    if result.audit_before is not None:
        cb, ca = result.audit_before.counts(), result.audit_after.counts()
        codes = sorted(set(cb) | set(ca))
        if codes:
            charts.append(
                "<h3>"
                + heading("缺口（按代码）", "gaps by code")
                + "</h3>"
                + figure(
                    bar_chart(
                        [(c, c) for c in codes],
                        [
                            ({"zh": "改革前", "en": "before"}, {c: float(cb.get(c, 0)) for c in codes}),
                            ({"zh": "改革后", "en": "after"}, {c: float(ca.get(c, 0)) for c in codes}),
                        ],
                        "gaps before and after",
                    )
                )
            )
    load_b: dict[str, float] = {}
    load_a: dict[str, float] = {}
    names: dict[str, Label] = {}
    for w in result.whistles:
        for res, acc in ((w.before, load_b), (w.after, load_a)):
            for r in res.respondents:
                if r.kind == "body":
                    acc[r.iri] = acc.get(r.iri, 0) + 1
                    names[r.iri] = {"zh": r.label_zh, "en": r.label_en}
    moved = sorted(
        (b for b in names if load_b.get(b, 0) != load_a.get(b, 0)),
        key=lambda b: -abs(load_a.get(b, 0) - load_b.get(b, 0)),
    )[:15]
    if moved:
        charts.append(
            "<h3>"
            + heading("各主体须响应的吹哨数", "whistles each body must answer")
            + "</h3>"
            + figure(
                bar_chart(
                    [(b, names[b]) for b in moved],
                    [
                        ({"zh": "改革前", "en": "before"}, {b: load_b.get(b, 0.0) for b in moved}),
                        ({"zh": "改革后", "en": "after"}, {b: load_a.get(b, 0.0) for b in moved}),
                    ],
                    "whistles per body before and after",
                ),
                "Bodies whose number of replayed whistles changes (at most 15). 响应吹哨数有变化的主体。",
            )
        )
    counts = result.counts()
    crow = [
        [esc(o), f'<span class="num">{d["total"]}</span>', f'<span class="num">{d["changed"]}</span>']
        for o, d in counts.items()
    ]
    charts.append(table(["whistles 吹哨", "replayed 重放", "routed differently 派单变化"], crow))
    sections.append(Section("before-after", "改革前后", "before and after", "".join(charts)))

    wrows = []
    for w in result.changed_whistles:
        info = w.after.whistle
        origin = esc(w.probe.origin) + (
            ""
            if w.probe.origin == "probe"
            else f"<br>{iri_link(w.probe.name, '')}"
            if w.probe.name.startswith("http")
            else f"<br>{esc(w.probe.name)}"
        )
        tags = " ".join(f'<span class="tag">{esc(ASPECT_ZH.get(a, a))} {esc(a)}</span>' for a in w.aspects)
        wrows.append(
            [
                origin,
                bi(info.matter.to_dict()["label"], True) + "<br>@ " + bi(info.area.to_dict()["label"]),
                f'<span class="small">{esc(info.at[:16])}<br>{esc(info.severity_name)}</span>',
                tags,
                _answer_html(w.before),
                _answer_html(w.after),
            ]
        )
    sections.append(
        Section(
            "whistles",
            "派单变化",
            "whistles routed differently",
            table(
                [
                    "whistle 吹哨",
                    "matter @ area 事项与区域",
                    "when 时间",
                    "what changed 变化",
                    "before 改革前",
                    "after 改革后",
                ],
                wrows,
            ),
            "Each whistle is routed on the baseline and on the reformed model at the same moment: "
            "recorded whistles keep their time of day on the effective date when they were earlier; "
            "probes are one ordinary whistle per matter and street.",
        )
    )

    if result.audit_before is None:
        gap_body = '<p class="note">The audits were skipped (--no-audit). 未运行审计。</p>'
    else:
        gap_body = (
            "<h3>"
            + heading("消除的缺口", "gaps closed")
            + f" ({len(result.gaps_closed)})</h3>"
            + table(
                ["code 代码", "severity", "focus 对象", "message 说明"],
                _finding_rows(result.gaps_closed, "closed"),
            )
            + "<h3>"
            + heading("新增的缺口", "gaps opened")
            + f" ({len(result.gaps_opened)})</h3>"
            + table(
                ["code 代码", "severity", "focus 对象", "message 说明"],
                _finding_rows(result.gaps_opened, "opened"),
            )
        )
    sections.append(
        Section(
            "gaps",
            "缺口变化",
            "gaps closed and opened",
            gap_body,
            f"Findings of <code>govkg audit</code> on {esc(result.at.isoformat())}, "
            "baseline against reformed.",
        )
    )

    brows = [
        [bi(r["body"]["label"], True)]
        + [
            f'<span class="num">{r[k]}</span>'
            for k in (
                "whistles_gained",
                "whistles_lost",
                "lead_gained",
                "lead_lost",
                "gaps_closed",
                "gaps_opened",
            )
        ]
        for r in result.per_body()
    ]
    sections.append(
        Section(
            "bodies",
            "按主体",
            "per body",
            table(
                [
                    "body 主体",
                    "whistles + 新增响应",
                    "whistles − 不再响应",
                    "lead + 新任牵头",
                    "lead − 不再牵头",
                    "gaps closed 消除缺口",
                    "gaps opened 新增缺口",
                ],
                brows,
            ),
        )
    )
    mrows = [
        [bi(r["matter"]["label"], True)]
        + [
            f'<span class="num">{r[k]}</span>'
            for k in (
                "whistles_changed",
                "routing_gaps_closed",
                "routing_gaps_opened",
                "gaps_closed",
                "gaps_opened",
            )
        ]
        for r in result.per_matter()
    ]
    sections.append(
        Section(
            "matters",
            "按事项",
            "per matter",
            table(
                [
                    "matter 事项",
                    "whistles changed 派单变化",
                    "routing gaps closed 派单缺口消除",
                    "routing gaps opened 派单缺口新增",
                    "audit gaps closed 审计缺口消除",
                    "audit gaps opened 审计缺口新增",
                ],
                mrows,
            ),
        )
    )

    before = responsibility_graph(result.baseline, result.at)
    after = responsibility_graph(result.reformed, result.at)
    _, _, cells_b = coverage_cells(matter_coverage(before))
    cov_a = matter_coverage(after)
    _, _, cells_a = coverage_cells(cov_a)
    diff = {k: "added" for k, v in cells_a.items() if cells_b.get(k) != v}
    diff.update({k: "removed" for k in cells_b if k not in cells_a})
    labels = {
        n: {"zh": d["label_zh"], "en": d["label_en"]} for g in (before, after) for n, d in g.nodes(data=True)
    }
    removed_cols = {b for _, b in diff}
    sections.append(
        Section(
            "coverage",
            "覆盖变化",
            "coverage after the reform",
            coverage_figure(cov_a, labels, "coverage after", diff, sorted(removed_cols)),
            "The matter × body coverage of the reformed model; outlined cells changed: "
            "green + new or changed, red − gone.",
        )
    )
    lines = [
        f"City 城市: {esc(result.city)}",
        f"Compared on 比较日期: {esc(result.at.isoformat())}",
        "Reforms 改革: " + esc(", ".join(ov.reform.id for ov in result.overlays)),
    ]
    return page("改革推演", "Reform what-if", lines, sections)
