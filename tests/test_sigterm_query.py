"""SIGTERM while DuckDB runs a query stops the run at once (issue 12 tryout 12b, F4).

Python runs a signal handler only between bytecodes; a DuckDB query can run for minutes
without returning, and an interrupted one raised "Query interrupted", reported as an
internal error. A watcher thread now interrupts the run's queries when the signal comes.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

from tests.helpers import write

PRICES = (
    'version: "p"\ncurrency: ILS\nvat: {included: true, rate: 0.18}\n'
    "products:\n  - {id: fiber-500, price: 99.90}\n  - {id: fiber-1000, price: 129.90}\n"
)


def big_export(path, rows: int) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("id,channel,at,customer,product,amount\n")
        for i in range(rows):
            product, amount = ("fiber-500", "99.90") if i % 3 else ("fiber-1000", "116.91")
            day, minute = 1 + i % 28, i % 1440
            out.write(f"q{i},web,2026-11-{day:02d}T{minute // 60:02d}:{minute % 60:02d},")
            out.write(f"hh-{i % 50000},{product},{amount}\n")


def test_sigterm_during_the_engines_query_exits_143_at_once_and_leaves_nothing(tmp_path):
    big_export(tmp_path / "web.csv", 600_000)
    write(tmp_path / "prices.yaml", PRICES)
    write(
        tmp_path / "consistency.yaml",
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\n"
        "sources:\n  - {channel: web, files: [web.csv]}\n",
    )
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    command = [shutil.which("consistency"), "audit", "--no-fetch", "--format", "json"]
    command += ["--output", str(tmp_path / "out" / "r.json")]
    env = {**os.environ, "TMPDIR": str(scratch)}
    run = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not any(scratch.glob("consistency-*")) and time.monotonic() < deadline:
        time.sleep(0.05)  # the store exists: the engine is reading and judging
    time.sleep(0.3)
    assert run.poll() is None, "the audit ended before it could be stopped"
    run.send_signal(signal.SIGTERM)
    started = time.monotonic()
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 143, stderr[-2000:]
    assert time.monotonic() - started < 10
    assert "internal error" not in stderr
    assert list(scratch.iterdir()) == []  # the store's folder and spill are removed
    assert not (tmp_path / "out" / "r.json").exists()
