"""The one money formatter and the one plural helper (issue 9: formatters used to disagree)."""

from decimal import Decimal

import pytest

from consistency.text.display import money_text, plural

D = Decimal

MONEY = [  # (amount, currency, signed, locale, expected, where the case came from)
    (D("-9.99"), "ILS", False, None, "-₪9.99", "issue 9: one place wrote ₪-9.99"),
    (D("-9.99"), "ILS", False, "en", "-₪9.99", "issue 9: the HTML wrote it through Babel"),
    (D("0.005"), "ILS", False, None, "₪0.01", "issue 9: half an agora gave ₪0.00 in checks"),
    (D("0.005"), "ILS", False, "en", "₪0.01", "issue 9: and ₪0.01 in reports"),
    (D("0.015"), "ILS", False, None, "₪0.02", "half up, not half even"),
    (D("-0.005"), "ILS", False, None, "-₪0.01", "half up away from zero, like a till"),
    (D("1500.5"), "JPY", False, None, "JPY 1,501", "CLDR: the yen has no minor unit"),
    (D("1500.5"), "JPY", False, "en", "¥1,501", "CLDR: the yen has no minor unit"),
    (D("1.0005"), "KWD", False, None, "KWD 1.001", "CLDR: the dinar has three digits"),
    (D("19.99"), "USD", True, None, "+$19.99", "a positive gap is signed"),
    (D("0.004"), "ILS", True, None, "₪0.00", "a gap that rounds to zero takes no sign"),
    (D("12.99"), "ILS", True, "en", "+₪12.99", "report gap, English"),
    (D("5"), None, False, None, "5.00", "a bare amount without a currency"),
    (D("1234"), "CHF", False, None, "CHF 1,234.00", "no symbol: the ISO code"),
]


@pytest.mark.parametrize(
    "amount, currency, signed, locale, expected",
    [row[:5] for row in MONEY],
    ids=[row[5] for row in MONEY],
)
def test_money_text(amount, currency, signed, locale, expected):
    assert money_text(amount, currency, signed=signed, locale=locale) == expected


def test_hebrew_locale_keeps_the_sign_with_the_number():
    shown = money_text(D("-12.99"), "ILS", locale="he")
    assert shown == "\u200f-12.99\xa0\u200f₪"


PLURALS = [  # (count, word, words, expected, source)
    (1, "error", None, "1 error", "summary line"),
    (0, "warning", None, "0 warnings", "summary line"),
    (3, "info", None, "3 info", "info is a mass noun"),
    (1234, "observation", None, "1,234 observations", "thousands grouped"),
    (2, "problem", None, "2 problems", "cli: problems in the input"),
    (2, "policy", "policies", "2 policies", "an irregular plural"),
]


@pytest.mark.parametrize(
    "count, word, words, expected", [row[:4] for row in PLURALS], ids=[r[4] for r in PLURALS]
)
def test_plural(count, word, words, expected):
    assert plural(count, word, words) == expected
