"""The nine real documents of ../shared/corpus/ read correctly: their top-level sections,
how many paragraphs they have once broken lines are joined, and the artefacts of their
extraction repaired (see ../shared/corpus/SOURCES.md for where each comes from)."""

from __future__ import annotations

import re

import pytest

from linker.model import Role
from linker.pipeline import load

from .conftest import corpus


def top(doc) -> list[str]:
    return [s.numbering + s.title for s in doc.sections if s.level == 1]


def paragraphs(doc) -> list[str]:
    return [doc.text[b.start : b.end] for b in doc.blocks if b.kind == "paragraph"]


def check_offsets(doc) -> None:
    """Every character of the reading stands on the same character of the file (or on the
    line break or tab it replaces), in order."""
    for i, ch in enumerate(doc.text):
        rc = doc.raw[doc.offsets[i]]
        assert ch == rc or (ch in "\n\t " and (rc.isspace() or rc == "|")), (i, ch, rc)
        assert i == 0 or doc.offsets[i - 1] < doc.offsets[i]


# name, top-level sections with their roles, paragraphs (min, max), non-blank raw lines
CORPUS = [
    ("gwr_bj_2024.txt", [("一、2023 年工作回顾", Role.EVIDENCE), ("二、2024 年重点任务", Role.PLANS)], (80, 105), 464),
    ("gwr_bj_2025.txt", [("一、2024年工作回顾", Role.EVIDENCE), ("二、2025年工作总体要求和重点任务", Role.PLANS)], (80, 90), 87),
    ("gwr_cn_2016.txt", [("一、2015年工作回顾", Role.EVIDENCE), ("二、“十三五”时期主要目标任务和重大举措", Role.GOALS),
                         ("三、2016年重点工作", Role.PLANS)], (105, 115), 113),
    ("gwr_cn_2018.txt", [("一、过去五年工作回顾", Role.EVIDENCE), ("二、2018年经济社会发展总体要求和政策取向", Role.PLANS),
                         ("三、对2018年政府工作的建议", Role.PLANS)], (105, 115), 111),
    ("gwr_cn_2019.txt", [("一、2018年工作回顾", Role.EVIDENCE), ("二、2019年经济社会发展总体要求和政策取向", Role.PLANS),
                         ("三、2019年政府工作任务", Role.PLANS)], (105, 115), 119),
    ("gwr_cn_2021.txt", [("一、2020年工作回顾", Role.EVIDENCE), ("二、“十三五”时期发展成就和“十四五”时期主要目标任务", Role.EVIDENCE),
                         ("三、2021年重点工作", Role.PLANS)], (100, 115), 136),
    ("gwr_cn_2023.txt", [("一、过去一年和五年工作回顾", Role.EVIDENCE), ("二、对今年政府工作的建议", Role.PLANS)], (92, 102), 102),
    ("gwr_cn_2024.txt", [("一、2023年工作回顾", Role.EVIDENCE), ("二、2024年经济社会发展总体要求和政策取向", Role.PLANS),
                         ("三、2024年政府工作任务", Role.PLANS)], (88, 95), 92),
]


@pytest.mark.parametrize("name, sections, para_range, raw_lines", CORPUS, ids=[c[0] for c in CORPUS])
def test_government_work_report_reads(name, sections, para_range, raw_lines):
    doc = load(corpus(name))
    assert sum(1 for ln in doc.raw.split("\n") if ln.strip()) == raw_lines
    assert [(s.numbering + s.title, s.role) for s in doc.sections if s.level == 1] == sections
    paras = paragraphs(doc)
    assert para_range[0] <= len(paras) <= para_range[1], len(paras)
    # no heading glued to the body after it, no body glued to a heading
    for s in doc.sections:
        if 1 <= s.level <= 2:
            block = next(b for b in doc.blocks if b.start == s.start)
            line = doc.text[block.start : block.end]
            assert len(line) <= 60 or s.body_start < block.end, line[:80]
    assert not any(ch in doc.text for ch in "\u200b\ufeff")
    check_offsets(doc)


