"""The spreadsheet: one row per sub-goal, opened with openpyxl as a colleague's spreadsheet program would."""

from __future__ import annotations

import pytest

from linker.report import render, to_json

STATUS_ZH = {"met": "已达成", "unmet": "未达成", "evidenced": "有佐证", "weak": "佐证不足", "unevidenced": "无佐证"}


@pytest.fixture(scope="module")
def workbook_000(analysis_000, tmp_path_factory):
    from openpyxl import load_workbook

    path = tmp_path_factory.mktemp("xlsx") / "000.xlsx"
    render.write(analysis_000, "xlsx", path)  # the same call as `linker analyze -o 000.xlsx`
    return load_workbook(path), to_json(analysis_000)


def test_one_row_per_subgoal_with_status_evidence_and_block(workbook_000):
    wb, report = workbook_000
    ws = wb["子目标"]
    header = [c.value for c in ws[1]]
    for name in ("子目标编号", "子目标", "状态", "status", "佐证", "最高佐证得分", "板块", "类别"):
        assert name in header
    col = {name: header.index(name) for name in header}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    subgoals = [(g, sg) for g in report["goals"] for sg in g["subgoals"]]
    assert len(rows) == len(subgoals) == report["summary"]["subgoals"]
    for row, (g, sg) in zip(rows, subgoals):
        assert row[col["目标编号"]] == g["id"] and row[col["子目标编号"]] == sg["id"]
        assert row[col["子目标"]] == sg["text"].strip()
        assert row[col["status"]] == sg["status"] and row[col["状态"]] == STATUS_ZH[sg["status"]]
        assert (row[col["板块"]] or None) == sg["block"] and (row[col["类别"]] or None) == sg["category"]
        if sg["evidence"]:
            best = sg["evidence"][0]
            assert f"[{best['id']}] {best['text'].strip()}" in row[col["佐证"]]
            assert row[col["最高佐证得分"]] == pytest.approx(max(e["score"] for e in sg["evidence"]), abs=1e-4)
        else:
            assert not row[col["佐证"]] and row[col["最高佐证得分"]] is None
    statuses = [r[col["status"]] for r in rows]
    for status, n in report["summary"]["status"].items():
        assert statuses.count(status) == n


def test_header_frozen_widths_and_status_colours(workbook_000):
    wb, _ = workbook_000
    ws = wb["子目标"]
    header = [c.value for c in ws[1]]
    assert ws.freeze_panes == f"{chr(ord('A') + header.index('子目标') + 1)}2", "ids, goal and sub-goal stay in view"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions[chr(ord("A") + header.index("子目标"))].width >= 40, "the sub-goal column is wide enough to read"
    status_col = header.index("状态") + 1
    fills = {}
    for r in range(2, ws.max_row + 1):
        fills.setdefault(ws.cell(row=r, column=status_col + 1).value, set()).add(ws.cell(row=r, column=status_col).fill.fgColor.rgb)
    assert all(len(v) == 1 for v in fills.values()), "one colour a status"
    assert len({next(iter(v)) for v in fills.values()}) == len(fills), "different statuses, different colours"


def test_overview_sheet_has_counts_and_scores(workbook_000):
    wb, report = workbook_000
    ws = wb["概览"]
    cells = {r[0]: r[1:] for r in ws.iter_rows(values_only=True) if r and r[0]}
    for status, n in report["summary"]["status"].items():
        assert cells[STATUS_ZH[status]][0] == n
    assert cells["目标文档"][0] == report["goal_document"]["path"]
    blocks = (report.get("scores") or {}).get("blocks") or []
    assert blocks, "seed 000 has a 评分表: report['scores'] should be filled"
    header = next(r for r in ws.iter_rows() if r[0].value == "板块")
    col = {c.value: i for i, c in enumerate(header)}
    rows = {r[0].value: r for r in ws.iter_rows() if r[0].value in {b["block"] for b in blocks}}
    for b in blocks:
        row = rows[b["block"]]
        assert row[col["子目标"]].value == b["subgoals"]
        # numbers a spreadsheet can add up, shown with two decimals / as a percentage
        for name, key, fmt in (("建议得分", "suggested", "0.00"), ("自评得分", "self_reported", "0.00"), ("满分", "max", "0.00"),
                               ("佐证比例", "share_supported", "0%")):
            cell = row[col[name]]
            assert isinstance(cell.value, (int, float)) and cell.value == pytest.approx(b[key]), (name, cell.value)
            assert cell.number_format == fmt
    assert rows["产出"][col["自评得分"]].value == pytest.approx(28.41)


