"""Table rows for issue 8's price-list semantics, currencies and identity, through real files.

Each row names where its case came from. The audits run on real files through
``audit()`` with both engines, so the rows hold for the duckdb path and the python
reference alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import pytest

from consistency.audit import AuditOptions, audit
from consistency.baseline import apply, load_baseline, write_baseline
from consistency.inputs.config import load_config
from tests.helpers import TZ, write, write_csv

ENGINES = ["duckdb", "python"]
COLUMNS = ["id", "channel", "at", "product", "amount", "currency", "vat_included", "customer"]


def prices(*, included: bool = True, promotions: str = "", rates: str = "") -> str:
    return (
        'version: "rows"\ncurrency: ILS\n'
        f"vat: {{included: {str(included).lower()}, rate: 0.18}}\n"
        "tolerance: {amount: 0.01}\n"
        "products:\n"
        "  - {id: fiber-500, name: סיב 500 מגה, price: 99.90}\n"
        "  - {id: fiber-1000, name: סיב 1000 מגה, price: 129.90}\n"
        + (f"promotions:\n{promotions}" if promotions else "")
        + (f"exchange_rates:\n{rates}" if rates else "")
    )


def run(tmp_path, price_text: str, rows: list[dict], engine: str):
    write(tmp_path / "prices.yaml", price_text)
    for channel in ("web", "phone"):
        mine = [r for r in rows if r["channel"] == channel]
        write_csv(tmp_path / f"{channel}.csv", mine, COLUMNS)
    config = write(
        tmp_path / "consistency.yaml",
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n"
        "  - {channel: web, files: [web.csv]}\n  - {channel: phone, files: [phone.csv]}\n",
    )
    return audit(load_config(config), AuditOptions(fetch=False, jobs=1, engine=engine))


def quote(i, channel, at, amount, **extra) -> dict:
    return {
        "id": f"q{i}",
        "channel": channel,
        "at": at,
        "product": "fiber-500",
        "amount": amount,
    } | extra


@dataclass(frozen=True)
class Row:
    id: str
    source: str
    prices: str
    quotes: tuple
    mismatches: tuple  # (cause, message fragment) of price-mismatch findings, in any order
    gaps: int = 0  # cross-channel-gap findings


ROWS = [
    Row(
        "usd-converted",
        "issue 8 item 5: a dated exchange rate converts the quote (27 USD x 3.70 = ₪99.90)",
        prices(rates="  USD: [{rate: 3.70, from: 2026-01-01}]\n"),
        (quote(1, "web", "2026-11-21T09:00", "27.00", currency="USD"),),
        (),
    ),
    Row(
        "usd-before-its-rate",
        "issue 8 item 5: before the rate starts there is no rate: other-currency, not shekels",
        prices(rates="  USD: [{rate: 3.70, from: 2026-12-01}]\n"),
        (quote(1, "web", "2026-11-21T09:00", "27.00", currency="USD"),),
        (("other-currency", "not compared"),),
    ),
    Row(
        "usd-no-rate",
        "issue 8 item 5: a quote in dollars is never compared as if it were shekels",
        prices(),
        (quote(1, "web", "2026-11-21T09:00", "99.90", currency="USD"),),
        (("other-currency", "exchange_rates"),),
    ),
    Row(
        "usd-joins-the-day",
        "issue 8 item 5: a converted quote takes part in the grouped checks (₪99.90 vs $24.30 = ₪89.91)",
        prices(rates="  USD: [{rate: 3.70}]\n"),
        (
            quote(1, "web", "2026-11-21T09:00", "99.90"),
            quote(2, "phone", "2026-11-21T18:00", "24.30", currency="USD"),
        ),
        (("over-authority-discount", "₪89.91"),),
        gaps=1,
    ),
    Row(
        "vat-exclusive-promotion-price",
        "issue 8 item 6: on a VAT-exclusive list a promotion's price is before VAT (70 -> ₪82.60)",
        prices(
            included=False,
            promotions="  - {id: p, products: [fiber-500], price: 70, from: 2026-11-01, to: 2026-11-30}\n",
        ),
        (quote(1, "web", "2026-11-21T09:00", "82.60"),),
        (),
    ),
    Row(
        "vat-exclusive-promotion-amount",
        "issue 8 item 6: an amount off on a VAT-exclusive list is before VAT too (99.90-10 -> ₪106.08)",
        prices(
            included=False,
            promotions="  - {id: p, products: [fiber-500], discount: {amount: 10}, from: 2026-11-01, to: 2026-11-30}\n",
        ),
        (quote(1, "web", "2026-11-21T09:00", "106.08"),),
        (),
    ),
    Row(
        "said-before-vat",
        "issue 8 item 6: the message says what the channel said, before VAT, and the compared figure",
        prices(),
        (quote(1, "phone", "2026-11-21T09:00", "76.19", vat_included="false"),),
        (("over-authority-discount", "₪76.19 before VAT (₪89.90 with VAT)"),),
    ),
    Row(
        "not-started",
        "issue 8 item 6: a promotion's price two days before it starts is not 'expired'",
        prices(
            promotions="  - {id: bf, products: [fiber-500], discount: {percent: 20}, from: 2026-11-23, to: 2026-11-30}\n"
        ),
        (quote(1, "web", "2026-11-21T09:00", "79.92"),),
        (("promotion-not-started", "₪79.92"),),
    ),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_row(tmp_path, row, engine):
    result = run(tmp_path, row.prices, list(row.quotes), engine)
    found = [f for f in result.findings if f.rule == "price-mismatch"]
    assert sorted(f.cause for f in found) == sorted(c for c, _ in row.mismatches), row.source
    for cause, fragment in row.mismatches:
        (finding,) = [f for f in found if f.cause == cause]
        assert fragment in finding.message, (row.source, finding.message)
    assert sum(f.rule == "cross-channel-gap" for f in result.findings) == row.gaps, row.source
    unconverted = sum(c == "other-currency" for c, _ in row.mismatches)
    assert result.other_currency == unconverted
    assert result.to_dict()["summary"]["other_currency"] == unconverted


@pytest.mark.parametrize("engine", ENGINES)
def test_a_baseline_for_one_day_does_not_accept_the_same_gap_another_day(tmp_path, engine):
    """Issue 8 item 4: the fingerprint of a grouped finding includes its window."""
    first = [
        quote(1, "web", "2026-11-01T09:00", "99.90"),
        quote(2, "phone", "2026-11-01T10:00", "89.91"),
    ]
    result = run(tmp_path / "a", prices(), first, engine)
    baseline = tmp_path / "baseline.yaml"
    write_baseline(result, baseline, "known on the 1st", date(2027, 1, 1))
    later = first + [
        quote(3, "web", "2026-11-20T09:00", "99.90"),
        quote(4, "phone", "2026-11-20T10:00", "89.91"),
    ]
    again = run(tmp_path / "b", prices(), later, engine)
    settled, _expired = apply(again, load_baseline(baseline, TZ), datetime(2026, 11, 30, tzinfo=TZ))
    gaps = [f.status for f in settled.findings if f.rule == "cross-channel-gap"]
    assert sorted(map(str, gaps)) == ["None", "baselined"]
    (open_gap,) = [
        f for f in settled.findings if f.rule == "cross-channel-gap" and f.status is None
    ]
    assert "2026-11-20" in open_gap.message


def test_amounts_are_normalized_before_hashing(tmp_path):
    """Issue 8 item 4: 89.9, 89.90 and "₪89.90" give one fingerprint (a re-export keeps history)."""
    prints = []
    for i, spelled in enumerate(["89.9", "89.90", "₪89.90"]):
        rows = [
            quote(1, "web", "2026-11-01T09:00", "99.90"),
            quote(2, "phone", "2026-11-01T10:00", spelled),
        ]
        result = run(tmp_path / str(i), prices(), rows, "duckdb")
        prints.append(sorted((f.rule, f.fingerprint) for f in result.findings))
    assert prints[0] == prints[1] == prints[2]
    assert {rule for rule, _ in prints[0]} == {"price-mismatch", "cross-channel-gap"}


def test_quote_statistics_keep_the_list_price_of_the_latest_quote(tmp_path):
    """Quote statistics do not depend on order: the list price is the one at the latest quote."""
    text = prices().replace(
        "price: 99.90}",
        "prices: [{amount: 99.90, to: 2026-11-10}, {amount: 109.90, from: 2026-11-11}]}",
    )
    rows = [
        quote(1, "web", "2026-11-20T09:00", "109.90"),
        quote(2, "web", "2026-11-01T09:00", "99.90"),
    ]
    for engine in ENGINES:
        stats = run(tmp_path / engine, text, rows, engine).quotes[("web", "fiber-500")]
        assert (stats.count, stats.low, stats.high, stats.list_price) == (
            2,
            Decimal("99.90"),
            Decimal("109.90"),
            Decimal("109.90"),
        )
