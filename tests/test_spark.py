"""The spark engine (Apache Spark, local mode) finds exactly what the duckdb engine finds.

Issue 10, item 5: "On the test datasets Spark's findings equal DuckDB's." The
price lists and quotes are tests/test_columnar.py's (price changes, promotions
by channel, VAT-exclusive lists, tolerances, discount authority, Israel's DST
change, odd rows), written as per-channel CSV, JSON Lines and Parquet files split and
shuffled at random.

Spark starts slowly (a JVM): one session serves the module, and the examples are
few and small. Without pyspark or Java the tests skip, saying which; CI sets
CONSISTENCY_REQUIRE_SPARK=1 (.ci/run), and there they fail instead.
"""

from __future__ import annotations

import importlib.util
import os
import random
import re
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consistency.audit import AuditOptions, audit
from consistency.engine import Filters
from consistency.inputs.config import load_config
from consistency.spark_engine import (
    SparkColumnar,
    SparkUnavailable,
    require,
    session,
    start_timeout,
)
from tests.helpers import write, write_csv
from tests.test_columnar import (
    CHANNELS,
    COLUMNS,
    LAYOUTS,
    START,
    comparable,
    price_lists,
    quotes,
    write_jsonl,
    write_parquet,
)

MASTER = "local[2]"
PRICES = (
    'version: "p"\ncurrency: ILS\nvat: {included: true, rate: 0.18}\n'
    "products:\n  - {id: fiber-500, price: 99.90}\n  - {id: fiber-1000, price: 129.90}\n"
)


@pytest.fixture(scope="module")
def spark():
    try:
        require()
    except SparkUnavailable as err:
        if os.environ.get("CONSISTENCY_REQUIRE_SPARK"):  # set by .ci/run: never skip in CI
            pytest.fail(str(err))
        pytest.skip(str(err))
    # pyspark's column calls import IPython when it is installed, and jedi (IPython's) then
    # raises the recursion limit, which hypothesis refuses mid-test: let that happen here.
    if importlib.util.find_spec("IPython") is not None:
        importlib.import_module("IPython")
    return session(MASTER)


def project(folder, prices: str, records: list[dict], rng: random.Random, layouts=LAYOUTS):
    """Per-channel exports (CSV, JSON Lines or Parquet, at random), each split in 1 or 2
    shuffled files, sources in random order (each file costs Spark a job: fewer than
    tests/test_columnar.py's 1 to 3)."""
    write(folder / "prices.yaml", prices)
    sources = []
    for channel in CHANNELS:
        mine = [
            r for r in records if (r["channel"] if r["channel"] in CHANNELS else "web") == channel
        ]
        rng.shuffle(mine)
        parts = rng.randint(1, 2)
        for part in range(parts):
            layout = rng.choice(layouts)
            name = f"exports/{channel}-{part}.{layout}"
            columns = COLUMNS + (["currency"] if any("currency" in r for r in mine) else [])
            rows = mine[part::parts]
            if layout == "csv":
                write_csv(folder / name, rows, columns)
            elif layout == "jsonl":
                write_jsonl(folder / name, rows, rng)
            else:
                write_parquet(folder / name, rows, columns, rng)
            sources.append(f"  - {{channel: {channel}, files: ['{name}']}}")
    rng.shuffle(sources)
    head = ["timezone: Asia/Jerusalem", "price_list: prices.yaml", "sources:"]
    return load_config(write(folder / "consistency.yaml", "\n".join([*head, *sources]) + "\n"))


def both(config, filters=None) -> list:
    """The duckdb and spark engines' results on ``config``."""
    filters = filters or Filters()
    return [
        audit(
            config,
            AuditOptions(fetch=False, engine=e, jobs=1, filters=filters, spark_master=MASTER),
        )  # fmt: skip
        for e in ("duckdb", "spark")
    ]


@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prices=price_lists(),
    seed=st.integers(0, 2**32),
    odd=st.sampled_from([0.0, 0.0, 0.02]),
    since=st.sampled_from([None, 5]),
    channel=st.sampled_from([None, None, "phone"]),
)
def test_spark_and_duckdb_engines_agree(spark, tmp_path_factory, prices, seed, odd, since, channel):
    text, amounts = prices
    rng = random.Random(seed)
    config = project(
        tmp_path_factory.mktemp("spark"), text, quotes(rng, amounts, rng.randint(1, 80), odd), rng
    )
    filters = Filters(
        frozenset([channel]) if channel else frozenset(),
        None if since is None else START + timedelta(days=since),
        None,
    )
    duck, spark_result = both(config, filters)
    assert comparable(spark_result) == comparable(duck)


