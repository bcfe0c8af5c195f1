"""The spark engine (Spark local mode) beside the duckdb engine, on the same per-channel files.

Usage: python bench/bench_spark.py [N ...] [--master local[*]]   (default: 1000000)

For each N, bench/gen_channels.py writes a month of per-channel CSV exports (kept
in bench/out for the next run). Then ``consistency audit`` runs as a child process
with ``--engine duckdb`` and with ``--engine spark``, each writing its JSON report;
the bench prints each one's wall time and peak memory, and whether the two reports
hold the same findings (the same JSON, run details aside).

Peak memory is the largest sum of the resident sets of the audit's process tree
(Python, and Spark's JVM), sampled every 0.1 s from /proc: Linux only. The spark
engine's wall time includes starting the JVM.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_channels import write  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and every descendant (0 for a process gone)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            status = Path(f"/proc/{current}/status").read_text()
            tasks = list(Path(f"/proc/{current}/task").iterdir())
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
        for task in tasks:
            try:
                todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    return total


def run(command: list[str]) -> tuple[float, float]:
    """Wall seconds and peak MB of the process tree of ``command``."""
    started = time.perf_counter()
    child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    while child.poll() is None:
        peak = max(peak, tree_rss(child.pid))
        time.sleep(0.1)
    wall = time.perf_counter() - started
    stderr = child.stderr.read().decode("utf-8", "replace")
    if child.returncode not in (0, 1):
        raise SystemExit(f"{command[3:8]} failed ({child.returncode}): {stderr[-2000:]}")
    return wall, peak / 1e6


def findings(report: Path) -> tuple[list[str], dict]:
    data = json.loads(report.read_text(encoding="utf-8"))
    data.pop("run")
    return sorted(json.dumps(f, sort_keys=True) for f in data.pop("findings")), data


def measure(n: int, master: str) -> dict:
    folder = OUT / f"channels-{n}-200000"
    if not (folder / "truth.json").is_file():
        write(n, folder)
    row = {"n": n}
    for engine in ("duckdb", "spark"):
        report = folder / f"bench-spark-{engine}.json"
        command = [sys.executable, "-m", "consistency", "audit", "--engine", engine]
        command += ["--spark-master", master, "--config", str(folder / "consistency.yaml")]
        command += ["--format", "json", "--output", str(report), "--fail-on", "never"]
        row[engine], row[f"{engine}_mb"] = run(command)
        row[f"{engine}_report"] = findings(report)
    row["same"] = row["duckdb_report"] == row["spark_report"]
    row["findings"] = len(row["duckdb_report"][0])
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*")
    parser.add_argument("--master", default="local[*]")
    args = parser.parse_args()
    print(
        f"{'quotes':>11} {'duckdb s':>9} {'duckdb MB':>10} {'spark s':>8} {'spark MB':>9}"
        f" {'findings':>9}  same findings"
    )
    for n in args.n or [1_000_000]:
        r = measure(n, args.master)
        print(
            f"{r['n']:>11,} {r['duckdb']:>9.1f} {r['duckdb_mb']:>10.0f} {r['spark']:>8.1f}"
            f" {r['spark_mb']:>9.0f} {r['findings']:>9}  {'yes' if r['same'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
