"""Reports per minute of ``linker batch`` on this machine, and what the skip saves.

Builds a folder of copies of the example reports (000 and 004 alone; 003 against 001
through a manifest), each copy edited a little (a dated line appended, a sentence
repeated) so no two are the same document, then runs :func:`linker.batch.run_batch`
twice into the same output folder: the first run analyses every report, the second
finds them all unchanged and skips them. Embeddings are not cached by default, so the
copies do not speed each other up (``--cache`` to use a fresh cache file instead).

    python bench/batch_speed.py [--copies 2] [--workers N] [--model e5] [--cache]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

EXAMPLES = ROOT / "examples"
SINGLE = ["000_3d28e81d7327b640.txt", "004_80b70c2aac03ec7c.txt"]  # 002 has no goal section of its own
PLAN, RESULTS = "003_666c668a4aecd772.txt", "001_255e7cc77b2edc79.txt"


def edited(text: str, k: int) -> str:
    """The report with small edits that make copy ``k`` its own document."""
    lines = text.splitlines()
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    lines.insert(longest + 1, lines[longest])
    lines.append(f"（本文件为第 {k} 份副本，{2020 + k % 5}年{1 + k % 12}月印发。）")
    return "\n".join(lines) + "\n"


def build(folder: Path, copies: int) -> int:
    manifest = {"reports": []}
    n = 0
    for k in range(1, copies + 1):
        for name in SINGLE:
            (folder / f"{Path(name).stem}-{k}.txt").write_text(edited((EXAMPLES / name).read_text(encoding="utf-8"), k), encoding="utf-8")
            n += 1
        plan, results = f"plan-{k}.txt", f"results-{k}.txt"
        (folder / plan).write_text(edited((EXAMPLES / PLAN).read_text(encoding="utf-8"), k), encoding="utf-8")
        (folder / results).write_text(edited((EXAMPLES / RESULTS).read_text(encoding="utf-8"), k), encoding="utf-8")
        manifest["reports"].append({"name": f"plan-vs-results-{k}", "goals": plan, "evidence": [results]})
        n += 1
    (folder / "linker-batch.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return n


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=2, help="copies of each example job")
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one a core)")
    parser.add_argument("--model", default="e5")
    parser.add_argument("--cache", action="store_true", help="embed through a fresh cache file (copies then share vectors)")
    args = parser.parse_args(argv)

    from linker.batch import run_batch
    from linker.pipeline import Options

    with tempfile.TemporaryDirectory(prefix="linker-batch-bench-") as tmp:
        src, out = Path(tmp) / "reports", Path(tmp) / "out"
        src.mkdir()
        os.environ["LINKER_CACHE"] = str(Path(tmp) / "embeddings.sqlite")
        jobs = build(src, args.copies)
        size = sum(p.stat().st_size for p in src.iterdir()) / 1024
        opts = Options(model=args.model, use_cache=args.cache, reranker=ROOT / "models" / "reranker")
        workers = args.workers or os.cpu_count() or 1
        print(f"{jobs} reports ({size:.0f} KB), model {args.model}, {workers} workers on {os.cpu_count()} cores, "
              f"embedding cache {'fresh file' if args.cache else 'off'}")
        print(f"{'run':<8} {'seconds':>8} {'analysed':>9} {'skipped':>8} {'failed':>7} {'reports/min':>12}")
        for run in ("first", "second"):
            t0 = time.perf_counter()
            result = run_batch(src, out, opts, formats=("html", "xlsx"), workers=args.workers)
            seconds = time.perf_counter() - t0
            rate = len(result.results) / seconds * 60 if seconds else float("inf")
            print(f"{run:<8} {seconds:8.1f} {result.analysed:9d} {result.skipped:8d} {len(result.errors):7d} {rate:12.1f}", flush=True)
            for name, err in result.errors:
                print(f"  failed {name}: {err}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
