"""The pricing checks besides price-mismatch: promotion-misuse, unknown-product,
vat-excluded-price, cross-channel-gap and customer-quote-conflict, run through the real engine
so that thresholds grade them as a run would (rules as in rules/default.yaml).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from consistency.checks import promotion_misuse, unknown_product, vat_excluded_price
from consistency.engine import run
from consistency.result import Result
from tests.helpers import context, load_book, pct, quote, rule

DAY = timedelta(days=1)
GAP_RULE = rule("cross-channel-gap", warn=pct(2), error=pct(5), window=DAY)
CONFLICT_RULE = rule("customer-quote-conflict", window=DAY)


@pytest.fixture(scope="module")
def ctx(tmp_path_factory):
    return context(load_book(tmp_path_factory.mktemp("pricing")))


def audit(ctx, rules, observations) -> Result:
    return run(ctx, rules, iter(observations), Result(started=datetime.now(UTC)))


# --- promotion-misuse -------------------------------------------------------------------


@dataclass(frozen=True)
class PromoRow:
    id: str
    channel: str
    at: str
    product: str
    promotion: str
    cause: str | None
    says: str
    shows: str


PROMO_ROWS = [
    PromoRow(
        "unknown",
        "web",
        "2026-11-22T18:00",
        "fiber-500",
        "cyber-monday",
        "unknown-promotion",
        "no such promotion",
        "an id not on the list",
    ),
    PromoRow(
        "wrong-product",
        "web",
        "2026-11-25T12:00",
        "fiber-1000",
        "black-friday",
        "wrong-product",
        "does not cover fiber-1000",
        "black friday covers fiber 500 only",
    ),
    PromoRow(
        "wrong-channel",
        "phone",
        "2026-11-25T12:00",
        "fiber-500",
        "black-friday",
        "wrong-channel",
        "offered only on web, chat",
        "web and chat only",
    ),
    PromoRow(
        "expired",
        "web",
        "2026-12-01T00:00",
        "fiber-500",
        "black-friday",
        "expired",
        "it ended",
        "the first instant after `to: 2026-11-30`",
    ),
    PromoRow(
        "not-started",
        "chat",
        "2026-11-19T23:59:59.999999",
        "fiber-500",
        "black-friday",
        "not-started",
        "it starts",
        "the last instant before `from: 2026-11-20`",
    ),
    PromoRow("in-force", "web", "2026-11-20T00:00", "fiber-500", "black-friday", None, "", "ok"),
    PromoRow(
        "star-product",
        "store",
        "2026-06-03T12:00",
        "mesh-unit",
        "store-week",
        None,
        "",
        '"*" covers any product',
    ),
]


@pytest.mark.parametrize("row", PROMO_ROWS, ids=lambda r: r.id)
def test_promotion_misuse(ctx, row):
    obs = quote(row.channel, row.at, row.product, "79.92", promotion=row.promotion)
    problems = list(promotion_misuse.check(obs, ctx, rule("promotion-misuse")))
    assert [p.cause for p in problems] == ([row.cause] if row.cause else []), row.shows
    for problem in problems:
        assert row.says in problem.message
        assert repr(row.promotion) in problem.message
        assert problem.observed.promotion == row.promotion


# --- unknown-product --------------------------------------------------------------------


@dataclass(frozen=True)
class UnknownRow:
    id: str
    product: str | None
    name: str | None
    at: datetime
    cause: str | None
    says: str
    shows: str


def _utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=UTC)


UNKNOWN_ROWS = [
    UnknownRow(
        "unlisted", "fiber-2000", None, _utc(2026, 11, 17, 10), "unlisted", "'fiber-2000'", "x"
    ),
    UnknownRow(
        "unnamed-with-name",
        None,
        "חבילה סודית",
        _utc(2026, 11, 17, 10),
        "unnamed",
        "חבילה סודית",
        "a name that matches no alias",
    ),
    UnknownRow(
        "unnamed-bare",
        None,
        None,
        _utc(2026, 11, 17, 10),
        "unnamed",
        "an unnamed product",
        "neither product nor name",
    ),
    UnknownRow(
        "no-price-then",
        "cloud-backup",
        None,
        _utc(2026, 11, 20, 9),
        "no-price",
        "no price on 2026-11-20",
        "its price starts in December",
    ),
    UnknownRow(
        "no-price-local-date",
        "cloud-backup",
        None,
        _utc(2026, 11, 19, 23, 30),
        "no-price",
        "no price on 2026-11-20",
        "01:30 Israel time on the 20th: the message names the local date",
    ),
    UnknownRow("listed", "fiber-500", None, _utc(2026, 11, 17, 10), None, "", "on the list"),
]


@pytest.mark.parametrize("row", UNKNOWN_ROWS, ids=lambda r: r.id)
def test_unknown_product(ctx, row):
    obs = replace(quote("web", "2026-01-01T00:00", row.product, "14.90", name=row.name), at=row.at)
    problems = list(unknown_product.check(obs, ctx, rule("unknown-product")))
    assert [p.cause for p in problems] == ([row.cause] if row.cause else []), row.shows
    for problem in problems:
        assert row.says in problem.message, problem.message
        assert "₪14.90" in problem.message


def test_a_reply_without_an_amount_is_not_an_unknown_product(ctx):
    obs = quote("chat", "2026-11-17T10:00", None, None, text="שלום, איך אפשר לעזור?")
    assert list(unknown_product.check(obs, ctx, rule("unknown-product"))) == []


# --- vat-excluded-price -----------------------------------------------------------------


@dataclass(frozen=True)
class VatRow:
    id: str
    channel: str
    vat_included: bool
    reported: bool
    shows: str


VAT_ROWS = [
    VatRow("consumer-net", "phone", False, True, "consumers must hear VAT-inclusive prices"),
    VatRow("business-net", "b2b", False, False, "`consumer: false` may quote without VAT"),
    VatRow("consumer-gross", "web", True, False, "a VAT-inclusive quote"),
    VatRow("unlisted-policy-net", "chat", False, True, "a channel is a consumer one by default"),
]


@pytest.mark.parametrize("row", VAT_ROWS, ids=lambda r: r.id)
def test_vat_excluded_price(ctx, row):
    obs = quote(row.channel, "2026-11-20T15:15", "fiber-1000", "110.08")
    obs = replace(obs, vat_included=row.vat_included)
    problems = list(vat_excluded_price.check(obs, ctx, rule("vat-excluded-price")))
    assert len(problems) == int(row.reported), row.shows
    for problem in problems:
        assert problem.cause == "vat-excluded"
        assert "₪110.08 without VAT" in problem.message


# --- cross-channel-gap ------------------------------------------------------------------


@dataclass(frozen=True)
class GapRow:
    id: str
    quotes: tuple  # (channel, local time, product, amount)
    severity: str | None
    cause: str | None
    shows: str


GAP_ROWS = [
    GapRow(
        "seed-10-percent",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "116.91"),
        ),
        "error",
        "web-vs-phone",
        "the seed case: 10% is past error 5",
    ),
    GapRow(
        "3-percent",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "126.00"),
        ),
        "warning",
        "web-vs-phone",
        "3% is past warn 2, not error 5",
    ),
    GapRow(
        "1-percent",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "128.60"),
        ),
        None,
        None,
        "1% is below every threshold",
    ),
    GapRow(
        "promotion-ignored",
        (
            ("web", "2026-11-25T09:00", "fiber-500", "79.92"),
            ("phone", "2026-11-25T10:00", "fiber-500", "99.90"),
        ),
        None,
        None,
        "web's black friday price is an intended gap",
    ),
    GapRow(
        "local-days-apart",
        (
            ("web", "2026-11-21T23:30", "fiber-1000", "129.90"),
            ("phone", "2026-11-22T00:30", "fiber-1000", "116.91"),
        ),
        None,
        None,
        "23:30 and 00:30 Israel time are different days (the same UTC day)",
    ),
    GapRow(
        "local-day-across-utc-midnight",
        (
            ("web", "2026-11-22T00:30", "fiber-1000", "129.90"),
            ("phone", "2026-11-22T23:30", "fiber-1000", "116.91"),
        ),
        "error",
        "web-vs-phone",
        "one local day spans two UTC days",
    ),
    GapRow(
        "one-channel-only",
        (
            ("web", "2026-11-21T09:00", "fiber-1000", "129.90"),
            ("web", "2026-11-21T10:00", "fiber-1000", "116.91"),
        ),
        None,
        None,
        "a gap inside one channel is not cross-channel",
    ),
    GapRow(
        "different-products",
        (
            ("web", "2026-11-21T09:00", "fiber-1000", "129.90"),
            ("phone", "2026-11-21T10:00", "fiber-500", "99.90"),
        ),
        None,
        None,
        "grouped per product",
    ),
]


@pytest.mark.parametrize("row", GAP_ROWS, ids=lambda r: r.id)
def test_cross_channel_gap(ctx, row):
    observations = [quote(*q) for q in row.quotes]
    result = audit(ctx, [GAP_RULE], observations)
    expected = [(row.severity, row.cause)] if row.severity else []
    assert [(f.severity, f.cause) for f in result.findings] == expected, row.shows
    for finding in result.findings:
        assert finding.rule == "cross-channel-gap"
        assert set(finding.related) == {o.id for o in observations}
        low, high = sorted((q[3] for q in row.quotes), key=float)
        assert f"₪{high}" in finding.message and f"₪{low}" in finding.message


def test_the_seed_gap_blames_the_channel_off_the_list(ctx):
    web = quote("web", "2026-11-21T09:12", "fiber-1000", "129.90")
    phone = quote("phone", "2026-11-21T18:40", "fiber-1000", "116.91")
    [finding] = audit(ctx, [GAP_RULE], [web, phone]).findings
    assert finding.channel == "phone"
    assert "2026-11-21" in finding.message and "-10.0%" in finding.message


# --- customer-quote-conflict ------------------------------------------------------------


@dataclass(frozen=True)
class ConflictRow:
    id: str
    quotes: tuple  # (channel, local time, product, amount, customer)
    says: tuple[str, ...]  # empty: no finding
    shows: str


CONFLICT_ROWS = [
    ConflictRow(
        "household-two-channels",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90", "hh-1001"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "116.91", "hh-1001"),
        ),
        ("hh-1001", "₪129.90 (web, 2026-11-21", "₪116.91 (phone, 2026-11-21", "-10.0%"),
        "the spouse heard 10% less",
    ),
    ConflictRow(
        "different-households",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90", "hh-1001"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "116.91", "hh-2002"),
        ),
        (),
        "two households are not compared",
    ),
    ConflictRow(
        "no-customer",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90", None),
            ("phone", "2026-11-21T18:40", "fiber-1000", "116.91", None),
        ),
        (),
        "quotes without a customer are not grouped",
    ),
    ConflictRow(
        "same-price",
        (
            ("web", "2026-11-21T09:12", "fiber-1000", "129.90", "hh-1001"),
            ("phone", "2026-11-21T18:40", "fiber-1000", "129.90", "hh-1001"),
        ),
        (),
        "agreeing quotes",
    ),
]


@pytest.mark.parametrize("row", CONFLICT_ROWS, ids=lambda r: r.id)
def test_customer_quote_conflict(ctx, row):
    observations = [quote(c, t, p, a, customer=who) for c, t, p, a, who in row.quotes]
    result = audit(ctx, [CONFLICT_RULE], observations)
    assert len(result.findings) == (1 if row.says else 0), row.shows
    for finding in result.findings:
        assert finding.cause == "same-customer"
        assert finding.channel == "phone"
        for text in row.says:
            assert text in finding.message, finding.message
