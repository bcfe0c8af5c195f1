"""The history file's SQLite schema, one migration a version, and how times are stored.

Times are UTC ISO text of fixed width (:func:`utc_text`), so they sort and
compare as text; :mod:`consistency.history.store` applies :data:`MIGRATIONS` in order.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Each entry moves the schema one version up; never edit one that has shipped.
MIGRATIONS = (
    """
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started TEXT NOT NULL,          -- UTC, fixed width
        finished TEXT,
        config TEXT,
        price_list_version TEXT,
        tool_version TEXT,
        observations INTEGER NOT NULL DEFAULT 0,
        errors INTEGER NOT NULL DEFAULT 0,
        warnings INTEGER NOT NULL DEFAULT 0,
        infos INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,  -- the tool could not do its job
        UNIQUE (started, config)
    );
    CREATE TABLE findings (
        fingerprint TEXT PRIMARY KEY,
        rule TEXT NOT NULL,
        severity TEXT NOT NULL,
        channel TEXT,
        product TEXT,
        answer TEXT,
        message TEXT NOT NULL,
        first_run INTEGER NOT NULL,
        first_seen TEXT NOT NULL,
        last_run INTEGER NOT NULL,
        last_seen TEXT NOT NULL
    );
    CREATE TABLE run_findings (
        run INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL REFERENCES findings (fingerprint),
        status TEXT,
        PRIMARY KEY (run, fingerprint)
    );
    CREATE INDEX run_findings_fingerprint ON run_findings (fingerprint);
    CREATE INDEX runs_started ON runs (started);
    """,
    # Several findings of one run may share a fingerprint (the same mismatch quoted
    # again): each is counted, so three findings are three, not one.
    """
    ALTER TABLE run_findings ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
    """,
)


def utc_text(moment: datetime) -> str:
    """A timezone-aware time as fixed-width UTC text, so text order is time order.

    >>> from zoneinfo import ZoneInfo
    >>> utc_text(datetime(2026, 11, 21, 10, 15, tzinfo=ZoneInfo("Asia/Jerusalem")))
    '2026-11-21T08:15:00.000000+00:00'
    """
    if moment.tzinfo is None:
        raise ValueError(f"time without a time zone: {moment.isoformat()}")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")


def from_utc_text(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None
