"""Every check that fails becomes an ``internal-error`` finding naming it (tryout 9, M4):
also the checks the engine raises itself (``invalid-record``, ``channel-unreachable``)
and the grouped merges of the columnar path (``--engine duckdb``). The report is still
written, the other findings are kept, and the run exits 2.

A bug is planted in a subprocess that then runs the real CLI, as the tryout's crash.py did.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from tests.helpers import make_project

PLAIN = [
    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": "99.90"},
    {"channel": "phone", "at": "2026-11-21T10:00", "product": "fiber-500", "amount": "89.91"},
]  # a plain export: the duckdb engine reads it in SQL and merges the grouped checks
BAD = {"channel": "phone", "at": "2026-11-21T11:00", "product": "fiber-500", "amount": "lots"}

PLANT = """
import sys
import consistency.checks as checks
from consistency.cli import main

def boom(*args, **kwargs):
    raise RuntimeError("planted bug")

module = checks.get({check!r})
target = getattr(module, "State", module) if {attr!r} != "problem" else module
setattr(target, {attr!r}, boom)
main(sys.argv[1:], prog_name="consistency")
"""


@pytest.mark.parametrize(
    ("check", "attr", "engine", "records"),
    [
        pytest.param("invalid-record", "problem", "python", [*PLAIN, BAD], id="tryout M4: raised"),
        pytest.param("invalid-record", "problem", "duckdb", [*PLAIN, BAD], id="raised, duckdb"),
        pytest.param("cross-channel-gap", "merge_groups", "duckdb", PLAIN, id="tryout M4: merge"),
    ],
)
def test_a_failing_check_is_a_finding_and_the_report_is_written(
    tmp_path, check, attr, engine, records
):
    config = make_project(tmp_path, records)
    out = tmp_path / "out"
    code = textwrap.dedent(PLANT.format(check=check, attr=attr))
    args = ["audit", "--config", str(config), "--no-fetch", "-q", "--engine", engine]
    done = subprocess.run(
        [sys.executable, "-c", code, *args, "--format", "json", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads((out / "consistency.json").read_text(encoding="utf-8"))
    crashed = [f for f in report["findings"] if f["rule"] == "internal-error"]
    assert crashed and all(f"check {check} failed" in f["message"] for f in crashed)
    assert f"internal error in check {check}" in done.stderr
    others = {f["rule"] for f in report["findings"]} - {"internal-error", check}
    assert "price-mismatch" in others  # the other checks still ran on every observation
