"""Findings in the reader's language: rule and cause titles, and one sentence per finding.

The checks write their ``message`` in English. The HTML report and the email instead
render each finding from a sentence template of its rule, in the report's locale
(:mod:`.i18n`), filled from the finding's typed fields: channel, product name, the
expected and observed values, the signed gap. A rule without a template, or a
finding that lacks a field its template needs, falls back to the check's message.

Each filled-in value is handed to ``wrap`` first, so the HTML can isolate every
mixed-direction run (a product name, an amount, a channel) in ``<bdi>``.

>>> from decimal import Decimal
>>> from consistency.model import Finding
>>> f = Finding("fp", "price-mismatch", "error", "m", channel="phone", product="fiber-500",
...             expected={"amount": Decimal("99.90"), "currency": "ILS"},
...             observed={"amount": Decimal("89.91"), "currency": "ILS"},
...             difference={"amount": Decimal("-9.99"), "percent": Decimal("-10.0")})
>>> sentence(f, Formatter("en"), {"fiber-500": "סיב 500 מגה"})
'phone quoted ₪89.91 for סיב 500 מגה; the list price is ₪99.90 (-₪9.99, -10.0%)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from ..model import Finding
from ..values import Difference, MoneyValue, Value, as_difference, as_value
from .base import currency_of, text, value_parts
from .i18n import Formatter
from .reasons import reason_text


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marks a message for extraction
    return message


RULES = {
    "price-mismatch": N_("Price differs from the list"),
    "cross-channel-gap": N_("Channels quoted different prices"),
    "customer-quote-conflict": N_("One household, different quotes"),
    "promotion-misuse": N_("Promotion used where it does not apply"),
    "unknown-product": N_("Quote for a product not on the list"),
    "vat-excluded-price": N_("Price stated without VAT"),
    "structured-data-mismatch": N_("Page and search engines disagree"),
    "invalid-record": N_("Record that cannot be read"),
    "channel-unreachable": N_("Source that could not be read"),
    "answer-contradicts-approved": N_("Reply contradicts the approved answer"),
    "answer-missing-fact": N_("Reply leaves out a required fact"),
    "forbidden-phrase": N_("Forbidden phrase"),
    "price-in-reply-mismatch": N_("Price in a reply differs from the list"),
    "no-reply": N_("No reply"),
    "ambiguous-page": N_("Page with several prices"),
}
CAUSES = {
    "stale-price": N_("an earlier list price"),
    "future-price": N_("a price not yet in effect"),
    "vat-excluded": N_("without VAT"),
    "promotion-expired": N_("an expired promotion"),
    "promotion-not-started": N_("a promotion not started yet"),
    "other-currency": N_("another currency, with no exchange rate"),
    "promotion-wrong-channel": N_("a promotion of another channel"),
    "other-product": N_("another product's price"),
    "over-authority-discount": N_("a discount beyond the channel's authority"),
    "overcharge": N_("above every allowed price"),
    "rounding": N_("rounding"),
    "unknown": N_("no known cause"),
    "same-customer": N_("same household"),
    "wrong-channel": N_("wrong channel"),
    "no-price": N_("no price then"),
    "unknown-promotion": N_("a promotion not on the list"),
    "wrong-product": N_("a promotion of other products"),
    "expired": N_("a promotion that has ended"),
    "not-started": N_("a promotion not started yet"),
    "unnamed": N_("no product named"),
    "unlisted": N_("not on the list"),
    "ambiguous": N_("several prices on the page"),
    "unparsable": N_("structured data that cannot be read"),
    "unreachable": N_("unreachable"),
    "unreadable": N_("unreadable"),
}
# Causes that carry a value: ``bad-<field>`` (invalid-record), ``<high>-vs-<low>`` (channels).
FIELD_CAUSE = N_("field %(field)s unreadable")
PAIR_CAUSE = N_("%(high)s above %(low)s")
SENTENCES = {
    "price-mismatch": N_(
        "%(channel)s quoted %(observed)s for %(product)s; the list price is %(expected)s (%(gap)s)"
    ),
    "price-in-reply-mismatch": N_(
        "%(channel)s said %(observed)s for %(product)s; the list price is %(expected)s (%(gap)s)"
    ),
    "cross-channel-gap": N_(
        "%(product)s: the channels quoted different prices; %(channel)s quoted %(observed)s, "
        "%(gap)s against the list price %(expected)s"
    ),
    "customer-quote-conflict": N_(
        "Customer %(customer)s was quoted %(expected)s and %(observed)s for %(product)s (%(gap)s)"
    ),
    "vat-excluded-price": N_(
        "%(channel)s quoted %(observed)s for %(product)s: consumers must be quoted prices with VAT"
    ),
    "unknown-product": N_("%(channel)s quoted %(observed)s for %(product)s, not priced then"),
    "promotion-misuse": N_("%(channel)s applied a promotion that does not cover %(product)s then"),
    "structured-data-mismatch": N_(
        "The page of %(product)s shows %(expected)s, its structured data %(observed)s (%(gap)s)"
    ),
    "answer-contradicts-approved": N_(
        "%(channel)s said %(observed)s; the approved answer says %(expected)s"
    ),
    "answer-missing-fact": N_("%(channel)s replied without stating %(expected)s"),
    "forbidden-phrase": N_("%(channel)s said the forbidden phrase %(observed)s"),
    "no-reply": N_("%(channel)s gave no reply to %(question)s"),
    "invalid-record": N_("Cannot read the record at %(source)s (field %(field)s): %(reason)s"),
    "channel-unreachable": N_("%(channel)s: could not read %(source)s: %(reason)s"),
}
BY_CAUSE = {  # a cause that needs other words than its rule's
    ("invalid-record", "unreadable"): N_("Cannot read the record at %(source)s: %(reason)s"),
    ("price-mismatch", "other-currency"): N_(
        "%(channel)s quoted %(observed)s for %(product)s; the list price is %(expected)s and the "
        "price list has no exchange rate for that currency, so the quote was not compared"
    ),
}


def rule_title(rule: str, fmt: Formatter) -> str:
    return fmt.gettext(RULES[rule]) if rule in RULES else rule


def cause_title(cause: str | None, fmt: Formatter) -> str:
    """A cause in words: ``web-vs-phone`` is "web above phone", ``bad-at`` "field at
    unreadable"; one the catalog does not know stays as it is.

    >>> he = Formatter("he")
    >>> cause_title("unknown-promotion", he), cause_title("web-vs-phone", Formatter("en"))
    ('מבצע שאינו במחירון', 'web above phone')
    """
    if not cause:
        return ""
    if cause in CAUSES:
        return fmt.gettext(CAUSES[cause])
    if cause.startswith("bad-") and len(cause) > 4:
        return fmt.gettext(FIELD_CAUSE) % {"field": cause[4:]}
    high, vs, low = cause.partition("-vs-")
    if vs and high and low:
        return fmt.gettext(PAIR_CAUSE) % {"high": high, "low": low}
    return cause


def product_name(finding: Finding, names: Mapping[str, str] | None) -> str | None:
    if finding.product is None:
        return finding.answer
    return (names or {}).get(finding.product, finding.product)


def fields_of(finding: Finding, fmt: Formatter, names: Mapping[str, str] | None) -> dict:
    """The values a sentence may name, formatted in the locale; absent ones left out."""
    currency = currency_of(finding)
    shown = {
        "channel": finding.channel,
        "product": product_name(finding, names),
        "expected": _amount_text(finding.expected, currency, fmt),
        "observed": _amount_text(finding.observed, currency, fmt),
        "gap": _gap_text(finding.difference, currency, fmt),
        "customer": getattr(as_value(finding.observed), "customer", None),
        "question": getattr(as_value(finding.expected), "question", None),
        **_engine_fields(finding, fmt),
    }
    return {key: value for key, value in shown.items() if value not in (None, "")}


def _engine_fields(finding: Finding, fmt: Formatter) -> dict:
    """The source, field and reason of a record or source the engine could not read: the
    reason is the engine's words after the check's fixed lead-in, said in the locale
    (:mod:`.reasons`)."""
    ev = finding.evidence
    source = ev.source if ev else None
    if finding.rule not in ("invalid-record", "channel-unreachable") or not source:
        return {}
    cause = finding.cause or ""
    field = cause[4:] if cause.startswith("bad-") else None
    if finding.rule == "invalid-record":
        lead = f"{source}: cannot read record" + (f" ({field})" if field else "") + ": "
    else:
        lead = f"{finding.channel}: could not read {source}: "
    if not finding.message.startswith(lead):
        return {}
    reason = reason_text(finding.message[len(lead) :], fmt)
    return {"source": source, "field": field, "reason": reason}


def sentence(
    finding: Finding,
    fmt: Formatter,
    names: Mapping[str, str] | None = None,
    wrap: Callable[[str], str] = str,
    escape: Callable[[str], str] = str,
) -> str:
    """The finding said in the locale; its message when no template fits.

    ``wrap`` is applied to each filled-in value and ``escape`` to the template's own words.
    """
    template = BY_CAUSE.get((finding.rule, finding.cause)) or SENTENCES.get(finding.rule)
    if template is None:
        return escape(finding.message)
    values = fields_of(finding, fmt, names)
    try:
        return escape(fmt.gettext(template)) % {
            k: _isolated(v, wrap, escape) for k, v in values.items()
        }
    except (KeyError, ValueError, TypeError):  # a field this finding lacks: its own words
        return escape(finding.message)


def _gap_text(difference, currency, fmt: Formatter) -> str | None:
    """A signed gap: ``-₪9.99, -10.0%``, or either alone."""
    difference = as_difference(difference)
    if not isinstance(difference, Difference):
        return None
    shown = []
    if difference.amount is not None:
        shown.append(fmt.money(difference.amount, currency, signed=True))
    if difference.percent is not None:
        shown.append(fmt.percent(difference.percent, signed=True))
    return Parts(shown) if shown else None


class Parts(str):
    """Text of several values (``-₪9.99, -10.0%``) that :func:`sentence` isolates one by
    one: each number in its own ``<bdi>``, so a sign stays with its own number.

    >>> Parts(["-₪9.99", "-10.0%"]), Parts(["-₪9.99", "-10.0%"]).parts
    ('-₪9.99, -10.0%', ('-₪9.99', '-10.0%'))
    """

    parts: tuple[str, ...]

    def __new__(cls, parts):
        made = super().__new__(cls, ", ".join(parts))
        made.parts = tuple(parts)
        return made

    def __repr__(self) -> str:
        return repr(str(self))


def _isolated(value, wrap: Callable[[str], str], escape: Callable[[str], str]) -> str:
    if isinstance(value, Parts):
        return escape(", ").join(wrap(part) for part in value.parts)
    return wrap(value)


def _amount_text(value, currency, fmt: Formatter) -> str | None:
    """A value without its channel and ref (the sentence names the channel itself)."""
    if not value:
        return None
    value = as_value(value)
    if isinstance(value, MoneyValue):
        bare = replace(value, channel=None, ref=None, customer=None, quotes=())
    else:
        shown = value.as_dict() if isinstance(value, Value) else value
        bare = {k: v for k, v in shown.items() if k not in ("channel", "ref", "customer", "quotes")}
    return text(value_parts(bare, currency, fmt=fmt)) or None
