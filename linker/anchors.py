"""Text anchors: find a quoted passage in a document, and the sub-goal or evidence unit it names.

Judgments name sub-goals and evidence sentences by their exact words, never by
ids (ids change whenever segmentation changes). A quote may be cut from the
normalised ``Document.text`` or from the raw file (``Document.raw``, with PDF
line breaks inside words such as "入\\n\\n园率"), so :func:`locate` tries, in
order: the normalised text; the raw text mapped back through
``Document.offsets``; and both with white space removed and NFKC-folded
(full-width digits, the odd stray space). When a quote occurs more than once
(report 000 repeats its goals in the appendix), the occurrence nearest the
span ``hint`` wins, then the first inside a ``prefer`` range, then the first.

:func:`map_subgoal` and :func:`map_unit` turn a located span into the sub-goal
or evidence unit it overlaps most: the one mapping used by the feedback step,
the review app, training and evaluation.
"""

from __future__ import annotations

import bisect
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from linker.model import Document, EvidenceUnit, Goal, Role, SubGoal

if TYPE_CHECKING:
    from linker.pipeline import Analysis

Span = tuple[int, int]

__all__ = ["evidence_ranges", "goal_ranges", "locate", "map_subgoal", "map_unit", "occurrences", "role_ranges"]

_FOLDED: dict[int, tuple[str, str, list[int]]] = {}  # id(doc) → (doc.text, folded text, index map)


def _find_all(text: str, quote: str) -> list[int]:
    out, i = [], text.find(quote)
    while i >= 0:
        out.append(i)
        i = text.find(quote, i + 1)
    return out


def _fold(s: str) -> tuple[str, list[int]]:
    """``s`` without white space and NFKC-folded, with the index in ``s`` of every folded character."""
    chars: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(s):
        for c in unicodedata.normalize("NFKC", ch):
            if not c.isspace():
                chars.append(c)
                index.append(i)
    return "".join(chars), index


def _folded(doc: Document) -> tuple[str, list[int]]:
    hit = _FOLDED.get(id(doc))
    if hit is not None and hit[0] is doc.text:
        return hit[1], hit[2]
    folded, index = _fold(doc.text)
    if len(_FOLDED) > 64:
        _FOLDED.clear()
    _FOLDED[id(doc)] = (doc.text, folded, index)
    return folded, index


def _raw_to_text(doc: Document, a: int, b: int) -> Span | None:
    """The span of ``text`` whose characters come from ``raw[a:b]`` (None when all were removed)."""
    offs = doc.offsets[:-1]
    start = bisect.bisect_left(offs, a)
    end = bisect.bisect_left(offs, b)
    if start >= end:
        return None
    return start, end


def occurrences(doc: Document, quote: str) -> list[Span]:
    """Every span of ``doc.text`` that reads as ``quote``, by the first strategy that finds any."""
    if not quote or not quote.strip():
        return []
    spans = [(i, i + len(quote)) for i in _find_all(doc.text, quote)]
    if spans:
        return spans
    for i in _find_all(doc.raw, quote):
        sp = _raw_to_text(doc, i, i + len(quote))
        if sp is not None and sp not in spans:
            spans.append(sp)
    if spans:
        return spans
    fq, _ = _fold(quote)
    if not fq:
        return []
    ft, index = _folded(doc)
    return [(index[i], index[i + len(fq) - 1] + 1) for i in _find_all(ft, fq)]


def _overlap(a: Span, b: Span) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def _inside_any(sp: Span, ranges: Sequence[Span]) -> bool:
    return any(s <= sp[0] and sp[1] <= e for s, e in ranges)


def locate(doc: Document, quote: str, *, hint: Span | None = None, prefer: Sequence[Span] | None = None) -> Span | None:
    """The span ``(start, end)`` of ``doc.text`` that ``quote`` names, or None when it is not in the document.

    ``hint`` is where the quote was when it was recorded (a span on the text at the
    time); ``prefer`` lists ranges where the quote is expected (the goal or
    evidence sections), used when the quote occurs more than once.
    """
    spans = occurrences(doc, quote)
    if not spans:
        return None
    if len(spans) == 1:
        return spans[0]
    if hint is not None:
        h0, h1 = int(hint[0]), int(hint[1])
        return min(spans, key=lambda sp: (-_overlap(sp, (h0, h1)), abs(sp[0] - h0), sp[0]))
    if prefer:
        inside = [sp for sp in spans if _inside_any(sp, prefer)]
        if inside:
            return inside[0]
    return spans[0]


def role_ranges(doc: Document, roles: Iterable[Role]) -> list[Span]:
    """Body spans of the sections with one of ``roles`` (appendix duplicates left out)."""
    wanted = set(roles)
    return [(s.start, s.end) for s in doc.sections if s.role in wanted and s.duplicate_of is None]


def goal_ranges(doc: Document) -> list[Span]:
    return role_ranges(doc, (Role.GOALS,))


def evidence_ranges(doc: Document) -> list[Span]:
    return role_ranges(doc, (Role.EVIDENCE, Role.NEGATIVE)) or [(0, len(doc.text))]


def _best(span: Span, items: Iterable[tuple[Span, object]]) -> object | None:
    best, key = None, None
    for sp, item in items:
        ov = _overlap(span, sp)
        if ov <= 0:
            continue
        k = (ov, -(sp[1] - sp[0]), -sp[0])  # most overlap, then the tighter span, then the earlier
        if key is None or k > key:
            best, key = item, k
    return best


def map_subgoal(goals: Sequence[Goal] | Analysis, doc: Document, quote: str, hint: Span | None = None) -> SubGoal | None:
    """The sub-goal of ``doc`` whose span overlaps the quoted passage most (None: quote not found or outside every sub-goal)."""
    goal_list = goals.goals if hasattr(goals, "goals") else goals
    subs = [(( sg.start, sg.end), sg) for g in goal_list for sg in g.subgoals]
    span = locate(doc, quote, hint=hint, prefer=[sp for sp, _ in subs] or goal_ranges(doc))
    if span is None:
        return None
    found = _best(span, subs)
    return found if isinstance(found, SubGoal) else None


def map_unit(analysis: Analysis, quote: str, hint: Span | None = None, *, doc_index: int = 0) -> EvidenceUnit | None:
    """The evidence unit of ``analysis.evidence_docs[doc_index]`` that overlaps the quoted passage most."""
    if not 0 <= doc_index < len(analysis.evidence_docs):
        return None
    doc = analysis.evidence_docs[doc_index]
    units = [((u.start, u.end), u) for u in analysis.units if u.doc_index == doc_index]
    span = locate(doc, quote, hint=hint, prefer=[sp for sp, _ in units] or evidence_ranges(doc))
    if span is None:
        return None
    found = _best(span, units)
    return found if isinstance(found, EvidenceUnit) else None
