"""The spark engine: the columnar plan (``consistency.plan``) run on Apache Spark.

``--engine spark`` claims plain quote exports (CSV, JSON Lines, Parquet) as the
duckdb engine does, but Spark reads and judges them: on one machine in local mode
(``local[*]``), or where the data is, on a cluster (``--spark-master spark://…``,
``yarn``, ``k8s://…``).

- Spark's text reader reads each CSV and JSON Lines export; a record keeps its
  ``file:line`` (a line is the count of lines before the split it was read in,
  plus its place in that split, so the lines are right however Spark splits a big
  file). Spark's Parquet reader reads a Parquet export; a record's location is its
  row number from 1 (Spark's row index plus one), as on the duckdb engine.
- A file is claimed only when every record is a plain quote (the duckdb engine's
  rules: known columns or keys, plain ids, a known channel and product, a plain
  number amount in the list's currency, a local ISO 8601 time; a JSON number's text
  as written) and no CSV field is quoted; anything else is read by Python, as with
  the duckdb engine.
- The price book's spans are computed by the same code as the duckdb engine's
  (``Columnar._span_rows``, from the PriceBook) and sent to Spark as a small
  table. The judge, the quote statistics and the grouped checks' aggregates are
  ``consistency.plan``'s queries, transpiled by SQLGlot.
- Only the quotes outside tolerance come back to Python, in file order, through
  every check; the customer quotes of customer-quote-conflict come back as Arrow
  batches into the run's DuckDB store, where the check runs as with the other engines.
- A JSON Lines or unquoted CSV export that is not plain quotes (replies,
  transcripts, notes) is claimed as a text export: its lines are read and checked
  by Python on the executors, partition by partition (``consistency.spark_text``).

Spark, pyspark and Java are optional (``pip install 'channel-consistency[spark]'``
and a Java 17+ runtime); ``require()`` says what is missing.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
from dataclasses import replace
from functools import reduce
from pathlib import Path

import click

from . import plan
from .claims import AMOUNT as _AMOUNT
from .claims import SAFE as _SAFE
from .claims import TIME as _TIME
from .claims import count_lines as _count_lines
from .claims import layout_of, plain_types
from .claims import plain_header as _plain_header
from .columnar import PLAIN_COLUMNS, ClaimedFile, Columnar
from .inputs.files import FileOptions
from .plan import to_spark
from .sources.records import RecordContext

DEFAULT_MASTER = "local[*]"
# How long a new session may take to start and run a one-row job (a cluster's executors
# starting included) before the run stops saying so (start_timeout: the environment may
# set another): Spark would wait for free workers forever.
START_TIMEOUT = 60.0
CONNECT_TIMEOUT = 5.0  # seconds to open a TCP connection to a spark:// master
# The local masters Spark parses (SparkContext.createTaskScheduler): local, local[N], local[*],
# local[N,F] (F failures allowed), local-cluster[N,cores,MB].
_LOCAL = re.compile(r"local(\[(\*|[1-9][0-9]*)(,[1-9][0-9]*)?\])?|local-cluster\[[0-9, ]+\]")
# Hadoop reads these in a path as a glob pattern: such a file is left to Python.
_GLOB = set("*?[]{}\\,")
_SETTINGS = {
    "spark.sql.session.timeZone": "UTC",  # consistency.plan's times are UTC or zone-less
    "spark.sql.ansi.enabled": "true",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.log.level": "ERROR",
}


# A JSON number's text as written (claims._NUMBER's pattern): Spark's JSON keeps its value only.
_NUMBER = r'"amount"\s*:\s*([0-9][0-9.eE+-]*)'
# Spark's Parquet column types by the name DuckDB gives them (claims.plain_types)
_DUCKDB_TYPES = {
    "StringType": "VARCHAR",
    "ByteType": "TINYINT",
    "ShortType": "SMALLINT",
    "IntegerType": "INTEGER",
    "LongType": "BIGINT",
    "DoubleType": "DOUBLE",
    "TimestampNTZType": "TIMESTAMP",  # a Parquet timestamp not adjusted to UTC
}


class SparkUnavailable(click.ClickException):
    """pyspark or Java is missing, or ``--spark-master`` names no master Spark can use: the
    message says what to install or what went wrong, in one line. The command line prints
    it as ``consistency: <message>`` and exits 2 (a usage problem, not a bug)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"consistency: {self.message}", err=True)


