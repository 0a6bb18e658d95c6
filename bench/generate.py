"""A synthetic city for benchmarks, and whistle files for it; deterministic by seed.

    python bench/generate.py city --scale beijing --out bench/out/synthetic-beijing
    python bench/generate.py whistles --city bench/out/synthetic-beijing --count 25000000 \
        --out bench/out/whistles-25m.csv

The city follows docs/modelling.md (every node typed, labelled @zh and @en, ``dct:source``
src:design, ``gk:status st:illustrative`` and an ``rdfs:comment`` saying it is synthetic), so
``govkg.load`` and ``govkg validate`` read it like any other city. It is written as N-Triples,
one file per kind, streamed (never held as a graph), to temporary files that are renamed at the
end. It exercises every routing feature in rough Beijing proportions (bench/README.md):
a matter hierarchy, districts / streets and townships / communities (/ grids), district
departments with lead, cooperating and supervising duties, validity windows, the 431
enforcement matters moved to every street (``gk:toStreetsOf``; street enforcement offices where
a street has one, else the street office or township government), pilot ``gk:toBody``
transfers, escalation policies with lead posts and double report (and nearer township
policies), community duty lists, and a small share of every gap the audit looks for.

Whistle files are CSV with the route-batch columns ``id,time,matter,area,severity,raised_by``
(matters, areas and bodies by their skos:notation), written in chunks.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

BASE = "https://w3id.org/govkg/"
GK = BASE + "ns#"
VOCAB = BASE + "vocab/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
SRC_DESIGN = BASE + "source/design"
ST_ILLUSTRATIVE = VOCAB + "status/illustrative"
ELI = BASE + "eli/"
COMMENT = "Synthetic benchmark data made by bench/generate.py; not a fact about any real place."


@dataclass(frozen=True)
class CityParams:
    """How big the city is. ``beijing`` is the issue's scale; the others are for tests."""

    name: str = "synthetic-beijing"
    seed: int = 2025
    districts: int = 16
    streets: int = 343  # streets and townships in all
    township_share: float = 0.52
    enforcement_office_share: float = 0.845  # 290 of 343 (seed 000)
    communities_per_street: int = 20
    grids_per_community: int = 0
    departments_per_district: int = 40
    matters: int = 2000
    depth: int = 3
    duties_per_department: int = 60
    street_duties: int = 40
    community_duties: int = 5
    transferred: int = 431  # enforcement matters moved down to every street (2020)
    pilot_streets_per_district: int = 2
    pilot_transfers: int = 10
    standing_members: int = 10
    deputy_heads: int = 6
    recorded_whistles: int = 200
    # shares of deliberate defects, so that every gap type has findings
    uncovered_share: float = 0.004
    two_leads_share: float = 0.01
    stale_share: float = 0.01
    no_basis_share: float = 0.01  # empowerments without a statute (core.ttl requires one on duties)
    community_outside_share: float = 0.02
    no_power_share: float = 0.02


SCALES: dict[str, CityParams] = {
    "beijing": CityParams(),
    "medium": CityParams(
        name="synthetic-medium",
        districts=4,
        streets=40,
        communities_per_street=8,
        departments_per_district=20,
        matters=400,
        duties_per_department=25,
        street_duties=20,
        community_duties=4,
        transferred=80,
        recorded_whistles=60,
    ),
    "small": CityParams(
        name="synthetic-small",
        districts=2,
        streets=6,
        communities_per_street=2,
        grids_per_community=1,
        departments_per_district=6,
        matters=60,
        duties_per_department=8,
        street_duties=4,
        community_duties=2,
        transferred=8,
        pilot_streets_per_district=1,
        pilot_transfers=2,
        standing_members=2,
        deputy_heads=2,
        recorded_whistles=12,
        uncovered_share=0.3,
        two_leads_share=0.1,
        stale_share=0.1,
        no_basis_share=0.1,
        community_outside_share=0.2,
        no_power_share=0.2,
    ),
}

DEPARTMENTS = [
    ("城市管理委员会", "Urban Management Commission"),
    ("城市管理综合行政执法局", "Urban Management Enforcement Bureau"),
    ("市场监督管理局", "Market Regulation Bureau"),
    ("生态环境局", "Ecology and Environment Bureau"),
    ("住房和城乡建设委员会", "Housing and Urban-Rural Development Commission"),
    ("交通委员会", "Transport Commission"),
    ("水务局", "Water Bureau"),
    ("公安分局", "Public Security Sub-bureau"),
    ("卫生健康委员会", "Health Commission"),
    ("教育委员会", "Education Commission"),
    ("民政局", "Civil Affairs Bureau"),
    ("人力资源和社会保障局", "Human Resources and Social Security Bureau"),
    ("规划和自然资源分局", "Planning and Natural Resources Sub-bureau"),
    ("园林绿化局", "Landscaping Bureau"),
    ("文化和旅游局", "Culture and Tourism Bureau"),
    ("应急管理局", "Emergency Management Bureau"),
    ("消防救援支队", "Fire and Rescue Division"),
    ("交通支队", "Traffic Police Division"),
    ("商务局", "Commerce Bureau"),
    ("财政局", "Finance Bureau"),
    ("司法局", "Justice Bureau"),
    ("体育局", "Sports Bureau"),
    ("农业农村局", "Agriculture and Rural Affairs Bureau"),
    ("退役军人事务局", "Veterans Affairs Bureau"),
    ("医疗保障局", "Medical Security Bureau"),
    ("税务局", "Tax Bureau"),
    ("统计局", "Statistics Bureau"),
    ("审计局", "Audit Bureau"),
    ("信访办", "Letters and Visits Office"),
    ("发展和改革委员会", "Development and Reform Commission"),
    ("科学技术和信息化局", "Science, Technology and Informatisation Bureau"),
    ("国有资产监督管理委员会", "State Assets Commission"),
    ("地方金融监督管理局", "Local Financial Regulation Bureau"),
    ("政务服务管理局", "Government Services Bureau"),
    ("城市管理指挥中心", "Urban Management Command Centre"),
    ("房屋管理局", "Housing Administration Bureau"),
    ("人民防空办公室", "Civil Air Defence Office"),
    ("档案局", "Archives Bureau"),
    ("粮食和物资储备局", "Grain and Reserves Bureau"),
    ("气象局", "Meteorological Bureau"),
]
VERTICAL = {"公安分局", "规划和自然资源分局", "消防救援支队", "交通支队", "税务局", "气象局"}
CATEGORIES = [
    ("市容环境", "city appearance"),
    ("街巷秩序", "street order"),
    ("违法建设", "unauthorised construction"),
    ("环境保护", "environmental protection"),
    ("物业管理", "property management"),
    ("交通出行", "transport"),
    ("供水排水", "water supply and drainage"),
    ("社会治安", "public order"),
    ("医疗卫生", "health"),
    ("教育", "education"),
    ("社会保障", "social security"),
    ("劳动就业", "employment"),
    ("规划国土", "planning and land"),
    ("园林绿化", "greening"),
    ("文化旅游", "culture and tourism"),
    ("安全生产", "work safety"),
    ("消防安全", "fire safety"),
    ("市场监管", "market regulation"),
    ("食品药品", "food and drugs"),
    ("供暖燃气", "heating and gas"),
]
ENFORCEMENT_TYPES = ("penalty", "inspection", "coercion")
OTHER_TYPES = ("responsibility", "public-service", "licensing", "confirmation")