def test_lines_are_right_when_spark_splits_a_file(spark, tmp_path):
    """A big export is read in several splits; every quote still cites its own line.

    Every quote is off the list (a price-mismatch cites ``file:line``), and Spark is
    told to split files every 2 KB, so the ~12 KB file is read in six splits."""
    rng = random.Random(5)
    records = quotes(rng, {"a": "99.90", "b": "129.90"}, 200, 0.0)
    for r in records:
        r["amount"] = "150.01"
    config = project(tmp_path, PRICES, records, rng, layouts=("csv", "jsonl"))
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")
    try:
        duck, spark_result = both(config)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    sources = sorted(f.evidence.source for f in spark_result.findings if f.rule == "price-mismatch")
    assert len(sources) == 200
    assert comparable(spark_result) == comparable(duck)


ROWS = [  # (the export's layout, a row written into it, whether Spark then reads the file)
    ("csv", {}, True),  # plain
    ("csv", {"amount": '"99.90"'}, False),  # a quoted field: DuckDB reads it, Spark leaves it
    ("csv", {"amount": '89.90 ש"ח'}, False),  # a Hebrew amount (tests/test_columnar.py ODD)
    ("csv", {"id": ""}, False),  # no id: Python computes it from the content
    ("csv", {"at": "2026-11-01T10:00:00+00:00"}, False),  # an explicit offset
    ("csv", {"channel": "fax"}, False),  # an unknown channel
    ("csv", {"amount": "99.90,1"}, False),  # one field too many
    ("jsonl", {}, True),  # plain (amounts as strings or numbers, at random)
    ("jsonl", {"amount": '89.90 ש"ח'}, False),  # a Hebrew amount: Python's reader
    ("jsonl", {"id": ""}, False),  # no id (write_jsonl leaves the key out)
    ("jsonl", {"vat_included": False}, False),  # a key the SQL does not judge
    ("parquet", {}, True),  # plain (typed columns at random)
    ("parquet", {"channel": "fax"}, False),  # an unknown channel
    ("parquet", {"product": "fiber-2000"}, False),  # not on the list
]


def test_a_file_is_claimed_only_when_every_row_is_plain(spark, tmp_path):
    """One odd record leaves its whole file to Python (a JSON Lines file: to Python on the
    executors, consistency.spark_text); the findings are the same either way.

    One export per row of ROWS (Spark starts slowly, so they share one audit)."""
    rng = random.Random(7)
    write(tmp_path / "prices.yaml", PRICES)
    names = []
    for number, (layout, row, _claimed) in enumerate(ROWS):
        records = quotes(rng, {"a": "99.90", "b": "129.90"}, 20, 0.0)
        for r in records:
            r["channel"] = "web"
        records[11] |= row
        name = f"export-{number}.{layout}"
        if layout == "csv":
            write_csv(tmp_path / name, records, COLUMNS)
        elif layout == "jsonl":
            write_jsonl(tmp_path / name, records, rng)
        else:
            write_parquet(tmp_path / name, records, COLUMNS, rng)
        names.append(name)
    config = load_config(
        write(
            tmp_path / "consistency.yaml",
            "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n"
            f"  - {{channel: web, files: [{', '.join(names)}]}}\n",
        )
    )
    seen = {}
    original = SparkColumnar.claim

    def spy(self, path, ctx):  # claimed as plain quotes, not as a text export (spark_text)
        claimed = original(self, path, ctx)
        seen[path.name] = claimed and bool(self.files) and self.files[-1].path == str(path)
        return claimed

    SparkColumnar.claim = spy
    try:
        duck, spark_result = both(config)
    finally:
        SparkColumnar.claim = original
    assert seen == {name: row[2] for name, row in zip(names, ROWS, strict=True)}
    assert comparable(spark_result) == comparable(duck)


