"""One observation record (SPEC 3.3) -> an Observation, or an InvalidRecord naming the bad field.

Shared by every file format and platform adapter: they turn their rows into
plain mappings with the SPEC 3.3 field names and call :func:`to_observation`.
A ``text`` that is HTML becomes the plain text a reader saw (``text.html``)
before anything reads it. The options of a file source (encoding, delimiter,
column renames, date formats, size limits) travel in
:class:`~consistency.inputs.files.FileOptions`.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from ..inputs.dates import parse_observed
from ..inputs.files import FileOptions
from ..model import InvalidRecord, Location, Observation
from ..text.money import parse_amount

TEXT_FIELDS = ("product", "promotion", "text", "answer", "customer", "agent", "ref", "name")
_TRUE = {"true", "yes", "1", "y", "כן", "t"}
_FALSE = {"false", "no", "0", "n", "לא", "f"}
MAX_AMOUNT = Decimal("1e12")  # as in the price list: beyond it an amount is a typo, not a price
MIN_AMOUNT = Decimal("1e-8")  # a non-zero amount below it is a typo, not a price
# Half of a UTF-16 pair on its own: JSON's "\\ud800" escape gives one (RFC 8259 8.2), and it has
# no UTF-8 form, so no report could be written with it.
SURROGATE = re.compile("[\ud800-\udfff]")
# SPEC 3.3 and 9.1 field names: what ``columns:`` may rename an export's column to.
FIELDS = (
    "channel", "at", "product", "amount", "currency", "vat_included", "promotion", "text",
    "answer", "customer", "agent", "ref", "id", "name", "thread", "role", "public",
)  # fmt: skip


@dataclass(frozen=True)
class RecordContext:
    """What reading a record needs: the time zone, the list's currency, the known channels."""

    timezone: ZoneInfo
    currency: str
    channels: frozenset[str]
    default_channel: str | None = None
    file: FileOptions = FileOptions()
    # (path, ctx) -> True when the columnar path (consistency.columnar) read the file itself
    claim: object | None = field(default=None, compare=False)


class BadField(ValueError):
    def __init__(self, field: str, reason: str):
        super().__init__(reason)
        self.field = field


def to_observation(
    record: Mapping, where: Location, ctx: RecordContext, *, raw_id: str | None = None
):
    """Build an Observation; on any bad field return an InvalidRecord instead of raising."""
    try:
        if bad := lone_surrogate(record):
            raise BadField(*bad)
        return _build(record, where, ctx, raw_id)
    except BadField as bad:
        channel = _clean(_text(record.get("channel"))) or ctx.default_channel
        product = _clean(_text(record.get("product")))
        return InvalidRecord(where, str(bad), bad.field, channel, _excerpt(record), product)


def lone_surrogate(record: Mapping) -> tuple[str | None, str] | None:
    r"""(field, reason) for the first field of ``record`` whose text holds a lone surrogate
    (in nested values too), or None; a field *name* that holds one gives field None.

    >>> lone_surrogate({"id": "q1", "customer": "hh\ud800"})[0]
    'customer'
    >>> print(lone_surrogate({"id": "q\udc80"})[1])  # doctest: +ELLIPSIS
    'q\udc80' holds a lone surrogate (U+DC80): half of a UTF-16 pair, not a character ...
    >>> lone_surrogate({"id": "q1", "text": "\U0001f600"}) is None
    True
    """
    for key, value in record.items():  # the common case, ASCII text, at string speed
        if type(key) is str and not key.isascii() and SURROGATE.search(key):
            return None, f"the field name {surrogate_reason(key)}"
        if type(value) is str:
            if not value.isascii() and SURROGATE.search(value):
                return key, surrogate_reason(value)
        elif isinstance(value, Mapping | list | tuple) and (found := surrogate_in(value)):
            return key, surrogate_reason(found[1])
    return None


