"""Status notes in Chinese: every note a verdict can carry, and the five examples and 003 against 001
as HTML, Markdown and spreadsheet, with no English left in what people read (the JSON keeps the English)."""

from __future__ import annotations

import copy
import html as htmllib
import re
from pathlib import Path

import pytest

from linker import quantities
from linker.match import DEFAULT_SCORER
from linker.model import Candidate, EvidenceUnit, Goal, Quantity, Status, SubGoal
from linker.report import to_json
from linker.status import judge, judge_subgoal, note_zh

from .conftest import SEED, corpus

ENGLISH = re.compile(r"[A-Za-z]{2,}")


def english(text: str, allowed: str = "") -> list[str]:
    """English words of ``text`` that the documents themselves do not contain (GDP, PM2.5 …)."""
    return [w for w in ENGLISH.findall(text) if w not in allowed]


def _unit(text: str, *, negative: bool = False) -> EvidenceUnit:
    return EvidenceUnit("u1", 0, "s1", 100, 100 + len(text), text, 1, negative=negative,
                        quantities=quantities.find_quantities(text, offset=100))


def _judge(goal: str, evidence: str, *, accepted: bool = True, score: float = 0.9, year: int | None = None,
           negative: bool = False, goal_year: int | None = None) -> str:
    sg = SubGoal("g1.1", "g1", 0, len(goal), goal, target=quantities.parse_target(goal, year=goal_year))
    g = Goal("g1", "s1", 0, len(goal), goal, "paragraph", subgoals=[sg])
    u = _unit(evidence, negative=negative)
    v, _ = judge([g], {"g1.1": [Candidate(score, "g1.1", "u1", accepted=accepted)]}, {"u1": u}, DEFAULT_SCORER,
                 evidence_year=year)
    return v["g1.1"].note


def _every_status_note() -> list[str]:
    notes = [
        _judge("普惠率达到90%", "普惠率达到92%"),  # satisfies
        _judge("普惠率达到90%", "普惠率达到88%"),  # contradicts
        _judge("到2025年，普惠率达到90%", "普惠率达到92%", year=2022, goal_year=2021),  # interim
        _judge("到2025年，普惠率达到90%", "普惠率达到88%", year=2022, goal_year=2021),  # not yet due
        _judge("普惠率达到90%", "普惠率达到88%", accepted=False, score=0.4),  # a candidate reports it
        _judge("到2025年，普惠率达到90%", "普惠率达到88%", accepted=False, score=0.4, year=2022, goal_year=2021),
        _judge("加强队伍建设", "开展教师培训", accepted=False, score=0.4),  # doubtful
        _judge("加强队伍建设", "开展教师培训", accepted=False, score=0.05),  # nothing
        _judge("加强预算绩效管理", "部分项目绩效目标未全部完成", negative=True),  # problem statements
        _judge("加强队伍建设", "开展教师培训"),  # qualitative
        _judge("普惠率达到90%", "学前教育普及普惠"),  # no reported figure
        _judge("家长满意度不低于90%", "家长满意度调查综合得分为85.7分"),  # not comparable
    ]
    # a figure the goal document reports itself (全年目标实际完成情况)
    t = quantities.parse_target("城镇新增就业人数39500人")
    assert t is not None
    t.comparator = ">="
    for value in (49358, 30000):
        sg = SubGoal("g1.1", "g1", 0, 4, "城镇新增就业人数", target=t, actual=Quantity(0, 0, value, unit="人", quantity="城镇新增就业人数"))
        notes.append(judge_subgoal(sg, [], {}, DEFAULT_SCORER).note)
    return notes


def _table_notes() -> list[str]:
    from linker.selfeval import IndicatorRow, actual_quantity, judge_row

    def row(name: str, target: str, actual: str, unit: str = "%", comparator: str | None = "≥") -> IndicatorRow:
        r = IndicatorRow(name=name, name_span=(0, len(name)), target_text=target, actual_text=actual, unit=unit, reason=None)
        r.target = quantities.parse_indicator_cell(name, target, comparator=comparator, unit=unit or None, year=2021)
        r.actual = actual_quantity(name, actual, unit=unit or None)
        return r

    rows = [
        row("预算执行率", "90", "95"),  # satisfies
        row("预算执行率", "90", "88%"),  # falls short of
        row("资金使用合规性", "合规", "合规", unit="", comparator="定性"),  # as planned
        row("财务监控有效性", "有效", "较有效", unit="", comparator="定性"),  # against the planned
        row("管理制度健全性", "健全", "已建立", unit="", comparator="定性"),  # (planned …)
        row("预算执行率", "90", ""),  # no 完成值
        row("培训人数", "3000", "约三千", unit="人"),
    ]
    due = row("覆盖率", "90", "88")
    assert due.target is not None
    due.target.deadline = 2025
    rows.append(due)
    notes = [judge_row(r, evidence_year=2022).note for r in rows]
    odd = row("预算执行率", "90", "")
    odd.target, odd.actual_text = None, "已完成"
    notes.append(judge_row(odd).note)  # 完成值 against a target in words
    odd.target_text = ""
    notes.append(judge_row(odd).note)  # 完成值 only
    mismatch = row("预算执行率", "90", "88")
    mismatch.actual = Quantity(0, 0, 88, unit="个", quantity="预算执行率")
    notes.append(judge_row(mismatch).note)  # cannot be compared
    return notes


