"""The reader's language: message catalogs (gettext through Babel) and CLDR formatting.

The HTML report and the email speak Hebrew or English. Their words come from gettext
catalogs in ``consistency/locale/<language>/LC_MESSAGES/consistency.po`` (English is
the source language and needs none); Babel reads a catalog and serves it as
translations to jinja2's i18n extension and to the Python that builds sentences.
Numbers, money, percents and dates follow the locale's CLDR rules through Babel:
``‏99.90 ‏₪`` and ``21 בנוב׳ 2026`` in Hebrew, ``₪99.90`` and ``21 Nov 2026`` in English.

The locale is ``report.locale`` / ``--locale`` when given, else Hebrew when the price
list's names are mostly Hebrew (``mostly_hebrew``), else English: :func:`reader_locale`,
the one rule every command follows.

>>> fmt = Formatter("he")
>>> fmt.money(Decimal("-12.99"), "ILS", signed=True) == "\\u200f-12.99\\xa0\\u200f₪"
True
>>> Formatter("en").money(Decimal("12.99"), "ILS", signed=True), Formatter("en").percent(Decimal("-10"), signed=True)
('+₪12.99', '-10.0%')
"""

from __future__ import annotations

import functools
import heapq
import io
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

from babel import Locale, UnknownLocaleError
from babel.numbers import format_decimal

from ..text.display import money_text, percent_text

if TYPE_CHECKING:
    from babel.support import NullTranslations

# babel.dates, babel.support and babel.messages (~12 ms to import) load where a catalog is
# read or a date written: choosing the locale (every audit with a JSON report) needs neither.

CATALOGS = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "consistency"
DEFAULT = "en"


class UnknownLocale(ValueError):
    """A locale Babel does not know."""


