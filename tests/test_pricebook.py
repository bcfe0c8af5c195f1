"""PriceBook: which price, VAT rate, promotions, floor and tolerance apply at a given instant.

Rows come from SPEC 3 ("a date alone means the whole day ... `to` at 23:59:59.999") and the
test company in tests/helpers.py, whose dst-plan changes price on both 2026 DST change days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.pricebook import PriceBook
from tests.helpers import NET_PRICES, TZ, end_of, load_book, local


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> PriceBook:
    """One book for every row: its caches see the rows in table order, as a run would."""
    return load_book(tmp_path_factory.mktemp("book"))


@pytest.fixture(scope="module")
def net_book(tmp_path_factory) -> PriceBook:
    return load_book(tmp_path_factory.mktemp("net"), NET_PRICES)


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


# --- price in effect --------------------------------------------------------------------


@dataclass(frozen=True)
class PriceRow:
    id: str
    product: str
    at: datetime
    price: Decimal | None
    shows: str


PRICE_ROWS = [
    PriceRow(
        "last-us-of-to-day",
        "fiber-500",
        end_of("2026-11-30"),
        Decimal("99.90"),
        "`to: 2026-11-30` covers the whole local day",
    ),
    PriceRow(
        "first-us-of-next-day",
        "fiber-500",
        local("2026-12-01T00:00"),
        Decimal("109.90"),
        "the next window starts at local midnight",
    ),
    PriceRow(
        "before-first-window",
        "fiber-500",
        end_of("2025-12-31"),
        None,
        "no price before the first `from`",
    ),
    PriceRow(
        "dst-start-day-last-us",
        "dst-plan",
        end_of("2026-03-27"),
        Decimal("50"),
        "the day clocks jump forward still ends at local midnight",
    ),
    PriceRow(
        "dst-start-day-in-utc",
        "dst-plan",
        utc(2026, 3, 27, 20, 59, 59, 999999),
        Decimal("50"),
        "23:59:59.999999+03:00 seen in UTC",
    ),
    PriceRow(
        "dst-start-next-day-in-utc",
        "dst-plan",
        utc(2026, 3, 27, 21, 0),
        Decimal("60"),
        "local midnight after the jump is 21:00 UTC, not 22:00",
    ),
    PriceRow(
        "dst-start-day-after-jump",
        "dst-plan",
        local("2026-03-27T03:00"),
        Decimal("50"),
        "03:00 just after the jump is still the old window",
    ),
    PriceRow(
        "dst-end-day-last-us-utc",
        "dst-plan",
        utc(2026, 10, 25, 21, 59, 59, 999999),
        Decimal("60"),
        "the day clocks fall back ends at 22:00 UTC",
    ),
    PriceRow(
        "dst-end-next-day-utc",
        "dst-plan",
        utc(2026, 10, 25, 22, 0),
        Decimal("70"),
        "local midnight after the fall back",
    ),
    PriceRow(
        "gap-between-windows",
        "dst-plan",
        local("2026-10-25T12:00"),
        Decimal("60"),
        "25 October is inside the second window (to: 2026-10-25)",
    ),
    PriceRow(
        "not-yet-priced",
        "cloud-backup",
        local("2026-11-20T11:00"),
        None,
        "a product whose only price starts later",
    ),
    PriceRow(
        "shorthand-price-always",
        "router-install",
        utc(1999, 1, 1),
        Decimal("149"),
        "`price:` is in effect at any time",
    ),
    PriceRow("unlisted", "fiber-2000", local("2026-11-20T11:00"), None, "no such product"),
]


@pytest.mark.parametrize("row", PRICE_ROWS, ids=lambda r: r.id)
def test_price_in_effect(book, row):
    assert book.price_at(row.product, row.at) == row.price, row.shows


# --- VAT --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VatRow:
    id: str
    at: datetime
    rate: Decimal
    net_consumer_price: Decimal  # NET_PRICES "service" (100 before VAT) as a consumer pays
    shows: str


VAT_ROWS = [
    VatRow(
        "before-change",
        end_of("2024-12-31"),
        Decimal("0.17"),
        Decimal("117.00"),
        "a quote in 2024 uses 17%",
    ),
    VatRow(
        "after-change",
        local("2025-01-01T00:00"),
        Decimal("0.18"),
        Decimal("118.00"),
        "from the first instant of 2025, 18%",
    ),
    VatRow(
        "long-before",
        local("2016-05-05T10:00"),
        Decimal("0.17"),
        Decimal("117.00"),
        "the first rate in the history",
    ),
    VatRow(
        "before-history",
        local("2010-05-05T10:00"),
        Decimal("0"),
        Decimal("100.00"),
        "before the first rate there is no VAT to add",
    ),
]


@pytest.mark.parametrize("row", VAT_ROWS, ids=lambda r: r.id)
def test_vat_history(book, net_book, row):
    assert book.vat_at(row.at) == row.rate, row.shows
    assert net_book.price_at("service", row.at) == row.net_consumer_price, row.shows


@dataclass(frozen=True)
class VatMathRow:
    id: str
    amount: Decimal
    at: datetime
    with_vat: Decimal
    without_vat: Decimal
    shows: str


VAT_MATH_ROWS = [
    VatMathRow(
        "router-2026",
        Decimal("149"),
        local("2026-11-19T14:20"),
        Decimal("175.82"),
        Decimal("126.27"),
        "149 / 1.18 = 126.27 (the demo's planted chat quote)",
    ),
    VatMathRow(
        "router-2024",
        Decimal("149"),
        local("2024-11-19T14:20"),
        Decimal("174.33"),
        Decimal("127.35"),
        "the same price a year earlier uses 17%",
    ),
]


@pytest.mark.parametrize("row", VAT_MATH_ROWS, ids=lambda r: r.id)
def test_vat_arithmetic_rounds_to_the_agora(book, row):
    assert book.with_vat(row.amount, row.at) == row.with_vat, row.shows
    assert book.without_vat(row.amount, row.at) == row.without_vat, row.shows


def test_a_vat_exclusive_list_is_compared_in_consumer_terms(net_book):
    at = local("2026-02-02T10:00")
    assert [o.amount for o in net_book.offers("service", "web", at)] == [Decimal("118.00")]
    assert net_book.accepts(Decimal("118.00"), "service", "web", at)
    assert not net_book.accepts(Decimal("100.00"), "service", "web", at)


# --- promotions -------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferRow:
    id: str
    product: str
    channel: str
    at: datetime
    offers: frozenset  # {(amount, promotion id or None)}
    shows: str


LIST_500 = (Decimal("99.90"), None)
BF_500 = (Decimal("79.92"), "black-friday")

OFFER_ROWS = [
    OfferRow(
        "bf-first-instant",
        "fiber-500",
        "web",
        local("2026-11-20T00:00"),
        frozenset({LIST_500, BF_500}),
        "the promotion starts at local midnight of `from`",
    ),
    OfferRow(
        "bf-day-before",
        "fiber-500",
        "web",
        end_of("2026-11-19"),
        frozenset({LIST_500}),
        "not a microsecond earlier",
    ),
    OfferRow(
        "bf-last-instant",
        "fiber-500",
        "chat",
        end_of("2026-11-30"),
        frozenset({LIST_500, BF_500}),
        "`to` is inclusive of its whole day",
    ),
    OfferRow(
        "bf-after",
        "fiber-500",
        "web",
        local("2026-12-01T00:00"),
        frozenset({(Decimal("109.90"), None)}),
        "after it ends only the new list price",
    ),
    OfferRow(
        "bf-wrong-channel",
        "fiber-500",
        "phone",
        local("2026-11-25T12:00"),
        frozenset({LIST_500}),
        "a promotion limited to web and chat is not offered by phone",
    ),
    OfferRow(
        "star-covers-router",
        "router-install",
        "store",
        local("2026-06-03T12:00"),
        frozenset({(Decimal("149"), None), (Decimal("144"), "store-week")}),
        'products "*" covers every product',
    ),
    OfferRow(
        "star-covers-mesh",
        "mesh-unit",
        "store",
        local("2026-06-03T12:00"),
        frozenset({(Decimal("19.90"), None), (Decimal("14.90"), "store-week")}),
        "an amount discount on another product",
    ),
    OfferRow(
        "star-only-its-channel",
        "mesh-unit",
        "web",
        local("2026-06-03T12:00"),
        frozenset({(Decimal("19.90"), None)}),
        '"*" products still respect channels',
    ),
    OfferRow(
        "fixed-price-promo",
        "mesh-unit",
        "chat",
        local("2026-10-15T12:00"),
        frozenset({(Decimal("19.90"), None), (Decimal("9.90"), "october-mesh")}),
        "`price:` promotion, every channel by default",
    ),
    OfferRow(
        "no-window-no-offers",
        "cloud-backup",
        "web",
        local("2026-11-15T12:00"),
        frozenset(),
        "no list price means nothing may be quoted",
    ),
]


@pytest.mark.parametrize("row", OFFER_ROWS, ids=lambda r: r.id)
def test_offers(book, row):
    offers = book.offers(row.product, row.channel, row.at)
    assert {(o.amount, o.promotion) for o in offers} == row.offers, row.shows


def test_star_promotion_is_listed_for_every_product(book):
    for product in book.list.products:
        assert "store-week" in {p.id for p in book.promotions(product)}


# --- floor and accepts ------------------------------------------------------------------


@dataclass(frozen=True)
class FloorRow:
    id: str
    channel: str
    amount: Decimal
    floor: Decimal
    shows: str


FLOOR_ROWS = [
    FloorRow("phone-5-percent", "phone", Decimal("99.90"), Decimal("94.91"), "94.905 rounds up"),
    FloorRow("chat-0-percent", "chat", Decimal("99.90"), Decimal("99.90"), "no authority"),
    FloorRow("store-10-shekels", "store", Decimal("99.90"), Decimal("89.90"), "an amount off"),
    FloorRow("web-no-policy", "web", Decimal("99.90"), Decimal("99.90"), "absent policy"),
]


@pytest.mark.parametrize("row", FLOOR_ROWS, ids=lambda r: r.id)
def test_floor(book, row):
    assert book.floor(row.amount, row.channel) == row.floor, row.shows


@dataclass(frozen=True)
class AcceptRow:
    id: str
    channel: str
    quote: str
    at: str
    accepted: bool
    shows: str


NOV = "2026-11-10T12:00"
ACCEPT_ROWS = [
    AcceptRow("web-exact", "web", "99.90", NOV, True, "the list price"),
    AcceptRow("web-one-agora-up", "web", "99.91", NOV, True, "list tolerance 0.01"),
    AcceptRow("web-two-agorot-up", "web", "99.92", NOV, False, "beyond the list tolerance"),
    AcceptRow("web-one-agora-down", "web", "99.89", NOV, True, "tolerance below too"),
    AcceptRow("web-two-agorot-down", "web", "99.88", NOV, False, "web has no authority"),
    AcceptRow("chat-half-up", "chat", "100.40", NOV, True, "chat's own tolerance 0.5"),
    AcceptRow("chat-past-half", "chat", "100.41", NOV, False, "past chat's tolerance"),
    AcceptRow("chat-half-down", "chat", "99.40", NOV, True, "tolerance under a 0% floor"),
    AcceptRow("phone-at-floor", "phone", "94.91", NOV, True, "exactly 5% off"),
    AcceptRow("phone-floor-tolerance", "phone", "94.90", NOV, True, "floor minus tolerance"),
    AcceptRow("phone-below-floor", "phone", "94.89", NOV, False, "below what phone may give"),
    AcceptRow("store-amount-floor", "store", "89.89", NOV, True, "₪10 off, minus tolerance"),
    AcceptRow("store-below", "store", "89.88", NOV, False, "more than ₪10 off"),
    AcceptRow("bf-on-web", "web", "79.92", "2026-11-25T12:00", True, "allowed promotion"),
    AcceptRow("bf-on-phone", "phone", "79.92", "2026-11-25T12:00", False, "not phone's promo"),
    AcceptRow(
        "phone-off-list-not-off-promo",
        "phone",
        "75.93",
        "2026-11-25T12:00",
        False,
        "phone's authority applies to offers it has, not to web's promotion",
    ),
    AcceptRow(
        "chat-authority-on-promo",
        "chat",
        "79.42",
        "2026-11-25T12:00",
        True,
        "chat tolerance applies around the promotion price",
    ),
]


@pytest.mark.parametrize("row", ACCEPT_ROWS, ids=lambda r: r.id)
def test_accepts(book, row):
    accepted = book.accepts(Decimal(row.quote), "fiber-500", row.channel, local(row.at))
    assert accepted is row.accepted, row.shows


# --- the caches answer as a fresh book would --------------------------------------------

QUERY_TIMES = st.datetimes(
    min_value=datetime(2024, 12, 25), max_value=datetime(2027, 1, 5), timezones=st.just(TZ)
)
QUERIES = st.lists(
    st.tuples(
        st.sampled_from(["fiber-500", "dst-plan", "mesh-unit", "router-install", "cloud-backup"]),
        st.sampled_from(["web", "phone", "chat", "store"]),
        QUERY_TIMES,
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=60, deadline=None)
@given(queries=QUERIES)
def test_a_long_lived_book_answers_like_a_fresh_one(tmp_path_factory, queries):
    folder = tmp_path_factory.mktemp("cache")
    long_lived = load_book(folder)
    for product, channel, at in queries:
        fresh = PriceBook(long_lived.list)
        assert long_lived.window_at(product, at) == fresh.window_at(product, at)
        assert long_lived.offers(product, channel, at) == fresh.offers(product, channel, at)
