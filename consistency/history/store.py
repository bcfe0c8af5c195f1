"""Run history in SQLite: which findings are new, which recur and since when, which resolved.

One file holds every recorded run and every finding by fingerprint. A finding is
``new`` when no run that started earlier than this one had its fingerprint, and
``recurring`` otherwise; ``first_seen`` says since when. ``resolved`` lists what the
previous run found and this one no longer does. ``history_table`` / ``history_json``
render the last days for ``consistency history`` (:mod:`consistency.history.table`).

The file uses WAL journaling and a busy timeout, and each run is written in one
``BEGIN IMMEDIATE`` transaction, so two processes recording at once wait for each
other instead of corrupting the file. Times are stored as UTC ISO text of fixed
width, so they sort and compare as text.

>>> import tempfile, pathlib
>>> from datetime import datetime, timezone
>>> from consistency.model import Finding
>>> from consistency.result import Result
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> store = History(folder / "h" / "history.sqlite")
>>> one = Finding("fp1", "price-mismatch", "error", "phone quoted 89.90", channel="phone")
>>> first = Result(started=datetime(2026, 11, 1, tzinfo=timezone.utc), findings=[one])
>>> [f.status for f in store.record(first).findings]
['new']
>>> second = Result(started=datetime(2026, 11, 2, tzinfo=timezone.utc), findings=[one])
>>> [f.status for f in store.record(second).findings]
['recurring']
>>> store.first_seen("fp1").isoformat()
'2026-11-01T00:00:00+00:00'
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ..errors import InputError, LoadError
from ..result import Result
from .schema import MIGRATIONS, from_utc_text, utc_text

BUSY_TIMEOUT_MS = 30_000
CHUNK = 500  # fingerprints per IN (...) query, below SQLite's variable limit
BASELINED = "baselined"


@dataclass(frozen=True)
class SummaryRow:
    """Findings of one rule on one channel in one run (rule and channel empty: a clean run)."""

    run: int
    started: datetime
    price_list_version: str | None
    failed: bool
    channel: str
    rule: str
    findings: int
    new: int


class History:
    """A SQLite history file; created with its folder on first use."""

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            self._migrate(db)

    # --- connection and schema -------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            db.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            db.execute("PRAGMA foreign_keys=ON")
            yield db
        except sqlite3.DatabaseError as exc:
            raise self._unusable(exc) from None
        finally:
            db.close()

    def _unusable(self, exc: sqlite3.DatabaseError) -> InputError:
        if isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc):
            reason = f"history file stayed locked by another process: {exc}"
        else:
            reason = f"not a usable consistency history file: {exc}"
        return InputError([LoadError(str(self.path), None, None, "history", reason)])

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction, taking the write lock at the start."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = db.execute("SELECT max(version) FROM schema_version").fetchone()
            version = row[0] or 0
            if version > len(MIGRATIONS):
                raise self._unusable(
                    sqlite3.DatabaseError(
                        f"schema version {version} is newer than this consistency knows "
                        f"({len(MIGRATIONS)}); upgrade consistency"
                    )
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in script.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (number,))
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def schema_version(self) -> int:
        with self._connect() as db:
            return db.execute("SELECT max(version) FROM schema_version").fetchone()[0]

    def journal_mode(self) -> str:
        with self._connect() as db:
            return db.execute("PRAGMA journal_mode").fetchone()[0]

    # --- recording -------------------------------------------------------------------

    def record(self, result: Result) -> Result:
        """Store one run; return it with each finding marked ``new`` or ``recurring``.

        Baselined findings are stored but keep their ``baselined`` status. Recording
        the same run (same start time and config) again replaces it.
        """
        started = utc_text(result.started)
        with self._transaction() as db:
            run = _save_run(db, result, started)
            statuses = {}
            for finding in result.findings:
                seen = _seen_before(db, finding.fingerprint, started)
                statuses[finding.fingerprint] = "recurring" if seen else "new"
                _upsert_finding(db, finding, run, started)
                status = BASELINED if finding.status == BASELINED else statuses[finding.fingerprint]
                db.execute(
                    "INSERT INTO run_findings (run, fingerprint, status) VALUES (?, ?, ?)"
                    " ON CONFLICT (run, fingerprint)"
                    " DO UPDATE SET occurrences = occurrences + 1, status = excluded.status",
                    (run, finding.fingerprint, status),
                )
        findings = [
            f if f.status == BASELINED else replace(f, status=statuses[f.fingerprint])
            for f in result.findings
        ]
        return replace(result, findings=findings)

    # --- questions -------------------------------------------------------------------

    def mark_failed(self, result: Result) -> bool:
        """Mark the run :meth:`record` recorded for ``result`` as failed: it ended with exit
        2 after it was recorded (a report that could not be written, an email or a
        notification not sent). False when the run was not recorded (a narrowed run)."""
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET failed = 1 WHERE started = ? AND config IS ?",
                (utc_text(result.started), result.config),
            )
            return cursor.rowcount > 0

    def first_seen(self, fingerprint: str) -> datetime | None:
        """When a run first had this finding, or None if it never did."""
        with self._connect() as db:
            row = db.execute(
                "SELECT first_seen FROM findings WHERE fingerprint = ?", (fingerprint,)
            ).fetchone()
        return from_utc_text(row[0]) if row else None

    def since(self, result: Result) -> dict[str, datetime]:
        """Fingerprint -> first seen, for the findings of ``result`` the history knows."""
        wanted = sorted({f.fingerprint for f in result.findings})
        since = {}
        with self._connect() as db:
            for start in range(0, len(wanted), CHUNK):
                chunk = wanted[start : start + CHUNK]
                marks = ", ".join("?" * len(chunk))
                rows = db.execute(
                    f"SELECT fingerprint, first_seen FROM findings WHERE fingerprint IN ({marks})",
                    chunk,
                )
                since.update((fp, from_utc_text(seen)) for fp, seen in rows)
        return since

    def previous_run(self, result: Result) -> int | None:
        """The id of the last run that started before ``result``."""
        with self._connect() as db:
            row = db.execute(
                "SELECT id FROM runs WHERE started < ? ORDER BY started DESC, id DESC LIMIT 1",
                (utc_text(result.started),),
            ).fetchone()
        return row[0] if row else None

    def previous_fingerprints(self, result: Result) -> set[str] | None:
        """Fingerprints the previous run reported (not baselined); None without one."""
        run = self.previous_run(result)
        if run is None:
            return None
        with self._connect() as db:
            rows = db.execute(
                "SELECT fingerprint FROM run_findings WHERE run = ? AND status IS NOT ?",
                (run, BASELINED),
            ).fetchall()
        return {row[0] for row in rows}

    def resolved(self, result: Result) -> list[dict]:
        """Findings of the previous run that ``result`` no longer has, oldest first."""
        run = self.previous_run(result)
        if run is None:
            return []
        present = {f.fingerprint for f in result.findings}
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute(
                "SELECT f.* FROM run_findings rf JOIN findings f USING (fingerprint)"
                " WHERE rf.run = ? ORDER BY f.first_seen, f.fingerprint",
                (run,),
            ).fetchall()
        return [_resolved_row(row) for row in rows if row["fingerprint"] not in present]

    def summary(self, days: int = 30, now: datetime | None = None) -> list[SummaryRow]:
        """Per run of the last ``days``: findings per channel and rule, and how many were new."""
        now = now or datetime.now(UTC)
        since = utc_text(now - timedelta(days=days))
        with self._connect() as db:
            rows = db.execute(_SUMMARY_SQL, (since,)).fetchall()
        return [
            SummaryRow(
                run=run,
                started=from_utc_text(started),
                price_list_version=version,
                failed=bool(failed),
                channel=channel or "",
                rule=rule or "",
                findings=count,
                new=new,
            )
            for run, started, version, failed, channel, rule, count, new in rows
        ]


_SUMMARY_SQL = """
SELECT r.id, r.started, r.price_list_version, r.failed, f.channel, f.rule,
       coalesce(sum(rf.occurrences), 0),
       coalesce(sum((f.first_seen = r.started AND rf.status IS NOT 'baselined') * rf.occurrences), 0)
