"""Routing replies to the approved answer they address: Hebrew, English, prefixes, none."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.pricebook import PriceBook
from consistency.routing import Router, keyword_pattern

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")


@pytest.fixture(scope="module")
def answers():
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    return load_answers(DEMO / "answers.yaml", book, TZ)


@pytest.fixture(scope="module")
def router(answers):
    return Router(answers)


@dataclass(frozen=True)
class Route:
    id: str
    text: str
    answer: str | None  # None: stays unrouted


ROUTES = [
    # Hebrew replies, with prefix letters on the keywords
    Route("he-cancel-7-days", "אפשר לבטל את המנוי ללא עלות תוך 7 ימים", "cancellation-fee"),
    Route("he-cancel-prefix", 'ולביטול המנוי יש דמי ביטול של 100 ש"ח', "cancellation-fee"),
    Route("he-technician-prefix", "הטכנאי יגיע מחר בבוקר", "install-time"),
    Route("he-router", "התקנת הראוטר עולה 149 שקל", "router-install-price"),
    Route("he-fiber-spoken", "אמרתי ללקוח שסיב 500 עולה תשעים ותשע תשעים לחודש", "fiber-500-price"),
    Route("he-refund-prefix", "והזיכוי יגיע תוך שבוע", "refund-time"),
    Route("he-final-letters", "סיבים 500 עולים 99.90", "fiber-500-price"),
    Route("he-niqqud-and-bidi", "\u200fבִּיטּוּל ללא עלות", "cancellation-fee"),
    # English replies
    Route("en-cancel", "You can cancel free of charge within 14 days", "cancellation-fee"),
    Route("en-refund", "Your refund is paid within 7 days.", "refund-time"),
    Route("en-question-copy", "How soon does a technician come?", "install-time"),
    Route("en-router-case", "ROUTER installation is ₪149", "router-install-price"),
    # Unrelated topics stay unrouted
    Route("he-opening-hours", "המוקד שלנו פתוח בימים א-ה בין 8:00 ל-20:00.", None),
    Route("he-address-change", "לקוחה ביקשה לעדכן כתובת למשלוח חשבונית.", None),
    Route("en-goodbye", "Thanks for contacting us, have a great evening!", None),
    Route("he-blame", "אמרתי לו שזה לא באחריותנו", None),
    Route("empty", "   ", None),
    # Two topics at once: never guessed
    Route("two-topics", "ביטול המנוי, והחזר כספי תוך 7 ימים", None),
]


@pytest.mark.parametrize("row", ROUTES, ids=lambda r: r.id)
def test_route(router, row):
    answer, confidence = router.route(row.text)
    assert answer == row.answer
    assert 0.0 <= confidence <= 1.0
    if row.answer is not None:
        assert confidence >= router.threshold


def test_a_higher_threshold_leaves_weaker_replies_unrouted(answers):
    text = "הטכנאי יגיע מחר בבוקר"
    default_answer, confidence = Router(answers).route(text)
    assert default_answer == "install-time"
    assert Router(answers, threshold=0.95).route(text) == (None, confidence)


def test_scores_explain_the_decision(router):
    scores = router.scores("Your refund is paid within 7 days.")
    assert max(scores, key=scores.get) == "refund-time"
    assert set(scores) == {
        "cancellation-fee",
        "install-time",
        "router-install-price",
        "fiber-500-price",
        "refund-time",
    }


@dataclass(frozen=True)
class Keyword:
    id: str
    keyword: str
    text: str
    found: bool


KEYWORDS = [
    Keyword("plain", "ביטול", "ביטול המנוי", True),
    Keyword("two-prefixes", "ביטול", "ולביטול", True),
    Keyword("prefix-with-maqaf", "ביטול", "ה-ביטול", True),
    Keyword("not-inside-a-word", "ביטול", "אביטולים", False),
    Keyword("final-letter-folded", "סיבים 500", "סיבימ 500", True),
    Keyword("english-suffix", "cancel", "cancellation", True),
    Keyword("english-not-mid-word", "cancel", "precancel", False),
]


@pytest.mark.parametrize("row", KEYWORDS, ids=lambda r: r.id)
def test_keyword_pattern(row):
    from consistency.text.mentions import name_key

    assert bool(keyword_pattern(row.keyword).search(name_key(row.text))) is row.found
