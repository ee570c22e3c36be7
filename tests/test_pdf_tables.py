"""Self-evaluation tables printed to PDF as offices print them: Word tables with borders,
merged 一级/二级指标 cells, a header row repeated on every page, a running page head, a
tall row cut by a page break. The PDF must read as the .docx does."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

import linker.io
from linker.io import office

HEADER = ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因"]
GROUPS = [
    ("产出指标", "数量指标", [("新建社区服务站", "≥12个", "12个"), ("开展培训场次", "≥40场", "35场"), ("培训人次", "≥2000人次", "2150人次"),
                          ("配备服务设备", "≥300台", "300台"), ("发放宣传资料", "≥5000份", "4800份"), ("入户走访户数", "≥1500户", "1620户")]),
    ("产出指标", "质量指标", [("服务站验收合格率", "100%", "100%"), ("培训合格率", "≥95%", "96.5%"), ("设备完好率", "≥98%", "97%"),
                          ("台账规范率", "100%", "100%")]),
    ("产出指标", "时效指标", [("项目完成及时率", "100%", "90%"), ("资金支付及时率", "≥95%", "98%")]),
    ("产出指标", "成本指标", [("服务站建设单价", "≤25万元/个", "24.6万元/个"), ("培训人均成本", "≤300元", "280元"), ("项目总成本", "≤500万元", "498万元")]),
    ("效益指标", "经济效益指标", [("带动就业人数", "≥50人", "62人"), ("节约群众办事成本", "≥20万元", "18万元")]),
    ("效益指标", "社会效益指标", [("社区服务覆盖率", "≥95%", "92%"), ("矛盾纠纷化解率", "≥85%", "80%"), ("志愿者注册人数", "≥800人", "850人"),
                            ("服务群众人次", "≥30000人次", "32000人次")]),
    ("效益指标", "生态效益指标", [("办公用纸减少", "≥10%", "12%"), ("能耗下降", "≥5%", "3%")]),
    ("效益指标", "可持续影响指标", [("服务站持续运营年限", "≥5年", "5年"), ("人员队伍稳定率", "≥90%", "93%")]),
    ("满意度指标", "服务对象满意度指标", [("群众满意度", "≥90%", "94%"), ("社区工作者满意度", "≥85%", "88%"), ("驻区单位满意度", "≥85%", "83%")]),
    ("管理指标", "预算执行", [("预算执行率", "100%", "96.3%"), ("资金使用合规性", "合规", "合规")]),
]
LONG = ("受第三季度连续强降雨天气影响，部分服务站施工进度滞后，设备采购招标流程因供应商资质复核延长约一个月，"
        "导致项目整体完成时间较计划推迟；下一步将加强项目进度管理，提前谋划采购计划，建立施工单位履约考核机制，"
        "对照时间节点倒排工期，确保后续同类项目按期完成。同时，区民政局已会同财政部门开展专项督导，对进度滞后的街道逐一约谈并下发整改通知书，要求限期整改到位。")


def write_table_docx(path: Path, *, merged: bool, repeat_header: bool, page_head: str | None) -> None:
    import docx
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    doc = docx.Document()
    sec = doc.sections[0]
    sec.top_margin = sec.bottom_margin = Cm(2)
    doc.styles["Normal"].font.size = Pt(10.5)
    if page_head:
        sec.header.paragraphs[0].text = page_head
    doc.add_paragraph("2023年度项目支出绩效自评表")
    rows = [(l1, l2, name, tgt, act, "3", "3" if name not in ("项目完成及时率", "人员队伍稳定率") else "2",
             LONG if name == "项目完成及时率" else LONG + LONG if name == "人员队伍稳定率" else "")
            for l1, l2, items in GROUPS for name, tgt, act in items]
    t = doc.add_table(rows=1 + len(rows), cols=8, style="Table Grid")
    for i, h in enumerate(HEADER):
        t.rows[0].cells[i].text = h
    if repeat_header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        t.rows[0]._tr.get_or_add_trPr().append(el)
    for r, row in enumerate(rows, start=1):
        for c in range(2, 8):
            t.rows[r].cells[c].text = row[c]
    for col in (0, 1):
        r = 1
        while r <= len(rows):
            s = r
            while merged and r < len(rows) and rows[r][col] == rows[s - 1][col] and rows[r][0] == rows[s - 1][0]:
                r += 1
            cell = t.cell(s, col).merge(t.cell(r, col)) if r > s else t.cell(s, col)
            cell.text = rows[s - 1][col]
            r += 1
    widths = [1.6, 2.0, 2.8, 2.0, 2.0, 1.0, 1.0, 4.0]
    for gc, w in zip(t._tbl.tblGrid.findall(qn("w:gridCol")), widths):
        gc.set(qn("w:w"), str(int(w * 567)))
    for row in t.rows:
        for i, w in enumerate(widths):
            row.cells[i].width = Cm(w)
    doc.add_paragraph("说明：本表由项目单位填报。")
    doc.save(path)


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    out = tmp_path_factory.mktemp("pdf-tables")
    variants = {"merged": dict(merged=True, repeat_header=True, page_head=None),
                "page_head": dict(merged=False, repeat_header=False, page_head="某某区民政局2023年度绩效自评材料")}
    for name, kw in variants.items():
        write_table_docx(out / f"{name}.docx", **kw)
    subprocess.run([exe, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    *(str(out / f"{n}.docx") for n in variants)], check=True, capture_output=True, timeout=600, env={**os.environ, "HOME": str(out)})
    return {n: (out / f"{n}.docx", out / f"{n}.pdf") for n in variants}


def rows_of(path: Path) -> list[list[str]]:
    r = linker.io.read(path)
    return [[re.sub(r"\s", "", r.raw[a:b]) for a, b in b.cells or []] for b in r.blocks if b.kind == "table_row"]


@pytest.mark.parametrize("variant", ["merged", "page_head"])
def test_a_table_over_several_pages_reads_as_the_docx(printed, variant):
    """Header rows Word repeats are not data, cut rows are whole again, merged cells keep their
    columns (a place merged down from above is empty), a running page head does not split the table."""
    docx_path, pdf_path = printed[variant]
    pages = {b.page for b in linker.io.read(pdf_path).blocks if b.kind == "table_row"}
    assert len(pages) >= 2, "the table runs over a page break"
    pdf, word = rows_of(pdf_path), rows_of(docx_path)
    assert len(pdf) == len(word) == 31 and pdf[0] == HEADER
    for p, w in zip(pdf, word):
        assert len(p) == len(w) and all(a == b or (a == "" and variant == "merged" and i < 2) for i, (a, b) in enumerate(zip(p, w))), (p, w)
    tall = next(r for r in pdf if r[2] == "人员队伍稳定率")
    assert tall[7] == re.sub(r"\s", "", LONG + LONG)


@pytest.mark.parametrize("variant", ["merged", "page_head"])
def test_every_row_of_the_printed_table_is_judged(printed, variant):
    from linker.pipeline import Options, analyze

    got = {}
    for path in printed[variant]:
        a = analyze(path, options=Options(model="lexical", use_store=False))
        got[path.suffix] = {sg.text: a.verdicts[sg.id].status.value for _, sg in a.subgoals()}
    assert len(got[".pdf"]) == 30 and got[".pdf"] == got[".docx"]
    assert got[".pdf"]["开展培训场次"] == "unmet" and got[".pdf"]["培训人均成本"] == "met"


@pytest.mark.parametrize("first, full, tails", [
    (["标", "指标", "节约群众办事成本", "≥20万元"], [True, True, True, True], {0, 1}),  # a merged cell's text ran on
    (["效益指标", "", "节约群众办事成本", "≥20万元"], [True, True, True, True], set()),  # a new group's name
    (["标", "", "", ""], [False, True, True, True], set()),  # the text above stopped short of the edge
])
def test_the_rest_of_a_merged_cell_goes_back_to_it(first, full, tails):
    prev = ["效益指", "经济效益", "带动就业人数", "≥50人"]
    assert office._merged_tails(prev, first, full) == tails


def test_a_table_drawn_without_row_lines_is_split_into_its_lines():
    (rows,) = office._split_unruled([["指标\n地区生产总值（亿元）\n森林覆盖率（%）", "2020年\n1200\n38.5", "2025年\n1600\n40"]])
    assert rows == [["指标", "2020年", "2025年"], ["地区生产总值（亿元）", "1200", "1600"], ["森林覆盖率（%）", "38.5", "40"]]
    (rows,) = office._split_unruled([["学前教育入园\n率（%）", "90", "＞90"]])  # one wrapped cell: one row
    assert rows == [["学前教育入园率（%）", "90", "＞90"]]


def test_page_furniture_and_heads():
    for foot in ("- 3 -", "第1页 共4页", "共4页 第1页", "第1页/共4页", "Page 3 of 10", "3/20"):
        assert office._only_page_furniture(foot), foot
    assert not office._only_page_furniture("某某区民政局")
    assert office._page_top("某某区民政局2023年度绩效自评材料") and office._page_top("续表")
    assert not office._page_top("表2 预算执行情况") and not office._page_top("二、整体绩效目标实现情况。")
    assert office._cell_text("peak\n15,432 on\n2023-10-01") == "peak 15,432 on 2023-10-01"
    assert office._cell_text("≥1,23\n4,567.\n5") == "≥1,234,567.5"  # a figure wrapped mid-number runs on
