"""A store that cannot be written: a clear error at once, nothing lost, never a traceback."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from linker import store as st
from linker.errors import StoreError
from linker.store import Store, StoreWriteError

ROOT = Path(__file__).resolve().parents[1]
GOLD004 = ROOT / "annotations" / "004_80b70c2aac03ec7c.jsonl"


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make the file read-only for this process, root included (the immutable attribute), then writable again."""
    if os.geteuid() != 0:
        path.chmod(0o444)
        try:
            yield
        finally:
            path.chmod(0o644)
        return
    if shutil.which("chattr") is None:
        pytest.skip("making a file read-only for root needs chattr (e2fsprogs)")
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot make {path} read-only here: {done.stderr.strip()}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.fixture()
def ro_store(tmp_path: Path) -> Iterator[Path]:
    """A store holding report 004's gold judgments, read-only while the test runs."""
    path = tmp_path / "ro.sqlite"
    with Store(path) as s:
        st.import_jsonl(s, [GOLD004], root=ROOT)
    with read_only(path):
        yield path


def test_writes_to_a_read_only_store_raise_a_store_error_and_change_nothing(ro_store: Path) -> None:
    with Store(ro_store) as s:  # reading is fine
        before = list(s.iter_judgments())
        assert before
        with pytest.raises(StoreWriteError, match="read-only") as err:
            s.check_writable()
        assert isinstance(err.value, StoreError) and str(ro_store) in str(err.value)
        j = before[0]
        with pytest.raises(StoreWriteError, match="read-only"):
            s.add(st.Judgment(**{**j.__dict__, "label": "reject", "created": st.now(), "id": None}))
        with pytest.raises(StoreWriteError, match="read-only"):
            s.suggest([st.Suggestion(j.goal_path, j.goal_sha256, j.evidence_path, j.evidence_sha256, j.subgoal,
                                     j.evidence or "", 0.5, "lexical")])
        with pytest.raises(StoreWriteError):  # an import is refused before reading its files
            st.import_jsonl(s, [GOLD004], root=ROOT)
        assert list(s.iter_judgments()) == before
        assert s.integrity() == "ok"


def test_cli_import_into_a_read_only_store_is_one_line(ro_store: Path, tmp_path: Path) -> None:
    p = subprocess.run([sys.executable, "-m", "linker", "annotations", "import", str(GOLD004), "--db", str(ro_store),
                        "--root", str(ROOT)], capture_output=True, text=True, check=False, timeout=300)
    assert p.returncode == 1
    assert "Traceback" not in p.stderr and "OperationalError" not in p.stderr
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and str(ro_store) in lines[0], p.stderr
    # exporting only reads: it still works
    out = subprocess.run([sys.executable, "-m", "linker", "annotations", "export", str(tmp_path / "out"), "--db", str(ro_store),
                          "--root", str(ROOT)], capture_output=True, text=True, check=False, timeout=300)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "out" / GOLD004.name).read_text(encoding="utf-8") == GOLD004.read_text(encoding="utf-8")
