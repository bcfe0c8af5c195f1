"""Shared builders for the core-audit tests: a price list written as YAML and loaded with the
real loader, observations, rules, contexts, record files and whole config folders.

Everything here goes through the real code paths (``load_price_list``, ``load_rules``,
``load_config``); nothing is mocked.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from consistency.checks import Context
from consistency.inputs.prices import load_price_list
from consistency.model import Location, Observation, Rule, Threshold
from consistency.pricebook import PriceBook

TZ = ZoneInfo("Asia/Jerusalem")
ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
CHANNELS = ("web", "phone", "chat", "store", "b2b")
# For a child run under ``prlimit --as``: glibc reserves 64 MB of address space per malloc
# arena (one more per thread that finds the others locked, up to 8 per core), so on a
# loaded machine the arenas alone near a 1 GB limit, and an allocation that fails in a C
# extension (DuckDB, the re module) then ends the run for reasons unrelated to the row
# under test (seen: 3 runs in 4 of the demo, on a machine running Spark beside it).
LIMITED_ENV = {"MALLOC_ARENA_MAX": "2"}

# The test company: the SPEC 3.1 list plus the cases the price book must answer.
# dst-plan changes price on the two DST change days of 2026 in Israel
# (Friday 27 March: 02:00 -> 03:00; Sunday 25 October: 02:00 -> 01:00).
PRICES = """\
version: "test-1"
currency: ILS
vat:
  included: true
  rates:
    - {rate: 0.17, from: 2015-10-01}
    - {rate: 0.18, from: 2025-01-01}
tolerance: {amount: 0.01}
products:
  - id: fiber-500
    name: סיב 500 מגה
    aliases: ["fiber 500", "סיבים 500"]
    unit: month
    prices:
      - {amount: 99.90, from: 2026-01-01, to: 2026-11-30}
      - {amount: 109.90, from: 2026-12-01}
  - id: fiber-1000
    name: סיב 1000 מגה
    aliases: ["fiber 1000", "סיב גיגה"]
    unit: month
    price: 129.90
  - id: dst-plan
    name: מסלול שעון קיץ
    unit: month
    prices:
      - {amount: 50, from: 2026-01-01, to: 2026-03-27}
      - {amount: 60, from: 2026-03-28, to: 2026-10-25}
      - {amount: 70, from: 2026-10-26}
  - id: router-install
    name: התקנת נתב
    unit: one-time
    price: 149
  - id: mesh-unit
    name: מגדיל טווח
    unit: month
    price: 19.90
  - id: cloud-backup
    name: גיבוי ענן 1TB
    unit: month
    prices:
      - {amount: 14.90, from: 2026-12-01}
promotions:
  - id: black-friday
    products: [fiber-500]
    discount: {percent: 20}
    channels: [web, chat]
    from: 2026-11-20
    to: 2026-11-30
  - id: october-mesh
    products: [mesh-unit]
    price: 9.90
    from: 2026-10-01
    to: 2026-10-31
  - id: store-week
    products: "*"
    discount: {amount: 5}
    channels: [store]
    from: 2026-06-01
    to: 2026-06-07
channels:
  phone:
    max_discount: {percent: 5}
  chat:
    max_discount: {percent: 0}
    tolerance: {amount: 0.5}
  store:
    max_discount: {amount: 10}
  b2b:
    consumer: false
"""

# The same products priced without VAT (vat.included: false): 100 + 18% = 118.
NET_PRICES = """\
version: "net-1"
currency: ILS
vat:
  included: false
  rates:
    - {rate: 0.17, from: 2015-10-01}
    - {rate: 0.18, from: 2025-01-01}
products:
  - id: service
    name: שירות עסקי
    price: 100
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def load_book(tmp_path: Path, text: str = PRICES, name: str = "prices.yaml") -> PriceBook:
    """Write ``text`` as a price list and load it with the real loader."""
    path = write(tmp_path / name, text)
    return PriceBook(load_price_list(path, TZ, CHANNELS))


def context(book: PriceBook) -> Context:
    return Context(book=book, timezone=TZ, channels=CHANNELS)


def local(text: str) -> datetime:
    """An ISO date-time without offset, in Israel time."""
    return datetime.fromisoformat(text).replace(tzinfo=TZ)


def end_of(day: str) -> datetime:
    """The last microsecond of a local day."""
    return local(day + "T00:00") + timedelta(days=1) - timedelta(microseconds=1)


def quote(
    channel: str,
    when: str,
    product: str | None,
    amount: str | None,
    *,
    line: int = 1,
    file: str = "quotes.jsonl",
    **extra,
) -> Observation:
    """An observation of ``amount`` (a decimal string) for ``product`` at local time ``when``."""
    return Observation(
        id=extra.pop("id", f"{channel}-{when}-{product}-{amount}-{extra.get('customer')}"),
        channel=channel,
        at=local(when),
        source=Location(file, line),
        product=product,
        amount=None if amount is None else Decimal(amount),
        **extra,
    )


def rule(check: str, **fields) -> Rule:
    """A rule with its check's id, e.g. ``rule("cross-channel-gap", window=DAY, warn=pct(2))``."""
    return Rule(id=fields.pop("id", check), check=check, **fields)


def pct(value) -> Threshold:
    return Threshold(percent=Decimal(str(value)))


def write_jsonl(path: Path, records: list) -> Path:
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    return write(path, "".join(line + "\n" for line in lines))


def write_csv(path: Path, records: list[dict], columns: list[str] | None = None) -> Path:
    columns = columns or list(dict.fromkeys(k for r in records for k in r))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, columns)
        writer.writeheader()
        for record in records:
            writer.writerow({k: record.get(k, "") for k in columns})
    return path


def make_project(
    folder: Path,
    records: list[dict],
    *,
    prices: str = PRICES,
    rules: str | None = None,
    name: str = "quotes.jsonl",
) -> Path:
    """A config folder: prices.yaml, one JSON Lines export, optional rules; returns the config."""
    write(folder / "prices.yaml", prices)
    write_jsonl(folder / "exports" / name, records)
    lines = ["timezone: Asia/Jerusalem", "price_list: prices.yaml"]
    if rules is not None:
        write(folder / "rules.yaml", rules)
        lines.append("rules: [rules.yaml]")
    lines += ["sources:", f"  - {{channel: web, files: ['exports/{name}']}}"]
    return write(folder / "consistency.yaml", "\n".join(lines) + "\n")


@dataclass(frozen=True)
class ValueRow:
    """A row of a hostile-value table: the value as written, a fragment of the error it
    must give ("" when it is read), its weakness class (CWE) and where the case came from."""

    value: str
    verdict: str
    cls: str
    origin: str
