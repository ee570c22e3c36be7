"""How far two annotators agree on the same document pair, and where the model stands between them.

    python bench/agreement.py annotations/A.jsonl annotations/agreement/A.B.jsonl [--model e5]

Both files judge the same (goal document, evidence document) pair. Their quotes are
mapped onto one analysis's units exactly as gold is (linker.evaluate), and the script
prints

* link agreement: precision / recall / F1 of the second annotator's links against the
  first's (F1 is symmetric);
* "has evidence" agreement per sub-goal judged by both: raw share and Cohen's kappa;
* the model's held-out links (re-ranker fitted on every other annotated pair, the fold
  of leave-one-document-out cross-validation that leaves this pair out, with what this
  pair judges taken out of the others: linker.train.apart_from) scored against
  each annotator, and leniently against either (a link counts when one of them made it).

Human agreement is the ceiling a matcher can be expected to reach under these rules.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> int:
    from linker.evaluate import Gold, agreement, load_gold, map_gold, score
    from linker.train import _rescore, analyse_pair, apart_from, fit, prepare, prepared

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("first", type=Path, help="annotations of the first annotator (part of the gold)")
    ap.add_argument("second", type=Path, help="annotations of the second annotator, same document pair")
    ap.add_argument("--model", default="e5")
    ap.add_argument("--annotations", type=Path, default=ROOT / "annotations")
    args = ap.parse_args()

    (ga,), (gb,) = load_gold([args.first]), load_gold([args.second])
    if (ga.goal_document, ga.evidence_document) != (gb.goal_document, gb.evidence_document):
        print("the two files judge different document pairs", file=sys.stderr)
        return 1
    everything = load_gold(sorted(args.annotations.glob("*.jsonl")))
    pair = (ga.goal_document, ga.evidence_document)
    # the held-out pair is analysed once: both annotators' quotes are mapped onto its units
    a = analyse_pair(ga, ROOT, model=args.model)
    held = prepared(a, ga)
    others = prepare([gs for gs in everything if (gs.goal_document, gs.evidence_document) != pair], ROOT, model=args.model)
    gold_a, gold_b = held.gold, map_gold(a, gb)
    ag = agreement(gold_a, gold_b)
    both = gold_a.judged & gold_b.judged
    la = {x for x in gold_a.links if x[0] in both}
    lb = {x for x in gold_b.links if x[0] in both}
    print(f"pair {ga.name}: sub-goals judged by both {ag.subgoals}, links first {ag.links_first}, "
          f"second {ag.links_second}, common {ag.common}")
    print(f"  link agreement          P {ag.precision:.3f}  R {ag.recall:.3f}  F1 {ag.f1:.3f}")
    print(f"  has-evidence agreement  {ag.has_evidence_agreement:.3f}  (Cohen's kappa {ag.kappa:.3f}; "
          f"evidenced first {ag.evidenced_first}, second {ag.evidenced_second})")
    if gold_a.unmapped or gold_b.unmapped:
        print(f"  quotes that are no evidence unit (e.g. headings): first {gold_a.unmapped}, second {gold_b.unmapped}")

    scorer = fit(apart_from(others, held))
    (cands,) = _rescore([held], scorer)
    lenient = Gold(judged=both, links=la | lb)
    for label, g in (("first", Gold(both, la)), ("second", Gold(both, lb)), ("either", lenient)):
        s = score(cands, g)
        print(f"  model (held out) vs {label:<6} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}  "
              f"recall@3 {s.recall_at_k:.3f}  has-evidence {s.decision_accuracy:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