def surrogate_in(value, path: str = "$") -> tuple[str, str] | None:
    r"""(JSON path, text) of the first string in ``value`` (a decoded JSON document) that holds a
    lone surrogate, or None; a key that holds one gives its object's path. No recursion.

    >>> surrogate_in({"a": [1, {"b": "x\udfff"}]})
    ('$.a[1].b', 'x\udfff')
    """
    stack = [(value, path)]
    while stack:
        node, here = stack.pop()
        if isinstance(node, str):
            if not node.isascii() and SURROGATE.search(node):
                return here, node
        elif isinstance(node, Mapping):
            for key in node:
                if isinstance(key, str) and not key.isascii() and SURROGATE.search(key):
                    return here, key
            stack.extend((v, f"{here}.{k}") for k, v in reversed(node.items()))
        elif isinstance(node, list | tuple):
            stack.extend((v, f"{here}[{i}]") for i, v in reversed(list(enumerate(node))))
    return None


def surrogate_reason(text: str) -> str:
    """Why ``text`` (which holds a lone surrogate) is refused, the text shown with escapes."""
    code = ord(SURROGATE.search(text).group())
    return (
        f"{text[:60]!r} holds a lone surrogate (U+{code:04X}): half of a UTF-16 pair, not a"
        " character (a JSON \\u escape can write one: RFC 8259 8.2)"
    )


def _clean(text: str | None) -> str | None:
    """``text`` with any lone surrogate written as its ``\\udXXX`` escape (valid UTF-8)."""
    if text is None or text.isascii() or not SURROGATE.search(text):
        return text
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _build(record: Mapping, where: Location, ctx: RecordContext, raw_id: str | None) -> Observation:
    channel = _text(record.get("channel")) or ctx.default_channel
    if not channel:
        raise BadField("channel", "missing field 'channel'")
    if channel not in ctx.channels:
        known = ", ".join(sorted(ctx.channels))
        raise BadField("channel", f"unknown channel {channel!r} (known: {known})")
    at = parse_time(record.get("at"), ctx.timezone, ctx.file.date_formats)
    amount, currency = _amount(record, ctx)
    text = _text(record.get("text"))
    if text is not None:
        from ..text.html import html_to_text, looks_like_html  # lxml: only for text records

        if looks_like_html(text):
            text = html_to_text(text) or None
    meta = record.get("meta")
    meta = meta if isinstance(meta, Mapping) and meta else None
    if amount is None and text is None and not (meta and meta.get("ambiguous")):
        # a page with several offers and none clearly the product's has neither: it is kept
        # for the ambiguous-page check, as `consistency fetch` wrote it
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


def parse_time(value, tz: ZoneInfo, formats: tuple[str, ...] = ()) -> datetime:
    """A record's ``at``, read by SPEC 3's one rule for it (``inputs.dates.parse_observed``);
    a missing or unreadable value is a :class:`BadField` on ``at``."""
    text = _text(value)
    if text is None:
        raise BadField("at", "missing field 'at'")
    try:
        return parse_observed(text, tz, formats)
    except ValueError as err:
        raise BadField("at", str(err)) from None


def _amount(record: Mapping, ctx: RecordContext) -> tuple[Decimal | None, str | None]:
    value = record.get("amount")
    declared = _text(record.get("currency"))
    if declared is not None:
        declared = declared.upper()
        if len(declared) != 3 or not declared.isalpha():
            raise BadField("currency", f"{declared!r} is not an ISO 4217 code")
    if value is None or value == "":
        return None, None
    if isinstance(value, str):
        value = ascii_digits(value)
        if any(not c.isascii() and unicodedata.decimal(c, None) is not None for c in value):
            raise BadField("amount", f"{value!r} mixes the digits of two scripts")
    amount, found = _number(value)
    if amount is None:
        money = parse_amount(str(value), declared or ctx.currency)
        if money is None:
            raise BadField("amount", f"cannot read {str(value)!r} as an amount")
        amount, found = money.amount, money.currency
    _check_price(amount, value)
    if declared and found and declared != found:
        raise BadField("currency", f"amount {value!r} is in {found}, the record says {declared}")
    return amount, declared or found or ctx.currency


