"""The review app: a JSON API over one analysis and the annotation store, plus one HTML page.

Standard library only (``http.server.ThreadingHTTPServer``), bound to 127.0.0.1.
Every decision is written to the store at once, anchored by the quotes of the
sub-goal and the evidence sentence (see :mod:`linker.store`), and the analysis is
judged again with the store's judgments (:func:`linker.feedback.apply`), so what
the page shows next (statuses, links, marks) already includes it.

    GET  /                     the page (static/review.html, inline JS and CSS, no CDN)
    GET  /api/state            documents, annotator, sub-goals with judged flags, progress
    GET  /api/subgoal/N        sub-goal N: its goal, context, candidates and their judgments
    GET  /api/search?q=…       evidence sentences containing every word of q
    POST /api/judge            {"subgoal": N, "unit": id | null, "label": …, "value": …, "note": …}

Errors are JSON ``{"error": …}``: 400 for a bad request (413 when its body is over
:data:`MAX_BODY`), 404 for an unknown path or sub-goal, 503 when the store cannot
be written (read-only, locked, full), 500 for anything else.
"""

from __future__ import annotations

import copy
import json
import re
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlparse

from linker import anchors
from linker.errors import StoreError
from linker.model import EvidenceUnit, SubGoal
from linker.report.html import subgoal_status_zh
from linker.store import LABELS, Judgment, Store, StoreWriteError, Suggestion, check, latest, now

if TYPE_CHECKING:
    from linker.pipeline import Analysis

SEARCH_LIMIT = 30
MAX_BODY = 1 << 20  # a judgment is a few hundred bytes, its note a few thousand at most
READ_TIMEOUT = 30.0  # seconds a request may stall (a body shorter than its Content-Length)
DRAIN_LIMIT = 64 << 20  # an oversized body is read and dropped up to this, so the client gets its 413


