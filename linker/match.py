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
``negative``    the sentence comes from 存在的问题;
``concept``     share of the domain concepts the sub-goal names that the sentence reports
                (:mod:`linker.concepts`: 两翼 → 雄安, 正常运转 → 基本支出), plain and
                weighted by how few sentences report each (``concept_idf``);
``concept_new`` the sentence reports such a concept in words the sub-goal does not use.

A :class:`Scorer` (logistic weights and two thresholds, learned from
annotations by ``linker train``, with defaults fitted on the example reports)
turns features into a probability-like score. Every stage speaks
:class:`~linker.model.Candidate` lists sorted by score.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from linker import concepts, segment
from linker.encoders import EmbeddingCache, Encoder, embed
from linker.model import Candidate, EvidenceUnit, Goal, SubGoal
from linker.status import noun_match

FEATURES = [
    "dense", "dense_z", "hub", "dense_rank", "mutual_rank", "dense_ctx", "ctx_z", "lex", "lex_rank", "heading",
    "heading_dense", "sg_heading", "terms", "idf_terms", "quoted", "lcs", "qty_match", "qty_other", "negative",
    "unit_title", "unit_len", "sg_generic", "sg_best", "sg_len", "has_target", "sg_heading_dense", "para_dense",
    "para_best", "concept", "concept_idf", "concept_new",
]
RETRIEVE = 30  # candidates per sub-goal that reach the scorer (dense and lexical ranks fused)


@dataclass
class Scorer:
    weights: dict[str, float]
    bias: float
    accept: float = 0.5  # score at or above which a link is accepted
    weak: float = 0.3  # best score at or above which an unaccepted sub-goal is "weak"
    max_links: int = 3
    margin: float = 0.25  # accepted links beyond the first must score within this of the best
    source: str = "default"
    trained_on: str = ""  # the --model it was trained with (config.json's "encoder"), if known

    def score(self, f: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * f.get(k, 0.0) for k in FEATURES)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def to_json(self) -> dict[str, object]:
        return {"weights": self.weights, "bias": self.bias, "accept": self.accept, "weak": self.weak,
                "max_links": self.max_links, "margin": self.margin, "features": FEATURES}

    @classmethod
    def from_json(cls, data: dict, source: str) -> Scorer:  # type: ignore[type-arg]
        numbers = [data["bias"], data.get("accept", 0.5), data.get("weak", 0.3), data.get("margin", 0.25), *data["weights"].values()]
        if not all(math.isfinite(float(x)) for x in numbers):
            raise ValueError("a weight or threshold is not a finite number")
        return cls(weights={k: float(v) for k, v in data["weights"].items()}, bias=float(data["bias"]),
                   accept=float(data.get("accept", 0.5)), weak=float(data.get("weak", 0.3)),
                   max_links=int(data.get("max_links", 3)), margin=float(data.get("margin", 0.25)), source=source)


DEFAULT_SCORER = Scorer(
    weights={"dense": 0.0, "dense_z": 0.9, "hub": 25.0, "lex": 3.0, "heading": 1.5, "terms": 3.0,
             "qty_match": 1.5, "qty_other": -1.0, "negative": -0.5},
    bias=-6.0,
)


def default_reranker() -> Path | None:
    """``LINKER_MODELS``/reranker, else the models/reranker folder shipped beside the package."""
    import os

    env = os.environ.get("LINKER_MODELS")
    path = Path(env) / "reranker" if env else Path(__file__).resolve().parents[1] / "models" / "reranker"
    return path if (path / "config.json").exists() else None


def encoder_family(model: str) -> str:
    """Scorers are trained per encoder family: e5, st (any sentence-transformers model) or lexical."""
    return model.split(":", 1)[0]


