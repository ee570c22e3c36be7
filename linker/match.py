"""Linking sub-goals to evidence: dense + lexical retrieval, structural features, one score.

Raw cosine cannot tell right from wrong here (every top-1 e5 cosine of these
reports lies between 0.88 and 0.95), so the decision rests on features that
are relative and structural:

``dense``       cosine of the sub-goal (query) and the sentence (passage);
``dense_z``     that cosine standardised over all sentences for this sub-goal;
``hub``         the cosine minus the sentence's mean cosine to all sub-goals:
                sentences that match everything (the 指导思想 boilerplate) lose;
``lex``         TF-IDF cosine over jieba words and character bigrams;
``heading``     lexical similarity of the goal's title to the sentence's headings;
``terms``       share of the sub-goal's content words found in the sentence;
``qty_match``   a quantity noun of the target is measured in the sentence;
``qty_other``   the sub-goal has a numeric target but the sentence reports numbers
                about something else;
``negative``    the sentence comes from 存在的问题.

A :class:`Scorer` (logistic weights and two thresholds, learned from
annotations by ``linker train``, with defaults fitted on the example reports)
turns features into a probability-like score. Every stage speaks
:class:`~linker.model.Candidate` lists sorted by score.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from linker import segment
from linker.encoders import EmbeddingCache, Encoder, embed
from linker.model import Candidate, EvidenceUnit, Goal, SubGoal

FEATURES = ["dense", "dense_z", "hub", "lex", "heading", "terms", "qty_match", "qty_other", "negative"]


@dataclass
class Scorer:
    weights: dict[str, float]
    bias: float
    accept: float = 0.5  # score at or above which a link is accepted
    weak: float = 0.3  # best score at or above which an unaccepted sub-goal is "weak"
    max_links: int = 3
    margin: float = 0.25  # accepted links beyond the first must score within this of the best
    source: str = "default"

    def score(self, f: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * f.get(k, 0.0) for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {"weights": self.weights, "bias": self.bias, "accept": self.accept, "weak": self.weak,
                "max_links": self.max_links, "margin": self.margin, "features": FEATURES}

    @classmethod
    def from_json(cls, data: dict, source: str) -> Scorer:  # type: ignore[type-arg]
        return cls(weights={k: float(v) for k, v in data["weights"].items()}, bias=float(data["bias"]),
                   accept=float(data.get("accept", 0.5)), weak=float(data.get("weak", 0.3)),
                   max_links=int(data.get("max_links", 3)), margin=float(data.get("margin", 0.25)), source=source)


DEFAULT_SCORER = Scorer(
    weights={"dense": 0.0, "dense_z": 0.9, "hub": 25.0, "lex": 3.0, "heading": 1.5, "terms": 3.0,
             "qty_match": 1.5, "qty_other": -1.0, "negative": -0.5},
    bias=-6.0,
)


def load_scorer(path: Path | None) -> Scorer:
    """A trained re-ranker from ``models/`` if there is one, else the defaults."""
    if path is not None and (path / "config.json").exists():
        data = json.loads((path / "config.json").read_text(encoding="utf-8"))
        return Scorer.from_json(data["scorer"], source=str(path))
    return DEFAULT_SCORER


@dataclass
class MatchResult:
    candidates: dict[str, list[Candidate]] = field(default_factory=dict)  # sub-goal id → sorted
    model: str = "lexical"
    embedded: int = 0  # texts sent to the encoder (cache misses)


def _analyzer(text: str) -> list[str]:
    ws = segment.words(text)
    chars = [c for c in text if "\u4e00" <= c <= "\u9fff"]
    bigrams = ["".join(chars[i : i + 2]) for i in range(len(chars) - 1)]
    return ws + ["#" + b for b in bigrams]


def lexical_matrix(queries: Sequence[str], passages: Sequence[str]) -> np.ndarray:
    """TF-IDF cosine of every query with every passage (jieba words + character bigrams)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    if not queries or not passages:
        return np.zeros((len(queries), len(passages)), dtype=np.float32)
    vec = TfidfVectorizer(analyzer=_analyzer, sublinear_tf=True, norm="l2")
    vec.fit(list(passages) + list(queries))
    q = vec.transform(queries)
    p = vec.transform(passages)
    return np.asarray((q @ p.T).toarray(), dtype=np.float32)


def _qty_nouns(qs: Sequence[object]) -> list[str]:
    return [q.quantity for q in qs if getattr(q, "quantity", None)]  # type: ignore[attr-defined]


