"""The price list as a question-answering object: what a product cost, where, and when.

All lookups take an aware ``datetime``. Prices are compared in VAT-inclusive terms:
``consumer_price`` turns a list amount into what a consumer pays, whatever the
list's own ``vat.included`` says.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from .model import (
    HUNDRED,
    ChannelPolicy,
    Location,
    PriceList,
    PriceWindow,
    Product,
    Promotion,
    Threshold,
    to_cents,
)


@dataclass(frozen=True, slots=True)
class Offer:
    """A price the channel may legitimately quote: the list price or a promotion's price."""

    amount: Decimal  # VAT-inclusive, rounded to the agora
    promotion: str | None = None
    where: Location | None = None


class PriceBook:
    """Answers questions about one price list. Built once, queried per observation."""

    def __init__(self, price_list: PriceList):
        self.list = price_list
        self.currency = price_list.currency
        self._windows = {
            pid: sorted(p.prices, key=_start_key) for pid, p in price_list.products.items()
        }
        self._starts = {pid: [_start_key(w) for w in ws] for pid, ws in self._windows.items()}
        self._promotions = {
            pid: tuple(pr for pr in price_list.promotions if pr.covers_product(pid))
            for pid in price_list.products
        }
        self._vat = sorted(price_list.vat_rates, key=_start_key)
        self._vat_starts = [_start_key(v) for v in self._vat]
        # Quotes arrive roughly in time order: remember the last answer and when it holds.
        self._last_window: dict[str, PriceWindow] = {}
        self._policies: dict[str, ChannelPolicy] = {}
        self._last_offers: dict[tuple[str, str], tuple[datetime, datetime, list[Offer]]] = {}

    # -- products and windows -------------------------------------------------

    def product(self, product_id: str) -> Product | None:
        return self.list.products.get(product_id)

    def window_at(self, product_id: str, at: datetime) -> PriceWindow | None:
        """The price window of a product in effect at ``at``, or None."""
        last = self._last_window.get(product_id)
        if last is not None and last.covers(at):
            return last
        windows = self._windows.get(product_id)
        if windows is None:
            return None
        i = bisect_right(self._starts[product_id], at.timestamp()) - 1
        if i >= 0 and windows[i].covers(at):
            self._last_window[product_id] = windows[i]
            return windows[i]
        return None

    def list_amount_at(self, product_id: str, at: datetime) -> Decimal | None:
        """The list amount in effect at ``at``, in the list's own basis (VAT as the list says)."""
        window = self.window_at(product_id, at)
        return None if window is None else window.amount

    def price_at(self, product_id: str, at: datetime) -> Decimal | None:
        """The consumer (VAT-inclusive) list price in effect at ``at``."""
        window = self.window_at(product_id, at)
        return None if window is None else self.consumer_price(window.amount, at)

    def other_windows(self, product_id: str, at: datetime) -> tuple[list, list]:
        """The product's earlier and later windows than the one in effect at ``at``."""
        windows = self._windows[product_id]
        earlier = [w for w in windows if w.end is not None and w.end <= at]
        later = [w for w in windows if w.start is not None and w.start > at]
        return earlier, later

    # -- VAT ------------------------------------------------------------------

    def vat_at(self, at: datetime) -> Decimal:
        i = bisect_right(self._vat_starts, at.timestamp()) - 1
        return self._vat[i].rate if i >= 0 else Decimal(0)

    def consumer_price(self, list_amount: Decimal, at: datetime) -> Decimal:
        if self.list.vat_included:
            return list_amount
        return to_cents(list_amount * (1 + self.vat_at(at)), self.currency)

    def with_vat(self, amount: Decimal, at: datetime) -> Decimal:
        return to_cents(amount * (1 + self.vat_at(at)), self.currency)

    def without_vat(self, amount: Decimal, at: datetime) -> Decimal:
        return to_cents(amount / (1 + self.vat_at(at)), self.currency)

    # -- other currencies -----------------------------------------------------

    def convert(self, amount: Decimal, currency: str, at: datetime) -> Decimal | None:
        """``amount`` of ``currency`` in the list's currency at ``at``, or None without a rate.

        Rounded to the agora (the list currency's minor unit), half up.
        """
        if currency == self.currency:
            return amount
        rates = self.list.exchange_rates.get(currency, ())
        rate = None
        for entry in rates:  # sorted by start; the last one started wins
            if entry.start is None or entry.start <= at:
                rate = entry.rate
        return None if rate is None else to_cents(amount * rate, self.currency)

    # -- promotions and channel policy ----------------------------------------

    def promotions(self, product_id: str) -> tuple[Promotion, ...]:
        return self._promotions.get(product_id, ())

    def promotion(self, promotion_id: str) -> Promotion | None:
        return next((p for p in self.list.promotions if p.id == promotion_id), None)

    def offers(self, product_id: str, channel: str, at: datetime) -> list[Offer]:
        """Every price the channel may quote for the product at ``at``: list, then promotions."""
        cached = self._last_offers.get((product_id, channel))
        if cached is not None and cached[0] <= at < cached[1]:
            return cached[2]
        offers = self._offers(product_id, channel, at)
        if offers:
            self._last_offers[(product_id, channel)] = (*self._steady(product_id, at), offers)
        return offers

    def _steady(self, product_id: str, at: datetime) -> tuple[datetime, datetime]:
        """The interval around ``at`` in which no window, promotion or VAT rate starts or ends."""
        lo, hi = _MIN, _MAX
        window = self.window_at(product_id, at)
        edges = [window.start, window.end]
        edges += [t for p in self.promotions(product_id) for t in (p.start, p.end)]
        edges += [v.start for v in self._vat]
        for edge in edges:
            if edge is None:
                continue
            if edge <= at:
                lo = max(lo, edge)
            else:
                hi = min(hi, edge)
        return lo, hi

    def _offers(self, product_id: str, channel: str, at: datetime) -> list[Offer]:
        window = self.window_at(product_id, at)
        if window is None:
            return []
        offers = [Offer(self.consumer_price(window.amount, at), None, window.where)]
        for promo in self.promotions(product_id):
            if promo.covers_channel(channel) and promo.covers_time(at):
                amount = self.promotion_price(promo, window.amount, at)
                offers.append(Offer(amount, promo.id, promo.where))
        return offers

    def promotion_price(self, promo: Promotion, list_amount: Decimal, at: datetime) -> Decimal:
        """A promotion's consumer price on a list amount.

        The discount applies in the list's own basis: on a list with
        ``vat.included: false``, a promotion's ``price`` or ``amount`` is before VAT
        too, and VAT is added to the result.
        """
        return self.consumer_price(promo.discount.apply(list_amount, self.currency), at)

    def policy(self, channel: str) -> ChannelPolicy:
        policy = self._policies.get(channel)
        if policy is None:
            policy = self._policies[channel] = self.list.channels.get(channel) or ChannelPolicy(
                channel
            )
        return policy

    def tolerance(self, channel: str) -> Threshold:
        return self.policy(channel).tolerance or self.list.tolerance

    def floor(self, amount: Decimal, channel: str) -> Decimal:
        """The lowest price a channel's agent may give on their own, from ``amount``."""
        authority = self.policy(channel).max_discount
        if authority is None:
            return amount
        lowest = amount
        if authority.percent is not None:
            lowest = min(
                lowest, to_cents(amount * (HUNDRED - authority.percent) / HUNDRED, self.currency)
            )
        if authority.amount is not None:
            lowest = min(lowest, amount - authority.amount)
        return lowest

    def accepts(self, quote: Decimal, product_id: str, channel: str, at: datetime) -> bool:
        """True when ``quote`` (VAT-inclusive) is a price the channel may give."""
        tolerance = self.tolerance(channel)
        for offer in self.offers(product_id, channel, at):
            low = self.floor(offer.amount, channel)
            if low <= quote <= offer.amount:
                return True
            gap = quote - offer.amount if quote > offer.amount else quote - low
            if tolerance.within(gap, offer.amount):
                return True
        return False


_MIN = datetime.min.replace(tzinfo=UTC)
_MAX = datetime.max.replace(tzinfo=UTC)


def _start_key(item) -> float:
    """Sort key of a window's or rate's start; an open start sorts first."""
    return float("-inf") if item.start is None else item.start.timestamp()
