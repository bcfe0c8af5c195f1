"""Baseline files: accepted findings are suppressed until they expire; bad files name the line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consistency.baseline import apply, load_baseline, unused, write_baseline
from consistency.errors import InputError
from consistency.model import Finding
from consistency.result import Result

TZ = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)

GOOD = """\
# accepted findings
accepted:
  - fingerprint: aaa111
    reason: הטלפון נשאר עם המחיר הישן עד עדכון ה-IVR
    expires: 2026-12-31
    rule: price-mismatch
    channel: phone
    product: fiber-500
  - fingerprint: "0042"
    reason: known chat wording
    expires: 2026-11-20
  - fingerprint: ccc333
    reason: never matches
    expires: "2027-01-31"
"""


def finding(fp: str, severity: str = "error") -> Finding:
    return Finding(fp, "price-mismatch", severity, f"finding {fp}", channel="phone")


def result(*fps: str) -> Result:
    return Result(started=NOW, price_list_version="2026-11", findings=[finding(fp) for fp in fps])


@pytest.fixture
def good(tmp_path):
    path = tmp_path / "baseline.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return load_baseline(path, TZ)


def test_loads_entries_with_their_lines(good):
    first, second, third = good.entries
    assert first.fingerprint == "aaa111"
    assert first.reason == "הטלפון נשאר עם המחיר הישן עד עדכון ה-IVR"
    assert first.expires == date(2026, 12, 31)
    assert (first.rule, first.channel, first.product) == ("price-mismatch", "phone", "fiber-500")
    assert first.where.line == 3
    assert second.fingerprint == "0042"
    assert second.rule is None
    assert third.expires == date(2027, 1, 31)


def test_apply_suppresses_accepted_and_reports_expired(good):
    applied, expired = apply(result("aaa111", "0042", "zzz"), good, NOW)
    assert {f.fingerprint: f.status for f in applied.findings} == {
        "aaa111": "baselined",
        "0042": None,
        "zzz": None,
    }
    assert [e.fingerprint for e in expired] == ["0042"]
    assert applied.exit_code("error") == 1


def test_baselined_only_result_keeps_findings_visible(good):
    applied, _ = apply(result("aaa111"), good, NOW)
    assert len(applied.findings) == 1
    assert applied.to_dict()["findings"][0]["status"] == "baselined"


def test_expiry_is_the_end_of_the_day_in_the_configured_zone(good):
    last_moment = datetime(2026, 12, 31, 23, 59, 59, tzinfo=TZ)
    applied, _ = apply(result("aaa111"), good, last_moment)
    assert applied.findings[0].status == "baselined"
    applied, expired = apply(result("aaa111"), good, last_moment + timedelta(seconds=1))
    assert applied.findings[0].status is None
    assert "aaa111" in [e.fingerprint for e in expired]


def test_unused_lists_entries_in_force_that_matched_nothing(good):
    assert [e.fingerprint for e in unused(result("aaa111"), good, NOW)] == ["ccc333"]


def test_an_empty_file_is_an_empty_baseline(tmp_path):
    path = tmp_path / "b.yaml"
    path.write_text("# nothing accepted yet\n", encoding="utf-8")
    assert load_baseline(path, TZ).entries == ()
    path.write_text("accepted: []\n", encoding="utf-8")
    assert load_baseline(path, TZ).entries == ()


def test_write_then_load_round_trips_and_suppresses(tmp_path):
    path = tmp_path / "sub" / "baseline.yaml"
    run = result("b2", "a1", "a1")
    assert write_baseline(run, path, "accepted at go-live", date(2026, 12, 1)) == 2
    text = path.read_text(encoding="utf-8")
    assert "# finding a1" in text
    assert text.index("a1") < text.index("b2")
    baseline = load_baseline(path, TZ)
    assert {e.fingerprint for e in baseline.entries} == {"a1", "b2"}
    assert {e.reason for e in baseline.entries} == {"accepted at go-live"}
    applied, expired = apply(run, baseline, NOW)
    assert {f.status for f in applied.findings} == {"baselined"}
    assert expired == []
    assert list(tmp_path.joinpath("sub").iterdir()) == [path]


def test_write_keeps_hebrew_and_digit_fingerprints_as_text(tmp_path):
    path = tmp_path / "baseline.yaml"
    hebrew = Finding(
        "12345", "forbidden-phrase", "warning", "צ'אט אמר: אין מה לעשות", channel="chat"
    )
    run = Result(started=NOW, findings=[hebrew])
    write_baseline(run, path, "ניסוח ישן, יתוקן", date(2026, 12, 1))
    (entry,) = load_baseline(path, TZ).entries
    assert entry.fingerprint == "12345"
    assert entry.reason == "ניסוח ישן, יתוקן"
    assert "# צ'אט אמר: אין מה לעשות" in path.read_text(encoding="utf-8")


def test_write_refuses_no_reason_and_a_non_date(tmp_path):
    with pytest.raises(ValueError, match="reason"):
        write_baseline(result("a"), tmp_path / "b.yaml", "  ", date(2026, 12, 1))
    with pytest.raises(ValueError, match="date"):
        write_baseline(result("a"), tmp_path / "b.yaml", "ok", "2026-12-01")
    assert not (tmp_path / "b.yaml").exists()


@dataclass(frozen=True)
class BadFile:
    id: str
    text: str
    line: int | None
    field: str
    words: str


BAD_FILES = [
    BadFile("syntax", "accepted:\n  - fingerprint: [a\n", 3, "", "YAML syntax error"),
    BadFile("top-is-list", "- a\n", 1, "", "a baseline is a mapping"),
    BadFile("unknown-top-key", "accept:\n  - a\n", 1, "accept", "unknown key 'accept'"),
    BadFile("not-a-list", "accepted: yes\n", 1, "accepted", "must be a list"),
    BadFile(
        "missing-reason",
        "accepted:\n  - fingerprint: a\n    expires: 2026-12-01\n",
        2,
        "accepted[0]",
        "missing 'reason'",
    ),
    BadFile(
        "bad-date",
        "accepted:\n  - fingerprint: a\n    reason: r\n    expires: next week\n",
        4,
        "accepted[0].expires",
        "'next week' is not a date",
    ),
    BadFile(
        "datetime-not-date",
        "accepted:\n  - fingerprint: a\n    reason: r\n    expires: 2026-12-01T10:00:00\n",
        4,
        "accepted[0].expires",
        "is not a date",
    ),
    BadFile(
        "empty-reason",
        "accepted:\n  - fingerprint: a\n    reason: ''\n    expires: 2026-12-01\n",
        3,
        "accepted[0].reason",
        "must be non-empty text",
    ),
    BadFile(
        "typo-key",
        "accepted:\n  - fingerprint: a\n    reason: r\n    expire: 2026-12-01\n",
        4,
        "accepted[0].expire",
        "unknown key 'expire'; did you mean 'expires'?",
    ),
    BadFile(
        "key-twice",
        "accepted:\n  - fingerprint: a\n    fingerprint: b\n    reason: r\n    expires: 2026-12-01\n",
        3,
        "",  # the one YAML reader (inputs/yamlio.py) refuses it before the entries are read
        "duplicate key 'fingerprint' (first written on line 2)",
    ),
    BadFile(
        "digits-unquoted",  # YAML 1.1 reads 0042 as the octal number 34: never a silent 34
        "accepted:\n  - fingerprint: 0042\n    reason: r\n    expires: 2026-12-01\n",
        2,
        "",  # refused by the YAML reader itself (any file), before the baseline's own rules
        "which YAML reads as 34: quote it for text",
    ),
    BadFile(
        "reason-is-yes",
        "accepted:\n  - fingerprint: a\n    reason: yes\n    expires: 2026-12-01\n",
        3,
        "accepted[0].reason",
        "YAML reads this as true or false: put it in quotes",
    ),
    BadFile(
        "impossible-date",  # looks like a date, is not one: the reader says so at its line
        "accepted:\n  - fingerprint: a\n    reason: r\n    expires: 2026-02-30\n",
        4,
        "",
        "'2026-02-30' is not a valid date",
    ),
    BadFile(
        "duplicate-fingerprint",
        "accepted:\n"
        "  - {fingerprint: a, reason: r, expires: 2026-12-01}\n"
        "  - {fingerprint: a, reason: s, expires: 2026-12-02}\n",
        3,
        "fingerprint",
        "already listed on line 2",
    ),
    BadFile("entry-is-text", "accepted:\n  - just text\n", 2, "accepted[0]", "an entry is"),
]


@pytest.mark.parametrize("case", BAD_FILES, ids=lambda c: c.id)
def test_bad_file_is_an_input_error_naming_line_and_field(tmp_path, case):
    path = tmp_path / "baseline.yaml"
    path.write_text(case.text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_baseline(path, TZ)
    (error,) = [e for e in caught.value.errors if case.words in e.message]
    assert error.file == str(path)
    assert error.line == case.line
    assert error.path == case.field
    assert case.words in error.message
    assert str(path) in str(caught.value)


def test_every_problem_is_reported_at_once(tmp_path):
    path = tmp_path / "baseline.yaml"
    path.write_text(
        "accepted:\n  - {fingerprint: a, reason: r}\n  - {fingerprint: b, expires: x}\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_baseline(path, TZ)
    assert [(e.line, e.message) for e in caught.value.errors] == [
        (2, "missing 'expires'"),
        (3, "missing 'reason'"),
    ]


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot read file"):
        load_baseline(tmp_path / "nope.yaml", TZ)
