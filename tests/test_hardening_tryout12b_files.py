"""Issue 12, tryout 12b: file inputs whose reading depended on a YAML 1.1 rule (F5) or on
which of two same-named columns or keys a reader kept (F6).

Each row names its weakness class (CWE) and where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest

from consistency.errors import InputError
from consistency.inputs.prices import load_price_list
from consistency.model import Location
from consistency.sources.records import RecordContext, to_observation

from .helpers import TZ


@dataclass(frozen=True)
class Row:
    value: str
    verdict: str  # a fragment of the error; "" when the value is read
    cls: str
    origin: str


# --- F5: YAML 1.1 octal, hex and binary ints in a price list -------------------------------

PRICE_ROWS = [
    Row("010", "octal number, which YAML reads as 8: write 10", "CWE-1286",
        "tryout 12b F5 q.yaml: was ₪8"),
    Row("0x10", "hexadecimal number, which YAML reads as 16: write 16", "CWE-1286",
        "tryout 12b F5: was ₪16"),
    Row("0b11", "binary number, which YAML reads as 3: write 3", "CWE-1286",
        "tryout 12b F5: was ₪3"),
    Row("+0x1F", "hexadecimal number, which YAML reads as 31", "CWE-1286",
        "tryout 12b F5: was ₪31"),
    Row("0o17", "is not a number", "CWE-704", "tryout 12b F5: refused already (a string)"),
    Row("08", "is not a number", "CWE-704", "tryout 12b F5: refused already (a string)"),
    Row("010.50", "", "CWE-1286", "a float with a leading zero is decimal to YAML too"),
    Row("0", "", "CWE-20", "a free product stays allowed"),
    Row("10", "", "CWE-20", "a plain int is still read"),
]  # fmt: skip


@pytest.mark.parametrize("row", PRICE_ROWS, ids=lambda r: r.value)
def test_a_price_in_another_base_is_refused_at_its_line(tmp_path, row):
    path = tmp_path / "prices.yaml"
    path.write_text(
        f'version: "x"\ncurrency: ILS\nproducts:\n  - id: p\n    name: p\n    price: {row.value}\n',
        encoding="utf-8",
    )
    if not row.verdict:
        assert load_price_list(path, TZ).products["p"].prices[0].amount == Decimal(row.value)
        return
    with pytest.raises(InputError) as caught:
        load_price_list(path, TZ)
    [error] = caught.value.errors
    assert (error.line, error.col) == (6, 12), row.cls
    assert row.verdict in error.message, row.cls


def test_an_observation_reads_010_as_the_decimal_the_price_list_asks_for():
    """Tryout 12b F5: observations read "010" as 10; the price list now refuses 010 and
    asks for 10, so the two never read the same text as different amounts."""
    ctx = RecordContext(timezone=TZ, currency="ILS", channels=frozenset({"web"}))
    record = {"channel": "web", "at": "2026-11-20T10:00:00+02:00", "amount": "010"}
    assert to_observation(record, Location("obs.jsonl", 1), ctx).amount == Decimal(10)
