"""Our audit beside plain DuckDB SQL doing the same join and groups, on per-channel files.

Usage: python bench/bench_engine.py [N ...]   (default: 1000000 10000000)

For each N, bench/gen_channels.py writes a month of per-channel CSV exports. Then,
side by side in one run:

- ``consistency audit --engine duckdb`` as a child process (wall time, peak memory);
- the same work as one plain DuckDB SQL script in a child process: read the files,
  convert local times to UTC, join each quote to its price window, count the quotes
  off the list price, group per product-day-channel extremes, and find households
  quoted differently within 24 hours with a range-framed window. It is what a
  hand-written query would do, without causes, messages, evidence or a report;

and their ratio (our wall time / the SQL's; with ``--repeat K``, the best of K
interleaved runs of each, since a shared machine's load moves both). Then the
routing figure: unique replies routed per CPU second (bench_answers.py).

Before timing, the package's modules are compiled to bytecode, as ``pip install``
compiles them: a checkout run with PYTHONDONTWRITEBYTECODE (as here) would otherwise
compile every module at each start, a cost no installed copy pays.
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
from gen_channels import PRICES, write  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
PLAIN_SQL = """
import sys, duckdb
folder, prices = sys.argv[1], sys.argv[2]
con = duckdb.connect(config={"memory_limit": "256MB", "threads": 2})
con.execute("CREATE TABLE prices AS SELECT * FROM (VALUES " + prices + ") p(product, price)")
con.execute(f'''
CREATE TABLE q AS
SELECT id, channel, customer, product, CAST(amount AS DECIMAL(18, 4)) AS amount,
       CAST("at" AS TIMESTAMP) AS local_ts,
       epoch_us(timezone('Asia/Jerusalem', CAST("at" AS TIMESTAMP))) AS t
FROM read_csv('{folder}/*-2026-11.csv', all_varchar = true)
''')
off = con.execute('''
SELECT count(*) FROM q JOIN prices USING (product) WHERE abs(q.amount - prices.price) > 0.01
''').fetchone()
gaps = con.execute('''
SELECT count(*) FROM (
  SELECT product, CAST(local_ts AS DATE) AS day, channel, min(amount) AS lo, max(amount) AS hi
  FROM q GROUP BY ALL)
GROUP BY product, day HAVING count(*) > 1 AND max(hi) - min(lo) > 0.01
''').fetchall()
households = con.execute('''
SELECT count(DISTINCT customer) FROM (
  SELECT customer, max(amount) OVER w - min(amount) OVER w AS gap FROM q
  WINDOW w AS (PARTITION BY customer, product ORDER BY t
               RANGE BETWEEN 86400000000 PRECEDING AND CURRENT ROW))
WHERE gap > 0.01
''').fetchone()
print(off[0], len(gaps), households[0], file=sys.stderr)
"""


def timed(command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", PEAK, *command], capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"{command[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, int(done.stdout.split()[-1]) / 1024


def measure(n: int) -> dict:
    folder = OUT / f"channels-{n}-200000"
    if not (folder / "truth.json").is_file():
        write(n, folder)
    ours = [
        sys.executable,
        "-m",
        "consistency",
        "audit",
        "--config",
        str(folder / "consistency.yaml"),
    ]
    ours += ["--format", "json", "--output", str(folder / "engine.json"), "--fail-on", "never"]
    values = ", ".join(f"('{p}', {a})" for p, a in PRICES.items())
    plain = [sys.executable, "-c", PLAIN_SQL, str(folder), values]
    ours_wall, ours_peak = timed(ours)
    errors = json.loads((folder / "engine.json").read_text(encoding="utf-8"))["errors"]
    if errors:  # a run that ended a check early is not a figure
        raise SystemExit(f"our audit at {n:,} quotes reported errors: {errors}")
    sql_wall, sql_peak = timed(plain)
    return {"n": n, "ours": ours_wall, "ours_mb": ours_peak, "sql": sql_wall, "sql_mb": sql_peak}


def compile_package() -> None:
    """Write the package's bytecode (``__pycache__``), as an installed copy has it."""
    import compileall

    import consistency

    compileall.compile_dir(Path(consistency.__file__).parent, quiet=1)


def main() -> None:
    compile_package()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="*")
    parser.add_argument("--repeat", type=int, default=1, help="best of this many runs of each")
    parser.add_argument("--replies", type=int, default=20_000, help="unique replies to route")
    args = parser.parse_args()
    print(
        f"{'quotes':>11} {'audit s':>8} {'audit MB':>9} {'plain SQL s':>12} {'SQL MB':>7} {'ratio':>6}"
    )
    for n in args.n or [1_000_000, 10_000_000]:
        runs = [measure(n) for _ in range(args.repeat)]  # interleaved: ours, SQL, ours, SQL
        r = {k: min(run[k] for run in runs) for k in runs[0]}
        print(
            f"{r['n']:>11,} {r['ours']:>8.1f} {r['ours_mb']:>9.0f} {r['sql']:>12.1f} "
            f"{r['sql_mb']:>7.0f} {r['ours'] / r['sql']:>6.2f}"
        )
    print()
    from bench_answers import compare_routers, context  # the routing figure (issue 10, item 6)

    compare_routers(context(), args.replies)


if __name__ == "__main__":
    main()