def require() -> None:
    """Raise ``SparkUnavailable`` unless pyspark imports and a Java runtime is found."""
    try:
        import pandas  # noqa: F401 - pyspark's mapInArrow (consistency.spark_text) needs it
        import pyarrow  # noqa: F401
        import pyspark  # noqa: F401
        import sqlglot  # noqa: F401
    except ImportError as err:
        raise SparkUnavailable(
            f"--engine spark needs {err.name}: pip install 'channel-consistency[spark]'"
        ) from None
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        raise SparkUnavailable(
            "--engine spark needs a Java runtime (17 or later): install one"
            " (apt-get install default-jre-headless) or set JAVA_HOME"
        )


def session(master: str = DEFAULT_MASTER):
    """The process's Spark session (made on first use, then shared), in UTC.

    A session already running keeps its master; the settings above are applied to it.
    A master Spark cannot use is :class:`SparkUnavailable` naming ``--spark-master``: one of
    another kind (Spark takes ``local…``, ``spark://…``, ``yarn`` and ``k8s://…``), a
    ``spark://`` host and port that refuse a connection (within :data:`CONNECT_TIMEOUT`),
    or a session that fails a one-row job or, on a cluster, runs none within
    :func:`start_timeout` seconds.
    """
    from pyspark.sql import SparkSession

    _check_master(master)
    builder = SparkSession.builder.master(master).appName("consistency")
    settings = dict(_SETTINGS)
    if master.startswith("local"):  # a few shuffle partitions, not 200, on one machine
        settings["spark.sql.shuffle.partitions"] = str(_local_threads(master))
    for key, value in settings.items():
        builder = builder.config(key, value)
    spark = _start(builder, master)
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    spark.conf.set("spark.sql.ansi.enabled", "true")
    return spark


def _check_master(master: str) -> None:
    """Refuse, before Spark starts, a master of a kind Spark has not, or a ``spark://``
    master whose every host:port refuses a TCP connection."""
    if not (
        master == "yarn" or _LOCAL.fullmatch(master) or master.startswith(("spark://", "k8s://"))
    ):
        raise SparkUnavailable(
            f"--spark-master {master}: not a Spark master (local[*], local[N],"
            " spark://host:port, yarn or k8s://host:port)"
        )
    if not master.startswith("spark://"):
        return
    problems = []
    for address in master.removeprefix("spark://").split(","):
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise SparkUnavailable(f"--spark-master {master}: {address!r} is not host:port")
        try:
            socket.create_connection((host.strip("[]"), int(port)), CONNECT_TIMEOUT).close()
            return
        except OSError as err:
            problems.append(f"{address}: {err.strerror or err}")
    raise SparkUnavailable(
        f"--spark-master {master}: cannot connect to the master ({'; '.join(problems)})"
    )


def _start(builder, master: str):
    """The session ``builder`` makes, once it has run a one-row job; a failure, or (but for a
    local master) no job done within :func:`start_timeout` seconds (Spark waits 3 x 20 s for
    a standalone master that does not answer, and for free workers forever), is
    :class:`SparkUnavailable`."""
    outcome: list = []

    def run() -> None:
        try:
            spark = builder.getOrCreate()
            outcome.append((spark, spark.range(1).count()))
        except Exception as err:  # Py4JJavaError and kin: said in the message below
            outcome.append((None, err))

    worker = threading.Thread(target=run, name="consistency-spark-start", daemon=True)
    worker.start()
    worker.join(None if _LOCAL.fullmatch(master) else start_timeout())  # no workers to wait for
    if outcome and outcome[0][1] == 1:
        return outcome[0][0]
    if outcome:
        reason = f"Spark cannot run a job there: {_said(outcome[0][1])}"
    else:  # the thread is left waiting: the JVM ends with this process
        reason = (
            f"no job ran within {start_timeout():g} s (is it a Spark master with free workers?)"
        )
    raise SparkUnavailable(f"--spark-master {master}: {reason}")