# ------------------------------------------------------------------------------------------
# N-Triples writing
# ------------------------------------------------------------------------------------------
def _esc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


class NT:
    """One N-Triples file, written to a temporary file and renamed by :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        fd, self.tmp = tempfile.mkstemp(dir=path.parent, prefix="." + path.name, suffix=".tmp")
        self.fh: TextIO = os.fdopen(fd, "w", encoding="utf-8", newline="\n", buffering=1 << 20)
        self.count = 0

    def iri(self, s: str, p: str, o: str) -> None:
        self.fh.write(f"<{s}> <{p}> <{o}> .\n")
        self.count += 1

    def lit(self, s: str, p: str, value: str, lang: str | None = None, dt: str | None = None) -> None:
        tail = f"@{lang}" if lang else (f"^^<{dt}>" if dt else "")
        self.fh.write(f'<{s}> <{p}> "{_esc(value)}"{tail} .\n')
        self.count += 1

    def node(self, s: str, cls: str | list[str], zh: str, en: str, label: str = RDFS + "label") -> None:
        """A node as docs/modelling.md wants it: typed, labelled zh+en, sourced, illustrative."""
        for c in [cls] if isinstance(cls, str) else cls:
            self.iri(s, RDF_TYPE, c)
        self.lit(s, label, zh, "zh")
        self.lit(s, label, en, "en")
        self.iri(s, DCT + "source", SRC_DESIGN)
        self.iri(s, GK + "status", ST_ILLUSTRATIVE)
        self.lit(s, RDFS + "comment", COMMENT, "en")

    def close(self) -> None:
        self.fh.close()
        os.chmod(self.tmp, 0o644)
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.fh.close()
        Path(self.tmp).unlink(missing_ok=True)


def _date(d: date) -> str:
    return d.isoformat()


# ------------------------------------------------------------------------------------------
# The city's structure (small: plain lists of ids), then its triples
# ------------------------------------------------------------------------------------------
@dataclass
class Street:
    district: int
    index: int
    township: bool
    has_seo: bool
    communities: list[int] = field(default_factory=list)


def _level_sizes(total: int, depth: int) -> list[int]:
    b = total ** (1.0 / depth)
    sizes = []
    prev = 1.0
    for _ in range(depth - 1):
        prev = max(1.0, prev * b)
        sizes.append(max(1, round(prev)))
    sizes.append(max(1, total - sum(sizes)))
    return sizes


def _provisions(root: Path) -> list[str]:
    """Article IRIs of the national statutes in reference/statutes.ttl (legal bases)."""
    out = []
    text = (root / "reference" / "statutes.ttl").read_text(encoding="utf-8")
    for line in text.splitlines():
        if line.startswith("<" + ELI + "cn/") and " a gk:LegalProvision" in line:
            out.append(line[1 : line.index(">")])
    return sorted(out) or [ELI + "cn/urban-appearance-sanitation/art/34"]


def generate_city(params: CityParams, out: Path, root: Path | None = None) -> dict[str, int]:
    """Write the city into folder ``out``; return the number of triples per file."""
    root = Path(__file__).resolve().parents[1] if root is None else root
    out.mkdir(parents=True, exist_ok=True)
    files = {
        k: NT(out / f"{k}.nt")
        for k in (
            "areas",
            "bodies",
            "posts",
            "matters",
            "duties",
            "transfers",
            "policies",
            "sets",
            "whistles",
        )
    }
    try:
        counts = _write_city(params, files, _provisions(root))
    except BaseException:
        for f in files.values():
            f.abort()
        raise
    for f in files.values():
        f.close()
    (out / "README.md").write_text(_readme(params, counts), encoding="utf-8")
    return counts


def _write_city(p: CityParams, w: dict[str, NT], provisions: list[str]) -> dict[str, int]:
    rnd = random.Random(p.seed)
    city = f"{BASE}id/{p.name}/"
    area, body, post, matter = city + "area/", city + "body/", city + "post/", city + "matter/"
    duty, transfer, policy, setp = city + "duty/", city + "transfer/", city + "policy/", city + "set/"
    whistle, report, package, empowerment = (
        city + "whistle/",
        city + "report/",
        city + "package/",
        city + "empowerment/",
    )
    scheme = city + "matters"
    A, B, M = w["areas"], w["bodies"], w["matters"]

    # -- areas and bodies ------------------------------------------------------------------
    A.node(area + "city", GK + "City", "合成市", "Synthetic City")
    A.lit(area + "city", SKOS + "notation", "C")
    B.node(body + "city-gov", GK + "MunicipalGovernment", "合成市人民政府", "Synthetic City Government")
    B.iri(body + "city-gov", DCT + "spatial", area + "city")
    per = [p.streets // p.districts + (1 if i < p.streets % p.districts else 0) for i in range(p.districts)]
    streets: list[Street] = []
    for d in range(p.districts):
        dn = f"D{d + 1:02d}"
        darea = area + dn.lower()
        A.node(darea, GK + "District", f"第{d + 1:02d}区", f"District {d + 1:02d}")
        A.iri(darea, GK + "within", area + "city")
        A.lit(darea, SKOS + "notation", dn)
        gov = body + f"{dn.lower()}-gov"
        B.node(gov, GK + "DistrictGovernment", f"第{d + 1:02d}区人民政府", f"District {d + 1:02d} Government")
        B.iri(gov, DCT + "spatial", darea)
        B.iri(gov, ORG + "subOrganizationOf", body + "city-gov")
        for s in range(per[d]):
            township = rnd.random() < p.township_share and d >= p.districts // 4  # central districts: streets
            township = township or (d == p.districts - 1 and s == per[d] - 1)  # at least one township
            has_seo = rnd.random() < p.enforcement_office_share
            has_seo = True if s == 0 else (False if d == 0 and s == per[d] - 1 else has_seo)  # both kinds
            st = Street(d, s, township, has_seo)
            streets.append(st)
            sn = f"{dn}S{s + 1:03d}"
            sarea = area + sn.lower()
            kind_zh, kind_en = ("镇", "Town") if township else ("街道", "Street")
            A.node(
                sarea,
                GK + ("Township" if township else "Street"),
                f"第{d + 1:02d}区第{s + 1:03d}{kind_zh}",
                f"District {d + 1:02d} {kind_en} {s + 1:03d}",
            )
            A.iri(sarea, GK + "within", darea)
            A.lit(sarea, SKOS + "notation", sn)
            office = body + f"{sn.lower()}-office"
            if township:
                B.node(
                    office,
                    GK + "TownshipGovernment",
                    f"第{d + 1:02d}区第{s + 1:03d}镇人民政府",
                    f"District {d + 1:02d} Town {s + 1:03d} Government",
                )
            else:
                B.node(
                    office,
                    GK + "StreetOffice",
                    f"第{d + 1:02d}区第{s + 1:03d}街道办事处",
                    f"District {d + 1:02d} Street {s + 1:03d} Office",
                )
            B.iri(office, DCT + "spatial", sarea)
            B.iri(office, ORG + "subOrganizationOf", gov)
            B.lit(office, SKOS + "notation", sn + "-O")
            if st.has_seo:
                seo = body + f"{sn.lower()}-enf"
                B.node(
                    seo,
                    GK + "StreetEnforcementOffice",
                    f"第{d + 1:02d}区第{s + 1:03d}{kind_zh}综合行政执法队",
                    f"District {d + 1:02d} {kind_en} {s + 1:03d} Enforcement Team",
                )
                B.iri(seo, DCT + "spatial", sarea)
                B.iri(seo, ORG + "subOrganizationOf", office)
            for c in range(p.communities_per_street):
                st.communities.append(c)
                cn = f"{sn}C{c + 1:02d}"
                carea = area + cn.lower()
                village = township and c % 2 == 1
                ck_zh, ck_en = ("村", "Village") if village else ("社区", "Community")
                A.node(
                    carea,
                    GK + ("Village" if village else "Community"),
                    f"{sn}{ck_zh}{c + 1:02d}",
                    f"{sn} {ck_en} {c + 1:02d}",
                )
                A.iri(carea, GK + "within", sarea)
                A.lit(carea, SKOS + "notation", cn)
                cb = body + f"{cn.lower()}-committee"
                B.node(
                    cb,
                    GK + ("VillagersCommittee" if village else "ResidentsCommittee"),
                    f"{sn}{ck_zh}{c + 1:02d}{'村民委员会' if village else '居民委员会'}",
                    f"{sn} {ck_en} {c + 1:02d} {'Villagers' if village else 'Residents'} Committee",
                )
                B.iri(cb, DCT + "spatial", carea)
                for g in range(p.grids_per_community):
                    gn = f"{cn}G{g + 1}"
                    A.node(
                        area + gn.lower(),
                        GK + "Grid",
                        f"{sn}{ck_zh}{c + 1:02d}第{g + 1}网格",
                        f"{sn} {ck_en} {c + 1:02d} Grid {g + 1}",
                    )
                    A.iri(area + gn.lower(), GK + "within", carea)
                    A.lit(area + gn.lower(), SKOS + "notation", gn)

    # -- matters -----------------------------------------------------------------------------
    M.node(scheme, SKOS + "ConceptScheme", "合成市派单目录", "Synthetic City dispatch catalogue")
    sizes = _level_sizes(p.matters, p.depth)
    levels: list[list[str]] = []
    parent_of: dict[str, str] = {}
    notation_of: dict[str, str] = {}
    category_of: dict[str, int] = {}
    for li, n in enumerate(sizes):
        row = []
        for i in range(n):
            if li == 0:
                note = f"M{i + 1:02d}"
                cat = i
                zh, en = CATEGORIES[i % len(CATEGORIES)]
                if i >= len(CATEGORIES):
                    zh, en = f"{zh}{i // len(CATEGORIES) + 1}", f"{en} {i // len(CATEGORIES) + 1}"
                parent = None
            else:
                parent = levels[li - 1][i % len(levels[li - 1])]
                k = sum(1 for x in row if parent_of[x] == parent) + 1
                note = f"{notation_of[parent]}-{k:02d}"
                cat = category_of[parent]
                zh, en = (
                    f"{CATEGORIES[cat % len(CATEGORIES)][0]}事项{note}",
                    f"{CATEGORIES[cat % len(CATEGORIES)][1]} item {note}",
                )
            iri = matter + note.lower()
            notation_of[iri], category_of[iri] = note, cat
            if parent:
                parent_of[iri] = parent
            M.node(iri, [GK + "Matter", SKOS + "Concept"], zh, en, label=SKOS + "prefLabel")
            M.iri(iri, SKOS + "inScheme", scheme)
            M.lit(iri, SKOS + "notation", note)
            if parent:
                M.iri(iri, SKOS + "broader", parent)
            row.append(iri)
        levels.append(row)
    leaves = levels[-1]
    mids = levels[-2] if len(levels) > 1 else levels[-1]
    tops = levels[0]
    n_cat = len(tops)
    leaves_of_mid: dict[str, list[str]] = {}
    for leaf in leaves:
        leaves_of_mid.setdefault(parent_of.get(leaf, leaf), []).append(leaf)
    mids_of_cat: dict[int, list[str]] = {}
    for m in mids:
        mids_of_cat.setdefault(category_of[m], []).append(m)
    transfer_list = sorted(rnd.sample(leaves, min(p.transferred, len(leaves))), key=leaves.index)
    transfer_set = set(transfer_list)

    # -- departments, posts, duties ------------------------------------------------------------
    D, T, P, S, W = w["duties"], w["transfers"], w["policies"], w["sets"], w["whistles"]
    Po = w["posts"]
    base_from = date(2015, 1, 1)
    moved_on = date(2020, 1, 1)
    lead_dept_of_cat: dict[tuple[int, int], str] = {}
    duty_count = 0
    recorded_targets: list[tuple[int, str]] = []  # (district, matter) with a lead department
    skipped: list[tuple[int, str]] = []  # (district, mid-level matter) left without a lead duty
    covered: set[tuple[str, str]] = set()  # (area, matter) of every duty

    def add_duty(
        iri: str,
        holder: str,
        m: str,
        area_iri: str,
        dtype: str,
        role: str,
        valid_from: date,
        valid_to: date | None = None,
        basis: bool = True,
        member_of: str | None = None,
        zh: str = "",
        en: str = "",
    ) -> None:
        nonlocal duty_count
        duty_count += 1
        covered.add((area_iri, m))
        D.node(iri, GK + "Duty", zh, en)
        D.iri(iri, GK + "holder", holder)
        D.iri(iri, GK + "matter", m)
        D.iri(iri, GK + "dutyType", VOCAB + "duty-type/" + dtype)
        D.iri(iri, GK + "role", VOCAB + "role/" + role)
        D.iri(iri, GK + "area", area_iri)
        if dtype in ENFORCEMENT_TYPES and basis:
            D.iri(
                iri, GK + "legalBasis", provisions[int.from_bytes(iri.encode()[-4:], "big") % len(provisions)]
            )
        D.lit(iri, GK + "validFrom", _date(valid_from), dt=XSD + "date")
        if valid_to is not None:
            D.lit(iri, GK + "validTo", _date(valid_to), dt=XSD + "date")
        if member_of:
            D.iri(iri, GK + "memberOf", member_of)

    for d in range(p.districts):
        dn = f"d{d + 1:02d}"
        darea, gov = area + dn, body + f"{dn}-gov"
        depts = []
        for k in range(p.departments_per_district):
            zh, en = DEPARTMENTS[k % len(DEPARTMENTS)]
            if k >= len(DEPARTMENTS):
                zh, en = f"{zh}（{k // len(DEPARTMENTS) + 1}）", f"{en} ({k // len(DEPARTMENTS) + 1})"
            iri = body + f"{dn}-dept{k + 1:02d}"
            cls = GK + (
                "VerticallyManagedDepartment"
                if DEPARTMENTS[k % len(DEPARTMENTS)][0] in VERTICAL
                else "FunctionalDepartment"
            )
            B.node(iri, cls, f"第{d + 1:02d}区{zh}", f"District {d + 1:02d} {en}")
            B.iri(iri, DCT + "spatial", darea)
            B.iri(iri, ORG + "subOrganizationOf", gov)
            depts.append(iri)
        # each category: one lead department, one or two cooperating ones
        cats_of_dept: dict[str, list[int]] = {x: [] for x in depts}
        coop_of_cat: dict[int, list[str]] = {}
        for c in range(n_cat):
            lead = depts[c % len(depts)]
            lead_dept_of_cat[(d, c)] = lead
            cats_of_dept[lead].append(c)
            coops = [depts[(c + j * 7 + 3) % len(depts)] for j in range(1, 3)]
            coop_of_cat[c] = [x for x in dict.fromkeys(coops) if x != lead]
            for x in coop_of_cat[c]:
                cats_of_dept[x].append(c)
        # lead duties on every mid-level matter (coverage), except a small share
        for m in mids:
            c = category_of[m]
            if rnd.random() < p.uncovered_share:
                skipped.append((d, m))
                continue
            lead = lead_dept_of_cat[(d, c)]
            add_duty(
                duty + f"{dn}-{notation_of[m].lower()}-lead",
                lead,
                m,
                darea,
                "responsibility",
                "lead",
                base_from + timedelta(days=rnd.randrange(0, 1500)),
                zh=f"第{d + 1:02d}区{notation_of[m]}牵头职责",
                en=f"District {d + 1:02d} lead duty on {notation_of[m]}",
            )
            recorded_targets.append((d, m))
        # leaf duties: cooperating departments (and the lead's own), up to duties_per_department each
        for x in depts:
            cats = cats_of_dept[x] or [depts.index(x) % n_cat]
            pool = [leaf for c in cats for m in mids_of_cat.get(c, []) for leaf in leaves_of_mid.get(m, [])]
            pool = [leaf for leaf in pool if leaf not in transfer_set]
            if not pool:
                continue
            for j, leaf in enumerate(rnd.sample(pool, min(len(pool), p.duties_per_department))):
                c = category_of[leaf]
                is_lead = lead_dept_of_cat[(d, c)] == x or rnd.random() < p.two_leads_share
                dtype = rnd.choice(ENFORCEMENT_TYPES) if rnd.random() < 0.35 else rnd.choice(OTHER_TYPES)
                start = base_from + timedelta(days=rnd.randrange(0, 2500))
                end = None
                if rnd.random() < 0.05:  # replaced by a newer duty: a validity window
                    end = start + timedelta(days=rnd.randrange(200, 1500))
                add_duty(
                    duty + f"{dn}-{x.rsplit('-', 1)[-1]}-{j:03d}",
                    x,
                    leaf,
                    darea,
                    dtype,
                    "lead" if is_lead else "cooperate",
                    start,
                    end,
                    zh=f"第{d + 1:02d}区部门职责{notation_of[leaf]}",
                    en=f"District {d + 1:02d} duty on {notation_of[leaf]}",
                )
        # the transferred enforcement matters: the department's penalty duty, ended the day
        # before the transfer (a few still valid: stale), often a supervision duty kept
        pkg = package + f"{dn}-431"
        S.node(
            pkg,
            GK + "TransferPackage",
            f"第{d + 1:02d}区下放街乡执法事项",
            f"District {d + 1:02d} enforcement matters moved to streets",
        )
        S.lit(pkg, GK + "declaredCount", str(p.transferred), dt=XSD + "nonNegativeInteger")
        from_bodies = set()
        for k, leaf in enumerate(transfer_list):
            if d % 5 == 4 and k == len(transfer_list) - 1:
                continue  # one district enumerates one matter fewer than it declares (GAP-COUNT)
            c = category_of[leaf]
            holder = lead_dept_of_cat[(d, c)]
            from_bodies.add(holder)
            diri = duty + f"{dn}-t{k + 1:03d}"
            stale = rnd.random() < p.stale_share
            add_duty(
                diri,
                holder,
                leaf,
                darea,
                "penalty",
                "lead",
                date(2012, 1, 1) + timedelta(days=rnd.randrange(0, 900)),
                None if stale else moved_on - timedelta(days=1),
                zh=f"第{d + 1:02d}区{notation_of[leaf]}行政处罚",
                en=f"District {d + 1:02d} penalties: {notation_of[leaf]}",
            )
            if rnd.random() < 0.5:
                add_duty(
                    diri + "-supervise",
                    holder,
                    leaf,
                    darea,
                    "inspection",
                    "supervise",
                    moved_on,
                    zh=f"第{d + 1:02d}区{notation_of[leaf]}监管",
                    en=f"District {d + 1:02d} supervision: {notation_of[leaf]}",
                )
            tiri = transfer + f"{dn}-t{k + 1:03d}"
            T.node(
                tiri,
                GK + "Transfer",
                f"第{d + 1:02d}区{notation_of[leaf]}执法下放街乡",
                f"District {d + 1:02d}: enforcement of {notation_of[leaf]} moved to every street and town",
            )
            T.iri(tiri, GK + "fromBody", holder)
            T.iri(tiri, GK + "toStreetsOf", darea)
            T.iri(tiri, GK + "transferredDuty", diri)
            T.iri(tiri, GK + "matter", leaf)
            T.lit(tiri, GK + "validFrom", _date(moved_on), dt=XSD + "date")
            T.iri(tiri, GK + "instrument", SRC_DESIGN)
            T.iri(tiri, GK + "memberOf", pkg)
        S.lit(pkg, GK + "declaredBodyCount", str(len(from_bodies)), dt=XSD + "nonNegativeInteger")
        # pilot streets: a few more matters moved to their enforcement office (toBody), some ended
        dstreets = [s for s in streets if s.district == d]
        pilots = [s for s in dstreets if s.has_seo][: p.pilot_streets_per_district]
        for s in pilots:
            sn = f"{dn}s{s.index + 1:03d}"
            pool = [leaf for leaf in leaves if leaf not in transfer_set]
            for k, leaf in enumerate(rnd.sample(pool, min(p.pilot_transfers, len(pool)))):
                c = category_of[leaf]
                holder = lead_dept_of_cat[(d, c)]
                diri = duty + f"{sn}-pilot{k + 1:02d}"
                add_duty(
                    diri,
                    holder,
                    leaf,
                    darea,
                    "penalty",
                    "lead",
                    date(2016, 1, 1),
                    zh=f"第{d + 1:02d}区{notation_of[leaf]}处罚（试点前）",
                    en=f"District {d + 1:02d} penalties: {notation_of[leaf]} (before the pilot)",
                )
                tiri = transfer + f"{sn}-pilot{k + 1:02d}"
                T.node(
                    tiri,
                    GK + "Transfer",
                    f"{notation_of[leaf]}执法下放试点街道",
                    f"Pilot: {notation_of[leaf]} enforcement moved to a street",
                )
                T.iri(tiri, GK + "fromBody", holder)
                T.iri(tiri, GK + "toBody", body + f"{sn}-enf")
                T.iri(tiri, GK + "transferredDuty", diri)
                T.iri(tiri, GK + "matter", leaf)
                T.lit(tiri, GK + "validFrom", "2019-09-01", dt=XSD + "date")
                if k % 4 == 3:
                    T.lit(tiri, GK + "validTo", "2021-12-31", dt=XSD + "date")
                T.iri(tiri, GK + "instrument", SRC_DESIGN)
        # street and community duties, lists and empowerments
        for s in dstreets:
            sn = f"{dn}s{s.index + 1:03d}"
            sarea, office = area + sn, body + f"{sn}-office"
            lst = setp + f"{sn}-duties"
            S.node(lst, GK + "DutyList", f"{sn.upper()}街乡职责清单", f"{sn.upper()} street duty list")
            S.iri(lst, GK + "listOf", office)
            if s.index % 7 == 0:
                S.lit(lst, GK + "declaredCount", "111", dt=XSD + "nonNegativeInteger")
            emp = empowerment + sn
            S.node(
                emp, GK + "Empowerment", f"{sn.upper()}街乡七项职权", f"{sn.upper()}: the seven street powers"
            )
            S.iri(emp, GK + "grantor", gov)
            S.iri(emp, GK + "grantee", office)
            for k in range(1, 8):
                S.iri(emp, GK + "power", VOCAB + f"beijing-street-power/p{k}")
            S.lit(emp, GK + "validFrom", "2020-01-01", dt=XSD + "date")
            if rnd.random() >= p.no_basis_share:
                S.iri(emp, GK + "legalBasis", ELI + "bj/street-offices/art/11")
            for k, m in enumerate(rnd.sample(mids + leaves, min(p.street_duties, len(mids) + len(leaves)))):
                enforcement = rnd.random() < p.no_power_share
                add_duty(
                    duty + f"{sn}-{k:03d}",
                    office,
                    m,
                    sarea,
                    "inspection" if enforcement else "responsibility",
                    "lead" if k % 5 == 0 else "cooperate",
                    date(2019, 1, 1) + timedelta(days=rnd.randrange(0, 800)),
                    member_of=lst,
                    zh=f"{sn.upper()}街乡职责{notation_of[m]}",
                    en=f"{sn.upper()} street duty on {notation_of[m]}",
                )
            for c in s.communities:
                cn = f"{sn}c{c + 1:02d}"
                carea, cb = area + cn, body + f"{cn}-committee"
                clist = setp + f"{cn}-list"
                S.node(
                    clist,
                    GK + "CommunityDutyList",
                    f"{cn.upper()}社区职责清单",
                    f"{cn.upper()} community duty list",
                )
                S.iri(clist, GK + "listOf", cb)
                for k, m in enumerate(rnd.sample(leaves, min(p.community_duties, len(leaves)))):
                    inside = rnd.random() >= p.community_outside_share
                    add_duty(
                        duty + f"{cn}-{k:02d}",
                        cb,
                        m,
                        carea,
                        "responsibility",
                        "cooperate",
                        date(2021, 9, 24),
                        member_of=clist if inside else None,
                        zh=f"{cn.upper()}社区协助{notation_of[m]}",
                        en=f"{cn.upper()} community helps with {notation_of[m]}",
                    )

        # posts: the party secretary, standing-committee members paired with streets, deputy heads
        posts_paired = []
        sec = post + f"{dn}-secretary"
        Po.node(sec, ORG + "Post", f"第{d + 1:02d}区委书记", f"District {d + 1:02d} party secretary")
        Po.iri(sec, ORG + "postIn", gov)
        Po.iri(sec, GK + "rank", VOCAB + "rank/district-party-secretary")
        posts_paired.append(sec)
        for k in range(p.standing_members):
            iri = post + f"{dn}-standing{k + 1:02d}"
            Po.node(
                iri,
                ORG + "Post",
                f"第{d + 1:02d}区委常委{k + 1}",
                f"District {d + 1:02d} standing-committee member {k + 1}",
            )
            Po.iri(iri, ORG + "postIn", gov)
            Po.iri(iri, GK + "rank", VOCAB + "rank/district-standing-committee-member")
            posts_paired.append(iri)
        for i, s in enumerate(dstreets):
            if i % 9 == 8:
                continue  # a few streets have no paired district leader
            Po.iri(posts_paired[i % len(posts_paired)], GK + "pairedWith", area + f"{dn}s{s.index + 1:03d}")
        for k in range(p.deputy_heads):
            iri = post + f"{dn}-deputy{k + 1:02d}"
            Po.node(
                iri,
                ORG + "Post",
                f"第{d + 1:02d}区副区长{k + 1}",
                f"District {d + 1:02d} deputy head {k + 1}",
            )
            Po.iri(iri, ORG + "postIn", gov)
            Po.iri(iri, GK + "rank", VOCAB + "rank/deputy-district-head")
            for x in depts[k :: p.deputy_heads]:
                Po.iri(iri, GK + "inChargeOf", x)

        # escalation policy (the last district has none); a few towns have a nearer one
        if d == p.districts - 1 and p.districts > 1:
            continue
        versions = [("2018-01-01", None, ("PT2H", "PT1H", "PT30M"))]
        if d % 4 == 1:  # tightened from 2023
            versions = [
                ("2018-01-01", "2022-12-31", ("P1D", "PT4H", "PT1H")),
                ("2023-01-01", None, ("PT2H", "PT1H", "PT30M")),
            ]
        for vi, (vfrom, vto, times) in enumerate(versions):
            pol = policy + f"{dn}-v{vi + 1}"
            P.node(
                pol,
                GK + "EscalationPolicy",
                f"第{d + 1:02d}区分级报到机制（第{vi + 1}版）",
                f"District {d + 1:02d} escalation policy (version {vi + 1})",
            )
            P.iri(pol, GK + "appliesTo", darea)
            P.lit(pol, GK + "validFrom", vfrom, dt=XSD + "date")
            if vto:
                P.lit(pol, GK + "validTo", vto, dt=XSD + "date")
            for sev, rt, ranks, lead_ranks in (
                ("ordinary", times[0], ("department-deputy-head", "section-chief"), ()),
                ("serious", times[1], ("department-head",), ()),
                (
                    "major",
                    times[2],
                    ("department-head",),
                    ("district-standing-committee-member", "deputy-district-head"),
                ),
            ):
                lv = f"{pol}-{sev}"
                P.iri(pol, GK + "hasLevel", lv)
                P.node(
                    lv,
                    GK + "EscalationLevel",
                    f"第{d + 1:02d}区{sev}事件（第{vi + 1}版）",
                    f"District {d + 1:02d} {sev} events (version {vi + 1})",
                )
                P.iri(lv, GK + "severity", VOCAB + "severity/" + sev)
                for r in ranks:
                    P.iri(lv, GK + "requiredRank", VOCAB + "rank/" + r)
                for r in lead_ranks:
                    P.iri(lv, GK + "leadRank", VOCAB + "rank/" + r)
                P.lit(lv, GK + "doubleReport", "true" if lead_ranks else "false", dt=XSD + "boolean")
                P.lit(lv, GK + "responseTime", rt, dt=XSD + "duration")
        first_town = next((s for s in dstreets if s.township), None)
        for s in dstreets:
            if s.township and (s.index % 6 == 0 or s is first_town):
                sn = f"{dn}s{s.index + 1:03d}"
                pol = policy + f"{sn}-30min"
                P.node(
                    pol,
                    GK + "EscalationPolicy",
                    f"{sn.upper()}镇30分钟报到",
                    f"{sn.upper()}: report within 30 minutes",
                )
                P.iri(pol, GK + "appliesTo", area + sn)
                P.iri(pol, GK + "hasLevel", pol + "-ordinary")
                P.node(
                    pol + "-ordinary",
                    GK + "EscalationLevel",
                    f"{sn.upper()}镇一般事件",
                    f"{sn.upper()} ordinary events",
                )
                P.iri(pol + "-ordinary", GK + "severity", VOCAB + "severity/ordinary")
                P.iri(pol + "-ordinary", GK + "requiredRank", VOCAB + "rank/section-chief")
                P.lit(pol + "-ordinary", GK + "responseTime", "PT30M", dt=XSD + "duration")

    # -- recorded whistles and reports (for the audit's GAP-UNANSWERED and GAP-LATE) ------------
    for k in range(p.recorded_whistles):
        d, m = recorded_targets[rnd.randrange(len(recorded_targets))]
        c = category_of[m]
        ds = [s for s in streets if s.district == d]
        s = ds[rnd.randrange(len(ds))]
        sn = f"d{d + 1:02d}s{s.index + 1:03d}"
        leaf = rnd.choice(leaves_of_mid.get(m, [m])) if rnd.random() < 0.95 else rnd.choice(leaves)
        if k == 0:  # one whistle about a matter nobody covers there (GAP-UNANSWERED), if there is one
            up = (area + f"d{d + 1:02d}", area + sn, area + "city")
            for x in leaves:
                chain = [x]
                while chain[-1] in parent_of:
                    chain.append(parent_of[chain[-1]])
                if not any((a, y) in covered for a in up for y in chain):
                    leaf = x
                    break
        wi = whistle + f"w{k + 1:04d}"
        day = date(2025, 1, 1) + timedelta(days=rnd.randrange(0, 365))
        at = f"{day.isoformat()}T{rnd.randrange(8, 20):02d}:{rnd.randrange(60):02d}:00+08:00"
        sev = "ordinary" if rnd.random() < 0.85 else ("serious" if rnd.random() < 0.7 else "major")
        W.node(wi, GK + "Whistle", f"{sn.upper()}吹哨{k + 1}", f"{sn.upper()} whistle {k + 1}")
        W.iri(wi, GK + "raisedBy", body + f"{sn}-office")
        W.iri(wi, GK + "matter", leaf)
        W.iri(wi, GK + "area", area + sn)
        W.lit(wi, GK + "raisedAt", at, dt=XSD + "dateTime")
        W.iri(wi, GK + "severity", VOCAB + "severity/" + sev)
        ri = report + f"w{k + 1:04d}"
        W.node(ri, GK + "Report", f"{sn.upper()}吹哨{k + 1}报到", f"report on {sn.upper()} whistle {k + 1}")
        W.iri(ri, GK + "answers", wi)
        W.iri(ri, GK + "reportingBody", lead_dept_of_cat[(d, c)])
        W.iri(
            ri, GK + "rank", VOCAB + "rank/" + ("section-chief" if rnd.random() < 0.3 else "department-head")
        )
        minutes = rnd.choice((20, 25, 50, 90, 150, 200))
        h, mi = int(at[11:13]) + minutes // 60, int(at[14:16]) + minutes % 60
        h, mi = h + mi // 60, mi % 60
        arrived = f"{day.isoformat()}T{h:02d}:{mi:02d}:00+08:00"
        W.lit(ri, GK + "arrivedAt", arrived, dt=XSD + "dateTime")
    return {k: f.count for k, f in w.items()}


def _readme(p: CityParams, counts: dict[str, int]) -> str:
    return (
        f"# {p.name}: a synthetic city for benchmarks\n\n"
        "Made by `bench/generate.py`; every node is `gk:status st:illustrative` with `dct:source` "
        "src:design. Nothing here is a fact about a real place: names, counts and dates are made up "
        "in rough Beijing proportions (see bench/README.md).\n\n"
        f"Parameters:\n\n```json\n{json.dumps(asdict(p), indent=2)}\n```\n\n"
        f"Triples per file: {json.dumps(counts)}; total {sum(counts.values())}.\n"
    )


# ------------------------------------------------------------------------------------------
# Whistle files
# ------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class WhistleSource:
    """What whistles are about: matter and area notations, and the body that raises them."""

    matters: list[str]
    areas: list[tuple[str, str]]  # (area notation, raising body notation)


def whistle_source(city: Path) -> WhistleSource:
    """Read matter notations and area notations from a generated city (no RDF parser needed)."""
    matters, parents = [], set()
    for line in (city / "matters.nt").open(encoding="utf-8"):
        if "#broader>" in line:
            parents.add(line.rsplit("<", 1)[1].split(">", 1)[0])
    for line in (city / "matters.nt").open(encoding="utf-8"):
        if "#notation>" in line and "/matter/" in line:
            iri = line[1 : line.index(">")]
            if iri not in parents:
                matters.append(line.split('"')[1])
    areas = []
    for line in (city / "areas.nt").open(encoding="utf-8"):
        if "#notation>" in line:
            note = line.split('"')[1]
            if "S" in note:
                street = note.split("C", 1)[0]
                areas.append((note, street + "-O"))
    if not matters or not areas:
        raise SystemExit(f"{city}: not a city made by bench/generate.py (no matter or area notations)")
    return WhistleSource(sorted(matters), sorted(areas))


def whistle_rows(
    src: WhistleSource, count: int, seed: int, year: int = 2025, chunk: int = 100_000
) -> Iterator[str]:
    """CSV lines (with newline) ``id,time,matter,area,severity,raised_by``; Zipf-like matters,
    uneven areas, 85% ordinary, 8% serious, 2% major, 5% none, times spread over the year."""
    rnd = random.Random(seed)
    mweights = [1.0 / (i + 1) ** 0.9 for i in range(len(src.matters))]
    order = list(range(len(src.matters)))
    rnd.shuffle(order)
    matters = [src.matters[i] for i in order]
    mcum = _cumulative(mweights)
    aweights = [rnd.lognormvariate(0, 0.8) for _ in src.areas]
    acum = _cumulative(aweights)
    sevs, scum = ["ordinary", "serious", "major", ""], _cumulative([0.85, 0.08, 0.02, 0.05])
    days = [(date(year, 1, 1) + timedelta(days=i)).isoformat() for i in range(366 if year % 4 == 0 else 365)]
    n = 0
    while n < count:
        k = min(chunk, count - n)
        ms = rnd.choices(matters, cum_weights=mcum, k=k)
        ars = rnd.choices(src.areas, cum_weights=acum, k=k)
        ss = rnd.choices(sevs, cum_weights=scum, k=k)
        lines = []
        for i in range(k):
            secs = int(rnd.random() * 86400 * len(days))
            day, rest = divmod(secs, 86400)
            h, rest = divmod(rest, 3600)
            mi, s = divmod(rest, 60)
            area, raiser = ars[i]
            when = f"{days[day]}T{h:02d}:{mi:02d}:{s:02d}+08:00"
            lines.append(f"W{n + i + 1:09d},{when},{ms[i]},{area},{ss[i]},{raiser}\n")
        n += k
        yield "".join(lines)


def _cumulative(weights: list[float]) -> list[float]:
    out, acc = [], 0.0
    for x in weights:
        acc += x
        out.append(acc)
    return out


def write_whistles(city: Path, out: Path, count: int, seed: int) -> int:
    src = whistle_source(city)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix="." + out.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write("id,time,matter,area,severity,raised_by\n")
            for block in whistle_rows(src, count, seed):
                fh.write(block)
        os.chmod(tmp, 0o644)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return count


# ------------------------------------------------------------------------------------------
# Command line
# ------------------------------------------------------------------------------------------
def params_for(scale: str, overrides: dict[str, object]) -> CityParams:
    if scale not in SCALES:
        raise SystemExit(f"unknown scale {scale!r}; one of {', '.join(SCALES)}")
    p = SCALES[scale]
    clean = {k: v for k, v in overrides.items() if v is not None}
    return replace(p, **clean) if clean else p


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench/generate.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="what", required=True)
    c = sub.add_parser("city", help="write a synthetic city (N-Triples) into a folder")
    c.add_argument("--scale", default="beijing", choices=sorted(SCALES))
    c.add_argument("--out", required=True, type=Path)
    for name in (
        "seed",
        "districts",
        "streets",
        "communities_per_street",
        "grids_per_community",
        "departments_per_district",
        "matters",
        "depth",
        "duties_per_department",
        "street_duties",
        "community_duties",
        "transferred",
        "recorded_whistles",
    ):
        c.add_argument("--" + name.replace("_", "-"), type=int, dest=name)
    wh = sub.add_parser("whistles", help="write a whistle CSV for a generated city")
    wh.add_argument("--city", required=True, type=Path)
    wh.add_argument("--count", required=True, type=int)
    wh.add_argument("--seed", type=int, default=12345)
    wh.add_argument("--out", required=True, type=Path)
    args = ap.parse_args(argv)
    if args.what == "city":
        overrides = {k: getattr(args, k) for k in vars(args) if k not in ("what", "scale", "out")}
        params = params_for(args.scale, overrides)
        counts = generate_city(params, args.out)
        print(f"wrote {args.out}: {sum(counts.values())} triples ({json.dumps(counts)})")
    else:
        write_whistles(args.city, args.out, args.count, args.seed)
        print(f"wrote {args.out}: {args.count} whistles")
    return 0


if __name__ == "__main__":
    sys.exit(main())


__all__ = [
    "SCALES",
    "CityParams",
    "generate_city",
    "main",
    "whistle_rows",
    "whistle_source",
    "write_whistles",
]
