"""Accepted findings: a baseline YAML file that keeps known, explained findings from failing a run.

Each entry names a finding by fingerprint, says why it is accepted and until when::

    accepted:
      - fingerprint: 9f86d081884c7d65
        reason: phone keeps the old price until the IVR update (ticket OPS-88)
        expires: 2026-12-31        # last day it is accepted, in the configured time zone
        rule: price-mismatch       # rule, channel, product, answer: optional, for people
        channel: phone
        product: fiber-500

``apply`` marks matching findings ``baselined`` (they do not count for ``--fail-on``)
and returns the entries that have expired: those no longer suppress anything and are
reported so someone renews or removes them. ``write_baseline`` makes a file from a run.

>>> from datetime import date, datetime
>>> from zoneinfo import ZoneInfo
>>> tz = ZoneInfo("Asia/Jerusalem")
>>> entry = BaselineEntry("abc", "known", date(2026, 12, 31), end_of_day(date(2026, 12, 31), tz))
>>> entry.expired(datetime(2026, 12, 31, 23, 59, tzinfo=tz))
False
>>> entry.expired(datetime(2027, 1, 1, 0, 0, tzinfo=tz))
True
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path

import yaml

from .errors import InputError, LoadError
from .inputs.dates import parse_when
from .inputs.yamlio import Marks, load_yaml, loads
from .model import Finding, Location
from .outputs import write_bytes_atomic
from .result import Result

BASELINED = "baselined"
TOP_KEY = "accepted"
REQUIRED = ("fingerprint", "reason", "expires")
OPTIONAL = ("rule", "channel", "product", "answer")
KEYS = REQUIRED + OPTIONAL


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The first moment after ``day`` in ``tz``: an entry expiring on ``day`` holds until then
    (a price list's ``to:`` date, by SPEC 3's rule in :func:`.inputs.dates.parse_when`)."""
    return parse_when(day, tz, end=True)


@dataclass(frozen=True)
class BaselineEntry:
    fingerprint: str
    reason: str
    expires: date  # the last day the finding is accepted
    until: datetime  # the first moment it is no longer accepted
    rule: str | None = None
    channel: str | None = None
    product: str | None = None
    answer: str | None = None
    where: Location | None = None

    def expired(self, now: datetime) -> bool:
        if now.tzinfo is None:
            raise ValueError("now must be timezone-aware")
        return now >= self.until


@dataclass(frozen=True)
class Baseline:
    path: str
    entries: tuple[BaselineEntry, ...] = ()

    def get(self, fingerprint: str) -> BaselineEntry | None:
        return next((e for e in self.entries if e.fingerprint == fingerprint), None)

    def by_fingerprint(self) -> dict[str, BaselineEntry]:
        return {e.fingerprint: e for e in self.entries}


# --- reading -----------------------------------------------------------------------------


def load_baseline(path: Path | str, tz: tzinfo) -> Baseline:
    """Read a baseline file with the one YAML reader (:mod:`consistency.inputs.yamlio`).

    Every problem of the entries is reported at once as an ``InputError`` naming file,
    line and column; a file YAML cannot read (bad syntax, a key written twice, over the
    size limits) is one error at its line.
    """
    data, marks = load_yaml(path)
    return _baseline(data, marks, str(path), tz)


def parse_baseline(text: str, file: str, tz: tzinfo) -> Baseline:
    """Parse baseline YAML text that came from ``file`` (named in errors).

    >>> from zoneinfo import ZoneInfo
    >>> parse_baseline("accepted:\\n  - {fingerprint: x}\\n", "b.yaml", ZoneInfo("UTC"))
    Traceback (most recent call last):
    consistency.errors.InputError: b.yaml:2:5: accepted[0]: missing 'reason', 'expires'
    """
    data, marks = loads(text, file)
    return _baseline(data, marks, file, tz)


