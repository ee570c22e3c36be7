"""Section trees and roles of the example reports, as an evaluator reads them."""

from __future__ import annotations

import pytest

from linker.evidence import evidence_sections
from linker.model import Role
from linker.pipeline import load
from linker.structure import Overrides

from .conftest import SEED, corpus


def top(doc):
    return [s for s in doc.sections if s.level == 1 and not any(a.level == 0 and a.id != "s0" and a.start <= s.start < a.end for a in doc.sections)]


def titles(doc, role):
    return [s.numbering + s.title for s in doc.sections if s.role == role and s.role_source in ("title", "override")]


def test_000_tree_and_roles():
    doc = load(SEED["000"])
    assert [s.numbering for s in top(doc)] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert titles(doc, Role.GOALS) == ["（二）部门整体绩效目标设立情况"]
    ev = [s for s in doc.sections if s.role == Role.EVIDENCE and s.role_source == "title"]
    assert ev[0].numbering + ev[0].title == "三、整体绩效目标实现情况"
    assert "（二）存在的问题及原因分析" in titles(doc, Role.NEGATIVE)
    assert "六、措施建议" in titles(doc, Role.PLANS)
    assert "二、当年预算执行情况" in titles(doc, Role.BUDGET)
    assert "（一）评价得分情况" in titles(doc, Role.SCORES)
    # the appendix repeats the goals and the achievements verbatim
    dups = {doc.section(s.duplicate_of).title for s in doc.sections if s.duplicate_of}
    assert dups == {"部门整体绩效目标设立情况", "全年工作完成情况"}
    appendix = next(s for s in doc.sections if s.level == 0 and s.id != "s0")
    assert doc.text[appendix.start :].startswith("附件1")
    # the 11 numbered indicators are sub-sections of the goal section
    goal_sec = next(s for s in doc.sections if s.title == "部门整体绩效目标设立情况")
    items = [s for s in doc.sections if s.parent == goal_sec.id]
    assert [s.numbering for s in items] == [f"{i}." for i in range(1, 12)]


def test_003_indicator_table_and_goals():
    doc = load(SEED["003"])
    assert [s.numbering for s in top(doc)] == ["一、", "二、", "三、", "四、", "五、"]
    assert titles(doc, Role.GOALS)[:2] == ["二、指导思想和主要目标", "(二)主要目标"]
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    data = [r for r in rows if r.cells and doc.text[r.cells[0][0] : r.cells[0][1]].isdigit()]
    assert len(data) == 12
    assert doc.text[data[0].start : data[0].end].split("\t") == ["1", "学前教育入园率（%）", "90", "＞90"]
    assert "三、主要任务" in titles(doc, Role.PLANS)


def test_002_future_plans_are_not_evidence():
    doc = load(SEED["002"])
    assert [s.numbering + s.title for s in top(doc)] == ["一、工作成效及经验做法", "二、存在的问题", "三、下一步改进措施"]
    roles = {s.numbering + s.title: s.role for s in top(doc)}
    assert roles == {"一、工作成效及经验做法": Role.EVIDENCE, "二、存在的问题": Role.NEGATIVE, "三、下一步改进措施": Role.PLANS}
    chosen = evidence_sections(doc, whole_document=False)
    assert all(s.role != Role.PLANS for s in chosen)
    plans = next(s for s in top(doc) if s.role == Role.PLANS)
    assert not any(c.start <= plans.start < c.end for c in chosen)
    # the sub-heading PDF extraction left on the heading's line is a section of its own
    assert any(s.numbering == "(一)" and s.title.startswith("坚持党对教育工作的全面领导") for s in doc.sections)


def test_001_markdown_run_in_headings():
    doc = load(SEED["001"])
    assert doc.format == "md"
    assert [s.numbering + s.title for s in top(doc)] == ["一、特色亮点工作", "二、年度工作完成情况"]
    bold = [s for s in doc.sections if s.title == "服务保障重大活动作出新贡献。" or s.title == "服务保障重大活动作出新贡献"]
    assert bold, "the bold lead-in is a run-in heading"
    assert "**" not in doc.text and "入园率达到 90%" in doc.text  # "入\n\n园率" joined


def test_004_label_is_not_an_appendix():
    doc = load(SEED["004"])
    assert not any(s.role == Role.APPENDIX for s in doc.sections)
    assert [s.numbering for s in top(doc)] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    assert titles(doc, Role.GOALS) == ["（二）部门整体绩效目标设立情况"]


def test_goals_section_override():
    from linker.structure import sections_with_role

    doc = load(SEED["003"], Overrides(goals=("一、发展基础和形势要求",)))
    assert [s.numbering + s.title for s in sections_with_role(doc, Role.GOALS)] == ["一、发展基础和形势要求"]


def test_override_that_names_no_section_says_which_exist():
    from linker.errors import LinkerError

    with pytest.raises(LinkerError, match="主要目标"):
        load(SEED["003"], Overrides(goals=("no such title",)))


@pytest.mark.parametrize(
    "name, evidence_title, goals_or_plans_title",
    [
        ("gwr_cn_2019.txt", "一、2018年工作回顾", "三、2019年政府工作任务"),
        ("gwr_cn_2024.txt", "一、2023年工作回顾", "三、2024年政府工作任务"),
        ("gwr_bj_2025.txt", "一、2024年工作回顾", "二、2025年工作总体要求和重点任务"),
    ],
)
def test_government_work_reports(name, evidence_title, goals_or_plans_title):
    doc = load(corpus(name))
    heads = {s.numbering + s.title: s.role for s in top(doc)}
    assert heads[evidence_title] == Role.EVIDENCE
    assert heads[goals_or_plans_title] == Role.PLANS


def test_pdf_wrapped_government_report_headings():
    doc = load(corpus("gwr_bj_2024.txt"))
    heads = [s.numbering + s.title for s in top(doc)]
    assert heads == ["一、2023 年工作回顾", "二、2024 年重点任务"]
