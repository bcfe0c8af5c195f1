"""One rounding rule for money (tryout 9, M1): a promoted, VAT-added or converted price is
rounded to its currency's minor unit from CLDR (``model.to_cents``), the unit the reports
print in (``text.display.round_money``), so a quote equal to the printed price is no finding.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.model import Discount, to_cents
from consistency.text.display import round_money

ROWS = [
    # currency, list price, percent off, the quote a shop shows; source of the case
    pytest.param("JPY", "999", 20, "799", id="tryout F8: yen have no minor unit"),
    pytest.param("KWD", "9.999", 20, "7.999", id="Kuwaiti dinar: three digits (CLDR)"),
    pytest.param("ILS", "99.90", 20, "79.92", id="shekel: the agora, as before"),
]


@pytest.mark.parametrize(("currency", "price", "percent", "quote"), ROWS)
def test_the_promoted_price_is_what_the_report_prints(currency, price, percent, quote):
    promoted = Discount(percent=Decimal(percent)).apply(Decimal(price), currency)
    assert promoted == Decimal(quote) == round_money(promoted, currency)
    assert to_cents(Decimal(price) * Decimal("0.8"), currency) == Decimal(quote)


@pytest.mark.parametrize(("currency", "price", "percent", "quote"), ROWS)
def test_a_quote_at_the_promoted_price_is_no_finding(tmp_path, currency, price, percent, quote):
    (tmp_path / "prices.yaml").write_text(
        f"currency: {currency}\ntolerance: {{amount: 0}}\nproducts:\n"
        f"  - {{id: plan-a, name: Plan A, price: {price}}}\npromotions:\n"
        f"  - {{id: sale, products: [plan-a], discount: {{percent: {percent}}},"
        " from: 2026-11-01, to: 2026-11-30}\n",
        encoding="utf-8",
    )
    (tmp_path / "obs.jsonl").write_text(
        json.dumps({"channel": "web", "at": "2026-11-21T10:00", "product": "plan-a",
                    "amount": quote}) + "\n"
    )  # fmt: skip
    (tmp_path / "consistency.yaml").write_text(
        "price_list: prices.yaml\nsources:\n  - {channel: web, files: [obs.jsonl]}\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "consistency", "audit", "--no-fetch", "--format", "json", "-o",
         "out"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    report = json.loads(Path(tmp_path / "out" / "consistency.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in report["findings"]] == [], report["findings"]
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("prices", "problem"),
    [
        pytest.param("currency: ILX\n", "prices.yaml:1:11: currency: 'ILX' is not an ISO 4217",
                     id="tryout L6: a typo of ILS"),
        pytest.param("exchange_rates:\n  USX: [{rate: 3.7}]\n",
                     "prices.yaml:2:8: exchange_rates.USX: 'USX' is not an ISO 4217",
                     id="an exchange rate's code"),
    ],
)  # fmt: skip
def test_a_currency_must_be_iso_4217(tmp_path, prices, problem):
    (tmp_path / "prices.yaml").write_text(prices + "products:\n  - {id: a, price: 1}\n")
    done = subprocess.run(
        [sys.executable, "-m", "consistency", "lint", "prices.yaml"],
        cwd=tmp_path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2 and done.stdout.startswith(problem), done.stdout