def _baseline(data: object, marks: Marks, file: str, tz: tzinfo) -> Baseline:
    reading = _Reading(file, marks)
    entries = list(_entries(data, tz, reading))
    reading.errors.extend(_duplicates(entries, file))
    if reading.errors:
        raise InputError(sorted(reading.errors, key=lambda e: (e.line or 0, e.col or 0)))
    return Baseline(file, tuple(entries))


@dataclass
class _Reading:
    """The file being read, the marks of its YAML, and the problems found so far."""

    file: str
    marks: Marks
    errors: list[LoadError] = field(default_factory=list)

    def error(self, at: tuple, path: str, message: str, key: bool = False) -> None:
        """A problem at the value (or, with ``key``, the key) at JSON path ``at``."""
        line, col = (key and self.marks.keys_at.get(at)) or self.marks.at(at)
        self.errors.append(LoadError(self.file, line, col, path, message))


def _entries(data: object, tz: tzinfo, reading: _Reading) -> Iterator[BaselineEntry]:
    if data is None:
        return
    if not isinstance(data, dict):
        reading.error((), "", f"a baseline is a mapping with '{TOP_KEY}:'")
        return
    listed = _mapping(data, (), "", (TOP_KEY,), reading).get(TOP_KEY)
    if listed is None:
        return
    if not isinstance(listed, list):
        reading.error((TOP_KEY,), TOP_KEY, "must be a list of accepted findings")
        return
    for index, item in enumerate(listed):
        entry = _entry(item, (TOP_KEY, index), tz, reading)
        if entry is not None:
            yield entry


def _mapping(data: dict, at: tuple, path: str, allowed, reading: _Reading) -> dict:
    """The known keys of ``data``; each unknown key is an error at its line."""
    items = {}
    for key, value in data.items():
        if key in allowed:
            items[key] = value
        else:
            where = f"{path}.{key}" if path else str(key)
            reading.error((*at, key), where, _unknown(key, allowed), key=True)
    return items


def _unknown(key: object, allowed: tuple[str, ...]) -> str:
    """Name an unknown key, with the closest known one.

    >>> _unknown("expire", KEYS)
    "unknown key 'expire'; did you mean 'expires'?"
    """
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(allowed)
    return f"unknown key {key!r}; {hint}"


def _entry(data: object, at: tuple, tz: tzinfo, reading: _Reading) -> BaselineEntry | None:
    path = f"{TOP_KEY}[{at[-1]}]"
    if not isinstance(data, dict):
        reading.error(at, path, "an entry is a mapping with fingerprint, reason")
        return None
    before = len(reading.errors)
    items = _mapping(data, at, path, KEYS, reading)
    missing = [key for key in REQUIRED if key not in items]
    if missing:
        reading.error(at, path, "missing " + ", ".join(repr(k) for k in missing))
        return None
    texts = {
        key: _text(items[key], (*at, key), f"{path}.{key}", reading)
        for key in items
        if key != "expires"
    }
    expires = _date(items["expires"], (*at, "expires"), f"{path}.expires", reading)
    if len(reading.errors) > before:
        return None
    line, col = reading.marks.at(at)
    return BaselineEntry(
        fingerprint=texts["fingerprint"],
        reason=texts["reason"],
        expires=expires,
        until=end_of_day(expires, tz),
        **{key: texts.get(key) for key in OPTIONAL},
        where=Location(reading.file, line, col),
    )


def _text(value: object, at: tuple, path: str, reading: _Reading) -> str | None:
    """Non-empty text. A value YAML reads as something else (``0042`` is the number 34,
    ``yes`` is true) is an error asking for quotes, never silently turned into text."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or isinstance(value, str):
        reading.error(at, path, "must be non-empty text")
    else:
        kind = _kind(value)
        reading.error(at, path, f"must be text, and YAML reads this as {kind}: put it in quotes")
    return None


def _kind(value: object) -> str:
    """What YAML made of a scalar, in words: ``a number``, ``true or false``, ``a date``..."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, date):
        return "a date"
    return "a list" if isinstance(value, list) else "a mapping"


