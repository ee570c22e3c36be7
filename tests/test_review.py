"""The review app in real headless Chromium: key presses and clicks write judgments to the store."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from linker.store import Store

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Browser:
    """A minimal Chrome DevTools Protocol client over one page."""

    def __init__(self, profile: Path) -> None:
        import websocket

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        for _ in range(300):
            if port_file.exists() and port_file.read_text().strip():
                break
            time.sleep(0.1)
        port = int(port_file.read_text().split()[0])
        targets = json.load(urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30, suppress_origin=True)
        self.n = 0

    def send(self, method: str, **params: object) -> dict:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == self.n:
                if "error" in msg:
                    raise RuntimeError(msg["error"])
                return msg.get("result", {})

    def js(self, expr: str) -> object:
        r = self.send("Runtime.evaluate", expression=expr, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in r:
            raise RuntimeError(r["exceptionDetails"])
        return r["result"].get("value")

    def wait(self, expr: str, timeout: float = 20) -> object:
        end = time.monotonic() + timeout
        last: Exception | None = None
        while time.monotonic() < end:
            try:
                v = self.js(expr)
            except RuntimeError as exc:  # the page is still loading (document.body is null)
                last, v = exc, None
            if v:
                return v
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expr} ({last})")

    def key(self, key: str) -> None:
        codes = {"ArrowRight": 39, "ArrowDown": 40, "ArrowUp": 38, "Enter": 13}
        text = key if len(key) == 1 else ("\r" if key == "Enter" else "")
        vk = codes.get(key, ord(key.upper()) if len(key) == 1 else 0)
        self.send("Input.dispatchKeyEvent", type="keyDown", key=key, text=text, windowsVirtualKeyCode=vk)
        self.send("Input.dispatchKeyEvent", type="keyUp", key=key, windowsVirtualKeyCode=vk)

    def click(self, selector: str) -> None:
        box = self.wait(f"(() => {{ const e = document.querySelector({json.dumps(selector)}); if (!e) return null;"
                        " e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect();"
                        " return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        x, y = box  # type: ignore[misc]
        for t in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=t, x=x, y=y, button="left", clickCount=1)

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture()
def browser(tmp_path: Path):
    if CHROMIUM is None:
        pytest.fail("Debian's chromium is needed for the review tests (apt-get install chromium)")
    b = Browser(tmp_path / "profile")
    yield b
    b.close()


@pytest.fixture()
def app(tmp_path: Path, analysis_000):
    from linker.review.server import ReviewApp, serve

    store = Store(tmp_path / "review.sqlite")
    a = ReviewApp(copy.deepcopy(analysis_000), store, "测试员")
    server = serve(a, 0)
    yield a, f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()
    store.close()


def judgments(a) -> list:  # type: ignore[no-untyped-def]
    return list(a.store.iter_judgments())


def test_keys_and_clicks_write_to_the_store(browser: Browser, app) -> None:  # type: ignore[no-untyped-def]
    a, url = app
    browser.send("Page.navigate", url=url)
    browser.wait("document.body.dataset.ready === '1'")
    assert browser.js("document.documentElement.lang") == "zh-CN"
    first = a.items[0][1]
    assert browser.js("document.getElementById('sg-text').textContent") == a.a.goal_doc.quote(first.start, first.end)
    assert browser.js("document.getElementById('done').textContent") == "0"
    cands = a.subgoal(0)["candidates"]
    assert cands, "the first sub-goal of report 000 has candidates"

    browser.key("a")  # accept the highlighted (first) candidate
    browser.wait("document.getElementById('done').textContent === '1'")
    js = judgments(a)
    assert [(j.label, j.annotator, j.evidence) for j in js] == [("accept", "测试员", cands[0]["text"])]
    assert js[0].subgoal == a.a.goal_doc.quote(first.start, first.end) and js[0].created
    assert a.store.count("suggestions") >= len([c for c in cands if c["score"] is not None])

    if len(cands) > 1:
        browser.key("r")  # the highlight moved on to the second candidate
        browser.wait("document.querySelectorAll('.cand.reject').length === 1")
        assert judgments(a)[-1].label == "reject" and judgments(a)[-1].evidence == cands[1]["text"]

    browser.key("n")
    browser.wait("document.getElementById('pos').textContent.startsWith('2 /')")
    browser.click("#btn-noev")
    browser.wait("document.getElementById('done').textContent === '2'")
    last = judgments(a)[-1]
    second = a.items[1][1]
    assert last.label == "no_evidence" and last.evidence is None
    assert last.subgoal == a.a.goal_doc.quote(second.start, second.end)

    browser.key("/")  # search focuses; type, Enter, click "add"
    assert browser.wait("document.activeElement.id === 'search'")
    browser.send("Input.insertText", text="新增中小学学位")
    browser.key("Enter")
    browser.wait("document.querySelectorAll('#results button.add').length > 0")
    added = browser.js("document.querySelector('#results .cand div').textContent")
    browser.click("#results button.add")
    browser.wait(f"[...document.querySelectorAll('#cands .cand.accept div:first-child')].some(e => e.textContent === {json.dumps(added)})")
    last = judgments(a)[-1]
    assert (last.label, last.evidence) == ("accept", added) and "新增中小学学位" in added

    browser.key("p")
    browser.wait("document.getElementById('pos').textContent.startsWith('1 /')")
    assert browser.js("document.querySelectorAll('#cands .cand.accept').length") == 1


def test_store_judgments_show_up_when_the_page_opens(browser: Browser, app, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    a, url = app
    a.judge({"subgoal": 0, "unit": None, "label": "no_evidence"})
    browser.send("Page.navigate", url=url)
    browser.wait("document.body.dataset.ready === '1'")
    assert browser.js("document.getElementById('done').textContent") == "1"
    # the page opens on the first sub-goal nobody has judged yet
    assert browser.js("document.getElementById('pos').textContent").startswith("2 /")
    assert browser.js("document.querySelector('#list div.done').dataset.i") == "0"


def test_server_listens_on_loopback_only(app) -> None:  # type: ignore[no-untyped-def]
    a, url = app
    assert url.startswith("http://127.0.0.1:")
    req = urllib.request.Request(url + "api/judge", data=b'{"subgoal": 0, "label": "perhaps"}', method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 400
    assert a.store.count() == 0


def test_status_and_block_overrides_from_the_page(browser: Browser, app) -> None:  # type: ignore[no-untyped-def]
    a, url = app
    browser.send("Page.navigate", url=url)
    browser.wait("document.body.dataset.ready === '1'")
    for select, value in (("ovr-status", "unmet"), ("ovr-block", "效果")):
        browser.js(f"(() => {{ const s = document.getElementById('{select}'); s.value = '{value}'; s.dispatchEvent(new Event('change')); }})()")
    browser.wait("document.getElementById('marks').textContent.includes('block_override')")
    got = sorted((j.label, j.value) for j in judgments(a))
    assert got == [("block_override", "效果"), ("status_override", "unmet")]
    # the overrides reach the analysis
    from linker.feedback import apply

    analysis = copy.deepcopy(a.a)
    apply(analysis, judgments(a))
    first = a.items[0][1]
    assert analysis.verdicts[first.id].status.value == "unmet"
    assert next(sg for _, sg in analysis.subgoals() if sg.id == first.id).block == "效果"


# --- what the page shows after a judgment ----------------------------------------------

def test_a_judgment_shows_at_once_in_statuses_links_and_marks(app) -> None:  # type: ignore[no-untyped-def]
    a, _ = app
    i = next(i for i, (_, sg) in enumerate(a.items) if a.a.verdicts[sg.id].status.value != "unmet")
    got = a.judge({"subgoal": i, "unit": None, "label": "status_override", "value": "unmet"})
    assert got["status"] == "unmet" and a.subgoal(i)["status"] == "unmet"
    assert a.state()["subgoals"][i]["status"] == "unmet"

    k = next(k for k, (_, sg) in enumerate(a.items)
             if k != i and a.a.verdicts[sg.id].status.value == "unevidenced" and a.a.candidates.get(sg.id))
    unit = a.subgoal(k)["candidates"][0]["id"]
    a.judge({"subgoal": k, "unit": None, "label": "no_evidence"})
    got = a.judge({"subgoal": k, "unit": unit, "label": "accept"})
    assert got["status"] != "unevidenced" and a.state()["subgoals"][k]["status"] == got["status"]
    assert got["marks"] == []  # the older "no evidence" no longer counts
    c = next(c for c in got["candidates"] if c["id"] == unit)
    assert c["judgment"] == "accept" and c["model_accepted"]
    got = a.judge({"subgoal": k, "unit": None, "label": "no_evidence"})  # and a newer one undoes the accept
    assert got["status"] == "unevidenced" and [m["label"] for m in got["marks"]] == ["no_evidence"]
    c = next(c for c in got["candidates"] if c["id"] == unit)
    assert c["judgment"] is None and not c["model_accepted"]
    assert len(judgments(a)) == 4  # every judgment is kept


def test_keys_pressed_while_the_next_sub_goal_loads_judge_nothing(browser: Browser, app) -> None:  # type: ignore[no-untyped-def]
    a, url = app
    quick = a.subgoal

    def slow(index: int) -> dict:
        time.sleep(1.0)  # a slow answer: the page is still showing the previous sub-goal
        return quick(index)

    a.subgoal = slow
    browser.send("Page.navigate", url=url)
    browser.wait("document.body.dataset.ready === '1'")
    before, after = quick(0), quick(1)
    assert before["candidates"] and after["candidates"]
    browser.key("n")
    browser.key("a")  # typed at once: the page still shows sub-goal 1 and its candidates
    browser.wait("document.getElementById('pos').textContent.startsWith('2 /')")
    time.sleep(1.5)
    assert judgments(a) == []
    browser.key("a")  # now it judges the sub-goal on screen, with its own candidate
    browser.wait("document.getElementById('done').textContent === '1'")
    second = a.items[1][1]
    assert [(j.label, j.subgoal, j.evidence) for j in judgments(a)] == \
        [("accept", a.a.goal_doc.quote(second.start, second.end), after["candidates"][0]["text"])]


# --- HTTP: bad requests get an answer, never a hang or a dropped connection ---------------

def _raw(port: int, request: bytes, *, timeout: float = 20) -> tuple[int, dict, float]:
    """Send bytes as they are, keep the connection open, and read the answer: (status, JSON body, seconds)."""
    import socket

    start = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), json.loads(body), time.monotonic() - start


def _post(port: int, body: bytes, length: str | None = None) -> tuple[int, dict, float]:
    return _raw(port, b"POST /api/judge HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: " + (length or str(len(body))).encode() + b"\r\n\r\n" + body)


@pytest.fixture()
def quick_server(app):  # type: ignore[no-untyped-def]
    """The app behind a server that waits 1 s (not 30) for a stalled body."""
    from linker.review.server import serve

    a, _ = app
    server = serve(a, 0, read_timeout=1.0)
    yield a, server.server_address[1]
    server.shutdown()
    server.server_close()


def test_bad_requests_are_answered(quick_server) -> None:  # type: ignore[no-untyped-def]
    a, port = quick_server
    note = json.dumps({"subgoal": 0, "unit": None, "label": "no_evidence", "note": "a" * 30_000_000}).encode()
    code, err, _ = _post(port, note)
    assert code == 413 and "at most" in err["error"]
    code, err, took = _post(port, b"{}", length="-1")
    assert code == 400 and "Content-Length" in err["error"] and took < 5
    code, err, took = _post(port, b'{"subgoal": 0,', length="100")  # shorter than it says, and the client waits
    assert code == 400 and "shorter" in err["error"] and took < 10
    code, err, _ = _post(port, json.dumps({"subgoal": True, "label": "no_evidence"}).encode())
    assert code == 400 and "subgoal" in err["error"]
    code, err, _ = _post(port, b"[" * 100_000 + b"]" * 100_000)
    assert code == 400 and "JSON" in err["error"]
    code, err, _ = _post(port, json.dumps({"subgoal": 0, "label": "no_evidence", "note": ["not", "text"]}).encode())
    assert code == 400 and "note" in err["error"]
    code, err, _ = _post(port, b'{"subgoal": 0, "label": "no_evidence", "note": "\\ud800"}')  # half a UTF-16 pair
    assert code == 400 and "surrogate" in err["error"]
    assert a.store.count() == 0 and a.store.count("suggestions") == 0
    code, ok, _ = _post(port, json.dumps({"subgoal": 0, "unit": None, "label": "no_evidence"}).encode())  # still serving
    assert code == 200 and ok["index"] == 0 and a.store.count() == 1


def test_a_store_that_refuses_writes_gets_a_503(quick_server) -> None:  # type: ignore[no-untyped-def]
    a, port = quick_server
    a.store._db.execute("PRAGMA query_only = ON")  # SQLite now answers every write as for a read-only file
    try:
        code, err, _ = _post(port, json.dumps({"subgoal": 0, "unit": None, "label": "no_evidence"}).encode())
        assert code == 503 and "read-only" in err["error"]
        code, state, _ = _raw(port, b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")  # reading still works
        assert code == 200 and state["progress"]["judged"] == 0
    finally:
        a.store._db.execute("PRAGMA query_only = OFF")
    assert a.store.count() == 0


def test_a_restarted_review_shows_what_analyze_says(tmp_path: Path, analysis_000) -> None:
    """The app is given the model's analysis and applies the store itself, once: after a
    "no evidence" mark, a restart and a later accept, it agrees with ``linker analyze``."""
    from linker.pipeline import Options, analyze
    from linker.review.server import ReviewApp

    db = tmp_path / "review.sqlite"
    store = Store(db)
    first = ReviewApp(copy.deepcopy(analysis_000), store, "测试员")
    k, sg = next((k, sg) for k, (_, sg) in enumerate(first.items)
                 if any(c.accepted for c in first.a.candidates.get(sg.id, []))
                 and any(not c.accepted for c in first.a.candidates.get(sg.id, [])))
    first.judge({"subgoal": k, "unit": None, "label": "no_evidence"})
    again = ReviewApp(copy.deepcopy(analysis_000), store, "测试员")  # a new `linker review` of the same report
    assert again.a.verdicts[sg.id].status.value == "unevidenced"  # the store's mark shows at once
    other = next(c.evidence_id for c in again.a.candidates[sg.id] if not c.accepted)
    got = again.judge({"subgoal": k, "unit": other, "label": "accept"})
    store.close()
    fresh = analyze(analysis_000.goal_doc.path, options=Options(db=db))
    assert got["status"] == fresh.verdicts[sg.id].status.value
    assert {c.evidence_id for c in again.a.candidates[sg.id] if c.accepted} == {c.evidence_id for c in fresh.candidates[sg.id] if c.accepted}


def test_the_review_labels_a_target_not_yet_due_as_the_reports_do(tmp_path: Path, analysis_003_001) -> None:
    """003's 2025 targets on 001's 2022 figures: the page shows 尚未到期, as the HTML report does."""
    from linker.review.server import ReviewApp

    store = Store(tmp_path / "review.sqlite")
    app = ReviewApp(copy.deepcopy(analysis_003_001), store, "测试员")
    shown = [app.subgoal(k) for k in range(len(app.items))]
    pending = [s for s in shown if s["status"] == "unmet" and app.a.verdicts[s["id"]].due]
    assert pending and all(s["status_label"] == "尚未到期（2025年目标暂未达到）" for s in pending)
    assert all(s["status_label"] == "未达成" for s in shown if s["status"] == "unmet" and not app.a.verdicts[s["id"]].due)
    assert {s["status_label"] for s in shown if s["status"] == "evidenced"} <= {"有佐证"}
    store.close()
