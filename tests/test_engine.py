"""The engine: grading by thresholds, rule scope, filters, fingerprints, operational findings,
and what makes a run an error (SPEC 4 exit codes, SPEC 6 fingerprints).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.audit import AuditOptions, audit
from consistency.baseline import apply, load_baseline, write_baseline
from consistency.engine import Engine, Filters, grade, run
from consistency.inputs.config import load_config
from consistency.model import InvalidRecord, Location, Problem, SourceFailure, Threshold
from consistency.result import Result
from tests.helpers import TZ, context, load_book, local, make_project, pct, quote, rule, write


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return context(load_book(tmp_path_factory.mktemp("engine")))


def fresh() -> Result:
    return Result(started=datetime.now(UTC))


# --- grading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeRow:
    id: str
    warn: Threshold | None
    error: Threshold | None
    severity: str
    percent: str
    amount: str
    graded: str | None
    shows: str


AMOUNT_3 = Threshold(amount=Decimal(3))
GRADE_ROWS = [
    GradeRow("no-thresholds", None, None, "info", "-40", "-4", "info", "the rule's severity"),
    GradeRow("past-error", pct(2), pct(5), "error", "-10", "-13", "error", "worst wins"),
    GradeRow("between", pct(2), pct(5), "error", "3", "4", "warning", "past warn only"),
    GradeRow("at-warn", pct(2), pct(5), "error", "-2", "-2.6", None, "a threshold is exceeded"),
    GradeRow("below-all", pct(2), pct(5), "error", "1", "1.3", None, "dropped"),
    GradeRow("warn-only", pct(2), None, "error", "-50", "-50", "warning", "no error level"),
    GradeRow("error-only-below", None, pct(5), "error", "4", "4", None, "below error, no warn"),
    GradeRow("amount-error", pct(50), AMOUNT_3, "error", "2", "3.5", "error", "₪3.50 > ₪3"),
    GradeRow("amount-warn", AMOUNT_3, pct(50), "error", "2", "3.5", "warning", "either unit"),
]


@pytest.mark.parametrize("row", GRADE_ROWS, ids=lambda r: r.id)
def test_grade(row):
    problem = Problem(
        message="m",
        difference={"amount": Decimal(row.amount), "percent": Decimal(row.percent)},
    )
    the_rule = rule("price-mismatch", warn=row.warn, error=row.error, severity=row.severity)
    assert grade(the_rule, problem) == row.graded, row.shows


def test_a_problem_without_a_difference_keeps_the_rule_severity():
    the_rule = rule("promotion-misuse", warn=pct(2), error=pct(5), severity="warning")
    assert grade(the_rule, Problem(message="m")) == "warning"


def test_findings_below_every_threshold_are_dropped_by_the_engine(ctx):
    graded = rule("price-mismatch", warn=pct(2), error=pct(5))
    quotes = [
        quote("web", "2026-11-10T10:00", "fiber-500", "99.00"),  # -0.9%: dropped
        quote("web", "2026-11-10T10:00", "fiber-500", "97.00"),  # -2.9%: warning
        quote("web", "2026-11-10T10:00", "fiber-500", "89.91"),  # -10%: error
    ]
    result = run(ctx, [graded], iter(quotes), fresh())
    assert sorted(f.severity for f in result.findings) == ["error", "warning"]
    assert {f.observed.amount for f in result.findings} == {Decimal("97.00"), Decimal("89.91")}


# --- scope and filters ------------------------------------------------------------------


def test_rule_channels_scope_which_observations_a_rule_sees(ctx):
    web_only = rule("price-mismatch", channels=("web",))
    quotes = [
        quote("web", "2026-11-10T10:00", "fiber-500", "89.91"),
        quote("phone", "2026-11-10T10:00", "fiber-500", "89.91"),
    ]
    result = run(ctx, [web_only], iter(quotes), fresh())
    assert [f.channel for f in result.findings] == ["web"]
    assert result.observations == 2


@dataclass(frozen=True)
class FilterRow:
    id: str
    filters: Filters
    channels: tuple[str, ...]  # channels of the admitted quotes, in order
    shows: str


FILTER_QUOTES = [
    ("web", "2026-11-20T23:59:59.999999"),
    ("phone", "2026-11-21T00:00"),
    ("chat", "2026-11-21T12:00"),
    ("phone", "2026-11-22T00:00"),
]
FILTER_ROWS = [
    FilterRow("none", Filters(), ("web", "phone", "chat", "phone"), "everything"),
    FilterRow("channel", Filters(frozenset({"phone"})), ("phone", "phone"), "--channel phone"),
    FilterRow(
        "two-channels",
        Filters(frozenset({"phone", "chat"})),
        ("phone", "chat", "phone"),
        "--channel is repeatable",
    ),
    FilterRow(
        "since",
        Filters(since=local("2026-11-21T00:00")),
        ("phone", "chat", "phone"),
        "--since includes its instant",
    ),
    FilterRow(
        "until",
        Filters(until=local("2026-11-22T00:00")),
        ("web", "phone", "chat"),
        "--until 2026-11-21 ends when the 22nd starts",
    ),
    FilterRow(
        "day",
        Filters(frozenset({"phone"}), local("2026-11-21T00:00"), local("2026-11-22T00:00")),
        ("phone",),
        "all three together",
    ),
]


@pytest.mark.parametrize("row", FILTER_ROWS, ids=lambda r: r.id)
def test_filters(ctx, row):
    quotes = [quote(ch, when, "fiber-500", "89.91") for ch, when in FILTER_QUOTES]
    result = run(ctx, [rule("price-mismatch")], iter(quotes), fresh(), filters=row.filters)
    assert tuple(f.channel for f in result.findings) == row.channels, row.shows
    assert result.observations == len(row.channels)


# --- operational findings ---------------------------------------------------------------


def test_invalid_records_and_source_failures_become_findings(ctx):
    rules = [rule("invalid-record", severity="warning"), rule("channel-unreachable")]
    bad = InvalidRecord(Location("calls.csv", 14), "cannot read '21/11' as a date", "at", "phone")
    down = SourceFailure("web", "https://shop.example.co.il/fiber-500", "503 after 3 tries")
    result = run(ctx, rules, iter([bad, down]), fresh())
    unreachable, invalid = sorted(result.findings, key=lambda f: f.rule)
    assert (invalid.rule, invalid.severity, invalid.cause) == (
        "invalid-record",
        "warning",
        "bad-at",
    )
    assert invalid.evidence.source == "calls.csv:14" and "(at)" in invalid.message
    assert (unreachable.rule, unreachable.channel) == ("channel-unreachable", "web")
    assert "503 after 3 tries" in unreachable.message
    assert result.observations == 0


def test_operational_findings_need_their_rule(ctx):
    bad = InvalidRecord(Location("calls.csv", 14), "bad", "at", "phone")
    result = run(ctx, [rule("price-mismatch")], iter([bad]), fresh())
    assert result.findings == [] and result.rules == 1


# --- fingerprints -----------------------------------------------------------------------

PLANTED = [
    {"channel": "phone", "at": "2026-11-21T10:15", "product": "fiber-500", "amount": "89.91"},
    {"channel": "web", "at": "2026-11-21T09:12", "product": "fiber-1000", "amount": "129.90"},
    {"channel": "phone", "at": "2026-11-21T18:40", "product": "fiber-1000", "amount": "116.91"},
    {"channel": "web", "at": "2026-11-22T12:00", "product": "fiber-500", "promotion": "cm"},
    {"channel": "web", "at": "2026-11-22T12:00", "product": "fiber-500", "amount": "9"},
    {"channel": "fax", "at": "2026-11-19T10:00", "product": "fiber-500", "amount": 99.9},
    {"channel": "web", "at": "2026-11-19T10:00", "product": "fiber-2000", "amount": "199"},
]
UNRELATED = [
    {"channel": "web", "at": f"2026-11-2{d}T1{h}:00", "product": "router-install", "amount": 149}
    for d in range(1, 3)
    for h in range(5)
]


def fingerprints(folder: Path, records: list) -> dict[str, str]:
    config = load_config(make_project(folder, records))
    result = audit(config, AuditOptions(fetch=False))
    assert not result.errors
    return {f.fingerprint: f.rule for f in result.findings}


def test_fingerprints_survive_moved_lines_and_unrelated_records(tmp_path):
    first = fingerprints(tmp_path / "a", PLANTED)
    shuffled = list(reversed(PLANTED))
    moved = fingerprints(
        tmp_path / "b", UNRELATED[:3] + shuffled[:4] + UNRELATED[3:] + shuffled[4:]
    )
    assert len(first) >= 6
    assert first == moved


def test_fingerprints_differ_by_channel_product_and_quote(ctx):
    base = quote("phone", "2026-11-10T10:00", "fiber-500", "89.91")
    others = [
        quote("web", "2026-11-10T10:00", "fiber-500", "89.91"),
        quote("phone", "2026-11-10T10:00", "fiber-1000", "89.91"),
        quote("phone", "2026-11-10T10:00", "fiber-500", "89.90"),
    ]
    result = run(ctx, [rule("price-mismatch")], iter([base, *others]), fresh())
    assert len({f.fingerprint for f in result.findings}) == 4


# --- what makes a run an error ----------------------------------------------------------


def test_a_run_without_observations_is_an_error(tmp_path):
    config = load_config(make_project(tmp_path, []))
    result = audit(config, AuditOptions(fetch=False))
    assert any("no observation" in e for e in result.errors)
    assert result.exit_code("never") == 2


def test_filters_that_admit_nothing_make_an_error(tmp_path):
    config = load_config(make_project(tmp_path, PLANTED))
    options = AuditOptions(fetch=False, filters=Filters(frozenset({"chat"})))
    result = audit(config, options)
    assert result.observations == 0 and result.exit_code("error") == 2


def test_an_unreadable_source_is_an_error_and_a_finding(tmp_path):
    config_path = make_project(tmp_path, PLANTED)
    text = config_path.read_text(encoding="utf-8")
    write(config_path, text + "  - {channel: phone, files: ['exports/missing-*.csv']}\n")
    result = audit(load_config(config_path), AuditOptions(fetch=False))
    assert any("missing-*.csv" in e for e in result.errors)
    assert "channel-unreachable" in {f.rule for f in result.findings}
    assert "price-mismatch" in {f.rule for f in result.findings}, "the rest is still audited"
    assert result.exit_code("never") == 2


def test_baselined_findings_do_not_fail_the_run(tmp_path):
    config = load_config(make_project(tmp_path, PLANTED[:1]))
    result = audit(config, AuditOptions(fetch=False))
    assert result.exit_code("error") == 1
    path = tmp_path / "baseline.yaml"
    write_baseline(result, path, "accepted: a known agent error", date(2099, 1, 1))
    accepted, expired = apply(result, load_baseline(path, TZ), datetime.now(TZ))
    assert expired == [] and {f.status for f in accepted.findings} == {"baselined"}
    assert accepted.exit_code("error") == 0 and accepted.exit_code("warning") == 0
    assert accepted.counts() == result.counts(), "baselined findings are still reported"


def test_engine_counts_rules_of_every_kind(ctx):
    rules = [rule("price-mismatch"), rule("cross-channel-gap"), rule("invalid-record")]
    assert Engine(ctx, rules, fresh()).result.rules == 3
