"""The goal-coverage report as a spreadsheet (.xlsx) to pass to colleagues.

Sheet 子目标: one row per sub-goal (goal, sub-goal, status in Chinese and as the machine
value, note, target and actual, 产出/效果 block and category, accepted evidence quoted with
its score and section, best rejected candidates); header frozen, filters on, status cells
coloured. Sheet 概览: the status counts, the 产出/效果 scores when the report has them, and
the documents. Built from the ``linker.report/1`` dict like every other format.
"""

from __future__ import annotations

import io
from typing import Any

from linker.report.html import STATUS_COLOR, STATUS_ORDER, fmt_quantity, fmt_score, fmt_share, note_zh, score_blocks, status_zh

SUBGOAL_COLUMNS: list[tuple[str, int]] = [
    ("目标编号", 9),
    ("目标", 28),
    ("子目标编号", 11),
    ("子目标", 60),
    ("状态", 10),
    ("status", 12),
    ("判断", 30),
    ("目标值", 22),
    ("实际值", 22),
    ("板块", 8),
    ("类别", 14),
    ("佐证数", 8),
    ("最高佐证得分", 12),
    ("佐证", 80),
    ("佐证出处", 30),
    ("未采纳的候选句", 60),
]


def _fill(hex_color: str):  # type: ignore[no-untyped-def]
    from openpyxl.styles import PatternFill

    c = hex_color.lstrip("#").upper()
    return PatternFill(start_color=c, end_color=c, fill_type="solid")


def subgoal_rows(report: dict[str, Any]) -> list[list[Any]]:
    """The rows of the 子目标 sheet, in document order (also used by tests and the batch summary)."""
    rows = []
    multi = len(report.get("evidence_documents") or []) > 1
    for g in report["goals"]:
        for sg in g["subgoals"]:
            ev = sg.get("evidence") or []
            quotes = "\n".join(f"[{e['id']}] {e['text'].strip()}" for e in ev)
            where = "\n".join(
                f"[{e['id']}] {e.get('section') or ''}" + (f"（{e['document']}）" if multi and e.get("document") else "")
                for e in ev
            )
            cands = "\n".join(f"[{c['id']} {c['score']:.2f}] {c['text'].strip()}" for c in sg.get("candidates") or [])
            rows.append([
                g["id"], g["text"], sg["id"], sg["text"].strip(), status_zh(sg["status"]), sg["status"],
                note_zh(sg.get("note")),
                fmt_quantity(sg.get("target")) if sg.get("target") else "",
                fmt_quantity(sg.get("actual")) if sg.get("actual") else "",
                sg.get("block") or "", sg.get("category") or "",
                len(ev), round(max(e["score"] for e in ev), 4) if ev else None,
                quotes, where, cands,
            ])
    return rows


def render(report: dict[str, Any]) -> bytes:
    """The workbook's bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "子目标"
    bold = Font(bold=True)
    wrap = Alignment(wrap_text=True, vertical="top")
    ws.append([name for name, _ in SUBGOAL_COLUMNS])
    for i, (_, width) in enumerate(SUBGOAL_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        ws.cell(row=1, column=i).font = bold
        ws.cell(row=1, column=i).fill = _fill("#E4E6E9")
    status_col = [name for name, _ in SUBGOAL_COLUMNS].index("状态") + 1
    for row in subgoal_rows(report):
        ws.append(row)
        r = ws.max_row
        for c in range(1, len(SUBGOAL_COLUMNS) + 1):
            ws.cell(row=r, column=c).alignment = wrap
        fg, bg = STATUS_COLOR.get(row[5], ("#000000", "#FFFFFF"))
        cell = ws.cell(row=r, column=status_col)
        cell.fill = _fill(bg)
        cell.font = Font(bold=True, color=fg.lstrip("#").upper())
    ws.freeze_panes = "E2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SUBGOAL_COLUMNS))}{ws.max_row}"

    sm = wb.create_sheet("概览")
    sm.column_dimensions["A"].width = 22
    for col in "BCDEFGHIJ":
        sm.column_dimensions[col].width = 13
    sm.append(["目标佐证报告"])
    sm["A1"].font = Font(bold=True, size=14)
    sm.append(["目标文档", report["goal_document"]["path"]])
    for d in report.get("evidence_documents") or [report["evidence_document"]]:
        sm.append(["佐证文档", d["path"]])
    sm.append(["模型", report.get("model", "")])
    sm.append([])
    sm.append(["状态", "子目标数"])
    sm.cell(row=sm.max_row, column=1).font = bold
    sm.cell(row=sm.max_row, column=2).font = bold
    counts = (report.get("summary") or {}).get("status") or {}
    for s in STATUS_ORDER:
        sm.append([status_zh(s), counts.get(s, 0)])
        fg, bg = STATUS_COLOR[s]
        sm.cell(row=sm.max_row, column=1).fill = _fill(bg)
        sm.cell(row=sm.max_row, column=1).font = Font(bold=True, color=fg.lstrip("#").upper())
    sm.append([])
    header = ["板块", "子目标", "有佐证", "已达成", "未达成", "佐证比例", "建议得分", "自评得分", "满分", "差异子目标"]
    sm.append(["产出 / 效果 得分"])
    sm.cell(row=sm.max_row, column=1).font = bold
    blocks = score_blocks(report)
    if blocks:
        sm.append(header)
        for c in range(1, len(header) + 1):
            sm.cell(row=sm.max_row, column=c).font = bold
        for b in blocks:
            sm.append([b.get("block"), b.get("subgoals"), b.get("evidenced"), b.get("met"), b.get("unmet"),
                       fmt_share(b.get("share_supported")), fmt_score(b.get("suggested")), fmt_score(b.get("self_reported")),
                       fmt_score(b.get("max")), "、".join(b.get("differences") or [])])
        rules = (report.get("scores") or {}).get("rules")
        if rules:
            sm.append(["评分规则", rules])
    else:
        sm.append(["（本报告没有产出/效果得分数据）"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
