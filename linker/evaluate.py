"""Scoring links against annotations: one set of functions shared by tests, bench/ and ``linker eval``.

Gold judgments are anchored by text (see ``annotations/*.jsonl``): a sub-goal
quote and an evidence quote. They are mapped onto an analysis's own units by
span overlap, so gold survives changes of segmentation. Metrics:

* precision / recall / F1 of accepted links, over (sub-goal, evidence unit) pairs
  (spaCy's ``PRFScore.score_set`` idea);
* recall@k of candidates: the share of sub-goals with gold evidence that have a
  gold unit among their first k candidates;
* accuracy of the "has evidence at all" decision per sub-goal.

Only sub-goals that gold judges count.
"""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from linker.model import Document


@dataclass
class GoldRecord:
    goal_document: str
    evidence_document: str
    subgoal: str
    evidence: str | None
    label: str
    line: int = 0
    # where the quotes were when judged (from the store), hints for finding them again
    subgoal_span: tuple[int, int] | None = field(default=None, compare=False)
    evidence_span: tuple[int, int] | None = field(default=None, compare=False)
    order: Any = field(default=None, compare=False)  # the store's Judgment.order, to tell which of two came later


@dataclass
class GoldSet:
    """The gold judgments of one (goal document, evidence document) pair."""

    goal_document: str
    evidence_document: str
    records: list[GoldRecord] = field(default_factory=list)
    root: Path | None = field(default=None, compare=False)  # what the document paths are relative to, when known

    @property
    def name(self) -> str:
        g = Path(self.goal_document).stem
        e = Path(self.evidence_document).stem
        return g if g == e else f"{g}→{e}"


GOLD_LABELS = ("accept", "no_evidence", "reject")


def load_gold(paths: Iterable[Path]) -> list[GoldSet]:
    """The link judgments (accept, reject, no_evidence) of annotation files, one gold set per document pair.

    Every line is checked as ``linker annotations import`` checks it
    (:func:`linker.store.check_fields`: the same format, the same defaults — a line
    without ``evidence_document`` judges its goal document's own evidence); one
    StoreError names every bad line (file:line: why). Overrides are checked and skipped.
    """
    from linker.store import check_fields, read_lines

    def parse(d: Any, _path: Path, n: int) -> GoldRecord:
        check_fields(d)
        return GoldRecord(d["goal_document"], d.get("evidence_document") or d["goal_document"], d["subgoal"],
                          d.get("evidence"), d["label"], n)

    sets: dict[tuple[str, str], GoldSet] = {}
    for rec in read_lines(list(paths), parse, refused="annotations refused"):
        if rec.label not in GOLD_LABELS:
            continue
        key = (rec.goal_document, rec.evidence_document)
        sets.setdefault(key, GoldSet(*key)).records.append(rec)
    return list(sets.values())


def gold_from_store(judgments: Iterable, root: Path) -> list[GoldSet]:  # type: ignore[type-arg]
    """The link judgments of the annotation store (the latest per link) as gold sets."""
    sets: dict[tuple[str, str], GoldSet] = {}
    for j in judgments:
        if j.label not in GOLD_LABELS:
            continue
        key = (_rel(j.goal_path, root), _rel(j.evidence_path, root))
        sets.setdefault(key, GoldSet(*key, root=root)).records.append(
            GoldRecord(key[0], key[1], j.subgoal, j.evidence, j.label, subgoal_span=j.subgoal_span, evidence_span=j.evidence_span,
                       order=j.order))
    return list(sets.values())


def _rel(path: str, root: Path) -> str:
    p = Path(path)
    try:
        return str((p if p.is_absolute() else (root / p)).resolve().relative_to(root.resolve()))
    except ValueError:
        return str(p.resolve()) if p.exists() else path


