"""YAML 1.1 numbers that silently change a value are refused (issue 12 tryout, F5; CWE-20):
``price: 1:30`` was read as ₪90.00 (base 60) and ``1_000`` as ₪1,000."""

from __future__ import annotations

import pytest

from consistency.errors import InputError
from consistency.inputs.yamlio import Text, load_yaml


@pytest.mark.parametrize("written", ["1:30", "1_000", "99_90.5", "1:30.5"])
def test_a_base_60_or_underscored_number_is_an_error_at_its_line(written):
    with pytest.raises((InputError, ValueError)) as caught:
        load_yaml(Text(f"products:\n  - {{id: a, price: {written}}}\n", "prices.yaml"))
    assert "base-60 or underscored" in str(caught.value)
    assert "prices.yaml:2:" in str(caught.value)


@pytest.mark.parametrize(
    "written, value", [("'1:30'", "1:30"), ("99.90", "99.90"), ("1000", "1000")]
)
def test_plain_and_quoted_numbers_read_as_written(written, value):
    data, _marks = load_yaml(Text(f"price: {written}\n", "prices.yaml"))
    assert str(data["price"]) == value
