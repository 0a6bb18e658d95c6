"""route-batch: a CSV of 12345-style work orders in, one output row per input row out."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from conftest import FIXTURES

from govkg.batch import OUT_COLUMNS, read_work_orders, route_batch, write_results
from govkg.cli import main
from govkg.errors import InputError
from govkg.kb import KnowledgeBase, load
from govkg.route import route

CITY = FIXTURES / "routing" / "city.ttl"

GOOD_AND_BAD = """id,time,matter,area,severity,raised_by
A1,2020-05-01T09:00,餐饮油烟,东一社区,一般,东街道办事处
A2,2020-05-01T09:00,油烟机,东一社区,,
A3,2020-05-01T09:00,流浪猫,西街道,,
A4,someday,餐饮油烟,西街道,,
A5,2020-05-01T09:00,,西街道,,
A6,2020-05-01T09:00,占道经营,西街道,major,
A7,2020-05-01T09:00,扬尘,西街道,,
A8,2020-05-01T09:00,餐饮油烟,西街道,huge,
,2020-05-01T09:00,路灯维修,西街道,,
A10,2020-05-01T09:00,路灯维修,西街道,,
"""


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load(CITY)


def _write(tmp_path: Path, text: str, bom: bool = False, name: str = "orders.csv") -> Path:
    p = tmp_path / name
    p.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8"))
    return p


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == list(OUT_COLUMNS)
        return list(reader)


def test_every_input_row_has_an_output_row_in_order(tmp_path: Path, kb: KnowledgeBase):
    src = _write(tmp_path, GOOD_AND_BAD, bom=True)
    result = route_batch(kb, src)
    out = write_results(result, tmp_path / "out.csv")
    rows = _read(out)
    assert [r["id"] for r in rows] == ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A8", "", "A10"]
    errors = {r["id"]: r["error"] for r in rows if r["error"]}
    assert set(errors) == {"A2", "A4", "A5", "A7", "A8", ""}
    assert errors["A2"].startswith("line 3: unknown matter '油烟机'") and "餐饮油烟" in errors["A2"]
    assert errors["A4"].startswith("line 5: bad date or time 'someday'")
    assert errors["A5"] == "line 6: missing value in column(s) matter"
    assert errors["A7"].startswith("line 8: ambiguous matter")
    assert errors["A8"].startswith("line 9: unknown severity")
    assert errors[""] == "line 10: missing value in column(s) id"
    for r in rows:
        if r["error"]:
            assert all(r[c] == "" for c in OUT_COLUMNS if c not in ("id", "error"))
    good = {r["id"]: r for r in rows if not r["error"]}
    assert good["A1"]["lead"] == "东街道综合行政执法局 / East Street Comprehensive Enforcement Bureau"
    assert good["A1"]["respondents"] == (
        "东街道综合行政执法局 / East Street Comprehensive Enforcement Bureau; "
        "甲区生态环境局 / District A Ecology and Environment Bureau"
    )
    assert good["A1"]["deadline"] == "2020-05-01T11:00:00+08:00"
    assert "部门分管领导" in good["A1"]["ranks"] and "科室负责人" in good["A1"]["ranks"]
    assert "大气污染防治法 第一百一十八条" in good["A1"]["basis"] and "via" in good["A1"]["basis"]
    assert good["A1"]["gap_codes"] == ""
    assert good["A3"]["lead"] == "甲区人民政府 / District A Government (兜底 fallback)"
    assert good["A3"]["respondents"] == "" and good["A3"]["gap_codes"] == "GAP-UNCOVERED"
    assert good["A6"]["lead"] == (
        "甲区区委书记（挂包西街道） / District A party secretary (paired with West Street)"
    )
    assert good["A6"]["gap_codes"] == "GAP-OVERLAP"
    assert good["A10"]["lead"].startswith("甲区房产局")
    assert not list(tmp_path.glob("*.tmp"))


def test_a_batch_row_says_what_a_single_route_says(tmp_path: Path, kb: KnowledgeBase):
    src = _write(tmp_path, "id,time,matter,area\nX,2020-05-01T09:00,占道经营,西街道\n")
    (row,) = route_batch(kb, src).rows
    single = route(kb, matter="占道经营", area="西街道", at="2020-05-01T09:00")
    assert row.result is not None
    assert row.result.to_dict()["respondents"] == single.to_dict()["respondents"]
    assert row.result.gap_codes == single.gap_codes == ["GAP-OVERLAP"]


def test_cli_exit_1_and_line_numbers_on_stderr_when_a_row_is_bad(tmp_path: Path, capsys):
    src = _write(tmp_path, GOOD_AND_BAD)
    out = tmp_path / "out.csv"
    code = main(["route-batch", str(src), "-o", str(out), "--city", str(CITY)])
    stdout, stderr = capsys.readouterr()
    assert code == 1
    lines = stderr.strip().splitlines()
    assert [ln.split(": ", 1)[0] for ln in lines] == [f"{src}:{n}" for n in (3, 5, 6, 8, 9, 10)]
    assert "Traceback" not in stderr
    assert "10 row(s), 4 routed, 6 bad" in stdout
    assert len(_read(out)) == 10


def test_cli_exit_0_when_every_row_is_good_with_bom(tmp_path: Path, capsys):
    text = ("id,time,matter,area,severity,raised_by\r\n"
            "1,2020-05-01,路灯维修,西街道,,\r\n"
            "2,2020-05-01 10:00,流浪猫,西街道,重大,\r\n")
    src = _write(tmp_path, text, bom=True)
    out = tmp_path / "sub" / "out.csv"
    out.parent.mkdir()
    code = main(["route-batch", str(src), "-o", str(out), "--city", str(CITY)])
    capsys.readouterr()
    assert code == 0
    rows = _read(out)
    assert [r["id"] for r in rows] == ["1", "2"] and all(r["error"] == "" for r in rows)


def test_line_numbers_count_physical_lines(tmp_path: Path, kb: KnowledgeBase):
    text = 'id,time,matter,area\n"M\nULTI",2020-05-01,路灯维修,西街道\nB,2020-05-01,nothing,西街道\n'
    rows = route_batch(kb, _write(tmp_path, text)).rows
    assert rows[0].error is None and rows[0].id == "M\nULTI"
    assert rows[1].line == 4 and rows[1].to_cells()["error"].startswith("line 4: unknown matter")


def test_a_missing_column_or_bad_file_is_a_usage_error(tmp_path: Path, capsys):
    src = _write(tmp_path, "id,when,matter,area\n1,2020-05-01,路灯维修,西街道\n")
    with pytest.raises(InputError, match="missing column"):
        read_work_orders(src)
    out = tmp_path / "out.csv"
    assert main(["route-batch", str(src), "-o", str(out), "--city", str(CITY)]) == 2
    assert "missing column(s) time" in capsys.readouterr().err
    assert not out.exists()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,time,matter,area\n1,2020-05-01,caf\xe9,x\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read_work_orders(latin)
    with pytest.raises(InputError, match="no such file"):
        read_work_orders(tmp_path / "none.csv")


def test_an_existing_output_is_replaced_whole(tmp_path: Path, kb: KnowledgeBase):
    out = tmp_path / "out.csv"
    out.write_text("old content that is longer than the new one\n" * 100, encoding="utf-8")
    src = _write(tmp_path, "id,time,matter,area\n1,2020-05-01,路灯维修,西街道\n")
    write_results(route_batch(kb, src), out)
    assert "old content" not in out.read_text(encoding="utf-8")
    assert len(_read(out)) == 1


def test_the_rules_run_once_for_the_whole_batch(tmp_path: Path, kb: KnowledgeBase, monkeypatch):
    import govkg.route

    calls = []
    real = govkg.route.infer_assignments

    def counting(graph, engine="auto"):
        calls.append(engine)
        return real(graph, engine=engine)

    monkeypatch.setattr(govkg.route, "infer_assignments", counting)
    result = route_batch(kb, _write(tmp_path, GOOD_AND_BAD))
    assert len(calls) == 1
    assert len([r for r in result.rows if r.result is not None]) == 4


def test_a_batch_of_only_bad_rows_routes_nothing(tmp_path: Path, kb: KnowledgeBase):
    result = route_batch(kb, _write(tmp_path, "id,time,matter,area\n1,never,x,y\n"))
    assert [r.line for r in result.bad] == [2]
