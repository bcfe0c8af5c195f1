"""yamlio: marks, duplicate keys, syntax errors, exact Decimals, schema errors at their line:col."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.errors import InputError
from consistency.inputs.schema import validate
from consistency.inputs.yamlio import load_yaml, loads

PRICES = """\
version: "2026-11"
currency: ILS
vat:
  included: true
  rate: 0.18
products:
  - id: fiber-500
    name: סיב 500 מגה
    unit: month
    prices:
      - {amount: 99.90, from: 2026-01-01, to: 2026-11-30}
      - {amount: abc, from: 2026-12-01}
"""


def write(tmp_path: Path, text: str, name: str = "prices.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def only_error(excinfo) -> object:
    assert len(excinfo.value.errors) == 1
    return excinfo.value.errors[0]


def test_marks_point_at_values_keys_and_items(tmp_path):
    data, marks = load_yaml(write(tmp_path, PRICES))
    assert marks[("products", 0, "prices", 1, "amount")] == (12, 18)
    assert marks[("products", 0, "prices", 0, "to")] == (11, 47)
    assert marks[("products", 0)] == (7, 5)
    assert marks.keys_at[("products", 0, "name")] == (8, 5)
    assert data["products"][0]["name"] == "סיב 500 מגה"


def test_floats_are_exact_decimals():
    data, _ = loads("a: 99.90\nb: 0.1\nc: 1.5e+3\nc2: 1e3\nd: 149\ne: -0.0\n", "x.yaml")
    assert data == {
        "a": Decimal("99.90"),
        "b": Decimal("0.1"),
        "c": Decimal("1.5E+3"),
        "c2": "1e3",  # YAML 1.1: a float needs a dot and a signed exponent
        "d": 149,
        "e": Decimal("-0.0"),
    }
    assert str(data["a"]) == "99.90"
    assert not any(isinstance(v, float) for v in data.values())
    assert data["c"] == 1500


def test_dates_stay_dates_and_timestamps_keep_offsets():
    data, _ = loads("a: 2026-01-01\nb: 2026-01-01T10:00:00+02:00\n", "x.yaml")
    assert data["a"] == date(2026, 1, 1)
    assert isinstance(data["b"], datetime)
    assert data["b"].utcoffset().total_seconds() == 7200


def test_duplicate_key_is_an_error_at_the_second_key(tmp_path):
    text = "products:\n  - id: a\n    price: 1\n    id: b\n"
    with pytest.raises(InputError) as excinfo:
        load_yaml(write(tmp_path, text))
    error = only_error(excinfo)
    assert (error.line, error.col) == (4, 5)
    assert "duplicate key 'id'" in error.message and "line 2" in error.message


def test_merge_keys_are_not_duplicates():
    data, _ = loads("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  x: 3\n", "x.yaml")
    assert data["other"] == {"x": 3, "y": 2}


def test_syntax_error_names_its_line(tmp_path):
    with pytest.raises(InputError) as excinfo:
        load_yaml(write(tmp_path, "products:\n  - id: a\n   price: [1, 2\n"))
    error = only_error(excinfo)
    assert error.file.endswith("prices.yaml")
    assert error.line == 3
    assert error.message.startswith("YAML syntax error")


def test_impossible_date_is_a_load_error_not_a_crash():
    with pytest.raises(InputError) as excinfo:
        loads("products:\n  - from: 2026-02-30\n", "x.yaml")
    error = only_error(excinfo)
    assert (error.line, error.col) == (2, 11)
    assert "2026-02-30" in error.message


def test_missing_file_is_a_load_error(tmp_path):
    with pytest.raises(InputError) as excinfo:
        load_yaml(tmp_path / "nope.yaml")
    error = only_error(excinfo)
    assert error.file.endswith("nope.yaml")
    assert "cannot read" in error.message


def test_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"a: 1\nb: caf\xe9\n")
    with pytest.raises(InputError) as excinfo:
        load_yaml(path)
    error = only_error(excinfo)
    assert error.line == 2
    assert "UTF-8" in error.message


def test_recursive_alias_does_not_hang():
    data, marks = loads("a: &x [1, *x]\n", "x.yaml")
    assert data["a"][1] is data["a"]
    assert marks[("a", 0)] == (1, 8)


@dataclass(frozen=True)
class SchemaCase:
    id: str
    text: str
    line: int
    col: int
    path: str
    message: str


SCHEMA_CASES = [
    SchemaCase(
        "bad-amount",
        PRICES,
        12,
        18,
        "products[0].prices[1].amount",
        "'abc' is not a number",
    ),
    SchemaCase(
        "misspelt-key-points-at-the-key",
        "products:\n  - id: a\n    price: 1\n    unti: month\n",
        4,
        5,
        "products[0]",
        "unknown key 'unti'; did you mean 'unit'?",
    ),
    SchemaCase(
        "bad-product-id",
        "products:\n  - {id: Fiber 500, price: 1}\n",
        2,
        10,
        "products[0].id",
        "'Fiber 500' is not valid: an id of lower-case letters",
    ),
    SchemaCase(
        "price-and-prices",
        "products:\n  - id: a\n    price: 1\n    prices: [{amount: 2}]\n",
        2,
        5,
        "products[0]",
        "a product needs `price:` (one price) or `prices:`",
    ),
    SchemaCase(
        "bad-date-string",
        "products:\n  - id: a\n    prices: [{amount: 1, from: 'next week'}]\n",
        3,
        32,
        "products[0].prices[0].from",
        "'next week' is not a date or date-time",
    ),
    SchemaCase(
        "missing-products",
        "version: x\n",
        1,
        1,
        "",
        "missing required key 'products'",
    ),
    SchemaCase(
        "discount-with-two-kinds",
        "products: []\npromotions:\n"
        "  - {id: p, products: '*', discount: {percent: 5, amount: 1}}\n",
        3,
        38,
        "promotions[0].discount",
        "a discount is one of {percent: 20} or {amount: 10}",
    ),
    SchemaCase(
        "yaml-boolean-as-id",
        "products:\n  - {id: no, price: 1}\n",
        2,
        10,
        "products[0].id",
        "false is not text (YAML reads yes/no/on/off",
    ),
    SchemaCase(
        "nan-is-not-a-number",
        "products:\n  - {id: a, price: .nan}\n",
        2,
        20,
        "products[0].price",
        "NaN is not a number",
    ),
]


@pytest.mark.parametrize("case", SCHEMA_CASES, ids=lambda c: c.id)
def test_schema_error_position_and_wording(case: SchemaCase):
    data, marks = loads(case.text, "prices.yaml")
    errors = validate(data, marks, "prices", "prices.yaml")
    assert len(errors) == 1, errors
    error = errors[0]
    assert (error.file, error.line, error.col, error.path) == (
        "prices.yaml",
        case.line,
        case.col,
        case.path,
    )
    assert case.message in error.message


def test_every_schema_error_is_reported_in_file_order():
    text = "products:\n  - {id: A, price: x}\n  - {id: b, price: 1, colour: red}\n"
    data, marks = loads(text, "p.yaml")
    errors = validate(data, marks, "prices", "p.yaml")
    assert [(e.line, e.path) for e in errors] == [
        (2, "products[0].id"),
        (2, "products[0].price"),
        (3, "products[1]"),
    ]
    assert str(errors[1]) == "p.yaml:2:20: products[0].price: 'x' is not a number"


def test_schemas_accept_the_spec_examples():
    spec_prices = """\
