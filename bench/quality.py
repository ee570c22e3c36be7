"""Link quality against the annotations in annotations/: P/R/F1, recall@3, evidence-decision accuracy.

    python bench/quality.py [--model e5|lexical|st:PATH ...]

Per gold set and overall, for the scorer as shipped in models/reranker (trained on these
same annotations, so optimistic). ``linker eval`` prints the cross-validated figures
before and after training; both use linker.evaluate.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    from linker.evaluate import Scores, load_gold, map_gold, score
    from linker.pipeline import Options, analyze

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", action="append", default=None)
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    args = ap.parse_args()
    models = args.model or ["e5", "lexical"]
    sets = load_gold(sorted(args.annotations.glob("*.jsonl")))
    for model in models:
        total = Scores()
        print(f"== model {model}")
        for gs in sets:
            ev = [ROOT / gs.evidence_document] if gs.evidence_document != gs.goal_document else []
            a = analyze(ROOT / gs.goal_document, ev, Options(model=model, use_store=False))
            gold = map_gold(a, gs)
            s = score(a.candidates, gold)
            total += s
            print(f"  {gs.name:<40} {s.as_dict()}  unmapped={gold.unmapped}")
        print(f"  {'ALL':<40} {total.as_dict()}")


if __name__ == "__main__":
    main()
