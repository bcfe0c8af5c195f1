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
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path

import yaml

from .errors import InputError, LoadError
from .model import Finding, Location
from .outputs import write_bytes_atomic
from .result import Result

BASELINED = "baselined"
TOP_KEY = "accepted"
REQUIRED = ("fingerprint", "reason", "expires")
OPTIONAL = ("rule", "channel", "product", "answer")
KEYS = REQUIRED + OPTIONAL
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NULL = "tag:yaml.org,2002:null"


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The first moment after ``day`` in ``tz``: an entry expiring on ``day`` holds until then."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


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
    """Read a baseline file; every problem is reported at once as an ``InputError``."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InputError([LoadError(file, None, None, "", f"cannot read file: {reason}")]) from None
    return parse_baseline(text, file, tz)


def parse_baseline(text: str, file: str, tz: tzinfo) -> Baseline:
    """Parse baseline YAML text that came from ``file`` (named in errors).

    >>> from zoneinfo import ZoneInfo
    >>> parse_baseline("accepted:\\n  - {fingerprint: x}\\n", "b.yaml", ZoneInfo("UTC"))
    Traceback (most recent call last):
    consistency.errors.InputError: b.yaml:2:5: accepted[0]: missing 'reason', 'expires'
    """
    node = _compose(text, file)
    errors: list[LoadError] = []
    entries = list(_entries(node, file, tz, errors))
    errors.extend(_duplicates(entries, file))
    if errors:
        raise InputError(sorted(errors, key=lambda e: (e.line or 0, e.col or 0)))
    return Baseline(file, tuple(entries))


def _compose(text: str, file: str) -> yaml.Node | None:
    loader = yaml.SafeLoader(text)
    try:
        return loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        words = ", ".join(w for w in (exc.context, exc.problem) if w)
        raise InputError([LoadError(file, line, col, "", f"YAML syntax error: {words}")]) from None
    except yaml.YAMLError as exc:
        raise InputError([LoadError(file, None, None, "", f"YAML error: {exc}")]) from None
    finally:
        loader.dispose()


def _error(file: str, node: yaml.Node, path: str, message: str) -> LoadError:
    return LoadError(file, node.start_mark.line + 1, node.start_mark.column + 1, path, message)


def _entries(node, file, tz, errors) -> Iterator[BaselineEntry]:
    if node is None or (isinstance(node, yaml.ScalarNode) and node.tag == _NULL):
        return
    if not isinstance(node, yaml.MappingNode):
        errors.append(_error(file, node, "", f"a baseline is a mapping with '{TOP_KEY}:'"))
        return
    items = _mapping(node, file, "", (TOP_KEY,), errors)
    listed = items.get(TOP_KEY)
    if listed is None or (isinstance(listed, yaml.ScalarNode) and listed.tag == _NULL):
        return
    if not isinstance(listed, yaml.SequenceNode):
        errors.append(_error(file, listed, TOP_KEY, "must be a list of accepted findings"))
        return
    for index, item in enumerate(listed.value):
        entry = _entry(item, file, f"{TOP_KEY}[{index}]", tz, errors)
        if entry is not None:
            yield entry


def _mapping(node: yaml.MappingNode, file, path, allowed, errors) -> dict[str, yaml.Node]:
    """Scalar keys -> value nodes; unknown and repeated keys become errors."""
    items: dict[str, yaml.Node] = {}
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        where = f"{path}.{key}" if path else str(key)
        if key not in allowed:
            errors.append(_error(file, key_node, where, _unknown(key, allowed)))
        elif key in items:
            first = items[key].start_mark.line + 1
            errors.append(_error(file, key_node, where, f"key written twice (also line {first})"))
        else:
            items[key] = value
    return items


def _unknown(key: object, allowed: tuple[str, ...]) -> str:
    """Name an unknown key, with the closest known one.

    >>> _unknown("expire", KEYS)
    "unknown key 'expire'; did you mean 'expires'?"
    """
    close = difflib.get_close_matches(str(key), allowed, n=1)
    hint = f"did you mean {close[0]!r}?" if close else "known keys: " + ", ".join(allowed)
    return f"unknown key {key!r}; {hint}"


def _entry(node, file, path, tz, errors) -> BaselineEntry | None:
    if not isinstance(node, yaml.MappingNode):
        errors.append(_error(file, node, path, "an entry is a mapping with fingerprint, reason"))
        return None
    before = len(errors)
    items = _mapping(node, file, path, KEYS, errors)
    missing = [key for key in REQUIRED if key not in items]
    if missing:
        words = ", ".join(repr(k) for k in missing)
        errors.append(_error(file, node, path, f"missing {words}"))
        return None
    texts = {key: _text(items[key], file, f"{path}.{key}", errors) for key in items}
    expires = _date(items["expires"], file, f"{path}.expires", errors)
    if len(errors) > before:
        return None
    mark = node.start_mark
    return BaselineEntry(
        fingerprint=texts["fingerprint"],
        reason=texts["reason"],
        expires=expires,
        until=end_of_day(expires, tz),
        **{key: texts.get(key) for key in OPTIONAL},
        where=Location(file, mark.line + 1, mark.column + 1),
    )


def _text(node: yaml.Node, file: str, path: str, errors: list) -> str | None:
    """A scalar as written (a fingerprint of digits stays text); empty is an error."""
    if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL or not node.value.strip():
        errors.append(_error(file, node, path, "must be non-empty text"))
        return None
    return node.value.strip()


def _date(node: yaml.Node, file: str, path: str, errors: list) -> date | None:
    """A calendar date written as YYYY-MM-DD."""
    if isinstance(node, yaml.ScalarNode) and node.tag in (_TIMESTAMP, "tag:yaml.org,2002:str"):
        try:
            day = date.fromisoformat(node.value.strip())
        except ValueError:
            day = None
        if day is not None:
            return day
    shown = node.value if isinstance(node, yaml.ScalarNode) else "a " + node.id
    errors.append(_error(file, node, path, f"{shown!r} is not a date (YYYY-MM-DD)"))
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
