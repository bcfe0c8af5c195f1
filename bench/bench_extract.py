"""Speed of extract_facts against price_parser over generated replies; prints figures.

    python bench/bench_extract.py [--count 100000] [--seed 7] [--rounds 2]

It also reads the corpus of real price strings (tests/data/price_strings.tsv) with
``read_price`` and prints the share read with the right amount and currency.

Each reply is ~200 characters of Hebrew or English with several facts (prices in
various spellings, percents, durations) and distractors (phone numbers, times, dates).
price_parser finds at most one price per text; extract_facts finds every fact.
Both run over the same texts; each is timed ``--rounds`` times and the best round is
printed as texts per second and microseconds per text.
"""

from __future__ import annotations

import argparse
import csv
import random
import time
from decimal import Decimal
from pathlib import Path

from price_parser import Price

from consistency.text.facts import extract_facts
from consistency.text.prices import read_price

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "price_strings.tsv"

PRICES = ["₪{a}", "{a} ₪", '{a} ש"ח', "ש״ח {a}", "{a} שקלים", "NIS {a}", "\u200f₪\u200e{a}"]
HEBREW = [
    "שלום, המחיר של סיב 500 הוא {p} לחודש, ובמבצע {q}% הנחה למשך {d} חודשים.",
    "ביטול ללא עלות תוך {d} יום. לשאלות חייגו 03-{phone} או *2000 עד השעה 18:30.",
    "התקנת נתב ב-{p}, משלוח תוך {d} ימי עסקים. ההזמנה מספר {order} נקלטה ב-21/11/2026.",
    "זה עולה תשעים ותשע תשעים לחודש, ואחרי שנה {p}. 50 גיגה גלישה ו-5G כלולים.",
]
ENGLISH = [
    "Hi! Fiber 500 is {p} a month, {q}% off for {d} months. Call 1-800-800-800 at 14:30.",
    "Cancellation is free of charge within {d} days; after that the fee is {p}. Order #{order}.",
    "Shipping takes {d} business days, installation costs ninety-nine ninety, or {p} on web.",
]


def generate(count: int, seed: int) -> list[str]:
    """``count`` replies of about 200 characters, each with several facts."""
    rng = random.Random(seed)
    replies = []
    for _ in range(count):
        templates = rng.choice((HEBREW, ENGLISH))
        parts = []
        while sum(map(len, parts)) < 180:
            amount = f"{rng.randint(19, 1299)}.{rng.choice(['90', '99', '00'])}"
            price = rng.choice(PRICES).format(a=amount) if templates is HEBREW else f"${amount}"
            parts.append(
                rng.choice(templates).format(
                    p=price,
                    q=rng.choice([5, 10, 20, 25]),
                    d=rng.randint(2, 30),
                    phone=rng.randint(1_000_000, 9_999_999),
                    order=rng.randint(10**6, 10**8),
                )  # fmt: skip
            )
        replies.append(" ".join(parts))
    return replies


def timed(label: str, texts: list[str], run, rounds: int) -> None:
    """Run ``run`` over every text ``rounds`` times; print the best round (shared machine)."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        found = sum(run(text) for text in texts)
        best = min(best, time.perf_counter() - started)
    per_text = best / len(texts) * 1e6
    per_fact = best / found * 1e6 if found else float("nan")
    print(
        f"{label:<16} {len(texts) / best:>10,.0f} texts/s   {per_text:7.2f} µs/text"
        f"   {found / len(texts):5.2f} facts/text   {per_fact:6.2f} µs/fact"
    )


# Long texts that once made the tokenizer backtrack (100,000 Latin letters took 44 s
# before the letter runs became possessive); each should take milliseconds.
HARD_TEXTS = {
    "latin letters": "a" * 100_000,
    "hebrew letters": "א" * 100_000,
    "hyphens": "-" * 100_000,
    "letters+digits": "אa1-" * 25_000,
}


def time_hard_texts() -> None:
    for label, text in HARD_TEXTS.items():
        started = time.perf_counter()
        extract_facts(text)
        print(f"{label:<16} {len(text):>10,} chars {time.perf_counter() - started:9.3f} s")


def read_corpus() -> None:
    """The share of real price strings read with the right amount and currency."""
    with CORPUS.open(encoding="utf-8") as stream:
        rows = list(csv.DictReader((ln for ln in stream if ln[0] != "#"), delimiter="\t"))
    right = 0
    for row in rows:
        got = read_price(row["text"], row["default"] or None)
        wanted = row["currency"].split("|")
        right += got is not None and got.amount == Decimal(row["amount"]) and got.currency in wanted
    currencies = len({row["currency"].split("|")[0] for row in rows})
    print(f"price strings    {right:>6} of {len(rows)} read right ({right / len(rows):.1%}), "
          f"{currencies} currencies")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--rounds", type=int, default=2, help="best of this many runs")
    args = parser.parse_args()
    texts = generate(args.count, args.seed)
    mean = sum(map(len, texts)) / len(texts)
    print(f"{len(texts):,} replies, {mean:.0f} characters on average")
    timed("extract_facts", texts, lambda t: len(extract_facts(t)), args.rounds)
    timed("price_parser", texts, lambda t: Price.fromstring(t).amount is not None, args.rounds)
    time_hard_texts()
    read_corpus()


if __name__ == "__main__":
    main()
