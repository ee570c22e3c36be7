"""The command line refuses bad outputs, ports, stores and overrides at once, in one line, and says what it skipped."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SEED


def run(*args: str, stdout=None) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    return subprocess.run([sys.executable, "-m", "linker", *args], stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, timeout=600, check=False)


def one_line(res: subprocess.CompletedProcess[str], message: str, code: int = 1) -> None:
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("linker: ") and message in lines[0], res.stderr


def make_store(path: Path, records: list[dict], root: Path) -> Path:
    from linker.store import Store, import_jsonl

    jsonl = path.with_suffix(".jsonl")
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    with Store(path) as store:
        if records:
            import_jsonl(store, [jsonl], root=root)
    return path


def subgoals(report: Path, *extra: str) -> dict[str, dict]:
    res = run("analyze", str(report), "-m", "lexical", "-f", "json", *extra)
    assert res.returncode == 0, res.stderr
    return {sg["id"]: sg for g in json.loads(res.stdout)["goals"] for sg in g["subgoals"]}


@pytest.fixture()
def places(tmp_path: Path) -> Path:
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    (tmp_path / "dir.json").mkdir()
    from linker.store import Store

    Store(tmp_path / "empty.sqlite").close()
    return tmp_path


# every bad place is refused before the analysis: with the unknown model "foo", an analysis would fail on the model first
@pytest.mark.parametrize(
    "args, message",
    [
        (["analyze", "{r}", "-o", "{d}/file/x.html"], "file is a file, not a folder"),
        (["analyze", "{r}", "-o", "{d}/report"], "cannot tell the format from a name without suffix"),
        (["analyze", "{r}", "-o", "{d}/report.rtf"], "cannot tell the format from .rtf"),
        (["analyze", "{r}", "-f", "xlsx"], "a spreadsheet needs a file"),
        (["analyze", "{r}", "-f", "json", "-f", "md"], "several --format need somewhere to write them"),
        (["analyze", "{r}", "-f", "json", "-f", "md", "-o", "{d}/r.json"], "several --format are written side by side"),
        (["analyze", "{r}", "-f", "json", "-f", "rtf", "-o", "{d}"], "unknown format 'rtf'"),
        (["analyze", "{r}", "--graph", "{d}/dir.json"], "a folder is there, not a file"),
        (["analyze", "{r}", "--graph", "{d}/file/g.json"], "file is a file, not a folder"),
        (["analyze", "{r}", "--graph", "{d}/g.txt"], "write the graph as .graphml or .json"),
        (["analyze", "{r}", "--db", "{d}/nope.sqlite"], "no annotation database there"),
        (["missing", "{r}", "--db", "{d}/nope.sqlite"], "no annotation database there"),
        (["batch", "{d}", "-o", "{d}/file"], "a file is there, not a folder"),
        (["batch", "{d}", "-o", "{d}/out", "--db", "{d}/nope.sqlite"], "no annotation database there"),
        (["review", "{r}", "--no-browser", "--db", "{d}/file/sub.sqlite"], "file is a file, not a folder"),
        (["annotations", "export", "{d}/file", "--db", "{d}/empty.sqlite"], "a file is there, not a folder"),
        (["train", "--out", "{d}/file", "--annotations", "{d}"], "a file is there, not a folder"),
    ],
)
def test_bad_output_places_are_refused_before_any_analysis(places, args, message):
    before = sorted(p.name for p in places.rglob("*"))
    model = [] if args[0] == "annotations" else ["-m", "foo"]  # export analyses nothing
    res = run(*(a.format(r=SEED["004"], d=places) for a in args), *model)
    one_line(res, message)
    assert sorted(p.name for p in places.rglob("*")) == before, "nothing was written"


@pytest.mark.parametrize("port", ["70000", "-5"])
def test_a_port_out_of_range_is_a_usage_error_before_the_analysis(port):
    res = run("review", str(SEED["004"]), "--no-browser", "-m", "foo", "--port", port)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "Invalid value for '--port'" in res.stderr and "unknown model" not in res.stderr


def test_analyze_into_a_folder_writes_the_report_there_and_leaves_no_temporary(tmp_path):
    out = tmp_path / "reports"
    out.mkdir()
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "-o", str(out))
    assert res.returncode == 0, res.stderr
    assert [p.name for p in out.iterdir()] == [f"{SEED['004'].stem}.html"]
    named = tmp_path / "d.html"  # a folder that looks like a file name is still a folder
    named.mkdir()
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "-o", str(named), "-f", "md")
    assert res.returncode == 0, res.stderr
    assert [p.name for p in named.iterdir()] == [f"{SEED['004'].stem}.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.html", "reports"], "no .d.html.tmp beside it"


def test_several_formats_write_one_report_each(tmp_path):
    """-f json -f md -f xlsx into a folder, or beside a shared name: one analysis, every report."""
    import openpyxl

    out = tmp_path / "reports"
    out.mkdir()
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "--no-store", "-f", "json", "-f", "md", "-f", "xlsx", "-f", "json", "-o", str(out))
    assert res.returncode == 0, res.stderr
    stem = SEED["004"].stem
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{stem}.{x}" for x in ("json", "md", "xlsx"))
    report = json.loads((out / f"{stem}.json").read_text(encoding="utf-8"))
    md = (out / f"{stem}.md").read_text(encoding="utf-8")
    assert md.startswith("# 目标佐证报告") and all(sg["text"][:6] in md for g in report["goals"] for sg in g["subgoals"][:1])
    assert "子目标" in openpyxl.load_workbook(out / f"{stem}.xlsx").sheetnames
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "--no-store", "-f", "html", "-f", "text", "-o", str(tmp_path / "r"))
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert "g1" in (tmp_path / "r.txt").read_text(encoding="utf-8")


def test_a_new_folder_named_with_a_slash_is_made_and_filled(tmp_path):
    """-o new/ (not there yet) is a folder for every format, not a prefix new.json, new.md beside it."""
    stem = SEED["004"].stem
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "--no-store", "-f", "json", "-f", "md", "-o", f"{tmp_path}/new/deeper/")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "new" / "deeper").iterdir()) == [f"{stem}.json", f"{stem}.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new"]
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "--no-store", "-f", "md", "-o", f"{tmp_path}/one/")
    assert res.returncode == 0, res.stderr
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{stem}.md"]


def test_a_failed_write_removes_its_temporary_file(tmp_path):
    from linker.report import render

    target = tmp_path / "d.html"
    target.mkdir()
    with pytest.raises(OSError):
        render._atomic_write(target, b"<html></html>")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.html"]


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_an_output_that_cannot_be_written_is_one_line_not_a_traceback():
    with open("/dev/full", "w") as full:
        res = run("analyze", str(SEED["004"]), "-m", "lexical", "-f", "json", "--no-store", stdout=full)
    one_line(res, "No space left on device")


def test_a_misspelt_block_override_is_an_error_naming_the_id():
    res = run("analyze", str(SEED["004"]), "-m", "lexical", "-f", "json", "--block-override", "g99=产出",
              "--block-override", "g1.2=效果")
    one_line(res, "--block-override: no goal or sub-goal g99 in")
    assert "g1.2" not in res.stderr
    assert subgoals(SEED["004"], "--block-override", "g1.2=效果")["g1.2"]["block"] == "效果"


def test_db_and_no_store_choose_the_judgments_of_analyze_and_missing(tmp_path):
    report = tmp_path / SEED["004"].name
    shutil.copy(SEED["004"], report)
    before = subgoals(report, "--no-store")
    assert before["g1.2"]["status"] == "unevidenced"
    db = make_store(tmp_path / "judged.sqlite", [{"goal_document": report.name, "subgoal": before["g1.2"]["text"],
                                                  "label": "status_override", "value": "met", "annotator": "t"}], tmp_path)
    assert subgoals(report, "--db", str(db))["g1.2"]["status"] == "met"
    assert subgoals(report, "--db", str(db), "--no-store")["g1.2"]["status"] == "unevidenced"
    listed = run("missing", str(report), "-m", "lexical", "-f", "json", "--db", str(db))
    assert listed.returncode == 0, listed.stderr
    assert "g1.2" not in [r["subgoal_id"] for r in json.loads(listed.stdout)]
    listed = run("missing", str(report), "-m", "lexical", "-f", "json", "--db", str(db), "--no-store")
    assert "g1.2" in [r["subgoal_id"] for r in json.loads(listed.stdout)]


def test_annotations_that_no_longer_match_are_warned_about(tmp_path):
    report = tmp_path / SEED["004"].name
    shutil.copy(SEED["004"], report)
    text = subgoals(report, "--no-store")["g1.9"]["text"]
    db = make_store(tmp_path / "judged.sqlite", [{"goal_document": report.name, "subgoal": text, "label": "no_evidence",
                                                  "annotator": "t"}], tmp_path)
    res = run("analyze", str(report), "-m", "lexical", "-f", "json", "--db", str(db))
    assert res.returncode == 0 and "warning" not in res.stderr, res.stderr
    report.write_text(report.read_text(encoding="utf-8").replace(text, "全面加强学校体育卫生与艺术教育工作，"), encoding="utf-8")
    for command in ("analyze", "missing"):
        res = run(command, str(report), "-m", "lexical", "-f", "json", "--db", str(db))
        assert res.returncode == 0, res.stderr
        assert "warning: 1 annotation(s) no longer match" in res.stderr, res.stderr
        json.loads(res.stdout)  # the warning stays off stdout


def test_missing_never_claims_evidence_for_a_weak_subgoal(tmp_path):
    report = tmp_path / SEED["004"].name
    shutil.copy(SEED["004"], report)
    sgs = subgoals(report, "--no-store")

    def judged(name: str, weak: set[str]) -> Path:
        return make_store(tmp_path / name, [{"goal_document": report.name, "subgoal": sg["text"], "label": "status_override",
                                             "value": "weak" if sid in weak else "evidenced", "annotator": "t"}
                                            for sid, sg in sgs.items()], tmp_path)

    db = judged("one-weak.sqlite", {"g1.3"})
    res = run("missing", str(report), "-m", "lexical", "--db", str(db), "--fail-on-missing")
    assert res.returncode == 1, res.stdout
    assert "every sub-goal" not in res.stdout
    assert "1 sub-goal(s) have only doubtful evidence (weak) and no accepted link" in res.stdout
    res = run("missing", str(report), "-m", "lexical", "--db", str(db), "--fail-on-missing", "--include-weak", "-f", "json")
    assert res.returncode == 1 and [r["subgoal_id"] for r in json.loads(res.stdout)] == ["g1.3"]
    db = judged("none-weak.sqlite", set())
    res = run("missing", str(report), "-m", "lexical", "--db", str(db), "--fail-on-missing")
    assert res.returncode == 0, res.stdout
    assert res.stdout.strip() == "every sub-goal has evidence"
