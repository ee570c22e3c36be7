"""`linker review` as a user starts it: a real process on a free port of 127.0.0.1."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request

from linker.store import Store

from .conftest import SEED


def test_review_command_serves_the_page_and_writes_judgments(tmp_path):
    db = tmp_path / "review.sqlite"
    proc = subprocess.Popen(
        [sys.executable, "-u", "-m", "linker", "review", str(SEED["004"]), "--port", "0", "--no-browser",
         "--model", "lexical", "--db", str(db), "--annotator", "tester", "--quiet"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        assert m, (line, proc.stderr.read() if proc.poll() is not None else "")
        url = m.group(0)
        page = urllib.request.urlopen(url, timeout=30).read().decode("utf-8")
        assert "<html" in page.lower() and "子目标" in page
        state = json.loads(urllib.request.urlopen(url + "api/state", timeout=30).read())
        assert state
        sub = json.loads(urllib.request.urlopen(url + "api/subgoal/0", timeout=30).read())
        unit = sub["candidates"][0]["id"]
        req = urllib.request.Request(url + "api/judge", data=json.dumps({"subgoal": 0, "unit": unit, "label": "accept"}).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
        assert urllib.request.urlopen(req, timeout=30).status == 200
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode in (0, 130)
    with Store(db) as store:
        judged = list(store.iter_judgments())
    assert [(j.label, j.annotator) for j in judged] == [("accept", "tester")]


def test_review_refuses_a_port_in_use(tmp_path):
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen()
    port = s.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, "-m", "linker", "review", str(SEED["004"]), "--port", str(port), "--no-browser",
                              "--model", "lexical", "--db", str(tmp_path / "x.sqlite")], capture_output=True, text=True, timeout=300)
    finally:
        s.close()
    assert out.returncode == 1 and "Traceback" not in out.stderr and "--port" in out.stderr


def test_review_refuses_a_read_only_store_before_serving(tmp_path):
    from linker import store as st

    from .test_store_readonly import GOLD004, ROOT, read_only

    db = tmp_path / "ro.sqlite"
    with Store(db) as s:
        st.import_jsonl(s, [GOLD004], root=ROOT)
    with read_only(db):
        out = subprocess.run([sys.executable, "-m", "linker", "review", str(SEED["004"]), "--port", "0", "--no-browser",
                              "--model", "lexical", "--db", str(db), "--quiet"], capture_output=True, text=True, check=False, timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "http://127.0.0.1" not in out.stdout  # it never served
    last = out.stderr.strip().splitlines()[-1]
    assert "read-only" in last and str(db) in last


def test_review_checks_the_store_before_it_reads_the_report(tmp_path):
    from linker import store as st

    from .test_store_readonly import GOLD004, ROOT, read_only

    db = tmp_path / "ro.sqlite"
    with Store(db) as s:
        st.import_jsonl(s, [GOLD004], root=ROOT)
    with read_only(db):
        out = subprocess.run([sys.executable, "-m", "linker", "review", str(tmp_path / "no-such-report.txt"), "--no-browser",
                              "--model", "lexical", "--db", str(db), "--quiet"], capture_output=True, text=True, check=False, timeout=300)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "read-only" in out.stderr and "no such file" not in out.stderr
