"""The engine routes replies ahead in batches: the report is the same as one at a time.

``Engine.feed`` reads ``ROUTE_AHEAD`` items at a time and routes their replies in one
batch; each observation then finds its reply routed. Whatever the batch size, and in
whatever order the items come, the findings and the unrouted count are the same.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency import engine
from consistency.checks import Context
from consistency.engine import Engine, Filters
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.model import InvalidRecord, Location, Observation, Rule
from consistency.pricebook import PriceBook
from consistency.result import Result

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
NOV_18 = datetime(2026, 11, 18, 10, 0, tzinfo=TZ)
RULES = [
    Rule(id=check, check=check)
    for check in ("answer-contradicts-approved", "forbidden-phrase", "invalid-record")
]
# Replies from fixtures/demo/exports and tests/test_routing.py: routed, unrouted, empty.
TEXTS = [
    "אפשר לבטל את המנוי ללא עלות תוך 7 ימים מההצטרפות, ואחרי זה דמי ביטול של ₪100.",
    "Your refund is paid within 7 days.",
    "המוקד שלנו פתוח בימים א-ה בין 8:00 ל-20:00.",
    "הלקוח כעס. אמרתי לו שזה לא באחריותנו.",
    "טכנאי יגיע תוך 3 ימים",
    "",
]


@pytest.fixture(scope="module")
def ctx() -> Context:
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    answers = load_answers(DEMO / "answers.yaml", book, TZ)
    return Context(book=book, timezone=TZ, channels=("web", "phone", "chat"), answers=answers)


def _items(n: int) -> list:
    """Replies (some repeated, some with their answer named), and unreadable records."""
    items = []
    for i in range(n):
        if i % 50 == 7:
            items.append(InvalidRecord(Location("exports/chat.jsonl", i + 1), "bad", "text"))
            continue
        text = TEXTS[i % len(TEXTS)]
        text += f" (פנייה {i})" if i % 3 and text else ""  # unique, or repeated
        items.append(
            Observation(
                id=f"o{i}",
                channel=("chat", "phone")[i % 2],
                at=NOV_18 + timedelta(minutes=i),
                source=Location("exports/chat.jsonl", i + 1),
                text=text,
                answer="refund-time" if i % 11 == 0 else None,
                ref=f"ref-{i}",
            )
        )
    return items


def _report(ctx: Context, items: list, filters: Filters | None = None):
    ctx.answers._router = None  # a fresh router: nothing remembered from another run
    result = Engine(ctx, RULES, Result(started=NOV_18))
    result.feed(items, filters)
    done = result.finish()
    return sorted(f.fingerprint for f in done.findings), done.unrouted, done.observations


@pytest.mark.parametrize(
    ("ahead", "filters"),
    [
        (1, None),  # one at a time: the reference
        (7, None),  # batches that do not divide the items
        (256, None),  # the default
        (256, Filters(channels=frozenset({"chat"}))),  # filtered out: never observed
    ],
)
def test_routing_ahead_gives_the_report_of_one_at_a_time(ctx, monkeypatch, ahead, filters):
    items = _items(600)
    monkeypatch.setattr(engine, "ROUTE_AHEAD", 1)
    expected = _report(ctx, items, filters)
    monkeypatch.setattr(engine, "ROUTE_AHEAD", ahead)
    assert _report(ctx, items, filters) == expected
    shuffled = items[:]
    random.Random(ahead).shuffle(shuffled)
    assert _report(ctx, shuffled, filters) == expected
    assert expected[1] > 0 and expected[0]  # some replies unrouted, some findings
