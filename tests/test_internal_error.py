"""A check that raises does not sink the run (issue 9 item 4; sqlfluff's and great_expectations'
per-rule catch): the engine records an ``internal-error`` finding naming the check and the
observation, every other finding is still reported, the report is written, and the run exits 2.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from consistency.audit import AuditOptions, audit
from consistency.checks import price_mismatch
from consistency.cli import main
from consistency.inputs.config import load_config
from tests.helpers import make_project

RECORDS = [
    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": "99.90"},
    {"channel": "phone", "at": "2026-11-21T10:00", "product": "fiber-500", "amount": "89.91"},
]


def broken(obs, ctx, rule):
    raise ZeroDivisionError("a bug in the check")
    yield  # pragma: no cover - a generator, like every check


def test_a_raising_check_becomes_an_internal_error_finding(tmp_path, monkeypatch):
    config = load_config(make_project(tmp_path, RECORDS))
    monkeypatch.setattr(price_mismatch, "check", broken)
    result = audit(config, AuditOptions(fetch=False, engine="python", jobs=1))
    internal = [f for f in result.findings if f.rule == "internal-error"]
    assert len(internal) == 2  # once per observation it failed on
    assert all("price-mismatch" in f.message and "ZeroDivisionError" in f.message for f in internal)
    assert {f.evidence.source.rsplit(":", 1)[-1] for f in internal} == {"1", "2"}
    assert any(f.rule == "cross-channel-gap" for f in result.findings)  # the rest still ran
    assert result.exit_code() == 2
    assert any("please report it" in e for e in result.errors)


def test_the_report_is_written_and_the_run_exits_2(tmp_path, monkeypatch):
    config = make_project(tmp_path, RECORDS)
    monkeypatch.setattr(price_mismatch, "check", broken)
    out = tmp_path / "reports"
    formats = [
        x for f in ("json", "text", "sarif", "junit", "markdown", "html") for x in ("--format", f)
    ]
    done = CliRunner().invoke(
        main, ["audit", "--config", str(config), *formats, "--output", str(out)]
    )
    assert done.exit_code == 2, done.output
    assert "Traceback" not in done.output
    report = json.loads((out / "consistency.json").read_text(encoding="utf-8"))
    assert "internal-error" in (out / "consistency.sarif").read_text(encoding="utf-8")
    assert {f["rule"] for f in report["findings"]} >= {"internal-error", "cross-channel-gap"}
