"""The goal-coverage report as one self-contained, offline HTML page (Chinese).

Everything is built from the ``linker.report/1`` dict (:func:`linker.report.json.to_json`),
so the page, the Markdown and the spreadsheet carry the same content. The page has no
script and fetches nothing: CSS is inline, the goal→evidence graph is an inline SVG laid
out here. Document text only ever reaches the page escaped: Jinja2 autoescapes the
template, and highlighted quotes are built by escaping each piece before wrapping the
matched key terms and numbers in ``<mark>`` (:func:`highlight_html`).

The helpers below (labels, quantities, key terms, highlighting) are shared with the
Markdown and spreadsheet renderers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

STATUS_ORDER = ("met", "unmet", "evidenced", "weak", "unevidenced")
STATUS_ZH = {"met": "已达成", "unmet": "未达成", "evidenced": "有佐证", "weak": "佐证不足",
             "unevidenced": "无佐证", "partial": "部分佐证"}
# text colour, background: readable on screen and in black-and-white print (the label is always written out)
STATUS_COLOR = {
    "met": ("#0f5c2a", "#d6f0dd"),
    "unmet": ("#8f1d1d", "#f9d7d5"),
    "evidenced": ("#0b4f8a", "#d8e8f8"),
    "weak": ("#7a5200", "#fbeac2"),
    "unevidenced": ("#4a4f55", "#e4e6e9"),
    "partial": ("#5b2d8c", "#e9ddf6"),
}
COMPARATOR_ZH = {">=": "≥", ">": "＞", "<=": "≤", "<": "＜", "=": "", "~": "约"}
_NUMBER = re.compile(
    r"[0-9０-９]+(?:,[0-9]{3})*(?:[.．][0-9０-９]+)?\s*"  # 1,500: a thousands comma inside the figure
    r"(?:%|％|‰|个百分点|百分点)?"
    r"(?:余|多)?"
    r"(?:万|亿|千)?"
    r"(?:亿元|万元|元|人次|万人|名|人|所|个|项|门|间|本|次|年|家|座|套|平方米|公顷|倍)?"
)


# --- labels and quantities ---------------------------------------------------------------------


def status_zh(status: str | None) -> str:
    return STATUS_ZH.get(status or "", status or "—")


def subgoal_status_zh(sg: dict[str, Any]) -> str:
    """A sub-goal's status as people read it: a figure measured before the deadline says so.

    unmet before the deadline is "尚未到期" (the target is not yet missed), met before it
    "提前达到"; the JSON keeps the status and gives the deadline as ``due``.
    """
    status = sg.get("status")
    if sg.get("due") and status == "unmet":
        return f"尚未到期（{sg['due']}年目标暂未达到）"
    if sg.get("due") and status == "met":
        return f"已提前达到（{sg['due']}年目标）"
    return status_zh(status)


def not_yet_due(report: dict[str, Any]) -> int:
    """How many of the unmet sub-goals are only not yet due."""
    return sum(1 for g in report["goals"] for sg in g["subgoals"] if sg.get("status") == "unmet" and sg.get("due"))


def note_zh(note: str | None) -> str:
    """The verdict's note in Chinese (:func:`linker.status.note_zh`: every note a verdict can carry)."""
    from linker.status import note_zh as zh

    return zh(note)


def supported_counts(report: dict[str, Any]) -> tuple[int, int]:
    """Sub-goals with accepted evidence sentences, and those without any that the report's own
    self-evaluation table decides (its 完成值 against its 指标值)."""
    linked = table = 0
    for g in report["goals"]:
        for sg in g["subgoals"]:
            if sg.get("evidence"):
                linked += 1
            elif sg.get("source") == "table":
                table += 1
    return linked, table


def _num(v: float | None) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return f"{v:g}" if isinstance(v, float) else str(v)


def fmt_quantity(q: dict[str, Any] | None, *, with_noun: bool = True) -> str:
    """``适龄儿童入园率 ≥90%（2025年）`` from a quantity dict; ``—`` for none."""
    if not q:
        return "—"
    parts = []
    if with_noun and q.get("quantity"):
        parts.append(str(q["quantity"]) + " ")
    more = bool(q.get("approx")) and q.get("comparator") == ">"  # 2万余个, 1500余人次: 余 says "more than" itself
    parts.append({"increase": "增长", "decrease": "下降"}.get(q.get("change") or "", ""))  # a change, not a level
    if not more:
        parts.append(COMPARATOR_ZH.get(q.get("comparator") or "=", ""))
    parts.append(_num(q.get("value")))
    if more:
        from linker.quantities import unit_with_more

        parts.append(unit_with_more(q.get("unit")))
    else:
        parts.append(str(q.get("unit") or ""))
    if q.get("deadline"):
        parts.append(f"（{q['deadline']}年）")
    return "".join(parts).strip()