def start_timeout() -> float:
    """Seconds a new session may take to run its first job: ``CONSISTENCY_SPARK_START_TIMEOUT``
    in the environment, else :data:`START_TIMEOUT`."""
    value = os.environ.get("CONSISTENCY_SPARK_START_TIMEOUT")
    if value is None:
        return START_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 86400:
        raise SparkUnavailable(f"CONSISTENCY_SPARK_START_TIMEOUT={value}: not a number of seconds")
    return seconds


def _said(err: BaseException) -> str:
    """The first line of what Spark said, without the Java stack trace.

    >>> _said(ValueError("Master must start with spark\\n\\tat org.apache.spark..."))
    'Master must start with spark'
    """
    java = getattr(err, "java_exception", None)  # Py4JJavaError: the Java exception's message
    said = str(java.getMessage()) if java is not None else str(err)
    lines = [line.strip() for line in said.splitlines() if line.strip()]
    return lines[0][:300] if lines else type(err).__name__


def _duckdb_type(kind) -> str:
    """A Spark column type as DuckDB names it (``DECIMAL(6,2)``), or Spark's own name."""
    name = type(kind).__name__
    if name == "DecimalType":
        return f"DECIMAL({kind.precision},{kind.scale})"
    return _DUCKDB_TYPES.get(name, name)


def _bases(splits) -> list[tuple[int, int]]:
    """``(block, base)`` per split of one file, from ``(block, lines, first row id)``: a row's
    line is its row id plus its split's base (splits in file order, row ids consecutive
    within a split).

    >>> _bases([(2048, 3, 8589934592), (0, 2, 0)])
    [(0, 1), (2048, -8589934589)]
    """
    bases, before = [], 0
    for block, n, first in sorted(splits):
        bases.append((block, before + 1 - first))
        before += n
    return bases


def _local_threads(master: str) -> int:
    """The worker threads of a local master: ``local`` 1, ``local[4]`` 4, ``local[*]`` every core.

    >>> _local_threads("local[3]"), _local_threads("local")
    (3, 1)
    """
    inside = master.partition("[")[2].partition("]")[0].partition(",")[0]
    if inside.isdigit():
        return int(inside)
    return (os.cpu_count() or 1) if inside == "*" else 1


