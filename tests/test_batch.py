"""`linker batch`: a folder of reports, a manifest pairing a plan with its results, a broken file, a second run that skips."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from linker.batch import STATE_FILE, Job, discover, job_key, run_batch, settings_of
from linker.pipeline import Options

from .conftest import SEED

MANIFEST = """\
# a plan against the following year's results
[[reports]]
name = "plan-vs-2022"
goals = "plan.txt"
evidence = ["results-2022.txt"]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("reports")
    shutil.copy(SEED["004"], d / "district-2024.txt")
    shutil.copy(SEED["003"], d / "plan.txt")
    shutil.copy(SEED["001"], d / "results-2022.txt")
    (d / "broken.txt").write_bytes(b"")
    (d / "linker-batch.toml").write_text(MANIFEST, encoding="utf-8")
    (d / "notes.json").write_text("{}", encoding="utf-8")  # not a report format: ignored
    return d


@pytest.fixture(scope="module")
def first_run(folder, tmp_path_factory):
    from linker.cli.app import _options

    out = tmp_path_factory.mktemp("out")
    # the options `linker batch` builds by default, so that its second run finds nothing changed
    return out, run_batch(folder, out, _options("e5", [], [], []), formats=("html", "xlsx"), workers=2)


def test_discover_reads_the_manifest_and_leaves_paired_files_out(folder):
    jobs = {j.name: j for j in discover(folder)}
    assert set(jobs) == {"plan-vs-2022", "district-2024", "broken"}
    assert jobs["plan-vs-2022"].goals == folder / "plan.txt"
    assert jobs["plan-vs-2022"].evidence == (folder / "results-2022.txt",)
    assert jobs["district-2024"].evidence == ()


def test_key_changes_with_content_and_settings(folder, tmp_path):
    job = Job("x", folder / "district-2024.txt")
    s = settings_of(Options(), ["json", "html"])
    assert job_key(job, s) == job_key(job, settings_of(Options(), ["html", "json"]))
    assert job_key(job, s) != job_key(job, settings_of(Options(model="lexical"), ["json", "html"]))
    edited = tmp_path / "district-2024.txt"
    edited.write_text(SEED["004"].read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert job_key(job, s) != job_key(Job("x", edited), s)


def test_every_report_is_written_and_the_broken_one_listed(first_run):
    out, result = first_run
    assert result.analysed == 2 and result.skipped == 0
    assert [name for name, _ in result.errors] == ["broken"]
    assert "empty" in result.errors[0][1]
    for name in ("plan-vs-2022", "district-2024"):
        for ext in ("json", "html", "xlsx"):
            assert (out / f"{name}.{ext}").stat().st_size > 1000
    pair = json.loads((out / "plan-vs-2022.json").read_text(encoding="utf-8"))
    assert pair["goal_document"]["path"].endswith("plan.txt")
    assert len(pair["evidence_documents"]) == 1
    assert pair["evidence_documents"][0]["path"].endswith("results-2022.txt")
    rows = {r["name"]: r for r in result.rows}
    for name, row in rows.items():
        report = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
        assert row["status"] == report["summary"]["status"]
        assert row["subgoals"] == sum(len(g["subgoals"]) for g in report["goals"])


def test_summary_table_as_html_and_xlsx(first_run):
    from openpyxl import load_workbook

    out, result = first_run
    html = (out / "linker-summary.html").read_text(encoding="utf-8")
    assert '<a href="plan-vs-2022.html">plan-vs-2022</a>' in html and "district-2024" in html
    assert "出错的报告" in html and "broken" in html and "<script" not in html
    wb = load_workbook(out / "linker-summary.xlsx")
    ws = wb["汇总"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: dict(zip(header, r)) for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"plan-vs-2022", "district-2024"}
    by_name = {r["name"]: r for r in result.rows}
    for name, row in rows.items():
        assert row["无佐证"] == by_name[name]["status"]["unevidenced"]
        assert row["子目标"] == by_name[name]["subgoals"]
        assert row["本次"] == "分析"
    gap = by_name["plan-vs-2022"]["worst_gaps"][0]
    assert gap["goal_id"] in rows["plan-vs-2022"]["最大缺口"]
    assert [r[0] for r in wb["错误"].iter_rows(min_row=2, values_only=True)] == ["broken"]


def test_second_run_through_the_cli_skips_unchanged_reports(first_run, folder):
    out, _ = first_run
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert set(state["jobs"]) == {"plan-vs-2022", "district-2024"}
    before = (out / "district-2024.json").stat().st_mtime_ns
    run = subprocess.run([sys.executable, "-m", "linker", "batch", str(folder), "-o", str(out), "--verbose", "--fail-on-error"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 1, "--fail-on-error: broken.txt is still broken"
    assert "2 unchanged" in run.stderr and "district-2024: skipped" in run.stderr
    assert "broken:" in run.stderr and "Traceback" not in run.stderr
    assert (out / "district-2024.json").stat().st_mtime_ns == before
    wb_rows = list(__import__("openpyxl").load_workbook(out / "linker-summary.xlsx")["汇总"].iter_rows(min_row=2, values_only=True))
    assert {r[-1] for r in wb_rows} == {"跳过"}
