"""cross-channel-gap: one product, one day, different channels, different prices.

For each product and window (``window``, default ``P1D``: a local calendar day in
the configured time zone, "the same day" as a pricing analyst reads it) the
lowest and highest quote of every channel are kept, whatever order the exports
come in. When the highest quote of one channel and the lowest of another differ
by more than the list's tolerance, exactly one finding is made for that product
and window. It lists every channel's quotes (lowest, highest, count, refs),
``expected`` is the list price, ``observed`` the quote furthest from it, and the
``difference`` is observed minus expected, signed (chat ₪129.90 against a ₪99.90
list price is +₪30.00, +30.0%). ``warn``/``error`` thresholds grade the exact gap
between the two channels, in percent of the higher quote (the message's figure;
rounding is for display only). With ``ignore_promotions: true`` (the default) a quote that is
exactly a promotion's price allowed on its channel is left out of the gap: that
gap is intended. A finding still lists such quotes in ``observed.quotes``, marked
with the ``promotion`` whose price they are, so a report can show them as a
promotion, never as a gap.

The ``cause`` names the pair of channels, higher first: ``web-vs-phone`` means
the web quoted more than the phone. The fingerprint holds the product and the
window's date, not the channels or amounts: while any two channels still
disagree that day it is the same finding (``recurring``), even when fixing one
channel leaves another pair apart; a baseline entry for 1 November never accepts
a gap on 20 November.

Example: on 21 November web quotes fiber 500 at ₪99.90 at 09:02 and phone at
₪89.91 at 18:40: one finding, ``web-vs-phone``, -10.0%. A phone quote of ₪89.91
at 00:30 on 22 November is another day and is not compared with the web's.

Options: ``ignore_promotions`` (bool, default true).

Passing (web and phone ₪99.90 on the same day)::

    {"channel": "web", "at": "2026-11-21T09:02", "product": "fiber-500", "amount": 99.90}
    {"channel": "phone", "at": "2026-11-21T18:40", "product": "fiber-500", "amount": 99.90}

Failing (the seed case: web ₪99.90, phone ₪89.91 the same day, -10.0%), with the rule::

    rules:
      - {id: cross-channel-gap, warn: {percent: 2}, error: {percent: 5}, window: P1D}

    {"channel": "web", "at": "2026-11-21T09:02", "product": "fiber-500", "amount": 99.90}
    {"channel": "phone", "at": "2026-11-21T18:40", "product": "fiber-500", "amount": 89.91}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..model import Evidence, Observation, Problem
from ..text.display import money_text
from ..values import QuoteRow
from . import GROUPED, Context
from ._grouped import WindowExtremes
from ._quotes import (
    bucket_label,
    consumer_quote,
    difference,
    money,
    percent_note,
    product_name,
    promotion_at,
    promotion_of,
)

ID = "cross-channel-gap"
KIND = GROUPED
DEFAULTS = {"severity": "error", "window": "P1D"}
OPTIONS = {
    "type": "object",
    "properties": {"ignore_promotions": {"type": "boolean"}},
}


class State(WindowExtremes):
    def __init__(self, ctx: Context, rule):
        super().__init__(ctx, rule)
        self.ignore_promotions = rule.options.get("ignore_promotions", True)
        self.promoted = WindowExtremes(ctx, rule)  # the quotes left out: shown on the card

    def add(self, obs: Observation) -> None:
        book = self.ctx.book
        if obs.product is None or book.window_at(obs.product, obs.at) is None:
            return
        quote = consumer_quote(obs, book)
        if quote is None:
            return
        ref = (obs.id, obs.at, obs.ref)
        if self.ignore_promotions and promotion_of(quote, obs, book):
            self.promoted.put(obs.at, obs.product, obs.channel, quote, ref)
            return
        self.put(obs.at, obs.product, obs.channel, quote, ref)

    def merge(self, other: State) -> None:
        super().merge(other)
        self.promoted.merge(other.promoted)

    def merge_promoted(self, groups: dict) -> None:
        """Fold in the promoted quotes' ``{(window index, product): {channel: Extreme}}``."""
        self.promoted.merge_groups(groups)

    def _promoted_rows(self, index: int, product: str) -> tuple[QuoteRow, ...]:
        """The window's quotes at an allowed promotion's price, a row per channel, marked."""
        channels = self.promoted.groups.get((index, product), {})
        book = self.ctx.book
        return tuple(
            replace(
                row, promotion=_promotion_ids(book, product, row.channel, channels[row.channel])
            )
            for row in _quote_rows(channels)
        )

    def judge(self, index, product, channels) -> Iterator[Problem]:
        if len(channels) < 2:
            return
        high_ch, low_ch, gap = _widest(channels, self.ctx.channels)
        high, low = channels[high_ch].high, channels[low_ch].low
        book = self.ctx.book
        if gap <= 0 or book.list.tolerance.within(gap, high):
            return
        at = channels[low_ch].low_ref[1]
        list_price = book.price_at(product, at)
        off_list = high_ch if abs(high - list_price) > abs(low - list_price) else low_ch
        furthest = high if off_list == high_ch else low
        furthest_ref = (
            channels[high_ch].high_ref if off_list == high_ch else channels[low_ch].low_ref
        )
        diff = difference(low, high)
        currency = book.currency
        day = bucket_label(index, self.window)
        yield Problem(
            message=(
                f"{product_name(book, product)} on {day}: "
                f"{high_ch} quoted {money_text(high, currency)}, {low_ch} quoted "
                f"{money_text(low, currency)}{percent_note(diff)}; "
                f"the list price is {money_text(list_price, currency)}"
            ),
            channel=off_list,
            product=product,
            at=at,
            expected=money(list_price, currency),
            observed=money(
                furthest,
                currency,
                channel=off_list,
                ref=furthest_ref[2],
                quotes=_quote_rows(channels) + self._promoted_rows(index, product),
            ),
            difference=difference(furthest, list_price),  # signed, as expected/observed read
            gap=diff,  # what warn/error grade: the spread between the two channels
            cause=f"{high_ch}-vs-{low_ch}",
            evidence=Evidence(ref=furthest_ref[2], excerpt=_quotes(channels, currency)),
            related=(channels[high_ch].high_ref[0], channels[low_ch].low_ref[0]),
            key=(day,),  # one finding per product and day, whichever channels disagree
            per_channel=False,
        )


