"""customer-quote-conflict: one customer or household got different quotes for one product.

Two quotes to the same ``customer`` (a customer or household id) for the same
product conflict when they are at most ``window`` apart in time (default
``P1D``: 24 hours of elapsed time, rolling, so 23:00 and 01:00 the next day are
two hours apart and compared) and differ by more than the list's tolerance.

Each pair is counted on the local day of its later quote, and each customer,
product and day with a conflict gives exactly one finding, for that day's widest
pair (ties: the pair that completes first). So a household told different
prices on three days gets three findings, and a quote that agrees with both
sides never hides one. The finding names both quotes, their channels, times and
refs; ``expected`` is the higher quote, ``observed`` the lower, and the cause is
``same-customer``. Its fingerprint holds the customer, the product and the day,
not the channels or amounts: while the household still has conflicting quotes
that day it is the same finding. Quotes without a ``customer`` are
not grouped.

Example: the web quotes household hh-1001 ₪99.90 at 23:00 on 21 November and the
phone quotes the spouse ₪89.91 at 01:00 on the 22nd: one finding, -10.0%. With
``window: PT1H`` they are two hours apart and not compared.

The quotes are kept in the run's DuckDB store (on disk past its memory limit),
not in Python, so a million households cost no more memory than ten.

With ``ignore_promotions: true`` (the default) a quote that is exactly the price
of a promotion allowed on its channel is left out, as cross-channel-gap leaves it
out: the web's Hanukkah price to a household is no contradiction of the phone's
list price.

Options: ``ignore_promotions`` (bool, default true), besides ``window`` and the
thresholds.

Passing (one household, one price everywhere)::

    {"channel": "web", "at": "2026-11-21T09:02", "customer": "hh-1001", "product": "fiber-500", "amount": 99.90}
    {"channel": "phone", "at": "2026-11-21T18:40", "customer": "hh-1001", "product": "fiber-500", "amount": 99.90}

Failing::

    {"channel": "web", "at": "2026-11-21T09:02", "customer": "hh-1001", "product": "fiber-500", "amount": 99.90}
    {"channel": "phone", "at": "2026-11-21T18:40", "customer": "hh-1001", "product": "fiber-500", "amount": 89.91}
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from datetime import timedelta

from ..model import Evidence, Observation, Problem
from ..text.display import money_text
from . import GROUPED
from ._grouped import DAY, QuoteSpill, SpilledQuote
from ._quotes import consumer_quote, difference, money, percent_note, product_name, promotion_of

ID = "customer-quote-conflict"
KIND = GROUPED
DEFAULTS = {"severity": "error", "window": "P1D"}
OPTIONS = {
    "type": "object",
    "properties": {"ignore_promotions": {"type": "boolean"}},
}


class State:
    def __init__(self, ctx, rule):
        self.ctx = ctx
        self.rule = rule
        self.window = rule.window or DAY
        self.ignore_promotions = rule.options.get("ignore_promotions", True)
        self.spill = QuoteSpill(getattr(ctx, "store", None))

    def add(self, obs: Observation) -> None:
        if not obs.customer or obs.product is None:
            return
        book = self.ctx.book
        quote = consumer_quote(obs, book)
        if quote is None or (self.ignore_promotions and promotion_of(quote, obs, book)):
            return
        self.spill.add(obs.customer, obs.product, obs.at, quote, obs.channel, obs.id, obs.ref)

    def merge(self, other: State) -> None:
        self.spill.merge(other.spill)

    def finish(self) -> Iterator[Problem]:
        span = self.window // timedelta(microseconds=1)
        tolerance = self.ctx.book.list.tolerance
        tz = self.ctx.timezone

        def day_of(quote: SpilledQuote):
            return quote.at(tz).date()

        try:
            for (customer, product), quotes in self.spill.groups(tolerance, span):
                for low, high in widest_pairs(quotes, span, day_of):
                    if not tolerance.within(high.amount - low.amount, high.amount):
                        yield self._problem(customer, product, low, high)
        finally:
            self.spill.close()

    def _problem(self, customer, product, low: SpilledQuote, high: SpilledQuote) -> Problem:
        book = self.ctx.book
        currency = book.currency
        tz = self.ctx.timezone
        later = max(low, high, key=SpilledQuote.order)
        day = later.at(tz).date().isoformat()
        list_price = book.price_at(product, low.at(tz))
        off_list = (
            high.channel
            if list_price is not None
            and abs(high.amount - list_price) > abs(low.amount - list_price)
            else low.channel
        )
        diff = difference(low.amount, high.amount)
        return Problem(
            message=(
                f"customer {customer} was quoted {money_text(high.amount, currency)} "
                f"({high.channel}, {_when(high, self.ctx.timezone)}) and "
                f"{money_text(low.amount, currency)} ({low.channel}, "
                f"{_when(low, self.ctx.timezone)}) for {product_name(book, product)}"
                f"{percent_note(diff)}"
            ),
            channel=off_list,
            product=product,
            at=later.at(tz),
            expected=money(high.amount, currency, channel=high.channel, ref=high.ref),
            observed=money(
                low.amount, currency, channel=low.channel, ref=low.ref, customer=customer
            ),
            difference=diff,
            cause="same-customer",
            evidence=Evidence(ref=low.ref if off_list == low.channel else high.ref),
            related=(high.id, low.id),
            key=(day, customer),  # one finding per customer, product and day
            per_channel=False,
        )


def _when(quote: SpilledQuote, tz) -> str:
    return quote.at(tz).strftime("%Y-%m-%d %H:%M")


def widest_pairs(quotes: list[SpilledQuote], span: int, day_of) -> Iterator[tuple]:
    """Per local day, the ``(low, high)`` pair within ``span`` of each other with the widest gap.

    ``quotes`` are one customer's quotes for one product, sorted by time then id;
    ``span`` is the window in microseconds; ``day_of(quote)`` is the local date a
    pair is counted on: its later quote's. Two monotonic queues hold the lowest and
    highest quote of the last ``span`` (across midnight too), so each quote is looked
    at a few times only. Ties keep the pair that completes first, then the earlier
    partner.
    """
    lows: deque = deque()  # increasing amounts; the front is the earliest lowest
    highs: deque = deque()  # decreasing amounts; the front is the earliest highest
    best, day = None, None  # (gap, low, high) of the day
    for quote in quotes:
        today = day_of(quote)
        if today != day:
            if best is not None and best[0] > 0:
                yield best[1], best[2]
            best, day = None, today
        for queue in (lows, highs):
            while queue and quote.t - queue[0].t > span:
                queue.popleft()
        best = _better(best, lows, highs, quote)
        while lows and lows[-1].amount > quote.amount:
            lows.pop()
        lows.append(quote)
        while highs and highs[-1].amount < quote.amount:
            highs.pop()
        highs.append(quote)
    if best is not None and best[0] > 0:
        yield best[1], best[2]


def _better(best, lows: deque, highs: deque, quote: SpilledQuote):
    """The best pair so far, or ``quote`` with the lowest or highest quote before it."""
    candidates = []
    if lows:
        candidates.append((quote.amount - lows[0].amount, lows[0], quote, lows[0]))
    if highs:
        candidates.append((highs[0].amount - quote.amount, quote, highs[0], highs[0]))
    for gap, low, high, _partner in sorted(candidates, key=lambda c: (-c[0], c[3].order())):
        if best is None or gap > best[0]:
            return (gap, low, high)
        break
    return best
