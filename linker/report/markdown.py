"""Markdown goal-coverage report (the same content as the HTML one)."""

from __future__ import annotations

from typing import Any

STATUS_ZH = {"met": "已达成", "unmet": "未达成", "evidenced": "有佐证", "weak": "佐证不足", "unevidenced": "无佐证", "partial": "部分佐证"}


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render(report: dict[str, Any]) -> str:
    s = report["summary"]
    out = [f"# 目标佐证报告：{report['goal_document']['path']}", ""]
    out.append(f"证据文档：{', '.join(d['path'] for d in report['evidence_documents'])}；模型：{report['model']}")
    out.append("")
    out.append("| 状态 | 子目标数 |")
    out.append("|---|---|")
    for k, v in s["status"].items():
        out.append(f"| {STATUS_ZH[k]} ({k}) | {v} |")
    out.append("")
    for g in report["goals"]:
        out.append(f"## {g['id']} {_cell(g['text'])} — {STATUS_ZH[g['status']]}")
        out.append("")
        for sg in g["subgoals"]:
            out.append(f"- **{sg['id']}** [{STATUS_ZH[sg['status']]}] {_cell(sg['text'])}")
            if sg.get("note"):
                out.append(f"  - 说明：{_cell(sg['note'])}")
            for e in sg["evidence"]:
                out.append(f"  - 佐证（{e['score']:.2f}，{_cell(e.get('section', ''))}）：{_cell(e['text'])}")
        out.append("")
    return "\n".join(out)
