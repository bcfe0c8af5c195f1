"""The run history against real SQLite files: new vs recurring, since when, resolved, summary."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from consistency.errors import InputError
from consistency.history import History, history_json, history_rows, history_table
from consistency.model import Finding
from consistency.result import Result

TZ = ZoneInfo("Asia/Jerusalem")
DAY1 = datetime(2026, 11, 20, 2, 0, tzinfo=TZ)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)


def finding(fp: str, channel: str = "phone", rule: str = "price-mismatch", **kw) -> Finding:
    message = kw.pop("message", f"{channel} quoted ₪89.91 for סיב 500 מגה ({fp})")
    return Finding(fp, rule, kw.pop("severity", "error"), message, channel=channel, **kw)


def run(started: datetime, *findings: Finding, **kw) -> Result:
    return Result(
        started=started,
        finished=started + timedelta(minutes=3),
        config="consistency.yaml",
        price_list_version="2026-11",
        observations=10,
        rules=5,
        findings=list(findings),
        **kw,
    )


def statuses(result: Result) -> dict[str, str]:
    return {f.fingerprint: f.status for f in result.findings}


@pytest.fixture
def path(tmp_path):
    return tmp_path / "state" / "history.sqlite"


def test_creates_file_and_folder_in_wal_mode(path):
    store = History(path)
    assert path.is_file()
    assert store.journal_mode() == "wal"
    assert store.schema_version() == 2


def test_first_run_is_new_second_is_recurring_with_since(path):
    store = History(path)
    first = store.record(run(DAY1, finding("a"), finding("b")))
    assert statuses(first) == {"a": "new", "b": "new"}
    second = store.record(run(DAY2, finding("a"), finding("c")))
    assert statuses(second) == {"a": "recurring", "c": "new"}
    assert store.first_seen("a") == DAY1
    assert store.first_seen("c") == DAY2
    assert store.first_seen("never") is None
    assert store.since(second) == {"a": DAY1, "c": DAY2}


def test_record_returns_a_new_result_and_keeps_the_rest(path):
    original = run(DAY1, finding("a"))
    recorded = History(path).record(original)
    assert original.findings[0].status is None
    assert recorded is not original
    assert recorded.to_dict()["run"] == original.to_dict()["run"]
    assert recorded.findings[0] == replace(original.findings[0], status="new")


def test_resolved_lists_what_the_previous_run_had(path):
    store = History(path)
    store.record(run(DAY1, finding("a"), finding("b", channel="web")))
    third = run(DAY2, finding("a"))
    assert store.resolved(third) == store.resolved(store.record(third))
    (gone,) = store.resolved(third)
    assert gone["fingerprint"] == "b"
    assert gone["channel"] == "web"
    assert gone["message"] == "web quoted ₪89.91 for סיב 500 מגה (b)"
    assert gone["first_seen"] == gone["last_seen"] == DAY1


def test_no_previous_run_means_nothing_resolved_and_no_fingerprints(path):
    store = History(path)
    result = store.record(run(DAY1, finding("a")))
    assert store.resolved(result) == []
    assert store.previous_fingerprints(result) is None


def test_previous_fingerprints_leave_out_baselined(path):
    store = History(path)
    store.record(run(DAY1, finding("a"), finding("b", status="baselined")))
    assert store.previous_fingerprints(run(DAY2)) == {"a"}


def test_baselined_findings_keep_their_status_but_are_remembered(path):
    store = History(path)
    recorded = store.record(run(DAY1, finding("a", status="baselined")))
    assert statuses(recorded) == {"a": "baselined"}
    assert statuses(store.record(run(DAY2, finding("a")))) == {"a": "recurring"}


def test_recording_the_same_run_twice_replaces_it(path):
    store = History(path)
    store.record(run(DAY1, finding("a")))
    again = store.record(run(DAY1, finding("a"), finding("b")))
    assert statuses(again) == {"a": "new", "b": "new"}
    rows = history_rows(path, days=3650, now=DAY3)
    assert {(r.run, r.findings) for r in rows} == {(1, 2)}


def test_a_late_backfilled_earlier_run_moves_first_seen_back(path):
    store = History(path)
    store.record(run(DAY2, finding("a")))
    backfilled = store.record(run(DAY1, finding("a")))
    assert statuses(backfilled) == {"a": "new"}
    assert store.first_seen("a") == DAY1
    assert statuses(store.record(run(DAY3, finding("a")))) == {"a": "recurring"}


def test_two_history_objects_writing_in_turn(path):
    one, two = History(path), History(path)
    one.record(run(DAY1, finding("a")))
    assert statuses(two.record(run(DAY2, finding("a")))) == {"a": "recurring"}
    assert statuses(one.record(run(DAY3, finding("a"), finding("b")))) == {
        "a": "recurring",
        "b": "new",
    }
    assert one.first_seen("b") == two.first_seen("b") == DAY3


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from consistency.history import History
    from consistency.model import Finding
    from consistency.result import Result

    path, offset = sys.argv[1], int(sys.argv[2])
    store = History(path)
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for i in range(25):
        findings = [Finding(f"fp{j}", "price-mismatch", "error", "m") for j in range(i % 7 + 1)]
        started = base + timedelta(minutes=2 * i + offset)
        store.record(Result(started=started, config="c.yaml", findings=findings))
    """
)


