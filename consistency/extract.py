"""The ``consistency extract`` command's work: facts and product mentions per text (SPEC 4).

Each text becomes one JSON object; numbers are JSON numbers (int when integral).

>>> import io
>>> out = io.StringIO()
>>> main(['99.90 ש"ח'], None, out)
>>> out.getvalue()
'{"text": "99.90 ש\\\\"ח", "facts": [{"kind": "money", "amount": 99.9, "currency": "ILS", "start": 0, "end": 9, "raw": "99.90 ש\\\\"ח"}]}\\n'
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TextIO

from consistency.model import Fact
from consistency.text.facts import extract_facts
from consistency.text.mentions import ProductMatcher


def json_number(value: Decimal) -> int | float:
    """A Decimal as a JSON number: int when integral, else float.

    >>> json_number(Decimal("14")), json_number(Decimal("99.90"))
    (14, 99.9)
    """
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def fact_record(fact: Fact) -> dict:
    """One fact in the SPEC 4 shape: money has amount and currency, others value (and unit).

    Money that is not the quote says so (``role``: ``was``, ``from``), and a billing
    period is given (``period``):

    >>> [fact_record(f).get("role") for f in extract_facts("במקום 120 ₪ רק 99.90 ₪/חודש")]
    ['was', None]
    >>> fact_record(extract_facts("99.90 ₪ לחודש")[0])["period"]
    'month'
    """
    record: dict = {"kind": fact.kind}
    if fact.kind == "money":
        record["amount"] = json_number(fact.value)
        record["currency"] = fact.unit
        if fact.role not in (None, "quote"):
            record["role"] = fact.role  # was (an old price) or from (a lower bound)
        if fact.period:
            record["period"] = fact.period  # the billing period: month, year, week, day
    else:
        record["value"] = json_number(fact.value)
        if fact.unit is not None:
            record["unit"] = fact.unit
    record.update(start=fact.start, end=fact.end, raw=fact.raw)
    return record


def extract_records(texts: Iterable[str], matcher: ProductMatcher | None) -> Iterator[dict]:
    """One record per text: its facts and, with a matcher, the products it names."""
    for text in texts:
        record: dict = {"text": text, "facts": [fact_record(f) for f in extract_facts(text)]}
        if matcher is not None:
            record["products"] = [
                {"id": m.id, "start": m.start, "end": m.end, "raw": m.raw}
                for m in matcher.find(text)
            ]
        yield record


def main(texts: Iterable[str], matcher: ProductMatcher | None, out_stream: TextIO) -> None:
    """Write the records of ``texts`` as JSON Lines (Hebrew kept readable)."""
    for record in extract_records(texts, matcher):
        out_stream.write(json.dumps(record, ensure_ascii=False) + "\n")