FROM runs r
LEFT JOIN run_findings rf ON rf.run = r.id
LEFT JOIN findings f ON f.fingerprint = rf.fingerprint
WHERE r.started >= ?
GROUP BY r.id, f.channel, f.rule
ORDER BY r.started, r.id, f.channel, f.rule
"""


def _save_run(db: sqlite3.Connection, result: Result, started: str) -> int:
    """Insert the run, or reuse the row of the same run recorded before (and forget its findings)."""
    row = db.execute(
        "SELECT id FROM runs WHERE started = ? AND config IS ?", (started, result.config)
    ).fetchone()
    if row:
        db.execute("DELETE FROM run_findings WHERE run = ?", (row[0],))
        db.execute("DELETE FROM runs WHERE id = ?", (row[0],))
    counts = result.counts()
    cursor = db.execute(
        "INSERT INTO runs (id, started, finished, config, price_list_version, tool_version,"
        " observations, errors, warnings, infos, failed) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row[0] if row else None,
            started,
            utc_text(result.finished) if result.finished else None,
            result.config,
            result.price_list_version,
            result.tool_version,
            result.observations,
            counts["error"],
            counts["warning"],
            counts["info"],
            int(bool(result.errors)),
        ),
    )
    return cursor.lastrowid


def _seen_before(db: sqlite3.Connection, fingerprint: str, started: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM run_findings rf JOIN runs r ON r.id = rf.run"
        " WHERE rf.fingerprint = ? AND r.started < ? LIMIT 1",
        (fingerprint, started),
    ).fetchone()
    return row is not None


def _upsert_finding(db: sqlite3.Connection, finding, run: int, started: str) -> None:
    """Insert the finding, or widen its first/last seen to include this run."""
    db.execute(
        """
        INSERT INTO findings (fingerprint, rule, severity, channel, product, answer, message,
                              first_run, first_seen, last_run, last_seen)
        VALUES (:fp, :rule, :severity, :channel, :product, :answer, :message,
                :run, :started, :run, :started)
        ON CONFLICT (fingerprint) DO UPDATE SET
            first_run = CASE WHEN :started < first_seen THEN :run ELSE first_run END,
            first_seen = min(first_seen, :started),
            last_run = CASE WHEN :started >= last_seen THEN :run ELSE last_run END,
            severity = CASE WHEN :started >= last_seen THEN :severity ELSE severity END,
            message = CASE WHEN :started >= last_seen THEN :message ELSE message END,
            last_seen = max(last_seen, :started)
        """,
        {
            "fp": finding.fingerprint,
            "rule": finding.rule,
            "severity": finding.severity,
            "channel": finding.channel,
            "product": finding.product,
            "answer": finding.answer,
            "message": finding.message,
            "run": run,
            "started": started,
        },
    )


def _resolved_row(row: sqlite3.Row) -> dict:
    keys = ("fingerprint", "rule", "severity", "channel", "product", "answer", "message")
    data = {key: row[key] for key in keys}
    data["first_seen"] = from_utc_text(row["first_seen"])
    data["last_seen"] = from_utc_text(row["last_seen"])
    return data
