"""The typed ``expected`` and ``observed`` values a finding carries, one frozen type per shape.

Checks build these; reporters read their attributes; :mod:`consistency.result` writes each
as its JSON form (:meth:`Value.to_json`, the object SPEC 6's report fields carry) and
reads it back with :func:`value_from_json`. Money is ``Decimal`` here and a JSON number
there; times are ISO 8601 text there.

The JSON forms (keys in this order; a key whose value is ``None`` is left out, except
``question``):

====================  ==================================================================
``MoneyValue``        ``{amount, currency, channel?, ref?, customer?, list_price?, promotion?,
                      source?, name?, vat_included?, quotes?}``
``QuoteRow``          ``{channel, count, low, low_at, low_ref, high, high_at, high_ref,
                      promotion?}`` (``promotion``: quotes at an allowed promotion's price)
``PromotionValue``    ``{promotion, amount?, currency?}`` (a promotion as applied)
``FactValue``         ``{fact, value, unit}`` (an answer's fact: ``fact`` is its kind)
``ForbiddenValue``    ``{forbidden, scope}``; ``PhraseValue`` ``{phrase}``
``ReplyValue``        ``{reply, question}`` expected, ``{reply}`` observed
``ProductValue``      ``{product}``; ``OffersValue`` ``{offers: [offer, ...]}``
``Difference``        ``{amount, percent}`` (a finding's ``difference``; both keys always
                      written, ``percent`` null when the expected amount is 0)
====================  ==================================================================

Values are read by attribute. :meth:`Value.as_dict` gives the JSON keys with their Python
values (Decimal, datetime) for code that formats any shape key by key.

>>> from decimal import Decimal
>>> v = MoneyValue(Decimal("99.90"), "ILS", channel="web")
>>> v.to_json()
{'amount': 99.9, 'currency': 'ILS', 'channel': 'web'}
>>> value_from_json(v.to_json()) == MoneyValue(Decimal("99.9"), "ILS", channel="web")
True
>>> value_from_json({"promotion": "summer", "amount": 79.9, "currency": "ILS"}).promotion
'summer'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from decimal import Decimal
from typing import Any, ClassVar

__all__ = [
    "Difference",
    "FactValue",
    "ForbiddenValue",
    "MoneyValue",
    "OffersValue",
    "PhraseValue",
    "ProductValue",
    "PromotionValue",
    "QuoteRow",
    "ReplyValue",
    "Value",
    "as_difference",
    "as_value",
    "plain",
    "value_from_json",
]


class Value:
    """Base of the value types: the Python form by ``as_dict``, the JSON form by ``to_json``."""

    __slots__ = ()
    KEYS: ClassVar[dict[str, str]] = {}  # JSON key -> attribute, where they differ
    ALWAYS: ClassVar[frozenset[str]] = frozenset()  # JSON keys written even when None

    def as_dict(self) -> dict[str, Any]:
        """The JSON keys in order, with Python values (Decimal, datetime, values)."""
        out = {}
        for f in fields(self):  # type: ignore[arg-type]
            key = self.KEYS.get(f.name, f.name)
            value = getattr(self, f.name)
            if value is not None and value != () or key in self.ALWAYS:
                out[key] = value
        return out

    def to_json(self) -> dict[str, Any]:
        """The JSON form: Decimals as numbers, times as ISO text, nested values likewise."""
        return plain(self.as_dict())


@dataclass(frozen=True, slots=True)
class QuoteRow(Value):
    """One channel's lowest and highest quote in a grouped finding's window."""

    channel: str
    count: int
    low: Decimal | None
    low_at: datetime | str | None
    low_ref: str | None
    high: Decimal | None
    high_at: datetime | str | None
    high_ref: str | None
    promotion: str | None = None  # quotes at an allowed promotion's price: shown, never a gap
    ALWAYS: ClassVar[frozenset[str]] = frozenset(
        ("low", "low_at", "low_ref", "high", "high_at", "high_ref")
    )


@dataclass(frozen=True, slots=True)
class MoneyValue(Value):
    """An amount in a currency, with what it is about: the channel and ref that quoted it,
    the customer, the list price it is measured against, the promotion the list price is, where on a page it was read
    (``source``: visible or structured), the unlisted name, VAT, or a window's quotes."""

    amount: Decimal
    currency: str | None
    channel: str | None = None
    ref: str | None = None
    customer: str | None = None
    list_price: Decimal | None = None
    promotion: str | None = None
    source: str | None = None
    name: str | None = None
    vat_included: bool | None = None
    quotes: tuple[QuoteRow, ...] = ()


@dataclass(frozen=True, slots=True)
class PromotionValue(Value):
    """A promotion as a channel applied it, with the amount when one was quoted."""

    promotion: str
    amount: Decimal | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class FactValue(Value):
    """A fact of an answer: its kind (money, duration, ...), value and unit."""

    kind: str
    value: Any
    unit: str | None
    KEYS: ClassVar[dict[str, str]] = {"kind": "fact"}
    ALWAYS: ClassVar[frozenset[str]] = frozenset(("fact", "value", "unit"))


@dataclass(frozen=True, slots=True)
class ForbiddenValue(Value):
    """A forbidden phrase and the scope its rule covers."""

    forbidden: str
    scope: Any
    ALWAYS: ClassVar[frozenset[str]] = frozenset(("scope",))


@dataclass(frozen=True, slots=True)
class PhraseValue(Value):
    """The phrase a channel said."""

    phrase: str


