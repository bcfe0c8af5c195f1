"""Route N replies to the demo's approved answers and run each answer check; print replies/s.

Usage: python bench/bench_answers.py [N]   (default 20000)

First, routing N unique replies, side by side: the vectorized router (character n-gram
TF-IDF; ``Router.route_many`` over the whole batch, and ``Router.route`` one reply at a
time) and the former scorer (rapidfuzz's token_set_ratio and partial_ratio blend, kept
in tests/test_routing_accuracy.py as the reference), with how often the two route a
reply alike; and ``Engine.feed`` with no rules, which routes the replies of every
``ROUTE_AHEAD`` items in one batch, as an audit does. Rates are replies per second of
this process's CPU time (per core, whatever else the machine runs) and of the wall
clock. The router calls no BLAS or OpenMP code (numpy sorts, gathers and bincounts
only), so it runs on one thread by construction.

Then routing and each answer check, timed separately, one core, in process: first on
unique replies (nothing served from the per-text caches), then on five texts repeated,
as a scripted bot repeats itself. Each check starts with an empty fact cache.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from consistency.checks import Context, get
from consistency.engine import ROUTE_AHEAD, Engine
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.model import Location, Observation, Rule
from consistency.pricebook import PriceBook
from consistency.result import Result
from consistency.routing import Router
from consistency.text.facts import facts_in

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
CHECKS = (
    "answer-contradicts-approved",
    "answer-missing-fact",
    "forbidden-phrase",
    "price-in-reply-mismatch",
)
TEXTS = (
    "אפשר לבטל את המנוי ללא עלות תוך 7 ימים מההצטרפות, ואחרי זה דמי ביטול של ₪100.",
    "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש",
    "Your refund is paid within 7 days.",
    "המוקד שלנו פתוח בימים א-ה בין 8:00 ל-20:00.",
    "הלקוח כעס. אמרתי לו שזה לא באחריותנו.",
)


def context() -> Context:
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    answers = load_answers(DEMO / "answers.yaml", book, TZ)
    return Context(book=book, timezone=TZ, channels=("web", "phone", "chat"), answers=answers)


def replies(n: int, *, unique: bool) -> list[Observation]:
    """N replies; ``unique`` makes each text different (a ticket number, which is no fact),
    so nothing is served from the per-text caches."""
    start = datetime(2026, 11, 15, tzinfo=TZ)
    return [
        Observation(
            f"o{i}",
            "chat",
            start + timedelta(minutes=i),
            Location("bench"),
            text=TEXTS[i % 5] + (f" (פנייה מס' {i})" if unique else ""),
        )
        for i in range(n)
    ]


def measure(ctx: Context, n: int, *, unique: bool) -> None:
    print(f"{n:,} {'unique' if unique else 'repeated (5 texts)'} replies")
    router = ctx.answers.router()
    observations = replies(n, unique=unique)
    started = time.perf_counter()
    routed = [answer for answer, _ in router.route_many([o.text for o in observations])]
    print(f"  {'routing (route_many)':<30} {n / (time.perf_counter() - started):>12,.0f} replies/s")
    observations = [replace(o, answer=a) for o, a in zip(observations, routed, strict=True)]
    for check_id in CHECKS:
        facts_in.cache_clear()
        rule, check = Rule(check_id, check_id), get(check_id).check
        started = time.perf_counter()
        found = sum(len(list(check(o, ctx, rule))) for o in observations)
        rate = n / (time.perf_counter() - started)
        print(f"  {check_id:<30} {rate:>12,.0f} replies/s  ({found} findings)")


def compare_routers(ctx: Context, n: int) -> None:
    """Unique replies per CPU second (and per wall second): the vectorized router, batched
    and one at a time, and the former scorer; and the share of replies both route alike.
    Each router is built (fitted) before its clock starts."""
    sys.path.insert(0, str(ROOT / "tests"))
    from test_routing_accuracy import FuzzyRouter  # the former scorer, the reference

    texts = [o.text for o in replies(n, unique=True)]
    old_n = min(n, 5_000)  # the former scorer is slow: a sample is enough for its rate
    batched, single, former = Router(ctx.answers), Router(ctx.answers), FuzzyRouter(ctx.answers)
    rows = [
        ("vectorized, route_many(batch)", lambda: batched.route_many(texts), n),
        ("vectorized, route(one reply)", lambda: [single.route(t) for t in texts], n),
        ("former rapidfuzz blend", lambda: former.route_many(texts[:old_n]), old_n),
    ]
    print(f"routing {n:,} unique replies, one core{'':<8}per CPU second   per wall second")
    results = []
    for label, run, count in rows:
        cpu, wall = time.process_time(), time.perf_counter()
        results.append(run())
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"  {label:<30} {count / cpu:>12,.0f} /s {count / wall:>14,.0f} /s")
    alike = sum(a[0] == b[0] for a, b in zip(results[0][:old_n], results[2], strict=True))
    print(f"  routed alike by both: {alike:,} of {old_n:,} ({alike / old_n:.1%})")
    ctx.answers._router = None  # the engine's router starts with nothing remembered
    feeding = Engine(ctx, [], Result(started=datetime.now(TZ)))
    observations = replies(n, unique=True)
    cpu, wall = time.process_time(), time.perf_counter()
    feeding.feed(observations)
    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    label = f"Engine.feed, no rules (ahead {ROUTE_AHEAD})"
    print(f"  {label:<30} {n / cpu:>12,.0f} /s {n / wall:>14,.0f} /s")


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    ctx = context()
    compare_routers(ctx, n)
    measure(ctx, n, unique=True)
    measure(ctx, n, unique=False)


if __name__ == "__main__":
    main()
