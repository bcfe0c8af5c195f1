"""No "internal error" for what a file, a server or a flag can cause (issue 12, item 6).

Rows of hostile flags and files through the real command line: each ends with a
clear message and exit 2 (or a normal run), never "internal error". Where an
internal error remains (a bug), the message says so and where to report it, and
the findings gathered before it are still written.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from consistency import cli
from tests.helpers import LIMITED_ENV

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo" / "consistency.yaml"


@dataclass(frozen=True)
class Hostile:
    id: str
    args: tuple[str, ...]
    files: dict  # name -> text written in the working folder first
    exit_codes: tuple[int, ...]
    message: str  # a fragment of stderr
    cls: str


HOSTILE = [
    Hostile("until-end-of-time", ("audit", "--config", str(DEMO), "--no-fetch", "-q",
            "--until", "9999-12-31"), {}, (0, 1), "", "CWE-190 overflow (issue 12)"),
    Hostile("since-start-of-time", ("audit", "--config", str(DEMO), "--no-fetch", "-q",
            "--since", "0001-01-01T00:00+14:00"), {}, (0, 1), "", "CWE-190 overflow"),
    Hostile("until-before-time", ("audit", "--config", str(DEMO), "--no-fetch", "-q",
            "--until", "0001-01-01"), {}, (2,), "no observation was read", "CWE-190 overflow"),
    Hostile("result-nested-deep", ("report", "r.json"), {"r.json": "[" * 100_000 + "]" * 100_000},
            (2,), "not a saved result (nested too deeply)", "CWE-674 uncontrolled recursion"),
    Hostile("result-huge-number", ("report", "r.json"),
            {"r.json": '{"summary": {"observations": ' + "9" * 5000 + "}}"}, (2,),
            "not a saved result", "CWE-1284 improper validation of a quantity"),
    Hostile("result-not-utf8", ("report", "r.json"), {"r.json": "\udcff{"}, (2,),
            "not a saved result", "CWE-172 encoding error"),
    Hostile("answers-bomb", ("lint", "answers.yaml"),
            {"answers.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
             + "".join(f"{c}: &{c} [" + ", ".join([f"*{p}"] * 10) + "]\n"
                       for p, c in zip("abcdefgh", "bcdefghi", strict=True))},
            (2,), "aliases here expand", "CWE-776 recursive entity expansion"),
]  # fmt: skip


@pytest.mark.parametrize("row", HOSTILE, ids=lambda r: r.id)
def test_hostile_flags_and_files_end_clearly(tmp_path, row):
    for name, text in row.files.items():
        (tmp_path / name).write_text(text, encoding="utf-8", errors="surrogateescape")
    done = subprocess.run(
        ["prlimit", "--as=1073741824", sys.executable, "-m", "consistency", *row.args],
        cwd=tmp_path,
        env={**os.environ, **LIMITED_ENV, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode in row.exit_codes, (row.cls, done.stderr)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    said = done.stdout if row.args[0] == "lint" else done.stderr  # lint's problems: stdout
    assert row.message in said


# Known, reported to the lead: a run that stops part way leaves customer-quote-conflict's
# QuoteSpill file open (it is closed only in finish()); its ResourceWarning is not this test's.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_bug_says_so_and_keeps_the_findings_gathered_before_it(tmp_path, monkeypatch):
    """A bug is simulated inside the run, after the demo's records are read."""
    import consistency.audit as audit_module

    real_gather = audit_module.gather

    def gather_then_fail(*args, **kwargs):
        yield from real_gather(*args, **kwargs)
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(audit_module, "gather", gather_then_fail)
    report = tmp_path / "r.json"
    done = CliRunner().invoke(
        cli.main,
        ["audit", "--config", str(DEMO), "--no-fetch", "--format", "json", "-o", str(report)],
    )
    assert done.exit_code == 2, done.output
    assert "internal error: RuntimeError: simulated bug" in done.stderr
    assert "this is a bug in consistency: please report it" in done.stderr
    saved = json.loads(report.read_text(encoding="utf-8"))
    assert saved["summary"]["observations"] > 0
    assert any(f["rule"] == "price-mismatch" for f in saved["findings"])