def _date(value: object, at: tuple, path: str, reading: _Reading) -> date | None:
    """A calendar date written as YYYY-MM-DD (quoted or not); a date-time is not one."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    if isinstance(value, list | dict):
        shown = _kind(value)
    else:
        shown = value.isoformat() if isinstance(value, datetime) else str(value)
    reading.error(at, path, f"{shown!r} is not a date (YYYY-MM-DD)")
    return None


def _duplicates(entries: list[BaselineEntry], file: str) -> Iterator[LoadError]:
    first: dict[str, BaselineEntry] = {}
    for entry in entries:
        if entry.fingerprint in first:
            line = first[entry.fingerprint].where.line
            message = f"fingerprint {entry.fingerprint} already listed on line {line}"
            yield LoadError(file, entry.where.line, entry.where.col, "fingerprint", message)
        else:
            first[entry.fingerprint] = entry


# --- applying ----------------------------------------------------------------------------


def apply(result: Result, baseline: Baseline, now: datetime) -> tuple[Result, list[BaselineEntry]]:
    """Mark findings the baseline accepts ``baselined``; return the result and expired entries.

    An expired entry suppresses nothing. Every expired entry is returned, matched or not,
    soonest expiry first.
    """
    active = {e.fingerprint for e in baseline.entries if not e.expired(now)}
    findings = [
        replace(f, status=BASELINED) if f.fingerprint in active else f for f in result.findings
    ]
    expired = sorted(
        (e for e in baseline.entries if e.expired(now)), key=lambda e: (e.expires, e.fingerprint)
    )
    return replace(result, findings=findings), expired


def unused(result: Result, baseline: Baseline, now: datetime) -> list[BaselineEntry]:
    """Entries still in force that matched no finding of ``result``: candidates to remove."""
    present = {f.fingerprint for f in result.findings}
    return [e for e in baseline.entries if not e.expired(now) and e.fingerprint not in present]


# --- writing -----------------------------------------------------------------------------


HEADER = """\
# consistency baseline: findings accepted until their expiry date.
# Written from the run of {started}; price list {version}.
# Each entry needs a reason; an expired entry stops suppressing and is reported.
"""


def write_baseline(result: Result, path: Path | str, reason: str, expires: date) -> int:
    """Write every finding of ``result`` as accepted; return how many entries were written.

    The file is replaced atomically (temp file, then ``os.replace``).
    """
    if not reason or not reason.strip():
        raise ValueError("a baseline needs a reason")
    if isinstance(expires, datetime) or not isinstance(expires, date):
        raise ValueError(f"expires must be a date, not {expires!r}")
    findings = _unique(result.findings)
    text = HEADER.format(
        started=result.started.isoformat(), version=result.price_list_version or "-"
    )
    text += f"{TOP_KEY}:\n" if findings else f"{TOP_KEY}: []\n"
    for finding in findings:
        text += _entry_text(finding, reason.strip(), expires)
    write_bytes_atomic(Path(path), text.encode("utf-8"))
    return len(findings)


def _unique(findings: list[Finding]) -> list[Finding]:
    seen: dict[str, Finding] = {}
    for finding in findings:
        seen.setdefault(finding.fingerprint, finding)
    return sorted(
        seen.values(),
        key=lambda f: (f.rule, f.channel or "", f.product or "", f.answer or "", f.fingerprint),
    )


def _entry_text(finding: Finding, reason: str, expires: date) -> str:
    entry = {"fingerprint": finding.fingerprint, "reason": reason, "expires": expires}
    entry.update({key: getattr(finding, key) for key in OPTIONAL if getattr(finding, key)})
    body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, width=1000)
    comment = " ".join(finding.message.split())
    lines = [f"  # {comment}"] + ["  " + line for line in body.splitlines()]
    return "\n".join(lines) + "\n"