def test_without_java_the_engine_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.delenv("JAVA_HOME", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    pytest.importorskip("pyspark", reason="pyspark is checked first: without it that is said")
    with pytest.raises(SparkUnavailable, match="Java runtime"):
        require()


def _closed_port() -> int:
    """A loopback port nothing listens on (bound, then closed): a connection is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# (--spark-master, what the message says, where the case came from): refused before the JVM
# starts, in about a second
BAD_MASTERS = [
    ("bogus://x", "not a Spark master", "tryout10 7b: JAVA_GATEWAY_EXITED 'internal error'"),
    ("local[x]", "not a Spark master", "a typo in local[N]: Spark's own Java stack trace"),
    ("spark://127.0.0.1", "'127.0.0.1' is not host:port", "a standalone master with no port"),
    ("spark://127.0.0.1:{closed}", "cannot connect to the master", "tryout10 7b: 69 s, then"),
]


@pytest.mark.parametrize(("master", "says", "origin"), BAD_MASTERS, ids=[m[0] for m in BAD_MASTERS])
def test_a_master_spark_cannot_use_is_said_in_one_line(master, says, origin):
    pytest.importorskip("pyspark")
    master = master.format(closed=_closed_port())
    with pytest.raises(SparkUnavailable, match=re.escape(f"--spark-master {master}: ")) as err:
        session(master)
    assert says in err.value.message and "\n" not in err.value.message


def _cli(tmp_path, master: str, env: dict | None = None) -> subprocess.CompletedProcess:
    write(tmp_path / "prices.yaml", PRICES)
    quote = {"id": "q1", "channel": "web", "at": "2026-10-20T10:00", "product": "fiber-500"}
    write_csv(tmp_path / "web.csv", [quote | {"amount": "99.90"}], COLUMNS)
    config = write(
        tmp_path / "consistency.yaml",
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n"
        "  - {channel: web, files: [web.csv]}\n",
    )
    return subprocess.run(
        [sys.executable, "-m", "consistency", "audit", "--config", str(config)]
        + ["--engine", "spark", "--spark-master", master, "--format", "json"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def test_the_command_line_says_what_is_wrong_with_the_master(tmp_path):
    """tryout10 7b: `--spark-master bogus://x` was 'internal error: PySparkRuntimeError'."""
    pytest.importorskip("pyspark")
    run = _cli(tmp_path, "bogus://x")
    assert run.returncode == 2
    said = [line for line in run.stderr.splitlines() if line.startswith("consistency:")]
    assert said == [
        "consistency: --spark-master bogus://x: not a Spark master (local[*], local[N],"
        " spark://host:port, yarn or k8s://host:port)"
    ]
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr


def test_a_port_that_is_no_spark_master_stops_the_run_within_the_start_timeout(tmp_path):
    """A loopback port that takes the connection and answers nothing (Spark itself retries
    for 3 x 20 s, then fails its first job: tryout10 7b's 69 s and Java stack trace)."""
    try:
        require()
    except SparkUnavailable as err:
        if os.environ.get("CONSISTENCY_REQUIRE_SPARK"):  # as the spark fixture: never in CI
            pytest.fail(str(err))
        pytest.skip(str(err))
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        master = f"spark://127.0.0.1:{silent.getsockname()[1]}"
        started = time.monotonic()
        run = _cli(tmp_path, master, {"CONSISTENCY_SPARK_START_TIMEOUT": "5"})
        took = time.monotonic() - started
    assert run.returncode == 2
    said = [line for line in run.stderr.splitlines() if line.startswith("consistency:")]
    assert said == [f"consistency: --spark-master {master}: no job ran within 5 s (is it a"
                    " Spark master with free workers?)"]  # fmt: skip
    assert "internal error" not in run.stderr and "Traceback" not in run.stderr
    assert took < 45  # the JVM's start and 5 s, not Spark's 60 s of retries


@pytest.mark.parametrize("value", ["abc", "0", "-5"])
def test_a_bad_start_timeout_is_said(monkeypatch, value):
    monkeypatch.setenv("CONSISTENCY_SPARK_START_TIMEOUT", value)
    with pytest.raises(SparkUnavailable, match=f"CONSISTENCY_SPARK_START_TIMEOUT={value}: not a"):
        start_timeout()
