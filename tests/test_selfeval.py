"""Self-evaluation tables: the shared 项目支出绩效自评表 and a constructed .xlsx of the same shape."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linker.model import Status
from linker.pipeline import Options, analyze, load
from linker.selfeval import find_tables

from .conftest import corpus


@pytest.fixture(scope="module")
def zpb():
    return analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False))


def _by_text(a, text: str):
    return [(sg, a.verdicts[sg.id]) for _, sg in a.subgoals() if sg.text == text]


def test_the_table_is_found_and_read():
    doc = load(corpus("zpb_cq_yuzhong_2021.txt"))
    tables = find_tables(doc)
    assert len(tables) == 1
    t = tables[0]
    names = [r.name for r in t.rows if not r.overall]
    assert names[0] == "新增区级创业孵化基地数量" and names[-1] == "管理制度健全性" and len(names) == 16
    budget = next(r for r in t.rows if r.name == "预算执行率")
    assert (budget.target.comparator, budget.target.value, budget.target.unit) == (">=", 90.0, "%")
    assert (budget.actual.value, budget.weight, budget.block) == (88.0, 8.0, "管理")
    assert any("请在此处" in f for f in t.flags), "the template prompt left in 说明 is flagged"


def test_statuses_come_from_the_table(zpb):
    [(sg, v)] = _by_text(zpb, "预算执行率")
    assert v.status == Status.UNMET and v.source == "table" and sg.actual is not None and sg.actual.value == 88
    assert any("偏差原因" in f for f in v.flags)
    [(sg, v)] = _by_text(zpb, "城镇新增就业人数")
    assert v.status == Status.MET and v.actual.value == 49358
    [(_, v)] = _by_text(zpb, "财务监控有效性")  # 较有效 against 有效
    assert v.status == Status.UNMET
    [(_, v)] = _by_text(zpb, "资金使用合规性")
    assert v.status == Status.MET
    overall = next(g for g in zpb.goals if g.title == "全年绩效目标")
    assert [sg.text for sg in overall.subgoals] == ["城镇新增就业人数39500人", "零就业家庭帮扶率100%"]
    assert all(zpb.verdicts[sg.id].status == Status.MET for sg in overall.subgoals)


def test_blocks_and_categories_come_from_the_indicator_columns(zpb):
    cats = {sg.text: (sg.block, sg.category) for _, sg in zpb.subgoals()}
    assert cats["新增区级创业孵化基地数量"] == ("产出", "数量")
    assert cats["就业见习补贴发放及时率"] == ("产出", "时效")
    assert cats["社会保险补贴发放准确率"] == ("产出", "质量")
    assert cats["公共就业服务满意度"] == ("效果", "满意度")
    assert cats["城镇新增就业人数"][0] == "效果"
    assert cats["预算执行率"][0] == "管理"


def test_suggested_scores_use_the_table_weights_and_the_tables_own_rule(zpb):
    from linker.scoring import suggest

    by = {b["block"]: b for b in suggest(zpb)["blocks"]}
    # 产出: weights 15 + 5 × 5; 新增区级创业孵化基地数量 3 against ≥1 is far over target, but the
    # table's own 评价标准 says "达到目标得满分": no over-target penalty (000's rule is not this report's)
    assert by["产出"]["max"] == 40.0 and by["产出"]["suggested"] == pytest.approx(40.0)
    assert by["产出"]["differences"] == []
    assert by["效果"]["self_reported"] is None


def test_the_cli_analyses_the_table_without_an_evidence_section(tmp_path: Path):
    out = tmp_path / "zpb.json"
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "linker",
            "analyze",
            str(corpus("zpb_cq_yuzhong_2021.txt")),
            "-m",
            "lexical",
            "-q",
            "-o",
            str(out),
        ],
        check=False,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, r.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    rows = {s["text"]: s for g in report["goals"] for s in g["subgoals"]}
    assert rows["预算执行率"]["status"] == "unmet" and rows["预算执行率"]["actual"]["value"] == 88
    assert rows["城镇新增就业人数"]["status"] == "met"
    assert any("请在此处" in f for f in report["flags"])


def test_a_constructed_xlsx_with_empty_results_and_reasons(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "绩效自评表"
    ws.append(["2023年度项目支出绩效自评表"])
    ws.append(["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"])
    ws.append(["产出指标", "数量指标", "新增学位数", "≥12000个", "1.3万个", 20, 20, ""])
    ws.append(["产出指标", "时效指标", "项目按时完工率", "100%", "", 10, 0, ""])
    ws.append(["效益指标", "社会效益指标", "普惠性幼儿园覆盖率", "≥90%", "88%", 10, 9, ""])
    ws.append(["满意度指标", "服务对象满意度指标", "家长满意度", "≥95%", "96%", 10, 10, "无"])
    path = tmp_path / "selfeval.xlsx"
    wb.save(path)
    doc = load(path)
    [t] = find_tables(doc)
    rows = {r.name: r for r in t.rows}
    assert rows["新增学位数"].actual is not None and rows["新增学位数"].actual.plain_value == 13000
    a = analyze(path, options=Options(model="lexical", use_store=False))
    v = {sg.text: a.verdicts[sg.id] for _, sg in a.subgoals()}
    assert v["新增学位数"].status == Status.MET  # 1.3万 = 13000 ≥ 12000
    assert v["普惠性幼儿园覆盖率"].status == Status.UNMET and "偏差原因为空：未说明未达标的原因" in v["普惠性幼儿园覆盖率"].flags
    assert v["项目按时完工率"].status == Status.UNEVIDENCED and "实际完成值为空" in v["项目按时完工率"].flags
    assert v["家长满意度"].status == Status.MET and not v["家长满意度"].flags
    cats = {sg.text: (sg.block, sg.category) for _, sg in a.subgoals()}
    assert cats["项目按时完工率"] == ("产出", "时效") and cats["普惠性幼儿园覆盖率"] == ("效果", "社会效益")


def test_a_result_written_as_nearly_the_target_falls_short(tmp_path: Path):
    """实际完成值 近10所 against 10所 (read ≥): just under the target, so not met; 近12所 against 10所 is met."""
    text = ("2022年度项目支出绩效自评报告\n一、绩效目标设立情况\n（一）绩效目标表\n"
            "一级指标\t二级指标\t三级指标\t年度指标值\t实际完成值\t分值\t得分\n"
            "产出指标\t数量指标\t新建幼儿园\t10所\t近10所\t10\t10\n"
            "产出指标\t数量指标\t新建托育点\t10个\t近12个\t10\t10\n"
            "产出指标\t数量指标\t新增学位数\t≥12000个\t12000个\t10\t10\n")
    path = tmp_path / "se.txt"
    path.write_text(text, encoding="utf-8")
    a = analyze(path, options=Options(model="lexical", use_store=False))
    got = {sg.text: a.verdicts[sg.id] for _, sg in a.subgoals()}
    assert {k: v.status for k, v in got.items()} == {"新建幼儿园": Status.UNMET, "新建托育点": Status.MET, "新增学位数": Status.MET}
    assert "近10所" in got["新建幼儿园"].note and got["新建幼儿园"].source == "table"
    # rows pasted from a spreadsheet (cells separated by tabs) are the table
    assert sum(1 for b in a.goal_doc.blocks if b.kind == "table_row") == 4
