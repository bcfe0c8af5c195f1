"""The answer checks, row by row: what passes, what fails and why, with spans into the reply.

Rows come from the demo company (fixtures/demo): its price list and approved answers.
Each failing row names what the finding says, in one short line per problem.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency import checks
from consistency.checks import Context
from consistency.engine import Engine
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.model import Location, Observation, Rule
from consistency.pricebook import PriceBook
from consistency.result import Result
from consistency.values import FactValue, PhraseValue

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
NOV_18 = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)
NOV_21 = datetime(2026, 11, 21, 10, 0, tzinfo=TZ)
DEC_03 = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def ctx() -> Context:
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    answers = load_answers(DEMO / "answers.yaml", book, TZ)
    return Context(book=book, timezone=TZ, channels=("web", "phone", "chat"), answers=answers)


def observation(text, *, channel="chat", answer=None, at=NOV_18, **more) -> Observation:
    return Observation(
        id="obs-1",
        channel=channel,
        at=at,
        source=Location("exports/x.jsonl", 7),
        text=text,
        answer=answer,
        ref="ref-1",
        **more,
    )


def run(check_id: str, obs: Observation, ctx: Context, **options) -> list:
    rule = Rule(id=check_id, check=check_id, options=options)
    return list(checks.get(check_id).check(obs, ctx, rule))


@dataclass(frozen=True)
class Row:
    id: str
    text: str
    answer: str | None
    channel: str
    at: datetime
    found: tuple[str, ...]  # one line per problem, see ``summary``


def summary(problem) -> str:
    """A problem in one line: what was observed (and the cause, when there is one)."""
    observed = problem.observed
    if isinstance(observed, FactValue):
        return f"{observed.kind} {observed.value} {observed.unit}"
    if isinstance(observed, PhraseValue):
        return f"{problem.expected.scope}: {observed.phrase}"
    if problem.cause:
        return f"{problem.cause} {observed.amount}"
    return f"missing {problem.expected.kind} {problem.expected.value}"


def check_rows(check_id: str, rows: list[Row], ctx: Context, row: Row) -> None:
    obs = observation(row.text, channel=row.channel, answer=row.answer, at=row.at)
    problems = run(check_id, obs, ctx)
    assert [summary(p) for p in problems] == list(row.found)
    for problem in problems:
        assert problem.channel == row.channel and problem.at == row.at
        assert problem.related == ("obs-1",) and problem.key
        assert problem.evidence.ref == "ref-1"
        assert problem.evidence.source == "exports/x.jsonl:7"
        if problem.evidence.span is not None:
            start, end = problem.evidence.span
            assert row.text[start:end].strip(), "the span covers what was said"


CONTRADICTS = [
    Row("cancel-right", "ביטול ללא עלות עד 14 יום מההצטרפות, אחר כך 100 ש\"ח", "cancellation-fee", "chat", NOV_18, ()),
    Row("cancel-two-weeks-is-14-days", "אפשר לבטל בחינם תוך שבועיים", "cancellation-fee", "chat", NOV_18, ()),
    Row("cancel-7-days", "אפשר לבטל בלי עלות תוך 7 ימים", "cancellation-fee", "chat", NOV_18, ("duration 7 day",)),
    Row("cancel-fee-wrong", "דמי הביטול הם 150 ש\"ח", "cancellation-fee", "phone", NOV_18, ("money 150 ILS",)),
    Row("install-days-not-business-days", "טכנאי יגיע תוך 3 ימים", "install-time", "phone", NOV_18, ("duration 3 day",)),
    Row("install-right-en", "A technician comes within 3 business days", "install-time", "web", NOV_18, ()),
    Row("router-free-vs-fee", "התקנת הנתב ללא עלות!", "router-install-price", "chat", NOV_18, ("money 0 ILS",)),
    Row("fiber-spoken-right", "סיב 500 עולה תשעים ותשע תשעים", "fiber-500-price", "phone", NOV_18, ()),
    Row("fiber-old-price-in-december", "סיב 500 עולה 99.90 ש\"ח", "fiber-500-price", "web", DEC_03, ("money 99.90 ILS",)),
    Row("fiber-black-friday-on-chat", "Fiber 500 is ₪79.92 for Black Friday", "fiber-500-price", "chat", NOV_21, ()),
    Row("fiber-black-friday-on-phone", "סיב 500 ב-79.92 ש\"ח", "fiber-500-price", "phone", NOV_21, ("money 79.92 ILS",)),
    Row("phone-discount-within-authority", "סיב 500 ב-95 ש\"ח", "fiber-500-price", "phone", NOV_18, ()),
    Row("chat-tolerance-half-shekel", "סיב 500 עולה 100.30 ש\"ח", "fiber-500-price", "chat", NOV_18, ()),
    Row("another-products-price-is-not-ours", "ביטול בחינם תוך 14 יום. סיבים 1000 עולה 129.90 ש\"ח", "cancellation-fee", "chat", NOV_18, ()),
    Row("refund-week", "ההחזר יגיע תוך שבוע", "refund-time", "chat", NOV_18, ()),
    Row("refund-month", "ההחזר יגיע תוך חודש", "refund-time", "chat", NOV_18, ("duration 1 month",)),
    Row("no-answer-no-check", "אפשר לבטל תוך 7 ימים", None, "chat", NOV_18, ()),
    Row("answer-not-on-this-channel", "אפשר לבטל תוך 7 ימים", "cancellation-fee", "store", NOV_18, ()),
]  # fmt: skip


@pytest.mark.parametrize("row", CONTRADICTS, ids=lambda r: r.id)
def test_answer_contradicts_approved(ctx, row):
    check_rows("answer-contradicts-approved", CONTRADICTS, ctx, row)


def test_contradiction_names_the_expected_fact_and_the_answer(ctx):
    text = "אפשר לבטל בלי עלות תוך 7 ימים"
    [problem] = run(
        "answer-contradicts-approved", observation(text, answer="cancellation-fee"), ctx
    )
    assert problem.expected == FactValue("duration", 14, "day")
    assert problem.expected.to_json() == {"fact": "duration", "value": 14, "unit": "day"}
    assert problem.answer == "cancellation-fee"
    assert text[slice(*problem.evidence.span)] == "7 ימים"
    assert problem.evidence.where.file.endswith("answers.yaml")
    assert problem.evidence.where.line == 5
    assert problem.key == ("duration", "7")


def test_contradicts_kinds_option_limits_what_is_compared(ctx):
    obs = observation('דמי ביטול 150 ש"ח, תוך 7 ימים', answer="cancellation-fee")
    found = run("answer-contradicts-approved", obs, ctx, kinds=["money"])
    assert [summary(p) for p in found] == ["money 150 ILS"]


MISSING = [
    Row("cancel-complete", "ביטול חינם עד 14 יום, אחרי זה 100 שקל", "cancellation-fee", "phone", NOV_18, ()),
    Row("cancel-no-fee", "ביטול ללא עלות תוך 14 יום", "cancellation-fee", "phone", NOV_18, ("missing money 100",)),
    Row("cancel-nothing", "כן, אפשר לבטל", "cancellation-fee", "chat", NOV_18, ("missing money 100", "missing duration 14")),
    Row("cancel-wrong-days-is-not-missing", "ביטול חינם תוך 7 ימים, אחר כך ₪100", "cancellation-fee", "chat", NOV_18, ()),
    Row("install-no-time", "טכנאי יגיע בהקדם", "install-time", "web", NOV_18, ("missing duration 3",)),
    Row("fiber-december-price", "סיב 500 יעלה ₪109.90", "fiber-500-price", "web", DEC_03, ()),
    Row("empty-text", "  ", "refund-time", "chat", NOV_18, ()),
]  # fmt: skip


@pytest.mark.parametrize("row", MISSING, ids=lambda r: r.id)
def test_answer_missing_fact(ctx, row):
    check_rows("answer-missing-fact", MISSING, ctx, row)


def test_missing_kinds_option(ctx):
    obs = observation("כן, אפשר לבטל", answer="cancellation-fee")
    found = run("answer-missing-fact", obs, ctx, kinds=["duration"])
    assert [summary(p) for p in found] == ["missing duration 14"]
    assert found[0].key == ("duration", "day")


FORBIDDEN = [
    Row("clean", "נבדוק ונחזור אליך עוד היום", None, "chat", NOV_18, ()),
    Row("policy", "מצטערים, אין מה לעשות", None, "chat", NOV_18, ("policy: אין מה לעשות",)),
    Row("policy-with-prefix", "ואין מה לעשות", None, "phone", NOV_18, ("policy: ואין מה לעשות",)),
    Row("policy-extra-spaces", "זה  לא\u00a0באחריותנו.", None, "web", NOV_18, ("policy: לא\u00a0באחריותנו",)),
    Row("policy-with-bidi-mark", "\u200fזה לא\u200f באחריותנו", None, "chat", NOV_18, ("policy: לא\u200f באחריותנו",)),
    Row("not-inside-a-longer-word", "אין מה לעשותם", None, "chat", NOV_18, ()),
    Row("answer-phrase-on-its-topic", "זה מה שרכשת, סליחה", "cancellation-fee", "chat", NOV_18, ("cancellation-fee: זה מה שרכשת",)),
    Row("answer-phrase-on-another-topic", "זה מה שרכשת", "refund-time", "chat", NOV_18, ()),
    Row("both", "אין מה לעשות, זה מה שרכשת", "cancellation-fee", "chat", NOV_18,
        ("policy: אין מה לעשות", "cancellation-fee: זה מה שרכשת")),
]  # fmt: skip


@pytest.mark.parametrize("row", FORBIDDEN, ids=lambda r: r.id)
def test_forbidden_phrase(ctx, row):
    check_rows("forbidden-phrase", FORBIDDEN, ctx, row)


PRICES = [
    Row("spoken-right", "אמרתי ללקוח שסיב 500 עולה תשעים ותשע תשעים לחודש", None, "phone", NOV_18, ()),
    Row("spoken-wrong", "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש", None, "phone", NOV_18,
        ("over-authority-discount 89.90",)),
    Row("stale-price", "סיבים 200 עולה 74.90 ש\"ח", None, "phone", NOV_18, ("stale-price 74.90",)),
    Row("future-price", "סיב 500 עולה ₪109.90", None, "web", NOV_18, ("future-price 109.90",)),
    Row("promotion-wrong-channel", "סיב 500 ב-79.92 ש\"ח", None, "phone", NOV_21, ("promotion-wrong-channel 79.92",)),
    Row("promotion-right-channel", "סיב 500 ב-79.92 ש\"ח", None, "web", NOV_21, ()),
    Row("price-before-the-name", "₪149 להתקנת נתב", None, "chat", NOV_18, ()),
    Row("number-in-name-is-no-price", "סיב 500 מגה זה מהיר", None, "chat", NOV_18, ()),
    Row("price-in-another-sentence", "סיב 500 מגה. אגב, המשלוח 30 ש\"ח", None, "chat", NOV_18, ()),
    Row("price-too-far-after-name", "סיב 500 מגה הוא החבילה הפופולרית ביותר שלנו בכל הארץ ובכל הערים כולן וגם 30 ש\"ח", None, "chat", NOV_18, ()),
    Row("dollars-not-compared", "Fiber 500 is $25", None, "web", NOV_18, ()),
    Row("no-price-in-effect-yet", "גיבוי ענן ב-14.90 ש\"ח", None, "web", NOV_18, ()),
]  # fmt: skip


@pytest.mark.parametrize("row", PRICES, ids=lambda r: r.id)
def test_price_in_reply_mismatch(ctx, row):
    check_rows("price-in-reply-mismatch", PRICES, ctx, row)


def test_price_in_reply_carries_the_list_line_and_difference(ctx):
    text = "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש"
    [problem] = run("price-in-reply-mismatch", observation(text, channel="phone"), ctx)
    assert problem.product == "fiber-500"
    assert str(problem.expected.amount) == "99.90"
    assert str(problem.difference.amount) == "-10.00"
    assert text[slice(*problem.evidence.span)] == "שמונים ותשע תשעים"
    assert problem.evidence.where.file.endswith("prices.yaml")


def test_structured_quote_of_the_same_product_is_left_to_price_mismatch(ctx):
    obs = observation("סיב 500 ב-89.90", channel="phone", product="fiber-500", amount=89.90)
    assert run("price-in-reply-mismatch", obs, ctx) == []


@dataclass(frozen=True)
class Reply:
    id: str
    text: str | None
    meta: dict | None
    fires: bool


REPLIES = [
    Reply("fetched-empty", "", {"fetched": True, "question": "כמה עולה לבטל את המנוי?"}, True),
    Reply(
        "fetched-spaces",
        " \n ",
        {"fetched": True, "question": "What does it cost to cancel?"},
        True,
    ),
    Reply("fetched-none", None, {"fetched": True}, True),
    Reply("fetched-answer", "ביטול ללא עלות", {"fetched": True, "question": "q"}, False),
    Reply("file-record-empty", "", None, False),
    Reply("not-fetched", "", {"fetched": False}, False),
]


@pytest.mark.parametrize("row", REPLIES, ids=lambda r: r.id)
def test_no_reply(ctx, row):
    obs = observation(row.text, answer="cancellation-fee", meta=row.meta)
    problems = run("no-reply", obs, ctx)
    assert len(problems) == int(row.fires)
    for problem in problems:
        question = (row.meta or {}).get("question")
        assert problem.expected.question == question
        assert problem.key == ("empty", question or "")
        assert problem.answer == "cancellation-fee"


@pytest.mark.parametrize(
    ("check_id", "text"),
    [
        ("answer-contradicts-approved", "אפשר לבטל תוך 7 ימים"),
        ("answer-missing-fact", "כן, אפשר לבטל"),
        ("forbidden-phrase", "אין מה לעשות"),
        ("price-in-reply-mismatch", 'סיב 500 עולה 50 ש"ח'),
    ],
)
def test_without_answers_the_checks_yield_nothing(ctx, check_id, text):
    bare = Context(book=ctx.book, timezone=TZ, channels=ctx.channels)
    obs = observation(text, answer="cancellation-fee")
    assert run(check_id, obs, bare) == []
    assert run(check_id, obs, ctx) != []


def test_engine_routes_replies_and_counts_the_unrouted(ctx):
    rules = [Rule(id=c, check=c) for c in ("answer-contradicts-approved", "no-reply")]
    result = Result(started=NOV_18)
    engine = Engine(ctx, rules, result)
    engine.feed(
        [
            observation("אפשר לבטל בלי עלות תוך 7 ימים"),  # routed to cancellation-fee
            observation("המוקד פתוח עד 20:00"),  # unrouted
            observation("", meta={"fetched": True, "question": "q"}),  # empty: not routed
            observation("Refund within 10 days", answer="refund-time"),  # has its answer
        ]
    )
    result = engine.finish()
    assert result.unrouted == 1
    assert sorted((f.rule, f.answer) for f in result.findings) == [
        ("answer-contradicts-approved", "cancellation-fee"),
        ("answer-contradicts-approved", "refund-time"),
        ("no-reply", None),
    ]