def _norm(quote: str | None) -> str | None:
    """A quote as two sources may both write it: NFKC-folded, without white space or punctuation at either end."""
    if quote is None:
        return None
    folded = "".join(c for c in unicodedata.normalize("NFKC", quote) if not c.isspace())
    a, b = 0, len(folded)
    while a < b and unicodedata.category(folded[a]).startswith("P"):
        a += 1
    while b > a and unicodedata.category(folded[b - 1]).startswith("P"):
        b -= 1
    return folded[a:b]


def _covers(a: tuple[int, int] | None, b: tuple[int, int] | None) -> bool:
    """Two passages are one: they overlap by at least half of the shorter (as :func:`map_quote` maps many)."""
    if a is None or b is None:
        return False
    ov = _overlap(a, b)
    return ov > 0 and ov >= 0.5 * min(a[1] - a[0], b[1] - b[0])


class _Places:
    """Where gold quotes are in their documents, found once, to tell when two records judge the same thing."""

    def __init__(self, root: Path) -> None:
        from linker.store import Documents

        self.docs = Documents(root)
        self._spans: dict[tuple[str, str, tuple[int, int] | None, bool], tuple[int, int] | None] = {}

    def span(self, path: str, quote: str, hint: tuple[int, int] | None, *, goal: bool) -> tuple[int, int] | None:
        from linker import anchors

        key = (path, quote, hint, goal)
        if key not in self._spans:
            doc = self.docs.get(path)
            prefer = anchors.goal_ranges if goal else anchors.evidence_ranges
            self._spans[key] = anchors.locate(doc, quote, hint=hint, prefer=prefer(doc)) if doc is not None else None
        return self._spans[key]

    def same_subgoal(self, gs: GoldSet, a: GoldRecord, b: GoldRecord) -> bool:
        return _norm(a.subgoal) == _norm(b.subgoal) or _covers(
            self.span(gs.goal_document, a.subgoal, a.subgoal_span, goal=True),
            self.span(gs.goal_document, b.subgoal, b.subgoal_span, goal=True))

    def same(self, gs: GoldSet, a: GoldRecord, b: GoldRecord) -> bool:
        """``a`` and ``b`` judge the same sub-goal and (for links) the same evidence sentence."""
        if not self.same_subgoal(gs, a, b):
            return False
        if a.evidence is None or b.evidence is None:
            return a.evidence is None and b.evidence is None
        return _norm(a.evidence) == _norm(b.evidence) or _covers(
            self.span(gs.evidence_document, a.evidence, a.evidence_span, goal=False),
            self.span(gs.evidence_document, b.evidence, b.evidence_span, goal=False))


def merge_gold(*groups: Sequence[GoldSet], root: Path | None = None) -> list[GoldSet]:
    """One gold set per document pair; a judgment made twice counts once, a later reject cancels an accept.

    A "no evidence" mark for a sub-goal cancels the accepts of it made before it, unless
    an accept of it was made after the mark, which makes the mark void: the rule by which
    the analysis applies the store (:func:`linker.feedback.apply`). Later is a later
    group, or inside one group (the store's) a later time; the order of the records
    within a group does not matter.

    Inside one group, records are the same judgment when their quotes are. A later
    group (the store after the files) is matched against the earlier ones by what its
    quotes name, since the review quotes a whole sub-goal ("…为主线，") where a file may
    quote part of it ("…为主线"): the same words up to white space, width and end
    punctuation, or quotes that cover the same passages of the documents (``root``, by
    default the groups' own, is what their paths are relative to).
    """
    base = root if root is not None else next((gs.root for group in groups for gs in group if gs.root is not None), None)
    places = _Places(base if base is not None else Path("."))
    merged: dict[tuple[str, str], list[tuple[int, GoldRecord]]] = {}
    for k, group in enumerate(groups):
        for gs in group:
            kept = merged.setdefault((gs.goal_document, gs.evidence_document), [])
            for r in gs.records:
                link = r.label != "no_evidence"
                same = [i for i, (g, x) in enumerate(kept)
                        if (x.label != "no_evidence") == link
                        and ((x.subgoal, x.evidence) == (r.subgoal, r.evidence) or (g < k and places.same(gs, x, r)))]
                if r.label != "reject":
                    if same:
                        kept[same[0]] = (k, r)
                        same = same[1:]
                    else:
                        kept.append((k, r))
                for i in reversed(same):
                    del kept[i]
    for (g, e), kept in merged.items():
        merged[(g, e)] = _marks_applied(GoldSet(g, e, root=base), kept, places)
    return [GoldSet(g, e, [r for _, r in recs], root=base) for (g, e), recs in merged.items() if recs]