def fmt_targets(sg: dict[str, Any]) -> str:
    """A sub-goal's target, and the others of its 分别 list, joined by ；."""
    return "；".join([fmt_quantity(sg.get("target")), *(fmt_quantity(t) for t in sg.get("more_targets") or [])])


def fmt_score(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    return f"{float(v):.{digits}f}"


def fmt_share(v: float | None) -> str:
    return "—" if v is None else f"{float(v) * 100:.0f}%"


# --- key terms and highlighting ------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _content_words(text: str) -> tuple[str, ...]:
    """The sub-goal's content words, cut the way the matcher cuts them (its ``terms`` feature)."""
    try:
        from linker.segment import words
    except ImportError:  # pragma: no cover - the segmenter is a core dependency
        return ()
    return tuple(dict.fromkeys(words(text)))


def _loose(term: str) -> re.Pattern[str]:
    """A term that may be broken by whitespace or line breaks, as in text extracted from PDF."""
    return re.compile(r"\s*".join(re.escape(ch) for ch in term))


def key_terms(subgoal: dict[str, Any], link: dict[str, Any] | None = None) -> list[str]:
    """Words of the sub-goal (and the nouns its target and the link's numbers measure) found in ``link``."""
    terms = list(_content_words(subgoal.get("text") or ""))
    target = subgoal.get("target") or {}
    if target.get("quantity"):
        terms.append(str(target["quantity"]))
    if link is None:
        return sorted(set(terms), key=len, reverse=True)
    for q in link.get("quantities") or []:
        noun = q.get("quantity")
        if noun and any(ch in (subgoal.get("text") or "") for ch in noun[-2:]):
            terms.append(str(noun))
    text = link.get("text") or ""
    found = {t for t in terms if t.strip() and _loose(t).search(text)}
    return sorted(found, key=len, reverse=True)


def highlight_spans(text: str, terms: list[str]) -> list[tuple[str, str | None]]:
    """Cut ``text`` into pieces tagged ``"num"`` (a number), ``"term"`` (a matched key term) or ``None``."""
    kind: list[str | None] = [None] * len(text)
    for t in sorted(terms, key=len, reverse=True):
        if not t.strip():
            continue
        for m in _loose(t).finditer(text):
            for i in range(m.start(), m.end()):
                kind[i] = kind[i] or "term"
    for m in _NUMBER.finditer(text):
        if m.end() > m.start():
            end = m.end()
            while end > m.start() and text[end - 1].isspace():
                end -= 1
            for i in range(m.start(), end):
                kind[i] = "num"
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or kind[i] != kind[start]:
            pieces.append((text[start:i], kind[start]))
            start = i
    return pieces


def highlight_html(text: str, terms: list[str]):  # type: ignore[no-untyped-def]
    """Escaped ``text`` with key terms and numbers wrapped in ``<mark>``: escape first, then wrap."""
    from markupsafe import Markup, escape

    out = []
    for piece, k in highlight_spans(text, terms):
        if k is None:
            out.append(str(escape(piece)))
        else:
            out.append(f'<mark class="{k}">{escape(piece)}</mark>')
    return Markup("".join(out))


# --- the goal → evidence graph, laid out in columns ---------------------------------------------


@dataclass
class Node:
    id: str
    x: float
    y: float
    label: str
    title: str
    status: str = ""
    anchor: str = ""


@dataclass
class Edge:
    x1: float
    y1: float
    x2: float
    y2: float
    status: str = ""

    @property
    def path(self) -> str:
        mx = (self.x1 + self.x2) / 2
        return f"M{self.x1:.1f},{self.y1:.1f} C{mx:.1f},{self.y1:.1f} {mx:.1f},{self.y2:.1f} {self.x2:.1f},{self.y2:.1f}"


@dataclass
class Graph:
    width: float
    height: float
    goals: list[Node] = field(default_factory=list)
    subgoals: list[Node] = field(default_factory=list)
    evidence: list[Node] = field(default_factory=list)
    tree_edges: list[Edge] = field(default_factory=list)
    links: list[Edge] = field(default_factory=list)
    columns: tuple[float, float, float] = (0.0, 0.0, 0.0)


def _short(text: str, n: int) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= n else text[: n - 1] + "…"


def _evidence_key(eid: str) -> tuple[int, ...]:
    return tuple(int(x) for x in re.findall(r"\d+", eid)) or (0,)


def layout_graph(report: dict[str, Any], *, row: float = 13.0, top: float = 34.0) -> Graph:
    """Goals in the left column, their sub-goals (one row each, coloured by status) in the middle,
    the accepted evidence sentences on the right, in document order, spread over the same height."""
    xg, xs, xe = 8.0, 250.0, 560.0
    width = 860.0
    rows = [(g, sg) for g in report["goals"] for sg in g["subgoals"]]
    height = top + max(len(rows), 1) * row + 12
    graph = Graph(width=width, height=height, columns=(xg, xs, xe))
    ev_text: dict[str, str] = {}
    for _, sg in rows:
        for e in sg["evidence"]:
            ev_text.setdefault(e["id"], e["text"])
    ev_ids = sorted(ev_text, key=_evidence_key)
    step = (len(rows) * row) / max(len(ev_ids), 1)
    ev_y = {eid: top + step * (i + 0.5) for i, eid in enumerate(ev_ids)}
    for eid in ev_ids:
        graph.evidence.append(Node(eid, xe, ev_y[eid], f"{eid} {_short(ev_text[eid], 16)}", ev_text[eid]))
    i = 0
    for g in report["goals"]:
        first = i
        for sg in g["subgoals"]:
            y = top + row * (i + 0.5)
            graph.subgoals.append(Node(sg["id"], xs, y, f"{sg['id']} {_short(sg['text'], 14)}", sg["text"],
                                       sg["status"], anchor=f"sg-{sg['id']}"))
            for e in sg["evidence"]:
                graph.links.append(Edge(xs + 150, y, xe - 4, ev_y[e["id"]], sg["status"]))
            i += 1
        last = i - 1
        gy = top + row * ((first + last) / 2 + 0.5)
        graph.goals.append(Node(g["id"], xg, gy, f"{g['id']} {_short(g['text'], 13)}", g["text"], g["status"],
                                anchor=f"goal-{g['id']}"))
        for k in range(first, i):
            graph.tree_edges.append(Edge(xg + 200, gy, xs - 4, top + row * (k + 0.5), ""))
    return graph


# --- the page ------------------------------------------------------------------------------------


def _environment():  # type: ignore[no-untyped-def]
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=PackageLoader("linker.report", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html", "j2", "svg"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(status_zh=status_zh, subgoal_status_zh=subgoal_status_zh, targets=fmt_targets, note_zh=note_zh, quantity=fmt_quantity, score=fmt_score,
                       share=fmt_share, short=_short)
    env.globals.update(highlight=highlight_html, key_terms=key_terms, STATUS_ORDER=STATUS_ORDER, not_yet_due=not_yet_due,
                       STATUS_ZH=STATUS_ZH, STATUS_COLOR=STATUS_COLOR)
    return env


def score_blocks(report: dict[str, Any]) -> list[dict[str, Any]]:
    """The 产出/效果 rows of ``report["scores"]`` when present, else an empty list."""
    scores = report.get("scores") or {}
    blocks = scores.get("blocks") if isinstance(scores, dict) else None
    return [b for b in (blocks or []) if isinstance(b, dict)]


def render(report: dict[str, Any]) -> str:
    """The HTML page for a ``linker.report/1`` dict."""
    from linker import __version__ as version

    env = _environment()
    counts = report.get("summary", {}).get("status") or {}
    if not counts:
        counts = {s: 0 for s in STATUS_ORDER}
        for g in report["goals"]:
            for sg in g["subgoals"]:
                counts[sg["status"]] = counts.get(sg["status"], 0) + 1
    total = sum(counts.values())
    scores = report.get("scores") if isinstance(report.get("scores"), dict) else None
    linked, by_table = supported_counts(report)
    return env.get_template("report.html.j2").render(
        report=report,
        counts=counts,
        total=total,
        supported=linked,
        by_table=by_table,
        blocks=score_blocks(report),
        score_rules=(scores or {}).get("rules") or "",
        graph=layout_graph(report),
        version=version,
        multi_doc=len(report.get("evidence_documents") or []) > 1,
    )
