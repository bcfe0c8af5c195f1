"""Shortcuts in extract_facts give what the long way gives.

- free phrases: ``facts.amounts.free_of_charge`` starts its scan near the first word a phrase needs;
  the long way is ``_FREE.finditer`` over the whole text;
- normalization: a text with bidi marks, geresh look-alikes or capitals takes the
  table path with an offset map, a plain one the ``str.lower`` path; the facts are
  the same values and their spans still cut ``raw`` out of the original text.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.model import Fact
from consistency.text import facts
from consistency.text.facts import amounts, extract_facts
from consistency.text.normalize import normalize

# The benchmark's reply generator: Hebrew and English replies with several facts each.
_BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_extract.py"
_SPEC = importlib.util.spec_from_file_location("bench_extract", _BENCH)
bench_extract = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bench_extract)

FREE_PIECES = st.sampled_from(
    ["ללא עלות", "וללא כל תשלום", "בחינם", "אין חיוב", "free of charge", "at no extra cost",
     "no fee", "it's free", "for free", "free to call", "toll-free", "free installation",
     "noon", "not", "know", "ללאין", "חינמי", "99 ₪", "שלום", "a", "is", " ", "  ", ",", "-"]
)  # fmt: skip
FREE_TEXTS = st.lists(FREE_PIECES, max_size=10).map(" ".join)


def plain_free(text: str) -> list[tuple]:
    return [("money", Decimal(0), *m.span("m"), "ILS") for m in amounts._FREE.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(FREE_TEXTS)
def test_free_from_first_word_is_free_everywhere(text: str) -> None:
    text = normalize(text)
    assert amounts.free_of_charge(text) == plain_free(text)


def test_free_finds_several() -> None:
    text = normalize("Setup is free, and no fee later; ההתקנה בחינם")
    assert [text[s:e] for _k, _v, s, e, _u in amounts.free_of_charge(text)] == [
        "free",
        "no fee",
        "בחינם",
    ]


NOISE = st.sampled_from(["\u200f", "\u200e", "\u2067", "\u00ad"])


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10_000), NOISE, st.booleans())
def test_marks_and_capitals_change_no_fact(seed: int, mark: str, upper: bool) -> None:
    (text,) = bench_extract.generate(1, seed)
    noisy = text.replace(" ", " " + mark).replace("״", "\u05f4").replace("'", "\u2019")
    noisy = noisy.upper() if upper else noisy
    plain, marked = extract_facts(text), extract_facts(noisy)
    assert [(f.kind, f.value, f.unit) for f in marked] == [(f.kind, f.value, f.unit) for f in plain]
    assert all(noisy[f.start : f.end] == f.raw for f in marked)
    assert len(plain) >= 3


def test_fact_builder_makes_the_frozen_dataclass() -> None:
    """``facts._fact`` sets the slots directly; the Fact it makes is the dataclass's own."""
    args = ("money", Decimal("99.90"), 3, 9, "99.90 ₪", "ILS", "was", "month")
    made = facts._fact(*args)
    assert made == Fact(*args) and repr(made) == repr(Fact(*args))
    assert hash(made) == hash(Fact(*args))
    assert facts._fact("percent", Decimal(20), 0, 3, "20%") == Fact(
        "percent", Decimal(20), 0, 3, "20%"
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.value = Decimal(1)
