"""One observation record (SPEC 3.3) -> an Observation, or an InvalidRecord naming the bad field.

Shared by every file format and platform adapter: they turn their rows into
plain mappings with the SPEC 3.3 field names and call :func:`to_observation`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..model import InvalidRecord, Location, Observation
from ..text.money import parse_amount

TEXT_FIELDS = ("product", "promotion", "text", "answer", "customer", "agent", "ref", "name")
_TRUE = {"true", "yes", "1", "y", "כן", "t"}
_FALSE = {"false", "no", "0", "n", "לא", "f"}
MAX_AMOUNT = Decimal("1e12")  # as in the price list: beyond it an amount is a typo, not a price


@dataclass(frozen=True)
class RecordContext:
    """What reading a record needs: the time zone, the list's currency, the known channels."""

    timezone: ZoneInfo
    currency: str
    channels: frozenset[str]
    default_channel: str | None = None
    partition: object | None = (
        None  # consistency.partition.Partition: readers may skip others' rows
    )

    def skips(self, product) -> bool:
        """True when the row names a product another worker audits (an early skip only)."""
        if self.partition is None or not product or not isinstance(product, str):
            return False
        return not self.partition.owns(product.strip())


class BadField(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


def to_observation(
    record: Mapping, where: Location, ctx: RecordContext, *, raw_id: str | None = None
):
    """Build an Observation; on any bad field return an InvalidRecord instead of raising."""
    try:
        return _build(record, where, ctx, raw_id)
    except BadField as bad:
        channel, product = _text(record.get("channel")), _text(record.get("product"))
        return InvalidRecord(where, str(bad), bad.field, channel, _excerpt(record), product)


def _build(record: Mapping, where: Location, ctx: RecordContext, raw_id: str | None) -> Observation:
    channel = _text(record.get("channel")) or ctx.default_channel
    if not channel:
        raise BadField("channel", "missing field 'channel'")
    if channel not in ctx.channels:
        known = ", ".join(sorted(ctx.channels))
        raise BadField("channel", f"unknown channel {channel!r} (known: {known})")
    at = parse_time(record.get("at"), ctx.timezone)
    amount, currency = _amount(record, ctx)
    text = _text(record.get("text"))
    meta = record.get("meta")
    meta = meta if isinstance(meta, Mapping) and meta else None
    if amount is None and text is None:
        if not (meta and meta.get("fetched")):
            raise BadField("amount", "a record needs an 'amount' or a 'text'")
        text = ""  # a fetched channel that gave an empty reply: kept for the no-reply check
    values = {name: _text(v) for name in TEXT_FIELDS if (v := record.get(name))}
    values["text"] = text
    return Observation(
        id=_text(record.get("id")) or raw_id or record_id(record),
        channel=channel,
        at=at,
        source=where,
        amount=amount,
        currency=currency,
        vat_included=parse_bool(record.get("vat_included"), "vat_included", default=True),
        meta=meta,
        **values,
    )


def to_record(obs: Observation) -> dict:
    """An Observation as a SPEC 3.3 record (the inverse of :func:`to_observation`).

    Decimals become strings and times ISO 8601 with their offset, so the record
    reads back exactly, ``meta`` included (``consistency fetch`` -> ``audit --observations``).
    """
    record = {"id": obs.id, "channel": obs.channel, "at": obs.at.isoformat()}
    for name in ("product", "currency", "promotion", "text", "answer", "customer", "agent"):
        if getattr(obs, name) is not None:
            record[name] = getattr(obs, name)
    if obs.amount is not None:
        record["amount"] = str(obs.amount)
    if not obs.vat_included:
        record["vat_included"] = False
    record.update({k: v for k, v in (("ref", obs.ref), ("name", obs.name)) if v is not None})
    if obs.meta:
        record["meta"] = dict(obs.meta)
    return record


def parse_time(value, tz: ZoneInfo) -> datetime:
    """An ISO 8601 date or datetime; without an offset it is in ``tz``; a date alone is 00:00."""
    text = _text(value)
    if text is None:
        raise BadField("at", "missing field 'at'")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise BadField("at", f"cannot read {text!r} as an ISO 8601 date or time") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    if not 1 < parsed.year < 9999:  # converting it to another zone would overflow
        raise BadField("at", f"{text!r} is out of range (years 2 to 9998)")
    return parsed


def _amount(record: Mapping, ctx: RecordContext) -> tuple[Decimal | None, str | None]:
    value = record.get("amount")
    declared = _text(record.get("currency"))
    if declared is not None:
        declared = declared.upper()
        if len(declared) != 3 or not declared.isalpha():
            raise BadField("currency", f"{declared!r} is not an ISO 4217 code")
    if value is None or value == "":
        return None, None
    amount, found = _number(value)
    if amount is None:
        money = parse_amount(str(value), declared or ctx.currency)
        if money is None:
            raise BadField("amount", f"cannot read {str(value)!r} as an amount")
        amount, found = money.amount, money.currency
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise BadField("amount", f"{str(value)!r} is not a price")
    if declared and found and declared != found:
        raise BadField("currency", f"amount {value!r} is in {found}, the record says {declared}")
    return amount, declared or found or ctx.currency


def _number(value) -> tuple[Decimal | None, str | None]:
    if isinstance(value, bool):
        return None, None
    if isinstance(value, Decimal):
        return value, None
    if isinstance(value, int | float):
        return Decimal(str(value)), None
    try:
        return Decimal(value.strip()), None
    except (InvalidOperation, AttributeError):
        return None, None


def parse_bool(value, field: str, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadField(field, f"{value!r} is not true or false")


def record_id(record: Mapping) -> str:
    """A stable id from the record's content (not its position), for records without ``id``."""
    canon = "\x1f".join(f"{k}={record[k]}" for k in sorted(record) if record[k] not in (None, ""))
    return hashlib.blake2b(canon.encode(), digest_size=8).hexdigest()


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    text = value.strip() if type(value) is str else str(value).strip()
    return text or None


def _excerpt(record: Mapping) -> str:
    return ", ".join(f"{k}={v}" for k, v in record.items() if v not in (None, ""))[:300]
