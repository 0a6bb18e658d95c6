"""The ``notes`` sheet (what every sheet and column means) and the empty template workbook."""

from __future__ import annotations

from govkg import __version__
from govkg.namespaces import PREFIXES
from govkg.tables.books import Book, Table
from govkg.tables.spec import (
    META,
    META_HEADERS,
    META_KEYS,
    NOTES,
    STATEMENT_HEADERS,
    STATEMENT_NOTES,
    STATEMENTS,
    TEMPLATE_VERSION,
    TYPED_SHEETS,
)

NOTES_HEADERS = ["sheet", "column", "property", "values", "required", "description", "说明"]

GENERAL = [
    ("One sheet per kind of thing; one row per thing. The id column names it: its IRI after the city base "
     "IRI (meta sheet, city_iri), such as body/fuzimiao-office. Other cells refer to rows by these ids.",
     "每类事物一张表，每行一个事物。id列为其标识（城市基准IRI之后的部分，如body/fuzimiao-office），其他单元格以id相互引用。"),
    ("Vocabulary terms and classes are written with their prefix: dt:penalty, role:lead, sev:major, "
     "rank:department-head, st:sourced, gk:StreetOffice. Known prefixes: "
     + ", ".join(sorted(PREFIXES)) + ".",
     "词表术语和类名带前缀书写，如dt:penalty、role:lead、sev:major、rank:department-head、gk:StreetOffice。"),
    ("Legal provisions are written as Chinese citations: 城市市容和环境卫生管理条例第三十四条（一）, also "
     "第三十四条第一项, half-width brackets (一), with or without 《》; a law alone by its title; or by IRI.",
     "法律条款写作中文引文，如“城市市容和环境卫生管理条例第三十四条（一）”，也可写“第三十四条第一项”或半角括号；仅写法律名称即指该法律。"),
    ("Several references in one cell: separate them with ; or ；. Several texts in one cell: one per line "
     "(Alt+Enter in Excel).",
     "一个单元格中的多个引用以;或；分隔；多条文字每行一条（Excel中按Alt+Enter换行）。"),
    ("Dates are YYYY-MM-DD (2019-09-01); date-times YYYY-MM-DDThh:mm:ss; durations PT30M, P3D.",
     "日期写作YYYY-MM-DD；时间写作YYYY-MM-DDThh:mm:ss；时长写作PT30M、P3D。"),
    ("Import checks every row: unknown bodies, matters, areas or vocabulary terms, dates in another form, "
     "duties without holder, enforcement duties (dt:penalty, dt:coercion, dt:inspection) without "
     "legal basis, citations that do not resolve. One bad row rejects the whole import unless "
     "--keep-going is given.",
     "导入时逐行检查：未定义的主体、事项、区域或词表术语，日期格式，缺少责任主体的职责，缺少法律依据的执法类职责，无法解析的法律引文。"
     "默认任何一行有误即整体不导入；使用--keep-going则写入正确的行并列出错误。"),
    ("Anything the typed sheets cannot hold is kept on the statements sheet, one triple a row, so that "
     "exporting and importing a city gives back exactly the same graph.",
     "各表无法表达的内容保存在statements表中（每行一个三元组），导出再导入可得到完全相同的图。"),
    ("CSV: one file per sheet (bodies.csv, duties.csv …) in one folder, UTF-8 with or without BOM.",
     "CSV格式：每张表一个文件，放在同一文件夹中，UTF-8编码（可带BOM）。"),
]


def _curie(iri) -> str:
    for prefix, ns in PREFIXES.items():
        if str(iri).startswith(str(ns)):
            return f"{prefix}:{str(iri)[len(str(ns)):]}"
    return f"<{iri}>"


def notes_table() -> Table:
    rows: list[list[str]] = [["(all)", "", "", "", "", en, zh] for en, zh in GENERAL]
    keys = "; ".join(f"{k}: {v}" for k, v in META_KEYS.items())
    rows.append([META, "", "", "", "", "Rows of key and value: " + keys,
                 "键值对：city_iri为城市基准IRI。"])
    for sheet in TYPED_SHEETS:
        rows.append([sheet.name, "", "", "", "", sheet.en, sheet.zh])
        for col in sheet.columns:
            needed = col.kind == "id" or col.required or (col.kind == "type" and sheet.default_type is None)
            required = "yes" if needed else ""
            prop = _curie(col.predicate) if col.predicate is not None else ""
            if col.is_literal and col.lang:
                prop += f" @{col.lang}"
            elif col.datatype is not None:
                prop += f" ^^{_curie(col.datatype)}"
            rows.append([sheet.name, col.header, prop, col.value_form(), required, col.en, col.zh])
    rows.append([STATEMENTS, "", "", "", "", "Every triple the typed sheets do not hold, one a row.",
                 "各表未表达的三元组，每行一个。"])
    for h in STATEMENT_HEADERS:
        en, zh = STATEMENT_NOTES[h]
        rows.append([STATEMENTS, h, "", "", "yes" if h in ("subject", "predicate") else "", en, zh])
    return Table(NOTES, list(NOTES_HEADERS), rows)


NOTES_WIDTHS = [12, 20, 26, 40, 9, 70, 50]


def column_widths() -> dict[str, list[int]]:
    out = {sheet.name: [28 if c.kind == "id" else 22 for c in sheet.columns] for sheet in TYPED_SHEETS}
    out[STATEMENTS] = [34, 24, 50, 18, 8, 8]
    out[META] = [16, 50]
    out[NOTES] = NOTES_WIDTHS
    return out


def template_book() -> Book:
    """The empty template: the meta sheet to fill, every sheet with its headers, and the notes."""
    meta = Table(META, list(META_HEADERS), [["city_iri", ""], ["name", ""], ["template", TEMPLATE_VERSION],
                                             ["govkg_version", __version__]])
    tables = [Table(s.name, s.headers) for s in TYPED_SHEETS]
    return Book([meta, *tables, Table(STATEMENTS, list(STATEMENT_HEADERS)), notes_table()])