def _feedback_notes(tmp_path: Path) -> list[str]:
    from linker import feedback
    from linker.pipeline import Options, analyze
    from linker.store import Judgment, now

    path = tmp_path / "report.txt"
    path.write_text("2024年度部门整体绩效评价报告\n一、部门概况\n（一）部门整体绩效目标设立情况\n1.加强教师队伍建设。\n"
                    "2.推进智慧校园建设。\n二、整体绩效目标实现情况\n（一）全年工作完成情况\n教师培训工作有序开展。\n", encoding="utf-8")
    a = analyze(path, options=Options(model="lexical", use_store=False))
    gd = a.goal_doc
    sgs = [sg for _, sg in a.subgoals()]

    def j(sg: SubGoal, label: str, value: str | None = None, note: str = "") -> Judgment:
        return Judgment(goal_path=gd.path, goal_sha256=gd.sha256, evidence_path=gd.path, evidence_sha256=gd.sha256,
                        subgoal=gd.quote(sg.start, sg.end), subgoal_span=(sg.start, sg.end), evidence=None,
                        label=label, value=value, annotator="测试员", created=now(), note=note)

    b = copy.deepcopy(a)
    feedback.apply(a, [j(sgs[0], "no_evidence"), j(sgs[1], "status_override", "met")])
    feedback.apply(b, [j(sgs[1], "status_override", "unmet", note="经核实未完成")])
    return [a.verdicts[sgs[0].id].note, a.verdicts[sgs[1].id].note, b.verdicts[sgs[1].id].note]


def test_every_note_a_verdict_can_carry_reads_in_chinese(tmp_path: Path):
    notes = _every_status_note() + _table_notes() + _feedback_notes(tmp_path)
    assert len(set(notes)) == len(notes), "each case gives a note of its own"
    for n in notes:
        assert ENGLISH.search(n), f"the JSON note stays English: {n}"
        zh = note_zh(n)
        assert not english(zh), f"{n!r} → {zh!r}"
    # the figures stay as written
    assert "普惠率 88%" in note_zh(_judge("普惠率达到90%", "普惠率达到88%"))
    zh = note_zh(_judge("到2025年，普惠率达到90%", "普惠率达到88%", year=2022, goal_year=2021))
    assert zh.startswith("尚未到期") and "2022" in zh and "2025" in zh


@pytest.fixture(scope="module")
def reports(analysis_000, analysis_003_001) -> dict[str, dict]:
    from linker.pipeline import analyze

    out = {"000": to_json(analysis_000), "003×001": to_json(analysis_003_001)}
    for name in ("001", "002", "003", "004"):
        out[name] = to_json(analyze(SEED[name]))
    return out


def _documents(report: dict) -> str:
    paths = {report["goal_document"]["path"], *(d["path"] for d in report.get("evidence_documents") or [])}
    return "".join(Path(p).read_text(encoding="utf-8", errors="replace") for p in paths)


@pytest.mark.slow
def test_no_english_in_the_notes_of_the_examples(reports, tmp_path: Path):
    from openpyxl import load_workbook

    from linker.report import html, markdown, xlsx

    seen = 0
    for name, report in reports.items():
        allowed = _documents(report)
        page = html.render(report)
        html_notes = [htmllib.unescape(re.sub(r"<[^>]+>", "", n)) for n in re.findall(r"<dt>判断</dt><dd>(.*?)</dd>", page, re.DOTALL)]
        md_notes = [ln.removeprefix("- 判断：") for ln in markdown.render(report).splitlines() if ln.startswith("- 判断：")]
        path = tmp_path / f"{name}.xlsx"
        path.write_bytes(xlsx.render(report))
        ws = load_workbook(path)["子目标"]
        col = [c.value for c in ws[1]].index("判断")
        xlsx_notes = [r[col] for r in ws.iter_rows(min_row=2, values_only=True) if r[col]]
        with_note = sum(1 for g in report["goals"] for sg in g["subgoals"] if sg.get("note"))
        assert len(html_notes) == len(md_notes) == len(xlsx_notes) == with_note, name
        for fmt, notes in (("html", html_notes), ("md", md_notes), ("xlsx", xlsx_notes)):
            for n in notes:
                assert not english(n, allowed), f"{name} {fmt}: {n}"
        seen += with_note
    assert seen > 200


