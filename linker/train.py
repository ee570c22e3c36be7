"""Learning the link scorer from annotations (``linker train``, ``linker eval``).

For every annotated (goal document, evidence document) pair the analysis is run
once, keeping all retrieved candidates with their features; gold says which
pairs are links. A logistic regression (scikit-learn) learns the weights, its
L2 strength chosen by leaving each training document out in turn; the accept
and weak thresholds are then chosen on the training data to maximise link F1
plus the accuracy of the "has evidence" decision. Cross-validation is over
annotated documents (leave one document pair out, the choice of L2 strength
nested inside) so that no figure is measured on the annotations it was fitted on.
Pairs share documents (003's goals are judged against both 000 and 001, and 000's
sentences serve both 000's goals and 003's), so the pairs a fold trains on are
first stripped of what the held-out pair's gold speaks about: its sub-goals and
the sentences it links, matched by text (:func:`apart_from`).

A trained scorer is a directory that describes itself (``config.json``: the
features, weights, thresholds, the hash of the annotations it learned from, the
code version, the L2 strength and its cross-validated metrics).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from linker import __version__
from linker.evaluate import Gold, GoldSet, Scores, map_gold, score
from linker.match import DEFAULT_SCORER, FEATURES, RETRIEVE, Scorer, decide
from linker.model import Candidate


@dataclass
class Prepared:
    """One annotated pair, analysed once: candidates with features, and gold mapped onto them."""

    name: str
    candidates: dict[str, list[Candidate]]
    gold: Gold
    goal_of: dict[str, str] = field(default_factory=dict)  # sub-goal id → goal id (for grouped splits)
    subgoal_text: dict[str, str] = field(default_factory=dict)  # sub-goal id → its text
    unit_text: dict[str, str] = field(default_factory=dict)  # evidence unit id → its text


def analyse_pair(gs: GoldSet, root: Path, *, model: str = "e5"):  # type: ignore[no-untyped-def]
    """The analysis of an annotated pair that training sees: every retrieved candidate,
    untouched by a scorer or by the store's judgments."""
    from linker.pipeline import Options, analyze

    ev = [root / gs.evidence_document] if gs.evidence_document != gs.goal_document else []
    return analyze(root / gs.goal_document, ev, Options(model=model, top_k=RETRIEVE, reranker=None, use_store=False))


def prepared(a, gs: GoldSet) -> Prepared:  # type: ignore[no-untyped-def]
    """One pair's analysis ``a`` with ``gs`` mapped onto it."""
    subgoals = list(a.subgoals())
    return Prepared(gs.name, a.candidates, map_gold(a, gs), {sg.id: g.id for g, sg in subgoals},
                    {sg.id: sg.text for _, sg in subgoals}, {u.id: u.text for u in a.units})


def prepare(gold_sets: Sequence[GoldSet], root: Path, *, model: str = "e5", progress: Callable[[str], None] | None = None) -> list[Prepared]:
    out = []
    for gs in gold_sets:
        if progress:
            progress(gs.name)
        out.append(prepared(analyse_pair(gs, root, model=model), gs))
    return out


def apart_from(train: Sequence[Prepared], held: Prepared) -> list[Prepared]:
    """``train`` without what ``held``'s gold speaks about, so that a fold cannot learn it twice.

    Training sub-goals whose text ``held`` judges are dropped with all their
    candidates, and so is every candidate sentence whose text ``held`` links to.
    """
    held_sg = {held.subgoal_text[s] for s in held.gold.judged if s in held.subgoal_text}
    held_ev = {held.unit_text[u] for _, u in held.gold.links if u in held.unit_text}
    out = []
    for p in train:
        keep = {s for s in p.candidates if p.subgoal_text.get(s) not in held_sg}
        cands = {s: [c for c in cs if p.unit_text.get(c.evidence_id) not in held_ev] for s, cs in p.candidates.items() if s in keep}
        gold = Gold(judged={s for s in p.gold.judged if s in keep},
                    links={(s, u) for s, u in p.gold.links if s in keep and p.unit_text.get(u) not in held_ev}, unmapped=p.gold.unmapped)
        out.append(replace(p, candidates=cands, gold=gold))
    return out


def _learnable(preps: Sequence[Prepared]) -> bool:
    return any(p.gold.links for p in preps) and any(len(cs) > 0 for p in preps for cs in p.candidates.values())


def _matrix(preps: Sequence[Prepared]) -> tuple[np.ndarray, np.ndarray]:
    xs, ys = [], []
    for p in preps:
        for sid, cands in p.candidates.items():
            if sid not in p.gold.judged:
                continue
            for c in cands:
                xs.append([c.features.get(f, 0.0) for f in FEATURES])
                ys.append(1 if (sid, c.evidence_id) in p.gold.links else 0)
    return np.asarray(xs, dtype=np.float64), np.asarray(ys, dtype=np.int64)


def _rescore(preps: Sequence[Prepared], scorer: Scorer) -> list[dict[str, list[Candidate]]]:
    """Every candidate scored and sorted afresh, then accepted or not by ``scorer``'s rule."""
    out = []
    for p in preps:
        rescored = {}
        for sid, cands in p.candidates.items():
            cs = [Candidate(score=scorer.score(c.features), subgoal_id=sid, evidence_id=c.evidence_id, features=c.features) for c in cands]
            cs.sort(key=lambda c: -c.score)
            decide(cs, scorer)
            rescored[sid] = cs
        out.append(rescored)
    return out


def _score_all(preps: Sequence[Prepared], rescored: Sequence[dict[str, list[Candidate]]]) -> tuple[Scores, dict[str, Scores]]:
    total = Scores()
    per = {}
    for p, cands in zip(preps, rescored, strict=True):
        s = score(cands, p.gold)
        per[p.name] = s
        total += s
    return total, per


