"""price-mismatch: a quote differs from what the channel may charge at its time.

What the channel may charge is the list price in effect at the quote's time, or
the price of a promotion allowed on that channel then, less the discount the
channel's agents may give on their own (``channels.<name>.max_discount``), within
the channel's tolerance (or the list's). Quotes are compared VAT-inclusive: a
record with ``vat_included: false`` has VAT added first.

Every mismatch carries a ``cause``, tried in this order:

- ``vat-excluded``: the quote is an offer's price without VAT, or with VAT added twice;
- ``stale-price`` / ``future-price``: an earlier / a later list price of the product;
- ``promotion-expired``: a promotion's price after its window ended;
- ``promotion-not-started``: a promotion's price before its window starts;
- ``promotion-wrong-channel``: a promotion's price on a channel it does not cover;
- ``other-product``: the list price of another product then;
- ``rounding``: the right price rounded to whole shekels or to ten agorot;
- ``over-authority-discount``: lower than the channel may give;
- ``overcharge``: higher than every price the channel may charge;
- ``unknown``: none of these.

A quote in another currency than the list's is converted by the price list's
``exchange_rates`` in effect at its time; with no rate it is never compared as if
it were in the list's currency: it is reported once, with cause ``other-currency``.

A record with ``vat_included: false`` is compared with VAT added, and the message
says both what the channel said ("₪110.08 before VAT") and the compared figure.

Options: none besides the common ones; ``warn``/``error`` thresholds grade by the
absolute percent difference.

Passing (list ₪99.90, phone may give 5%)::

    {"channel": "phone", "at": "2026-11-21T10:15", "product": "fiber-500", "amount": 95}

Failing, cause ``over-authority-discount`` (10% off)::

    {"channel": "phone", "at": "2026-11-21T10:15", "product": "fiber-500", "amount": 89.91}
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from ..model import Observation, Problem, Rule
from ..text.display import money_text
from . import OBSERVATION, Context
from ._quotes import (
    consumer_quote,
    difference,
    evidence,
    money,
    percent_note,
    product_name,
)

ID = "price-mismatch"
KIND = OBSERVATION
NEEDS = "amount"
DEFAULTS = {"severity": "error"}
OPTIONS = {"type": "object", "properties": {}}

CAUSES = (
    "stale-price",
    "future-price",
    "vat-excluded",
    "promotion-expired",
    "promotion-not-started",
    "promotion-wrong-channel",
    "other-product",
    "over-authority-discount",
    "overcharge",
    "rounding",
    "unknown",
    "other-currency",
)
AGORA = Decimal("0.01")


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    book = ctx.book
    if obs.amount is None or obs.product is None or book.window_at(obs.product, obs.at) is None:
        return
    currency = obs.currency or book.currency
    quote = consumer_quote(obs, book)
    if quote is None:
        yield _other_currency(obs, book, currency)
        return
    if book.accepts(quote, obs.product, obs.channel, obs.at):
        return
    offers = book.offers(obs.product, obs.channel, obs.at)
    reference = min(offers, key=lambda o: abs(quote - o.amount))
    cause = classify(quote, obs, book, offers)
    yield _problem(obs, book, quote, reference, cause)


def classify(quote: Decimal, obs: Observation, book, offers) -> str:
    """The most likely reason for a quote that matches no allowed offer."""
    near = _matcher(quote, book.tolerance(obs.channel))
    for test, cause in (
        (lambda: _vat_confusion(near, book, offers, obs), "vat-excluded"),
        (lambda: _other_window(near, book, obs, earlier=True), "stale-price"),
        (lambda: _other_window(near, book, obs, earlier=False), "future-price"),
        (lambda: _promotion(near, book, obs, wrong="ended"), "promotion-expired"),
        (lambda: _promotion(near, book, obs, wrong="not-started"), "promotion-not-started"),
        (lambda: _promotion(near, book, obs, wrong="channel"), "promotion-wrong-channel"),
        (lambda: _other_product(near, book, obs), "other-product"),
        (lambda: _rounding(quote, offers), "rounding"),
    ):
        if test():
            return cause
    lowest = min(book.floor(o.amount, obs.channel) for o in offers)
    if quote < lowest:
        return "over-authority-discount"
    if quote > max(o.amount for o in offers):
        return "overcharge"
    return "unknown"


def _matcher(quote: Decimal, tolerance):
    def near(target: Decimal) -> bool:
        return abs(quote - target) <= AGORA or tolerance.within(quote - target, target)

    return near


def _vat_confusion(near, book, offers, obs) -> bool:
    return any(
        near(book.without_vat(o.amount, obs.at)) or near(book.with_vat(o.amount, obs.at))
        for o in offers
    )


def _other_window(near, book, obs, *, earlier: bool) -> bool:
    before, after = book.other_windows(obs.product, obs.at)
    windows = before if earlier else after
    return any(near(book.consumer_price(w.amount, obs.at)) for w in windows)


def _promotion(near, book, obs, *, wrong: str) -> bool:
    """A promotion's price where it does not apply: ``ended``, ``not-started`` or ``channel``."""
    at = obs.at
    for promo in book.promotions(obs.product):
        if not _misapplied(promo, obs, wrong):
            continue
        bases = {book.list_amount_at(obs.product, at)}
        if wrong == "ended" and promo.start is not None:
            bases.add(book.list_amount_at(obs.product, promo.start))
        if wrong == "not-started" and promo.start is not None:
            bases.add(book.list_amount_at(obs.product, promo.start))
        prices = (book.promotion_price(promo, b, at) for b in bases if b is not None)
        if any(near(price) for price in prices):
            return True
    return False


