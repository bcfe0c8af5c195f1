"""How amounts and counts read for people: the one money formatter, the one percent
formatter and the one plural helper.

Checks (finding messages), reports, the email and ``diff`` all write money through
:func:`money_text` and percents through :func:`percent_text`, so ``-9.99`` shekels and
``-10.0%`` read the same everywhere and half an agora (or a twentieth of a percent)
rounds the same way everywhere.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision

# Symbols written before the amount in locale-free text; other currencies show their ISO code.
SYMBOLS = {"ILS": "₪", "USD": "$", "EUR": "€", "GBP": "£"}
DEFAULT_DIGITS = 2  # money without a currency (a bare amount) rounds to cents
PERCENT_STEP = Decimal("0.1")  # a percent shows at most one decimal


@lru_cache(maxsize=512)
def minor_digits(currency: str | None) -> int:
    """Digits after the point in ``currency``'s minor unit, from CLDR (Babel).

    >>> minor_digits("ILS"), minor_digits("JPY"), minor_digits("KWD"), minor_digits(None)
    (2, 0, 3, 2)
    """
    return get_currency_precision(currency) if currency else DEFAULT_DIGITS


def round_money(amount: Decimal, currency: str | None) -> Decimal:
    """``amount`` rounded half up to ``currency``'s minor unit, as a till would.

    >>> round_money(Decimal("0.005"), "ILS"), round_money(Decimal("-0.005"), "ILS")
    (Decimal('0.01'), Decimal('-0.01'))
    >>> round_money(Decimal("99.5"), "JPY"), round_money(Decimal("1.0005"), "KWD")
    (Decimal('100'), Decimal('1.001'))
    """
    step = Decimal(1).scaleb(-minor_digits(currency))
    return Decimal(str(amount)).quantize(step, rounding=ROUND_HALF_UP)


def money_text(
    amount: Decimal, currency: str | None, *, signed: bool = False, locale: str | None = None
) -> str:
    """Money as people read it: ``₪99.90``, ``-₪9.99``, ``CHF 1,234.00``.

    Rounded half up to the currency's minor unit (CLDR, so ``JPY`` has no decimals and
    ``KWD`` three). The sign stands before the symbol; ``signed`` adds ``+`` to a positive
    amount (a gap). Without ``locale`` the text is locale-free (symbol for ILS, USD, EUR and
    GBP, else the ISO code; ``,`` groups thousands); with a Babel ``locale`` (the HTML report
    and the email) the locale's CLDR currency pattern is used. ``currency=None`` gives the
    bare amount.

    >>> money_text(Decimal("99.9"), "ILS"), money_text(Decimal("-9.99"), "ILS")
    ('₪99.90', '-₪9.99')
    >>> money_text(Decimal("0.005"), "ILS"), money_text(Decimal("1234"), "CHF")
    ('₪0.01', 'CHF 1,234.00')
    >>> money_text(Decimal("19.99"), "USD", signed=True), money_text(Decimal(5), None)
    ('+$19.99', '5.00')
    >>> money_text(Decimal("1500.4"), "JPY")
    'JPY 1,500'
    >>> money_text(Decimal("-9.99"), "ILS", locale="en"), money_text(Decimal("0.005"), "ILS", locale="en")
    ('-₪9.99', '₪0.01')
    >>> money_text(Decimal("-12.99"), "ILS", locale="he") == "\\u200f-12.99\\xa0\\u200f₪"
    True
    """
    rounded = round_money(amount, currency)
    plus = "+" if signed and rounded > 0 else ""
    if locale is not None:
        return plus + _localized(rounded, currency, locale)
    sign = "-" if rounded < 0 else plus
    digits = f"{abs(rounded):,.{minor_digits(currency)}f}"
    if currency is None:
        return sign + digits
    symbol = SYMBOLS.get(currency)
    return f"{sign}{symbol}{digits}" if symbol else f"{sign}{currency} {digits}"


def _localized(rounded: Decimal, currency: str | None, locale) -> str:
    if currency is None:
        return format_decimal(rounded, format="#,##0.00", locale=locale)
    return format_currency(rounded, currency, locale=locale)


def percent_text(value, *, signed: bool = False, locale: str | None = None) -> str:
    """A percent as people read it: ``20%``, ``0.5%``; signed (a gap) ``-10.0%``, ``+2.5%``.

    Rounded half up to one decimal. A signed percent always shows its decimal and ``+``
    before a positive value; an unsigned whole one shows none. Without ``locale`` the
    digits are plain (finding messages, the text report); with a Babel ``locale`` (the
    HTML report, the email) they follow the locale's CLDR number symbols.

    >>> percent_text(Decimal("-10"), signed=True), percent_text(Decimal("2.5"), signed=True)
    ('-10.0%', '+2.5%')
    >>> percent_text(Decimal(20)), percent_text(Decimal("0.5")), percent_text(Decimal("2.25"))
    ('20%', '0.5%', '2.3%')
    >>> percent_text(Decimal("1234.56"), signed=True, locale="en")
    '+1,234.6%'
    """
    value = value if isinstance(value, Decimal) else Decimal(str(value))
    whole = not signed and value == value.to_integral_value()
    shown = value if whole else value.quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)
    if locale is not None:
        digits = format_decimal(shown, format="#,##0" if whole else "#,##0.0", locale=locale)
    else:
        digits = f"{shown:.0f}" if whole else f"{shown:.1f}"
    return ("+" if signed and value > 0 else "") + digits + "%"


def plural(count: int, word: str, words: str | None = None) -> str:
    """``3 errors``, ``1 warning``, ``0 info``: a count with its noun, thousands grouped.

    ``words`` is the plural when it is not ``word + "s"``; ``info`` never takes an ``s``.
    (Translated text counts through the catalogs' ``ngettext`` instead.)

    >>> plural(3, "error"), plural(1, "warning"), plural(0, "info"), plural(1234, "observation")
    ('3 errors', '1 warning', '0 info', '1,234 observations')
    >>> plural(2, "policy", "policies")
    '2 policies'
    """
    many = words or (word if word == "info" else word + "s")
    return f"{count:,} {word if count == 1 else many}"
