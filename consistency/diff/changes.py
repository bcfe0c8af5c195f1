"""What changed between two price lists, keyed by id: prices, windows, fields, impact shapes.

Products, promotions and channel policies are matched by id, never by position, so
reordering a file changes nothing. For each product both lists are asked for the
price in effect now and at every window boundary after now; a difference is a price
change with the date it takes effect. Window edits are listed apart.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from ..inputs.dates import bound_text as day
from ..model import (
    HUNDRED,
    ChannelPolicy,
    PriceList,
    PriceWindow,
    Product,
    Promotion,
)

TENTH = Decimal("0.1")


class DiffError(Exception):
    """The diff could not be made (a git ref or path that does not exist, no git)."""


@dataclass(frozen=True, slots=True)
class PriceChange:
    """The price of one product in effect from ``start`` (None: from now) differs."""

    product: str
    name: str
    old: Decimal | None
    new: Decimal | None
    start: datetime | None

    @property
    def amount(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def percent(self) -> Decimal | None:
        """The change in percent of the old price, to 0.1.

        >>> PriceChange("p", "p", Decimal("99.90"), Decimal("109.90"), None).percent
        Decimal('10.0')
        """
        if self.amount is None or not self.old:
            return None
        return (self.amount * HUNDRED / self.old).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class WindowChange:
    """A price window added, removed, or with its ``from``, ``to`` or amount changed."""

    product: str
    old: PriceWindow | None
    new: PriceWindow | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        moved = [
            word
            for word, a, b in (
                ("from", self.old.start, self.new.start),
                ("to", self.old.end, self.new.end),
                ("amount", self.old.amount, self.new.amount),
            )
            if a != b
        ]
        return " ".join(moved)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one keyed thing (product, promotion, channel, VAT, the list) changed."""

    subject: str
    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class AnswerImpact:
    answer: str
    products: tuple[str, ...]
    where: str  # file:line of the answer
    old_text: str | None = None  # rendered with the old list when the price changes
    new_text: str | None = None  # ... and with the new one
    note: str | None = None  # why a text could not be rendered


@dataclass(frozen=True, slots=True)
class PageImpact:
    channel: str
    url: str
    product: str


@dataclass(frozen=True, slots=True)
class ChatImpact:
    channel: str
    url: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    answers: tuple[AnswerImpact, ...] = ()
    pages: tuple[PageImpact, ...] = ()
    chats: tuple[ChatImpact, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.answers or self.pages or self.chats)


@dataclass(frozen=True, slots=True)
class PriceListDiff:
    old: PriceList
    new: PriceList
    at: datetime
    added: tuple[Product, ...] = ()
    removed: tuple[Product, ...] = ()
    renamed: tuple[FieldChange, ...] = ()
    prices: tuple[PriceChange, ...] = ()
    windows: tuple[WindowChange, ...] = ()
    vat: tuple[FieldChange, ...] = ()
    settings: tuple[FieldChange, ...] = ()
    promotions_added: tuple[Promotion, ...] = ()
    promotions_removed: tuple[Promotion, ...] = ()
    promotions_changed: tuple[FieldChange, ...] = ()
    channels: tuple[FieldChange, ...] = ()
    impact: Impact = field(default_factory=Impact)

    def counts(self) -> dict[str, int]:
        return {
            "products_added": len(self.added),
            "products_removed": len(self.removed),
            "products_renamed": len({c.subject for c in self.renamed}),
            "prices": len(self.prices),
            "windows": len(self.windows),
            "vat": len(self.vat),
            "settings": len(self.settings),
            "promotions_added": len(self.promotions_added),
            "promotions_removed": len(self.promotions_removed),
            "promotions_changed": len({c.subject for c in self.promotions_changed}),
            "channels": len(self.channels),
        }

    def changed(self) -> bool:
        return any(self.counts().values())

    def priced_products(self) -> set[str]:
        """Products whose rendered price may differ: price or window changes, added, removed."""
        ids = {c.product for c in self.prices} | {c.product for c in self.windows}
        return ids | {p.id for p in self.added} | {p.id for p in self.removed}

    def touched_products(self) -> set[str]:
        """Everything a channel might now show differently: prices, names, promotions."""
        ids = self.priced_products() | {c.subject for c in self.renamed}
        promos = {c.subject for c in self.promotions_changed}
        for promo in (*self.old.promotions, *self.new.promotions):
            if promo.id in promos or promo in (*self.promotions_added, *self.promotions_removed):
                ids |= set(promo.products or self.old.products) | set(
                    promo.products or self.new.products
                )
        return ids


