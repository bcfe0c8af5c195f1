"""customer-quote-conflict: one customer or household got different quotes for one product.

Quotes are grouped by ``customer`` (a customer or household id), product and
window (``window``, default ``P1D``). When the highest and lowest quote differ by
more than the list's tolerance, one finding names both quotes and their channels
- the spouse who called the call center and heard 10% less than the web site
said. Quotes without a ``customer`` are not grouped.

Options: none besides ``window`` and the thresholds.

Failing::

    {"channel": "web", "at": "2026-11-21T09:02", "customer": "hh-1001", "product": "fiber-500", "amount": 99.90}
    {"channel": "phone", "at": "2026-11-21T18:40", "customer": "hh-1001", "product": "fiber-500", "amount": 89.91}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Observation, Problem
from . import GROUPED
from ._grouped import Windowed
from ._quotes import bucket_label, consumer_quote, difference, money, money_text, product_name

ID = "customer-quote-conflict"
KIND = GROUPED
DEFAULTS = {"severity": "error", "window": "P1D"}
OPTIONS = {"type": "object", "properties": {}}

_ALL = ""  # one sub-key: the customer's extremes across every channel


class State(Windowed):
    def add(self, obs: Observation) -> list[Problem]:
        if not obs.customer or obs.product is None:
            return []
        quote = consumer_quote(obs, self.ctx.book)
        if quote is None:
            return []
        ref = (obs.id, obs.at, obs.ref, obs.channel)
        return self.put(obs.at, (obs.customer, obs.product), _ALL, quote, ref)

    def judge(self, index, key, subs) -> Iterator[Problem]:
        customer, product = key
        extreme = subs[_ALL]
        book = self.ctx.book
        high, low = extreme.high, extreme.low
        if high == low or book.list.tolerance.within(high - low, high):
            return
        high_ch, low_ch = extreme.high_ref[3], extreme.low_ref[3]
        at = extreme.low_ref[1]
        list_price = book.price_at(product, at)
        off_list = (
            high_ch
            if list_price is not None and abs(high - list_price) > abs(low - list_price)
            else low_ch
        )
        diff = difference(low, high)
        currency = book.currency
        yield Problem(
            message=(
                f"customer {customer} was quoted {money_text(high, currency)} ({high_ch}) and "
                f"{money_text(low, currency)} ({low_ch}) for {product_name(book, product)} "
                f"on {bucket_label(index, self.window)} ({diff['percent']:+.1f}%)"
            ),
            channel=off_list,
            product=product,
            at=at,
            expected=money(high, currency) | {"channel": high_ch, "ref": extreme.high_ref[2]},
            observed=money(low, currency)
            | {"channel": low_ch, "ref": extreme.low_ref[2], "customer": customer},
            difference=diff,
            cause="same-customer",
            related=(extreme.high_ref[0], extreme.low_ref[0]),
            key=(customer, high_ch, low_ch, str(high), str(low)),
        )