def test_goal_status_flags_and_problem_statements(workbook_000, tmp_path):
    from io import BytesIO

    from openpyxl import load_workbook

    from linker.pipeline import Options, analyze
    from linker.report.xlsx import render as render_xlsx

    from .conftest import corpus

    wb, report = workbook_000
    ws = wb["子目标"]
    header = [c.value for c in ws[1]]
    col = {name: header.index(name) for name in header}
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    goals = {g["id"]: g for g in report["goals"]}
    assert {r[col["目标状态"]] for r in rows} >= {"部分佐证"}
    for r in rows:
        assert r[col["目标状态"]] == {**STATUS_ZH, "partial": "部分佐证"}[goals[r[col["目标编号"]]]["status"]]
    for (g, sg), r in zip([(g, sg) for g in report["goals"] for sg in g["subgoals"]], rows):
        if sg["problems"]:
            assert f"[{sg['problems'][0]['id']}] {sg['problems'][0]['text'].strip()}" in r[col["相关问题陈述"]]
        else:
            assert not r[col["相关问题陈述"]]
    # a problem statement that speaks to a sub-goal is in its row (000's only one sits at the weak threshold)
    small = tmp_path / "small.txt"
    small.write_text("2023年度部门整体绩效评价报告\n一、部门整体绩效目标\n全年培训中小学教师3000人次。\n新建幼儿园5所。\n"
                     "二、绩效目标实现情况\n新建幼儿园6所。\n三、存在的问题\n中小学教师培训仅完成2500人次，未达到全年培训3000人次的目标。\n",
                     encoding="utf-8")
    mini = to_json(analyze(small, options=Options(model="lexical", use_store=False)))
    ws = load_workbook(BytesIO(render_xlsx(mini)))["子目标"]
    header = [c.value for c in ws[1]]
    shown = {r[header.index("子目标")]: r[header.index("相关问题陈述")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "中小学教师培训仅完成2500人次" in (shown["全年培训中小学教师3000人次。"] or "")
    assert not shown["新建幼儿园5所。"]
    issues = list(wb["问题与提示"].iter_rows(min_row=2, values_only=True))
    assert [r[2] for r in issues if r[0] == "问题陈述"] == [e["text"] for e in report["problems"]]
    assert mini["problems"] and mini["goals"]
    assert any("部分项目绩效目标未全部完成" in r[2] for r in issues)

    # a self-evaluation table: its flags, per row and for the table
    zpb = to_json(analyze(corpus("zpb_cq_yuzhong_2021.txt"), options=Options(model="lexical", use_store=False)))
    wb = load_workbook(BytesIO(render_xlsx(zpb)))
    ws = wb["子目标"]
    header = [c.value for c in ws[1]]
    flags = {r[header.index("子目标")]: r[header.index("需要注意")] for r in ws.iter_rows(min_row=2, values_only=True)}
    assert "偏差原因" in flags["预算执行率"]
    issues = list(wb["问题与提示"].iter_rows(min_row=2, values_only=True))
    assert any(r[0] == "自评表提示" and "模板提示语" in r[2] for r in issues)


def test_control_characters_do_not_break_the_workbook(tmp_path):
    """A form feed or vertical tab of extracted text (openpyxl refuses them) is dropped from every cell."""
    from openpyxl import load_workbook

    from linker.pipeline import Options, analyze

    path = tmp_path / "ff.txt"
    path.write_text(
        "2024年度部门整体绩效评价报告\n一、部门概况\n（一）部门整体绩效目标设立情况\n1.预算执行率不低于95%。\n2.推进智慧\v校园建设。\n"
        "二、整体绩效目标实现情况\n（一）全年工作完成情况\n预算执行率为96.5%。智慧校园建设\f工作有序开展。\n",
        encoding="utf-8",
    )
    a = analyze(path, options=Options(model="lexical", use_store=False))
    report = to_json(a)
    quoted = [sg["text"] for g in report["goals"] for sg in g["subgoals"]]
    quoted += [e["text"] for g in report["goals"] for sg in g["subgoals"] for e in sg["evidence"] + sg["candidates"]]
    assert any("\f" in t for t in quoted) and any("\v" in t for t in quoted), "quotes keep the report's own characters"
    out = tmp_path / "ff.xlsx"
    render.write(a, "xlsx", out)
    wb = load_workbook(out)
    texts = [c for ws in wb for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any("智慧校园" in t for t in texts)
    assert not any(ch in t for t in texts for ch in "\f\v\x00")
