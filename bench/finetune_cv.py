"""Does fine-tuning the encoder on the annotations help? Leave-one-document-out, honestly.

    python bench/finetune_cv.py [--base models/e5-st] [--epochs 1] [--lr 2e-5]

For every annotated pair: the encoder (by default the bundled e5, exported with
``linker export-e5``) is fine-tuned on the accepted links of the other pairs only
(linker.finetune, as ``linker train --finetune`` does), every pair is analysed with
it, the re-ranker is fitted on the other pairs and scored on the held-out one. Pairs
share documents, so the other pairs first lose the sub-goals the held-out pair judges
and the sentences it links (for the encoder by quote, for the re-ranker by
linker.train.apart_from): otherwise 003's goals, fine-tuned against 000's sentences,
would be "held out" against 001.
Prints the held-out figures per pair and overall, beside the same procedure with
the encoder left as it is. Fine-tuning has dropout, so one seed is one draw: give
several ``--seed`` to see the spread. About 10 minutes a seed on 2 cores.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _apart(gs, held):  # type: ignore[no-untyped-def]
    """``gs`` without the sub-goals ``held`` judges and the sentences it links (quotes matched either way round)."""
    from linker.evaluate import GoldSet

    subgoals = {r.subgoal for r in held.records}
    linked = [r.evidence for r in held.records if r.label == "accept" and r.evidence]

    def shared(quote: str | None) -> bool:
        return bool(quote) and any(quote in q or q in quote for q in linked)

    return GoldSet(gs.goal_document, gs.evidence_document,
                   [r for r in gs.records if r.subgoal not in subgoals and not shared(r.evidence)])


def main() -> None:
    from linker.e5export import export_e5
    from linker.evaluate import Scores, load_gold
    from linker.finetune import finetune_encoder
    from linker.train import apart_from, evaluate, fit, prepare

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", type=Path, default=None, help="sentence-transformers model to start from (default: e5, exported)")
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", type=float, default=2e-5)
    ap.add_argument("--seed", type=int, action="append", help="fine-tune with these seeds (repeat the option); default 13")
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    args = ap.parse_args()
    sets = load_gold(sorted(args.annotations.glob("*.jsonl")))
    with tempfile.TemporaryDirectory(prefix="linker-ft-") as tmp:
        os.environ["LINKER_CACHE"] = str(Path(tmp) / "embeddings.sqlite")  # fold models are thrown away
        base = args.base or export_e5(Path(tmp) / "e5-st")
        plain = prepare(sets, ROOT, model=f"st:{base}")
        totals = {"as shipped": Scores()}
        for i, gs in enumerate(sets):
            s, _ = evaluate([plain[i]], fit(apart_from([p for j, p in enumerate(plain) if j != i], plain[i])))
            totals["as shipped"] += s
            print(f"{gs.name[:44]:<44} {'as shipped':<16} {s.as_dict()}", flush=True)
        for seed in args.seed or [13]:
            for i, gs in enumerate(sets):
                train = [_apart(s, gs) for j, s in enumerate(sets) if j != i]
                tuned_dir = finetune_encoder(str(base), train, ROOT, Path(tmp) / f"seed{seed}-fold{i}",
                                             epochs=args.epochs, lr=args.lr, seed=seed)
                label = f"tuned, seed {seed}"
                preps = prepare(sets, ROOT, model=f"st:{tuned_dir}")
                s, _ = evaluate([preps[i]], fit(apart_from([p for j, p in enumerate(preps) if j != i], preps[i])))
                totals.setdefault(label, Scores())
                totals[label] += s
                print(f"{gs.name[:44]:<44} {label:<16} {s.as_dict()}", flush=True)
                shutil.rmtree(tuned_dir)
        for label, s in totals.items():
            print(f"{'ALL':<44} {label:<16} {s.as_dict()}")


if __name__ == "__main__":
    main()
