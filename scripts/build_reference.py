"""Build reference/statutes.ttl from the statute texts in shared/sources/statutes.

Reads every ``<title>(<yyyy-mm-dd>).md`` file, finds its articles (``第三十四条 …`` at the start
of a line) and numbered items (``（一）…`` or ``(一)…`` at the start of a line, inside an
article), and writes one ``gk:Law`` per statute and one ``gk:LegalProvision`` per article and
per item, with the IRIs and labels that docs/modelling.md prescribes. Chapter and section
headings (Markdown ``#`` lines) end an article; lines before the first article (the
promulgation history) are skipped. The output is deterministic: laws by IRI, provisions by
article and item number, a fixed order of properties, no timestamps.

usage (from the repository root):
    .venv/bin/python scripts/build_reference.py [--statutes DIR] [--output FILE]
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import rdflib

REPO = Path(__file__).resolve().parent.parent
DEFAULT_STATUTES = REPO.parent / "shared" / "sources" / "statutes"
DEFAULT_OUTPUT = REPO / "reference" / "statutes.ttl"

ELI = "https://w3id.org/govkg/eli/"

PREFIXES = {
    "gk": "https://w3id.org/govkg/ns#",
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "st": "https://w3id.org/govkg/vocab/status/",
}

NUMERAL = "零〇一二三四五六七八九十百千"
DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4}
DIGITS |= {"五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
UNITS = {"十": 10, "百": 100, "千": 1000}

ARTICLE_RE = re.compile(rf"^第([{NUMERAL}]+)条")
ITEM_RE = re.compile(r"^[（(]([一二三四五六七八九十]+)[）)]")
FILE_RE = re.compile(r"^(?P<title>.+)\((?P<date>\d{4}-\d{2}-\d{2})\)\.md$")


@dataclass(frozen=True)
class LawInfo:
    """What the texts do not say about a statute: its IRI slug, English title, definition."""

    slug: str
    title_en: str
    definition_zh: str
    definition_en: str


# Keyed by the title in the file name (docs/modelling.md, "Legal provisions").
LAWS: dict[str, LawInfo] = {
    "城市市容和环境卫生管理条例": LawInfo(
        "cn/urban-appearance-sanitation",
        "Regulation on Urban Appearance and Environmental Sanitation",
        "国务院的行政法规，规定城市市容管理、城市环境卫生管理及相应罚则。",
        "A State Council administrative regulation on the management of urban appearance"
        " and of urban environmental sanitation, with the penalties for breaches.",
    ),
    "城市道路管理条例": LawInfo(
        "cn/urban-roads",
        "Regulation on the Administration of Urban Roads",
        "国务院的行政法规，规定城市道路的规划和建设、养护和维修、路政管理及相应罚则。",
        "A State Council administrative regulation on the planning, building, upkeep and"
        " administration of urban roads, with the penalties for breaches.",
    ),
    "城市绿化条例": LawInfo(
        "cn/urban-greening",
        "Regulation on Urban Greening",
        "国务院的行政法规，规定城市绿化的规划和建设、保护和管理及相应罚则。",
        "A State Council administrative regulation on the planning, building, protection"
        " and management of urban green spaces, with the penalties for breaches.",
    ),
    "城乡规划法": LawInfo(
        "cn/urban-rural-planning",
        "Urban and Rural Planning Law of the People's Republic of China",
        "全国人民代表大会常务委员会通过的法律，规定城乡规划的制定、实施、修改、监督检查和法律责任。",
        "A national law, adopted by the Standing Committee of the National People's"
        " Congress, on how urban and rural plans are made, carried out, amended and"
        " supervised, and on liability for breaches.",
    ),
    "大气污染防治法": LawInfo(
        "cn/air-pollution",
        "Law of the People's Republic of China on the Prevention and Control of Atmospheric Pollution",
        "全国人民代表大会常务委员会通过的法律，规定大气污染防治的标准、监督管理、防治措施、"
        "重点区域联合防治、重污染天气应对和法律责任。",
        "A national law, adopted by the Standing Committee of the National People's"
        " Congress, on air-quality standards, supervision, pollution-control measures, joint"
        " control in key regions, heavy-pollution weather and liability for breaches.",
    ),
    "北京市街道办事处条例": LawInfo(
        "bj/street-offices",
        "Beijing Municipal Regulation on Street Offices",
        "北京市的地方性法规，规定街道办事处的机构与职责及其在公共服务、城市管理、社会治理中的工作和保障监督。",
        "A Beijing local regulation on the organisation and duties of street offices and"
        " their work in public services, urban management and social governance, with the"
        " support and oversight they receive.",
    ),
    "北京市接诉即办工作条例": LawInfo(
        "bj/hotline-response",
        "Beijing Municipal Regulation on Responding Immediately to Public Requests",
        "北京市的地方性法规，规定以12345市民服务热线为主渠道的诉求受理、派单、办理、主动治理和考评监督。",
        "A Beijing local regulation on how requests made mainly through the 12345 citizen"
        " service hotline are received, dispatched, handled, addressed at the source and"
        " assessed.",
    ),
    "北京市市容环境卫生条例": LawInfo(
        "bj/appearance-sanitation",
        "Beijing Municipal Regulation on City Appearance and Environmental Sanitation",
        "北京市的地方性法规，规定市容环境卫生责任、城市容貌、环境卫生、环境卫生设施和专业作业的管理。",
        "A Beijing local regulation on responsibility for city appearance and environmental"
        " sanitation, on the look of the city, on sanitation, on sanitation facilities and"
        " on professional cleaning work.",
    ),
}


@dataclass
class Item:
    number: int
    numeral: str
    text: str


@dataclass
class Article:
    number: int
    numeral: str
    lines: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)


@dataclass
class Statute:
    file_name: str
    title: str
    date: str
    info: LawInfo
    short_title: str
    articles: list[Article] = field(default_factory=list)

    @property
    def iri(self) -> str:
        return ELI + self.info.slug


def cn_to_int(numeral: str) -> int:
    """Chinese numeral (up to the thousands) to int: 三十四 -> 34, 一百零二 -> 102."""
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, 0
    for ch in numeral:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in UNITS:
            total += (digit or 1) * UNITS[ch]
            digit = 0
        else:
            raise ValueError(f"not a Chinese numeral: {numeral!r}")
    return total + digit


def parse_statute(path: Path) -> Statute:
    m = FILE_RE.match(path.name)
    if not m:
        raise ValueError(f"{path.name}: expected '<title>(<yyyy-mm-dd>).md'")
    short_title = m.group("title")
    if short_title not in LAWS:
        raise ValueError(f"{path.name}: no IRI slug for {short_title!r}; add it to LAWS")
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    heading = next((line[2:].strip() for line in lines if line.startswith("# ")), None)
    if heading is None:
        raise ValueError(f"{path.name}: no '# <title>' heading")
    statute = Statute(path.name, heading, m.group("date"), LAWS[short_title], short_title)
    current: Article | None = None
    for line in lines:
        if not line:
            continue
        if line.startswith("#"):  # chapter or section heading: not part of any article
            current = None
            continue
        am = ARTICLE_RE.match(line)
        if am:
            current = Article(cn_to_int(am.group(1)), am.group(1), [line])
            statute.articles.append(current)
            continue
        if current is None:  # promulgation history, <!-- INFO END -->
            continue
        current.lines.append(line)
        im = ITEM_RE.match(line)
        if im:
            current.items.append(Item(cn_to_int(im.group(1)), im.group(1), line))
    check_numbering(statute)
    return statute


def check_numbering(statute: Statute) -> None:
    """Duplicate numbers would give two nodes one IRI: fail. Gaps: warn."""
    numbers = [a.number for a in statute.articles]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"{statute.file_name}: duplicate article numbers")
    if numbers != list(range(1, len(numbers) + 1)):
        print(f"warning: {statute.file_name}: articles not numbered 1..n", file=sys.stderr)
    for art in statute.articles:
        items = [i.number for i in art.items]
        if len(set(items)) != len(items):
            raise ValueError(f"{statute.file_name}: article {art.number}: duplicate items")
        if items != list(range(1, len(items) + 1)):
            print(
                f"warning: {statute.file_name}: article {art.number}: items not 1..n",
                file=sys.stderr,
            )


# --- Turtle ---------------------------------------------------------------------------


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r")
    body = f'"""{escaped}"""' if "\n" in escaped else f'"{escaped}"'
    if lang:
        return f"{body}@{lang}"
    if datatype:
        return f"{body}^^{datatype}"
    return body


def block(subject: str, rdf_type: str, pairs: list[tuple[str, str]]) -> str:
    lines = [f"<{subject}> a {rdf_type} ;"]
    for i, (pred, obj) in enumerate(pairs):
        end = " ." if i == len(pairs) - 1 else " ;"
        lines.append(f"    {pred} {obj}{end}")
    return "\n".join(lines) + "\n"


def law_block(s: Statute) -> str:
    pairs = [
        ("rdfs:label", literal(s.title, "zh")),
        ("rdfs:label", literal(s.info.title_en, "en")),
    ]
    if s.short_title != s.title:
        pairs.append(("skos:altLabel", literal(s.short_title, "zh")))
    pairs += [
        ("dct:title", literal(s.title, "zh")),
        ("dct:date", literal(s.date, datatype="xsd:date")),
        ("gk:localFile", literal(f"sources/statutes/{s.file_name}")),
        ("skos:definition", literal(s.info.definition_zh, "zh")),
        ("skos:definition", literal(s.info.definition_en, "en")),
        ("gk:status", "st:sourced"),
    ]
    return block(s.iri, "gk:Law", pairs)


def article_block(s: Statute, art: Article) -> str:
    iri = f"{s.iri}/art/{art.number}"
    pairs = [
        ("rdfs:label", literal(f"{s.title} 第{art.numeral}条", "zh")),
        ("rdfs:label", literal(f"{s.info.title_en}, Art. {art.number}", "en")),
        ("dct:isPartOf", f"<{s.iri}>"),
        ("gk:articleNumber", literal(str(art.number), datatype="xsd:positiveInteger")),
        ("gk:quotedText", literal("\n".join(art.lines), "zh")),
        ("skos:definition", literal(f"《{s.title}》的一条。", "zh")),
        ("skos:definition", literal(f"An article of the {s.info.title_en}.", "en")),
        ("dct:source", f"<{s.iri}>"),
        ("gk:status", "st:sourced"),
    ]
    return block(iri, "gk:LegalProvision", pairs)


def item_block(s: Statute, art: Article, item: Item) -> str:
    art_iri = f"{s.iri}/art/{art.number}"
    iri = f"{art_iri}/item/{item.number}"
    en_ref = f"Art. {art.number}({item.number})"
    pairs = [
        ("rdfs:label", literal(f"{s.title} 第{art.numeral}条（{item.numeral}）", "zh")),
        ("rdfs:label", literal(f"{s.info.title_en}, {en_ref}", "en")),
        ("dct:isPartOf", f"<{art_iri}>"),
        ("gk:articleNumber", literal(str(art.number), datatype="xsd:positiveInteger")),
        ("gk:itemNumber", literal(str(item.number), datatype="xsd:positiveInteger")),
        ("gk:quotedText", literal(item.text, "zh")),
        ("skos:definition", literal(f"《{s.title}》第{art.numeral}条的一项。", "zh")),
        (
            "skos:definition",
            literal(f"An item of Article {art.number} of the {s.info.title_en}.", "en"),
        ),
        ("dct:source", f"<{s.iri}>"),
        ("gk:status", "st:sourced"),
    ]
    return block(iri, "gk:LegalProvision", pairs)


def render(statutes: list[Statute]) -> str:
    out = [
        "# Laws and legal provisions (articles and items) of the statutes in",
        "# shared/sources/statutes. GENERATED by scripts/build_reference.py: do not edit;",
        "# change the script or the texts and run it again.",
    ]
    out += [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()]
    for s in sorted(statutes, key=lambda st: st.iri):
        out.append("")
        out.append(f"# ---- {s.title} ({s.date})")
        out.append("")
        out.append(law_block(s))
        for art in sorted(s.articles, key=lambda a: a.number):
            out.append(article_block(s, art))
            for item in sorted(art.items, key=lambda i: i.number):
                out.append(item_block(s, art, item))
    return "\n".join(out).rstrip("\n") + "\n"


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file 0600
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--statutes", type=Path, default=DEFAULT_STATUTES, help="statute folder")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="Turtle file to write")
    args = ap.parse_args(argv)
    files = sorted(args.statutes.glob("*.md"))
    if not files:
        print(f"error: no statute files in {args.statutes}", file=sys.stderr)
        return 2
    try:
        statutes = [parse_statute(f) for f in files]
    except ValueError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    text = render(statutes)
    graph = rdflib.Graph().parse(data=text, format="turtle")  # fail before writing bad Turtle
    write_atomically(args.output, text)
    for s in sorted(statutes, key=lambda st: st.iri):
        items = sum(len(a.items) for a in s.articles)
        print(f"{s.info.slug}: {len(s.articles)} articles, {items} items")
    print(f"wrote {args.output} ({len(graph)} triples)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
