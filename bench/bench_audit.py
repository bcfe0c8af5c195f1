"""Audit N generated quote records and print wall time, records per second and peak memory.

Usage: python bench/bench_audit.py [N ...] [--format csv|jsonl]   (default: 1000000)

Each audit runs as a child process (`consistency audit ... --format json`), so
its peak resident memory is measured alone. Memory should stay flat as N grows.
--jobs passes through to the audit (the DuckDB store's threads; default: every core).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_quotes import write  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
# Runs the audit as its own child and prints that child's peak resident set (KiB) alone.
PEAK = (
    "import resource, subprocess, sys; "
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode; "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(code)"
)


def measure(n: int, fmt: str, jobs: int | None = None) -> dict:
    folder = OUT / f"audit-{fmt}-{n}"
    config = write(n, folder, fmt)
    report = folder / "result.json"
    command = [
        sys.executable,
        "-m",
        "consistency",
        "audit",
        "--config",
        str(config),
        "--format",
        "json",
        "--output",
        str(report),
        "--fail-on",
        "never",
    ]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"audit failed ({done.returncode}): {done.stderr[-2000:]}")
    summary = json.loads(report.read_text(encoding="utf-8"))["summary"]
    return {
        "n": n,
        "format": fmt,
        "wall_s": wall,
        "rate": n / wall,
        "peak_mb": int(done.stdout.split()[-1]) / 1024,
        "findings": summary["findings"],
        "observations": summary["observations"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*", default=[1_000_000])
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    parser.add_argument("--jobs", type=int, help="processes (default: the tool's choice)")
    args = parser.parse_args()
    print(f"{'records':>10} {'format':>6} {'wall s':>8} {'records/s':>10} {'peak MB':>8}  findings")
    for n in args.n:
        row = measure(n, args.format, args.jobs)
        print(
            f"{row['n']:>10,} {row['format']:>6} {row['wall_s']:>8.1f} {row['rate']:>10,.0f} "
            f"{row['peak_mb']:>8.0f}  {row['findings']}"
        )


if __name__ == "__main__":
    main()
