"""Routing accuracy on a labelled set, against the truth and against the former scorer.

The rows are replies a support team sees about the demo company's approved answers
(fixtures/demo/answers.yaml): copies and paraphrases of its questions and answers,
typos, Hebrew prefix letters and final letters, English and Hebrew, and replies about
something else that must stay unrouted. Each row says where it came from:
``demo-question`` / ``demo-answer`` (the approved texts, rephrased), ``demo-export``
(fixtures/demo/exports), ``platform`` (fixtures/platforms exports), ``written`` (made
up for this set).

:class:`FuzzyRouter` is the former scorer kept as the reference: a blend of
rapidfuzz's ``token_set_ratio`` and ``partial_ratio`` per question, with the same
keywords, weight, threshold and margin. The vectorized router must be as right on the
labels as the reference, and agree with it on nearly every row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from rapidfuzz import fuzz

from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.pricebook import PriceBook
from consistency.routing import DEFAULT_MARGIN, DEFAULT_THRESHOLD, FUZZY_WEIGHT, Router, Topic
from consistency.text.mentions import name_key

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
CANCEL, INSTALL, ROUTER = "cancellation-fee", "install-time", "router-install-price"
FIBER, REFUND = "fiber-500-price", "refund-time"
_WORD = re.compile(r"\w+")


class FuzzyRouter:
    """The former scorer: rapidfuzz token_set_ratio and partial_ratio, one reply at a time."""

    def __init__(
        self, answer_book, threshold: float = DEFAULT_THRESHOLD, margin: float = DEFAULT_MARGIN
    ):
        self.topics = Router(answer_book).topics
        self.threshold, self.margin = threshold, margin

    def route_many(self, texts):
        return [self._decide(self._fuzzy_scores(text)) for text in texts]

    def _fuzzy_scores(self, text: str) -> list[float]:
        key = name_key(text or "")
        if not key:
            return []
        return [_score(topic, key) for topic in self.topics]

    def _decide(self, scores: list[float]):
        if not scores:
            return None, 0.0
        ranked = sorted(zip(scores, (t.answer for t in self.topics), strict=True), reverse=True)
        best, answer = ranked[0]
        runner_up = ranked[1][0] if len(ranked) > 1 else 0.0
        if best < self.threshold or best - runner_up < self.margin:
            return None, best
        return answer, best


def _score(topic: Topic, key: str) -> float:
    fuzzy = max((_similarity(key, text) for text in topic.texts), default=0.0)
    keyword = any(pattern.search(key) for _, pattern in topic.keywords)
    return FUZZY_WEIGHT * fuzzy + (1 - FUZZY_WEIGHT) * keyword


def _similarity(reply: str, text: str) -> float:
    if not _WORD.search(reply) or not _WORD.search(text):
        return 0.0
    blend = 0.5 * fuzz.token_set_ratio(reply, text) + 0.5 * fuzz.partial_ratio(reply, text)
    return blend / 100


@dataclass(frozen=True)
class Labelled:
    id: str
    source: str
    text: str
    answer: str | None  # None: about no approved answer, or about two at once


LABELLED = [
    # cancellation-fee
    Labelled("he-cancel-question", "demo-question", "כמה עולה לבטל את המנוי?", CANCEL),
    Labelled("he-cancel-typo-minui", "demo-question", "כמה עולה לבטל את המינוי?", CANCEL),
    Labelled("he-cancel-typo-bitul", "demo-question", "יש דמי ביטל אם אני עוזב?", CANCEL),
    Labelled("he-cancel-paraphrase", "demo-answer", "ביטול המנוי ללא עלות ב-14 הימים הראשונים", CANCEL),
    Labelled("he-cancel-fee-prefix", "demo-answer", 'ובביטול אחרי 14 יום יש דמי ביטול של 100 ש"ח', CANCEL),
    Labelled("he-cancel-free", "written", "אפשר לבטל בחינם בשבועיים הראשונים", CANCEL),
    Labelled("en-cancel-question", "platform", "What does it cost to cancel?", CANCEL),
    Labelled("en-cancel-typo", "demo-question", "What does it cost to cancle?", CANCEL),
    Labelled("en-cancel-fee-typo", "demo-question", "Is there a cancelation fee?", CANCEL),
    Labelled("en-cancel-answer", "platform", "Cancellation is free within 14 days of joining; after that the fee is ₪100.", CANCEL),
    Labelled("he-cancel-contact-lens", "platform", "ביטול ללא עלות בתוך 14 יום מההצטרפות, ולאחר מכן דמי ביטול של ₪100.00.", CANCEL),
    Labelled("he-cancel-call-note", "demo-export", "הלקוח שאל על ביטול. הסברתי שהביטול ללא עלות תוך 14 יום מההצטרפות.", CANCEL),
    # install-time
    Labelled("he-install-question", "demo-question", "מתי יגיע טכנאי?", INSTALL),
    Labelled("he-install-business-days", "demo-answer", "הטכנאי יגיע תוך 3 ימי עסקים", INSTALL),
    Labelled("he-install-paraphrase", "written", "טכנאי מגיע אליכם תוך שלושה ימי עבודה מההזמנה", INSTALL),
    Labelled("he-install-prefix", "written", "ולטכנאי לוקח עד 3 ימי עסקים להגיע", INSTALL),
    Labelled("en-install-answer", "demo-answer", "A technician will come within 3 business days of your order.", INSTALL),
    Labelled("en-install-typo", "demo-question", "When will the tecnician install the line?", INSTALL),
    Labelled("he-install-call-note", "demo-export", "לקוח שאל מתי יגיע טכנאי. אמרתי שטכנאי יגיע תוך 3 ימים.", INSTALL),
    # router-install-price
    Labelled("he-router-question", "platform", "כמה עולה התקנת נתב", ROUTER),
    Labelled("he-router-spoken", "platform", "התקנת נתב עולה מאה ארבעים ותשעה שקלים תשלום חד פעמי", ROUTER),
    Labelled("he-router-ruter", "written", "התקנת ראוטר בתשלום חד פעמי של 149 שקל", ROUTER),
    Labelled("he-router-prefix", "written", "ולהתקנה של הנתב משלמים 149 פעם אחת", ROUTER),
    Labelled("en-router-answer", "demo-export", "The router installation is a one-time payment of ₪149.", ROUTER),
    Labelled("en-router-typo", "demo-question", "How much is ruoter installation?", ROUTER),
    Labelled("en-router-paraphrase", "written", "Installing the router costs ₪149, paid once", ROUTER),
    # fiber-500-price
    Labelled("he-fiber-question", "demo-question", "כמה עולה סיב 500?", FIBER),
    Labelled("he-fiber-internet", "demo-question", "מה המחיר של אינטרנט 500 מגה?", FIBER),
    Labelled("he-fiber-answer", "demo-answer", "סיב 500 מגה עולה 99.90 לחודש", FIBER),
    Labelled("he-fiber-prefix", "written", "האינטרנט 500 עולה 99.90 בחודש", FIBER),
    Labelled("en-fiber-answer", "demo-export", "Fiber 500 costs ₪79.92 a month during Black Friday.", FIBER),
    Labelled("en-fiber-fibre", "demo-question", "What's the monthly price of fibre 500?", FIBER),
    Labelled("he-fiber-spoken", "demo-export", "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש", FIBER),
    # refund-time
    Labelled("he-refund-question", "demo-question", "מתי יגיע הזיכוי?", REFUND),
    Labelled("he-refund-answer", "demo-answer", "ההחזר הכספי יועבר תוך 7 ימים", REFUND),
    Labelled("he-refund-week", "demo-export", "ההחזר הכספי יגיע לחשבון שלך תוך שבוע.", REFUND),
    Labelled("he-refund-credit", "written", "הזיכוי יופיע בחשבון תוך שבוע", REFUND),
    Labelled("en-refund-money-back", "written", "You'll get your money back within a week", REFUND),
    Labelled("en-refund-typo", "demo-question", "How long does a refnud take?", REFUND),
    Labelled("en-refund-processed", "written", "Refunds are processed within 7 days", REFUND),
    Labelled("he-refund-transcript", "demo-export", "תמלול - נציג: ההחזר יועבר אליך תוך 7 ימים. לקוח: תודה רבה.", REFUND),
    # about no approved answer
    Labelled("he-opening-hours", "demo-export", "המוקד שלנו פתוח בימים א-ה בין 8:00 ל-20:00.", None),
    Labelled("he-discount", "demo-export", "הלקוחה ביקשה הנחה, נתתי 10% כי בעלה ראה באתר", None),
    Labelled("he-address", "demo-export", "לקוחה ביקשה לעדכן כתובת למשלוח חשבונית.", None),
    Labelled("en-goodbye", "demo-export", "Thanks for contacting us, have a great evening!", None),
    Labelled("en-static-ip-price", "platform", "Call with customer: a static IP is ₪25 a month.", None),
    Labelled("he-range-extender", "platform", "היי נועה, מגדיל טווח עולה 19.90 ₪ לחודש. יום טוב!", None),
    Labelled("he-fiber-200", "platform", 'כן, סיב 200 עולה 74.90 ש"ח לחודש.', None),
    Labelled("he-fiber-1000", "platform", "שלום, כמה עולה סיב 1000?", None),  # the former: fiber-500
    Labelled("he-greeting", "platform", "שלום, הגעתם לנטלינק, מדברת דנה.", None),
    Labelled("he-welcome", "platform", "ברוכים הבאים לצ'אט של נטלינק", None),
    Labelled("he-outage", "written", "יש תקלה באזור שלך, אנחנו מטפלים בזה", None),
    Labelled("en-outage", "written", "The outage in your area should be fixed by tonight.", None),
    Labelled("en-transfer", "written", "Please hold while I transfer you to billing.", None),
    Labelled("punctuation", "written", "...!?", None),
    Labelled("digits", "written", "12345", None),
    # two answers at once: never guessed
    Labelled("he-cancel-and-refund", "written", "ביטול המנוי, והחזר כספי תוך 7 ימים", None),
    Labelled("en-router-and-technician", "written", "The router installation is ₪149 and a technician comes within 3 business days", None),
    Labelled("he-fiber-and-router", "written", "סיב 500 עולה 99.90 לחודש והתקנת הנתב 149", None),
]  # fmt: skip


@pytest.fixture(scope="module")
def answers():
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    return load_answers(DEMO / "answers.yaml", book, TZ)


@pytest.fixture(scope="module")
def routed(answers) -> dict[str, tuple[str | None, str | None]]:
    """Row id -> (the vectorized router's answer, the former scorer's answer)."""
    texts = [row.text for row in LABELLED]
    new = Router(answers).route_many(texts)
    old = FuzzyRouter(answers).route_many(texts)
    return {row.id: (n[0], o[0]) for row, n, o in zip(LABELLED, new, old, strict=True)}


# Replies both scorers get wrong: a second topic's keyword is outweighed by the first
# topic's likeness, so the reply is routed where it should stay unrouted.
KNOWN_GAPS = {"he-fiber-and-router"}


@pytest.mark.parametrize(
    "row",
    [
        pytest.param(row, marks=pytest.mark.xfail(strict=True, reason="both scorers route it"))
        if row.id in KNOWN_GAPS
        else row
        for row in LABELLED
    ],
    ids=lambda r: r.id,
)
def test_labelled_reply(routed, row):
    assert routed[row.id][0] == row.answer


def test_as_right_as_the_former_scorer_and_agreeing_with_it(routed):
    rows = {row.id: row.answer for row in LABELLED}
    right_new = sum(routed[i][0] == answer for i, answer in rows.items())
    right_old = sum(routed[i][1] == answer for i, answer in rows.items())
    agreeing = sum(new == old for new, old in routed.values())
    print(
        f"labelled {len(rows)}: vectorized right {right_new}, former right {right_old}, "
        f"agreement {agreeing / len(rows):.1%}"
    )
    assert right_new >= right_old
    assert agreeing / len(rows) >= 0.95


def test_every_answer_and_both_languages_are_covered():
    answers = {row.answer for row in LABELLED}
    assert answers == {CANCEL, INSTALL, ROUTER, FIBER, REFUND, None}
    for answer in answers:
        texts = [row.text for row in LABELLED if row.answer == answer]
        assert any(_is_hebrew(t) for t in texts) and any(t.isascii() for t in texts), answer


def _is_hebrew(text: str) -> bool:
    return any("\u05d0" <= char <= "\u05ea" for char in text)