def _marks_applied(gs: GoldSet, kept: list[tuple[int, GoldRecord]], places: _Places) -> list[tuple[int, GoldRecord]]:
    """"No evidence" marks against accepts of the same sub-goal, as :func:`linker.feedback.apply` weighs them.

    A mark that an accept of its sub-goal was made after is void; one that stands cancels
    every accept of its sub-goal made before it. Records of one file have no times: a
    mark and an accept in the same file both stand, as written.
    """
    marks = [(g, x) for g, x in kept if x.label == "no_evidence"]
    accepts = [(g, x) for g, x in kept if x.label == "accept"]
    drop: set[int] = set()
    for mg, mark in marks:
        # only records with an order between them can weigh against each other (times first: cheap)
        later = [x for g, x in accepts if _before(mg, mark, g, x) and places.same_subgoal(gs, x, mark)]
        if later:
            drop.add(id(mark))
            continue
        drop.update(id(x) for g, x in accepts if _before(g, x, mg, mark) and places.same_subgoal(gs, x, mark))
    return [(g, x) for g, x in kept if id(x) not in drop]


def _before(g: int, x: GoldRecord, k: int, r: GoldRecord) -> bool:
    """Record ``x`` of group ``g`` was made before ``r`` of group ``k``."""
    if g != k:
        return g < k
    return x.order is not None and r.order is not None and x.order < r.order


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def map_quote(doc: Document, quote: str, spans: dict[str, tuple[int, int]], *, many: bool) -> list[str]:
    """Ids of the spans a quote covers: the best one, or (many) all that it mostly covers."""
    from linker.anchors import occurrences

    for place in occurrences(doc, quote):
        hits = [(i, _overlap(place, s), s) for i, s in spans.items() if _overlap(place, s) > 0]
        if not hits:
            continue
        if not many:
            return [max(hits, key=lambda h: h[1])[0]]
        keep = [i for i, ov, s in hits if ov >= 0.5 * min(s[1] - s[0], place[1] - place[0])]
        return keep or [max(hits, key=lambda h: h[1])[0]]
    return []


@dataclass
class Gold:
    """Gold mapped onto one analysis."""

    judged: set[str]  # sub-goal ids gold speaks about
    links: set[tuple[str, str]]  # (sub-goal id, unit id)
    unmapped: int = 0  # records whose quotes found no unit

    def evidenced(self) -> set[str]:
        return {s for s, _ in self.links}


def map_gold(analysis, gold: GoldSet) -> Gold:  # type: ignore[no-untyped-def]
    gdoc = analysis.goal_doc
    sg_spans = {sg.id: (sg.start, sg.end) for _, sg in analysis.subgoals()}
    unit_spans: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    for u in analysis.units:
        unit_spans[u.doc_index][u.id] = (u.start, u.end)
    judged: set[str] = set()
    links: set[tuple[str, str]] = set()
    unmapped = 0
    for rec in gold.records:
        sgs = map_quote(gdoc, rec.subgoal, sg_spans, many=False)
        if not sgs:
            unmapped += 1
            continue
        judged.add(sgs[0])
        if rec.label == "accept" and rec.evidence:
            found = []
            for i, d in enumerate(analysis.evidence_docs):
                found = map_quote(d, rec.evidence, unit_spans[i], many=True)
                if found:
                    break
            if not found:
                unmapped += 1
            links.update((sgs[0], u) for u in found)
    return Gold(judged=judged, links=links, unmapped=unmapped)