version: "2026-11"
currency: ILS
vat:
  included: true
  rates:
    - {rate: 0.17, from: 2015-10-01}
    - {rate: 0.18, from: 2025-01-01}
tolerance: {amount: 0.01}
products:
  - id: router-install
    price: 149
promotions:
  - {id: bf, products: "*", price: 79.90, from: 2026-11-20T10:00, to: "2026-11-30 23:00+02:00"}
channels:
  chat: {max_discount: {percent: 0}, tolerance: {amount: 0.5}, consumer: false}
  store:
"""
    data, marks = loads(spec_prices, "p.yaml")
    assert validate(data, marks, "prices", "p.yaml") == []


# --- hostile YAML: bounded before anything walks the data (issue 12, item 4) -----------------


def laughs(levels: int, width: int = 9) -> str:
    """The "billion laughs" document: each level names the one below ``width`` times."""
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    for n in range(1, levels):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class HostileYaml:
    id: str
    text: str
    line: int | None
    message: str
    cls: str  # the weakness class
    origin: str


HOSTILE_YAML = [
    HostileYaml("billion-laughs", laughs(9), 6, "aliases here expand to over",
                "CWE-776 recursive entity expansion", "issue 12: 1.3 KB file took 86 s"),
    HostileYaml("wide-alias", "a: &a [x, y, z]\nb: [" + "*a, " * 60_000 + "*a]\n", 2,
                "aliases here expand to over", "CWE-776 recursive entity expansion",
                "issue 12: a 50 MB alias file took 68 s and 4.9 GB"),
    HostileYaml("many-nodes", "b: [" + "x, " * 600_000 + "x]\n", 1, "over 500000 YAML nodes",
                "CWE-400 uncontrolled resource consumption", "millions of one-letter items"),
    HostileYaml("huge-int", "a: 1\nb: " + "9" * 4301 + "\n", 2, "has more than 100 digits",
                "CWE-1284 improper validation of a quantity", "issue 12: 4,301 digits: internal error"),
    HostileYaml("huge-hex", "b: 0x" + "f" * 5000 + "\n", 1, "has more than 100 digits",
                "CWE-1284 improper validation of a quantity", "bases Python reads without a limit"),
    HostileYaml("absurd-exponent", "b: 1.0e+999999999\n", 1, "has more than 100 digits",
                "CWE-1284 improper validation of a quantity", "issue 12: 1E+999999999"),
    HostileYaml("too-big", "a: '" + "x" * (17 * 1024 * 1024) + "'\n", None, "over 16,777,216 bytes",
                "CWE-400 uncontrolled resource consumption", "the YAML size cap"),
]  # fmt: skip


@pytest.mark.parametrize("case", HOSTILE_YAML, ids=lambda c: c.id)
def test_hostile_yaml_is_refused_with_its_place(tmp_path, case: HostileYaml):
    path = write(tmp_path, case.text, "hostile.yaml")
    with pytest.raises(InputError) as excinfo:
        load_yaml(path)
    error = only_error(excinfo)
    assert error.line == case.line, case.cls
    assert case.message in error.message


def test_aliases_a_document_really_uses_are_fine():
    text = "defaults: &d {unit: month, vat: true}\n" + "".join(
        f"p{i}: {{<<: *d, id: p{i}}}\n" for i in range(2000)
    )
    data, _ = loads(text, "x.yaml")
    assert data["p1999"] == {"unit": "month", "vat": True, "id": "p1999"}


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_folder_or_a_pipe_is_a_clear_error_not_a_hang(tmp_path, kind):
    """CWE-400: opening a named pipe blocks until someone writes to it."""
    import os

    path = tmp_path / "prices.yaml"
    path.mkdir() if kind == "folder" else os.mkfifo(path)
    with pytest.raises(InputError) as excinfo:
        load_yaml(path)
    assert "cannot read file: not a file (a folder, a pipe or a socket)" in str(excinfo.value)


def test_a_pipe_is_read_only_up_to_the_limit(tmp_path, monkeypatch):
    import consistency.inputs.yamlio as yamlio

    monkeypatch.setattr(yamlio, "MAX_YAML_BYTES", 1024)
    with pytest.raises(InputError) as excinfo:
        load_yaml(Path("/dev/zero"))  # endless: read 1 KB and one byte, then refuse
    assert "over 1,024 bytes, the size limit" in only_error(excinfo).message


@pytest.mark.parametrize("case", HOSTILE_YAML[:3], ids=lambda c: c.id)
def test_lint_refuses_hostile_yaml_fast_under_prlimit(tmp_path, case: HostileYaml):
    import os
    import subprocess
    import sys

    path = write(tmp_path, case.text, "hostile.yaml")
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        ["prlimit", "--as=1073741824", "--cpu=30", sys.executable, "-m", "consistency", "lint",
         str(path)],
        capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": str(root)},
    )  # fmt: skip
    assert done.returncode == 2
    said = done.stdout  # lint writes its problems to stdout (issue 9, item 5)
    assert f"hostile.yaml:{case.line}:" in said and case.message in said
    assert "internal error" not in done.stderr


def test_a_file_of_thousands_of_wrong_items_describes_the_first_hundred():
    """70,000 wrong products took 15 s to describe one by one; the rest are now one line."""
    from consistency.inputs.schema import MAX_SCHEMA_ERRORS

    text = "products: [" + "x, " * 5000 + "x]\n"
    data, marks = loads(text, "prices.yaml")
    errors = validate(data, marks, "prices", "prices.yaml")
    assert len(errors) == MAX_SCHEMA_ERRORS + 1
    assert all(e.line == 1 for e in errors[:-1])
    assert errors[-1].message.startswith("more problems not shown")
