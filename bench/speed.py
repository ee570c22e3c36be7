"""Speed and memory of an analysis: cold, warm (cached), and the encoder alone.

    python bench/speed.py

For seed 000 alone and for plan 003 against summary 001, each in a fresh process:

* cold: first analysis with an empty embedding cache (includes loading spaCy, jieba, e5);
* warm: the same analysis again in the same process (cache filled, libraries loaded);
* encoder: e5 embedding, once and without cache, exactly the texts the analysis embeds;
* peak memory (max RSS of the process).

Targets (issue 6): cold <= 1.3 x encoder, warm <= 1 s, peak <= 1.5 GB.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = {
    "000": ("examples/000_3d28e81d7327b640.txt", []),
    "003→001": ("examples/003_666c668a4aecd772.txt", ["examples/001_255e7cc77b2edc79.txt"]),
}

CHILD = r"""
import json, resource, sys, time
from pathlib import Path
goal, evidence, cache = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
t0 = time.perf_counter()
from linker.pipeline import Options, analyze
opts = Options(cache=cache, use_store=False)
a = analyze(goal, evidence, opts)
cold = time.perf_counter() - t0
t1 = time.perf_counter()
analyze(goal, evidence, opts)
warm = time.perf_counter() - t1
# the texts the analysis embedded, embedded again without a cache
from linker.encoders import E5Encoder
from linker.match import passage_texts, query_texts
subgoals = [sg for g in a.goals for sg in g.subgoals]
queries = list(dict.fromkeys(query_texts(a.goals)))
passages = list(dict.fromkeys(passage_texts(a.units)))
enc = E5Encoder()
t2 = time.perf_counter()
for i in range(0, len(queries), 32):
    enc.encode(queries[i:i+32], query=True)
for i in range(0, len(passages), 32):
    enc.encode(passages[i:i+32], query=False)
encoder = time.perf_counter() - t2
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"cold": cold, "warm": warm, "encoder": encoder, "peak_mb": peak, "texts": len(queries) + len(passages),
                  "subgoals": len(subgoals), "units": len(a.units), "stages": a.timings}))
"""


def main() -> None:
    print(f"{'case':<10}{'cold s':>9}{'warm s':>9}{'encoder s':>11}{'cold/enc':>10}{'peak MB':>10}{'texts':>8}")
    for name, (goal, evidence) in CASES.items():
        with tempfile.TemporaryDirectory() as tmp:
            out = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / goal), json.dumps([str(ROOT / e) for e in evidence]),
                                  str(Path(tmp) / "cache.sqlite")], capture_output=True, text=True, check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{name:<10}{r['cold']:>9.2f}{r['warm']:>9.2f}{r['encoder']:>11.2f}{r['cold'] / r['encoder']:>10.2f}"
              f"{r['peak_mb']:>10.0f}{r['texts']:>8}")
        print(f"{'':<10}stages of the cold run: {r['stages']}")


if __name__ == "__main__":
    main()
