"""Typed expected/observed values: each shape's JSON form, and the way back from a result file.

The JSON forms are the objects the JSON report carried before the types existed (SPEC 6),
so a result file of an older version reads back into the same types.
"""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from consistency.model import Finding
from consistency.report.safe import safe_finding
from consistency.result import finding_from_dict, finding_to_dict
from consistency.values import (
    Difference,
    FactValue,
    ForbiddenValue,
    MoneyValue,
    OffersValue,
    PhraseValue,
    ProductValue,
    PromotionValue,
    QuoteRow,
    ReplyValue,
    as_difference,
    value_from_json,
)

D = Decimal
AT = datetime(2026, 11, 21, 18, 40, tzinfo=UTC)
ROW = QuoteRow("web", 2, D("99.90"), AT, "w-1", D("129.90"), AT, "w-2")

SHAPES = [  # (value, its JSON form, the check that makes it)
    (MoneyValue(D("99.90"), "ILS"), {"amount": 99.9, "currency": "ILS"}, "price-mismatch"),
    (
        MoneyValue(D("99.90"), "ILS", promotion="black-friday"),
        {"amount": 99.9, "currency": "ILS", "promotion": "black-friday"},
        "price-mismatch against a promotion's price",
    ),
    (
        MoneyValue(D("89.91"), "ILS", channel="phone", ref="call-1", customer="hh-1001"),
        {"amount": 89.91, "currency": "ILS", "channel": "phone", "ref": "call-1",
         "customer": "hh-1001"},
        "customer-quote-conflict observed",
    ),
    (
        MoneyValue(D("129.90"), "ILS", channel="web", ref="w-2", quotes=(ROW,)),
        {"amount": 129.9, "currency": "ILS", "channel": "web", "ref": "w-2", "quotes": [
            {"channel": "web", "count": 2, "low": 99.9, "low_at": AT.isoformat(),
             "low_ref": "w-1", "high": 129.9, "high_at": AT.isoformat(), "high_ref": "w-2"}]},
        "cross-channel-gap observed",
    ),
    (
        MoneyValue(D("110.08"), "ILS", vat_included=False),
        {"amount": 110.08, "currency": "ILS", "vat_included": False},
        "vat-excluded-price",
    ),
    (
        MoneyValue(D("99"), "ILS", source="structured"),
        {"amount": 99, "currency": "ILS", "source": "structured"},
        "structured-data-mismatch",
    ),
    (
        MoneyValue(D("199.90"), "ILS", name="fiber-2000"),
        {"amount": 199.9, "currency": "ILS", "name": "fiber-2000"},
        "unknown-product",
    ),
    (
        MoneyValue(D("129.9"), "ILS", channel="web", list_price=D("99.9")),
        {"amount": 129.9, "currency": "ILS", "channel": "web", "list_price": 99.9},
        "older result files: a quote with its list price",
    ),
    (
        PromotionValue("summer", D("79.90"), "ILS"),
        {"promotion": "summer", "amount": 79.9, "currency": "ILS"},
        "promotion-misuse with an amount",
    ),
    (PromotionValue("summer"), {"promotion": "summer"}, "promotion-misuse without one"),
    (
        FactValue("duration", D(14), "day"),
        {"fact": "duration", "value": 14, "unit": "day"},
        "answer-contradicts-approved",
    ),
    (
        FactValue("boolean", True, None),
        {"fact": "boolean", "value": True, "unit": None},
        "answer-missing-fact: a yes/no fact has no unit",
    ),
    (
        ForbiddenValue("אין מה לעשות", "policy"),
        {"forbidden": "אין מה לעשות", "scope": "policy"},
        "forbidden-phrase expected",
    ),
    (PhraseValue("אין מה לעשות"), {"phrase": "אין מה לעשות"}, "forbidden-phrase observed"),
    (
        ReplyValue("text", None, asked=True),
        {"reply": "text", "question": None},
        "no-reply expected: the question key is written even when unknown",
    ),
    (ReplyValue(""), {"reply": ""}, "no-reply observed"),
    (ProductValue("fiber-500"), {"product": "fiber-500"}, "ambiguous-page expected"),
    (
        OffersValue(({"name": "Fiber 500", "price": D("99.9")},)),
        {"offers": [{"name": "Fiber 500", "price": 99.9}]},
        "ambiguous-page observed",
    ),
]  # fmt: skip