class ReviewApp:
    """What the page shows and writes, independent of HTTP.

    ``analysis`` is the model's analysis *without* the store's judgments (``use_store=False``):
    the app applies them to a copy now and after every judgment, so that what it shows is what
    ``linker analyze`` says. (Applying judgments twice is not the same as once: a "no evidence"
    mark clears the model's links, which a later accept does not bring back.)
    """

    def __init__(self, analysis: Analysis, store: Store, annotator: str) -> None:
        from linker.feedback import scorer_of

        store.check_writable()  # every decision is written: refuse a read-only store now, not at the first key press
        self.store = store
        self.annotator = annotator
        self._base = copy.deepcopy(analysis)
        self._scorer = scorer_of(analysis)
        self._lock = threading.Lock()
        self.refresh()

    def _view(self, analysis: Analysis) -> None:
        self.a = analysis
        self.items: list[tuple[Any, SubGoal]] = list(analysis.subgoals())
        self.units = analysis.unit_by_id

    def refresh(self) -> None:
        """The model's analysis judged again with every judgment of the store."""
        from linker.feedback import apply

        a = copy.deepcopy(self._base)
        apply(a, self.store.iter_judgments(), scorer=self._scorer)
        self._view(a)

    # --- reading -------------------------------------------------------------
    def _doc_ok(self, j: Judgment) -> bool:
        from linker.feedback import relevant

        return bool(relevant(self.a, [j]))

    def _judgments(self) -> dict[str, list[Judgment]]:
        """The judgments that count, by sub-goal id."""
        gd = self.a.goal_doc
        out: dict[str, list[Judgment]] = {}
        js = [j for j in self.store.iter_judgments() if self._doc_ok(j)]
        for j in latest(js):
            sg = anchors.map_subgoal(self.a.goals, gd, j.subgoal, j.subgoal_span)
            if sg is not None:
                out.setdefault(sg.id, []).append(j)
        return out

    def _unit_of(self, j: Judgment) -> EvidenceUnit | None:
        from linker.feedback import _doc_index

        di = _doc_index(self.a, j)
        return anchors.map_unit(self.a, j.evidence or "", j.evidence_span, doc_index=di) if di is not None else None

    def state(self) -> dict[str, Any]:
        judged = self._judgments()
        gd = self.a.goal_doc
        items = []
        for i, (g, sg) in enumerate(self.items):
            items.append({"index": i, "id": sg.id, "goal": g.title or g.id, "text": gd.quote(sg.start, sg.end) or sg.text,
                          "status": self.a.verdicts[sg.id].status.value if sg.id in self.a.verdicts else None,
                          "judged": sg.id in judged})
        done = sum(1 for x in items if x["judged"])
        return {"goal_document": gd.path, "evidence_documents": [d.path for d in self.a.evidence_docs],
                "annotator": self.annotator, "subgoals": items, "progress": {"judged": done, "total": len(items)}}

    def _context(self, doc: Any, start: int, end: int) -> dict[str, str]:
        """The paragraph (block) around a span, cut in three: before, the span, after."""
        b0, b1 = start, end
        for b in doc.blocks:
            if b.start <= start < b.end:
                b0, b1 = b.start, max(b.end, end)
                break
        return {"before": doc.text[b0:start], "span": doc.text[start:end], "after": doc.text[end:b1]}

    def _unit_json(self, u: EvidenceUnit) -> dict[str, Any]:
        d = self.a.doc_of(u)
        sec = d.section(u.section_id)
        return {"id": u.id, "text": d.quote(u.start, u.end) or u.text, "section": (sec.numbering + sec.title).strip(),
                "negative": u.negative, "document": d.path, "context": self._context(d, u.start, u.end)}

    def subgoal(self, index: int) -> dict[str, Any]:
        if not 0 <= index < len(self.items):
            raise IndexError(index)
        g, sg = self.items[index]
        gd = self.a.goal_doc
        js = sorted(self._judgments().get(sg.id, []), key=lambda j: j.order)
        links = []
        for j in js:
            u = self._unit_of(j) if j.label in ("accept", "reject") else None
            if u is not None:
                links.append((j, u))
        # as feedback.apply: a "no evidence" mark counts unless a link was accepted after it, and then undoes older accepts
        mark = max((j for j in js if j.label == "no_evidence"), key=lambda j: j.order, default=None)
        if mark is not None and any(j.label == "accept" and j.order > mark.order for j, _ in links):
            mark = None
        decided: dict[str, str] = {}
        for j, u in links:
            if mark is not None and j.label == "accept" and j.order < mark.order:
                decided.pop(u.id, None)
            else:
                decided[u.id] = j.label
        marks = [{"label": j.label, "value": j.value, "annotator": j.annotator, "created": j.created}
                 for j in js if j.label in ("status_override", "block_override") or j is mark]
        cands = []
        seen = set()
        for c in self.a.candidates.get(sg.id, []):
            if c.evidence_id in seen or c.evidence_id not in self.units:
                continue
            seen.add(c.evidence_id)
            cands.append({**self._unit_json(self.units[c.evidence_id]), "score": round(c.score, 4), "source": c.source,
                          "model_accepted": c.accepted, "judgment": decided.get(c.evidence_id)})
        for uid, label in decided.items():  # links added by search
            if uid not in seen and uid in self.units:
                seen.add(uid)
                cands.append({**self._unit_json(self.units[uid]), "score": None, "source": "annotation",
                              "model_accepted": False, "judgment": label})
        v = self.a.verdicts.get(sg.id)
        return {"index": index, "id": sg.id, "goal": g.title or g.id, "text": gd.quote(sg.start, sg.end) or sg.text,
                "goal_text": gd.quote(g.start, g.end), "context": self._context(gd, sg.start, sg.end),
                "status": v.status.value if v else None, "note": v.note if v else "", "block": sg.block,
                # as the reports label it: a target measured before its deadline is 尚未到期, not 未达成
                "status_label": subgoal_status_zh({"status": v.status.value, "due": v.due}) if v else "",
                "candidates": cands, "marks": marks, "total": len(self.items)}

    def search(self, q: str) -> list[dict[str, Any]]:
        words = [w for w in q.split() if w]
        if not words:
            return []
        out = []
        for u in self.a.units:
            d = self.a.doc_of(u)
            text = d.quote(u.start, u.end) or u.text
            if all(w in text or w in u.text for w in words):
                out.append(self._unit_json(u))
                if len(out) >= SEARCH_LIMIT:
                    break
        return out

    # --- writing -------------------------------------------------------------
    def judge(self, body: dict[str, Any]) -> dict[str, Any]:
        """Record one decision (StoreError when the request is wrong, StoreWriteError when the store refuses it)."""
        label = body.get("label")
        if label not in LABELS:
            raise StoreError(f"unknown label {label!r}")
        index = body.get("subgoal")
        if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(self.items):
            raise StoreError("'subgoal' must be the index of a sub-goal")
        for k in ("value", "note"):
            if body.get(k) is not None and not isinstance(body[k], str):
                raise StoreError(f"'{k}' must be a string")
        a = self.a
        _, sg = self.items[index]
        gd = a.goal_doc
        unit = None
        if label in ("accept", "reject"):
            unit = self.units.get(str(body.get("unit")))
            if unit is None:
                raise StoreError(f"no evidence sentence {body.get('unit')!r}")
        ed = a.doc_of(unit) if unit is not None else a.evidence_docs[0]
        j = Judgment(goal_path=gd.path, goal_sha256=gd.sha256, evidence_path=ed.path, evidence_sha256=ed.sha256,
                     subgoal=gd.quote(sg.start, sg.end), subgoal_span=(sg.start, sg.end),
                     evidence=ed.quote(unit.start, unit.end) if unit is not None else None,
                     evidence_span=(unit.start, unit.end) if unit is not None else None,
                     label=label, value=body.get("value"), annotator=self.annotator, created=now(),
                     note=body.get("note") or "")
        check(j)  # a malformed judgment is refused before anything is written
        with self._lock:
            self._record_suggestions(a, sg)
            self.store.add(j)
            self.refresh()
        return self.subgoal(index)

    def _record_suggestions(self, a: Analysis, sg: SubGoal) -> None:
        gd = a.goal_doc
        units = a.unit_by_id
        sugg = []
        for c in a.candidates.get(sg.id, []):
            u = units.get(c.evidence_id)
            if u is None or c.source == "annotation":
                continue
            d = a.doc_of(u)
            sugg.append(Suggestion(goal_path=gd.path, goal_sha256=gd.sha256, evidence_path=d.path, evidence_sha256=d.sha256,
                                   subgoal=gd.quote(sg.start, sg.end), subgoal_span=(sg.start, sg.end),
                                   evidence=d.quote(u.start, u.end), evidence_span=(u.start, u.end),
                                   score=c.score, model=a.model, source=c.source))
        if sugg:
            self.store.suggest(sugg)


