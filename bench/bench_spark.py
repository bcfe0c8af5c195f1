"""The spark engine (Spark local mode) beside the duckdb engine, on the same per-channel files.

Usage: python bench/bench_spark.py [N ...] [--master local[*]] [--layout csv|jsonl|parquet]
                                   [--replies R]              (default: 1000000, csv, 0)

For each N, bench/gen_channels.py writes a month of per-channel CSV exports (kept
in bench/out for the next run). ``--layout`` rewrites them as JSON Lines (empty
fields left out) or Parquet (empty fields NULL), which both engines read with their
own readers. ``--replies R`` adds a JSON Lines export of R chat replies built from
the demo company's texts (prices in words and digits, answers to route, forbidden
phrases) and the demo's approved answers: the spark engine reads and checks those on
its executors (consistency/spark_text.py). Then ``consistency audit`` runs as a child process
with ``--engine duckdb`` and with ``--engine spark``, each writing its JSON report;
the bench prints each one's wall time and peak memory, and whether the two reports
hold the same findings (the same JSON, run details aside).

Peak memory is the largest sum of the resident sets of the audit's process tree
(Python, and Spark's JVM), sampled every 0.1 s from /proc: Linux only. The spark
engine's wall time includes starting the JVM.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gen_channels import write  # noqa: E402
from gen_common import CHANNELS, DEMO, write_config  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
SAID = [  # replies a chat agent or bot writes, beside the demo's transcripts
    "אמרתי ללקוח שסיב 500 עולה תשעים ותשע תשעים לחודש",
    "סיב 500 עולה 89.90 ₪ לחודש",
    "סיב 1000 עולה 129.90 ₪ לחודש",
    "התקנת הנתב עולה ₪149.00, בתשלום חד פעמי.",
    "מצטערים, ואין מה לעשות",
    "טכנאי יגיע אליכם תוך 3 ימי עסקים מרגע ההזמנה.",
]


def exports(n: int, layout: str, replies: int) -> Path:
    """The config of N quotes in ``layout`` (and ``replies`` chat replies), written once."""
    base = OUT / f"channels-{n}-200000"
    if not (base / "truth.json").is_file():
        write(n, base)
    if layout == "csv" and not replies:
        return base / "consistency.yaml"
    folder = OUT / f"channels-{n}-200000-{layout}-{replies}"
    config = folder / "consistency.yaml"
    if config.is_file():
        return config
    folder.mkdir(parents=True, exist_ok=True)
    sources = []
    for channel in CHANNELS:
        name = f"{channel}-2026-11.{layout}"
        convert(base / f"{channel}-2026-11.csv", folder / name, layout)
        sources.append((channel, name))
    if replies:
        write_replies(folder / "replies-2026-11.jsonl", replies)
        sources.append(("chat", "replies-2026-11.jsonl"))
    write_config(folder, sources)
    text = config.read_text(encoding="utf-8")
    answers = f"answers: {DEMO / 'answers.yaml'}\nsources:\n"
    config.write_text(text.replace("sources:\n", answers, 1), encoding="utf-8")
    return config


def convert(csv_path: Path, out: Path, layout: str) -> None:
    """One CSV export as JSON Lines (empty fields left out) or Parquet (empty fields NULL)."""
    if layout == "csv":
        out.write_bytes(csv_path.read_bytes())
    elif layout == "jsonl":
        with csv_path.open(encoding="utf-8", newline="") as src, out.open("w") as dst:
            for row in csv.DictReader(src):
                dst.write(json.dumps({k: v for k, v in row.items() if v}) + "\n")
    else:
        import duckdb

        select = f"SELECT * FROM read_csv('{csv_path}', all_varchar = true, header = true)"
        duckdb.connect().execute(f"COPY ({select}) TO '{out}' (FORMAT parquet)")


def write_replies(path: Path, n: int, seed: int = 10) -> None:
    """``n`` chat replies in November 2026 from the demo's transcripts and SAID."""
    rng = random.Random(seed)
    transcripts = DEMO / "exports" / "chat" / "transcripts-2026-11.jsonl"
    texts = [json.loads(line)["text"] for line in transcripts.read_text().splitlines()]
    texts += SAID
    answers = [None, None, "cancellation-fee", "install-time", "refund-time"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            day, minute = rng.randrange(1, 30), rng.randrange(8 * 60, 20 * 60)
            record = {
                "id": f"reply-{i}",
                "channel": "chat",
                "at": f"2026-11-{day:02d}T{minute // 60:02d}:{minute % 60:02d}:00",
                "text": rng.choice(texts),
                "ref": f"chat-{i}",
            }
            if answer := rng.choice(answers):
                record["answer"] = answer
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


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


def measure(n: int, master: str, layout: str = "csv", replies: int = 0) -> dict:
    config = exports(n, layout, replies)
    folder = config.parent
    row = {"n": n}
    for engine in ("duckdb", "spark"):
        report = folder / f"bench-spark-{engine}.json"
        command = [sys.executable, "-m", "consistency", "audit", "--engine", engine]
        command += ["--spark-master", master, "--config", str(config)]
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
    parser.add_argument("--layout", choices=("csv", "jsonl", "parquet"), default="csv")
    parser.add_argument("--replies", type=int, default=0, help="chat replies to add")
    args = parser.parse_args()
    print(f"layout {args.layout}, {args.replies:,} chat replies, Spark master {args.master}")
    print(
        f"{'quotes':>11} {'duckdb s':>9} {'duckdb MB':>10} {'spark s':>8} {'spark MB':>9}"
        f" {'findings':>9}  same findings"
    )
    for n in args.n or [1_000_000]:
        r = measure(n, args.master, args.layout, args.replies)
        print(
            f"{r['n']:>11,} {r['duckdb']:>9.1f} {r['duckdb_mb']:>10.0f} {r['spark']:>8.1f}"
            f" {r['spark_mb']:>9.0f} {r['findings']:>9}  {'yes' if r['same'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
