"""The goal-coverage report as a spreadsheet (.xlsx) to pass to colleagues.

Sheet 子目标: one row per sub-goal (goal and its status, sub-goal, status in Chinese and as
the machine value, note in Chinese, target and actual, 产出/效果 block and category,
accepted evidence quoted with its score and section, best rejected candidates, what the
self-evaluation table flags, the problem statements among its candidates); header frozen,
filters on, status cells coloured. Sheet 概览: the status counts, the 产出/效果 scores when
the report has them (as numbers, with number formats), and the documents. Sheet 问题与提示:
the report's own problem statements (存在的问题) and what its self-evaluation tables flag.
Built from the ``linker.report/1`` dict like every other format.

Every text written is stripped of the control characters a spreadsheet cannot hold (a form
feed or vertical tab in extracted text; openpyxl's ``ILLEGAL_CHARACTERS_RE``): :func:`clean`.
"""

from __future__ import annotations

import io
from typing import Any

from linker.report.html import STATUS_COLOR, STATUS_ORDER, fmt_quantity, fmt_targets, not_yet_due, note_zh, score_blocks, status_zh, subgoal_status_zh, supported_counts

SUBGOAL_COLUMNS: list[tuple[str, int]] = [
    ("目标编号", 9),
    ("目标", 28),
    ("目标状态", 10),
    ("子目标编号", 11),
    ("子目标", 60),
    ("状态", 16),
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
    ("需要注意", 30),
    ("相关问题陈述", 60),
]
SCORE_COLUMNS = ["板块", "子目标", "有佐证", "已达成", "未达成", "佐证比例", "建议得分", "自评得分", "满分", "差异子目标"]
_FORMATS = {"佐证比例": "0%", "建议得分": "0.00", "自评得分": "0.00", "满分": "0.00"}


def clean(value: Any) -> Any:
    """A cell value a workbook can hold: text without control characters (form feed, vertical tab …)."""
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def append(ws, row: list[Any]) -> None:  # type: ignore[no-untyped-def]
    """``ws.append`` with every value :func:`clean`."""
    ws.append([clean(v) for v in row])


def _fill(hex_color: str):  # type: ignore[no-untyped-def]
    from openpyxl.styles import PatternFill

    c = hex_color.lstrip("#").upper()
    return PatternFill(start_color=c, end_color=c, fill_type="solid")


