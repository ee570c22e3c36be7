"""`linker batch`: a folder of reports, a manifest pairing a plan with its results, a broken file, a second run that skips."""

from __future__ import annotations

import dataclasses
import json
import re
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


def batch_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "linker", "batch", *args, "-m", "lexical", "--verbose"],
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.fixture()
def small(tmp_path) -> Path:
    d = tmp_path / "in"
    d.mkdir()
    shutil.copy(SEED["004"], d / "r4.txt")
    return d


def test_new_judgments_make_a_report_analysed_again(small, tmp_path):
    from linker.store import Store, import_jsonl

    out, db = tmp_path / "out", tmp_path / "judged.sqlite"
    Store(db).close()
    assert "1 analysed" in batch_cli(str(small), "-o", str(out), "--db", str(db)).stderr
    first = json.loads((out / "r4.json").read_text(encoding="utf-8"))["goals"][0]["subgoals"][0]
    assert first["status"] != "unmet"
    (tmp_path / "j.jsonl").write_text(json.dumps({"goal_document": "in/r4.txt", "subgoal": first["text"], "label": "status_override",
                                                  "value": "unmet", "annotator": "t"}, ensure_ascii=False) + "\n", encoding="utf-8")
    with Store(db) as store:
        import_jsonl(store, [tmp_path / "j.jsonl"], root=tmp_path)
    res = batch_cli(str(small), "-o", str(out), "--db", str(db))
    assert "1 analysed, 0 unchanged" in res.stderr, res.stderr
    assert json.loads((out / "r4.json").read_text(encoding="utf-8"))["goals"][0]["subgoals"][0]["status"] == "unmet"
    assert "1 unchanged" in batch_cli(str(small), "-o", str(out), "--db", str(db)).stderr
    # --no-store: the judgment no longer counts, so that is a change too
    assert "1 analysed" in batch_cli(str(small), "-o", str(out), "--db", str(db), "--no-store").stderr
    assert json.loads((out / "r4.json").read_text(encoding="utf-8"))["goals"][0]["subgoals"][0]["status"] != "unmet"


def test_key_changes_with_the_judgments_about_the_report(folder):
    from linker.store import Judgment

    job = Job("x", folder / "district-2024.txt")
    s = settings_of(Options(), ["json"])
    other = Judgment(goal_path="elsewhere.txt", goal_sha256="0" * 64, evidence_path="elsewhere.txt", evidence_sha256="0" * 64,
                     subgoal="某目标", evidence=None, label="no_evidence", annotator="t", created="2024-01-01T00:00:00", id=1)
    mine = dataclasses.replace(other, goal_path="district-2024.txt", id=2)
    assert job_key(job, s, [other]) == job_key(job, s)
    assert job_key(job, s, [other, mine]) != job_key(job, s)
    assert job_key(job, s, [mine, dataclasses.replace(mine, id=3, label="reject", evidence="x")]) != job_key(job, s, [mine])


