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
