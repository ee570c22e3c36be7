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


# --------------------------------------------------------------------------- heading recognition, line by line


def read_text(raw: str, fmt: str = "txt"):
    from linker.io import Reading
    from linker.normalize import normalize
    from linker.structure import structure

    return structure(normalize(Reading(path="lines.txt", raw=raw, format=fmt, sha256="0")))


@pytest.mark.parametrize(
    "line, rank, marker",
    [
        ("一、部门概况", 1, "一、"),  # 000
        ("三、2021年重点工作", 1, "三、"),  # gwr_cn_2021
        ("（一）机构设置及职责工作任务情况", 2, "（一）"),  # 000
        ("(二)主要目标", 2, "(二)"),  # 003, half-width brackets
        ("1.构建德智体美劳全面培养的教育体系。", 3, "1."),  # 000
        ("2、预算管理精细度还有待进一步提升。", 3, "2、"),
        ("（1）内设机构", 4, "（1）"),  # 000
        ("一是加强党对教育工作的全面领导。将习近平新时代中国特色社会主义思想", 5, "一是"),  # 000
        ("——人民群众教育获得感更加明显。", 6, "——"),  # 003
        ("①得分一档最高不能超过该指标分值上限（20分）。", 7, "①"),  # 000
        ("附件1", 0, "附件1"),  # 000
    ],
)
def test_heading_markers(line, rank, marker):
    from linker.structure import heading_rank

    assert heading_rank(line) == (rank, marker)


@pytest.mark.parametrize(
    "line",
    [
        "2021年度部门整体绩效评价报告",  # 000's title: a year, not "20、"
        "2022 年，北京教育系统坚持以习近平新时代中国特色社会主义思想为指导",  # 001
        "2025年，学前教育入园率达到90%以上",
        "1.3万个学位",  # a decimal number, not "1."
        "十四五时期是首都教育全面落实《中国教育现代化2035》的关键五年",  # a name, not a numeral heading
        "12个区全部通过国家义务教育发展基本均衡县（区）认定",  # a sentence starting with a number
        "2019 年首次对东城区等8 个区政府履行教育职责情况进行督导评估",  # 002
        "一是一，二是二",  # "一是" needs a topic after it
    ],
)
def test_lines_that_are_not_headings(line):
    from linker.structure import heading_rank

    assert heading_rank(line) is None
    doc = read_text(f"北京市教育委员会\n{line}\n")
    assert len(doc.sections) == 1


def test_run_in_headings_take_their_first_sentence_as_title():
    # 000 六、措施建议 (一); 001's bold lead-in
    doc = read_text("六、措施建议\n（一）强化全面预算绩效管理理念。强化绩效与预算管理一体化的理念，提升绩效目标及指标科学编制的能力。\n")
    sec = next(s for s in doc.sections if s.numbering == "（一）")
    assert sec.title == "强化全面预算绩效管理理念" and doc.text[sec.body_start :].startswith("强化绩效与预算管理一体化")
    doc = read_text("## 一、特色亮点工作\n\n**服务保障重大活动作出新贡献。**把迎接党的二十大、学习宣传贯彻党的二十大精神作为首要政治任务。\n", "md")
    bold = next(s for s in doc.sections if s.level == 6)
    assert bold.title == "服务保障重大活动作出新贡献" and bold.parent == next(s.id for s in doc.sections if s.numbering == "一、")
    # PDF text: "(二)标题 正文…" ends the title at the gap
    doc = read_text("一、工作成效及经验做法\n(二)坚持统筹协调推进,做好疫情防控和教育改革发展工作 新冠肺炎疫情发生以来,我市始终把教育系统疫情防控放到全市防控大局中。\n")
    sec = next(s for s in doc.sections if s.numbering == "(二)")
    assert sec.title == "坚持统筹协调推进,做好疫情防控和教育改革发展工作"


def test_nesting_of_the_official_levels():
    lines = ["一、部门概况", "（一）机构设置及职责工作任务情况", "1.机构设置", "（1）内设机构", "市教委机关内设32个处室。",
             "2.人员情况", "（二）部门整体绩效目标设立情况", "二、当年预算执行情况", "全年预算数3630636.82万元。"]
    raw = "\n".join(lines)
    doc = read_text(raw)
    got = [(s.numbering, s.level, doc.section(s.parent).numbering if s.parent else None) for s in doc.sections[1:]]
    assert got == [("一、", 1, ""), ("（一）", 2, "一、"), ("1.", 3, "（一）"), ("（1）", 4, "1."), ("2.", 3, "（一）"),
                   ("（二）", 2, "一、"), ("二、", 1, "")]
    for s in doc.sections[1:]:
        assert doc.text[s.start : s.end].startswith(s.numbering) and s.start < s.body_start <= s.end


