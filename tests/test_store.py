"""The annotation store: round trips, bad imports, concurrent writers, a killed import, migrations."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linker import store as st
from linker.errors import StoreError
from linker.store import Judgment, Store

ROOT = Path(__file__).resolve().parents[1]
GOLD = sorted((ROOT / "annotations").glob("*.jsonl"))
SEED000 = "examples/000_3d28e81d7327b640.txt"


def gold_lines(name: str = "000_3d28e81d7327b640.jsonl") -> list[str]:
    return (ROOT / "annotations" / name).read_text(encoding="utf-8").splitlines()


def judgment(i: int, annotator: str = "甲", label: str = "accept") -> Judgment:
    return Judgment(goal_path=SEED000, goal_sha256="g" * 64, evidence_path=SEED000, evidence_sha256="g" * 64,
                    subgoal="加快中小学学位建设。", evidence=f"新增中小学学位2.8万个。#{i}" if label != "no_evidence" else None,
                    label=label, annotator=annotator, created=st.now())


def test_new_store_is_wal_and_current(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as s:
        assert s.journal_mode == "wal"
        assert s.version == st.VERSION
    assert st.pending(tmp_path / "a.sqlite") == []


def test_gold_files_round_trip_byte_for_byte(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as s:
        first = st.import_jsonl(s, GOLD, root=ROOT)
        assert first.read == first.new == sum(len(p.read_text(encoding="utf-8").splitlines()) for p in GOLD)
        again = st.import_jsonl(s, GOLD, root=ROOT)
        assert again.new == 0  # importing the same file twice adds nothing
        written = st.export_jsonl(s, tmp_path / "out", root=ROOT)
    assert sorted(p.name for p in written) == [p.name for p in GOLD]
    for p in GOLD:
        assert (tmp_path / "out" / p.name).read_text(encoding="utf-8") == p.read_text(encoding="utf-8")


def test_raw_quotes_with_pdf_breaks_are_anchored(tmp_path: Path) -> None:
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [ROOT / "annotations" / "003_666c668a4aecd772__001_255e7cc77b2edc79.jsonl"], root=ROOT)
        broken = [j for j in s.iter_judgments() if j.evidence and "入\n\n园率" in j.evidence]
    assert broken and all(j.evidence_span is not None for j in broken)
    from linker.pipeline import load

    doc = load(ROOT / "examples" / "001_255e7cc77b2edc79.txt")
    a, b = broken[0].evidence_span
    assert "入园率达到" in doc.text[a:b] and doc.quote(a, b) == broken[0].evidence


def test_export_keeps_history_and_new_fields(tmp_path: Path) -> None:
    lines = [json.loads(x) for x in gold_lines()[:2]]
    r = dict(lines[1], label="status_override", value="evidenced", annotator="乙", created="2026-01-02T03:04:05Z", reviewer="丙")
    src = tmp_path / "in.jsonl"
    src.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [*lines, r]) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [src], root=ROOT)
        out = st.export_jsonl(s, tmp_path / "out", root=ROOT)
    back = [json.loads(x) for x in next(iter(out)).read_text(encoding="utf-8").splitlines()]
    assert len(back) == 3
    over = next(x for x in back if x["label"] == "status_override")
    assert list(over)[:10] == list(st.BASE_FIELDS)
    assert over["value"] == "evidenced" and over["created"] == "2026-01-02T03:04:05Z" and over["reviewer"] == "丙"


def test_bad_import_is_refused_with_line_numbers_and_changes_nothing(tmp_path: Path) -> None:
    lines = gold_lines()[:8]
    lines[2] = lines[2][:-5]  # line 3: broken JSON
    r = json.loads(lines[4])
    lines[4] = json.dumps(dict(r, label="maybe"), ensure_ascii=False)  # line 5: unknown label
    r = json.loads(lines[6])
    lines[6] = json.dumps(dict(r, subgoal="这句话不在报告里"), ensure_ascii=False)  # line 7: quote not found
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"], root=ROOT)
        before = s.count()
        with pytest.raises(StoreError) as err:
            st.import_jsonl(s, [bad], root=ROOT)
        assert s.count() == before
    msg = str(err.value)
    assert f"{bad}:3: invalid JSON" in msg
    assert f"{bad}:5: unknown label 'maybe'" in msg
    assert f"{bad}:7: sub-goal quote not found" in msg
    assert ":1:" not in msg and ":4:" not in msg


def test_cli_import_rejects_bad_file_in_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(gold_lines()[0] + "\n{not json\n", encoding="utf-8")
    env = dict(os.environ, LINKER_DB=str(tmp_path / "cli.sqlite"))
    p = subprocess.run([sys.executable, "-m", "linker", "annotations", "import", str(bad), "--root", str(ROOT)],
                       capture_output=True, text=True, env=env, check=False)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and f"{bad}:2: invalid JSON" in p.stderr
    with Store(tmp_path / "cli.sqlite") as s:
        assert s.count() == 0


def test_latest_supersedes_but_history_is_kept(tmp_path: Path) -> None:
    base = judgment(0)
    later = Judgment(**{**base.__dict__, "label": "reject", "created": "2999-01-01T00:00:00Z"})
    with Store(tmp_path / "a.sqlite") as s:
        s.add(later)
        s.add(base)  # arrives later but was made earlier
        assert s.count() == 2
        cur = list(s.iter_judgments(latest_only=True))
    assert [j.label for j in cur] == ["reject"]


def _writer(path: str, annotator: str, n: int) -> None:
    with Store(path) as s:
        for i in range(n):
            s.add(judgment(i, annotator))


def test_two_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "a.sqlite")
    Store(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, name, 150)) for name in ("甲", "乙")]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Store(path) as s:
        got = list(s.iter_judgments())
        assert s.integrity() == "ok"
    assert len(got) == 300
    assert {(j.annotator, j.evidence) for j in got} == {(a, f"新增中小学学位2.8万个。#{i}") for a in ("甲", "乙") for i in range(150)}


KILLED_IMPORT = """
import sys, time
from pathlib import Path
from linker import store as st
s = st.Store(sys.argv[1])
marker = Path(sys.argv[2])
def progress(i):
    if i == 100:
        marker.write_text("half way")
        time.sleep(60)
