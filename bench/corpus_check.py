"""Cross-document runs on the held-out corpus (../shared/corpus): a generalisation check only.

    python bench/corpus_check.py [--model e5]

The corpus is never annotated or tuned on. For each target → results pair this
prints the goals and sub-goals found, the statuses, and the verdict on targets
whose outcome SOURCES.md states (e.g. Beijing's 2024 一般公共预算收入增长 5% against
a reported 3.1%: not met).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
sys.path.insert(0, str(ROOT))

PAIRS = [
    ("gwr_cn_2016.txt", "gwr_cn_2021.txt"),
    ("gwr_cn_2018.txt", "gwr_cn_2019.txt"),
    ("gwr_cn_2023.txt", "gwr_cn_2024.txt"),
    ("gwr_bj_2024.txt", "gwr_bj_2025.txt"),
    ("zpb_cq_yuzhong_2021.txt", None),
]
# (pair, words of the sub-goal, status a reader of SOURCES.md expects)
KNOWN = [
    ("gwr_bj_2024.txt", "一般公共预算收入增长", "unmet"),
    ("gwr_cn_2018.txt", "国内生产总值增长", "met"),
    ("gwr_cn_2023.txt", "城镇调查失业率", "met"),
    ("gwr_cn_2023.txt", "粮食产量", "met"),
    ("zpb_cq_yuzhong_2021.txt", "预算执行率", "unmet"),
    ("zpb_cq_yuzhong_2021.txt", "城镇新增就业人数", "met"),
]


def main() -> None:
    from linker.pipeline import Options, analyze

    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="e5")
    args = ap.parse_args()
    if not CORPUS.exists():
        sys.exit(f"{CORPUS} is not here")
    right = 0
    for goals, evidence in PAIRS:
        opts = Options(model=args.model, use_store=False)
        a = analyze(CORPUS / goals, [CORPUS / evidence] if evidence else [], opts)
        status = Counter(a.verdicts[sg.id].status.value for _, sg in a.subgoals())
        print(f"{goals} → {evidence or '(itself)'}: {len(a.goals)} goals, {sum(status.values())} sub-goals, {dict(status)}")
        for name, words, expected in KNOWN:
            if name != goals:
                continue
            sg = next((sg for _, sg in a.subgoals() if words in sg.text), None)
            got = a.verdicts[sg.id].status.value if sg else "not found"
            note = a.verdicts[sg.id].note if sg else ""
            right += got == expected
            print(f"    {words}: {got} (expected {expected}) {note[:70]}")
    print(f"known outcomes right: {right}/{len(KNOWN)}")


if __name__ == "__main__":
    main()