def test_the_self_evaluation_table_notes_in_chinese():
    from linker.pipeline import Options, analyze
    from linker.report import markdown

    report = to_json(analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False)))
    lines = [ln for ln in markdown.render(report).splitlines() if ln.startswith("- 判断：")]
    assert len(lines) == sum(1 for g in report["goals"] for sg in g["subgoals"])
    assert all(not english(ln) for ln in lines), [ln for ln in lines if english(ln)]
    assert any("自评表：完成值 预算执行率 88%，未达到指标值 预算执行率 ≥90%" in ln for ln in lines)
    statuses = {sg["status"] for g in report["goals"] for sg in g["subgoals"]}
    assert statuses >= {Status.MET.value, Status.UNMET.value}


def test_a_target_not_yet_due_is_not_shown_as_missed(analysis_003_001, tmp_path: Path):
    """003's 2025 targets judged on 001's 2022 figures: "unmet" stays the JSON status, with
    ``due``; people read 尚未到期 in every report, and the overview says how many."""
    from openpyxl import load_workbook

    from linker.report import html, markdown, xlsx

    report = to_json(analysis_003_001)
    sgs = [sg for g in report["goals"] for sg in g["subgoals"]]
    pending = [sg for sg in sgs if sg["status"] == "unmet" and sg["due"]]
    ahead = [sg for sg in sgs if sg["status"] == "met" and sg["due"]]
    assert pending and ahead and all(sg["due"] == 2025 for sg in pending + ahead)
    assert all(sg["note_zh"].startswith("尚未到期") for sg in pending)
    md = markdown.render(report)
    for sg in pending:
        assert f"#### {sg['id']} 【尚未到期（2025年目标暂未达到）】" in md
    for sg in ahead:
        assert f"#### {sg['id']} 【已提前达到（2025年目标）】" in md
    unmet = sum(1 for sg in sgs if sg["status"] == "unmet")
    assert f"“未达成”的 {unmet} 个子目标中，{len(pending)} 个尚未到期" in md
    page = html.render(report)
    assert page.count("尚未到期（2025年目标暂未达到）") == len(pending)
    assert 'id="not-yet-due"' in page
    path = tmp_path / "r.xlsx"
    path.write_bytes(xlsx.render(report))
    ws = load_workbook(path)["子目标"]
    header = [c.value for c in ws[1]]
    shown = {r[header.index("子目标编号")]: (r[header.index("状态")], r[header.index("status")]) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert all(shown[sg["id"]] == ("尚未到期（2025年目标暂未达到）", "unmet") for sg in pending)


@pytest.mark.parametrize("text, shown", [
    ("新增学位2万余个。", "新增学位 2万余个"),
    ("培训教师1500余人次。", "教师 1500余人次"),
    ("新增学位近2万个。", "新增学位 约2万个"),
    ("入园率达到90%以上。", "入园率 ≥90%"),
    ("能耗比上年下降3%。", "能耗 下降3%"),
])
def test_figures_read_as_the_report_wrote_them(text, shown):
    from linker.report.html import fmt_quantity

    (q,) = quantities.find_quantities(text, year=2022)
    assert fmt_quantity(q.to_json()) == shown


def test_the_workbook_carries_the_warnings_and_the_not_yet_due_count(analysis_003_001, tmp_path: Path):
    from openpyxl import load_workbook

    from linker.pipeline import Options, analyze
    from linker.report import xlsx

    alone = to_json(analyze(SEED["003"], options=Options(model="lexical", use_store=False)))
    assert alone["warnings"]
    path = tmp_path / "w.xlsx"
    path.write_bytes(xlsx.render(alone))
    wb = load_workbook(path)
    issues = [r for r in wb["问题与提示"].iter_rows(min_row=2, values_only=True) if r[0] == "读取提示"]
    assert [r[2] for r in issues] == alone["warnings"]
    assert any(r[0] == "注意" for r in wb["概览"].iter_rows(values_only=True))
    report = to_json(analysis_003_001)
    path.write_bytes(xlsx.render(report))
    rows = {r[0]: r[1] for r in load_workbook(path)["概览"].iter_rows(values_only=True) if r and r[0]}
    pending = sum(1 for g in report["goals"] for sg in g["subgoals"] if sg["status"] == "unmet" and sg["due"])
    assert pending and rows["其中尚未到期的未达成"] == pending
