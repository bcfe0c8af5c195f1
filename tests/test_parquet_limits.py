"""Parquet files that decode to far more than they weigh (issue 12 tryout 12b, F2).

A 1.6 KB Parquet file whose 20,000 rows repeat one 900,000-character dictionary value
took 14 GB on both engines. Now a first pass measures the rows in SQL, a file whose
text is over 1,000 times its size is refused whole, a row over ``limits.record_size``
is an invalid-record, and wide rows are read a window at a time.
"""

from __future__ import annotations

import json
import random
import shutil
import string
import subprocess

import duckdb
import pytest

from tests.helpers import write

PRICES = (
    'version: "p"\ncurrency: ILS\nvat: {included: true, rate: 0.18}\n'
    "products:\n  - {id: fiber-500, price: 99.90}\n"
)


def parquet(path, rows: int, text_sql: str) -> None:
    """``rows`` quotes of ₪89.90 on fiber-500 whose ``text`` is ``text_sql`` (over ``i``)."""
    con = duckdb.connect()
    con.execute(
        f"""COPY (SELECT 'web' AS channel, '2026-11-01T10:00' AS "at", 'fiber-500' AS product,
                         '89.90' AS amount, {text_sql} AS text
                  FROM range({rows}) t(i))
            TO '{path}' (FORMAT parquet, COMPRESSION zstd)"""
    )


def project(tmp_path, name: str):
    write(tmp_path / "prices.yaml", PRICES)
    write(
        tmp_path / "ctl.csv", "channel,at,product,amount\nphone,2026-11-01T11:00,fiber-500,79.90\n"
    )
    return write(
        tmp_path / "consistency.yaml",
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n"
        f"  - {{channel: web, files: [{name}]}}\n  - {{channel: phone, files: [ctl.csv]}}\n",
    )


def audit(tmp_path, engine: str, *limit: str):
    command = [shutil.which("consistency"), "audit", "--no-fetch", "--engine", engine]
    command += ["--format", "json", "--output", str(tmp_path / f"{engine}.json")]
    done = subprocess.run(
        [*limit, *command], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    return done, json.loads((tmp_path / f"{engine}.json").read_text(encoding="utf-8"))


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux prlimit")
@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_dictionary_bomb_is_refused_under_a_1gb_address_space(tmp_path, engine):
    """CWE-409: 20,000 rows repeating one 900,000-character value, a 2 KB file."""
    parquet(tmp_path / "bomb.parquet", 20_000, "repeat('x', 900000)")
    assert (tmp_path / "bomb.parquet").stat().st_size < 10_000
    project(tmp_path, "bomb.parquet")
    done, report = audit(tmp_path, engine, "prlimit", "--as=2000000000")
    assert done.returncode == 2, done.stderr[-2000:]
    assert "a decompression bomb" in done.stderr
    assert "internal error" not in done.stderr
    assert any(f["rule"] == "price-mismatch" for f in report["findings"])  # the CSV is kept


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_a_row_over_the_record_limit_is_an_invalid_record_and_the_rest_are_read(tmp_path, engine):
    """CWE-770: one 1.2 M-character row among short ones (random text: no bomb)."""
    rng = random.Random(7)
    long_text = "".join(rng.choice(string.ascii_letters) for _ in range(1_200_000))
    write(tmp_path / "long.txt", long_text)
    parquet(
        tmp_path / "one.parquet",
        5,
        f"CASE WHEN i = 2 THEN (SELECT content FROM read_text('{tmp_path / 'long.txt'}'))"
        " ELSE 'short' END",
    )
    project(tmp_path, "one.parquet")
    _, report = audit(tmp_path, engine)
    invalid = [f for f in report["findings"] if f["rule"] == "invalid-record"]
    assert [f["evidence"]["source"].rsplit(":", 1)[-1] for f in invalid] == ["3"]
    assert "limits.record_size" in invalid[0]["message"]
    assert report["summary"]["observations"] == 5  # four web rows and the phone quote


def test_wide_rows_are_read_a_window_at_a_time_with_their_row_numbers(tmp_path):
    """Rows of 40,000 random characters (incompressible: no bomb): 2,048 of them are over
    64 MB, so they are read in windows; every row keeps its number, on both engines."""
    parquet(
        tmp_path / "wide.parquet",
        2_500,
        "i::VARCHAR || '-' || array_to_string(list_transform(range(1250),"
        " lambda x: md5(random()::VARCHAR || x::VARCHAR)), '')",
    )
    project(tmp_path, "wide.parquet")
    _, fast = audit(tmp_path, "duckdb")
    _, reference = audit(tmp_path, "python")
    assert fast["summary"]["observations"] == reference["summary"]["observations"] == 2_501
    lines = sorted(
        int(f["evidence"]["source"].rsplit(":", 1)[-1])
        for f in reference["findings"]
        if f["rule"] == "price-mismatch" and f["channel"] == "web"
    )
    assert lines == list(range(1, 2_501))