def _misapplied(promo, obs, wrong: str) -> bool:
    on_channel = promo.covers_channel(obs.channel)
    if wrong == "channel":
        return promo.covers_time(obs.at) and not on_channel
    if wrong == "ended":
        return on_channel and promo.end is not None and obs.at >= promo.end
    return on_channel and promo.start is not None and obs.at < promo.start


def _other_product(near, book, obs) -> bool:
    return any(
        pid != obs.product and (price := book.price_at(pid, obs.at)) is not None and near(price)
        for pid in book.list.products
    )


def _rounding(quote: Decimal, offers) -> bool:
    """The quote is an allowed price rounded to whole shekels or to ten agorot."""
    for offer in offers:
        amount = offer.amount
        if quote == amount or abs(quote - amount) >= 1:
            continue
        for step in (Decimal(1), Decimal("0.1")):
            for mode in (ROUND_FLOOR, ROUND_CEILING, ROUND_HALF_UP):
                if quote == amount.quantize(step, rounding=mode):
                    return True
    return False


def _problem(obs, book, quote, reference, cause) -> Problem:
    currency = book.currency
    diff = difference(quote, reference.amount)
    what = f"the {reference.promotion} price" if reference.promotion else "the list price"
    message = (
        f"{obs.channel} quoted {_said(obs, quote, currency)} for "
        f"{product_name(book, obs.product)}; "
        f"{what} is {money_text(reference.amount, currency)}{percent_note(diff)}"
    )
    expected = money(reference.amount, currency, promotion=reference.promotion or None)
    return Problem(
        message=message,
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        expected=expected,
        observed=money(quote, currency),
        difference=diff,
        cause=cause,
        evidence=evidence(obs, reference.where),
        related=(obs.id,),
        key=(cause, quote),
    )


def _said(obs, quote, currency) -> str:
    """What the channel said, and the compared VAT-inclusive figure when they differ."""
    said = money_text(obs.amount, obs.currency or currency)
    if (obs.currency or currency) != currency:
        said += f" ({money_text(quote, currency)})"
    if not obs.vat_included:
        said = f"{said} before VAT ({money_text(quote, currency)} with VAT)"
    return said


def _other_currency(obs, book, currency) -> Problem:
    list_price = book.price_at(obs.product, obs.at)
    return Problem(
        message=(
            f"{obs.channel} quoted {money_text(obs.amount, currency)} for "
            f"{product_name(book, obs.product)}; the list is in {book.currency} "
            f"({money_text(list_price, book.currency)}) and has no exchange rate for "
            f"{currency}, so the quote was not compared (add exchange_rates: to the price list)"
        ),
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        expected=money(list_price, book.currency),
        observed=money(obs.amount, currency),
        cause="other-currency",
        evidence=evidence(obs),
        related=(obs.id,),
        key=("other-currency", currency, obs.amount),
    )