@dataclass(frozen=True, slots=True)
class ReplyValue(Value):
    """A reply: ``"text"`` expected to ``question``, or the (empty) reply observed."""

    reply: str
    question: str | None = None
    asked: bool = False  # True on the expected side: the question key is always written

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"reply": self.reply}
        if self.asked:
            out["question"] = self.question
        return out


@dataclass(frozen=True, slots=True)
class ProductValue(Value):
    """The product a page was expected to show."""

    product: str | None
    ALWAYS: ClassVar[frozenset[str]] = frozenset(("product",))


@dataclass(frozen=True, slots=True)
class OffersValue(Value):
    """The offers a page showed (each as the page's fetcher read it)."""

    offers: tuple[Mapping, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"offers": list(self.offers)}


@dataclass(frozen=True, slots=True)
class Difference(Value):
    """A finding's difference: observed minus expected, signed. ``amount`` is in the
    expected's currency (reports take it from the finding's values); ``percent`` is of
    the expected amount, None when that is 0. Checks make it exact; the engine rounds the
    percent to 0.1 for the finding, and thresholds grade the exact one."""

    amount: Decimal | None
    percent: Decimal | None
    ALWAYS: ClassVar[frozenset[str]] = frozenset(("amount", "percent"))


def plain(value):
    """Decimals become JSON numbers (ints when whole), times ISO text, values their JSON form.

    >>> plain({"a": Decimal("2.50"), "b": [Decimal(3)]})
    {'a': 2.5, 'b': [3]}
    """
    if isinstance(value, Value):
        return value.to_json()
    if isinstance(value, Decimal):
        whole = value == value.to_integral_value() and abs(value) < 2**53
        return int(value) if whole else float(value)
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _dec(value):
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    return value


def _decimals(value):
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return _dec(value)


def _money(data: Mapping) -> MoneyValue:
    rows = data.get("quotes") or ()
    names = {f.name for f in fields(QuoteRow)}
    if not all(
        isinstance(row, dict) and names - {"promotion"} <= set(row) <= names for row in rows
    ):
        raise TypeError("quotes of another shape")
    quotes = tuple(
        QuoteRow(**{f.name: _dec(row.get(f.name)) for f in fields(QuoteRow)}) for row in rows
    )
    known = {f.name for f in fields(MoneyValue)} - {"amount", "currency", "quotes"}
    extra = {k: _dec(data[k]) if k == "list_price" else data[k] for k in known if k in data}
    return MoneyValue(_dec(data["amount"]), data.get("currency"), **extra, quotes=quotes)


def as_value(side):
    """A finding's expected or observed as its type: a value as it is, a dict (a finding
    built by hand) by its shape, as :func:`value_from_json` tells it.

    >>> as_value({"amount": Decimal("5"), "currency": "ILS"})
    MoneyValue(amount=Decimal('5'), currency='ILS', channel=None, ref=None, customer=None, list_price=None, promotion=None, source=None, name=None, vat_included=None, quotes=())
    """
    if side is None or isinstance(side, Value):
        return side
    return value_from_json(side)


def as_difference(value):
    """A finding's difference as a :class:`Difference`; a mapping of ``amount`` and
    ``percent`` (a result file, a finding built by hand) is read as one; any other shape
    is given back as it is, None stays None.

    >>> as_difference({"amount": 2.5, "percent": None})
    Difference(amount=Decimal('2.5'), percent=None)
    >>> as_difference({"gap": 1})
    {'gap': 1}
    """
    if isinstance(value, Mapping) and value and set(value) <= {"amount", "percent"}:
        return Difference(_dec(value.get("amount")), _dec(value.get("percent")))
    return value


def value_from_json(data):
    """The typed value of a JSON ``expected``/``observed`` (a result file, old or new).

    The shape is told by its keys (a promotion as applied has ``promotion`` first); an
    object of no known shape stays a dict (numbers as Decimal), ``None`` stays ``None``.

    >>> value_from_json({"fact": "money", "value": 5, "unit": "ILS"})
    FactValue(kind='money', value=Decimal('5'), unit='ILS')
    >>> value_from_json({"surprise": 1.5})
    {'surprise': Decimal('1.5')}
    """
    if not isinstance(data, dict):
        return _decimals(data)
    keys = set(data)
    if "fact" in keys and keys <= {"fact", "value", "unit"}:
        return FactValue(data["fact"], _decimals(data.get("value")), data.get("unit"))
    if keys == {"forbidden", "scope"}:
        return ForbiddenValue(data["forbidden"], data["scope"])
    if keys == {"phrase"}:
        return PhraseValue(data["phrase"])
    if "reply" in keys and keys <= {"reply", "question"}:
        return ReplyValue(data["reply"], data.get("question"), asked="question" in keys)
    if keys == {"product"}:
        return ProductValue(data["product"])
    if keys == {"offers"} and isinstance(data["offers"], list):
        return OffersValue(tuple(_decimals(data["offers"])))
    if next(iter(data)) == "promotion" and keys <= {"promotion", "amount", "currency"}:
        return PromotionValue(data["promotion"], _dec(data.get("amount")), data.get("currency"))
    if "amount" in keys and keys <= {f.name for f in fields(MoneyValue)}:
        try:
            return _money(data)
        except TypeError:  # quotes rows of another shape: keep the dict
            return _decimals(data)
    return _decimals(data)