def load_scorer(path: Path | None, model: str = "e5") -> Scorer:
    """The re-ranker trained for this encoder family under ``path``, else the defaults."""
    config = path / "config.json" if path is not None else None
    if config is None or not config.exists():
        return DEFAULT_SCORER
    try:
        data = json.loads(config.read_text(encoding="utf-8"))
        entry = data["scorers"].get(encoder_family(model))
        if entry is None:
            return DEFAULT_SCORER
        scorer = Scorer.from_json(entry["scorer"], source=f"{path}:{encoder_family(model)}")
        scorer.trained_on = str(entry.get("encoder") or "")
        return scorer
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        from linker.errors import ModelError

        raise ModelError(f"{config}: not a linker re-ranker ({exc}); retrain it with `linker train`") from exc


def scorer_mismatch(scorer: Scorer, model: str) -> str | None:
    """A warning when the re-ranker was trained for another model of the same family.

    Scorers are kept per family, so one ``st`` scorer serves every ``st:`` model; its
    weights fit the similarity scale of the model it was trained with, not another's.
    """
    if not scorer.trained_on or encoder_family(model) != "st" or encoder_family(scorer.trained_on) != "st":
        return None
    mine, theirs = model.split(":", 1)[1], scorer.trained_on.split(":", 1)[1]
    if Path(mine).expanduser().resolve() == Path(theirs).expanduser().resolve():
        return None
    return (f"the re-ranker ({scorer.source}) was trained with --model {scorer.trained_on}, not {model}; "
            f"its weights may not fit this model's scores: run `linker train --model {model}`")


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
    """TF-IDF cosine of every query with every passage (jieba words + character bigrams).

    The weighting is scikit-learn's ``TfidfVectorizer(sublinear_tf=True)`` (1 + log tf,
    smoothed idf, L2 rows), written over scipy.sparse: importing scikit-learn costs more
    than a second of a cold analysis, for fifteen lines of arithmetic. Fitted on the
    passages and the queries together.
    """
    import scipy.sparse as sp

    if not queries or not passages:
        return np.zeros((len(queries), len(passages)), dtype=np.float32)
    docs = [_analyzer(t) for t in list(passages) + list(queries)]
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, toks in enumerate(docs):
        counts: dict[int, int] = {}
        for tok in toks:
            j = vocab.setdefault(tok, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows.extend([i] * len(counts))
        cols.extend(counts)
        vals.extend(1.0 + math.log(c) for c in counts.values())
    x = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), max(1, len(vocab))), dtype=np.float64)
    df = np.bincount(x.indices, minlength=x.shape[1])
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    x = x @ sp.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    x = sp.diags(1.0 / norms) @ x
    p, q = x[: len(passages)], x[len(passages) :]
    return np.asarray((q @ p.T).toarray(), dtype=np.float32)


def _qty_nouns(qs: Sequence[object]) -> list[str]:
    return [q.quantity for q in qs if getattr(q, "quantity", None)]  # type: ignore[attr-defined]


def _ranks(m: np.ndarray, axis: int) -> np.ndarray:
    """1-based rank of every entry along an axis (1 = the largest)."""
    order = np.argsort(-m, axis=axis, kind="stable")
    ranks = np.empty_like(order)
    if axis == 1:
        rows = np.arange(m.shape[0])[:, None]
        ranks[rows, order] = np.arange(1, m.shape[1] + 1)[None, :]
    else:
        cols = np.arange(m.shape[1])[None, :]
        ranks[order, cols] = np.arange(1, m.shape[0] + 1)[:, None]
    return ranks


@dataclass
class Signals:
    """Every pairwise signal as an (n sub-goals × m units) matrix, plus per-pair sparse checks."""

    dense: np.ndarray
    lex: np.ndarray
    heading_lex: np.ndarray
    heading_dense: np.ndarray
    sg_heading: np.ndarray
    has_dense: bool
    dense_ctx: np.ndarray | None = None  # goal title + sub-goal against heading + sentence
    sg_heading_dense: np.ndarray | None = None  # sub-goal against the sentence's headings
    para_dense: np.ndarray | None = None  # sub-goal against the mean of the sentence's paragraph

    def retrieve(self, k: int) -> np.ndarray:
        """Indices of the k best units per sub-goal by reciprocal-rank fusion of dense and lexical."""
        rrf = 1.0 / (60 + _ranks(self.dense, 1)) + 1.0 / (60 + _ranks(self.lex, 1)) if self.has_dense else self.lex.copy()
        k = min(k, rrf.shape[1])
        return np.argsort(-rrf, axis=1, kind="stable")[:, :k]


