"""Audit per-channel monthly exports with planted conflicts: recall, wall time, peak memory.

Usage: python bench/bench_channels.py [N ...] [--households H] [--engine duckdb|python]
       (default: 1000000 5000000, and 1000000 again with a household per quote)

Each dataset is what real systems export: one CSV file per channel for the month
(bench/gen_channels.py), with planted cross-channel gaps and household conflicts
(the spouse quoted 10% less by phone, 1 to 20 hours later, often across midnight).
The audit runs as a child process (``consistency audit --format json``), so its
peak resident memory is measured alone. Printed per run: quotes, wall seconds,
quotes/s, peak MB, and recall and precision of the planted cases against the
generator's truth (recall must be 100%).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_audit import PEAK  # noqa: E402
from gen_channels import write  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def measure(n: int, households: int, engine: str) -> dict:
    folder = OUT / f"channels-{n}-{households}"
    config = folder / "consistency.yaml"
    if not (folder / "truth.json").is_file():
        write(n, folder, households)
    report = folder / f"result-{engine}.json"
    command = [sys.executable, "-m", "consistency", "audit", "--config", str(config)]
    command += ["--format", "json", "--output", str(report), "--fail-on", "never"]
    command += ["--engine", engine]
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"audit failed ({done.returncode}): {done.stderr[-2000:]}")
    result = json.loads(report.read_text(encoding="utf-8"))
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    return {
        "n": result["summary"]["observations"],
        "wall": wall,
        "peak_mb": int(done.stdout.split()[-1]) / 1024,
        **score(result, truth),
    }


def score(result: dict, truth: dict) -> dict:
    found_gaps = {
        (f["product"], f["message"].split(" on ")[1][:10])
        for f in result["findings"]
        if f["rule"] == "cross-channel-gap"
    }
    found_households = {
        f["observed"]["customer"]
        for f in result["findings"]
        if f["rule"] == "customer-quote-conflict"
    }
    gaps, households = {tuple(g) for g in truth["gaps"]}, set(truth["conflicts"])
    return {
        "gaps": f"{len(found_gaps & gaps)}/{len(gaps)}",
        "gaps_extra": len(found_gaps - gaps),
        "households": f"{len(found_households & households)}/{len(households)}",
        "households_extra": len(found_households - households),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*")
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--engine", default="duckdb", choices=["duckdb", "python"])
    args = parser.parse_args()
    runs = [(n, args.households) for n in args.n] or [
        (1_000_000, 200_000),
        (5_000_000, 200_000),
        (1_000_000, 0),
    ]
    print(
        f"{'quotes':>10} {'households':>10} {'engine':>7} {'wall s':>7} {'quotes/s':>9} "
        f"{'peak MB':>8} {'gaps found':>10} {'extra':>5} {'households found':>16} {'extra':>5}"
    )
    for n, households in runs:
        r = measure(n, households, args.engine)
        who = "each own" if households == 0 else f"{households:,}"
        print(
            f"{r['n']:>10,} {who:>10} {args.engine:>7} {r['wall']:>7.1f} "
            f"{r['n'] / r['wall']:>9,.0f} {r['peak_mb']:>8.0f} {r['gaps']:>10} "
            f"{r['gaps_extra']:>5} {r['households']:>16} {r['households_extra']:>5}"
        )


if __name__ == "__main__":
    main()