def page() -> bytes:
    return resources.files("linker.review").joinpath("static/review.html").read_bytes()


class _Refused(Exception):
    """A request answered with an error before it reaches the app."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def _handler(app: ReviewApp, read_timeout: float = READ_TIMEOUT) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "linker-review"
        timeout = read_timeout  # on the socket: a stalled body ends in an error, never a hung thread

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _send(self, code: int, body: bytes, ctype: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj: Any, code: int = 200) -> None:
            self._send(code, json.dumps(obj, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")

        def _failed(self, exc: Exception) -> None:
            """Anything but a bad request: an answer, never a dropped connection."""
            if isinstance(exc, StoreError):  # the store cannot be read or written (StoreWriteError)
                self._json({"error": str(exc)}, HTTPStatus.SERVICE_UNAVAILABLE)
                return
            print(f"linker review: {self.command} {self.path} failed: {type(exc).__name__}: {exc}", file=sys.stderr)
            self._json({"error": f"internal error ({type(exc).__name__}: {exc})"}, HTTPStatus.INTERNAL_SERVER_ERROR)

        def do_GET(self) -> None:
            url = urlparse(self.path)
            try:
                if url.path in ("/", "/index.html"):
                    self._send(200, page(), "text/html; charset=utf-8")
                elif url.path == "/api/state":
                    self._json(app.state())
                elif url.path.startswith("/api/subgoal/"):
                    try:
                        index = int(url.path.rsplit("/", 1)[1])
                        data = app.subgoal(index)
                    except (ValueError, IndexError):
                        self._json({"error": "no such sub-goal"}, HTTPStatus.NOT_FOUND)
                        return
                    self._json(data)
                elif url.path == "/api/search":
                    self._json(app.search(parse_qs(url.query).get("q", [""])[0]))
                else:
                    self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
            except Exception as exc:  # noqa: BLE001 - the page gets an answer whatever went wrong
                self._failed(exc)

        def _body(self) -> dict[str, Any]:
            """The request's JSON object; _Refused (400, 413) when it is not one, or not all there."""
            lengths = self.headers.get_all("Content-Length") or []
            if len(set(lengths)) > 1:
                raise _Refused(HTTPStatus.BAD_REQUEST, "more than one Content-Length")
            raw = lengths[0].strip() if lengths else "0"
            if not re.fullmatch(r"[0-9]{1,20}", raw):
                raise _Refused(HTTPStatus.BAD_REQUEST, f"Content-Length must be a number of bytes, not {raw[:20]!r}")
            n = int(raw)
            if n > MAX_BODY:
                self._drain(n)
                raise _Refused(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                               f"the request is {n} bytes; a judgment takes at most {MAX_BODY} (shorten the note)")
            try:
                data = self.rfile.read(n)
            except TimeoutError:
                data = b""
            if len(data) < n:
                raise _Refused(HTTPStatus.BAD_REQUEST, f"the body is shorter than its Content-Length ({n} bytes)")
            try:
                body = json.loads(data or b"{}")
            except (ValueError, RecursionError) as exc:  # not UTF-8 or not JSON, or nested too deeply
                why = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
                raise _Refused(HTTPStatus.BAD_REQUEST, f"the body is not JSON ({why})") from exc
            if not isinstance(body, dict):
                raise _Refused(HTTPStatus.BAD_REQUEST, "send a JSON object")
            return body

        def _drain(self, n: int) -> None:
            """Read and drop an unwanted body, so that the client is done sending and reads the answer."""
            left = min(n, DRAIN_LIMIT)
            try:
                while left > 0:
                    chunk = self.rfile.read(min(left, 1 << 16))
                    if not chunk:
                        break
                    left -= len(chunk)
            except TimeoutError:
                pass

        def do_POST(self) -> None:
            if urlparse(self.path).path != "/api/judge":
                self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
                return
            try:
                body = self._body()
            except _Refused as exc:
                self.close_connection = True
                self._json({"error": str(exc)}, exc.code)
                return
            try:
                reply = app.judge(body)
            except StoreWriteError as exc:
                self._failed(exc)
                return
            except StoreError as exc:
                self._json({"error": str(exc)}, HTTPStatus.BAD_REQUEST)
                return
            except Exception as exc:  # noqa: BLE001 - the page gets an answer whatever went wrong
                self._failed(exc)
                return
            self._json(reply)

    return Handler


def make_server(app: ReviewApp, port: int = 0, *, read_timeout: float = READ_TIMEOUT) -> ThreadingHTTPServer:
    """An HTTP server for ``app`` on 127.0.0.1 (port 0: any free port); call serve_forever() on it."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(app, read_timeout))
    server.daemon_threads = True
    return server


def serve(app: ReviewApp, port: int = 0, *, read_timeout: float = READ_TIMEOUT) -> ThreadingHTTPServer:
    """Start serving in a background thread; returns the server (``server.server_address[1]`` is the port)."""
    server = make_server(app, port, read_timeout=read_timeout)
    threading.Thread(target=server.serve_forever, name="linker-review", daemon=True).start()
    return server