# --------------------------------------------------------------------------- bad input: flat, empty, huge


def _lines_without_headings(name: str) -> str:
    from linker.structure import heading_rank

    lines = [ln.strip(" \u3000") for ln in SEED[name].read_text(encoding="utf-8").split("\n")]
    return "\n".join(ln for ln in lines if ln and heading_rank(ln) is None and not ln.startswith(("(", "（")) and "推荐访问" not in ln)


def run_cli(*args: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "linker", *args], check=False, capture_output=True, text=True, timeout=900)


def test_report_without_headings_reads_flat(tmp_path):
    path = tmp_path / "flat.txt"
    path.write_text(_lines_without_headings("002"), encoding="utf-8")
    doc = load(path)
    assert [s.id for s in doc.sections] == ["s0"]
    root = doc.sections[0]
    assert (root.start, root.end) == (0, len(doc.text)) and root.title == "北京市人民政府2020年度履行教育职责自评报告"
    assert len(doc.blocks) >= 10 and any("no headings" in w for w in doc.warnings)
    res = run_cli("inspect", str(path), "--format", "json")
    assert res.returncode == 0, res.stderr
    import json

    data = json.loads(res.stdout)
    assert [s["id"] for s in data["sections"]] == ["s0"] and data["goals"] == []
    res = run_cli("analyze", str(path), "--model", "lexical")
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "no goal section" in res.stderr and "--goals-section" in res.stderr


def test_empty_sections_keep_their_place(tmp_path):
    # 004 with the body of 三、(一) and all of 四、 removed: headings directly after headings
    text = SEED["004"].read_text(encoding="utf-8")
    a = text.index("（一）坚持扩容提质")
    a = text.index("\n", a) + 1
    b = text.index("（二）坚持系统提升")
    c = text.index("\n四、")
    c = text.index("\n", c + 1) + 1
    d = text.index("\n五、")
    empty = text[:a] + text[b:c] + text[d + 1 :]
    path = tmp_path / "empty.txt"
    path.write_text(empty, encoding="utf-8")
    doc = load(path)
    one = next(s for s in doc.sections if s.title.startswith("坚持扩容提质"))
    assert doc.text[one.start : one.end].strip() == "（一）坚持扩容提质，教育资源供给布局进一步优化"
    assert one.body_start == one.end - (1 if doc.text[one.end - 1] == "\n" else 0) or one.body_start == one.end
    four = next(s for s in doc.sections if s.numbering == "四、")
    assert not four.children and doc.text[four.start : four.end].rstrip("\n") == doc.text[four.start : four.body_start]
    assert [s.numbering for s in top(doc)] == ["一、", "二、", "三、", "四、", "五、", "六、"]
    res = run_cli("inspect", str(path))
    assert res.returncode == 0 and "四、" in res.stdout


def test_one_enormous_line(tmp_path):
    # all of 000 run into one line, eight times over (about 2 MB): a flat reading, not a hang
    one = SEED["000"].read_text(encoding="utf-8").replace("\n", "") * 8
    path = tmp_path / "one_line.txt"
    path.write_text(one, encoding="utf-8")
    doc = load(path)
    assert len(doc.blocks) == 1 and doc.text == one.replace("[bookmark: _GoBack]", "").strip(" \t\u3000")
    assert "2021年度部门整体绩效评价报告" in doc.text[:40]  # a year, no heading
    assert [s.id for s in doc.sections] == ["s0"]
    res = run_cli("inspect", str(path), "--format", "json")
    assert res.returncode == 0, res.stderr


@pytest.mark.slow
def test_very_large_report_reads(tmp_path):
    # 000 replicated to 50 MB: read, normalised and structured (timings: bench/read_speed.py)
    source = SEED["000"].read_bytes()
    copies = 50 * 1024 * 1024 // len(source)
    path = tmp_path / "large.txt"
    path.write_bytes(source * copies)
    doc = load(path)
    one = load(SEED["000"])
    assert len(doc.blocks) == len(one.blocks) * copies
    assert sum(1 for s in doc.sections if s.numbering == "一、" and s.title == "部门概况") == copies
    assert doc.text.startswith(one.text)
    res = run_cli("inspect", str(path), "--format", "json")
    assert res.returncode == 0 and "Traceback" not in res.stderr
