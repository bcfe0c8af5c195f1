"""Generate a month of quotes as real systems export them: one CSV file per channel.

Usage: python bench/gen_channels.py N OUT_FOLDER [--households H] [--planted P]

Each channel's system writes its own monthly file (web.csv, phone.csv, chat.csv),
in its own time order, so the audit meets the channels one after another, never
interleaved. Every quote is the demo list price, except the planted cases:

- P cross-channel gaps: on a random product-day, one phone quote 10% under the list;
- P household conflicts: a household quoted the list price on the web and 10% less
  by phone 1 to 20 hours later (often across midnight, sometimes on another day).

The generator knows the truth: ``truth.json`` holds the product-days with a gap
and the households with a conflict, so the bench can print recall and precision.
``--households 0`` gives every quote its own household (a million households).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from gen_common import CHANNELS, PRICES, main, write_config

TZ = ZoneInfo("Asia/Jerusalem")
START = datetime(2026, 11, 1, tzinfo=TZ)
DAYS = 29  # 1-29 November: inside one price window of every product
COLUMNS = ["id", "channel", "at", "customer", "product", "amount", "ref"]


def cut(amount: str) -> str:
    return str((Decimal(amount) * Decimal("0.9")).quantize(Decimal("0.01")))


def records(n: int, households: int, planted: int, seed: int = 8):
    """Yield (channel, record) in time order; fill ``truth`` as the planted cases are made."""
    rng = random.Random(seed)
    products = sorted(PRICES)
    step = timedelta(days=DAYS) / n
    gap_at = {rng.randrange(n) for _ in range(planted)}
    conflict_at = {i: k for k, i in enumerate(rng.sample(range(n), planted + len(gap_at)))}
    conflict_at = {i: k for i, k in conflict_at.items() if i not in gap_at and k < planted}
    truth = {"gaps": set(), "conflicts": set()}
    for i in range(n):
        at = START + step * i
        product = products[rng.randrange(len(products))]
        price = PRICES[product]
        channel = CHANNELS[rng.randrange(3)]
        customer = f"hh-{i}" if households == 0 else f"hh-{rng.randrange(households)}"
        record = _record(i, channel, at, customer, product, price)
        if i in gap_at:
            record.update(channel="phone", amount=cut(price), ref=f"gap-{i}", customer=f"gap-{i}")
            truth["gaps"].add((product, at.date().isoformat()))
        if i in conflict_at:
            k = conflict_at[i]
            household = f"planted-{k}"
            record.update(channel="web", customer=household, ref=f"conflict-{k}-web")
            later = at + timedelta(hours=rng.uniform(1, 20))
            spouse = _record(f"c{k}", "phone", later, household, product, cut(price))
            spouse["ref"] = f"conflict-{k}-phone"
            yield "phone", spouse
            truth["conflicts"].add(household)
            if later < START + timedelta(days=DAYS):  # other channels quote on that day too
                truth["gaps"].add((product, later.date().isoformat()))
        yield record["channel"], record
    yield None, truth


def _record(i, channel, at, customer, product, amount) -> dict:
    stamp = at.astimezone(TZ).replace(tzinfo=None).isoformat(timespec="seconds")
    return {
        "id": f"q{i}",
        "channel": channel,
        "at": stamp,
        "customer": customer,
        "product": product,
        "amount": amount,
        "ref": "",
    }


def write(n: int, out: Path, households: int = 200_000, planted: int = 100) -> Path:
    """Write the three channel files, truth.json and consistency.yaml; return the config."""
    out.mkdir(parents=True, exist_ok=True)
    handles = {
        ch: (out / f"{ch}-2026-11.csv").open("w", encoding="utf-8", newline="") for ch in CHANNELS
    }
    writers = {ch: csv.DictWriter(fh, COLUMNS) for ch, fh in handles.items()}
    for writer in writers.values():
        writer.writeheader()
    truth = None
    late: list[dict] = []
    for channel, record in records(n, households, planted):
        if channel is None:
            truth = record
        elif record["id"].startswith("c"):
            late.append(record)  # out of time order: appended at the end of phone's file
        else:
            writers[channel].writerow(record)
    for record in late:
        writers["phone"].writerow(record)
    for fh in handles.values():
        fh.close()
    (out / "truth.json").write_text(
        json.dumps(
            {k: sorted(map(list, v)) if k == "gaps" else sorted(v) for k, v in truth.items()}
        ),
        encoding="utf-8",
    )
    return write_config(out, [(ch, f"{ch}-2026-11.csv") for ch in ("phone", "web", "chat")])


def _options(parser) -> None:
    parser.add_argument("--households", type=int, default=200_000)
    parser.add_argument("--planted", type=int, default=100)


if __name__ == "__main__":
    main(__doc__, write, _options)