def test_two_processes_recording_at_once_do_not_corrupt(path):
    History(path)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(offset)])
        for offset in (0, 1)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0]
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("SELECT count(*) FROM runs").fetchone() == (50,)
        assert db.execute("SELECT count(*) FROM findings").fetchone() == (7,)
    db.close()
    assert History(path).first_seen("fp0") == datetime(2026, 1, 1, tzinfo=UTC)


def test_a_file_that_is_not_sqlite_is_a_clear_input_error(tmp_path):
    bad = tmp_path / "history.sqlite"
    bad.write_text("not a database, just text\n" * 100)
    with pytest.raises(InputError) as caught:
        History(bad)
    assert str(bad) in str(caught.value)
    assert "not a usable consistency history file" in str(caught.value)


def test_a_newer_schema_is_refused(path):
    History(path)
    with sqlite3.connect(path) as db:
        db.execute("INSERT INTO schema_version (version) VALUES (99)")
    db.close()
    with pytest.raises(InputError, match="schema version 99 is newer"):
        History(path)


def test_summary_counts_per_run_channel_and_rule(path):
    store = History(path)
    store.record(run(DAY1, finding("a"), finding("b"), finding("c", channel="web")))
    store.record(run(DAY2, finding("a"), finding("d", rule="forbidden-phrase", channel="chat")))
    store.record(run(DAY3, errors=["price list unreadable"]))
    got = [
        (r.run, r.channel, r.rule, r.findings, r.new, r.failed)
        for r in store.summary(days=30, now=DAY3)
    ]
    assert got == [
        (1, "phone", "price-mismatch", 2, 2, False),
        (1, "web", "price-mismatch", 1, 1, False),
        (2, "chat", "forbidden-phrase", 1, 1, False),
        (2, "phone", "price-mismatch", 1, 0, False),
        (3, "", "", 0, 0, True),
    ]
    assert [r.run for r in store.summary(days=1, now=DAY3)] == [2, 2, 3]


def test_history_table_and_json_render_the_same_rows(path):
    store = History(path)
    store.record(run(DAY1, finding("a"), finding("c", channel="web")))
    store.record(run(DAY2))
    table = history_table(path, days=30, now=DAY3)
    lines = table.splitlines()
    assert lines[0].split() == [
        "run", "started", "(UTC)", "price", "list", "channel", "rule", "findings", "new",
    ]  # fmt: skip
    assert lines[1].split() == [
        "1",
        "2026-11-20",
        "00:00",
        "2026-11",
        "phone",
        "price-mismatch",
        "1",
        "1",
    ]
    assert lines[3].split() == ["2", "2026-11-21", "00:00", "2026-11", "-", "-", "0", "0"]
    data = json.loads(history_json(path, days=30, now=DAY3))
    assert data["days"] == 30
    assert [(r["run"], r["channel"], r["rule"], r["findings"]) for r in data["rows"]] == [
        (1, "phone", "price-mismatch", 1),
        (1, "web", "price-mismatch", 1),
        (2, None, None, 0),
    ]
    assert data["rows"][0]["started"] == "2026-11-20T00:00:00+00:00"


def test_history_table_of_an_empty_window_says_so(path):
    History(path).record(run(DAY1, finding("a")))
    assert history_table(path, days=1, now=DAY3 + timedelta(days=5)) == (
        "no runs in the last 1 days\n"
    )


def test_history_of_a_missing_file_is_an_input_error(tmp_path):
    missing = tmp_path / "nope.sqlite"
    with pytest.raises(InputError, match="no history yet"):
        history_table(missing)
    assert not missing.exists()


def test_three_findings_of_one_fingerprint_count_three(path):
    """Issue 8: the history stores every finding; three of one rule are three, not one."""
    same = finding("fp-repeat")
    store = History(path)
    store.record(run(DAY1, same, same, same, finding("fp-other")))
    (row,) = [r for r in store.summary(days=3650, now=DAY2) if r.rule]
    assert (row.findings, row.new) == (4, 4)


def test_a_version_1_history_file_is_migrated_and_counts_occurrences(path):
    from consistency.history import MIGRATIONS

    path.parent.mkdir(parents=True)
    with sqlite3.connect(path) as db:  # a file as consistency 0.1 wrote it
        db.executescript(MIGRATIONS[0])
        db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        db.execute("INSERT INTO schema_version VALUES (1)")
    db.close()
    store = History(path)
    store.record(run(DAY1, finding("fp-1")))
    assert store.schema_version() == 2
    store.record(run(DAY2, finding("fp-1"), finding("fp-1")))
    rows = [r for r in store.summary(days=3650, now=DAY3) if r.rule]
    assert [(r.findings, r.new) for r in rows] == [(1, 1), (2, 0)]
