"""The Hebrew catalog covers every message the report says, with the same placeholders."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from consistency.report.i18n import Formatter, UnknownLocale, choose, languages, parse_locale

ROOT = Path(__file__).resolve().parent.parent
HEBREW = ROOT / "consistency" / "locale" / "he" / "LC_MESSAGES" / "consistency.po"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
METHODS = [
    ("consistency/report/**.py", "python"),
    ("consistency/notify.py", "python"),
    ("consistency/report/templates/**.j2", "jinja2"),
]


def extracted() -> set:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords={"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
    ):
        found.add(message if isinstance(message, str) else tuple(message))
    return found


def catalog():
    with HEBREW.open("rb") as source:
        return read_po(source, locale="he")


def test_every_message_of_the_report_is_translated_to_hebrew():
    hebrew = {m.id: m for m in catalog() if m.id}
    missing = sorted(str(m) for m in extracted() if m not in hebrew)
    assert missing == []
    untranslated = sorted(str(m.id) for m in hebrew.values() if not m.string or m.fuzzy)
    assert untranslated == []


def test_translations_keep_the_placeholders():
    for message in catalog():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert set(PLACEHOLDER.findall(text)) <= wanted, (message.id, text)
            if len(ids) == 1:
                assert set(PLACEHOLDER.findall(text)) == wanted, (message.id, text)


IL = timezone(timedelta(hours=2))


@pytest.mark.parametrize(
    ("locale", "money", "when"),
    [
        ("he", "\u200f116.91\xa0\u200f₪", "21 נוב׳ 2026, 18:40"),  # CLDR he: amount, then ₪
        ("en", "₪116.91", "21 Nov 2026, 18:40"),
    ],
)
def test_cldr_formats(locale, money, when):
    fmt = Formatter(locale)
    assert fmt.money(Decimal("116.91"), "ILS") == money
    assert fmt.datetime(datetime(2026, 11, 21, 18, 40, tzinfo=IL)) == when


def test_hebrew_plurals_follow_the_catalog():
    he = Formatter("he")
    counted = [he.ngettext("%(num)d time", "%(num)d times", n) % {"num": n} for n in (1, 2, 10)]
    assert counted == ["פעם אחת", "פעמיים", "10 פעמים"]


def test_locale_choice_and_errors():
    assert choose(None, hebrew=True) == "he" and choose("en", hebrew=True) == "en"
    assert languages() == ["en", "he"]
    with pytest.raises(UnknownLocale, match="unknown locale 'xx-YY'"):
        parse_locale("xx-YY")