def test_beijing_2024_pdf_wraps_are_joined():
    doc = load(corpus("gwr_bj_2024.txt"))
    paras = paragraphs(doc)
    # the raw text breaks every ~40 characters; the reading has whole paragraphs
    assert len(paras) < 0.25 * len(doc.raw.split("\n"))
    targets = next(p for p in paras if "主要预期目标是" in p)
    assert "主要预期目标是：地区生产总值增长 5%左右，一般公共预算收入增长 5%，城镇调查失业率控制在 5%以内，居民消费价格涨幅 3%左右" in targets
    assert targets.endswith("生态环境质量、能源、水资源等指标达到国家要求。")
    # headings stay alone on their line, the first sentence of a paragraph starts its block
    assert "一、2023 年工作回顾" in paras and "二、2024 年重点任务" in paras
    assert "（一）持续提升首都功能，推动京津冀协同发展取得新的更大进展" in paras
    assert "一年来，主要做了以下工作。" in paras  # a one-line paragraph after a full line
    assert any(p.startswith("现在，我代表北京市人民政府") and p.endswith("并请市政协委员提出意见。") for p in paras)
    assert sum(1 for p in paras if re.match(r"[一二三四五六七八]是", p)) == 8
    # every paragraph ends a sentence or is a heading
    for p in paras:
        assert p.endswith(("。", "！", "：", "；")) or len(p) <= 40, p[-40:]
    # the quote of a joined paragraph is the file's own text, line breaks and all
    a = doc.text.index("现在，我代表北京市人民政府")
    assert doc.quote(a, a + 41) == "现在，我代表北京市人民政府，向大会报告政府工作，请予审议，并请市政协委员提出\n意见。"


def test_subscripts_on_their_own_lines_are_rejoined():
    doc = load(corpus("gwr_cn_2019.txt"))
    assert "\nPM\n2.5\n" not in doc.text and doc.raw.count("PM\n2.5\n") == 2
    assert doc.text.count("细颗粒物（PM2.5）浓度继续下降") == 2
    assert "广义货币M2和社会融资规模增速要与国内生产总值名义增速相匹配" in doc.text
    a = doc.text.index("广义货币M2和")
    assert doc.quote(a, a + 7) == "广义货币M\n2\n和"
    # the subscript joins its own sentence, not the next paragraph
    para = next(p for p in paragraphs(doc) if "广义货币M2" in p)
    assert para.startswith("稳健的货币政策要松紧适度。")


def test_zero_width_space_and_broken_title_of_2021():
    doc = load(corpus("gwr_cn_2021.txt"))
    assert doc.raw.startswith("\u200b") and "\u200b" not in doc.text
    assert doc.sections[0].title == "政府工作报告"
    first = doc.blocks[0]
    assert doc.text[first.start : first.end] == "政府工作报告"
    assert doc.quote(first.start, first.end) == "政府工作报\n告"
    assert "今年预期目标设定为6%以上" in doc.text  # "设定\n\u200b\n为6%以上"
    assert "完善全民健身公共服务体系。" in doc.text


def test_self_evaluation_table_is_one_table():
    doc = load(corpus("zpb_cq_yuzhong_2021.txt"))
    rows = [b for b in doc.blocks if b.kind == "table_row"]
    assert {b.table for b in rows} == {rows[0].table}
    source = [ln for ln in doc.raw.split("\n") if ln.strip()]
    assert len(rows) == len(source) - 2  # all but the title above and the 备注 below
    cells = [[doc.text[a:b] for a, b in r.cells] for r in rows]
    assert cells[0] == ["项目名称", "就业补助资金", "", "", "", "", "项目联系人", "", "向俐"]
    assert ["", "7574", "", "", "", "6643"] in cells  # " | 7574 |  |  |  | 6643": the empty first cell kept
    header = next(c for c in cells if c[0] == "指标类型")
    assert header == ["指标类型", "指标名称", "指标性质", "指标值", "计量单位", "指标权重", "全年完成值", "评价标准"]
    budget = next(c for c in cells if c[:2] == ["管理类指标", "预算执行率"])
    assert budget[2:7] == ["≥", "90", "%", "8", "88%"]
    assert ["合计"] in cells  # a row of one cell inside the table
    assert cells[-1][0] == "说明"
    assert paragraphs(doc) == ["2021年度项目支出绩效自评表", paragraphs(doc)[1]] and paragraphs(doc)[1].startswith("备注：")
    check_offsets(doc)
