"""How much better held-out link F1 gets when the decision is tuned on the held-out document itself.

    python bench/ceiling.py [--model e5]

For every annotated pair, the re-ranker is fitted on the others (one fold of
leave-one-document-out cross-validation, linker.train.apart_from) and its held-out
candidates are scored once.
The script prints the F1 of the decision rule tuned on the training pairs, and the best
F1 any accept threshold, margin and link cap reach on the held-out pair (an oracle that
sees the held-out gold). A small difference means the thresholds are not the limit: the
scores do not order right and wrong evidence well enough.
It also prints how well the best held-out candidate's score tells a sub-goal with gold
evidence from one without (ROC AUC, per pair and over all pairs).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from sklearn.metrics import roc_auc_score

    from linker.evaluate import load_gold
    from linker.match import Scorer, decide
    from linker.train import _rescore, _score_all, apart_from, fit, prepare

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="e5")
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    args = ap.parse_args()
    preps = prepare(load_gold(sorted(args.annotations.glob("*.jsonl"))), ROOT, model=args.model)
    print(f"{'held-out pair':<44} {'tuned F1':>8} {'oracle F1':>9} {'AUC':>5}  oracle rule")
    pooled: list[tuple[float, int]] = []
    for i, held in enumerate(preps):
        scorer = fit(apart_from([p for j, p in enumerate(preps) if j != i], held))
        (cands,) = _rescore([held], scorer)
        tuned, _ = _score_all([held], [cands])
        evidenced = held.gold.evidenced()
        best_of = [(cands[s][0].score if cands.get(s) else 0.0, int(s in evidenced)) for s in sorted(held.gold.judged)]
        pooled += best_of
        labels = {y for _, y in best_of}
        auc = roc_auc_score([y for _, y in best_of], [x for x, _ in best_of]) if len(labels) == 2 else float("nan")
        best = (-1.0, "")
        for margin in (0.1, 0.2, 0.3, 0.5, 1.0):
            for cap in (2, 3, 4, 6):
                for t in np.linspace(0.02, 0.9, 45):
                    rule = Scorer(scorer.weights, scorer.bias, accept=float(t), weak=float(t) / 2, margin=margin, max_links=cap)
                    for cs in cands.values():
                        decide(cs, rule)
                    s, _ = _score_all([held], [cands])
                    if s.f1 > best[0]:
                        best = (s.f1, f"accept {t:.2f}, margin {margin}, cap {cap}")
        print(f"{held.name:<44} {tuned.f1:>8.3f} {best[0]:>9.3f} {auc:>5.2f}  {best[1]}")
    auc = roc_auc_score([y for _, y in pooled], [x for x, _ in pooled])
    print(f"best held-out score against \"has evidence\", all pairs: AUC {auc:.2f}")


if __name__ == "__main__":
    main()
