"""price-mismatch: every cause of SPEC 5, one or more quotes each, and quotes that are fine.

Rows are the planted cases of fixtures/demo/generate.py restated on the test company of
tests/helpers.py, plus the SPEC 6 example (phone, ₪89.91 for fiber 500, -10%).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from consistency.checks import price_mismatch
from tests.helpers import context, load_book, quote, rule


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return context(load_book(tmp_path_factory.mktemp("causes")))


@dataclass(frozen=True)
class CauseRow:
    id: str
    channel: str
    at: str
    product: str
    amount: str
    cause: str
    expected: str  # expected.amount
    says: tuple[str, ...]  # what the message must contain
    shows: str
    extra: dict = field(default_factory=dict)  # other observation fields


CAUSE_ROWS = [
    CauseRow(
        "spec-example",
        "phone",
        "2026-11-21T10:15",
        "fiber-500",
        "89.91",
        "over-authority-discount",
        "99.90",
        ("phone quoted ₪89.91", "סיב 500 מגה", "₪99.90", "-10.0%"),
        "SPEC 6: 10% off on a channel that may give 5%",
    ),
    CauseRow(
        "seed-case-phone",
        "phone",
        "2026-11-21T18:40",
        "fiber-1000",
        "116.91",
        "over-authority-discount",
        "129.90",
        ("₪116.91", "₪129.90"),
        "the seed case's phone quote",
    ),
    CauseRow(
        "stale",
        "web",
        "2026-05-01T10:00",
        "dst-plan",
        "50",
        "stale-price",
        "60",
        ("₪50.00", "the list price is ₪60.00"),
        "the price before March 28",
    ),
    CauseRow(
        "future",
        "web",
        "2026-05-01T10:00",
        "dst-plan",
        "70",
        "future-price",
        "60",
        ("₪70.00", "₪60.00", "+16.7%"),
        "the price from October 26, early",
    ),
    CauseRow(
        "future-december",
        "web",
        "2026-11-22T10:00",
        "fiber-500",
        "109.90",
        "future-price",
        "99.90",
        ("₪109.90",),
        "December's fiber 500 price a week early (demo)",
    ),
    CauseRow(
        "vat-left-out",
        "chat",
        "2026-11-19T14:20",
        "router-install",
        "126.27",
        "vat-excluded",
        "149",
        ("₪126.27", "₪149.00"),
        "149 / 1.18 stated as if it included VAT",
    ),
    CauseRow(
        "vat-added-twice",
        "web",
        "2026-11-19T14:20",
        "router-install",
        "175.82",
        "vat-excluded",
        "149",
        ("₪175.82", "₪149.00"),
        "18% added to a price that already includes it",
    ),
    CauseRow(
        "vat-added-twice-by-record",
        "web",
        "2026-11-19T14:20",
        "router-install",
        "149",
        "vat-excluded",
        "149",
        ("₪175.82",),
        "a record saying vat_included: false around a gross price",
        {"vat_included": False},
    ),
    CauseRow(
        "promo-expired-price",
        "chat",
        "2026-11-17T16:45",
        "mesh-unit",
        "9.90",
        "promotion-expired",
        "19.90",
        ("₪9.90", "₪19.90"),
        "October's mesh price in November",
    ),
    CauseRow(
        "promo-expired-percent",
        "web",
        "2026-12-05T10:00",
        "fiber-500",
        "79.92",
        "promotion-expired",
        "109.90",
        ("₪79.92", "₪109.90"),
        "20% off the price when black friday ran, after it ended",
    ),
    CauseRow(
        "promo-wrong-channel",
        "phone",
        "2026-11-22T12:30",
        "fiber-500",
        "79.92",
        "promotion-wrong-channel",
        "99.90",
        ("phone quoted ₪79.92", "₪99.90"),
        "black friday is for web and chat",
    ),
    CauseRow(
        "promotion-not-started",
        "web",
        "2026-11-18T10:00",
        "fiber-500",
        "79.92",
        "promotion-not-started",
        "99.90",
        ("web quoted ₪79.92", "the list price is ₪99.90"),
        "issue 8: black friday starts on 20 November; its price two days early is not 'expired'",
    ),
    CauseRow(
        "other-product",
        "chat",
        "2026-11-16T09:40",
        "fiber-500",
        "129.90",
        "other-product",
        "99.90",
        ("₪129.90", "₪99.90"),
        "fiber 1000's price quoted for fiber 500",
    ),
    CauseRow(
        "overcharge",
        "web",
        "2026-11-20T13:00",
        "fiber-1000",
        "135",
        "overcharge",
        "129.90",
        ("₪135.00", "₪129.90"),
        "more than any allowed price",
    ),
    CauseRow(
        "rounded-up",
        "phone",
        "2026-11-19T10:10",
        "mesh-unit",
        "20",
        "rounding",
        "19.90",
        ("₪20.00", "₪19.90"),
        "rounded up to whole shekels",
    ),
    CauseRow(
        "rounded-down",
        "web",
        "2026-11-19T10:10",
        "fiber-1000",
        "129",
        "rounding",
        "129.90",
        ("₪129.00",),
        "rounded down to whole shekels",
    ),
    CauseRow(
        "between-offers",
        "chat",
        "2026-11-21T20:05",
        "fiber-500",
        "89.90",
        "unknown",
        "79.92",
        ("₪89.90", "the black-friday price is ₪79.92"),
        "between the promotion and the list price on a channel with no authority",
    ),
    CauseRow(
        "other-currency",
        "web",
        "2026-11-18T08:00",
        "fiber-1000",
        "10.90",
        "other-currency",
        "129.90",
        ("$10.90", "₪129.90", "ILS", "exchange_rates"),
        "a quote in dollars cannot be compared",
        {"currency": "USD"},
    ),
]


def findings_for(ctx, row_obs):
    return list(price_mismatch.check(row_obs, ctx, rule("price-mismatch")))


@pytest.mark.parametrize("row", CAUSE_ROWS, ids=lambda r: r.id)
def test_cause(ctx, row):
    obs = quote(row.channel, row.at, row.product, row.amount, **row.extra)
    [problem] = findings_for(ctx, obs)
    assert problem.cause == row.cause, row.shows
    assert problem.expected.amount == Decimal(row.expected), row.shows
    assert problem.expected.currency == "ILS"
    for text in row.says:
        assert text in problem.message, (text, problem.message)
    assert problem.channel == row.channel
    assert problem.product == row.product
    assert problem.related == (obs.id,)
    if problem.difference is not None:
        gap = problem.observed.amount - problem.expected.amount
        assert problem.difference.amount == gap


def test_every_cause_has_a_row():
    assert {row.cause for row in CAUSE_ROWS} == set(price_mismatch.CAUSES)


@dataclass(frozen=True)
class FineRow:
    id: str
    channel: str
    at: str
    product: str
    amount: str
    vat_included: bool
    shows: str


FINE_ROWS = [
    FineRow("list-price", "web", "2026-11-10T10:00", "fiber-500", "99.90", True, "the list"),
    FineRow("within-authority", "phone", "2026-11-21T10:15", "fiber-500", "95", True, "4.9% off"),
    FineRow("authority-edge", "phone", "2026-11-21T10:15", "fiber-500", "94.91", True, "5% off"),
    FineRow("list-tolerance", "web", "2026-11-10T10:00", "fiber-500", "99.91", True, "₪0.01"),
    FineRow("chat-tolerance", "chat", "2026-11-10T10:00", "fiber-500", "100.30", True, "₪0.40"),
    FineRow("allowed-promo", "web", "2026-11-25T10:00", "fiber-500", "79.92", True, "web BF"),
    FineRow("store-amount", "store", "2026-11-10T10:00", "fiber-500", "89.90", True, "₪10 off"),
    FineRow(
        "net-record-matches",
        "web",
        "2026-11-19T14:20",
        "router-install",
        "126.27",
        False,
        "126.27 + 18% = 149.00: the VAT-added price matches",
    ),
    FineRow(
        "star-promo",
        "store",
        "2026-06-03T10:00",
        "router-install",
        "144",
        True,
        '"*" promotion on its channel',
    ),
    FineRow("no-price-then", "web", "2026-11-10T10:00", "cloud-backup", "1", True, "not mine"),
    FineRow("unlisted", "web", "2026-11-10T10:00", "fiber-2000", "1", True, "unknown-product's"),
]


@pytest.mark.parametrize("row", FINE_ROWS, ids=lambda r: r.id)
def test_not_a_mismatch(ctx, row):
    obs = quote(row.channel, row.at, row.product, row.amount, vat_included=row.vat_included)
    assert findings_for(ctx, obs) == [], row.shows


def test_the_fingerprint_key_names_cause_and_quote_not_the_line(ctx):
    first = quote("phone", "2026-11-21T10:15", "fiber-500", "89.91", line=3)
    moved = quote("phone", "2026-11-21T10:15", "fiber-500", "89.91", line=300, file="other.csv")
    [a], [b] = findings_for(ctx, first), findings_for(ctx, moved)
    assert a.key == b.key == ("over-authority-discount", Decimal("89.91"))
    assert a.evidence.source == "quotes.jsonl:3"
    assert b.evidence.source == "other.csv:300"