def parse_locale(name: str) -> Locale:
    """A Babel locale from ``he``, ``he_IL``, ``en-GB`` …; a clear error otherwise.

    >>> str(parse_locale("he-IL")), parse_locale("en").language
    ('he_IL', 'en')
    """
    try:
        return Locale.parse(str(name).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise UnknownLocale(f"unknown locale {name!r}; e.g. he or en") from None


@functools.lru_cache(maxsize=8)
def translations(language: str) -> NullTranslations:
    """The catalog of ``language`` compiled in memory from its ``.po`` (none for English)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    po = CATALOGS / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as source:
        catalog = read_po(source, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def languages() -> list[str]:
    """The languages with a catalog, and English."""
    found = sorted(p.parent.parent.name for p in CATALOGS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    return sorted({DEFAULT, *found})


class Formatter:
    """Words and numbers in one locale: ``gettext``, ``ngettext`` and CLDR formats."""

    def __init__(self, locale: str | Locale = DEFAULT):
        self.locale = locale if isinstance(locale, Locale) else parse_locale(locale)
        self.translations = translations(self.locale.language)
        self.rtl = self.locale.character_order == "right-to-left"
        self._months = self.locale.months["format"]["abbreviated"]
        self._said: dict[tuple, str] = {}  # values already formatted: Babel's calls are slow

    def _remember(self, key: tuple, make) -> str:
        shown = self._said.get(key)
        if shown is None:
            if len(self._said) > 200_000:
                self._said.clear()
            shown = self._said[key] = make()
        return shown

    @property
    def lang(self) -> str:
        return self.locale.language

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.translations.ngettext(singular, plural, n)

    def number(self, value) -> str:
        return self._remember(("n", value), lambda: format_decimal(value, locale=self.locale))

    def money(self, amount: Decimal, currency: str | None, *, signed: bool = False) -> str:
        """Money by the locale's currency pattern (:func:`~consistency.text.display.money_text`)."""
        key = ("m", amount, currency, signed)
        return self._remember(
            key,
            lambda: money_text(Decimal(str(amount)), currency, signed=signed, locale=self.locale),
        )

    def percent(self, value: Decimal, *, signed: bool = False) -> str:
        """A percent in the locale (:func:`~consistency.text.display.percent_text`): one
        decimal when signed (a gap), else as few as it needs."""
        value = Decimal(str(value))
        return self._remember(
            ("p", value, signed),
            lambda: self._rtl_mark(signed) + percent_text(value, signed=signed, locale=self.locale),
        )

    def _rtl_mark(self, signed: bool) -> str:
        """A signed percent in a right-to-left locale starts with RIGHT-TO-LEFT MARK, as the
        locale's CLDR money pattern does (``‏-269.00 ‏₪``): both then show their sign on the
        same side, the reading start, wherever they stand."""
        return "\u200f" if signed and self.rtl else ""

    def datetime(self, at: datetime | None) -> str:
        """``21 Nov 2026, 18:40``: the CLDR pattern ``d MMM y, HH:mm`` with the locale's
        month names, written directly (Babel's ``format_datetime`` gives the same text at
        many times the cost per call).

        >>> from babel.dates import format_datetime
        >>> at = datetime(2026, 11, 21, 18, 40)
        >>> Formatter("he").datetime(at) == format_datetime(at, "d MMM y, HH:mm", locale="he")
        True
        """
        if at is None:
            return ""
        return f"{at.day} {self._months[at.month]} {at.year}, {at.hour:02d}:{at.minute:02d}"

    def date(self, day: date | datetime | None) -> str:
        from babel.dates import format_date

        return format_date(day, "d MMM y", locale=self.locale) if day else ""

    def span(self, first: datetime, last: datetime) -> str:
        """Two times as a day range: ``16–21 Nov``; one day alone when both fall on it."""
        from babel.dates import format_date, format_interval

        if first.date() == last.date():
            return format_date(first, "d MMM", locale=self.locale)
        return format_interval(first, last, "MMMd", tzinfo=first.tzinfo, locale=self.locale)


def reader_locale(option: str | None, names=None, findings=()) -> str:
    """The reader's locale, by the one rule every command follows (``audit``, ``report``,
    ``email``, ``notify``, ``demo``): ``option`` (``--locale``, else ``report.locale``) when
    given; else Hebrew when the price list's product ``names`` (id -> name) are mostly
    Hebrew; without names (a saved result whose config cannot be read) Hebrew when the
    ``findings``' own text (message and subject of 200 of them, by fingerprint) is mostly Hebrew; else
    English.

    >>> reader_locale(None, {"fiber-500": "סיב 500 מגה"}), reader_locale("en", {"a": "סיב"})
    ('he', 'en')
    >>> reader_locale(None, {}), reader_locale(None, {"fiber-500": "Fiber 500"})
    ('en', 'en')
    """
    from .base import mostly_hebrew, subject

    if option:
        return option
    names = dict(names or {})
    if names:
        return choose(None, mostly_hebrew(names.values()))
    sample = heapq.nsmallest(200, findings, key=lambda f: f.fingerprint)  # any input order
    return choose(None, mostly_hebrew(t for f in sample for t in (f.message, subject(f))))


def choose(option: str | None, hebrew: bool) -> str:
    """The locale: the option when given, else ``he`` for a Hebrew price list, else ``en``.

    >>> choose(None, True), choose(None, False), choose("en", True)
    ('he', 'en', 'en')
    """
    return option or ("he" if hebrew else DEFAULT)


def saved_reader(run) -> tuple[str | None, dict[str, str]]:
    """The reader's locale and the product names a saved result's ``run`` section carries
    (written by the JSON report since tryout 13b): ``(None, {})`` for an older result, and
    anything malformed (an unknown locale, names that are not text) is left out, never an
    error: the saved file may come from anywhere.

    >>> saved_reader({"locale": "he", "products": {"mazgan": "מזגן"}})
    ('he', {'mazgan': 'מזגן'})
    >>> saved_reader({"locale": "xx-nowhere", "products": [1]}), saved_reader(None)
    ((None, {}), (None, {}))
    """
    if not isinstance(run, dict):
        return None, {}
    locale = run.get("locale")
    try:
        locale = str(parse_locale(locale)) if isinstance(locale, str) and locale else None
    except UnknownLocale:
        locale = None
    products = run.get("products")
    names = (
        {k: v for k, v in products.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(products, dict)
        else {}
    )
    return locale, names
