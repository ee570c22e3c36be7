"""Writing analyses, missing-evidence lists and inspections to files or stdout."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from linker.errors import LinkerError
from linker.model import Document
from linker.report.json import to_json

if TYPE_CHECKING:
    from linker.pipeline import Analysis



def _emit(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        if not text.endswith("\n"):
            sys.stdout.write("\n")
        return
    _atomic_write(output, text.encode("utf-8"))


def _atomic_write(output: Path, data: bytes) -> None:
    """Write through a temporary file, so an existing report is never left half-written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(output)
    except BaseException:
        tmp.unlink(missing_ok=True)  # never leave a half-written temporary beside the report
        raise


def text_summary(report: dict[str, Any]) -> str:
    lines = []
    s = report["summary"]
    lines.append(f"{report['goal_document']['path']}: {s['goals']} goals, {s['subgoals']} sub-goals, "
                 f"{s['evidence_units']} evidence sentences (model {report['model']})")
    lines.append("  " + ", ".join(f"{k} {v}" for k, v in s["status"].items()))
    for g in report["goals"]:
        lines.append(f"{g['id']:>4} [{g['status']}] {g['text'][:50]}")
        for sg in g["subgoals"]:
            ev = "".join(sg["evidence"][0]["text"].split())[:40] if sg["evidence"] else ""
            lines.append(f"{sg['id']:>8} {sg['status']:<11} {sg['text'][:40]}" + (f"  ← {ev}" if ev else ""))
    return "\n".join(lines) + "\n"


def _markdown(a: Analysis, report: dict[str, Any]) -> str:
    from linker.report import markdown

    return markdown.render(report)


RENDERERS: dict[str, Callable[[Any, dict[str, Any]], str]] = {
    "text": lambda a, r: text_summary(r),
    "json": lambda a, r: json.dumps(r, ensure_ascii=False, indent=2) + "\n",
    "md": _markdown,
}


def write(a: Analysis, kind: str, output: Path | None) -> None:
    report = to_json(a)
    if kind == "html":
        from linker.report import html

        _emit(html.render(report), output)
        return
    if kind == "xlsx":
        if output is None:
            raise LinkerError("a spreadsheet needs a file: -o report.xlsx")
        from linker.report import xlsx

        _atomic_write(output, xlsx.render(report))
        return
    if kind not in RENDERERS:
        raise LinkerError(f"unknown format '{kind}'; use text, json, md, html or xlsx")
    _emit(RENDERERS[kind](a, report), output)


def write_missing(rows: list[dict[str, str]], fmt: str, *, unlisted_weak: int = 0) -> None:
    """The missing list; ``unlisted_weak`` counts the sub-goals with only doubtful evidence that are not listed
    (without --include-weak): they have no accepted evidence either, so the text says so."""
    if fmt == "json":
        _emit(json.dumps(rows, ensure_ascii=False, indent=2), None)
        return
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=["goal_id", "goal", "subgoal_id", "subgoal", "status", "note"])
        w.writeheader()
        w.writerows(rows)
        sys.stdout.write(buf.getvalue())
        return

    def weak_note(more: str = "") -> str:
        if not unlisted_weak:
            return ""
        return (f"{unlisted_weak}{more} sub-goal(s) have only doubtful evidence (weak) and no accepted link; "
                "--include-weak lists them\n")

    if not rows:
        sys.stdout.write(weak_note() or "every sub-goal has evidence\n")
        return
    if sys.stdout.isatty():
        _missing_table(rows)
        sys.stdout.write(weak_note(" more"))
        return
    goal = None
    for r in rows:
        if r["goal_id"] != goal:
            goal = r["goal_id"]
            sys.stdout.write(f"{r['goal_id']} {r['goal']}\n")
        sys.stdout.write(f"  {r['subgoal_id']}\t{r['status']}\t{r['subgoal']}\n")
    sys.stdout.write(weak_note(" more"))


def _missing_table(rows: list[dict[str, str]]) -> None:
    """The missing list as a rich table on a terminal: one section a goal, statuses in Chinese and colour."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    from linker.report.html import STATUS_ZH as status_zh

    from linker.report.html import note_zh

    colours = {"unevidenced": "bold red", "weak": "yellow", "unmet": "bold magenta"}
    table = Table(title=f"缺少佐证的子目标（{len(rows)}）", show_lines=False, expand=True)
    table.add_column("子目标", no_wrap=True)
    table.add_column("状态", no_wrap=True)
    table.add_column("内容", ratio=3, overflow="fold")
    table.add_column("说明", ratio=1, overflow="fold")
    goal = None
    for r in rows:
        if r["goal_id"] != goal:
            if goal is not None:
                table.add_section()
            goal = r["goal_id"]
            table.add_row(Text(r["goal_id"], style="bold"), "", Text(r["goal"], style="bold"), "")
        table.add_row(r["subgoal_id"], Text(status_zh.get(r["status"], r["status"]), style=colours.get(r["status"], "")),
                      Text(" ".join(r["subgoal"].split())), Text(note_zh(r["note"]), style="dim"))
    Console().print(table)


def inspection(doc: Document) -> dict[str, Any]:
    from linker.goals import extract_goals

    goals = extract_goals(doc)
    return {
        "path": doc.path,
        "sha256": doc.sha256,
        "format": doc.format,
        "encoding": doc.encoding,
        "characters": len(doc.text),
        "tables": len({b.table for b in doc.blocks if b.kind == "table_row"}),
        "table_rows": sum(1 for b in doc.blocks if b.kind == "table_row"),
        "sections": [
            {"id": s.id, "level": s.level, "numbering": s.numbering, "title": s.title, "role": s.role.value,
             "role_source": s.role_source, "duplicate_of": s.duplicate_of, "parent": s.parent,
             "span": [s.start, s.end], "page": doc.page_of(s.start)}
            for s in doc.sections
        ],
        "goals": [{"id": g.id, "title": g.title, "kind": g.kind, "subgoals": len(g.subgoals)} for g in goals],
        "warnings": doc.warnings,
    }


def write_inspection(doc: Document, fmt: str) -> None:
    data = inspection(doc)
    if fmt == "json":
        _emit(json.dumps(data, ensure_ascii=False, indent=2), None)
        return
    out = [f"{data['path']}  ({data['format']}, {data['encoding'] or '-'}, {data['characters']} characters, "
           f"{data['tables']} tables / {data['table_rows']} rows)"]
    for s in data["sections"]:
        if s["level"] > 4 or s["id"] == "s0":
            continue
        indent = "  " * max(s["level"], 0)
        dup = f" = duplicate of {s['duplicate_of']}" if s["duplicate_of"] else ""
        out.append(f"{indent}{s['numbering']}{s['title'][:48]}  [{s['role']} · {s['role_source']}{dup}]")
    for w in data["warnings"]:
        out.append(f"warning: {w}")
    out.append(f"goals: {len(data['goals'])}")
    for g in data["goals"]:
        out.append(f"  {g['id']} {g['kind']:<9} {g['subgoals']:>3} sub-goals  {g['title'][:40]}")
    _emit("\n".join(out), None)
