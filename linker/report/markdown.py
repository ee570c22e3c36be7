"""Markdown goal-coverage report: the same content as the HTML one.

Summary figures, 产出/效果 scores, the goal tree, every sub-goal with target and actual
and its accepted evidence quoted (matched key terms and numbers in bold), its best
rejected candidates, and the goal→evidence graph as an edge list. Document text is
escaped for Markdown (and for the HTML that Markdown viewers accept), so a report's
``*``, ``|`` or ``<`` never turns into markup.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from linker.report.html import (
    STATUS_ORDER,
    STATUS_ZH,
    fmt_quantity,
    fmt_score,
    fmt_share,
    fmt_targets,
    highlight_spans,
    key_terms,
    not_yet_due,
    note_zh,
    score_blocks,
    subgoal_status_zh,
    supported_counts,
)

_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|~])")
_LEADING = re.compile(r"^(\d+)([.)])|^([#+\-=>])")


def escape(text: str) -> str:
    """Document text made inert in Markdown: special characters backslash-escaped, whitespace folded.

    ``. - + # ( )`` only mean something at the start of a line, so only there are they escaped.
    """
    text = re.sub(r"\s+", " ", text).strip()
    text = _SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")
    return _LEADING.sub(lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else f"\\{m.group(3)}", text)


def _cell(text: str) -> str:
    return escape(text)


def highlight_md(text: str, terms: list[str]) -> str:
    """Escaped text with matched key terms and numbers in bold (one run where they touch).

    CommonMark only reads ``**`` as bold where the delimiters flank the run: ``**96%**以上``
    stays literal (a closing ``**`` after punctuation needs space or punctuation after it).
    Punctuation at the edge of a run is therefore left outside it where it would break the
    delimiter (``**96**%以上``), and spaces at its edges stand outside it.
    """
    runs: list[list[Any]] = []  # [text, marked]
    for piece, kind in highlight_spans(re.sub(r"\s+", " ", text).strip(), terms):
        marked = kind is not None and bool(piece.strip())
        if runs and runs[-1][1] == marked:
            runs[-1][0] += piece
        else:
            runs.append([piece, marked])
    i = 0
    while i < len(runs):
        if runs[i][1]:
            i = _flank(runs, i)
        i += 1
    out = []
    for piece, marked in runs:
        if not piece:
            continue
        body = _SPECIAL.sub(r"\\\1", piece).replace("&", "&amp;")
        if not out:  # the start of the line: list and heading markers too
            body = escape(piece) if piece.strip() else body
        out.append(f"**{body}**" if marked else body)
    return "".join(out)


def _weak_punct(ch: str) -> bool:
    """Punctuation to some CommonMark version (P and S categories)."""
    return unicodedata.category(ch)[0] in "PS"


def _strong_punct(ch: str) -> bool:
    """Punctuation to every CommonMark version (ASCII punctuation and the P categories)."""
    return (ch.isascii() and not ch.isalnum() and not ch.isspace()) or unicodedata.category(ch)[0] == "P"


def _flank(runs: list[list[Any]], i: int) -> int:
    """Shrink the bold run ``runs[i]`` until both its ``**`` are left- and right-flanking, moving
    edge characters into the plain runs beside it; returns the run's index (a plain run may
    have been put before it)."""
    if i == 0:
        runs.insert(0, ["", False])
        i = 1
    if i + 1 == len(runs):
        runs.append(["", False])
    while runs[i][0]:
        body, before, after = runs[i][0], runs[i - 1][0][-1:], runs[i + 1][0][:1]
        # an opening ** before punctuation needs space or punctuation before it; a closing one alike after
        if body[0].isspace() or (_weak_punct(body[0]) and before and not before.isspace() and not _strong_punct(before)):
            runs[i - 1][0] += body[0]
            runs[i][0] = body[1:]
        elif body[-1].isspace() or (_weak_punct(body[-1]) and after and not after.isspace() and not _strong_punct(after)):
            runs[i + 1][0] = body[-1] + runs[i + 1][0]
            runs[i][0] = body[:-1]
        else:
            break
    if not runs[i][0]:
        runs[i][1] = False
    return i


def _badge(status: str) -> str:
    return f"【{STATUS_ZH.get(status, status)}】"


def render(report: dict[str, Any]) -> str:
    s = report.get("summary") or {}
    counts = s.get("status") or {}
    total = sum(counts.values())
    supported, by_table = supported_counts(report)
    docs = report.get("evidence_documents") or [report["evidence_document"]]
    multi = len(docs) > 1
    out = ["# 目标佐证报告", ""]
    out.append(f"- 目标文档：`{report['goal_document']['path']}`")
    out.append("- 佐证文档：" + "；".join(f"`{d['path']}`" for d in docs))
    out.append(f"- 模型：{report.get('model', '')}")
    out.extend(f"- 注意：{escape(w)}" for w in report.get("warnings") or [])
    out.append("")
    out.append("## 概览")
    out.append("")
    share = f"{supported * 100 / total:.0f}%" if total else "0%"
    table = f"，另有 {by_table} 个由报告自评表的完成值判定" if by_table else ""
    out.append(f"共 {s.get('goals', len(report['goals']))} 项目标、{total} 个子目标；其中 {supported} 个子目标（{share}）有采纳的佐证{table}。")
    out.append("")
    out.append("| 状态 | 子目标数 |")
    out.append("|---|---:|")
    for k in STATUS_ORDER:
        out.append(f"| {STATUS_ZH[k]} ({k}) | {counts.get(k, 0)} |")
    out.append("")
    if pending := not_yet_due(report):
        out.append(f"“未达成”的 {counts.get('unmet', 0)} 个子目标中，{pending} 个尚未到期：报告年份早于目标年份，数字只是阶段进度。")
        out.append("")
    out.append("### 产出 / 效果 得分")
    out.append("")
    blocks = score_blocks(report)
    if blocks:
        out.append("| 板块 | 子目标 | 有佐证 | 已达成 | 未达成 | 佐证比例 | 建议得分 | 自评得分 | 满分 | 差异子目标 |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
        for b in blocks:
            nums = [b.get(k) for k in ("subgoals", "evidenced", "met", "unmet")]
            out.append("| " + " | ".join([
                _cell(str(b.get("block") or "—")), *("—" if n is None else str(n) for n in nums),
                fmt_share(b.get("share_supported")), fmt_score(b.get("suggested")), fmt_score(b.get("self_reported")),
                fmt_score(b.get("max")), "、".join(b.get("differences") or []) or "—",
            ]) + " |")
        rules = (report.get("scores") or {}).get("rules")
        if rules:
            out.append("")
            out.append(f"评分规则：{escape(rules)}")
    else:
        out.append("本报告没有产出/效果得分数据（自评得分未识别或尚未计算）。")
    out.append("")
    if report.get("problems"):
        out.append("## 报告自述的问题（负面佐证）")
        out.append("")
        out.extend(f"- {_cell(e['text'])}（{e['id']}）" for e in report["problems"])
        out.append("")
    if report.get("flags"):
        out.append("## 自评表需要注意的地方")
        out.append("")
        out.extend(f"- {escape(f)}" for f in report["flags"])
        out.append("")
    out.append("## 目标树")
    out.append("")
    for g in report["goals"]:
        parts = [f"{STATUS_ZH[st]} {n}" for st in STATUS_ORDER if (n := sum(1 for sg in g["subgoals"] if sg["status"] == st))]
        out.append(f"- {g['id']} {_cell(g['text'])} {_badge(g['status'])}（{'，'.join(parts)}）")
    out.append("")
    out.append("## 子目标与佐证")
    out.append("")
    out.append("引文中 **粗体** 为与子目标匹配的关键词和数字；引文均为原文。")
    out.append("")
    for g in report["goals"]:
        out.append(f"### {g['id']} {_cell(g['text'])} {_badge(g['status'])}")
        out.append("")
        for sg in g["subgoals"]:
            out.append(f"#### {sg['id']} 【{subgoal_status_zh(sg)}】")
            out.append("")
            out.append(escape(sg["text"]))
            out.append("")
            if sg.get("target") or sg.get("actual"):
                out.append(f"- 目标值：{escape(fmt_targets(sg))}")
                out.append(f"- 实际值：{escape(fmt_quantity(sg.get('actual')))}")
            if sg.get("block") or sg.get("category"):
                out.append(f"- 板块 / 类别：{escape(sg.get('block') or '—')}" + (f" · {escape(sg['category'])}" if sg.get("category") else ""))
            if sg.get("note"):
                out.append(f"- 判断：{escape(note_zh(sg['note']))}")
            for f in sg.get("flags") or []:
                out.append(f"- 需要注意：{escape(f)}")
            for e in sg.get("problems") or []:
                out.append(f"- 相关问题陈述：{_cell(e['text'])}（{e['id']}）")
            out.append("")
            if not sg["evidence"]:
                out.append("*没有采纳的佐证。*")
                out.append("")
            for e in sg["evidence"]:
                out.append(f"> {highlight_md(e['text'], key_terms(sg, e))}")
                out.append(">")
                src = [f"佐证 {e['id']}", f"得分 {fmt_score(e['score'])}"]
                if e.get("section"):
                    src.append(escape(e["section"]))
                if e.get("negative"):
                    src.append("问题陈述")
                if multi and e.get("document"):
                    src.append(f"`{e['document']}`")
                out.append(f"> — {' · '.join(src)}")
                out.append("")
            if sg.get("candidates"):
                out.append(f"未采纳的候选句（{len(sg['candidates'])}）：")
                out.append("")
                for c in sg["candidates"]:
                    out.append(f"1. {highlight_md(c['text'], key_terms(sg, c))}（{c['id']} · 得分 {fmt_score(c['score'])}）")
                out.append("")
    out.append("## 目标—佐证关系")
    out.append("")
    out.append("| 目标 | 子目标 | 状态 | 采纳的佐证句 |")
    out.append("|---|---|---|---|")
    for g in report["goals"]:
        for sg in g["subgoals"]:
            ev = "、".join(e["id"] for e in sg["evidence"]) or "—"
            out.append(f"| {g['id']} | {sg['id']} | {STATUS_ZH[sg['status']]} | {ev} |")
    out.append("")
    return "\n".join(out)
