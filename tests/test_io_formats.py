"""Readers on real files built from the example reports: .docx, .xlsx, .pdf, .doc,
encodings of .txt, and the bad inputs a user will eventually hand linker."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

import linker.io
from linker import errors
from linker.io import office

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SELF_EVALUATION = ROOT.parent / "shared" / "corpus" / "zpb_cq_yuzhong_2021.txt"

EX000 = EXAMPLES / "000_3d28e81d7327b640.txt"
EX001 = EXAMPLES / "001_255e7cc77b2edc79.txt"
EX002 = EXAMPLES / "002_461f9ca52ba1562d.txt"
EX003 = EXAMPLES / "003_666c668a4aecd772.txt"
EX004 = EXAMPLES / "004_80b70c2aac03ec7c.txt"


def squash(text: str) -> str:
    """Text without any whitespace (ideographic spaces included)."""
    return "".join(text.split())


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail instead of hanging."""

    def _fail(signum, frame):  # pragma: no cover - only when a reader hangs
        raise TimeoutError(f"the reader did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, _fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --------------------------------------------------------------------------- the text files' layout
# In the example .txt files (text extracted from .docx) a table cell is a line starting
# with a tab; lines without a tab continue the cell; a blank line ends a row; two blank
# lines end the table. A one-cell "row" is a caption or a title between tables.


def parse_example(text: str) -> list[tuple[str, object]]:
    """[("p", line) | ("table", [[cell paragraphs, ...], ...])] in document order."""
    lines = text.split("\n")
    items: list[tuple[str, object]] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("\t"):
            if line.strip():
                items.append(("p", line))
            i += 1
            continue
        rows: list[list[list[str]]] = []
        row: list[list[str]] = []
        blanks = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("\t"):
                if blanks and row:
                    rows.append(row)
                    row = []
                blanks = 0
                row.append([line[1:]])
            elif not line.strip():
                blanks += 1
                if blanks >= 2:
                    break
            else:
                blanks = 0
                row[-1].append(line)
            i += 1
        if row:
            rows.append(row)
        table: list[list[list[str]]] = []
        for r in rows:
            if not any(squash(" ".join(cell)) for cell in r):
                continue
            if len(r) == 1:  # a caption: paragraphs between tables
                if table:
                    items.append(("table", table))
                    table = []
                items.extend(("p", para) for para in r[0] if para.strip())
            else:
                table.append(r)
        if table:
            items.append(("table", table))
    return items


HEADING_1 = tuple("一二三四五六七八九十")


def heading_level(line: str) -> int | None:
    s = line.strip()
    if len(s) < 40 and s[:1] in HEADING_1 and "、" in s[:4]:
        return 1
    if len(s) < 40 and s.startswith(("（", "(")) and s[1:2] in HEADING_1 and s[2:3] in "）)":
        return 2
    return None


def write_docx(text: str, path: Path, *, ruled: bool = False) -> list[tuple[str, object]]:
    """A Word version of an example: paragraphs, headings, and real tables whose short
    rows end with a cell merged across the remaining columns (with borders when ``ruled``,
    as reports print them)."""
    import docx

    items = parse_example(text)
    document = docx.Document()
    for kind, value in items:
        if kind == "p":
            level = heading_level(value)
            document.add_paragraph(value, style=f"Heading {level}" if level else None)
            continue
        rows = value
        ncols = max(len(r) for r in rows)
        table = document.add_table(rows=len(rows), cols=ncols, style="Table Grid" if ruled else None)
        for r, row in enumerate(rows):
            cells = table.rows[r].cells
            if len(row) < ncols:
                cells[len(row) - 1].merge(cells[ncols - 1])
                cells = table.rows[r].cells
            for c, paragraphs in enumerate(row):
                cell = cells[c]
                cell.paragraphs[0].text = paragraphs[0]
                for extra in paragraphs[1:]:
                    cell.add_paragraph(extra)
    document.save(path)
    return items


def expected_blocks(items: list[tuple[str, object]]) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for kind, value in items:
        if kind == "p":
            out.append(("heading" if heading_level(value) else "paragraph", squash(value)))
        else:
            out.extend(("table_row", [squash(" ".join(cell)) for cell in row]) for row in value)
    return out


def actual_blocks(reading: linker.io.Reading) -> list[tuple[str, object]]:
    out: list[tuple[str, object]] = []
    for b in reading.blocks:
        if b.kind == "table_row":
            out.append(("table_row", [squash(reading.raw[s:e]) for s, e in b.cells]))
        else:
            out.append((b.kind, squash(reading.raw[b.start : b.end])))
    return out


def check_spans(reading: linker.io.Reading) -> None:
    """Blocks are the lines of raw, in order; cells are the tab-separated parts."""
    lines = reading.raw.split("\n")
    assert lines[-1] == ""
    assert len(reading.blocks) == len(lines) - 1
    pos = 0
    for block, line in zip(reading.blocks, lines):
        assert (block.start, block.end) == (pos, pos + len(line))
        assert "\t" not in line or block.kind == "table_row"
        if block.kind == "table_row":
            assert [reading.raw[s:e] for s, e in block.cells] == line.split("\t")
        pos += len(line) + 1


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("formats")


@pytest.fixture(scope="session")
def docx_000(built):
    path = built / "000.docx"
    items = write_docx(EX000.read_text(encoding="utf-8"), path)
    return path, items


@pytest.fixture(scope="session")
def docx_003(built):
    path = built / "003.docx"
    items = write_docx(EX003.read_text(encoding="utf-8"), path)
    return path, items


def write_pdf(text: str, path: Path, *, page_numbers: bool = False) -> list[str]:
    """A PDF of the text with reportlab's built-in CJK font; returns the lines drawn.
    With ``page_numbers``, each page has an official document's "- N -" footer."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _, height = A4
    pdf = canvas.Canvas(str(path), pagesize=A4)
    size, margin, per_line = 11, 56, 40
    y = height - margin
    pdf.setFont("STSong-Light", size)
    drawn: list[str] = []
    for line in text.split("\n"):
        line = line.rstrip()
        if not line.strip():
            continue
        for k in range(0, len(line), per_line):
            if y < margin:
                if page_numbers:
                    pdf.drawCentredString(A4[0] / 2, margin / 2, f"- {pdf.getPageNumber()} -")
                pdf.showPage()
                pdf.setFont("STSong-Light", size)
                y = height - margin
            chunk = line[k : k + per_line]
            pdf.drawString(margin, y, chunk)
            drawn.append(chunk)
            y -= size * 1.6
    if page_numbers:
        pdf.drawCentredString(A4[0] / 2, margin / 2, f"- {pdf.getPageNumber()} -")
    pdf.save()
    return drawn


@pytest.fixture(scope="session")
def pdf_002(built):
    path = built / "002.pdf"
    write_pdf(EX002.read_text(encoding="utf-8"), path)
    return path


@pytest.fixture(scope="session")
def pdf_004(built):
    path = built / "004.pdf"
    write_pdf(EX004.read_text(encoding="utf-8"), path)
    return path


@pytest.fixture(scope="session")
def xlsx_self_evaluation(built):
    """The 渝中区 self-evaluation table as a workbook, with merged cells and a percentage."""
    import openpyxl

    if not SELF_EVALUATION.exists():
        pytest.skip(f"{SELF_EVALUATION} is not here (shared/ is beside the repository in CI)")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "项目支出绩效自评表"
    rows = [line.split(" | ") for line in SELF_EVALUATION.read_text(encoding="utf-8").splitlines()]
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            value = value.strip()
            if not value:
                continue
            if value.isdigit():
                sheet.cell(r, c, int(value))
            elif value == "88%":
                cell = sheet.cell(r, c, 0.88)
                cell.number_format = "0%"
            else:
                sheet.cell(r, c, value)
    name_row = next(r for r, row in enumerate(rows, start=1) if row[0].strip() == "项目名称")
    sheet.merge_cells(start_row=name_row, start_column=2, end_row=name_row, end_column=6)  # 就业补助资金
    sheet.merge_cells(start_row=name_row, start_column=7, end_row=name_row, end_column=8)  # 项目联系人
    book.create_sheet("空白")  # an empty sheet says nothing
    path = built / "self_evaluation.xlsx"
    book.save(path)
    return path, rows


# --------------------------------------------------------------------------- .docx


def test_docx_paragraphs_and_tables_in_document_order(docx_000):
    path, items = docx_000
    reading = linker.io.read(path)
    assert reading.format == "docx"
    check_spans(reading)
    assert actual_blocks(reading) == expected_blocks(items)
    # every non-empty line of the source, in order, whitespace aside
    assert squash(reading.raw) == squash(EX000.read_text(encoding="utf-8"))


def test_docx_merged_cells_appear_once_per_row(docx_000):
    path, items = docx_000
    reading = linker.io.read(path)
    rows = [b for b in reading.blocks if b.kind == "table_row"]
    source_rows = [row for kind, value in items if kind == "table" for row in value]
    assert len(rows) == len(source_rows)
    assert [len(b.cells) for b in rows] == [len(r) for r in source_rows]
    assert any(len(r) < max(len(x) for x in source_rows) for r in source_rows)  # merged rows exist


def test_docx_indicator_table_of_003(docx_003):
    path, items = docx_003
    reading = linker.io.read(path)
    check_spans(reading)
    assert actual_blocks(reading) == expected_blocks(items)
    tables = {b.table for b in reading.blocks if b.kind == "table_row"}
    assert len(tables) == 1
    rows = [b for b in reading.blocks if b.kind == "table_row"]
    assert len(rows) == 13
    assert all(len(b.cells) == 4 for b in rows)
    cells = [[reading.raw[s:e] for s, e in b.cells] for b in rows]
    assert cells[0] == ["", "指标", "2020年", "2025年"]
    assert cells[1] == ["1", "学前教育入园率（%）", "90", "＞90"]
    assert any("＞90" in row for row in cells)
    caption = reading.raw.index("专栏：教育事业发展与人力资源开发主要指标")
    assert caption < rows[0].start


def test_docx_heading_styles_give_levels(docx_003):
    path, _ = docx_003
    reading = linker.io.read(path)
    headings = [(reading.raw[b.start : b.end].strip(), b.level) for b in reading.blocks if b.kind == "heading"]
    assert ("一、发展基础和形势要求", 1) in headings
    assert ("(二)主要目标", 2) in headings


def test_docx_chinese_style_names_and_cell_paragraphs(tmp_path):
    import docx
    from docx.enum.style import WD_STYLE_TYPE

    document = docx.Document()
    style = document.styles.add_style("标题 1", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("一、部门基本情况", style=style)
    p = document.add_paragraph("全年完成")
    p.add_run().add_break()  # a soft line break: a new line in raw
    p.add_run("新增学位1.3万个")
    table = document.add_table(rows=2, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0))  # vertical merge: its text on both rows
    table.cell(0, 0).text = "产出指标"
    table.cell(0, 1).text = "数量指标"
    table.cell(0, 2).text = "新增学位数"
    table.cell(0, 2).add_paragraph("≥12000个")  # two paragraphs in one cell: one line
    table.cell(1, 1).text = "质量指标"
    table.cell(1, 2).text = "达标率\t100%"
    table.cell(1, 2).add_paragraph("(rate)")  # between two Latin words a space stays
    path = tmp_path / "styles.docx"
    document.save(path)
    reading = linker.io.read(path)
    check_spans(reading)
    assert reading.raw.splitlines() == [
        "一、部门基本情况",
        "全年完成",
        "新增学位1.3万个",
        "产出指标\t数量指标\t新增学位数≥12000个",  # a cell's paragraphs joined as Chinese text is: no space
        "产出指标\t质量指标\t达标率 100% (rate)",
    ]
    assert (reading.blocks[0].kind, reading.blocks[0].level) == ("heading", 1)
    assert {b.table for b in reading.blocks[3:]} == {0}


# --------------------------------------------------------------------------- .xlsx


def test_xlsx_sheet_heading_rows_merged_cells_and_percent(xlsx_self_evaluation):
    path, rows = xlsx_self_evaluation
    reading = linker.io.read(path)
    assert reading.format == "xlsx"
    check_spans(reading)
    first = reading.blocks[0]
    assert (reading.raw[first.start : first.end], first.kind, first.level) == ("项目支出绩效自评表", "heading", 1)
    assert "空白" not in reading.raw
    lines = reading.raw.splitlines()
    assert lines[2] == "项目名称\t就业补助资金\t项目联系人\t向俐"
    assert lines[2].count("就业补助资金") == 1
    table_rows = [b for b in reading.blocks if b.kind == "table_row"]
    assert len(table_rows) == len([r for r in rows if any(c.strip() for c in r)])
    budget = next(line for line in lines if line.startswith("管理类指标"))
    assert budget.split("\t")[6] == "88%"
    assert "\t7574\t" in reading.raw and "7574.0" not in reading.raw
    assert "\t39500\t" in reading.raw
    # trailing empty cells dropped: no line ends with a tab
    assert not any(line.endswith("\t") for line in lines)
    # every word of the source table is there
    source = SELF_EVALUATION.read_text(encoding="utf-8")
    assert squash(reading.raw.replace("\t", "")).replace("项目支出绩效自评表", "", 1) == squash(source.replace(" | ", ""))


def test_xlsx_number_display():
    d = office._display
    assert d(0.88, "0%") == "88%"
    assert d(0.8844, "0.00%") == "88.44%"
    assert d(12000.0, "General") == "12000"
    assert d(3630636.82, "#,##0.00") == "3,630,636.82"
    assert d(15.7, "General") == "15.7"
    assert d(0.1 + 0.2, "General") == "0.3"
    assert d(5, '0"人"') == "5人"
    from datetime import datetime

    assert d(datetime(2021, 12, 31), "yyyy-mm-dd") == "2021-12-31"
    assert d(datetime(2021, 12, 31), 'yyyy"年"m"月"d"日"') == "2021年12月31日"


# --------------------------------------------------------------------------- .pdf


def test_pdf_text_and_pages_002(pdf_002):
    reading = linker.io.read(pdf_002)
    assert reading.format == "pdf"
    check_spans(reading)
    pages = {b.page for b in reading.blocks}
    assert None not in pages
    assert min(pages) == 1 and max(pages) >= 2
    assert [b.page for b in reading.blocks] == sorted(b.page for b in reading.blocks)
    assert squash(reading.raw) == squash(EX002.read_text(encoding="utf-8"))
    assert "履行教育职责" in reading.raw


def test_pdf_text_004(pdf_004):
    reading = linker.io.read(pdf_004)
    check_spans(reading)
    assert all(b.page >= 1 for b in reading.blocks)
    assert squash(reading.raw) == squash(EX004.read_text(encoding="utf-8"))


# --------------------------------------------------------------------------- same structure as the text


def section_tree(doc) -> list[tuple]:
    return [(s.id, s.numbering, s.title, s.level, s.parent, s.role.value, s.role_source, s.duplicate_of) for s in doc.sections[1:]]


def goal_list(doc) -> list[tuple]:
    from linker.goals import extract_goals

    out = []
    for g in extract_goals(doc):
        targets = [(sg.target.comparator, sg.target.value, sg.target.unit) if sg.target else None for sg in g.subgoals]
        out.append((g.kind, g.title, [sg.text for sg in g.subgoals], targets))
    return out


def table_list(doc) -> list[list[list[str]]]:
    tables: dict[int, list[list[str]]] = {}
    for b in doc.blocks:
        if b.kind == "table_row":
            tables.setdefault(b.table, []).append([doc.text[x:y] for x, y in b.cells])
    return list(tables.values())


@pytest.mark.parametrize("name", ["000", "003"])
def test_docx_reads_into_the_same_structure_as_the_text(name, docx_000, docx_003):
    from linker.pipeline import load

    path = {"000": docx_000, "003": docx_003}[name][0]
    text, word = load(EXAMPLES / f"{name}_{ {'000': '3d28e81d7327b640', '003': '666c668a4aecd772'}[name]}.txt"), load(path)
    assert word.format == "docx"
    assert section_tree(word) == section_tree(text)
    assert goal_list(word) == goal_list(text)
    assert table_list(word) == table_list(text)
    assert table_list(text)  # real Word tables, read as tables
    if name == "000":  # the 评分表 appendix repeats goals and achievements: duplicates in both readings
        assert {s.duplicate_of for s in word.sections if s.duplicate_of} == {s.duplicate_of for s in text.sections if s.duplicate_of} != set()
        assert len(goal_list(word)) == 12
    else:  # the 专栏 indicator table: a header and 12 indicators, its caption a paragraph before it
        (table,) = table_list(word)
        assert len(table) == 13 and table[1] == ["1", "学前教育入园率（%）", "90", "＞90"]
        caption = next(b for b in word.blocks if word.text[b.start : b.end].startswith("专栏："))
        assert caption.kind == "paragraph"


@pytest.mark.parametrize("name", ["002", "004"])
def test_pdf_reads_into_the_same_structure_as_the_text(name, built):
    from linker.pipeline import load

    source = {"002": EX002, "004": EX004}[name]
    path = built / f"{name}_numbered.pdf"
    write_pdf(source.read_text(encoding="utf-8"), path, page_numbers=True)
    text, pdf = load(source), load(path)
    assert pdf.format == "pdf" and max(b.page for b in pdf.blocks) >= 2
    assert section_tree(pdf) == section_tree(text) and len(section_tree(text)) >= 10
    assert goal_list(pdf) == goal_list(text)
    assert table_list(pdf) == table_list(text) == []
    # the page footers are gone; every other character is the text's, whitespace aside
    assert "- 2 -" in pdf.raw and "- 2 -" not in pdf.text
    assert squash(pdf.text) == squash(text.text)


def _quoteless(text: str) -> str:
    """Whitespace and curly quotes aside: LibreOffice's PDFs draw the quotes in another
    font, and both PDF libraries place them a character off."""
    return "".join(text.split()).replace("“", "").replace("”", "")


@pytest.fixture(scope="session")
def ruled_pdfs(built) -> dict[str, Path]:
    """000 and 003 as Word files with ruled tables, printed to PDF by LibreOffice, as offices do."""
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    if exe is None:
        pytest.skip("LibreOffice is not installed")
    out = built / "ruled"
    out.mkdir(exist_ok=True)
    sources = []
    for name, text in (("000", EX000), ("003", EX003)):
        write_docx(text.read_text(encoding="utf-8"), out / f"{name}.docx", ruled=True)
        sources.append(str(out / f"{name}.docx"))
    subprocess.run([exe, f"-env:UserInstallation={(built / 'lo-profile').as_uri()}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(out), *sources], check=True, capture_output=True, timeout=600,
                   env={**os.environ, "HOME": str(built)})
    return {"000": out / "000.pdf", "003": out / "003.pdf"}


def test_pdf_ruled_tables_are_rows_again(ruled_pdfs):
    """003's 专栏 indicator table runs over a page break inside row 5: one table of 13 rows, row 5 whole."""
    from linker.pipeline import load

    text, pdf = load(EX003), load(ruled_pdfs["003"])
    squashed = [[[_quoteless(c) for c in r] for r in t] for t in table_list(pdf)]
    assert squashed == [[[_quoteless(c) for c in r] for r in t] for t in table_list(text)]
    (table,) = table_list(pdf)
    assert len(table) == 13 and table[0] == ["", "指标", "2020年", "2025年"]
    assert table[5] == ["5", "义务教育专任教师中本科及以上学历人员比例（%）", "95", "＞96"]
    assert table[1] == ["1", "学前教育入园率（%）", "90", "＞90"]  # a wrapped cell's lines run on
    rows = [b for b in pdf.blocks if b.kind == "table_row"]
    assert {b.page for b in rows} == {5, 6}


@pytest.mark.parametrize("name", ["000", "003"])
def test_pdf_with_ruled_tables_gives_the_goals_of_the_text(name, ruled_pdfs):
    """Indicator tables (003) and the appendix score tables (000) no longer break into
    lines: the goals read off the PDF are the text's, the quotes' places aside."""
    from linker.pipeline import load

    source = {"000": EX000, "003": EX003}[name]
    text, pdf = load(source), load(ruled_pdfs[name])

    def goals(doc):
        return [(k, _quoteless(t), [_quoteless(s) for s in sgs], targets) for k, t, sgs, targets in goal_list(doc)]

    assert goals(pdf) == goals(text)
    kinds = [g[0] for g in goals(pdf)]
    assert ("table" in kinds) == (name == "003")


def test_pdf_tables_lose_no_character(ruled_pdfs):
    """Text above, between, below and beside the tables keeps every character, a line
    that a table's border runs through included (000's last pages)."""
    from collections import Counter

    from linker.pipeline import load

    text, pdf = load(EX000), load(ruled_pdfs["000"])
    assert Counter(_quoteless(pdf.text)) == Counter(_quoteless(text.text))
    tables = table_list(pdf)
    squashed = [[[_quoteless(c) for c in r] for r in t] for t in tables]
    assert len(tables) >= 3 and squashed[:2] == [[[_quoteless(c) for c in r] for r in t] for t in table_list(text)[:2]]
    assert not any(s.numbering in {"①", "②"} and s.role.value == "appendix" for s in pdf.sections), \
        "the score table's cells are no longer lines that look like headings"


@pytest.mark.parametrize("prev, first, joined", [
    (["5", "义务教育专任教师", "95", "＞96"], ["", "中本科及以上学历人员比例（%）", "", ""], True),
    (["", "", "社会效益", "履行职责对社", "", "", "", "经济效益：部门履行职", "①"], ["", "", "", "", "", "", "", "益：部门（单位）", ""], True),
    # a row of its own that starts a page under merged cells: its figures never continue a cell
    (["", "绩效管理（4）", "绩效管理情况", "组织管理机构设立情况", "-", "2", "2", "考核部门", "①部门"],
     ["", "", "", "绩效信息收集情况", "-", "2", "1.6", "", ""], False),
    (["1", "学前教育入园率（%）", "90", "＞90"], ["2", "普惠性幼儿园覆盖率（%）", "87", "90"], False),
    (["5", "义务教育专任教师", "", ""], ["", "", "95", ""], False),  # text where the row above had none
])
def test_a_row_cut_by_a_page_break_is_told_from_a_new_row(prev, first, joined):
    assert office._continues(prev, first) is joined


# --------------------------------------------------------------------------- .doc / .wps


def test_doc_without_libreoffice_names_the_package(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    path = tmp_path / "report.doc"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    for suffix in (".doc", ".wps"):
        target = path.with_suffix(suffix)
        target.write_bytes(path.read_bytes())
        with pytest.raises(errors.ConverterMissing, match="apt-get install libreoffice-writer-nogui"):
            linker.io.read(target)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="LibreOffice is not installed")
def test_doc_round_trip_through_libreoffice(docx_003, tmp_path):
    source, _ = docx_003
    exe = shutil.which("soffice") or shutil.which("libreoffice")
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [exe, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "doc", "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    doc = tmp_path / "003.doc"
    assert doc.read_bytes().startswith(b"\xd0\xcf\x11\xe0")
    with time_limit(300):
        reading = linker.io.read(doc)
    assert reading.format == "doc"
    rows = [b for b in reading.blocks if b.kind == "table_row"]
    assert len(rows) == 13
    assert squash(reading.raw) == squash(linker.io.read(source).raw)
    wps = doc.with_suffix(".wps")
    wps.write_bytes(doc.read_bytes())  # WPS Writer files are Word binary files
    with time_limit(300):
        assert linker.io.read(wps).raw == reading.raw


# --------------------------------------------------------------------------- .txt encodings


def test_text_encodings_read_the_same(tmp_path):
    text = EX001.read_text(encoding="utf-8")
    utf8 = linker.io.read(EX001)
    for name, data, encoding in [
        ("gb18030.txt", text.encode("gb18030"), "gb18030"),
        ("bom.txt", text.encode("utf-8-sig"), "utf-8-sig"),
    ]:
        path = tmp_path / name
        path.write_bytes(data)
        reading = linker.io.read(path)
        assert reading.raw == utf8.raw, name
        assert reading.encoding == encoding


# --------------------------------------------------------------------------- bad inputs


def _zip_bomb(path: Path) -> None:
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            for _ in range(1024):  # 1 GB of zeros, about 4 MB on disk
                member.write(chunk)


@pytest.fixture(scope="session")
def zip_bomb(built):
    path = built / "bomb.docx"
    _zip_bomb(path)
    return path


def _image_only_pdf(path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    for _ in range(2):
        pdf.rect(50, 50, 400, 600, fill=1)  # a "scanned page": shapes, no text
        pdf.showPage()
    pdf.save()


def _private_use_pdf(path: Path) -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf = canvas.Canvas(str(path))
    pdf.setFont("STSong-Light", 12)
    for k in range(20):
        pdf.drawString(50, 800 - 20 * k, "".join(chr(0xE000 + k * 30 + j) for j in range(30)) + "1")
    pdf.save()


def _encrypted_pdf(source: Path, path: Path, *, user: str, owner: str) -> None:
    import pypdf

    writer = pypdf.PdfWriter(clone_from=str(source))
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    writer.write(path)


def _bad(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_bad_inputs_raise_helpful_errors(tmp_path, zip_bomb, pdf_004):
    rng = random.Random(7)
    noise = bytes(rng.randrange(256) for _ in range(4096))
    missing_part = tmp_path / "missing.docx"
    with zipfile.ZipFile(missing_part, "w") as zf:
        zf.writestr("hello.txt", "no Word parts here")
    image_pdf = tmp_path / "scan.pdf"
    _image_only_pdf(image_pdf)
    pua_pdf = tmp_path / "pua.pdf"
    _private_use_pdf(pua_pdf)
    locked_pdf = tmp_path / "locked.pdf"
    _encrypted_pdf(pdf_004, locked_pdf, user="secret", owner="owner")
    cases = [
        (_bad(tmp_path, "noise.docx", noise), errors.CorruptDocument, "not a valid .docx"),
        (_bad(tmp_path, "noise.xlsx", noise), errors.CorruptDocument, "save it again"),
        (_bad(tmp_path, "noise.pdf", noise), errors.CorruptDocument, "not a PDF"),
        (_bad(tmp_path, "broken.pdf", b"%PDF-1.7\n" + noise), errors.CorruptDocument, "damaged"),
        (_bad(tmp_path, "old.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + noise), errors.CorruptDocument, "rename it to .doc"),
        (_bad(tmp_path, "noise.doc", noise), errors.CorruptDocument, "not a Word or WPS document"),
        (_bad(tmp_path, "noise.wps", noise), errors.CorruptDocument, "not a Word or WPS document"),
        (_bad(tmp_path, "empty.docx", b""), errors.EmptyDocument, "empty"),
        (_bad(tmp_path, "empty.txt", b""), errors.EmptyDocument, "empty"),
        (_bad(tmp_path, "nul.txt", b"\x00\x01\x02abc\x00" * 100), errors.CorruptDocument, "binary file"),
        (_bad(tmp_path, "report.rtf", b"{\\rtf1 hello}"), errors.UnsupportedFormat, "supported: "),
        (tmp_path / "nowhere.docx", errors.FileMissing, "no such file"),
        (missing_part, errors.CorruptDocument, "damaged"),
        (zip_bomb, errors.CorruptDocument, "refusing to unpack"),
        (image_pdf, errors.NoTextLayer, "no text layer.*ocrmypdf"),
        (pua_pdf, errors.NoTextLayer, "no usable text layer"),
        (locked_pdf, errors.NoTextLayer, "password"),
    ]
    for path, error, message in cases:
        with time_limit(60), pytest.raises(error, match=message) as caught:
            linker.io.read(path)
        assert str(path) in str(caught.value) or error is errors.UnsupportedFormat, path
        assert isinstance(caught.value, errors.InputError)
        # the message is one line the CLI can print, not a traceback
        assert "\n" not in str(caught.value) and "Traceback" not in str(caught.value)


def test_zip_bomb_is_small_on_disk(zip_bomb):
    assert zip_bomb.stat().st_size < 10 * 1024 * 1024
    with zipfile.ZipFile(zip_bomb) as zf:
        assert sum(i.file_size for i in zf.infolist()) >= 1 << 30


def test_pdf_with_owner_password_only_still_reads(tmp_path, pdf_004):
    path = tmp_path / "restricted.pdf"
    _encrypted_pdf(pdf_004, path, user="", owner="owner")
    reading = linker.io.read(path)
    assert squash(reading.raw) == squash(EX004.read_text(encoding="utf-8"))


def test_docx_named_doc_is_read_without_libreoffice(docx_003, tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name, *a, **k: None)
    path, _ = docx_003
    renamed = tmp_path / "003.doc"
    renamed.write_bytes(path.read_bytes())
    assert linker.io.read(renamed).raw == linker.io.read(path).raw


def test_import_linker_does_not_import_the_office_libraries():
    code = (
        "import sys, linker, linker.io, linker.io.office; "
        "bad = [m for m in ('docx', 'openpyxl', 'pypdf') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_word_heading_styles_without_numbers_are_sections(tmp_path):
    """A department that styles its headings in Word instead of numbering them."""
    docx = pytest.importorskip("docx")
    from linker.model import Role
    from linker.pipeline import load

    d = docx.Document()
    d.add_heading("部门整体绩效评价报告", level=0)
    d.add_heading("部门概况", level=1)
    d.add_paragraph("本部门负责全区教育工作。")
    d.add_heading("绩效目标设立情况", level=1)
    d.add_paragraph("新增中小学学位2000个，普惠性幼儿园覆盖率达到90%。")
    d.add_heading("绩效目标实现情况", level=1)
    d.add_heading("学位建设", level=2)
    d.add_paragraph("全年新增中小学学位2400个。")
    path = tmp_path / "styled.docx"
    d.save(path)
    doc = load(path)
    heads = {(s.level, s.title): s.role for s in doc.sections if s.id != "s0"}
    assert heads[(1, "绩效目标设立情况")] == Role.GOALS
    assert heads[(1, "绩效目标实现情况")] == Role.EVIDENCE
    assert heads[(2, "学位建设")] == Role.EVIDENCE
    assert doc.sections[0].title == "部门整体绩效评价报告"