def diff_price_lists(old: PriceList, new: PriceList, at: datetime | None = None) -> PriceListDiff:
    """Compare two price lists by id. ``at`` is "now" (default: the current time)."""
    at = at or datetime.now(ZoneInfo("UTC"))
    kept = [pid for pid in new.products if pid in old.products]
    promos_old = {p.id: p for p in old.promotions}
    promos_new = {p.id: p for p in new.promotions}
    return PriceListDiff(
        old=old,
        new=new,
        at=at,
        added=tuple(p for pid, p in new.products.items() if pid not in old.products),
        removed=tuple(p for pid, p in old.products.items() if pid not in new.products),
        renamed=tuple(
            c for pid in kept for c in product_changes(old.products[pid], new.products[pid])
        ),
        prices=tuple(
            c for pid in kept for c in price_changes(old.products[pid], new.products[pid], at)
        ),
        windows=tuple(
            c for pid in kept for c in window_changes(old.products[pid], new.products[pid], at)
        ),
        vat=tuple(vat_changes(old, new)),
        settings=tuple(setting_changes(old, new)),
        promotions_added=tuple(p for k, p in promos_new.items() if k not in promos_old),
        promotions_removed=tuple(p for k, p in promos_old.items() if k not in promos_new),
        promotions_changed=tuple(
            c
            for k in promos_new
            if k in promos_old
            for c in promotion_changes(promos_old[k], promos_new[k])
        ),
        channels=tuple(channel_changes(old, new)),
    )


def product_changes(old: Product, new: Product) -> Iterable[FieldChange]:
    """Name, aliases or unit changed: what people call the product."""
    for name in ("name", "aliases", "unit"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield FieldChange(new.id, name, a, b)


def price_at(product: Product, at: datetime) -> Decimal | None:
    return next((w.amount for w in product.prices if w.covers(at)), None)


def price_changes(old: Product, new: Product, at: datetime) -> Iterable[PriceChange]:
    """The prices in effect now and at each later window boundary of either list, where
    they differ; one change per run of equal (old, new) pairs."""
    bounds = {b for w in (*old.prices, *new.prices) for b in (w.start, w.end) if b is not None}
    moments = [at, *sorted(b for b in bounds if b > at)]
    previous = None
    for moment in moments:
        pair = (price_at(old, moment), price_at(new, moment))
        if pair != previous and pair[0] != pair[1]:
            start = None if moment is at else moment
            yield PriceChange(new.id, new.name, pair[0], pair[1], start)
        previous = pair


def window_changes(old: Product, new: Product, at: datetime) -> Iterable[WindowChange]:
    """Windows matched by ``from``, then by ``to``, then by overlap (both ends moved);
    what is left was added or removed.

    A new amount alone is a price change, listed here only for a window already over
    at ``at`` (a rewrite of the past, which the price changes from now do not show).
    """
    olds, news = list(old.prices), list(new.prices)
    pairs = []
    for matches in (same_from, same_to, overlaps):
        for window in list(olds):
            match = next((n for n in news if matches(window, n)), None)
            if match is not None:
                pairs.append((window, match))
                olds.remove(window)
                news.remove(match)
    for a, b in pairs:
        change = WindowChange(new.id, a, b)
        past = b.end is not None and b.end <= at
        if (a.start, a.end, a.amount) != (b.start, b.end, b.amount) and (
            change.kind != "amount" or past
        ):
            yield change
    yield from (WindowChange(new.id, w, None) for w in olds)
    yield from (WindowChange(new.id, None, w) for w in news)


def same_from(a: PriceWindow, b: PriceWindow) -> bool:
    return a.start == b.start


def same_to(a: PriceWindow, b: PriceWindow) -> bool:
    return a.end == b.end


def overlaps(a: PriceWindow, b: PriceWindow) -> bool:
    """Whether two half-open windows share a moment (None: open on that side)."""
    a_before_b = a.end is not None and b.start is not None and a.end <= b.start
    b_before_a = b.end is not None and a.start is not None and b.end <= a.start
    return not (a_before_b or b_before_a)


def vat_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    """VAT rates keyed by their start; ``included`` is a change of its own."""
    if old.vat_included != new.vat_included:
        yield FieldChange("vat", "included", old.vat_included, new.vat_included)
    rates_old = {r.start: r.rate for r in old.vat_rates}
    rates_new = {r.start: r.rate for r in new.vat_rates}
    for start in sorted(rates_old.keys() | rates_new.keys(), key=_time_key):
        a, b = rates_old.get(start), rates_new.get(start)
        if a != b:
            yield FieldChange("vat", f"rate from {day(start)}", a, b)


def setting_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    for name in ("currency", "tolerance"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield FieldChange("price list", name, a, b)


def promotion_changes(old: Promotion, new: Promotion) -> Iterable[FieldChange]:
    fields = {
        "discount": (old.discount, new.discount),
        "products": (old.products, new.products),
        "channels": (old.channels, new.channels),
        "from": (old.start, new.start),
        "to": (old.end, new.end),
    }
    for name, (a, b) in fields.items():
        if a != b:
            yield FieldChange(new.id, name, a, b)


def channel_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    """Channel policies keyed by channel name; an absent policy is the defaults."""
    for name in sorted(old.channels.keys() | new.channels.keys()):
        default = ChannelPolicy(name)
        a, b = old.channels.get(name, default), new.channels.get(name, default)
        for attr in ("max_discount", "tolerance", "consumer"):
            before, after = getattr(a, attr), getattr(b, attr)
            if before != after:
                yield FieldChange(name, attr, before, after)


def _time_key(moment: datetime | None) -> float:
    return moment.timestamp() if moment else float("-inf")
