"""Issue 12, tryout 12b: file inputs whose reading depended on a YAML 1.1 rule (F5) or on
which of two same-named columns or keys a reader kept (F6).

Each row names its weakness class (CWE) and where it came from.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal

import pytest

from consistency.errors import InputError
from consistency.inputs.prices import load_price_list
from consistency.model import Location
from consistency.sources.records import RecordContext, to_observation

from .helpers import TZ, ValueRow

# --- F5: YAML 1.1 octal, hex and binary ints in a price list -------------------------------

PRICE_ROWS = [
    ValueRow("010", "octal number, which YAML reads as 8: quote it for text, or write 10", "CWE-1286",
        "tryout 12b F5 q.yaml: was ₪8"),
    ValueRow("0x10", "hexadecimal number, which YAML reads as 16: quote it for text, or write 16", "CWE-1286",
        "tryout 12b F5: was ₪16"),
    ValueRow("0b11", "binary number, which YAML reads as 3: quote it for text, or write 3", "CWE-1286",
        "tryout 12b F5: was ₪3"),
    ValueRow("+0x1F", "hexadecimal number, which YAML reads as 31", "CWE-1286",
        "tryout 12b F5: was ₪31"),
    ValueRow("0o17", "is not a number", "CWE-704", "tryout 12b F5: refused already (a string)"),
    ValueRow("08", "is not a number", "CWE-704", "tryout 12b F5: refused already (a string)"),
    ValueRow("010.50", "", "CWE-1286", "a float with a leading zero is decimal to YAML too"),
    ValueRow("0", "", "CWE-20", "a free product stays allowed"),
    ValueRow("10", "", "CWE-20", "a plain int is still read"),
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


# --- F6: a column or key written twice (CWE-436) -------------------------------------------

HEAD = ("channel", "at", "product")
FIRST = ("web", "2026-11-15T10:00:00+02:00", "fiber-500")


def _dup_csv(path):
    path.write_text(
        ",".join((*HEAD, "amount", "amount")) + "\n" + ",".join((*FIRST, "89.90", "99.90")) + "\n",
        encoding="utf-8",
    )


def _dup_jsonl(path):
    fields = ",".join(f'"{k}": "{v}"' for k, v in zip(HEAD, FIRST, strict=True))
    path.write_text("{" + fields + ', "amount": "89.90", "amount": "99.90"}\n', encoding="utf-8")


def _dup_json_array(path):
    fields = ",".join(f'"{k}": "{v}"' for k, v in zip(HEAD, FIRST, strict=True))
    path.write_text("[{" + fields + ', "amount": "89.90", "amount": "99.90"}]\n', encoding="utf-8")


def _parquet(path, names, arrays):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    columns = [pa.array([v]) for v in FIRST] + [pa.array([a]) for a in arrays]
    pq.write_table(pa.Table.from_arrays(columns, names=[*HEAD, *names]), path)


def _dup_parquet(path):
    _parquet(path, ["amount", "amount"], ["89.90", "99.90"])


def _nested_same_name(path):
    _parquet(path, ["amount", "meta"], ["99.90", {"amount": "1"}])


@dataclass(frozen=True)
class Dup:
    file: str
    write: object
    says: str  # "" when the file is read (₪99.90, no finding)
    cls: str
    origin: str


DUPS = [
    Dup("dup.csv", _dup_csv, "could not read dup.csv: the CSV header names the column 'amount'"
        " twice", "CWE-436", "tryout 12b F6 s_dupcol.csv: the last was read"),
    Dup("dup.jsonl", _dup_jsonl, "dup.jsonl:1: cannot read record: the key 'amount' appears"
        " twice", "CWE-436", "tryout 12b F6 s_dup_key.jsonl: the last was read"),
    Dup("dup.json", _dup_json_array, "dup.json:1: cannot read record: the key 'amount' appears"
        " twice", "CWE-436", "a JSON array element, same kind"),
    Dup("dup.parquet", _dup_parquet, "could not read dup.parquet: the Parquet file names the"
        " column 'amount' twice", "CWE-436", "tryout 12b F6 dup_cols.parquet: the first was read"),
    Dup("nested.parquet", _nested_same_name, "", "CWE-20",
        "a struct's child named like a column is no duplicate"),
]  # fmt: skip


@pytest.mark.parametrize("engine", ["python", "duckdb"])
@pytest.mark.parametrize("row", DUPS, ids=lambda r: f"{r.cls}-{r.file}")
def test_a_column_or_key_written_twice_gets_the_same_verdict_in_every_engine(tmp_path, row, engine):
    row.write(tmp_path / row.file)
    (tmp_path / "prices.yaml").write_text(
        'version: "t"\ncurrency: ILS\nproducts:\n  - id: fiber-500\n    name: Fiber\n'
        "    price: 99.90\n",
        encoding="utf-8",
    )
    (tmp_path / "c.yaml").write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\n"
        f"sources:\n  - {{channel: web, files: [{row.file}]}}\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "consistency", "audit", "--config", "c.yaml"]
    done = subprocess.run(
        [*command, "--engine", engine, "--format", "json", "--output", "out.json"],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    messages = [f["message"] for f in json.loads((tmp_path / "out.json").read_text())["findings"]]
    if not row.says:
        assert done.returncode == 0 and messages == [], (done.stderr, messages)
        return
    assert done.returncode == 2, done.stderr
    assert any(row.says in m for m in messages), (row.cls, messages)
