"""Which amount a reply quotes (issue 11 item 2): old prices, lower bounds, billing periods.

Each row names the public report or page that showed its kind. The checks rows run the
demo company's price list and answers (fixtures/demo) through the real checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency import checks
from consistency.checks import Context
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.model import Location, Observation, Rule
from consistency.pricebook import PriceBook
from consistency.text.facts import extract_facts

ISSUE = "consistency issue 11 item 2"
PP = "scrapinghub/price-parser tests and evaluation/dataset_eval.json"


@dataclass(frozen=True)
class RoleRow:
    id: str
    text: str
    money: tuple[tuple[str, str, str | None], ...]  # (value, role, period) per money fact
    source: str


ROLES = [
    RoleRow("instead-of", "במקום 120 ₪ רק 99.90 ₪", (("120", "was", None), ("99.90", "quote", None)), ISSUE),
    RoleRow("was-now", "was ₪120, now ₪99.90", (("120", "was", None), ("99.90", "quote", None)), ISSUE),
    RoleRow("was-now-colons", "Was: $124.95 Now: $99.95", (("124.95", "was", None), ("99.95", "quote", None)), PP),
    RoleRow("price-before", "מחיר קודם 120 ₪, עכשיו 99 ₪", (("120", "was", None), ("99", "quote", None)), "Israeli sale pages"),
    RoleRow("statt", "Statt 249,00 EUR nur 199,00 EUR", (("249.00", "was", None), ("199.00", "quote", None)), PP),
    RoleRow("quote-then-instead", "99.90 ₪ במקום 119.90 ₪", (("99.90", "quote", None), ("119.90", "was", None)), "tests/test_text_facts.py price-and-percent"),
    RoleRow("was-alone-is-the-quote", "The price was ₪99.90", (("99.90", "quote", None),), "a past tense is no sale"),
    RoleRow("was-without-now", "the price was $99.90 and the setup is $20", (("99.90", "quote", None), ("20", "quote", None)), "a past tense is no sale"),
    RoleRow("haya-ve-achshav", "המחיר היה 120 ₪ ועכשיו 99 ₪", (("120", "was", None), ("99", "quote", None)), "Israeli sale pages"),
    # tryout 11: sale labels in a reply, as fixes11 made them read on web pages
    RoleRow("list-then-sale-he", "מחיר מחירון: 399 ₪ מחיר מבצע: 349 ₪", (("399", "was", None), ("349", "quote", None)), "tryout 11 (P1 in replies)"),
    RoleRow("price-then-sale-en", "Price $399 Sale $349", (("399", "was", None), ("349", "quote", None)), "tryout 11 (P1 in replies)"),
    RoleRow("list-then-our-price", "List price: $399, our price: $349", (("399", "was", None), ("349", "quote", None)), "tryout 11 (P1 in replies)"),
    RoleRow("sale-then-was", "sale $349 (was $399)", (("349", "quote", None), ("399", "was", None)), "tryout 11 (P1 in replies)"),
    RoleRow("sale-word-elsewhere", "המנוי 99 ₪ ובמבצע החודש דמי התקנה 10 ₪", (("99", "quote", None), ("10", "quote", None)), "a sale word not before an amount marks nothing"),
    RoleRow("haya-without-now", "המחיר היה 99 ₪ וההתקנה 20 ₪", (("99", "quote", None), ("20", "quote", None)), "a past tense is no sale"),
    RoleRow("from-to-down", "from ₪120 to ₪99.90", (("120", "was", None), ("99.90", "quote", None)), "a price change"),
    RoleRow("from-lower-bound", "החל מ-79 ₪", (("79", "from", None),), ISSUE),
    RoleRow("from-english", "from $742.50", (("742.50", "from", None),), PP),
    RoleRow("ab-german", "ab 9,99 €", (("9.99", "from", None),), "German shop pages"),
    RoleRow("per-month-slash-hebrew", "99.90 ₪/חודש", (("99.90", "quote", "month"),), ISSUE),
    RoleRow("per-month-word", "99 ₪ לחודש", (("99", "quote", "month"),), "SPEC 7 example replies"),
    RoleRow("per-year", "₪999 לשנה", (("999", "quote", "year"),), ISSUE),
    RoleRow("slash-month", "$30.56/Month", (("30.56", "quote", "month"),), PP),
    RoleRow("slash-mo", "Price: $15.95/mo", (("15.95", "quote", "month"),), PP),
    RoleRow("per-month-english", "$29.99 per month", (("29.99", "quote", "month"),), ISSUE),
    RoleRow("a-month", "Fiber 500 is $29.99 a month", (("29.99", "quote", "month"),), "tests/bench replies"),
    RoleRow("monthly", "49 € monthly", (("49", "quote", "month"),), "shop pages"),
]  # fmt: skip


@pytest.mark.parametrize("row", ROLES, ids=lambda r: r.id)
def test_money_roles_and_periods(row: RoleRow) -> None:
    money = [f for f in extract_facts(row.text) if f.kind == "money"]
    assert [(f.value, f.role, f.period) for f in money] == [
        (Decimal(v), role, period) for v, role, period in row.money
    ]


def test_a_billing_period_is_no_duration() -> None:
    facts = extract_facts("99.90 ₪/חודש, ביטול תוך 14 יום")
    assert [(f.kind, f.value, f.unit) for f in facts] == [
        ("money", Decimal("99.90"), "ILS"),
        ("duration", Decimal(14), "day"),
    ]


def test_other_facts_have_no_role() -> None:
    assert {(f.role, f.period) for f in extract_facts("20% הנחה ל-3 חודשים")} == {(None, None)}


# --- the checks hold the quote, not the old price -------------------------------------------

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
NOV_18 = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def ctx() -> Context:
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    answers = load_answers(DEMO / "answers.yaml", book, TZ)
    return Context(book=book, timezone=TZ, channels=("web", "phone", "chat"), answers=answers)


def found(check_id: str, text: str, ctx: Context, channel="phone", answer=None) -> list[str]:
    obs = Observation(id="o", channel=channel, at=NOV_18, source=Location("x.jsonl", 1),
                      text=text, answer=answer)  # fmt: skip
    rule = Rule(id=check_id, check=check_id, options={})
    problems = checks.get(check_id).check(obs, ctx, rule)
    return [
        f"{p.observed.amount if hasattr(p.observed, 'amount') else p.observed.value}"
        for p in problems
    ]


@dataclass(frozen=True)
class CheckRow:
    id: str
    check: str
    text: str
    found: tuple[str, ...]
    answer: str | None = None


CHECKS = [
    # list price of fiber 500 on 2026-11-18 is ₪99.90
    CheckRow("sale-old-price-ignored", "price-in-reply-mismatch", "סיב 500 במקום 120 ₪ רק 99.90 ₪", ()),
    CheckRow("sale-english", "price-in-reply-mismatch", "Fiber 500 was ₪120, now ₪99.90", ()),
    CheckRow("sale-wrong-quote-found", "price-in-reply-mismatch", "סיב 500 במקום 99.90 ₪ רק 79.90 ₪", ("79.90",)),
    CheckRow("lower-bound-is-held", "price-in-reply-mismatch", "סיב 500 החל מ-79 ₪", ("79",)),
    CheckRow("monthly-price-right", "price-in-reply-mismatch", "סיב 500 עולה 99.90 ₪/חודש", ()),
    # refund-time answers 7 days; "/חודש" is the price's period, no 1-month refund
    CheckRow("period-is-no-duration", "answer-contradicts-approved",
             "ההחזר יגיע תוך 7 ימים, על המנוי של 99.90 ₪/חודש", (), "refund-time"),
    CheckRow("real-duration-still-found", "answer-contradicts-approved",
             "ההחזר יגיע תוך חודש", ("1",), "refund-time"),
    CheckRow("old-price-is-no-claim", "answer-contradicts-approved",
             "דמי הביטול במקום 150 ₪ רק 100 ₪", (), "cancellation-fee"),
    # tryout 11 P7: a monthly price beside a one-time fee is no answer to the fee
    CheckRow("monthly-price-is-not-the-fee", "answer-contradicts-approved",
             "ביטול ללא עלות תוך 14 יום, אחר כך 100 ₪. החבילה 99.90 ₪ לחודש", (), "cancellation-fee"),
    CheckRow("yearly-price-is-not-the-fee", "answer-contradicts-approved",
             "ביטול ללא עלות תוך 14 יום, אחר כך 100 ₪; המנוי 29 ₪ /month, 300 ₪ לשנה", (), "cancellation-fee"),
    CheckRow("a-wrong-fee-still-found", "answer-contradicts-approved",
             "ביטול ללא עלות תוך 14 יום, אחר כך 80 ₪. החבילה 99.90 ₪ לחודש", ("80",), "cancellation-fee"),
]  # fmt: skip


@pytest.mark.parametrize("row", CHECKS, ids=lambda r: r.id)
def test_checks_hold_the_quote(ctx: Context, row: CheckRow) -> None:
    assert found(row.check, row.text, ctx, answer=row.answer) == list(row.found)


def test_an_old_price_does_not_state_a_required_fact(ctx: Context) -> None:
    """A reply that names the ₪100 cancellation fee only as an old price ("במקום 100 ₪")
    has not stated it: answer-missing-fact must not count it (issue 11 item 2)."""
    from consistency.checks.answer_missing_fact import _stated
    from consistency.text.facts import facts_in

    required = next(
        f
        for f in ctx.answers.expected_facts("cancellation-fee", NOV_18)
        if f.kind == "money" and f.value
    )
    was = [f for f in facts_in("במקום 100 ₪ רק 120 ₪") if f.role == "was"]
    obs = Observation(id="o", channel="phone", at=NOV_18, source=Location("x.jsonl", 1), text="")
    assert [str(f.value) for f in was] == ["100"]
    assert not _stated(required, was, [], ctx, obs)
    quoted = [f for f in facts_in("דמי ביטול 100 ₪") if f.kind == "money"]
    assert _stated(required, quoted, [], ctx, obs)
