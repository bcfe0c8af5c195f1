"""Issue 12 leftovers found by the new-user tryout (/tmp/notes/tryout12.md, F5): number
syntax that was taken silently now gets a clear verdict, the same in every reader.

Each row names its weakness class (CWE) and where it came from.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import jinja2
import pytest

from consistency.errors import InputError
from consistency.inputs.prices import load_price_list
from consistency.model import Location
from consistency.sandbox import SandboxedEnvironment
from consistency.sources.records import RecordContext, to_observation
from consistency.text.facts import extract_facts

from .helpers import TZ


@dataclass(frozen=True)
class Row:
    value: str
    verdict: str  # a fragment of the error; "" when the value is read
    cls: str
    origin: str


# --- the price list (YAML): a negative zero has a line, not a silent ₪0.00 ------------------

PRICE_ROWS = [
    Row("-0", "negative zero", "CWE-1286 improper validation of syntax", "tryout 12 F5 neg0.yaml"),
    Row("-0.0", "negative amount", "CWE-1286 improper validation of syntax", "a float -0"),
    Row("-00", "negative zero", "CWE-1286 improper validation of syntax", "leading zeros"),
    Row("-0x0", "negative zero", "CWE-1286 improper validation of syntax", "YAML 1.1 hex"),
    Row("1_000", "underscored number", "CWE-1286 improper validation of syntax", "tryout 12 F5"),
    Row("-1", "negative amount", "CWE-20 improper input validation", "a plain negative"),
    Row("0", "", "CWE-20 improper input validation", "a free product stays allowed"),
]


@pytest.mark.parametrize("row", PRICE_ROWS, ids=lambda r: r.value)
def test_a_price_list_amount_gets_a_verdict_at_its_line(tmp_path, row):
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


# --- observation amounts: "1_000" is refused as "₪1_000" is ---------------------------------

CTX = RecordContext(timezone=TZ, currency="ILS", channels=frozenset({"web"}))

AMOUNT_ROWS = [
    Row("1_000", "cannot read '1_000'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5 num19.jsonl: was read as 1000"),
    Row("1_0_0", "cannot read '1_0_0'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5: was read as 100"),
    Row("₪1_000", "cannot read '₪1_000'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5: refused already"),
    Row("9_9.9_0 ₪", "cannot read", "CWE-1286 improper validation of syntax", "tryout 12 F5"),
    Row("-0", "a negative sign", "CWE-20 improper input validation", "issue 12: -0"),
    Row("1000", "", "CWE-20 improper input validation", "a plain amount is still read"),
    Row("₪1,000", "", "CWE-20 improper input validation", "grouped thousands are still read"),
]  # fmt: skip


@pytest.mark.parametrize("row", AMOUNT_ROWS, ids=lambda r: r.value)
def test_an_observation_amount_with_number_syntax_is_refused(row):
    record = {"channel": "web", "at": "2026-11-20T10:00:00+02:00", "amount": row.value}
    result = to_observation(record, Location("obs.jsonl", 1), CTX)
    if not row.verdict:
        assert result.amount == Decimal(1000)
        return
    assert result.field == "amount", row.cls
    assert row.verdict in result.reason, row.cls


# --- free text: "1_000 ש"ח" is no amount (it was read as 0) ----------------------------------

EXTRACT_ROWS = [
    Row('המחיר 1_000 ש"ח', "", "CWE-1286 improper validation of syntax",
        'tryout 12 F5: extract gave 0 (raw 000 ש"ח)'),
    Row("price 1_000 ₪", "", "CWE-1286 improper validation of syntax", "the same in English"),
    Row("₪1_000", "", "CWE-1286 improper validation of syntax", "a sign before"),
]  # fmt: skip


@pytest.mark.parametrize("row", EXTRACT_ROWS, ids=lambda r: r.value)
def test_a_number_with_underscores_in_text_is_not_money(row):
    assert [f for f in extract_facts(row.value) if f.kind == "money"] == [], row.cls


def test_grouped_thousands_in_text_are_still_money():
    [fact] = [f for f in extract_facts('המחיר 1,000 ש"ח') if f.kind == "money"]
    assert fact.value == 1000


# --- templates: no inf or nan ----------------------------------------------------------------

FLOAT_ROWS = [
    Row("{{ 1e308 * 10 }}", "not a finite number", "CWE-190 numeric overflow", "tryout 12 t9"),
    Row("{{ 1e999999999 }}", "not a finite number", "CWE-190 numeric overflow", "tryout 12 t46"),
    Row("{{ -1e308 * 10 }}", "not a finite number", "CWE-190 numeric overflow", "-inf"),
    Row("{{ 'nan'|float }}", "not a finite number", "CWE-1286 improper validation of syntax",
        "a filter making nan"),
    Row("{{ 'inf'|float }}", "not a finite number", "CWE-1286 improper validation of syntax",
        "a filter making inf"),
    Row("{{ 1e308 + 1e308 }}", "not a finite number", "CWE-190 numeric overflow", "a sum"),
]  # fmt: skip


@pytest.mark.parametrize("row", FLOAT_ROWS, ids=lambda r: r.value)
def test_a_template_never_renders_inf_or_nan(row):
    with pytest.raises(jinja2.TemplateError, match=row.verdict):
        SandboxedEnvironment().from_string(row.value).render()


def test_finite_floats_still_render():
    assert SandboxedEnvironment().from_string("{{ 2.5 * 2 }} {{ 1e300 }}").render() == (
        "5.0 1e+300"
    )
