"""The spark engine's text records: read and checked on Spark's executors, partition by partition.

A JSON Lines or CSV export that is not a plain quote file (chat replies, call
transcripts, agent notes, quotes with a Hebrew amount ...) is *claimed* by the
spark engine when Spark's text reader splits it into the records Python's reader
reads: UTF-8 throughout (no byte-order mark), no carriage return, no reading
option; for a CSV, one record per line: no field starts with a quote (so none
spans lines), and no ``sep=`` line. Then, on the executors, with ``mapInArrow``
over the partitions of its lines:

- each line is read by Python's own reader (``from_json_line``; for a CSV the
  header and delimiter found by ``read_csv``'s code on the driver, and its row
  code ``_csv_row``): the same record rules, ``invalid-record`` reasons and
  ``file:line``;
- each Observation the run's filters admit goes through an :class:`Engine` made
  of the run's per-record rules: products named in the text resolved, replies
  routed to an approved answer in batches, the quote statistics counted, and every
  per-record check run (prices and facts read from the text by the same extraction
  code: ``consistency.text``), its findings stamped with fingerprints there.

Only this comes back to the driver: each partition's findings, counts and quote
statistics (merged into the run's Result), the invalid records (which the driver's
engine reports, as for any file), the answer templates that failed to render, and
the quotes among the records (product and amount, without their text), which the
grouped checks (cross-channel-gap, customer-quote-conflict) need whole.

A line's number is the lines before its split plus its place in the split, as for
the plain CSV exports (``SparkColumnar._number``).
"""

from __future__ import annotations

import codecs
import csv
import pickle
import re
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from .engine import Engine
from .model import InvalidRecord, Location, Observation
from .result import Result
from .sources.csvfile import _SEP_HINT, _csv_header, _csv_row, _Feed, sniff_delimiter
from .sources.jsonfile import from_json_line, json_decoder
from .sources.records import RecordContext
from .sources.textfiles import SAMPLE, Undecoded, over_limit

SCHEMA = "kind string, payload binary"  # what a partition sends back: see check_partition
_JOBS: dict[str, Job] = {}  # per executor process: the run's job, unpickled once, with its caches


@dataclass
class TextFile:
    """A claimed JSON Lines export: its number among the text files, path, lines, reading."""

    number: int
    path: str  # as the source named it: evidence cites it
    lines: int
    ends_with_newline: bool
    ctx: RecordContext  # without ``claim`` (which holds the Spark session)
    delimiter: str | None = None  # a CSV's (None: JSON Lines)
    header: list[str] | None = None  # a CSV's column names, as read_csv reads them


