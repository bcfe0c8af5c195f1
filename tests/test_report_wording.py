"""Wording and counts a person trusts (issue 13, item 5): the demo's real findings in every
human format, with no Python repr, the baselined counted apart, the resolved shown."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config
from consistency.report import render
from consistency.report.base import summary_line
from consistency.result import Result
from tests.helpers import DEMO

HUMAN_FORMATS = ("text", "markdown", "html", "github", "junit", "sarif")
# What leaked before (issue 13): dict keys, Python literals, reprs of containers.
REPR = re.compile(
    r"""( \bNone\b | \bTrue\b | \bFalse\b     # Python literals
        | list_price | vat_included          # field names shown as they are spelled
        | low_at | high_ref | low_ref        # the grouped checks' quote keys
        | \{' | \['                          # a dict or list repr
        | Decimal\( | datetime\.             # reprs of values
    )""",
    re.VERBOSE,
)


@pytest.fixture(scope="module")
def demo_result() -> Result:
    return audit(load_config(DEMO / "consistency.yaml"), AuditOptions(fetch=False))


def rendered(result: Result, fmt: str) -> str:
    out = io.StringIO()
    render(result, fmt, out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
def test_no_python_reprs_in_the_demo_report(demo_result, fmt):
    out = rendered(demo_result, fmt)
    if fmt == "html":  # the page's own script is code, not wording
        out = re.sub(r"<script>.*?</script>", "", out, flags=re.S)
    leaks = sorted({m.group() for m in REPR.finditer(out)})
    assert leaks == [], leaks


def test_a_cross_channel_gap_shows_every_channels_quotes(demo_result):
    out = rendered(demo_result, "text")
    block = out[out.index("cross-channel-gap") :].split("\n\n")[0]
    quotes = [line for line in block.splitlines() if line.strip().startswith("quotes ")]
    assert quotes and all(" · " in line for line in quotes)


def test_baselined_findings_are_counted_apart():
    """A run whose findings are all baselined exits 0: its summary must not say '4 errors'."""
    from consistency.model import Finding

    started = datetime(2026, 11, 21, tzinfo=UTC)
    findings = [
        Finding(f"fp{i}", "price-mismatch", "error", "m", status="baselined") for i in range(4)
    ]
    result = Result(started=started, observations=10, rules=3, findings=findings)
    assert result.exit_code() == 0
    assert summary_line(result).startswith("0 errors, 0 warnings, 0 info, and 4 baselined in")
    findings[0] = replace(findings[0], status="new")
    assert summary_line(result).startswith("1 error, 0 warnings, 0 info, and 3 baselined in")


RESOLVED = {
    "fingerprint": "f00dfeed",
    "rule": "price-mismatch",
    "severity": "error",
    "channel": "phone",
    "product": "fiber-500",
    "answer": None,
    "message": "phone quoted ₪89.91 for סיב 500 מגה",
    "first_seen": datetime(2026, 11, 2, tzinfo=UTC),
    "last_seen": datetime(2026, 11, 20, tzinfo=UTC),
}


@pytest.mark.parametrize("fmt", HUMAN_FORMATS)
def test_resolved_findings_appear_in_every_format(fmt):
    result = Result(started=datetime(2026, 11, 21, tzinfo=UTC), observations=3, rules=1)
    result.resolved = [RESOLVED]  # set by the history when the run is settled
    out = rendered(result, fmt)
    if fmt == "sarif":  # SARIF's own word for it
        assert '"baselineState": "absent"' in out and "f00dfeed" in out
        return
    assert "resolved" in out.lower()
    if fmt != "github":
        assert "phone quoted ₪89.91" in out