def _promotion_ids(book, product: str, channel: str, extreme) -> str:
    """The promotion (or promotions) whose price a channel's promoted extremes are."""
    sides = ((extreme.low, extreme.low_ref), (extreme.high, extreme.high_ref))
    ids = (promotion_at(book, product, channel, ref[1], amount) for amount, ref in sides)
    return ", ".join(dict.fromkeys(i for i in ids if i))


def _widest(channels: dict, order: tuple[str, ...]):
    """The pair of different channels with the largest gap; ties go to the earlier channels."""
    rank = {name: i for i, name in enumerate(order)}
    ordered = sorted(channels.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
    best = (None, None, None)
    for high_ch, high in ordered:
        for low_ch, low in ordered:
            if high_ch != low_ch and (best[2] is None or high.high - low.low > best[2]):
                best = (high_ch, low_ch, high.high - low.low)
    return best


def _quote_rows(channels: dict) -> tuple[QuoteRow, ...]:
    """Each channel's lowest and highest quote of the window, for reports to show side by side."""
    return tuple(
        QuoteRow(
            channel,
            e.count,
            e.low,
            e.low_ref[1],
            e.low_ref[2],
            e.high,
            e.high_ref[1],
            e.high_ref[2],
        )
        for channel, e in sorted(channels.items())
    )


def _quotes(channels: dict, currency: str) -> str:
    """The quotes of the window, per channel: ``web ₪99.90 · phone ₪89.91–₪99.90 (call-5512)``."""
    parts = []
    for channel, e in sorted(channels.items()):
        span = money_text(e.low, currency)
        if e.high != e.low:
            span += f"–{money_text(e.high, currency)}"
        refs = sorted({r for r in (e.low_ref[2], e.high_ref[2]) if r})
        parts.append(f"{channel} {span}" + (f" ({', '.join(refs)})" if refs else ""))
    return " · ".join(parts)
