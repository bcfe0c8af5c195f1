"""SPEC 3's date rules, in one place: window bounds, durations, and times people type.

A date alone means the whole day in the configured time zone, so ``from:
2026-11-01`` starts at 00:00 and ``to: 2026-11-30`` ends when the 1st of December
starts (windows are half-open ``[start, end)``). A date-time without an offset is
in the configured zone; a date-time ``to`` is inclusive, so the window ends one
microsecond after it. Command-line ``--since``/``--until`` and a template's
``price(id, at=...)`` follow the same rules, but for one: a date-time ``--until`` is
exclusive (``--until 2026-11-21T18:40`` leaves out a quote at 18:40), as a period typed
on the command line reads; documented in the README (tryout 9, L11). A baseline
entry's ``expires`` date holds to the end of its day, as a ``to:`` date does. An observation's ``at`` (SPEC 3.3) is
ISO 8601 or a source's ``date_format``, in the configured zone when it has no offset
(:func:`parse_observed`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .schema import show

ONE_MICROSECOND = timedelta(microseconds=1)


def parse_when(value: object, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """A ``from`` (``end=False``) or ``to`` (``end=True``) value as an aware window bound.

    >>> tz = ZoneInfo("Asia/Jerusalem")
    >>> parse_when(date(2026, 11, 30), tz, end=True).isoformat()
    '2026-12-01T00:00:00+02:00'
    >>> parse_when("2026-11-30T10:00", tz).isoformat()
    '2026-11-30T10:00:00+02:00'
    """
    try:
        return _bound(_parse_iso(value) if isinstance(value, str) else value, tz, end)
    except OverflowError:
        raise ValueError(f"{show(value)} is out of the range of dates") from None


def _bound(value: object, tz: ZoneInfo, end: bool) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment + ONE_MICROSECOND if end else moment
    if isinstance(value, date):
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), tzinfo=tz)
    raise ValueError(f"{show(value)} is not a date or date-time")


def _parse_iso(text: str) -> date | datetime:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date or time") from None


_DURATION = re.compile(
    r"""
    ^P(?!$)                              # P, and something after it
    (?:(?P<weeks>\d+)W)?                 # weeks
    (?:(?P<days>\d+)D)?                  # days
    (?:T(?=\d)                           # T starts the time part, which is not empty
       (?:(?P<hours>\d+)H)?              # hours
       (?:(?P<minutes>\d+)M)?            # minutes
       (?:(?P<seconds>\d+(?:\.\d+)?)S)?  # seconds, maybe with a fraction
    )?$
    """,
    re.VERBOSE,
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds).

    >>> parse_duration("P1D"), parse_duration("PT12H"), parse_duration("P1W")
    (datetime.timedelta(days=1), datetime.timedelta(seconds=43200), datetime.timedelta(days=7))
    >>> parse_duration("P1DT30M")
    datetime.timedelta(days=1, seconds=1800)
    """
    match = _DURATION.match(text)
    if not match:
        if re.match(r"^P(\d+Y)?(\d+M)?", text) and re.search(r"\d[YM]", text.split("T")[0]):
            raise ValueError(f"{text!r}: months and years have no fixed length; use days (P30D)")
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P1D, PT12H or P1W")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    span = timedelta(**parts)
    if not span:
        raise ValueError(f"{text!r} is an empty duration")
    return span


def bound_text(moment: datetime | None, *, end: bool = False) -> str:
    """A window bound as a price list writes it (the inverse of :func:`parse_when`): a date
    when it falls on a day boundary, the day before for an ``end``.

    >>> tz = ZoneInfo("Asia/Jerusalem")
    >>> bound_text(datetime(2026, 12, 1, tzinfo=tz)), bound_text(datetime(2026, 12, 1, tzinfo=tz), end=True)
    ('2026-12-01', '2026-11-30')
    >>> bound_text(datetime(2026, 12, 1, 10, 30, tzinfo=tz)), bound_text(None)
    ('2026-12-01T10:30:00+02:00', '')
    """
    if moment is None:
        return ""
    if moment.time() == time():
        return (moment.date() - timedelta(days=1) if end else moment.date()).isoformat()
    return (moment - timedelta(microseconds=1) if end else moment).isoformat()


def parse_bound(text: str, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """A period bound people type (``--since``, ``--until``): a date alone is a whole day, so
    an ``end`` date ends when the next day starts; a date-time is taken as written.

    >>> tz = ZoneInfo("Asia/Jerusalem")
    >>> parse_bound("2026-11-30", tz, end=True).isoformat()
    '2026-12-01T00:00:00+02:00'
    >>> parse_bound("2026-11-30T10:00", tz, end=True).isoformat()
    '2026-11-30T10:00:00+02:00'
    >>> parse_bound("9999-12-31", tz, end=True).year
    9999
    """
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date or time") from None
    if len(text) == 10 and end:
        try:
            parsed = datetime.combine(parsed.date() + timedelta(days=1), time())
        except OverflowError:  # --until 9999-12-31: to the end of time
            parsed = datetime.max
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=tz)


def at_time(value, tz: ZoneInfo) -> datetime:
    """A template's ``price(id, at=...)`` (a date or date-time, or its text) as an aware time:
    a date is the start of that day in ``tz``.

    >>> at_time("2026-12-01", ZoneInfo("Asia/Jerusalem")).isoformat()
    '2026-12-01T00:00:00+02:00'
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return parse_when(str(value), tz)


def parse_observed(text: str, tz: ZoneInfo, formats: tuple[str, ...] = ()) -> datetime:
    """An observation's ``at``: an ISO 8601 date or date-time, else one of ``formats``
    (``strptime``, such as the day-first ``%d/%m/%Y %H:%M``); without an offset it is in
    ``tz``; a date alone is 00:00. Raises ``ValueError`` saying why it cannot be read.

    >>> parse_observed("15/12/2026 09:30", ZoneInfo("Asia/Jerusalem"), ("%d/%m/%Y %H:%M",))
    datetime.datetime(2026, 12, 15, 9, 30, tzinfo=zoneinfo.ZoneInfo(key='Asia/Jerusalem'))
    >>> parse_observed("2026-12-15", ZoneInfo("UTC")).isoformat()
    '2026-12-15T00:00:00+00:00'
    """
    parsed = _observed(text, formats)
    if parsed is None:
        also = f" or as {' / '.join(formats)}" if formats else ""
        raise ValueError(f"cannot read {text!r} as an ISO 8601 date or time{also}")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    if not 1 < parsed.year < 9999:  # converting it to another zone would overflow
        raise ValueError(f"{text!r} is out of range (years 2 to 9998)")
    return parsed


def _observed(text: str, formats: tuple[str, ...]) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return None
