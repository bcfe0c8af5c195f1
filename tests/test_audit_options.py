"""audit's run-level options through the CLI: baselines, history, --email, --jobs (threads).

Each test copies the demo company's price list, answers and file exports into a
temporary project and adds to its config what the option needs; mail goes to a
real aiosmtpd server on 127.0.0.1.
"""

from __future__ import annotations

import json
import re
import shutil
import socket
from collections import Counter
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
import yaml
from aiosmtpd.controller import Controller
from click.testing import CliRunner

from consistency import checks
from consistency.cli import main

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


def project(tmp_path: Path, **extra) -> Path:
    """The demo's files in tmp_path, with a config that reads the exports only."""
    for name in ("prices.yaml", "answers.yaml"):
        shutil.copy(DEMO / name, tmp_path / name)
    shutil.copytree(DEMO / "exports", tmp_path / "exports")
    config = yaml.safe_load((DEMO / "consistency.yaml").read_text(encoding="utf-8"))
    config.update(extra)
    path = tmp_path / "consistency.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def audit(config: Path, *args: str):
    return CliRunner().invoke(main, ["audit", "--config", str(config), *args])


def findings(result) -> list[dict]:
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["findings"]


def test_a_written_baseline_accepts_every_finding_until_it_expires(tmp_path):
    config = project(tmp_path)
    baseline = tmp_path / "baseline.yaml"
    first = audit(
        config,
        "--format",
        "json",
        "--write-baseline",
        str(baseline),
        "--reason",
        "known since the November export",
        "--expires",
        "2099-12-31",
    )
    assert first.exit_code == 1 and "baseline entries" in first.stderr
    again = audit(config, "--format", "json", "--baseline", str(baseline))
    assert again.exit_code == 0, again.output
    statuses = {f["status"] for f in findings(again)}
    assert statuses == {"baselined"}
    text = baseline.read_text(encoding="utf-8").replace("2099-12-31", "2020-01-01")
    baseline.write_text(text, encoding="utf-8")
    expired = audit(config, "--format", "json", "--baseline", str(baseline))
    assert expired.exit_code == 1 and "expired on 2020-01-01" in expired.stderr


def test_writing_a_baseline_needs_a_reason_and_an_expiry(tmp_path):
    result = audit(project(tmp_path), "--write-baseline", str(tmp_path / "b.yaml"))
    assert result.exit_code == 2 and "needs --reason and --expires" in result.stderr


def test_history_marks_findings_new_then_recurring(tmp_path):
    config = project(tmp_path, history=".consistency/history.sqlite")
    first = findings(audit(config, "--format", "json"))
    assert first and {f["status"] for f in first} == {"new"}
    second = findings(audit(config, "--format", "json"))
    assert {f["status"] for f in second} == {"recurring"}
    assert (tmp_path / ".consistency" / "history.sqlite").is_file()
    table = CliRunner().invoke(main, ["history", "--config", str(config)])
    assert table.exit_code == 0 and "price-mismatch" in table.stdout


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 OK"


@pytest.fixture
def smtp_port():
    inbox = Inbox()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_audit_email_sends_the_report_through_smtp(tmp_path, smtp_port):
    inbox, port = smtp_port
    email = {
        "to": ["pricing@example.co.il"],
        "from": "consistency@example.co.il",
        "notify_on": "findings",
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
    }
    result = audit(project(tmp_path, email=email), "--email", "--quiet")
    assert result.exit_code == 1, result.output
    assert "sent to pricing@example.co.il" in result.stderr
    [message] = inbox.messages
    assert message["To"] == "pricing@example.co.il"
    html = message.get_body(("html",)).get_content()
    # Hebrew intact, in a cell that takes its own direction (right to left for Hebrew)
    assert re.search(r'<[^>]*dir="auto"[^>]*>[^<]*סיב 1000 מגה', html)
    assert any(p.get_filename().endswith(".csv") for p in message.iter_attachments())


def test_audit_email_failure_exits_2(tmp_path):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    email = {
        "to": ["a@example.co.il"],
        "from": "b@example.co.il",
        "smtp": {"host": "127.0.0.1", "port": port, "security": "none", "timeout": 2},
    }
    result = audit(project(tmp_path, email=email), "--email", "--quiet")
    assert result.exit_code == 2 and "email not sent" in result.stderr


def test_email_needs_an_email_section(tmp_path):
    result = audit(project(tmp_path), "--email")
    assert result.exit_code == 2 and "needs an email: section" in result.stderr


@pytest.mark.parametrize("engine", ["duckdb", "python"])
@pytest.mark.parametrize("jobs", ["2", "3"])
def test_the_threads_do_not_change_the_findings(tmp_path, jobs, engine):
    config = project(tmp_path)
    one = findings(audit(config, "--format", "json", "--jobs", "1", "--engine", engine))
    many = findings(audit(config, "--format", "json", "--jobs", jobs, "--engine", engine))
    assert Counter(f["fingerprint"] for f in one) == Counter(f["fingerprint"] for f in many)
    assert sorted(f["message"] for f in one) == sorted(f["message"] for f in many)


def test_common_options_are_accepted_after_the_command(tmp_path):
    config = project(tmp_path)
    result = audit(config, "--verbose", "--quiet", "--no-fetch")
    assert result.exit_code == 1 and result.stdout == ""
    rules = len(checks.names())  # rules/default.yaml turns every check on
    assert f"observations from chat, phone, web; {rules} rules" in result.stderr
    runner = CliRunner()
    quiet = runner.invoke(main, ["lint", "--quiet", str(tmp_path / "prices.yaml")])
    assert quiet.exit_code == 0 and quiet.output == ""
    for command in (["extract", "-v", "₪5"], ["lint", "-v", str(tmp_path / "prices.yaml")]):
        assert runner.invoke(main, command).exit_code == 0, command
