"""Generate N quote records for the benchmark: the demo company's products, 50,000 quotes a day.

Usage: python bench/gen_quotes.py N OUT_FOLDER [--format csv|jsonl]

Writes OUT_FOLDER/quotes.<ext> (time-ordered, as exports are) and a
consistency.yaml pointing at it and at the demo price list. About 1% of the
quotes are wrong (a phone discount over authority, a stale price), and quotes
carry household ids so the grouped checks have work to do.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

from gen_common import CHANNELS, PRICES, main, write_config

WRONG = {"fiber-500": "89.91", "fiber-200": "74.90", "tv-basic": "60.00"}
START = datetime(2026, 11, 1, 0, 0)
# Quotes per day: constant, so a bigger N means more days, as a longer export would; the
# grouped checks hold about two days of keys, so memory stays flat in N. One million
# quotes end on 21 November, before the December prices.
PER_DAY = 50_000


def records(n: int, seed: int = 1):
    rng = random.Random(seed)
    products = sorted(PRICES)
    step = timedelta(days=1) / PER_DAY  # a steady stream: N/PER_DAY days of quotes
    for i in range(n):
        product = rng.choice(products)
        amount = PRICES[product]
        if rng.random() < 0.01 and product in WRONG:
            amount = WRONG[product]
        yield {
            "id": f"q{i}",
            "channel": CHANNELS[i % 3],
            "at": (START + step * i).isoformat(timespec="seconds"),
            "customer": f"hh-{rng.randrange(200_000)}",
            "product": product,
            "amount": amount,
        }


def write(n: int, out: Path, fmt: str = "csv") -> Path:
    """Write ``quotes.<fmt>`` (csv or jsonl) and consistency.yaml; return the config."""
    out.mkdir(parents=True, exist_ok=True)
    path = (out / f"quotes.{fmt}").resolve()
    with path.open("w", encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            writer = csv.DictWriter(fh, ["id", "channel", "at", "customer", "product", "amount"])
            writer.writeheader()
            writer.writerows(records(n))
        else:
            for record in records(n):
                fh.write(json.dumps(record) + "\n")
    return write_config(out, [("web", str(path))])


if __name__ == "__main__":
    main(
        __doc__,
        write,
        lambda p: p.add_argument("--format", dest="fmt", choices=("csv", "jsonl"), default="csv"),
    )