def pair_features(
    subgoals: Sequence[SubGoal], units: Sequence[EvidenceUnit], sig: Signals, chosen: np.ndarray,
    thesaurus: concepts.Thesaurus | None = None,
) -> list[list[dict[str, float]]]:
    """Feature dicts for the chosen (sub-goal, unit) pairs; see the module docstring.
    ``thesaurus``: the domain concepts (by default the shipped ones)."""
    n, m = sig.dense.shape
    dense = sig.dense
    dz = (dense - dense.mean(axis=1, keepdims=True)) / (dense.std(axis=1, keepdims=True) + 1e-6)
    hub = dense - dense.mean(axis=0, keepdims=True)
    drank = _ranks(dense, 1)
    mrank = _ranks(dense, 0)
    lrank = _ranks(sig.lex, 1)
    ctx = sig.dense_ctx if sig.dense_ctx is not None else dense
    cz = (ctx - ctx.mean(axis=1, keepdims=True)) / (ctx.std(axis=1, keepdims=True) + 1e-6)
    generic = dense.mean(axis=1)
    generic = (generic - generic.mean()) / (generic.std() + 1e-6) if n > 1 else generic * 0
    best_z = dz.max(axis=1) if m else np.zeros(n)
    shd = sig.sg_heading_dense if sig.sg_heading_dense is not None else np.zeros_like(dense)
    pdn = sig.para_dense if sig.para_dense is not None else np.zeros_like(dense)
    para_of = [(u.doc_index, u.paragraph) for u in units]
    para_best: dict[tuple[int, tuple[int, int]], float] = {}
    for i in range(n):
        for j in chosen[i]:
            key = (i, para_of[j])
            para_best[key] = max(para_best.get(key, -1.0), float(dz[i, j]))
    idf = _idf(units)
    sg_words = [set(segment.words(s.text)) for s in subgoals]
    th = thesaurus if thesaurus is not None else concepts.default()
    named = [th.find(sg.text) for sg in subgoals]
    reported = [th.reported(u.text) for u in units]
    concept_weight = _concept_weights(reported)
    unit_title = [1.0 if u.text.rstrip("。") and u.heading.endswith(u.text.rstrip("。").lstrip("一二三四五六七八九十是")) else 0.0 for u in units]
    out: list[list[dict[str, float]]] = []
    for i, sg in enumerate(subgoals):
        target_nouns = [sg.target.quantity] if sg.target is not None and sg.target.quantity else []
        words = sg_words[i]
        idf_total = sum(idf.get(w, 1.0) for w in words) or 1.0
        quoted = _QUOTED.findall(sg.text)
        sg_concepts = named[i]
        concept_total = sum(concept_weight[k] for k in sg_concepts) or 1.0
        row = []
        for j in chosen[i]:
            u = units[j]
            shared = sg_concepts.keys() & reported[j].keys()
            terms = (sum(1 for w in words if w in u.text) / len(words)) if words else 0.0
            idf_terms = sum(idf.get(w, 1.0) for w in words if w in u.text) / idf_total
            ev_nouns = _qty_nouns(u.quantities)
            qty_match = 1.0 if target_nouns and any(noun_match(t, e) for t in target_nouns for e in ev_nouns) else 0.0
            row.append({
                "_j": float(j),
                "dense": float(dense[i, j]) if sig.has_dense else 0.0,
                "dense_z": float(dz[i, j]) if sig.has_dense else 0.0,
                "hub": float(hub[i, j]) if sig.has_dense else 0.0,
                "dense_rank": 1.0 / float(drank[i, j]) if sig.has_dense else 0.0,
                "mutual_rank": 1.0 / float(mrank[i, j]) if sig.has_dense else 0.0,
                "dense_ctx": float(ctx[i, j]) if sig.has_dense else 0.0,
                "ctx_z": float(cz[i, j]) if sig.has_dense else 0.0,
                "lex": float(sig.lex[i, j]),
                "lex_rank": 1.0 / float(lrank[i, j]),
                "heading": float(sig.heading_lex[i, j]),
                "heading_dense": float(sig.heading_dense[i, j]),
                "sg_heading": float(sig.sg_heading[i, j]),
                "terms": float(terms),
                "idf_terms": float(idf_terms),
                "quoted": 1.0 if any(q in u.text for q in quoted) else 0.0,
                "lcs": min(_lcs(sg.text, u.text), 8) / 8.0,
                "qty_match": qty_match,
                "qty_other": 1.0 if target_nouns and ev_nouns and not qty_match else 0.0,
                "negative": 1.0 if u.negative else 0.0,
                "unit_title": unit_title[j],
                "unit_len": math.log1p(len(u.text)) / 6.0,
                "sg_generic": float(generic[i]) if sig.has_dense else 0.0,
                "sg_best": float(best_z[i]) if sig.has_dense else 0.0,
                "sg_len": math.log1p(len(sg.text)) / 6.0,
                "has_target": 1.0 if sg.target is not None else 0.0,
                "sg_heading_dense": float(shd[i, j]),
                "para_dense": float(pdn[i, j]),
                "para_best": para_best.get((i, para_of[j]), 0.0) if sig.has_dense else 0.0,
                "concept": len(shared) / len(sg_concepts) if sg_concepts else 0.0,
                "concept_idf": sum(concept_weight[k] for k in shared) / concept_total,
                "concept_new": 1.0 if any(w not in sg.text for k in shared for w in reported[j][k]) else 0.0,
            })
        out.append(row)
    return out