st.import_jsonl(s, [sys.argv[3]], root=sys.argv[4], progress=progress)
"""


def test_import_killed_midway_leaves_store_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "a.sqlite"
    with Store(path) as s:
        st.import_jsonl(s, [ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"], root=ROOT)
        before = s.count()
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_IMPORT, str(path), str(marker), str(GOLD[0]), str(ROOT)])
    try:
        for _ in range(1200):
            if marker.exists() or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert marker.exists(), "the import never got half way"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    with Store(path) as s:
        assert s.integrity() == "ok"
        assert s.count() == before
        # and the store still takes the whole file afterwards
        assert st.import_jsonl(s, [GOLD[0]], root=ROOT).new == len(GOLD[0].read_text(encoding="utf-8").splitlines())


def test_version_1_database_is_upgraded_in_place(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    Store(path, upto=1).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO judgments (fingerprint, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, evidence, "
               "label, annotator, created, recorded) VALUES ('f1', ?, 'x', ?, 'x', '加快中小学学位建设。', '新增中小学学位2.8万个。', "
               "'accept', '甲', '2021-05-01T00:00:00Z', '2021-05-01T00:00:00Z')", (SEED000, SEED000))
    db.commit()
    db.close()
    size = path.stat().st_size
    assert st.pending(path) == ["002_overrides_and_suggestions", "003_utc_times"]
    assert st.pending(path) == ["002_overrides_and_suggestions", "003_utc_times"] and path.stat().st_size == size  # read-only
    with Store(path) as s:
        assert s.version == 3
        old = list(s.iter_judgments())
        assert [(j.label, j.annotator, j.evidence, j.value) for j in old] == [("accept", "甲", "新增中小学学位2.8万个。", None)]
        s.add(Judgment(**{**judgment(1).__dict__, "label": "status_override", "evidence": None, "value": "met"}))
        assert s.count() == 2
    assert st.pending(path) == []
    versions = sqlite3.connect(path).execute("SELECT version FROM migrations ORDER BY version").fetchall()
    assert versions == [(1,), (2,), (3,)]


def test_times_written_before_utc_are_migrated_and_their_copies_merged(tmp_path: Path) -> None:
    """A version-2 store kept "+08:00" times; the same line imported again now arrives in UTC.
    Migration 3 writes the first in UTC and drops the copy; other judgments are untouched."""
    path = tmp_path / "v2.sqlite"
    Store(path, upto=2).close()
    local = Judgment(**{**judgment(1).__dict__, "created": "2025-01-01T10:00:00+08:00"})
    again = Judgment(**{**local.__dict__, "created": "2025-01-01T02:00:00Z"})
    other = Judgment(**{**judgment(2).__dict__, "created": "2025-01-02T09:30:00+08:00"})
    db = sqlite3.connect(path)
    for j in (local, again, other):
        db.execute("INSERT INTO judgments (fingerprint, goal_path, goal_sha256, evidence_path, evidence_sha256, subgoal, evidence, "
                   "label, value, annotator, created, recorded, note, flags) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}')",
                   (j.fingerprint(), j.goal_path, j.goal_sha256, j.evidence_path, j.evidence_sha256, j.subgoal, j.evidence,
                    j.label, j.value, j.annotator, j.created, "2025-02-01T00:00:00Z", j.note))
    db.commit()
    db.close()
    with Store(path) as s:
        got = sorted((j.id, j.created) for j in s.iter_judgments())
        assert got == [(1, "2025-01-01T02:00:00Z"), (3, "2025-01-02T01:30:00Z")]
        assert s.add(again) is False  # the same judgment once more adds nothing
        assert s.count() == 2


@pytest.mark.parametrize("bad", [
    {"label": "status_override", "value": "perfect", "evidence": None},
    {"label": "block_override", "value": None, "evidence": None},
    {"label": "accept", "evidence": None},
    {"label": "no_evidence", "evidence": "多余的句子"},
])
def test_malformed_judgments_are_refused(tmp_path: Path, bad: dict) -> None:
    with Store(tmp_path / "a.sqlite") as s:
        with pytest.raises(StoreError):
            s.add(Judgment(**{**judgment(0).__dict__, **bad}))
        assert s.count() == 0


def test_iter_judgments_without_store_yields_nothing_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite"
    assert list(st.iter_judgments(path)) == []
    assert not path.exists()


# --- export file names, times across round trips ---------------------------------

def test_pairs_with_the_same_file_name_are_exported_to_distinct_files(tmp_path: Path) -> None:
    root = tmp_path / "root"
    for folder, example in (("y1", "004_80b70c2aac03ec7c.txt"), ("y2", "000_3d28e81d7327b640.txt")):
        (root / folder).mkdir(parents=True)
        (root / folder / "report.txt").write_bytes((ROOT / "examples" / example).read_bytes())
    lines = [{"goal_document": "y1/report.txt", "subgoal": "部门整体预算优先保障朝阳区教育系统教职工工资待遇", "label": "no_evidence",
              "annotator": "甲"},
             {"goal_document": "y2/report.txt", "subgoal": "坚持教育优先发展", "label": "no_evidence", "annotator": "甲"}]
    src = tmp_path / "two.jsonl"
    src.write_text("".join(json.dumps(x, ensure_ascii=False) + "\n" for x in lines), encoding="utf-8")
    with Store(tmp_path / "a.sqlite") as s:
        assert st.import_jsonl(s, [src], root=root).new == 2
        written = st.export_jsonl(s, tmp_path / "out", root=root)
    assert len(written) == 2 and all(n == 1 for n in written.values())
    files = sorted((tmp_path / "out").glob("*.jsonl"))
    assert len(files) == 2 and all(p.name.startswith("report") for p in files)
    back = sorted(json.loads(p.read_text(encoding="utf-8"))["goal_document"] for p in files)
    assert back == ["y1/report.txt", "y2/report.txt"]
    with Store(tmp_path / "b.sqlite") as s:  # nothing was lost on the way
        assert st.import_jsonl(s, files, root=root).new == 2
    # the same names again on the next export, and pairs that do not clash keep their plain names
    again = st.file_names([("y2/report.txt", "y2/report.txt"), ("y1/report.txt", "y1/report.txt")])
    assert sorted(again.values()) == [p.name for p in files]
    assert st.file_names([(SEED000, SEED000)]) == {(SEED000, SEED000): "000_3d28e81d7327b640.jsonl"}
    # names that differ only in case would overwrite each other on macOS and Windows
    assert len({n.casefold() for n in st.file_names([("a/Report.txt", "a/Report.txt"), ("b/report.txt", "b/report.txt")]).values()}) == 2


def _gold_004(**changes: object) -> dict:
    return dict(json.loads(gold_lines("004_80b70c2aac03ec7c.jsonl")[0]), **changes)


def _write(path: Path, *records: dict) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def test_a_round_trip_through_export_keeps_the_decision(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.jsonl", _gold_004())  # a hand-made line: no time
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [gold], root=ROOT)
        base = next(s.iter_judgments())
        s.add(Judgment(**{**base.__dict__, "label": "reject", "annotator": "乙", "created": st.now(), "flags": {}}))
        assert [j.label for j in s.iter_judgments(latest_only=True)] == ["reject"]
        st.export_jsonl(s, tmp_path / "out", root=ROOT)
    exported = next((tmp_path / "out").glob("*.jsonl"))
    # a fresh store takes the export, then the old gold file again (the order a new clone of the repository may use)
    with Store(tmp_path / "b.sqlite") as s:
        st.import_jsonl(s, [exported], root=ROOT)
        st.import_jsonl(s, [gold], root=ROOT)
        assert [(j.label, j.annotator) for j in s.iter_judgments(latest_only=True)] == [("reject", "乙")]
    with Store(tmp_path / "c.sqlite") as s:  # and the other order
        st.import_jsonl(s, [gold], root=ROOT)
        st.import_jsonl(s, [exported], root=ROOT)
        assert [(j.label, j.annotator) for j in s.iter_judgments(latest_only=True)] == [("reject", "乙")]


def test_times_with_offsets_compare_as_times_and_are_kept_in_utc(tmp_path: Path) -> None:
    east = _gold_004(annotator="北京", created="2025-01-01T10:00:00+08:00")  # 02:00 UTC
    west = _gold_004(label="reject", annotator="伦敦", created="2025-01-01T05:00:00Z")  # three hours later
    src = _write(tmp_path / "tz.jsonl", west, east)
    with Store(tmp_path / "a.sqlite") as s:
        st.import_jsonl(s, [src], root=ROOT)
        assert [(j.label, j.annotator) for j in s.iter_judgments(latest_only=True)] == [("reject", "伦敦")]
        assert [j.created for j in s.iter_judgments()] == ["2025-01-01T02:00:00Z", "2025-01-01T05:00:00Z"]
        assert st.import_jsonl(s, [src], root=ROOT).new == 0  # the same file again adds nothing
        out = st.export_jsonl(s, tmp_path / "out", root=ROOT)
    back = [json.loads(x) for x in next(iter(out)).read_text(encoding="utf-8").splitlines()]
    assert [(r["annotator"], r["created"]) for r in back] == [("北京", "2025-01-01T02:00:00Z"), ("伦敦", "2025-01-01T05:00:00Z")]
    # judgments made in code compare the same way, a time without an offset being UTC
    a = judgment(0)
    later = [Judgment(**{**a.__dict__, "label": "reject", "created": "2025-01-01T05:00:00"}),
             Judgment(**{**a.__dict__, "created": "2025-01-01T12:59:00+09:00"})]
    assert [j.label for j in st.latest(later)] == ["reject"]
    assert [j.label for j in st.latest(reversed(later))] == ["reject"]


@pytest.mark.parametrize("created", ["yesterday", "0001-01-01T00:00:00+08:00", ""])
def test_a_bad_time_is_refused_with_its_line(tmp_path: Path, created: str) -> None:
    src = _write(tmp_path / "bad.jsonl", _gold_004(), _gold_004(created=created))
    with Store(tmp_path / "a.sqlite") as s:
        with pytest.raises(StoreError, match=rf"{src}:2: created '.*' is not an ISO 8601 time"):
            st.import_jsonl(s, [src], root=ROOT)
        assert s.count() == 0


def test_one_document_spelt_two_ways_is_exported_to_one_file(tmp_path: Path) -> None:
    """Gold imported with relative paths, a review run on the absolute path: one document, one file."""
    gold = ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"
    with Store(tmp_path / "s.sqlite") as s:
        n = st.import_jsonl(s, [gold], root=ROOT).new
        rel = next(iter(s.iter_judgments()))
        absolute = str(ROOT / rel.goal_path)
        s.add(Judgment(**{**rel.__dict__, "id": None, "goal_path": absolute, "evidence_path": absolute, "label": "no_evidence",
                          "evidence": None, "evidence_span": None, "created": st.now(), "annotator": "乙"}))
        written = st.export_jsonl(s, tmp_path / "out", root=ROOT)
    assert [p.name for p in written] == ["004_80b70c2aac03ec7c.jsonl"]
    assert list(written.values()) == [n + 1]
