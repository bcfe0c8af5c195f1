"""extract_records and main: the exact SPEC 4 ``consistency extract`` JSON Lines shape."""

from __future__ import annotations

import io
import json

from consistency.extract import extract_records, main
from consistency.model import Product
from consistency.text.mentions import ProductMatcher

FIBER = Product("fiber-500", "סיב 500 מגה", (), ("סיבים 500",))


def test_spec_example_shape() -> None:
    text = '99.90 ש"ח, 20% הנחה, ביטול תוך 14 יום'
    (record,) = extract_records([text], None)
    assert record == {
        "text": text,
        "facts": [
            {"kind": "money", "amount": 99.9, "currency": "ILS", "start": 0, "end": 9,
             "raw": '99.90 ש"ח'},
            {"kind": "percent", "value": 20, "start": 11, "end": 14, "raw": "20%"},
            {"kind": "duration", "value": 14, "unit": "day", "start": 31, "end": 37,
             "raw": "14 יום"},
        ],
    }  # fmt: skip


def test_products_only_with_matcher() -> None:
    text = "סיבים 500 ב-99 ₪"
    (without,) = extract_records([text], None)
    (with_matcher,) = extract_records([text], ProductMatcher([FIBER]))
    assert "products" not in without
    assert with_matcher["products"] == [
        {"id": "fiber-500", "start": 0, "end": 9, "raw": "סיבים 500"}
    ]


def test_numbers_are_json_numbers() -> None:
    (record,) = extract_records(["₪100 ו-0.5% ו-1.5 שנים"], None)
    values = [f.get("amount", f.get("value")) for f in record["facts"]]
    assert values == [100, 0.5, 1.5]
    assert [type(v) for v in values] == [int, float, float]


def test_main_writes_json_lines_with_hebrew() -> None:
    out = io.StringIO()
    main(["₪99", "ללא עלות", ""], ProductMatcher([FIBER]), out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 3
    assert "ללא עלות" in lines[1]  # ensure_ascii=False keeps Hebrew readable
    records = [json.loads(line) for line in lines]
    assert [len(r["facts"]) for r in records] == [1, 1, 0]
    assert records[1]["facts"][0]["amount"] == 0
    assert all(r["products"] == [] for r in records)


def test_offsets_are_in_the_original_text() -> None:
    text = "מחיר:\u200f ₪\u200e99.90"
    (record,) = extract_records([text], None)
    fact = record["facts"][0]
    assert text[fact["start"] : fact["end"]] == fact["raw"] == "₪\u200e99.90"
