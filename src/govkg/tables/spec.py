"""The spreadsheet template: which sheets exist, their columns, and what each column holds.

One sheet (XLSX) or one CSV file per kind of thing. Each typed sheet holds the instances of
some classes, one row per instance; each column is one property. Whatever a typed sheet cannot
say goes to the ``statements`` sheet, one triple a row, so that nothing is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, RDF, RDFS, SKOS, XSD

from govkg.namespaces import GK, VOCAB

# Column kinds and the datatype of the literals they hold (None: no datatype).
LITERAL_KINDS: dict[str, URIRef | None] = {
    "text": None,
    "date": XSD.date,
    "datetime": XSD.dateTime,
    "duration": XSD.duration,
    "boolean": XSD.boolean,
    "count": XSD.nonNegativeInteger,
    "decimal": XSD.decimal,
}
# A period: 2019 (xsd:gYear), 2018-01 (xsd:gYearMonth) or 2019-09-01 (xsd:date), told apart by form.
PERIOD_DATATYPES = (XSD.gYear, XSD.gYearMonth, XSD.date)
REF_KINDS = ("id", "type", "ref")

# What a reference must point to (for the checks made on import):
#   entity: something defined in the workbook or in the vocabularies/reference data;
#   vocab:  a concept; govkg vocabulary terms must exist (and be in ``scheme`` when given);
#   class:  a class; gk: classes must be declared in the ontology;
#   law:    a legal provision or law (a Chinese citation is accepted);
#   any:    anything; govkg IRIs must exist.
TARGETS = ("entity", "vocab", "class", "law", "any")


@dataclass(frozen=True)
class Column:
    header: str
    predicate: URIRef | None
    kind: str
    target: str = "any"
    noun: str = ""
    defined_in: str = ""
    scheme: str | None = None
    lang: str | None = None
    multi: bool = False
    required: bool = False
    en: str = ""
    zh: str = ""

    @property
    def datatype(self) -> URIRef | None:
        return LITERAL_KINDS.get(self.kind)

    @property
    def is_literal(self) -> bool:
        return self.kind in LITERAL_KINDS or self.kind == "period"

    def value_form(self) -> str:
        """How the cell is written, for the notes sheet."""
        if self.kind == "id":
            return "id: local name after the city IRI (body/x), prefix:name, <IRI> or _:label"
        if self.kind in ("type", "ref"):
            forms = {
                "entity": f"id of a {self.noun}" + (f" (sheet {self.defined_in})" if self.defined_in else ""),
                "vocab": "vocabulary term, prefix:name"
                + (f" from {_scheme_name(self.scheme)}" if self.scheme else ""),
                "class": "class, prefix:Name (gk:StreetOffice …)",
                "law": "Chinese citation (城市市容和环境卫生管理条例第三十四条（一）) or provision IRI",
                "any": "id, prefix:name, <IRI> or Chinese citation",
            }
            out = forms[self.target]
            return out + ("; several separated by ; or ；" if self.multi else "")
        sep = "; several on separate lines (Alt+Enter)" if self.multi else ""
        if self.kind == "text":
            return (f"text @{self.lang}" if self.lang else "text") + sep
        return {
            "date": "date YYYY-MM-DD",
            "datetime": "date and time YYYY-MM-DDThh:mm:ss (optional zone, +08:00)",
            "duration": "ISO 8601 duration (PT30M, P3D)",
            "boolean": "true or false",
            "count": "whole number ≥ 0",
            "decimal": "decimal number (0.38)",
            "period": "year 2019, month 2018-01 or day 2019-09-01",
        }[self.kind] + sep


def _scheme_name(scheme: str | None) -> str:
    return scheme[len(VOCAB):] if scheme and scheme.startswith(VOCAB) else str(scheme)


@dataclass(frozen=True)
class Sheet:
    name: str
    classes: tuple[URIRef, ...]
    default_type: URIRef | None
    columns: tuple[Column, ...]
    en: str
    zh: str
    checks: tuple[str, ...] = field(default=())

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]

    def column(self, header: str) -> Column:
        for c in self.columns:
            if c.header == header:
                return c
        raise KeyError(header)


def _v(name: str) -> str:
    return VOCAB + name


def _id(what: str, zh: str) -> Column:
    return Column("id", None, "id", en=f"Identifier of the {what}: its IRI after the city base IRI, such as "
                  f"{what.split()[0]}/name. Other rows refer to it by this id.",
                  zh=f"{zh}的标识：城市基准IRI之后的部分，其他行以此引用。")


def _type(classes: str, zh: str, default: URIRef | None) -> Column:
    tail = " Left empty: " + _curie(default) + "." if default is not None else " Required."
    return Column("type", RDF.type, "type", target="class", multi=True,
                  en=f"Class: {classes}.{tail}",
                  zh=f"类型：{zh}。" + ("可留空。" if default is not None else "必填。"))


def _curie(iri: URIRef | None) -> str:
    if iri is None:
        return ""
    if str(iri).startswith(str(GK)):
        return "gk:" + str(iri)[len(str(GK)):]
    if str(iri).startswith(str(ORG)):
        return "org:" + str(iri)[len(str(ORG)):]
    return str(iri)


def _labels(pred: URIRef = RDFS.label) -> tuple[Column, Column]:
    name = "skos:prefLabel" if pred == SKOS.prefLabel else "rdfs:label"
    return (
        Column("label_zh", pred, "text", lang="zh", en=f"Name in Chinese ({name} @zh).", zh="中文名称。"),
        Column("label_en", pred, "text", lang="en", en=f"Name in English ({name} @en).", zh="英文名称。"),
    )


def _ref(header: str, pred: URIRef, target: str = "entity", noun: str = "", defined_in: str = "",
         scheme: str | None = None, multi: bool = False, required: bool = False, en: str = "",
         zh: str = "") -> Column:
    return Column(header, pred, "ref", target=target, noun=noun, defined_in=defined_in, scheme=scheme,
                  multi=multi, required=required, en=en, zh=zh)


def _lit(header: str, pred: URIRef, kind: str = "text", lang: str | None = None, multi: bool = False,
         en: str = "", zh: str = "") -> Column:
    return Column(header, pred, kind, lang=lang, multi=multi, en=en, zh=zh)


def _provenance() -> tuple[Column, ...]:
    return (
        _ref("source", DCTERMS.source, "any", multi=True,
             en="Where the fact comes from (dct:source): src:seed-003, a provision or a law.",
             zh="来源（dct:source）：种子文章、法律条款或法律。"),
        _lit("source_locator", GK.sourceLocator, multi=True,
             en="Where in the source, or the sentence quoted (gk:sourceLocator); several on separate lines.",
             zh="来源中的位置或原句；多条分行书写。"),
        _ref("status", GK.status, "vocab", scheme=_v("status"),
             en="st:sourced or st:illustrative (made up to exercise the model).",
             zh="st:sourced（有来源）或 st:illustrative（示例）。"),
        _lit("comment", RDFS.comment, lang="en", en="Remarks in English (rdfs:comment @en).",
                                                 zh="英文备注。"),
    )


def _legal_basis(multi: bool = True) -> Column:
    return _ref("legal_basis", GK.legalBasis, "law", multi=multi,
                en="Legal basis (gk:legalBasis): a Chinese citation such as "
                   "城市市容和环境卫生管理条例第三十四条（一） (also 第三十四条第一项, "
                   "half-width brackets) or a provision IRI.",
                zh="法律依据：如“城市市容和环境卫生管理条例第三十四条（一）”，也可写“第三十四条第一项”。")


def _valid(prefix_en: str = "") -> tuple[Column, Column]:
    return (
        _lit("valid_from", GK.validFrom, "date",
             en=f"{prefix_en}First day in force, YYYY-MM-DD (gk:validFrom).",
             zh="生效日期，格式YYYY-MM-DD。"),
        _lit("valid_to", GK.validTo, "date",
             en="Last day in force, YYYY-MM-DD (gk:validTo); empty: still in force.",
             zh="失效日期（含当日），格式YYYY-MM-DD；留空表示仍有效。"),
    )


def _instrument() -> tuple[Column, Column]:
    return (
        _ref("instrument", GK.instrument, "any", multi=True,
             en="The document that enacts it (gk:instrument), as an id or IRI.",
             zh="实施文件（标识或IRI）。"),
        _lit("instrument_text", GK.instrument, lang="zh",
             en="The document that enacts it, by title in Chinese (gk:instrument @zh).",
             zh="实施文件名称（中文）。"),
    )


def _member_of(what: str = "declared set") -> Column:
    return _ref("member_of", GK.memberOf, "entity", noun=what, defined_in="sets", multi=True,
                en="Declared sets or duty lists it belongs to (gk:memberOf).", zh="所属清单或申报集合。")


BODY_CLASSES = "gk:PartyCommittee, gk:DistrictGovernment, gk:FunctionalDepartment, gk:StreetOffice, " \
    "gk:StreetEnforcementOffice, gk:ResidentsCommittee … (any subclass of gk:Body)"

BODIES = Sheet(
    "bodies", (GK.Body,), None,
    (
        _id("body", "主体"),
        _type(BODY_CLASSES, "gk:Body的子类，如gk:StreetOffice", None),
        *_labels(),
        _ref("parent", ORG.subOrganizationOf, noun="body", defined_in="bodies", multi=True,
             en="Parent body (org:subOrganizationOf).", zh="上级主体。"),
        _ref("jurisdiction", DCTERMS.spatial, noun="area", defined_in="areas", multi=True,
             en="Area it governs (dct:spatial).", zh="管辖区域。"),
        _ref("level", GK.level, "vocab", scheme=_v("level"),
             en="Governance level: lvl:district, lvl:street-township …", zh="治理层级，如lvl:district。"),
        _ref("enforcement_power", GK.enforcementPower, noun="matter", defined_in="matters", multi=True,
             en="Matters it has administrative enforcement power over (gk:enforcementPower).",
             zh="拥有执法权的事项。"),
        _member_of(),
        *_provenance(),
    ),
    "Bodies 主体: party committees, governments, departments, street offices, committees, enterprises.",
    "主体：党委、政府、职能部门、街道办事处、执法机构、社区村委会、企事业单位。",
)

AREAS = Sheet(
    "areas", (GK.Area,), None,
    (
        _id("area", "区域"),
        _type("gk:City, gk:District, gk:Street, gk:Township, gk:Community, gk:Village, gk:Grid, "
              "gk:BackStreet",
              "gk:District、gk:Street、gk:Community、gk:Grid等", None),
        *_labels(),
        _ref("within", GK.within, noun="area", defined_in="areas",
             en="The area directly enclosing it (gk:within; only the direct parent).", zh="直接上级区域。"),
        _ref("grid_kind", GK.gridKind, "vocab", scheme=_v("grid-kind"),
             en="For grids: gridk:comprehensive, gridk:specialised, gridk:micro, gridk:courtyard.",
             zh="网格类型。"),
        _member_of(),
        *_provenance(),
    ),
    "Areas 区域: city, districts, streets, townships, communities, villages, grids, back streets.",
    "区域：市、区、街道、乡镇、社区、村、网格、背街小巷。",
)

POSTS = Sheet(
    "posts", (ORG.Post,), ORG.Post,
    (
        _id("post", "岗位"),
        _type("org:Post", "org:Post", ORG.Post),
        *_labels(),
        _ref("post_in", ORG.postIn, noun="body", defined_in="bodies",
             en="The body the post is in (org:postIn).",
             zh="岗位所在主体。"),
        _ref("rank", GK.rank, "vocab", scheme=_v("rank"), multi=True,
             en="Rank: rank:deputy-district-head, rank:department-head …",
             zh="职级，如rank:department-head。"),
        _ref("paired_with", GK.pairedWith, noun="area", defined_in="areas", multi=True,
             en="Street or township the leader is paired with (挂包, gk:pairedWith).", zh="挂包的街道乡镇。"),
        _ref("in_charge_of", GK.inChargeOf, noun="body", defined_in="bodies", multi=True,
             en="Departments the post is in charge of (分管, gk:inChargeOf).", zh="分管的部门。"),
        _ref("jurisdiction", DCTERMS.spatial, noun="area", defined_in="areas", multi=True,
             en="Area of the post (dct:spatial).", zh="岗位的区域。"),
        *_provenance(),
    ),
    "Posts 岗位: leading posts and their ranks, pairings (挂包) and departments in charge (分管).",
    "岗位：领导岗位及其职级、挂包街道与分管部门。",
)

MATTERS = Sheet(
    "matters", (GK.Matter,), GK.Matter,
    (
        _id("matter", "事项"),
        _type("gk:Matter", "gk:Matter", GK.Matter),
        *_labels(SKOS.prefLabel),
        _lit("notation", SKOS.notation, en="Code of the matter in the catalogue (skos:notation).",
                                        zh="事项编码。"),
        _lit("alt_labels_zh", SKOS.altLabel, lang="zh", multi=True,
             en="What callers and hotline staff call it, in Chinese (skos:altLabel @zh); one per line.",
             zh="群众和热线的常用叫法；每行一个。"),
        _lit("alt_labels_en", SKOS.altLabel, lang="en", multi=True,
             en="Other English names (skos:altLabel @en); one per line.", zh="其他英文名称；每行一个。"),
        _ref("broader", SKOS.broader, noun="matter", defined_in="matters", multi=True,
             en="Broader matter (skos:broader); a duty on the broader matter covers this one.",
             zh="上位事项；上位事项的职责覆盖本事项。"),
        _ref("in_scheme", SKOS.inScheme, "any", multi=True,
             en="The city's matter catalogue (skos:inScheme), usually matters.",
             zh="所属事项目录，通常为matters。"),
        _ref("top_concept_of", SKOS.topConceptOf, "any", multi=True,
             en="Catalogue it is a top matter of (skos:topConceptOf).", zh="作为顶层事项所属的目录。"),
        _lit("definition_zh", SKOS.definition, lang="zh", en="Definition in Chinese.", zh="中文定义。"),
        _lit("definition_en", SKOS.definition, lang="en", en="Definition in English.", zh="英文定义。"),
        *_provenance(),
    ),
    "Matters 事项: the city's matter catalogue (派单目录), with broader matters and what callers say.",
    "事项：派单目录中的事项类别、上位事项与常用叫法。",
)

DUTIES = Sheet(
    "duties", (GK.Duty,), GK.Duty,
    (
        _id("duty", "职责"),
        _type("gk:Duty", "gk:Duty", GK.Duty),
        *_labels(),
        _ref("holder", GK.holder, noun="body", defined_in="bodies", required=True,
             en="The body that holds the duty (gk:holder). Required.", zh="责任主体。必填。"),
        _ref("matter", GK.matter, noun="matter", defined_in="matters",
             en="The matter (gk:matter).", zh="事项。"),
        _ref("duty_type", GK.dutyType, "vocab", scheme=_v("duty-type"),
             en="dt:penalty, dt:coercion, dt:inspection (enforcement types: need a legal basis), "
                "dt:licensing, dt:public-service, dt:responsibility …",
             zh="职责类型；处罚、强制、检查类须有法律依据。"),
        _ref("role", GK.role, "vocab", scheme=_v("role"),
             en="role:lead (牵头), role:cooperate (配合) or role:supervise (监管).",
             zh="角色：牵头、配合或监管。"),
        _ref("area", GK.area, noun="area", defined_in="areas", en="The area it applies to (gk:area).",
                                                               zh="适用区域。"),
        _legal_basis(),
        *_valid(),
        _member_of("duty list"),
        *_provenance(),
    ),
    "Duties 职责: the duty list (权责清单): who holds which matter where, of what type and role, "
    "on what legal basis, from when.",
    "职责：权责清单事项——谁、对何事项、在何区域、何种类型与角色、依据何法、何时生效。",
    checks=("holder", "enforcement-basis"),
)

TRANSFERS = Sheet(
    "transfers", (GK.Transfer,), GK.Transfer,
    (
        _id("transfer", "下放"),
        _type("gk:Transfer", "gk:Transfer", GK.Transfer),
        *_labels(),
        _ref("from_body", GK.fromBody, noun="body", defined_in="bodies",
             en="The department that gives up the duty (gk:fromBody).", zh="移出部门。"),
        _ref("to_body", GK.toBody, noun="body", defined_in="bodies", multi=True,
             en="The body that takes it on (gk:toBody).", zh="承接主体。"),
        _ref("to_streets_of", GK.toStreetsOf, noun="area", defined_in="areas", multi=True,
             en="Or: every street of this area takes it on (gk:toStreetsOf).",
             zh="或：该区域内的每个街道承接。"),
        _ref("transferred_duty", GK.transferredDuty, noun="duty", defined_in="duties", multi=True,
             en="The duty moved down (gk:transferredDuty).", zh="下放的职责。"),
        _ref("matter", GK.matter, noun="matter", defined_in="matters", multi=True,
             en="The matter moved down (gk:matter).", zh="下放的事项。"),
        *_valid(),
        *_instrument(),
        _legal_basis(),
        _member_of("transfer package"),
        *_provenance(),
    ),
    "Transfers 下放: enforcement duties moved from departments to street bodies, dated.",
    "下放：执法职责由部门移交街道主体，附生效日期。",
)

POWERS = Sheet(
    "powers", (GK.Empowerment,), GK.Empowerment,
    (
        _id("empowerment", "赋权"),
        _type("gk:Empowerment", "gk:Empowerment", GK.Empowerment),
        *_labels(),
        _ref("grantor", GK.grantor, noun="body", defined_in="bodies", multi=True,
             en="The body that grants the power (gk:grantor).", zh="赋权方。"),
        _ref("grantee", GK.grantee, noun="body", defined_in="bodies", multi=True,
             en="The body that receives it (gk:grantee).", zh="被赋权主体。"),
        _ref("grantee_area", GK.granteeArea, noun="area", defined_in="areas", multi=True,
             en="Or: all streets and townships of this area receive it (gk:granteeArea).",
             zh="或：被赋权区域。"),
        _ref("power", GK.power, "vocab", multi=True,
             en="The power granted (gk:power): qhp:p1 … qhp:p6, bjp:p1 … bjp:p7, or a power of the city.",
             zh="被赋予的职权，如qhp:p3、bjp:p5。"),
        *_valid(),
        *_instrument(),
        _legal_basis(),
        *_provenance(),
    ),
    "Powers 赋权: empowerments (赋权): who gives which power (职权) to which street, from when.",
    "赋权：谁把哪项职权赋予哪个街道乡镇，自何时起。",
)

POLICIES = Sheet(
    "policies",
    (GK.EscalationPolicy, GK.EscalationLevel, GK.TriagePolicy, GK.TriageRule, GK.GridSizeRule),
    None,
    (
        _id("policy or level", "政策或等级"),
        _type("gk:EscalationPolicy, gk:EscalationLevel, gk:TriagePolicy, gk:TriageRule, gk:GridSizeRule",
              "gk:EscalationPolicy、gk:EscalationLevel、gk:TriagePolicy、gk:TriageRule、"
              "gk:GridSizeRule", None),
        *_labels(),
        _ref("applies_to", GK.appliesTo, noun="area", defined_in="areas", multi=True,
             en="Area the policy applies to (gk:appliesTo).", zh="适用区域。"),
        _ref("published_by", GK.publishedBy, noun="body", defined_in="bodies", multi=True,
             en="Body that publishes it (gk:publishedBy).", zh="发布主体。"),
        _ref("has_level", GK.hasLevel, noun="escalation level", defined_in="policies", multi=True,
             en="Escalation policies: their levels, ids of rows of type gk:EscalationLevel (gk:hasLevel).",
             zh="分级报到机制所含的报到等级。"),
        _ref("severity", GK.severity, "vocab", scheme=_v("severity"),
             en="Levels: sev:ordinary (一般), sev:serious (较大), sev:major (重大).", zh="事件等级。"),
        _ref("required_rank", GK.requiredRank, "vocab", scheme=_v("rank"), multi=True,
             en="Levels: ranks a department's reporter must hold (gk:requiredRank).",
             zh="部门报到人员应有的职级。"),
        _ref("lead_rank", GK.leadRank, "vocab", scheme=_v("rank"), multi=True,
             en="Levels: ranks of district leaders who report and lead (gk:leadRank).",
             zh="牵头报到的区领导职级。"),
        _lit("double_report", GK.doubleReport, "boolean", en="Levels: double report (双报到), true or false.",
             zh="是否双报到（true/false）。"),
        _lit("response_time", GK.responseTime, "duration", en="Levels: how soon to arrive, such as PT30M.",
             zh="响应时限，如PT30M（30分钟）。"),
        _ref("has_rule", GK.hasRule, noun="triage rule", defined_in="policies", multi=True,
             en="Triage policies: their rules (gk:hasRule).", zh="三事分流机制所含规则。"),
        _ref("scale", GK.scale, "vocab", scheme=_v("triage-scale"),
             en="Triage rules: tri:big, tri:small, tri:micro.", zh="事项规模：大事、小事、微事。"),
        _ref("handler_level", GK.handlerLevel, "vocab", scheme=_v("level"),
             en="Triage rules: the level that handles it (lvl:…).", zh="处置层级。"),
        _lit("max_households", GK.maxHouseholds, "count",
             en="Grid-size rules: most households a grid may hold.",
             zh="网格划分标准：每格最多户数。"),
        _lit("estate_type", GK.estateType, en="Grid-size rules: kind of estate.",
                                           zh="网格划分标准：小区类型。"),
        *_valid(),
        *_provenance(),
    ),
    "Policies 政策: escalation policies (分级报到) and their levels, triage policies (三事分流) "
    "and rules, grid-size rules.",
    "政策：分级报到机制及其等级、三事分流机制及其规则、网格划分标准。",
)

WHISTLES = Sheet(
    "whistles", (GK.Whistle, GK.Report, GK.Assessment), None,
    (
        _id("whistle or report", "吹哨或报到"),
        _type("gk:Whistle, gk:Report or gk:Assessment", "gk:Whistle、gk:Report或gk:Assessment", None),
        *_labels(),
        _ref("raised_by", GK.raisedBy, noun="body", defined_in="bodies", multi=True,
             en="Whistles: who blew it (gk:raisedBy).", zh="吹哨主体。"),
        _ref("matter", GK.matter, noun="matter", defined_in="matters", multi=True,
             en="Whistles: the matter (gk:matter).", zh="事项。"),
        _ref("area", GK.area, noun="area", defined_in="areas", multi=True,
             en="Whistles: where (gk:area).", zh="发生区域。"),
        _lit("raised_at", GK.raisedAt, "datetime", en="Whistles: when, 2019-03-09T09:00:00.",
                                                   zh="吹哨时间。"),
        _ref("severity", GK.severity, "vocab", scheme=_v("severity"),
             en="Whistles: sev:ordinary, sev:serious, sev:major.", zh="事件等级。"),
        _ref("whistle_type", GK.whistleType, "vocab", scheme=_v("whistle-type"),
             en="Whistles: wt:routine (日常哨), wt:campaign (攻坚哨), wt:emergency (应急哨).", zh="哨型。"),
        _ref("request_type", GK.requestType, "vocab", scheme=_v("request-type"),
             en="Hotline requests: rq:enquiry, rq:help, rq:complaint, rq:tipoff, rq:suggestion.",
             zh="诉求类型。"),
        _lit("resolved_within", GK.resolvedWithin, "duration", en="Whistles: time taken to resolve, P7D.",
             zh="办结用时，如P7D。"),
        _ref("answers", GK.answers, noun="whistle", defined_in="whistles",
             en="Reports: the whistle answered (gk:answers).", zh="报到所响应的吹哨。"),
        _ref("reporting_body", GK.reportingBody, noun="body", defined_in="bodies",
             en="Reports: the body that reports (gk:reportingBody).", zh="报到主体。"),
        _ref("reporting_post", GK.reportingPost, noun="post", defined_in="posts", multi=True,
             en="Reports: the leading post that reports (gk:reportingPost).", zh="报到岗位。"),
        _ref("rank", GK.rank, "vocab", scheme=_v("rank"), multi=True,
             en="Reports: rank of who reported (gk:rank).", zh="报到职级。"),
        _lit("arrived_at", GK.arrivedAt, "datetime", en="Reports: arrival time.", zh="到达时间。"),
        _ref("assessor", GK.assessor, noun="body", defined_in="bodies", multi=True,
             en="Assessments: who scores (gk:assessor).", zh="考核方。"),
        _ref("assessee", GK.assessee, noun="body", defined_in="bodies", multi=True,
             en="Assessments: who is scored (gk:assessee).", zh="被考核方。"),
        _lit("criterion_zh", GK.criterion, lang="zh", multi=True,
             en="Assessments: what is scored, in Chinese; one per line.", zh="考核内容（中文）；每行一个。"),
        _lit("criterion_en", GK.criterion, lang="en", multi=True,
             en="Assessments: what is scored, in English; one per line.", zh="考核内容（英文）；每行一个。"),
        _lit("weight", GK.weight, "decimal", en="Assessments: weight between 0 and 1.", zh="权重（0到1）。"),
        *_valid(),
        *_provenance(),
    ),
    "Whistles 吹哨 and reports 报到 (and assessments 考核): recorded whistles, who reported, "
    "at what rank, when.",
    "吹哨、报到与考核：记录的吹哨、报到主体、职级与到达时间。",
)

SETS = Sheet(
    "sets", (GK.DeclaredSet,), GK.DeclaredSet,
    (
        _id("set", "集合"),
        _type("gk:DeclaredSet, gk:DutyList, gk:CommunityDutyList, gk:TransferPackage, gk:ProjectList, "
              "gk:GridSet",
              "gk:DutyList、gk:TransferPackage、gk:GridSet等", GK.DeclaredSet),
        *_labels(),
        _lit("declared_count", GK.declaredCount, "count",
             en="How many items the source declares (162, 111 …; gk:declaredCount).",
             zh="来源申报的条目数。"),
        _lit("declared_body_count", GK.declaredBodyCount, "count",
             en="How many bodies the source declares (8 departments; gk:declaredBodyCount).",
             zh="来源申报的主体数。"),
        _ref("list_of", GK.listOf, noun="body", defined_in="bodies", multi=True,
             en="Duty lists: whose duties (gk:listOf).", zh="清单所属主体。"),
        _ref("published_by", GK.publishedBy, noun="body", defined_in="bodies", multi=True,
             en="Who publishes it (gk:publishedBy).", zh="发布主体。"),
        _ref("area", GK.area, noun="area", defined_in="areas", multi=True, en="Area (gk:area).", zh="区域。"),
        _ref("jurisdiction", DCTERMS.spatial, noun="area", defined_in="areas", multi=True,
             en="Area it covers (dct:spatial).", zh="覆盖区域。"),
        _ref("grid_kind", GK.gridKind, "vocab", scheme=_v("grid-kind"), en="Grid sets: kind of grid.",
             zh="网格集合的网格类型。"),
        _legal_basis(),
        *_instrument(),
        *_valid(),
        *_provenance(),
    ),
    "Sets 集合: declared sets with counts (162 matters of 8 departments, 111 duties …), duty lists, "
    "transfer packages, grid sets.",
    "申报集合：来源给出数量的集合（如8个部门162项执法事项）、职责清单、下放事项包、网格集合。",
)

STATISTICS = Sheet(
    "statistics", (GK.Statistic,), GK.Statistic,
    (
        _id("statistic", "统计"),
        _type("gk:Statistic", "gk:Statistic", GK.Statistic),
        *_labels(),
        _ref("statistic_of", GK.statisticOf, noun="body or area", defined_in="bodies or areas", multi=True,
             en="Body or area the figure describes (gk:statisticOf).", zh="统计对象。"),
        _lit("measure_zh", GK.measure, lang="zh", en="What is measured, in Chinese.", zh="指标（中文）。"),
        _lit("measure_en", GK.measure, lang="en", en="What is measured, in English.", zh="指标（英文）。"),
        _lit("value", GK.value, "decimal", en="The figure (decimal).", zh="数值。"),
        _ref("qualifier", GK.qualifier, "vocab", scheme=_v("qualifier"),
             en="qual:exact, qual:about (约), qual:more-than (超过), qual:at-least (至少).", zh="限定语。"),
        _lit("reference_period", GK.referencePeriod, "period",
             en="Period covered: a year 2019 (xsd:gYear), a month 2018-01 (xsd:gYearMonth) or a day.",
             zh="统计期：年份2019、月份2018-01或日期。"),
        _lit("reference_period_text", GK.referencePeriod,
             en="Period covered, as plain text (gk:referencePeriod without a datatype).",
             zh="统计期（纯文字）。"),
        *_provenance(),
    ),
    "Statistics 统计: figures the sources report, with their qualifier (about, more than).",
    "统计：来源报告的数值及其限定语（约、超过）。",
)

SOURCES = Sheet(
    "sources", (GK.SourceDocument,), GK.SourceDocument,
    (
        _id("source document", "来源文献"),
        _type("gk:SourceDocument", "gk:SourceDocument", GK.SourceDocument),
        *_labels(),
        _lit("title", DCTERMS.title, lang="zh", en="Title as printed (dct:title @zh).", zh="原标题。"),
        _lit("creator", DCTERMS.creator, lang="zh", en="Author (dct:creator @zh).", zh="作者。"),
        _lit("publisher", DCTERMS.publisher, lang="zh", en="Publisher (dct:publisher @zh).", zh="发布者。"),
        _lit("date", DCTERMS.date, "date", en="Date, YYYY-MM-DD (dct:date).", zh="日期。"),
        _lit("local_file", GK.localFile, en="Path in the project's shared material (gk:localFile).",
             zh="共享资料中的路径。"),
        _ref("page", FOAF.page, "any", multi=True, en="Web page, as <IRI> (foaf:page).", zh="网页地址。"),
        _lit("definition_zh", SKOS.definition, lang="zh", en="What it is, in Chinese.", zh="简介（中文）。"),
        _lit("definition_en", SKOS.definition, lang="en", en="What it is, in English.", zh="简介（英文）。"),
        *_provenance(),
    ),
    "Sources 来源: documents of the city that facts rest on (policy documents, instruments).",
    "来源：事实所依据的本市文献（政策文件等）。",
)

CONCEPTS = Sheet(
    "concepts", (SKOS.ConceptScheme, SKOS.Concept), None,
    (
        _id("concept or scheme", "概念或目录"),
        _type("gk:Power, skos:Concept or skos:ConceptScheme (the city's matter catalogue, its list "
              "of powers)",
              "gk:Power、skos:Concept或skos:ConceptScheme（如本市事项目录、职权目录）", None),
        *_labels(),
        Column("pref_label_zh", SKOS.prefLabel, "text", lang="zh",
               en="Preferred name in Chinese (skos:prefLabel @zh).",
               zh="中文首选名称。"),
        Column("pref_label_en", SKOS.prefLabel, "text", lang="en",
               en="Preferred name in English (skos:prefLabel @en).",
               zh="英文首选名称。"),
        _lit("notation", SKOS.notation, en="Code (skos:notation).", zh="编码。"),
        _ref("broader", SKOS.broader, "any", multi=True, en="Broader concept (skos:broader).",
                                                         zh="上位概念。"),
        _ref("in_scheme", SKOS.inScheme, "any", multi=True, en="Scheme it belongs to (skos:inScheme).",
             zh="所属目录。"),
        _ref("top_concept_of", SKOS.topConceptOf, "any", multi=True, en="Scheme it is a top concept of.",
             zh="作为顶层概念所属的目录。"),
        _ref("has_top_concept", SKOS.hasTopConcept, "any", multi=True,
             en="Schemes: their top concepts (skos:hasTopConcept).", zh="目录的顶层概念。"),
        _ref("published_by", GK.publishedBy, noun="body", defined_in="bodies", multi=True,
             en="Who publishes it (gk:publishedBy).", zh="发布主体。"),
        _lit("definition_zh", SKOS.definition, lang="zh", en="Definition in Chinese.", zh="中文定义。"),
        _lit("definition_en", SKOS.definition, lang="en", en="Definition in English.", zh="英文定义。"),
        *_provenance(),
    ),
    "Concepts 概念: the city's own concept schemes (its matter catalogue 派单目录, its list of powers) and "
    "concepts other than matters, such as powers (职权) a district gives.",
    "概念：本市自己的概念目录（事项目录、职权目录）及事项以外的概念，如区赋予的职权。",
)

TYPED_SHEETS: tuple[Sheet, ...] = (
    BODIES, AREAS, POSTS, MATTERS, DUTIES, TRANSFERS, POWERS, POLICIES, WHISTLES, SETS, STATISTICS, SOURCES,
    CONCEPTS,
)
SHEETS_BY_NAME = {s.name: s for s in TYPED_SHEETS}

META = "meta"
STATEMENTS = "statements"
NOTES = "notes"
META_HEADERS = ["key", "value"]
META_KEYS = {
    "city_iri": "The city base IRI, https://w3id.org/govkg/id/<city>/ ; ids are read after it. 城市基准IRI。",
    "name": "The city's name (folder name under examples/). 城市名称。",
    "template": "The template version these sheets follow. 模板版本。",
    "govkg_version": "The govkg version that wrote the file. 导出工具版本。",
}
STATEMENT_HEADERS = ["subject", "predicate", "object", "datatype", "lang", "kind"]
STATEMENT_NOTES = {
    "subject": ("Subject: id, prefix:name, <IRI> or _:label.", "主语：标识、前缀:名称、<IRI>或_:标签。"),
    "predicate": ("Property: prefix:name or <IRI> (a = rdf:type).", "属性：前缀:名称或<IRI>。"),
    "object": ("Value: a reference written like the subject, or a literal's text (kept exactly, spaces too).",
               "值：引用（写法同主语）或文字（原样保留）。"),
    "datatype": ("Literals: datatype such as xsd:date; empty for plain text.",
                 "文字的数据类型，如xsd:date。"),
    "lang": ("Literals: language tag such as zh, en, zh-Hant.", "文字的语言标签，如zh、en、zh-Hant。"),
    "kind": ("ref (IRI or blank node) or literal; empty: literal when datatype or lang is given, else ref.",
             "ref（引用）或literal（文字）；留空时：有datatype或lang即为文字，否则为引用。"),
}
TEMPLATE_VERSION = "1"
IGNORED_SHEETS = {NOTES, "readme"}
ALL_SHEET_NAMES = [META, *SHEETS_BY_NAME, STATEMENTS]