def evaluate(preps: Sequence[Prepared], scorer: Scorer) -> tuple[Scores, dict[str, Scores]]:
    return _score_all(preps, _rescore(preps, scorer))


C_GRID = (0.01, 0.1, 1.0)  # inverse L2 strengths that choose_c chooses from


def choose_c(preps: Sequence[Prepared]) -> float:
    """The regularisation that does best when each of ``preps`` is left out in turn (nested CV).

    The objective is the one thresholds are tuned for: link F1 plus the accuracy
    of the "has evidence" decision. With fewer than two annotated documents there
    is nothing to hold out, and the middle of the grid is taken.
    """
    if len(preps) < 2:
        return C_GRID[len(C_GRID) // 2]
    best = (-1.0, C_GRID[0])
    for c in C_GRID:
        total = Scores()
        for i, held in enumerate(preps):
            train = apart_from([p for j, p in enumerate(preps) if j != i], held)
            if not _learnable(train):
                continue  # nothing left to learn from once the held-out pair is taken out
            s, _ = evaluate([held], fit(train, c=c))
            total += s
        obj = total.f1 + total.decision_accuracy
        if obj > best[0] + 1e-9:
            best = (obj, c)
    return best[1]


def fit(preps: Sequence[Prepared], *, c: float | None = None) -> Scorer:
    """Logistic weights on standardised features, folded back to raw ones; thresholds tuned.

    ``c`` is the inverse L2 strength; ``None`` chooses it by :func:`choose_c`.
    """
    from sklearn.linear_model import LogisticRegression

    if c is None:
        c = choose_c(preps)
    x, y = _matrix(preps)
    if len(set(y.tolist())) < 2:
        from linker.errors import LinkerError

        raise LinkerError("the annotations give nothing to learn from: it takes at least one accepted link, and one "
                          "candidate that is not a link, among the judged sub-goals; judge more with `linker review`")
    mu = x.mean(axis=0)
    sd = x.std(axis=0)
    sd[sd == 0] = 1.0
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit((x - mu) / sd, y)
    w = lr.coef_[0] / sd
    b = float(lr.intercept_[0] - np.sum(lr.coef_[0] * mu / sd))
    scorer = Scorer(weights={f: float(v) for f, v in zip(FEATURES, w, strict=True)}, bias=b, source="trained")
    return tune(preps, scorer)


def tune(preps: Sequence[Prepared], scorer: Scorer) -> Scorer:
    """Choose accept/weak thresholds and the margin that maximise F1 + evidence-decision accuracy.

    Scores do not depend on the thresholds: candidates are scored and sorted once,
    and only the accept decisions are redone for every setting tried.
    """
    rescored = _rescore(preps, scorer)
    best = (-1.0, scorer.accept, scorer.margin)
    for margin in (0.1, 0.2, 0.3, 0.5):
        for t in np.linspace(0.1, 0.9, 33):
            s = Scorer(scorer.weights, scorer.bias, accept=float(t), weak=float(t) / 2, margin=margin, max_links=scorer.max_links)
            for cands in rescored:
                for cs in cands.values():
                    decide(cs, s)
            total, _ = _score_all(preps, rescored)
            obj = total.f1 + total.decision_accuracy
            if obj > best[0] + 1e-9:
                best = (obj, float(t), margin)
    _, t, margin = best
    return Scorer(scorer.weights, scorer.bias, accept=t, weak=round(t * 0.6, 4), margin=margin, max_links=scorer.max_links, source=scorer.source)


def cross_validate(preps: Sequence[Prepared]) -> tuple[Scores, dict[str, Scores]]:
    """Leave one annotated document pair out: fit on the others (:func:`apart_from` it), score the one left out."""
    total = Scores()
    per = {}
    for i, held in enumerate(preps):
        train = apart_from([p for j, p in enumerate(preps) if j != i], held)
        # a fold whose training pairs hold no accepted link cannot be fitted: the held-out pair is
        # scored by the defaults instead, so that its figures still count
        scorer = fit(train) if _learnable(train) else DEFAULT_SCORER
        s, _ = evaluate([held], scorer)
        per[held.name] = s
        total += s
    return total, per


def annotations_hash(paths: Sequence[Path]) -> str:
    h = hashlib.sha256()
    for p in sorted(paths):
        h.update(p.name.encode())
        h.update(p.read_bytes())
    return h.hexdigest()


def save(scorer: Scorer, directory: Path, *, model: str, annotations: Sequence[Path], metrics: dict) -> Path:  # type: ignore[type-arg]
    """Write (or update) the scorer for this encoder family in ``directory/config.json``."""
    from linker.match import encoder_family

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "config.json"
    config = {"kind": "linker.reranker/1", "features": FEATURES, "retrieve": RETRIEVE, "scorers": {}}
    if path.exists():
        try:
            old = json.loads(path.read_text(encoding="utf-8"))
            if old.get("kind") == "linker.reranker/1" and old.get("features") == FEATURES:
                config["scorers"] = old.get("scorers", {})
        except ValueError:
            pass
    if encoder_family(model) == "st":  # the folder itself, wherever the analysis runs from
        model = "st:" + str(Path(model.split(":", 1)[1]).expanduser().resolve())
    config["scorers"][encoder_family(model)] = {
        "scorer": scorer.to_json(),
        "encoder": model,
        "annotations": [p.name for p in sorted(annotations)],
        "annotations_sha256": annotations_hash(annotations),
        "linker_version": __version__,
        "trained": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "metrics": metrics,
    }
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(config, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


__all__ = ["C_GRID", "DEFAULT_SCORER", "Prepared", "analyse_pair", "apart_from", "choose_c", "cross_validate", "evaluate", "fit", "prepare", "prepared", "save", "tune"]