def query_texts(goals: Sequence[Goal]) -> list[str]:
    """Everything matching embeds as a query: sub-goals, goal titles, and title + sub-goal."""
    subgoals = [(g, sg) for g in goals for sg in g.subgoals]
    return [sg.text for _, sg in subgoals] + [g.title or sg.text for g, sg in subgoals] + [
        f"{g.title or sg.text}：{sg.text}" for g, sg in subgoals
    ]


def passage_texts(units: Sequence[EvidenceUnit]) -> list[str]:
    """Everything matching embeds as a passage: sentences, their headings, and heading + sentence."""
    return [u.text for u in units] + [u.heading or u.text for u in units] + [f"{_last_heading(u.heading)}：{u.text}" for u in units]


def signals(
    goals: Sequence[Goal],
    units: Sequence[EvidenceUnit],
    *,
    encoder: Encoder | None,
    cache: EmbeddingCache | None = None,
    progress: object | None = None,
    prefetch: object | None = None,
) -> tuple[Signals, int]:
    """All pairwise similarity matrices; returns them and how many texts were embedded afresh.

    With a :class:`~linker.encoders.Prefetch` already embedding in the background,
    the lexical matrices are computed first and the vectors collected after.
    """
    subgoals = [sg for g in goals for sg in g.subgoals]
    goal_of = {sg.id: g for g in goals for sg in g.subgoals}
    n, m = len(subgoals), len(units)
    titles = [goal_of[sg.id].title or sg.text for sg in subgoals]
    headings = [u.heading or u.text for u in units]
    sg_texts = [sg.text for sg in subgoals]
    lex = lexical_matrix(sg_texts, [u.text for u in units])
    heading_lex = lexical_matrix(titles, headings)
    sg_heading = lexical_matrix(sg_texts, headings)
    embedded = 0
    if encoder is not None:
        misses = cache.misses if cache else 0
        if prefetch is not None:
            prefetch.join()  # type: ignore[attr-defined]
        queries = embed(encoder, query_texts(goals), query=True, cache=cache, progress=progress)  # type: ignore[arg-type]
        passages = embed(encoder, passage_texts(units), query=False, cache=cache, progress=progress)  # type: ignore[arg-type]
        q, tq, cq = queries[:n], queries[n : 2 * n], queries[2 * n :]
        p, hp, cp = passages[:m], passages[m : 2 * m], passages[2 * m :]
        dense = q @ p.T
        heading_dense = tq @ hp.T
        dense_ctx = cq @ cp.T
        sg_heading_dense = q @ hp.T
        para_dense = q @ _paragraph_means(units, p).T
        embedded = (cache.misses - misses) if cache else len(set(query_texts(goals))) + len(set(passage_texts(units)))
    else:
        dense = np.zeros((n, m), dtype=np.float32)
        heading_dense = np.zeros((n, m), dtype=np.float32)
        dense_ctx = np.zeros((n, m), dtype=np.float32)
        sg_heading_dense = np.zeros((n, m), dtype=np.float32)
        para_dense = np.zeros((n, m), dtype=np.float32)
    return Signals(dense, lex, heading_lex, heading_dense, sg_heading, encoder is not None, dense_ctx, sg_heading_dense, para_dense), embedded


