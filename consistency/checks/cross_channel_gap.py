"""cross-channel-gap: one product, one window, different channels, different prices.

For each product and window (``window``, default ``P1D``: a local calendar day)
the lowest and highest quote of every channel are kept. When the highest quote
of one channel and the lowest of another differ by more than the list's
tolerance, one finding lists the quotes; ``warn``/``error`` thresholds grade it
by the gap in percent of the higher quote. With ``ignore_promotions: true`` (the
default) a quote that is exactly a promotion's price allowed on its channel is
left out: that gap is intended.

Options: ``ignore_promotions`` (bool, default true).

Passing: web ₪99.90 and phone ₪99.90 on the same day.

Failing (the seed case: web ₪99.90, phone ₪89.91 the same day, -10.0%)::

    rules:
      - {id: cross-channel-gap, warn: {percent: 2}, error: {percent: 5}, window: P1D}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Evidence, Observation, Problem
from . import GROUPED, Context
from ._grouped import Windowed
from ._quotes import bucket_label, consumer_quote, difference, money, money_text, product_name

ID = "cross-channel-gap"
KIND = GROUPED
DEFAULTS = {"severity": "error", "window": "P1D"}
OPTIONS = {
    "type": "object",
    "properties": {"ignore_promotions": {"type": "boolean"}},
}


class State(Windowed):
    def __init__(self, ctx: Context, rule):
        super().__init__(ctx, rule)
        self.ignore_promotions = rule.options.get("ignore_promotions", True)

    def add(self, obs: Observation) -> list[Problem]:
        book = self.ctx.book
        if obs.product is None or book.window_at(obs.product, obs.at) is None:
            return []
        quote = consumer_quote(obs, book)
        if quote is None or (self.ignore_promotions and _promoted(quote, obs, book)):
            return []
        return self.put(obs.at, obs.product, obs.channel, quote, (obs.id, obs.at, obs.ref))

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
        diff = difference(low, high)
        currency = book.currency
        yield Problem(
            message=(
                f"{product_name(book, product)} on {bucket_label(index, self.window)}: "
                f"{high_ch} quoted {money_text(high, currency)}, {low_ch} quoted "
                f"{money_text(low, currency)} ({diff['percent']:+.1f}%)"
            ),
            channel=off_list,
            product=product,
            at=at,
            expected=money(high, currency) | {"channel": high_ch, "list_price": list_price},
            observed=money(low, currency) | {"channel": low_ch},
            difference=diff,
            cause=f"{high_ch}-vs-{low_ch}",
            evidence=Evidence(excerpt=_quotes(channels, currency)),
            related=(channels[high_ch].high_ref[0], channels[low_ch].low_ref[0]),
            key=(high_ch, low_ch, str(high), str(low)),
        )


def _promoted(quote, obs, book) -> bool:
    return any(
        o.promotion and o.amount == quote for o in book.offers(obs.product, obs.channel, obs.at)
    )


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
