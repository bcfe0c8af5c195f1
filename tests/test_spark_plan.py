"""consistency.plan: the queries' values as SQL literals, and their text in Spark's dialect.

These run without Spark (SQLGlot only): what the spark engine sends to Spark is
checked here on every test run, where tests/test_spark.py needs Java.
"""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from decimal import Decimal

import duckdb
import pytest

from consistency import plan
from consistency.engine import Filters


@pytest.fixture(scope="module", autouse=True)
def sqlglot():
    try:
        import sqlglot as module
    except ImportError:
        if os.environ.get("CONSISTENCY_REQUIRE_SPARK"):  # set by .ci/run: never skip in CI
            pytest.fail("sqlglot is not installed (pip install -e '.[spark]')")
        pytest.skip("sqlglot is not installed (pip install -e '.[spark]')")
    return module


@pytest.mark.parametrize(
    "value",
    [
        "web",
        "it's",  # a quote doubled
        "a\\b",  # a backslash is no escape in DuckDB's strings
        "צ'אט",  # Hebrew, with a geresh that is an apostrophe
        ["web", "it's"],
        date(2026, 10, 25),
        [date(2026, 3, 27), date(2026, 10, 25)],
        12345678901234567,
        None,
    ],
)
def test_a_literal_reads_back_as_its_value_in_duckdb_and_in_spark_text(value):
    """plan.lit's text is the value in DuckDB; SQLGlot's Spark text keeps it (re-escaped)."""
    import sqlglot

    text = plan.lit(value)
    assert duckdb.connect().execute(f"SELECT {text}").fetchone()[0] == value
    spark_text = plan.to_spark(f"SELECT {text}")
    assert _literals(sqlglot.parse_one(spark_text, read="spark")) == _literals(
        sqlglot.parse_one(f"SELECT {text}", read="duckdb")
    )


def _literals(tree) -> list:
    from sqlglot import exp

    return [(node.this, node.is_string) for node in tree.find_all(exp.Literal)]


@pytest.mark.parametrize(
    "duck, spark",
    [
        # DuckDB's epoch_us and timezone have no SQLGlot mapping: plan.to_spark rewrites them
        ("SELECT epoch_us(local_ts) FROM cq", "SELECT UNIX_MICROS(local_ts) FROM cq"),
        (
            "SELECT epoch_us(timezone('Asia/Jerusalem', local_ts)) FROM cq",
            "SELECT UNIX_MICROS(TO_UTC_TIMESTAMP(local_ts, 'Asia/Jerusalem')) FROM cq",
        ),
        # what SQLGlot maps itself, relied on by the plan
        ("SELECT a // b FROM t", "SELECT a DIV b FROM t"),
        ("SELECT list_contains(['x'], c) FROM t", "SELECT ARRAY_CONTAINS(ARRAY('x'), c) FROM t"),
        (
            "SELECT array_length(list_filter(o, lambda x: x.a > 1)) FROM t",
            "SELECT SIZE(FILTER(o, x -> x.a > 1)) FROM t",
        ),
        ("SELECT arg_max(p, t) FROM t", "SELECT MAX_BY(p, t) FROM t"),
        ("SELECT struct_pack(a := x) FROM t", "SELECT STRUCT(x AS a) FROM t"),
    ],
)
def test_the_spark_text_of_each_construct_the_plan_uses(duck, spark):
    assert plan.to_spark(duck) == spark


# Two spans of one product on one channel: the list price, and a promotion beside it.
SPANS = [
    ("fiber", "web", -(2**62), 10**15, [(Decimal("99.89"), Decimal("99.91"), Decimal("99.9"), False)]),
    ("fiber", "web", 10**15, 2**62, [
        (Decimal("99.89"), Decimal("99.91"), Decimal("99.9"), False),
        (Decimal("79.89"), Decimal("79.91"), Decimal("79.9"), True),
    ]),
]  # fmt: skip


def test_every_query_of_the_plan_transpiles():
    """Each query's Spark text parses as Spark SQL, with no DuckDB-only function left."""
    import sqlglot

    filters = Filters(
        frozenset(["web", "it's"]),
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2026, 11, 1, tzinfo=UTC),
    )
    queries = [
        plan.verdict("Asia/Jerusalem", "SELECT * FROM cq", SPANS),
        plan.verdict("Asia/Jerusalem", "SELECT * FROM cq", []),
        plan.judge([date(2026, 10, 25)], filters),
        plan.judge([], None),
        plan.outside(),
        plan.counts(),
        plan.gaps(86_400_000_000, True, ("web", "phone")),
        plan.gaps(3_600_000_000, False, None),
        plan.customers(None),
        plan.days(),
    ]
    for query in queries:
        text = plan.to_spark(query)
        sqlglot.parse_one(text, read="spark")
        for duckdb_only in ("EPOCH_US", "TIMEZONE(", "LIST_FILTER", "STRUCT_PACK", "ARG_MAX", "//"):
            assert duckdb_only not in text.upper()