class SparkColumnar(Columnar):
    """The columnar path with Spark as its engine; the run's DuckDB store keeps the spill."""

    def __init__(self, context, store, rules, master: str = DEFAULT_MASTER):
        super().__init__(context, store, rules)
        self.spark = session(master)
        self.frames: list = []
        self._days: list = []  # the first and last local date of each split claimed
        self._persisted: list = []
        self.texts: list = []  # consistency.spark_text.TextFile: the text exports claimed

    # --- claiming files, read by Spark -------------------------------------------------

    def claim(self, path: Path, ctx: RecordContext) -> bool:
        """Read ``path`` with Spark if it is a plain quote export (CSV, JSON Lines or
        Parquet); False leaves it to Python."""
        if ctx.file != FileOptions() or _GLOB & set(str(path)):
            return False
        layout = layout_of(path)
        if layout is None:
            return False
        number = len(self.files)
        try:
            read = getattr(self, f"_read_{layout}")(path.resolve(), ctx.default_channel, number)
        except Exception:  # noqa: BLE001 - any refusal by Spark means: let Python read it
            return False
        if read is None:
            return layout in ("jsonl", "csv") and self._claim_text(path, ctx, layout)
        frame, header = read
        self.frames.append(frame)
        self.files.append(ClaimedFile(number, str(path), header, ctx.default_channel, layout))
        return True

    def _claim_text(self, path: Path, ctx: RecordContext, layout: str) -> bool:
        """A JSON Lines or CSV export that is not plain quotes (replies, transcripts ...):
        its records are read and checked on the executors (consistency.spark_text) when
        Spark splits it into the records Python's reader reads."""
        from .spark_text import TextFile, csv_layout, text_export

        delimiter = header = None
        if layout == "csv":
            found = csv_layout(path, ctx)
            if found is None:
                return False
            delimiter, header = found
        counted = text_export(path, delimiter)
        if counted is None:
            return False
        lines, ends = counted
        reading = replace(ctx, claim=None)
        number = len(self.texts)
        self.texts.append(TextFile(number, str(path), lines, ends, reading, delimiter, header))
        return True

    def _read_csv(self, path: Path, channel: str | None, number: int):
        """A plain CSV's rows (its header is the one line that is not plain)."""
        from pyspark.sql import functions as F

        header = _plain_header(path)
        lines = _count_lines(path) if header is not None else None
        if lines is None:
            return None
        text = self._lines(path)
        fields = F.split("value", ",", -1)
        raw = {c: F.lit(None).cast("string") for c in PLAIN_COLUMNS}
        for i, c in enumerate(header):
            raw[c] = F.nullif(F.try_element_at(fields, F.lit(i + 1)), F.lit(""))
        shaped = F.size(fields) == len(header)
        rows = self._rows_of(text, raw, None, shaped, channel, number)
        lined = self._lined(rows, lines, not_plain=1)
        return None if lined is None else (lined.where("line > 1"), header)

    def _read_jsonl(self, path: Path, channel: str | None, number: int):
        """A plain JSON Lines file's records: flat objects of distinct known keys, string
        values, the amount a string or a number (whose text is taken as written)."""
        from pyspark.sql import functions as F

        lines = _count_lines(path)
        if lines is None:
            return None
        text = self._lines(path).withColumn("v", F.expr("try_parse_json(value)"))

        def kind(c):
            return F.expr(f"schema_of_variant(variant_get(v, '$.{c}'))")

        known = F.array(*(F.lit(c) for c in PLAIN_COLUMNS))
        keys = F.expr("json_object_keys(value)")
        raw = {
            c: F.expr(f"variant_get(v, '$.{c}', 'string')") for c in PLAIN_COLUMNS if c != "amount"
        }
        amount = kind("amount")
        number_kind = amount.isin(
            "TINYINT", "SMALLINT", "INT", "BIGINT", "DOUBLE"
        ) | amount.startswith("DECIMAL(")
        written = F.regexp_extract("value", _NUMBER, 1)
        raw["amount"] = F.when(amount == "STRING", F.expr("variant_get(v, '$.amount', 'string')"))
        raw["amount"] = raw["amount"].when(number_kind, written)
        shaped = (
            F.col("v").isNotNull()
            & keys.isNotNull()  # an object (try_parse_json refuses a key written twice)
            & (F.size(F.array_except(keys, known)) == 0)
            & reduce(
                lambda a, b: a & b,
                (F.coalesce(kind(c) == "STRING", F.lit(True)) for c in raw if c != "amount"),
            )
            & (
                (amount == "STRING")
                | (
                    number_kind
                    & (F.size(F.split("value", '"amount"', -1)) == 2)
                    & (
                        written.try_cast("decimal(18, 4)")
                        == F.expr("variant_get(v, '$.amount', 'string')").try_cast("decimal(18, 4)")
                    )
                )
            )
        )
        rows = self._rows_of(text, raw, F.col("value"), shaped, channel, number)
        lined = self._lined(rows, lines, not_plain=0)
        return None if lined is None else (lined, [])

    def _read_parquet(self, path: Path, channel: str | None, number: int):
        """A plain Parquet file's rows, numbered from 1 (Spark's row index)."""
        from pyspark.sql import functions as F

        data = self.spark.read.parquet(str(path))
        names = [f.name for f in data.schema.fields]
        types = {f.name: _duckdb_type(f.dataType) for f in data.schema.fields}
        if len(types) != len(names) or not plain_types(types):
            return None
        raw = {c: F.lit(None).cast("string") for c in PLAIN_COLUMNS}
        for c, kind in types.items():
            raw[c] = F.col(f"`{c}`").cast("string")
            if kind == "TIMESTAMP":
                raw[c] = F.date_format(F.col(f"`{c}`"), "yyyy-MM-dd'T'HH:mm:ss")
        shaped = F.lit(True)
        if types.get("at") == "TIMESTAMP":  # whole seconds only, as the duckdb engine
            shaped = F.coalesce(F.col("at") == F.date_trunc("second", "at"), F.lit(True))
        text = data.select("*", (F.col("_metadata.row_index") + 1).alias("line"))
        rows = self._rows_of(text, raw, None, shaped, channel, number)
        rows = rows.withColumn("plain", F.coalesce(self._plain_rule(), F.lit(False)))
        day = F.to_date("local_ts")
        bad, low, high = rows.agg(F.count_if(~F.col("plain")), F.min(day), F.max(day)).first()
        if bad:
            return None
        self._days += [d for d in (low, high) if d is not None]
        return rows.drop("plain"), list(types)

    def _lines(self, path: Path):
        """A text file's lines: ``value``, the split's byte offset ``block`` and ``row``."""
        from pyspark.sql import functions as F

        return self.spark.read.text(str(path)).select(
            "*",
            F.expr("input_file_block_start()").alias("block"),
            F.monotonically_increasing_id().alias("row"),
        )

    def _rows_of(self, frame, raw: dict, raw_json, shaped, channel, number: int):
        """``frame``'s records as ``cq`` rows (consistency.plan), keeping ``block``, ``row``
        and ``line`` when it has them."""
        from pyspark.sql import functions as F

        keep = [c for c in ("block", "row", "line") if c in frame.columns]
        return frame.select(
            F.lit(number).alias("file"),
            *keep,
            *(raw[c].alias(f"raw_{c}") for c in PLAIN_COLUMNS),
            (raw_json if raw_json is not None else F.lit(None)).cast("string").alias("raw_json"),
            F.coalesce(raw["channel"], F.lit(channel)).alias("channel"),
            raw["at"].try_cast("timestamp").alias("local_ts"),
            raw["amount"].try_cast("decimal(18, 4)").alias("amount"),
            shaped.alias("shaped"),
            F.lit(None).cast("string").alias("written"),  # the amount as written: plain here
        )

    def _lined(self, rows, lines: int, not_plain: int):
        """``rows`` of a text file with their ``line``, or None unless the file has ``lines``
        lines of which ``not_plain`` (a CSV's header) are not plain.

        One pass over the file counts, per split (``block``, its byte offset), the lines
        and those not plain; the same counts turn a row id into its line number.
        """
        from pyspark.sql import functions as F

        rows = rows.withColumn("plain", F.coalesce(self._plain_rule(), F.lit(False)))
        day = F.to_date("local_ts")
        splits = (
            rows.groupBy("block")
            .agg(F.count("*"), F.min("row"), F.count_if(~F.col("plain")), F.min(day), F.max(day))
            .collect()
        )
        if sum(s[1] for s in splits) != lines or sum(s[3] for s in splits) != not_plain:
            return None
        self._days += [d for s in splits for d in s[4:] if d is not None]
        bases = _bases([s[:3] for s in splits])
        base = self.spark.createDataFrame(bases, "block long, base long")
        lined = rows.join(F.broadcast(base), "block")
        lined = lined.withColumn("line", F.col("row") + F.col("base"))
        return lined.drop("block", "row", "base", "plain")

    def _plain_rule(self):
        """The duckdb engine's plain-row rule, as a Spark column (NULL counts as not plain)."""
        from pyspark.sql import functions as F

        def safe(c, optional=True):
            match = F.col(f"raw_{c}").rlike(_SAFE)
            return (F.col(f"raw_{c}").isNull() | match) if optional else match

        channels = F.array(*(F.lit(c) for c in self.ctx.channels))
        products = F.array(*(F.lit(p) for p in self.book.list.products))
        currency = F.col("raw_currency")
        return (
            F.col("shaped")
            & safe("id", optional=False)
            & safe("customer")
            & safe("ref")
            & safe("agent")
            & F.array_contains(channels, F.col("channel"))
            & F.array_contains(products, F.col("raw_product"))
            & F.col("raw_amount").rlike(_AMOUNT)
            & F.col("amount").isNotNull()
            & F.col("raw_at").rlike(_TIME)
            & F.col("local_ts").isNotNull()
            & F.year("local_ts").between(1900, 2200)
            & (currency.isNull() | (currency == F.lit(self.book.currency)))
        )

    # --- the engine's side of judging (see Columnar) -------------------------------------

    def finish(self, engine, filters) -> None:
        if self.texts:
            self._check_texts(engine, filters)
        if not self.files:
            return
        quotes = reduce(lambda a, b: a.unionByName(b), self.frames)
        quotes.createOrReplaceTempView("cq")
        try:
            super().finish(engine, filters)
        finally:
            for frame in self._persisted:
                frame.unpersist()
            self._persisted.clear()

    def _view(self) -> None:
        """Spark's ``cq`` is the claimed files' frames, registered by ``finish``."""

    def _judge(self, odd_days, filters) -> None:
        """Make ``judged``: plan.verdict over ``cq``, judged (the spans written into it)."""
        verdict = plan.verdict(self.ctx.timezone.key, "SELECT * FROM cq", self._span_rows())
        self._table("judged", plan.judge(odd_days, filters, f"({verdict}) AS v"))

    def _check_texts(self, engine, filters) -> None:
        """Read and check the claimed text exports over Spark's partitions (spark_text);
        merge what comes back into ``engine``. A file whose lines Spark does not count as
        Python does is read by Python here instead."""
        from functools import partial

        from pyspark.sql import functions as F

        from . import spark_text
        from .sources.files import read_records

        frames = [
            self._lines(Path(f.path).resolve()).select(F.lit(f.number).alias("file"), "*")
            for f in self.texts
        ]
        lines = reduce(lambda a, b: a.unionByName(b), frames)
        splits: dict = {}
        for number, block, n, first in (
            lines.groupBy("file", "block").agg(F.count("*"), F.min("row")).collect()
        ):
            splits.setdefault(number, []).append((block, n, first))
        files, bases = [], []
        for f in self.texts:
            found = splits.get(f.number, [])
            if sum(s[1] for s in found) != f.lines:
                engine.feed(read_records(Path(f.path), f.ctx), filters)
                continue
            files.append(f)
            bases += [(f.number, block, base) for block, base in _bases(found)]
        if not files:
            return
        base = self.spark.createDataFrame(bases, "file int, block long, base long")
        lined = lines.join(F.broadcast(base), ["file", "block"]).select(
            "file", (F.col("row") + F.col("base")).alias("line"), "value"
        )
        made = spark_text.make_job(engine, filters, files)
        job = self.spark.sparkContext.broadcast(spark_text.dumps(made))
        try:
            check = partial(spark_text.check_partition, key=made.key, job_bytes=job)
            checked = lined.mapInArrow(check, spark_text.SCHEMA)
            for kind, payload in checked.toLocalIterator():
                spark_text.merge(engine, filters, kind, payload)
        finally:
            job.destroy()

    def _outside_rows(self):
        return self._batches(plan.outside("coalesce(written, raw_amount)"))

    def _table(self, name: str, select: str) -> None:
        from pyspark import StorageLevel

        frame = self.spark.sql(to_spark(select)).persist(StorageLevel.MEMORY_AND_DISK)
        frame.createOrReplaceTempView(name)
        self._persisted.append(frame)

    def _date_range(self):
        return (min(self._days), max(self._days)) if self._days else (None, None)

    def _rows(self, select: str) -> list:
        return self.spark.sql(to_spark(select)).collect()

    def _batches(self, select: str):
        batch = []
        for row in self.spark.sql(to_spark(select)).toLocalIterator():
            batch.append(row)
            if len(batch) == 10_000:
                yield batch
                batch = []
        if batch:
            yield batch

    def _spill(self, spill, select: str) -> None:
        table = self.spark.sql(to_spark(select)).toArrow()
        con = spill.store.con
        name = spill.store.name("spark")
        con.register(name, table)
        try:
            spill.insert_sql(f"SELECT * FROM {name}", [])
        finally:
            con.unregister(name)
