"""Every ISO 4217 currency and how people spell it, from CLDR through Babel.

The table maps a normalized spelling (``normalize()``: Latin casefolded, gershayim as
``"``) to the ISO codes it may mean, the most likely first. It is built by
:func:`build_table` from the CLDR data Babel ships, and kept in ``currencies.json``
beside this module, because reading all of CLDR's ~1,150 locales takes seconds and
the table is needed at import. ``tests/test_text_currencies.py`` checks that the file
is what the installed Babel builds; regenerate it with::

    python -m consistency.text.currencies

Spellings, for every currency Babel lists (``babel.numbers.list_currencies``):

- its ISO code (``PLN``);
- its symbol in every CLDR locale (``zł``, ``Kč``, ``₹``, ``R$``, ``CHF``, ``kr``);
- its display names, every plural form, in the locales whose territory uses it and in
  English and Hebrew (``złoty polski``, ``česká koruna``, ``US dollars``, ``שקלים חדשים``);
- unit words: the first or last word of those names when the same word names the
  currency in two languages or names two currencies in one (``rubles``, ``forint``,
  ``крона``), and the last word of the English names (``zlotys``, ``yen``);
- :data:`ALIASES`, spellings people type that CLDR lacks (``NIS``, ``руб.``, ``TL``);
- dotted abbreviations without their final dot (``ر.س`` beside CLDR's ``ر.س.``).

Where a spelling means several currencies (``$``, ``kr``, ``¥``), the one used in
the most locales whose territory pays in it comes first, unless :data:`PREFERRED`
names it (``$`` is the US dollar, ``kr`` the Swedish krona). A caller that knows the
currency it expects passes it as the default and wins among the candidates.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from consistency.text.normalize import normalize

TABLE_PATH = Path(__file__).with_name("currencies.json")

# Spellings people type that CLDR does not give (old or informal abbreviations).
ALIASES: dict[str, str] = {
    "NIS": "ILS",
    'ש"ח': "ILS",
    "ש'ח": "ILS",
    "ש''ח": "ILS",
    "שח": "ILS",
    "שקל": "ILS",
    "שקלים": "ILS",
    "shekel": "ILS",
    "shekels": "ILS",
    "דולר": "USD",
    "דולרים": "USD",
    "יורו": "EUR",
    'ליש"ט': "GBP",
    "US$": "USD",
    "U$S": "USD",
    "AU$": "AUD",
    "C$": "CAD",
    "CAD$": "CAD",
    "CAN$": "CAD",
    "NZ$": "NZD",
    "S$": "SGD",
    "руб.": "RUB",
    "руб": "RUB",
    "р.": "RUB",
    "рублей": "RUB",
    "грн.": "UAH",
    "грн": "UAH",
    "лв.": "BGN",
    "лв": "BGN",
    "TL": "TRY",
    "zl": "PLN",
    "Kr": "SEK",
    "Rs": "INR",
    "Rs.": "INR",
    "Dhs": "AED",
    "Dh": "MAD",
    "KD": "KWD",
    "BD": "BHD",
    "SFr": "CHF",
    "SFr.": "CHF",
    "Fr.": "CHF",
    "yuan": "CNY",
    "RMB": "CNY",
    "元": "CNY",
    "円": "JPY",
    "yen": "JPY",
    "원": "KRW",
    "VNĐ": "VND",
    "đ": "VND",
    "euro": "EUR",
    "euros": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "złotych": "PLN",
    "złote": "PLN",
    "korun": "CZK",
    "koruny": "CZK",
    "rubli": "RUB",
    "hrn": "UAH",
    "тг": "KZT",
    "lari": "GEL",
    "Р": "RUB",
}
# The currency an ambiguous spelling means when the caller expects none of its candidates.
PREFERRED: dict[str, str] = {
    "$": "USD",
    "£": "GBP",
    "¥": "JPY",
    "￥": "JPY",
    "kr": "SEK",
    "kr.": "DKK",
    "dollar": "USD",
    "dollars": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "peso": "MXN",
    "pesos": "MXN",
    "franc": "CHF",
    "francs": "CHF",
    "rupee": "INR",
    "rupees": "INR",
    "rs": "INR",
    "rs.": "INR",
    "r": "ZAR",
    "br": "BYN",
    "c$": "CAD",
    "kč": "CZK",
    "ruble": "RUB",
    "rubles": "RUB",
    "rouble": "RUB",
    "roubles": "RUB",
    "riyal": "SAR",
    "riyals": "SAR",
    "dirham": "AED",
    "dirhams": "AED",
}
# One-letter symbols that are too often something else (m for metres, s for seconds).
NOT_SYMBOLS = frozenset({"m", "s", "e", "f", "d", "g", "a"})
# Words of currency names that also follow numbers in ordinary English or Hebrew text.
NOT_UNITS = frozenset({"real", "mark", "won", "day", "next", "same", "new", "old", "gold"})
_WORD = re.compile(r"[^\W\d_]{3,}")


def _territory_currencies() -> dict[str, set[str]]:
    """For each locale id, the currencies its territory (or its likely territory) uses."""
    from babel import Locale, localedata
    from babel.core import get_global
    from babel.numbers import get_territory_currencies

    likely = get_global("likely_subtags")
    out: dict[str, set[str]] = {}
    for locale_id in localedata.locale_identifiers():
        territory = Locale.parse(locale_id).territory
        if territory is None:
            full = likely.get(locale_id.split("_")[0], "")
            territory = full.split("_")[-1] if full else None
        currencies = get_territory_currencies(territory) if territory else []
        out[locale_id] = set(currencies)
    return out


def _names(locale, code: str) -> set[str]:
    names = {locale.currencies.get(code) or ""}
    names |= set(locale._data["currency_names_plural"].get(code, {}).values())
    return {n for n in names if n}


def build_table() -> dict:
    """The spelling table from the installed Babel's CLDR data (takes a few seconds).

    Returns ``{"babel": version, "spellings": {spelling: [codes]}, "symbols": [spelling],
    "digits": {code: n}}``: ``symbols`` are the spellings that may stand before an
    amount (codes and signs: ``CHF 12``, ``zł 5``); names only follow it (``5 zlotys``).
    """
    import babel
    from babel import Locale
    from babel.numbers import get_currency_precision, list_currencies

    codes = sorted(list_currencies())
    local = _territory_currencies()
    current = set().union(*local.values())
    seen: set[tuple[str, str, str, str]] = set()
    weight: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    unit_langs: dict[tuple[str, str], set[str]] = defaultdict(set)
    unit_codes: dict[tuple[str, str], set[str]] = defaultdict(set)

    symbols: set[str] = set()

    def add(spelling: str, code: str, points: int, language: str = "", symbol=False) -> None:
        key = normalize(spelling).strip()
        if symbol and key:
            symbols.add(key)
        if key in NOT_SYMBOLS:
            return
        if key and not key.isdigit() and (key, code, language, str(points)) not in seen:
            seen.add((key, code, language, str(points)))  # once per language, not per locale
            weight[key][code] += points

    for code in codes:
        add(code, code, 1, symbol=True)
    for locale_id, pays in sorted(local.items()):
        locale = Locale.parse(locale_id)
        language = locale.language
        for code, symbol in locale.currency_symbols.items():
            if code in codes and symbol:
                add(symbol, code, 10 if code in pays else 1, language, symbol=True)
        named = pays if language not in ("en", "he") else current & set(codes)
        for code in sorted(named):
            for name in _names(locale, code):
                points = 10 if code in pays else 1
                add(name, code, points, language)
                words = [w for w in _WORD.findall(normalize(name)) if w not in NOT_UNITS]
                for word in {words[0], words[-1]} if words and "(" not in name else ():
                    unit_langs[word, code].add(language)
                    unit_codes[word, language].add(code)
                if language == "en" and words and "(" not in name:
                    add(words[-1], code, points, language)
    for (word, code), languages in sorted(unit_langs.items()):
        shared = any(len(unit_codes[word, lang]) > 1 for lang in languages)
        if len(languages) > 1 or shared:
            add(word, code, len(languages), "units")
    for spelling, code in ALIASES.items():
        add(spelling, code, 1000, symbol=len(spelling) <= 4)
    _without_final_dot(weight, symbols)
    spellings = {}
    for key, points in sorted(weight.items()):
        ranked = sorted(points, key=lambda c, p=points: (c not in current, -p[c], c))
        preferred = PREFERRED.get(key)
        if preferred in ranked:
            ranked.remove(preferred)
            ranked.insert(0, preferred)
        spellings[key] = ranked
    digits = {code: get_currency_precision(code) for code in codes}
    return {
        "babel": babel.__version__,
        "spellings": spellings,
        "symbols": sorted(symbols & spellings.keys()),
        "digits": digits,
    }


def _without_final_dot(weight: dict, symbols: set[str]) -> None:
    """Abbreviations written with dots between letters (CLDR's Arabic ``ر.س.``, ``د.إ.``)
    are typed without the final dot too: ``ر.س`` is the Saudi riyal, not ``ر`` (the
    Pakistani rupee) followed by junk. The dotless form gets the same currencies."""
    for key in sorted(weight):
        short = key[:-1]
        if key.endswith(".") and "." in short and not short.endswith(".") and short not in weight:
            weight[short] = defaultdict(int, weight[key])
            if key in symbols:
                symbols.add(short)


def load_table() -> dict:
    """The table kept in ``currencies.json``."""
    with TABLE_PATH.open(encoding="utf-8") as stream:
        return json.load(stream)


def write_table(path: Path = TABLE_PATH) -> None:
    table = build_table()
    text = json.dumps(table, ensure_ascii=False, indent=0, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    write_table(Path(sys.argv[1]) if len(sys.argv) > 1 else TABLE_PATH)