def _noun_overlap(a: str, b: str) -> bool:
    """Two measured nouns name the same thing: a shared 3-character stretch (入园率 in 学前教育入园率)."""
    a, b = a.strip(), b.strip()
    if not a or not b:
        return False
    if a in b or b in a:
        return len(min(a, b, key=len)) >= 2
    return any(a[i : i + 3] in b for i in range(len(a) - 2))


def features(
    subgoals: Sequence[SubGoal],
    goal_of: dict[str, Goal],
    units: Sequence[EvidenceUnit],
    dense: np.ndarray | None,
    lex: np.ndarray,
    heading_lex: np.ndarray,
) -> list[list[dict[str, float]]]:
    n, m = len(subgoals), len(units)
    if dense is None:
        dense = np.zeros((n, m), dtype=np.float32)
    row_mean = dense.mean(axis=1, keepdims=True) if m else np.zeros((n, 1))
    row_std = dense.std(axis=1, keepdims=True) + 1e-6 if m else np.ones((n, 1))
    col_mean = dense.mean(axis=0, keepdims=True) if n else np.zeros((1, m))
    dz = (dense - row_mean) / row_std
    hub = dense - col_mean
    sg_words = [set(segment.words(s.text)) for s in subgoals]
    ev_text = [u.text for u in units]
    out: list[list[dict[str, float]]] = []
    for i, sg in enumerate(subgoals):
        target_nouns = [sg.target.quantity] if sg.target is not None and sg.target.quantity else []
        row = []
        for j, u in enumerate(units):
            words = sg_words[i]
            terms = (sum(1 for w in words if w in ev_text[j]) / len(words)) if words else 0.0
            ev_nouns = _qty_nouns(u.quantities)
            qty_match = 1.0 if target_nouns and any(_noun_overlap(t, e) for t in target_nouns for e in ev_nouns) else 0.0
            qty_other = 1.0 if target_nouns and ev_nouns and not qty_match else 0.0
            row.append({
                "dense": float(dense[i, j]),
                "dense_z": float(dz[i, j]),
                "hub": float(hub[i, j]),
                "lex": float(lex[i, j]),
                "heading": float(heading_lex[i, j]),
                "terms": float(terms),
                "qty_match": qty_match,
                "qty_other": qty_other,
                "negative": 1.0 if u.negative else 0.0,
            })
        out.append(row)
    return out


def match(
    goals: Sequence[Goal],
    units: Sequence[EvidenceUnit],
    *,
    encoder: Encoder | None,
    cache: EmbeddingCache | None = None,
    scorer: Scorer = DEFAULT_SCORER,
    top_k: int = 10,
    progress: object | None = None,
) -> MatchResult:
    subgoals = [sg for g in goals for sg in g.subgoals]
    goal_of = {sg.id: g for g in goals for sg in g.subgoals}
    result = MatchResult(model=encoder.name if encoder is not None else "lexical")
    if not subgoals:
        return result
    if not units:
        result.candidates = {sg.id: [] for sg in subgoals}
        return result
    dense = None
    if encoder is not None:
        misses_before = cache.misses if cache else 0
        q = embed(encoder, [sg.text for sg in subgoals], query=True, cache=cache, progress=progress)  # type: ignore[arg-type]
        p = embed(encoder, [u.text for u in units], query=False, cache=cache, progress=progress)  # type: ignore[arg-type]
        dense = q @ p.T
        result.embedded = (cache.misses - misses_before) if cache else len(set(s.text for s in subgoals)) + len(set(u.text for u in units))
    lex = lexical_matrix([sg.text for sg in subgoals], [u.text for u in units])
    goal_titles = [f"{goal_of[sg.id].title}" for sg in subgoals]
    heading_lex = lexical_matrix(goal_titles, [u.heading for u in units])
    feats = features(subgoals, goal_of, units, dense, lex, heading_lex)
    for i, sg in enumerate(subgoals):
        cands = [Candidate(score=scorer.score(f), subgoal_id=sg.id, evidence_id=units[j].id, source="fusion", features=f)
                 for j, f in enumerate(feats[i])]
        cands.sort(key=lambda c: -c.score)
        cands = cands[:top_k]
        decide(cands, scorer)
        result.candidates[sg.id] = cands
    return result


def decide(cands: list[Candidate], scorer: Scorer) -> None:
    """Mark accepted links: above the threshold, at most ``max_links``, close to the best."""
    if not cands:
        return
    best = cands[0].score
    n = 0
    for c in cands:
        c.accepted = c.score >= scorer.accept and best - c.score <= scorer.margin and n < scorer.max_links
        n += c.accepted