def _number(v: Any) -> float | int | None:
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


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
            problems = "\n".join(f"[{e['id']}] {e['text'].strip()}" for e in sg.get("problems") or [])
            rows.append([
                g["id"], g["text"], status_zh(g.get("status")), sg["id"], sg["text"].strip(), subgoal_status_zh(sg),
                sg["status"], note_zh(sg.get("note")),
                fmt_targets(sg) if sg.get("target") else "",
                fmt_quantity(sg.get("actual")) if sg.get("actual") else "",
                sg.get("block") or "", sg.get("category") or "",
                len(ev), round(max(e["score"] for e in ev), 4) if ev else None,
                quotes, where, cands, "；".join(sg.get("flags") or []), problems,
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
    names = [name for name, _ in SUBGOAL_COLUMNS]
    append(ws, names)
    for i, (_, width) in enumerate(SUBGOAL_COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
        ws.cell(row=1, column=i).font = bold
        ws.cell(row=1, column=i).fill = _fill("#E4E6E9")
    status_col = names.index("状态") + 1
    machine_col = names.index("status")
    goal_col = names.index("目标状态") + 1
    for row in subgoal_rows(report):
        append(ws, row)
        r = ws.max_row
        for c in range(1, len(SUBGOAL_COLUMNS) + 1):
            ws.cell(row=r, column=c).alignment = wrap
        fg, bg = STATUS_COLOR.get(row[machine_col], ("#000000", "#FFFFFF"))
        cell = ws.cell(row=r, column=status_col)
        cell.fill = _fill(bg)
        cell.font = Font(bold=True, color=fg.lstrip("#").upper())
    goal_status = {g["id"]: g.get("status") for g in report["goals"]}
    for r in range(2, ws.max_row + 1):  # the goal's own status, coloured the same way
        fg, bg = STATUS_COLOR.get(goal_status.get(ws.cell(row=r, column=1).value) or "", ("#000000", "#FFFFFF"))
        ws.cell(row=r, column=goal_col).fill = _fill(bg)
        ws.cell(row=r, column=goal_col).font = Font(color=fg.lstrip("#").upper())
    ws.freeze_panes = f"{get_column_letter(names.index('子目标') + 2)}2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SUBGOAL_COLUMNS))}{ws.max_row}"

    sm = wb.create_sheet("概览")
    sm.column_dimensions["A"].width = 22
    for col in "BCDEFGHIJ":
        sm.column_dimensions[col].width = 13
    append(sm, ["目标佐证报告"])
    sm["A1"].font = Font(bold=True, size=14)
    append(sm, ["目标文档", report["goal_document"]["path"]])
    for d in report.get("evidence_documents") or [report["evidence_document"]]:
        append(sm, ["佐证文档", d["path"]])
    append(sm, ["模型", report.get("model", "")])
    for w in report.get("warnings") or []:
        append(sm, ["注意", w])
    append(sm, [])
    append(sm, ["状态", "子目标数"])
    sm.cell(row=sm.max_row, column=1).font = bold
    sm.cell(row=sm.max_row, column=2).font = bold
    counts = (report.get("summary") or {}).get("status") or {}
    for s in STATUS_ORDER:
        append(sm, [status_zh(s), counts.get(s, 0)])
        fg, bg = STATUS_COLOR[s]
        sm.cell(row=sm.max_row, column=1).fill = _fill(bg)
        sm.cell(row=sm.max_row, column=1).font = Font(bold=True, color=fg.lstrip("#").upper())
    if pending := not_yet_due(report):
        append(sm, ["其中尚未到期的未达成", pending])
    linked, by_table = supported_counts(report)
    append(sm, ["有采纳佐证的子目标", linked])
    if by_table:
        append(sm, ["由自评表完成值判定", by_table])
    append(sm, [])
    append(sm, ["产出 / 效果 得分"])
    sm.cell(row=sm.max_row, column=1).font = bold
    blocks = score_blocks(report)
    if blocks:
        append(sm, SCORE_COLUMNS)
        for c in range(1, len(SCORE_COLUMNS) + 1):
            sm.cell(row=sm.max_row, column=c).font = bold
        for b in blocks:
            append(sm, [b.get("block"), _number(b.get("subgoals")), _number(b.get("evidenced")), _number(b.get("met")),
                        _number(b.get("unmet")), _number(b.get("share_supported")), _number(b.get("suggested")),
                        _number(b.get("self_reported")), _number(b.get("max")), "、".join(b.get("differences") or [])])
            for c, name in enumerate(SCORE_COLUMNS, start=1):
                if name in _FORMATS:
                    sm.cell(row=sm.max_row, column=c).number_format = _FORMATS[name]
        rules = (report.get("scores") or {}).get("rules")
        if rules:
            append(sm, ["评分规则", rules])
    else:
        append(sm, ["（本报告没有产出/效果得分数据）"])

    issues = wb.create_sheet("问题与提示")
    for col, width in zip("ABCD", (14, 10, 80, 40), strict=True):
        issues.column_dimensions[col].width = width
    append(issues, ["类型", "编号", "内容", "出处"])
    for c in range(1, 5):
        issues.cell(row=1, column=c).font = bold
    for w in report.get("warnings") or []:
        append(issues, ["读取提示", "", w, ""])
    for f in report.get("flags") or []:
        append(issues, ["自评表提示", "", f, ""])
    multi = len(report.get("evidence_documents") or []) > 1
    for e in report.get("problems") or []:
        where = (e.get("section") or "") + (f"（{e['document']}）" if multi and e.get("document") else "")
        append(issues, ["问题陈述", e.get("id", ""), e.get("text", ""), where])
    for r in range(2, issues.max_row + 1):
        for c in range(1, 5):
            issues.cell(row=r, column=c).alignment = wrap
    if issues.max_row == 1:
        append(issues, ["（报告没有自述的问题，自评表也没有需要注意的地方）"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