def amount_text(value: str, declared: str | None, ctx: RecordContext) -> str | None:
    """The amount a record's ``amount`` text (and ``currency``) gives, as plain decimal text,
    when it is in ``ctx.currency``; None when it is in another currency or is no amount.
    The same reading :func:`to_observation` does, for a columnar engine's user function.

    >>> ctx = RecordContext(ZoneInfo("Asia/Jerusalem"), "ILS", frozenset({"web"}))
    >>> amount_text('89.90 ש"ח', None, ctx), amount_text("$25", None, ctx)
    ('89.90', None)
    """
    try:
        amount, currency = _amount({"amount": value, "currency": declared}, ctx)
    except BadField:
        return None
    return str(amount) if amount is not None and currency == ctx.currency else None


def _check_price(amount: Decimal, value) -> None:
    """Refuse what no price is: NaN, infinities, a sign (``-0`` included), absurd sizes."""
    if not amount.is_finite():
        raise BadField("amount", f"{str(value)!r} is not a price (not a finite number)")
    if amount.is_signed():
        raise BadField("amount", f"{str(value)!r} is not a price (a negative sign)")
    if amount > MAX_AMOUNT:
        raise BadField("amount", f"{str(value)!r} is not a price (over {MAX_AMOUNT:,.0f})")
    if amount and amount < MIN_AMOUNT:
        raise BadField("amount", f"{str(value)!r} is not a price (under {MIN_AMOUNT:f})")


def ascii_digits(text: str) -> str:
    """``text`` with the decimal digits of one other script (Arabic-Indic ``٩٩٫٩٠``, Persian,
    Devanagari ...) as ASCII digits, and the Arabic decimal and thousands marks as ``.`` and
    ``,``. Digits of two scripts mixed are left alone, so the amount is refused.

    >>> ascii_digits("٩٩٫٩٠ ₪"), ascii_digits("۱۲۰"), ascii_digits("99.90")
    ('99.90 ₪', '120', '99.90')
    >>> ascii_digits("٩9")
    '٩9'
    """
    if text.isascii():
        return text
    scripts = {
        ord(c) - unicodedata.decimal(c) for c in text if unicodedata.decimal(c, None) is not None
    }
    if len(scripts) != 1 or scripts == {ord("0")}:
        return text
    zero = scripts.pop()
    table = {zero + d: str(d) for d in range(10)} | {0x066B: ".", 0x066C: ","}
    return text.translate(table)


def _number(value) -> tuple[Decimal | None, str | None]:
    if isinstance(value, bool):
        return None, None
    if isinstance(value, Decimal):
        return value, None
    if isinstance(value, int | float):
        return Decimal(str(value)), None
    if not isinstance(value, str) or not value.isascii() or "_" in value:
        return None, None  # Decimal() would take any script's digits, or "1_000", silently
    try:
        return Decimal(value.strip()), None
    except InvalidOperation:
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
    """A field as text, stripped; a whole number written as a JSON number (``2002`` or
    ``2002.0``, as Excel-to-JSON tools write ids) reads as ``"2002"``, as it does in CSV.

    >>> _text(" hh-1 "), _text(Decimal("2002.0")), _text(2002), _text(Decimal("2.5")), _text("")
    ('hh-1', '2002', '2002', '2.5', None)
    """
    if value is None or value == "":
        return None
    if type(value) is str:
        return value.strip() or None
    if isinstance(value, Decimal | int | float) and not isinstance(value, bool):
        return _number_text(value)
    return str(value).strip() or None


def _number_text(value) -> str:
    if isinstance(value, Decimal):
        whole = value.is_finite() and value.adjusted() < 18 and value == value.to_integral_value()
    elif isinstance(value, float):
        whole = math.isfinite(value) and abs(value) < 1e18 and value.is_integer()
    else:
        whole = abs(value) < 10**18
    return str(int(value)) if whole else str(value)


def _excerpt(record: Mapping) -> str:
    text = ", ".join(f"{k}={v}" for k, v in record.items() if v not in (None, ""))[:300]
    return _clean(text)
