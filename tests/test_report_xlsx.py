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
    assert ws.freeze_panes == "E2"
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
    assert ws.column_dimensions["D"].width >= 40, "the sub-goal column is wide enough to read"
    header = [c.value for c in ws[1]]
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
    for b in blocks:
        row = cells[b["block"]]
        assert row[0] == b["subgoals"]
        if b.get("self_reported") is not None:
            assert row[6] == f"{b['self_reported']:.2f}"
