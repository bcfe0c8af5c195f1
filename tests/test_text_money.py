"""Quoted amount fields (SPEC 3.3 ``amount``) and the normalization they rely on."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from consistency.model import Money
from consistency.text.money import parse_amount, to_decimal
from consistency.text.normalize import fold_finals, normalize, normalize_map


@dataclass(frozen=True)
class AmountRow:
    id: str
    field: str
    amount: str | None  # None: not a single amount
    currency: str = "ILS"
    default: str = "ILS"


AMOUNTS = [
    # SPEC 7 spellings
    AmountRow("sheqel-sign-before", "₪89.90", "89.90"),
    AmountRow("sheqel-sign-after", "89.90 ₪", "89.90"),
    AmountRow("shach-gershayim-ascii", '89.90 ש"ח', "89.90"),
    AmountRow("shach-gershayim-hebrew-before", "ש״ח 89.90", "89.90"),
    AmountRow("shach-curly-quote", "89.90 ש”ח", "89.90"),
    AmountRow("shach-no-quote", "89.90 שח", "89.90"),
    AmountRow("shkalim-word", "89.9 שקלים", "89.9"),
    AmountRow("shekel-singular", "1 שקל", "1"),
    AmountRow("nis-prefix", "NIS 89.9", "89.9"),
    AmountRow("nis-lowercase-suffix", "89.9 nis", "89.9"),
    AmountRow("ils-prefix", "ILS 99.9", "99.9"),
    AmountRow("dollar", "$19.99", "19.99", "USD"),
    AmountRow("usd-suffix", "19.99 USD", "19.99", "USD"),
    AmountRow("euro-comma-decimal", "€19,99", "19.99", "EUR"),
    AmountRow("pound", "£7.50", "7.50", "GBP"),
    AmountRow("thousands-comma", "1,299.00", "1299.00"),
    AmountRow("thousands-comma-no-decimals", "₪ 1,299", "1299"),
    AmountRow("european-thousands", "1.299,00 €", "1299.00", "EUR"),
    AmountRow("agorot-geresh", "90 אג'", "0.90"),
    AmountRow("agorot-hebrew-geresh", "90 אג׳", "0.90"),
    AmountRow("agorot-word", "50 אגורות", "0.50"),
    AmountRow("plain-number", "89.9", "89.9"),
    AmountRow("plain-integer", "149", "149"),
    AmountRow("plain-number-default-usd", "89.9", "89.9", "USD", "USD"),
    # scraped and exported noise
    AmountRow("bidi-marks", "\u200f₪\u200e99.90", "99.90"),
    AmountRow("nbsp", "99.90\u00a0₪", "99.90"),
    AmountRow("narrow-nbsp-and-rlm", "\u200f99.90\u202f₪", "99.90"),
    AmountRow("surrounding-spaces", "  ₪99.90  ", "99.90"),
    AmountRow("trailing-full-stop", 'ש"ח 99.90.', "99.90"),
    AmountRow("same-currency-twice", '₪ 99.90 ש"ח', "99.90"),
    # not one amount
    AmountRow("empty", "", None),
    AmountRow("currency-only", "₪", None),
    AmountRow("words", "חינם", None),
    AmountRow("two-amounts", "89.90 או 99.90", None),
    AmountRow("two-currencies", "$5 ₪", None),
    AmountRow("clock-time", "12:30", None),
    AmountRow("phone-number", "03-1234567", None),
    AmountRow("range", "79-99 ₪", None),
    AmountRow("agorot-in-dollars", "$ 90 אג'", None),
]


@pytest.mark.parametrize("row", AMOUNTS, ids=lambda r: r.id)
def test_parse_amount(row: AmountRow) -> None:
    expected = None if row.amount is None else Money(Decimal(row.amount), row.currency)
    assert parse_amount(row.field, row.default) == expected


@dataclass(frozen=True)
class DecimalRow:
    id: str
    digits: str
    value: str


DECIMALS = [
    DecimalRow("dot-decimal", "89.90", "89.90"),
    DecimalRow("comma-decimal", "19,99", "19.99"),
    DecimalRow("comma-thousands", "1,299", "1299"),
    DecimalRow("comma-thousands-millions", "1,299,000", "1299000"),
    DecimalRow("both-dot-last", "1,299.5", "1299.5"),
    DecimalRow("both-comma-last", "1.299,5", "1299.5"),
    DecimalRow("dots-thousands", "1.299.000", "1299000"),
    DecimalRow("leading-dot", ".90", "0.90"),
]


@pytest.mark.parametrize("row", DECIMALS, ids=lambda r: r.id)
def test_to_decimal(row: DecimalRow) -> None:
    assert to_decimal(row.digits) == Decimal(row.value)


@dataclass(frozen=True)
class NormalizeRow:
    id: str
    text: str
    normalized: str


NORMALIZE = [
    NormalizeRow("bidi-marks-dropped", "\u200f₪\u200e99", "₪99"),
    NormalizeRow("isolates-dropped", "\u2067abc\u2069", "abc"),
    NormalizeRow("embedding-dropped", "\u202bא\u202c", "א"),
    NormalizeRow("zero-width-joiner-dropped", "a\u200db", "ab"),
    NormalizeRow("nbsp-to-space", "1\u00a02", "1 2"),
    NormalizeRow("thin-space-to-space", "1\u2009000", "1 000"),
    NormalizeRow("narrow-nbsp-to-space", "1\u202f2", "1 2"),
    NormalizeRow("niqqud-removed", "שָׁלוֹם", "שלום"),
    NormalizeRow("cantillation-removed", "בְּרֵאשִׁ֖ית", "בראשית"),
    NormalizeRow("maqaf-to-hyphen", "בית־ספר", "בית-ספר"),
    NormalizeRow("geresh-hebrew", "אג׳", "אג'"),
    NormalizeRow("geresh-right-quote", "אג’", "אג'"),
    NormalizeRow("geresh-backtick", "אג`", "אג'"),
    NormalizeRow("gershayim-hebrew", "ש״ח", 'ש"ח'),
    NormalizeRow("gershayim-curly", "ש“ח ש”ח", 'ש"ח ש"ח'),
    NormalizeRow("gershayim-double-prime", "ש″ח", 'ש"ח'),
    NormalizeRow("latin-casefold", "NIS Fiber", "nis fiber"),
    NormalizeRow("latin-accented-casefold", "ÉTÉ", "été"),
    NormalizeRow("hebrew-untouched", "סיב 500 מגה", "סיב 500 מגה"),
    NormalizeRow("other-scripts-untouched", "Привет 你好", "Привет 你好"),
]


@pytest.mark.parametrize("row", NORMALIZE, ids=lambda r: r.id)
def test_normalize(row: NormalizeRow) -> None:
    assert normalize(row.text) == row.normalized
    mapped = normalize_map(row.text)
    assert mapped.text == row.normalized
    # every normalized character comes from an original one at or after the previous
    starts = [mapped.span(i, i + 1)[0] for i in range(len(mapped.text))]
    assert starts == sorted(starts)
    assert all(0 <= s < len(row.text) for s in starts)


def test_span_maps_back_to_original() -> None:
    original = "מחיר:\u200f ₪\u200e99.90\u00a0לחודש"
    mapped = normalize_map(original)
    start = mapped.text.index("₪99.90")
    first, last = mapped.span(start, start + len("₪99.90"))
    assert original[first:last] == "₪\u200e99.90"


def test_span_identity_when_nothing_shifts() -> None:
    mapped = normalize_map("Price ₪99")
    assert mapped.sources is None
    assert mapped.span(6, 9) == (6, 9)


def test_fold_finals() -> None:
    assert fold_finals("ךםןףץ") == "כמנפצ"
    assert fold_finals("סיבים 500") == "סיבימ 500"


@given(
    whole=st.integers(0, 10**12 - 1),
    decimals=st.one_of(st.none(), st.text("0123456789", min_size=1, max_size=4)),
    zeros=st.integers(0, 3),
)
def test_a_bare_number_reads_the_same_by_the_fast_path(whole, decimals, zeros):
    """parse_amount reads a bare number (``89.90``) without its field pattern; the full
    pattern (currency spellings, separators) must read it the same, to the digit."""
    from consistency.text import money

    text = "0" * zeros + str(whole) + ("" if decimals is None else f".{decimals}")
    match = money._field().fullmatch(normalize(text))
    full = None if match is None else Money(to_decimal(match.group("num")), "USD")
    fast = parse_amount(text, "USD")
    assert (fast, str(fast.amount) if fast else None) == (full, str(full.amount) if full else None)