def _paragraph_means(units: Sequence[EvidenceUnit], p: np.ndarray) -> np.ndarray:
    """Each sentence's paragraph as one vector: the normalised mean of its sentences."""
    groups: dict[tuple[int, int], list[int]] = {}
    for j, u in enumerate(units):
        groups.setdefault((u.doc_index, u.paragraph), []).append(j)
    out = np.empty_like(p)
    for idx in groups.values():
        v = p[idx].mean(axis=0)
        out[idx] = v / (np.linalg.norm(v) + 1e-9)
    return out


def _concept_weights(reported: Sequence[dict[int, set[str]]]) -> dict[int, float]:
    """A concept's weight, log((n + 1) / (sentences reporting it + 1)): rare ones weigh more."""
    df: dict[int, int] = {}
    for found in reported:
        for k in found:
            df[k] = df.get(k, 0) + 1
    n = len(reported)
    return defaultdict(lambda: math.log(n + 1), {k: math.log((n + 1) / (c + 1)) for k, c in df.items()})


def _last_heading(heading: str) -> str:
    return heading.rsplit(" / ", 1)[-1]


_QUOTED = re.compile(r"[“《「]([^”》」]{2,30})[”》」]")


def _idf(units: Sequence[EvidenceUnit]) -> dict[str, float]:
    df: dict[str, int] = {}
    for u in units:
        for w in set(segment.words(u.text)):
            df[w] = df.get(w, 0) + 1
    n = len(units) + 1
    return {w: math.log(n / (1 + c)) + 1.0 for w, c in df.items()}


def _lcs(a: str, b: str) -> int:
    from difflib import SequenceMatcher

    m = SequenceMatcher(None, a, b, autojunk=False).find_longest_match(0, len(a), 0, len(b))
    return m.size


def match(
    goals: Sequence[Goal],
    units: Sequence[EvidenceUnit],
    *,
    encoder: Encoder | None,
    cache: EmbeddingCache | None = None,
    scorer: Scorer = DEFAULT_SCORER,
    top_k: int = 10,
    progress: object | None = None,
    prefetch: object | None = None,
    thesaurus: concepts.Thesaurus | None = None,
) -> MatchResult:
    subgoals = [sg for g in goals for sg in g.subgoals]
    result = MatchResult(model=encoder.name if encoder is not None else "lexical")
    if not subgoals:
        return result
    if not units:
        result.candidates = {sg.id: [] for sg in subgoals}
        return result
    sig, result.embedded = signals(goals, units, encoder=encoder, cache=cache, progress=progress, prefetch=prefetch)
    chosen = sig.retrieve(RETRIEVE)
    feats = pair_features(subgoals, units, sig, chosen, thesaurus)
    for i, sg in enumerate(subgoals):
        cands = []
        for f in feats[i]:
            j = int(f.pop("_j"))
            cands.append(Candidate(score=scorer.score(f), subgoal_id=sg.id, evidence_id=units[j].id, source="fusion", features=f))
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
