"""Generate N quote records for the benchmark: the demo company's products, 50,000 quotes a day.

Usage: python bench/gen_quotes.py N OUT_FOLDER [--format csv|jsonl]

Writes OUT_FOLDER/quotes.<ext> (time-ordered, as exports are) and a
consistency.yaml pointing at it and at the demo price list. About 1% of the
quotes are wrong (a phone discount over authority, a stale price), and quotes
carry household ids so the grouped checks have work to do.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
from datetime import datetime, timedelta
from pathlib import Path

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
PRICES = {
    "fiber-500": "99.90",
    "fiber-1000": "129.90",
    "fiber-200": "79.90",
    "router-install": "149.00",
    "mesh-unit": "19.90",
    "tv-basic": "59.90",
    "mobile-unlimited": "39.90",
    "static-ip": "25.00",
    "tech-visit": "189.00",
}
WRONG = {"fiber-500": "89.91", "fiber-200": "74.90", "tv-basic": "60.00"}
CHANNELS = ("web", "phone", "chat")
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


def write(n: int, out: Path, fmt: str) -> Path:
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
    config = out / "consistency.yaml"
    config.write_text(
        f"timezone: Asia/Jerusalem\nprice_list: {DEMO / 'prices.yaml'}\n"
        f"sources:\n  - channel: web\n    files: [{path}]\n",
        encoding="utf-8",
    )
    return config


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--format", choices=("csv", "jsonl"), default="csv")
    args = parser.parse_args()
    print(write(args.n, args.out, args.format))


if __name__ == "__main__":
    main()