@dataclass
class Scores:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    hit_at_k: int = 0
    with_gold: int = 0
    decision_right: int = 0
    judged: int = 0
    k: int = 3

    def __iadd__(self, o: Scores) -> Scores:
        for f in ("tp", "fp", "fn", "hit_at_k", "with_gold", "decision_right", "judged"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        return self

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def recall_at_k(self) -> float:
        return self.hit_at_k / self.with_gold if self.with_gold else 0.0

    @property
    def decision_accuracy(self) -> float:
        return self.decision_right / self.judged if self.judged else 0.0

    def as_dict(self) -> dict[str, float]:
        return {"precision": round(self.precision, 3), "recall": round(self.recall, 3), "f1": round(self.f1, 3),
                f"recall@{self.k}": round(self.recall_at_k, 3), "evidence_decision_accuracy": round(self.decision_accuracy, 3),
                "subgoals": self.judged, "gold_links": self.tp + self.fn}


def score(candidates: dict[str, Sequence], gold: Gold, *, k: int = 3) -> Scores:  # type: ignore[type-arg]
    """Compare accepted candidates (and the ranking) with gold, over the judged sub-goals."""
    s = Scores(k=k)
    predicted = {(sid, c.evidence_id) for sid, cs in candidates.items() if sid in gold.judged for c in cs if c.accepted}
    s.tp = len(predicted & gold.links)
    s.fp = len(predicted - gold.links)
    s.fn = len(gold.links - predicted)
    gold_by_sg: dict[str, set[str]] = defaultdict(set)
    for sid, uid in gold.links:
        gold_by_sg[sid].add(uid)
    for sid in gold.judged:
        cs = candidates.get(sid, [])
        has_gold = sid in gold_by_sg
        if has_gold:
            s.with_gold += 1
            if any(c.evidence_id in gold_by_sg[sid] for c in cs[:k]):
                s.hit_at_k += 1
        s.judged += 1
        s.decision_right += int(has_gold == any(c.accepted for c in cs))
    return s


@dataclass
class Agreement:
    """How far a second judge agrees with a first on the sub-goals both judged."""

    subgoals: int
    links_first: int
    links_second: int
    common: int
    has_evidence_same: int
    evidenced_first: int
    evidenced_second: int
    kappa: float

    @property
    def links(self) -> Scores:
        """The second judge's links scored against the first's."""
        return Scores(tp=self.common, fp=self.links_second - self.common, fn=self.links_first - self.common)

    @property
    def precision(self) -> float:
        return self.links.precision

    @property
    def recall(self) -> float:
        return self.links.recall

    @property
    def f1(self) -> float:
        return self.links.f1

    @property
    def has_evidence_agreement(self) -> float:
        return self.has_evidence_same / self.subgoals if self.subgoals else 0.0


def agreement(first: Gold, second: Gold) -> Agreement:
    """Link and "has evidence" agreement of two gold mappings of the same analysis.

    Only sub-goals that both judged count. Cohen's kappa of the "has evidence"
    decision is 1 when both agree on every sub-goal, including the degenerate
    case of a single class, 0 when their agreement is what chance gives, and NaN
    when no sub-goal was judged by both.
    """
    from sklearn.metrics import cohen_kappa_score

    both = first.judged & second.judged
    la = {x for x in first.links if x[0] in both}
    lb = {x for x in second.links if x[0] in both}
    order = sorted(both)
    ea, eb = first.evidenced(), second.evidenced()
    ha = [s in ea for s in order]
    hb = [s in eb for s in order]
    same = sum(x == y for x, y in zip(ha, hb, strict=True))
    if not order:
        kappa = float("nan")  # nothing judged by both: no agreement to speak of
    elif same == len(order):
        kappa = 1.0
    else:
        kappa = float(cohen_kappa_score(ha, hb))
    return Agreement(len(order), len(la), len(lb), len(la & lb), same, sum(ha), sum(hb), kappa)