@pytest.mark.parametrize("value, form", [s[:2] for s in SHAPES], ids=[s[2] for s in SHAPES])
def test_json_form(value, form):
    assert value.to_json() == form
    assert list(value.to_json()) == list(form)  # key order: the report's bytes stay the same


@pytest.mark.parametrize("value, form", [s[:2] for s in SHAPES], ids=[s[2] for s in SHAPES])
def test_back_from_json(value, form):
    back = value_from_json(form)
    assert type(back) is type(value)
    assert back.to_json() == form


def test_a_finding_round_trips_through_its_dict():
    finding = Finding(
        "fp", "cross-channel-gap", "error", "m", expected=MoneyValue(D("99.9"), "ILS"),
        observed=SHAPES[3][0], difference=Difference(D("30"), D("30.0")),
    )  # fmt: skip
    back = finding_from_dict(finding_to_dict(finding))
    assert back.observed.quotes[0].high == D("129.9")
    assert back.expected == MoneyValue(D("99.9"), "ILS")
    assert finding_to_dict(back) == finding_to_dict(finding)


UNKNOWN = [  # (an expected/observed of no known shape, source)
    ({"surprise": 1.5}, "a later version's shape: kept, numbers exact"),
    ({"amount": 5, "currency": "ILS", "colour": "red"}, "money with a key we do not know"),
    ({"amount": 5, "quotes": [{"channel": "web", "amount": 5}]}, "quotes of another shape"),
]


@pytest.mark.parametrize("form", [u[0] for u in UNKNOWN], ids=[u[1] for u in UNKNOWN])
def test_an_unknown_shape_stays_a_dict(form):
    back = value_from_json(form)
    assert type(back) is dict and back.keys() == form.keys()


def test_values_are_read_by_attribute_and_give_their_python_form_on_request():
    """Issue 9: the dict bridge (``value["amount"]``) is gone; ``as_dict`` is explicit."""
    value = MoneyValue(D("99.90"), "ILS", channel="web")
    assert value.amount == D("99.90") and value.ref is None
    assert value.as_dict() == {"amount": D("99.90"), "currency": "ILS", "channel": "web"}
    with pytest.raises(TypeError):
        value["amount"]  # noqa: B018


DIFFERENCES = [  # (difference, its JSON form, source)
    (Difference(D("-9.99"), D("-10.0")), {"amount": -9.99, "percent": -10}, "SPEC 6 example"),
    (Difference(D("5"), None), {"amount": 5, "percent": None},
     "price-in-reply-mismatch against a free (0) price: no percent"),
    (Difference(D("30.00"), D("30.0")), {"amount": 30, "percent": 30}, "cross-channel-gap"),
]  # fmt: skip


@pytest.mark.parametrize(
    "diff, form", [d[:2] for d in DIFFERENCES], ids=[d[2] for d in DIFFERENCES]
)
def test_a_difference_writes_both_keys_and_reads_back(diff, form):
    assert diff.to_json() == form and list(diff.to_json()) == ["amount", "percent"]
    assert as_difference(form) == diff


def test_an_old_result_files_difference_reads_back_typed():
    row = finding_to_dict(Finding("fp", "price-mismatch", "error", "m"))
    row["difference"] = {"amount": -9.99, "percent": -10.0}
    back = finding_from_dict(row)
    assert back.difference == Difference(D("-9.99"), D("-10.0"))
    assert finding_to_dict(back)["difference"] == {"amount": -9.99, "percent": -10}


def test_neutralizing_keeps_the_type():
    finding = Finding("fp", "forbidden-phrase", "error", "m", observed=PhraseValue("a\x1b[2Jb"))
    safe = safe_finding(finding)
    assert type(safe.observed) is PhraseValue and "\x1b" not in safe.observed.phrase


@pytest.mark.parametrize("value", [s[0] for s in SHAPES], ids=[s[2] for s in SHAPES])
@pytest.mark.parametrize("lang", [None, "he"])
def test_reports_say_a_typed_value_as_they_said_its_dict(value, lang):
    from consistency.report.base import text, value_parts
    from consistency.report.i18n import Formatter

    fmt = Formatter(lang) if lang else None
    typed = text(value_parts(value, "ILS", fmt=fmt))
    assert typed == text(value_parts(dict(value.as_dict()), "ILS", fmt=fmt))
    assert typed
