"""How reading time grows with the size of a report.

Replicates an example text report to 1, 2, 4, 8, 16 and 50 MB, reads each copy
through ``linker.io.read``, normalises it (``linker.normalize``) and builds its section
tree (``linker.structure``), and prints MB, seconds and seconds per MB for each stage:
the s/MB columns should stay about flat (reading time linear in the size).

    python bench/read_speed.py [--source examples/000_….txt] [--sizes 1,2,4,8,16,50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import linker.io

MB = 1024 * 1024


def replicate(source: bytes, size: int) -> bytes:
    """The report repeated (whole copies, then a cut at a line end) to about `size` bytes."""
    copies = [source] * (size // len(source))
    rest = source[: size - len(source) * len(copies)]
    cut = rest.rfind(b"\n")
    copies.append(rest[: cut + 1] if cut >= 0 else b"")
    return b"".join(copies)


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=ROOT / "examples" / "000_3d28e81d7327b640.txt")
    parser.add_argument("--sizes", default="1,2,4,8,16,50", help="sizes in MB, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the best is shown")
    args = parser.parse_args(argv)

    from linker.normalize import normalize
    from linker.structure import structure

    source = args.source.read_bytes()
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]
    header = f"{'MB':>6} {'read s':>9} {'read s/MB':>10} {'norm s':>9} {'norm s/MB':>10} {'struct s':>9} {'struct s/MB':>11} {'sections':>9}"
    print(f"source: {args.source.name} ({len(source) / 1024:.0f} KB), best of {args.repeat}")
    print(header)
    with tempfile.TemporaryDirectory(prefix="linker-bench-") as tmp:
        for size in sizes:
            path = Path(tmp) / f"report_{size:g}MB{args.source.suffix}"
            path.write_bytes(replicate(source, int(size * MB)))
            mb = path.stat().st_size / MB
            seconds = best_of(args.repeat, partial(linker.io.read, path))
            line = f"{mb:6.1f} {seconds:9.3f} {seconds / mb:10.4f}"
            reading = linker.io.read(path)
            nseconds = best_of(args.repeat, partial(normalize, reading))
            line += f" {nseconds:9.3f} {nseconds / mb:10.4f}"
            # structure() fills doc.sections in place: time it on a fresh document each run
            stimes = []
            for _ in range(args.repeat):
                doc = normalize(reading)
                t0 = time.perf_counter()
                structure(doc)
                stimes.append(time.perf_counter() - t0)
            sseconds = min(stimes)
            line += f" {sseconds:9.3f} {sseconds / mb:11.4f} {len(doc.sections):9d}"
            print(line, flush=True)
            del doc, reading
            path.unlink()
    return 0


if __name__ == "__main__":
    sys.exit(main())