@pytest.mark.parametrize(
    "manifest, message",
    [
        ({"reports": [{"goals": 5, "evidence": 7}]}, 'entry 1 of "reports": "goals" must be a file name (a string), not 5'),
        ({"reports": [{"goals": "r4.txt", "evidence": 7}]}, 'entry 1 of "reports": "evidence" must be a file name or a list'),
        ({"reports": [{"goals": "r4.txt", "evidence": ["r4.txt", 3]}]}, '"evidence" must be a file name or a list'),
        ({"reports": [{"goals": "r4.txt", "name": 1}]}, 'entry 1 of "reports": "name" must be a string, not 1'),
        ({"reports": [{"evidence": "r4.txt"}]}, 'entry 1 of "reports": "goals" is missing'),
        ({"reports": ["r4.txt"]}, 'entry 1 of "reports" must be an object'),
        ({"reports": {"goals": "r4.txt"}}, '"reports" must be a list of entries'),
        ({"exclude": 5}, '"exclude" must be a file name or a list of file names (strings), not 5'),
        ({"reports": [{"goals": "r4.txt", "evidnce": "r4.txt"}]}, 'entry 1 of "reports": unknown field "evidnce"'),
        ({"report": [{"goals": "r4.txt"}]}, 'unknown field "report"; a manifest holds "reports" and "exclude"'),
        ({"reports": [{"goals": "r4\u0000.txt"}]}, 'entry 1 of "reports": "goals": "r4\\u0000.txt" is not a file name'),
    ],
)
def test_a_manifest_with_wrong_types_is_one_line_naming_the_field(small, tmp_path, manifest, message):
    from linker.errors import InputError

    (small / "linker-batch.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        discover(small)
    res = batch_cli(str(small), "-o", str(tmp_path / "out"))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("linker: ") and message in lines[0], res.stderr


def test_a_bad_model_is_refused_before_anything_is_written(small, tmp_path):
    out = tmp_path / "out"
    assert batch_cli(str(small), "-o", str(out)).returncode == 0
    files = {p.name: p.read_bytes() for p in out.iterdir()}
    for model, message in (("foo", "unknown model 'foo'"), (f"st:{tmp_path / 'no-model'}", "no such model directory")):
        res = subprocess.run([sys.executable, "-m", "linker", "batch", str(small), "-o", str(out), "-m", model],
                             capture_output=True, text=True, timeout=600, check=False)
        assert res.returncode == 1 and "Traceback" not in res.stderr
        assert res.stderr.startswith("linker: ") and message in res.stderr and len(res.stderr.strip().splitlines()) == 1
        assert {p.name: p.read_bytes() for p in out.iterdir()} == files, "state and summary untouched"
    assert not (tmp_path / "never").exists()
    res = subprocess.run([sys.executable, "-m", "linker", "batch", str(small), "-o", str(tmp_path / "never"), "-m", "foo"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert res.returncode == 1 and not (tmp_path / "never").exists()


def test_a_failed_report_keeps_the_state_of_its_last_good_run(small, tmp_path):
    out = tmp_path / "out"
    assert "1 analysed" in batch_cli(str(small), "-o", str(out)).stderr
    good = (small / "r4.txt").read_bytes()
    (small / "r4.txt").write_bytes(b"")
    res = batch_cli(str(small), "-o", str(out))
    assert "1 failed" in res.stderr and "r4: FAILED" in res.stderr
    assert set(json.loads((out / STATE_FILE).read_text(encoding="utf-8"))["jobs"]) == {"r4"}
    (small / "r4.txt").write_bytes(good)
    assert "0 analysed, 1 unchanged" in batch_cli(str(small), "-o", str(out)).stderr


def test_the_input_folder_as_output_folder_never_reads_its_own_outputs(small):
    res = batch_cli(str(small), "-o", str(small))
    assert "1 analysed" in res.stderr and "0 failed" in res.stderr, res.stderr
    assert {"r4.json", "r4.html", "r4.xlsx", "linker-summary.html", "linker-summary.xlsx"} <= {p.name for p in small.iterdir()}
    assert [j.name for j in discover(small, small)] == ["r4"]
    res = batch_cli(str(small), "-o", str(small))
    assert "1 reports: 0 analysed, 1 unchanged, 0 failed" in res.stderr, res.stderr
    # summaries are never reports, wherever the output goes
    assert not any(j.name.startswith("linker-summary") for j in discover(small))


def test_an_output_never_overwrites_a_report_of_the_same_name(small, first_run):
    out, _ = first_run
    shutil.copy(out / "district-2024.xlsx", small / "r4.xlsx")  # a spreadsheet report beside r4.txt
    before = (small / "r4.xlsx").read_bytes()
    res = batch_cli(str(small), "-o", str(small))
    assert "r4: its output r4.xlsx would overwrite the report of that name" in res.stderr, res.stderr
    assert (small / "r4.xlsx").read_bytes() == before