def text_export(path: Path, delimiter: str | None = None) -> tuple[int, bool] | None:
    """``(lines, ends with a newline)`` when Spark's text reader splits ``path`` into the
    lines Python's reader reads: strict UTF-8 without a byte-order mark, no carriage
    return and, given a CSV's ``delimiter``, no field that starts with a quote; else None."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    quoted = re.compile(b"(?:^|\n|" + re.escape(delimiter.encode()) + b')"') if delimiter else None
    lines, last = 0, b"\n"
    try:
        with path.open("rb") as fh:
            if fh.read(3) == codecs.BOM_UTF8:
                return None
            fh.seek(0)
            while chunk := fh.read(1 << 20):
                if b"\r" in chunk or (quoted and quoted.search(last + chunk)):
                    return None
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            decoder.decode(b"", final=True)
    except (OSError, UnicodeDecodeError):
        return None
    ends = last == b"\n"
    return lines + (0 if ends else 1), ends


def csv_layout(path: Path, ctx: RecordContext) -> tuple[str, list[str]] | None:
    """``(delimiter, header)`` of a CSV export as ``read_csv`` finds them (the same code, on
    the same sample), or None: a ``sep=`` line, a header over the sample or not read."""
    try:
        with path.open(encoding="utf-8", newline="") as text:
            sample = text.read(SAMPLE)
    except (OSError, UnicodeDecodeError):
        return None
    first, newline, _rest = sample.partition("\n")
    if not newline or _SEP_HINT.match(sample):
        return None
    delimiter = sniff_delimiter(sample, path.suffix.lower())
    limits = ctx.file.limits
    feed = _Feed(iter([(1, first + "\n")]), limits.record_size, Undecoded(str(path), "utf-8"))
    try:
        header = _csv_header(feed, delimiter, ctx.file.columns)
    except OSError:  # a column named twice: Python's reader says so
        return None
    return None if header is None else (delimiter, header)


@dataclass
class Job:
    """What the executors need, pickled once and broadcast: the run's context (without its
    store), its per-record rules, the product resolver, the filters and the files."""

    key: str
    ctx: object  # consistency.checks.Context
    rules: list
    resolver: object
    filters: object
    files: dict[int, TextFile]

    def item(self, number: int, line: int, value: str, decoder):
        """The line's record as Python's ``read_json_lines`` or ``read_csv`` reads it (None: a
        blank line, or a CSV's header)."""
        f = self.files[number]
        text = value if (line == f.lines and not f.ends_with_newline) else value + "\n"
        where = Location(f.path, line)
        limit = f.ctx.file.limits.record_size
        if f.delimiter is not None:
            return _csv_item(f, line, text, where, limit)
        if len(value) > limit:
            return over_limit(where, f"line {line}", limit, f.ctx)
        if not text.strip() or (line == 1 and not text.lstrip("\ufeff").strip()):
            return None
        return from_json_line(text.lstrip("\ufeff"), where, f.ctx, decoder)


def _csv_item(f: TextFile, line: int, text: str, where: Location, limit: int):
    """One line of a CSV text export, as ``read_csv`` reads it (one record per line)."""
    if line == 1:
        return None  # the header, read on the driver
    if len(text) > limit:  # read_csv counts the line's end too
        return over_limit(where, f"the record at line {line}", limit, f.ctx)
    try:
        row = next(csv.reader([text], delimiter=f.delimiter, strict=True), None)
    except csv.Error as err:
        return InvalidRecord(where, f"not CSV: {err}", None, f.ctx.default_channel)
    if row is None:
        return None
    return _csv_row(row, f.header, len(f.header), where, f.ctx)


def make_job(engine, filters, files: list[TextFile]) -> Job:
    """The job of ``files`` for the run ``engine`` drives."""
    rules = [rule for rule, _check, _needs in engine.per_observation]
    ctx = replace(engine.ctx, store=None)  # the store is the driver's; per-record checks skip it
    by_number = {f.number: f for f in files}
    return Job(uuid.uuid4().hex, ctx, rules, engine.resolver, filters, by_number)


def dumps(job: Job) -> bytes:
    """``job`` pickled for the executors (cloudpickle: the resolver is a closure). An answer
    template (jinja2) is pickled as its compiled state: jinja2 cannot unpickle a Template."""
    import io

    import jinja2
    from pyspark import cloudpickle

    class Pickler(cloudpickle.CloudPickler):
        def reducer_override(self, obj):
            if isinstance(obj, jinja2.Template):
                return _template, (type(obj),), dict(vars(obj)), None, None, _template_state
            return super().reducer_override(obj)

    out = io.BytesIO()
    Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(job)
    return out.getvalue()


def _template(cls):
    return object.__new__(cls)  # its compiled state is set by _template_state (see dumps)


def _template_state(template, state: dict) -> None:
    """A template's compiled state back in place. Its render functions' globals name the
    template again, as jinja2's own loading does: jinja2 finds the template's line of an
    error through them (``__jinja_template__``), which cloudpickle leaves out."""
    template.__dict__.update(state)
    for render in (template.root_render_func, *template.blocks.values()):
        render.__globals__.setdefault("__jinja_template__", template)


def check_partition(batches, key: str, job_bytes):
    """The executor's side (``mapInArrow``): ``(file, line, value)`` batches in, ``(kind,
    payload)`` batches out: ``invalid`` (an InvalidRecord), ``quote`` (an Observation the
    grouped checks need), ``findings`` (those of a batch, stamped) and, last, one ``part``
    (the rest of this partition's Result and the answer templates that failed), each
    pickled."""
    import pyarrow as pa

    job = _job(key, job_bytes)
    part = Result(started=datetime.now(UTC))
    engine = Engine(job.ctx, job.rules, part)  # the records come resolved: no resolver
    decoders = {n: json_decoder(f.ctx.file.limits) for n, f in job.files.items()}
    for batch in batches:
        columns = batch.to_pydict()
        kinds, payloads, admitted = [], [], []
        rows = zip(columns["file"], columns["line"], columns["value"], strict=True)
        for number, line, value in rows:
            item = job.item(number, line, value, decoders[number])
            if isinstance(item, InvalidRecord):
                kinds.append("invalid")
                payloads.append(pickle.dumps(item))
            elif isinstance(item, Observation) and (job.filters is None or job.filters.admit(item)):
                admitted.append(_resolved(item, job.resolver))
        engine.feed(admitted)
        for obs in admitted:
            if obs.product is not None and obs.amount is not None:
                kinds.append("quote")
                payloads.append(pickle.dumps(replace(obs, text=None, meta=None)))
        if part.findings:  # sent as found: a partition's findings are never all held here
            kinds.append("findings")
            payloads.append(pickle.dumps(part.findings))
            part.findings = []
        if kinds:
            yield pa.RecordBatch.from_pydict({"kind": kinds, "payload": payloads})
    answers = getattr(job.ctx, "answers", None)
    failures = dict(answers.failures) if answers is not None else {}
    yield pa.RecordBatch.from_pydict(
        {"kind": ["part"], "payload": [pickle.dumps((part, failures))]}
    )


def _job(key: str, job_bytes) -> Job:
    """The job ``key`` (a broadcast of its bytes), unpickled once per executor process: only
    the latest run's job is kept."""
    if key not in _JOBS:
        _JOBS.clear()
        _JOBS[key] = pickle.loads(job_bytes.value)
    return _JOBS[key]


def _resolved(obs: Observation, resolver) -> Observation:
    """``obs`` with the product its name or text names, when it names none (as
    ``Engine._resolve``, before the engine sees it: the quotes sent back need it)."""
    if obs.product is not None or resolver is None:
        return obs
    for text in (obs.name, obs.text):
        product = resolver(text) if text else None
        if product is not None:
            return replace(obs, product=product)
    return obs


def merge(engine, filters, kind: str, payload: bytes) -> None:
    """One row sent back by ``check_partition``, into the driver's ``engine``."""
    value = pickle.loads(payload)
    if kind == "invalid":
        engine.feed([value], filters)  # reported as the engine reports any unreadable record
    elif kind == "findings":
        engine.result.findings.extend(value)
    elif kind == "quote":
        for rule, state in engine.grouped:
            if rule.channels is None or value.channel in rule.channels:
                try:
                    state.add(value)
                except Exception as err:  # as Engine.observe: one check's bug is its finding
                    engine.internal_error(rule, err, value)
    else:
        part, failures = value
        _merge_result(engine.result, part)
        answers = getattr(engine.ctx, "answers", None)
        if answers is not None:
            for message, failure in failures.items():
                answers.failures.setdefault(message, failure)


def _merge_result(result: Result, part: Result) -> None:
    result.findings.extend(part.findings)
    result.observations += part.observations
    result.unrouted += part.unrouted
    result.other_currency += part.other_currency
    result.channels |= part.channels
    for key, stats in part.quotes.items():
        result.quotes.setdefault(key, type(stats)()).merge(stats)
    result.errors.extend(e for e in part.errors if e not in result.errors)
