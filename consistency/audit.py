"""The main job: load and validate, gather every source, run the rules, return the Result."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from .checks import Context
from .columnar import Columnar
from .engine import Filters, run
from .errors import InputError, OutputError, bug_report_hint
from .inputs import load as load_inputs
from .inputs.config import Config
from .outputs import stopped
from .pricebook import PriceBook
from .result import Result
from .sources.gather import Gathering, gather
from .sources.records import RecordContext
from .store import DEFAULT_MEMORY, Store

# The audit engines: duckdb judges plain exports in SQL; python reads every record in Python
# (the reference the tests hold the other to); spark runs duckdb's plan on Apache Spark
# (consistency.spark_engine).
ENGINES = ("duckdb", "python", "spark")


@dataclass
class AuditOptions:
    observations: list[Path] = field(
        default_factory=list
    )  # extra record files (``--observations``)
    fetch: bool = True  # run the live fetchers
    filters: Filters = field(default_factory=Filters)
    evidence_dir: Path | None = None
    jobs: int | None = None  # the DuckDB store's threads (None: every core)
    engine: str = "duckdb"  # duckdb: plain exports judged in SQL (consistency.columnar); python
    spark_master: str = "local[*]"  # spark engine: the master URL (local mode by default)
    memory_limit: str = DEFAULT_MEMORY  # the DuckDB store's, past which it spills to disk
    progress: Callable[[Iterable], Iterable] | None = None  # wraps the items read (progress.py)


@dataclass
class Setup:
    """Everything loaded from the YAML inputs (``inputs.load``), and the checks' context."""

    config: Config
    book: PriceBook
    rules: list
    context: Context
    channels: tuple[str, ...]


def prepare(config: Config) -> Setup:
    """The config's inputs through the one door (``inputs.load``), with the checks' context.

    Raises ``InputError`` with every problem of every file."""
    loaded = load_inputs(config)
    context = Context(
        book=loaded.book, timezone=loaded.timezone, channels=loaded.channels, answers=loaded.answers
    )
    return Setup(config, loaded.book, list(loaded.rules), context, loaded.channels)


def audit(config: Config, options: AuditOptions | None = None) -> Result:
    """Audit every source, in one process: the engine's own threads use the cores."""
    options = options or AuditOptions()
    result = _audit(config, options)
    if result.rules == 0:
        result.errors.append("no rule was evaluated: the rule sets enable none")
    if result.observations == 0:
        result.errors.append(
            "no observation was read: check the sources and --channel/--since/--until"
        )
    result.finished = datetime.now(config.timezone)
    return result


def _audit(config: Config, options: AuditOptions) -> Result:
    setup = prepare(config)
    tz = config.timezone
    result = Result(
        started=datetime.now(tz),
        config=str(config.path) if config.path else None,
        price_list_version=setup.book.list.version,
    )
    with Store(options.memory_limit, threads=options.jobs) as store:
        return _audit_sources(config, options, setup, store, result)


def _audit_sources(config, options, setup, store, result) -> Result:
    """Gather and check every source with the run's ``store``; fills ``result``."""
    tz = config.timezone
    context = replace(setup.context, store=store)
    columnar = _make_columnar(options, context, store, setup.rules)
    if options.engine == "duckdb":  # load the plain exports several at once, ahead of reading
        columnar.prefetch(export_files(config))
    claim = columnar.claim if columnar is not None else None
    records = RecordContext(tz, setup.book.currency, frozenset(setup.channels), claim=claim)
    gathering = Gathering(config, records, fetch=options.fetch, evidence_dir=options.evidence_dir)
    gathering.extra = fetcher_extra(setup)
    items = gather(gathering, options.observations)
    if options.progress is not None:
        items = options.progress(items)
    try:
        run(
            context,
            setup.rules,
            items,
            result,
            filters=options.filters,
            resolver=resolver(setup),
            columnar=columnar,
        )
    except InputError:
        raise
    except OutputError as err:  # e.g. the evidence folder is full: keep what was found
        result.errors.append(str(err))
    except Exception as err:  # a bug outside the checks: keep what was found, and say so
        if (code := stopped()) is not None:  # a query interrupted by SIGTERM or Ctrl-C
            raise SystemExit(code) from err
        result.errors.append(f"internal error: {type(err).__name__}: {err} ({bug_report_hint()})")
    finally:  # a run stopped early: no loading thread outlives the store
        if columnar is not None:
            columnar.close()
    result.errors.extend(f"cannot read {what}" for what in gathering.unreadable)
    if columnar is not None:
        result.read_by_python = list(columnar.declined)
    if setup.context.answers is not None:  # a template over budget on a branch lint missed
        result.errors.extend(str(e) for e in setup.context.answers.failures.values())
    return result


def _make_columnar(options, context, store, rules) -> Columnar | None:
    """The columnar path of the duckdb or spark engine; None for the python engine."""
    if options.engine == "python":
        return None
    if options.engine == "spark":
        from .spark_engine import SparkColumnar

        return SparkColumnar(context, store, rules, options.spark_master)
    return Columnar(context, store, rules)


def export_files(config: Config) -> list[tuple[str, str | None]]:
    """``(path, channel)`` of every file the config's record sources name without a reading
    option: the files the duckdb engine may claim (it checks each one when asked)."""
    from .inputs.files import FileOptions
    from .sources.files import matching_paths, refuse_file

    found = []
    for source in config.sources:
        if not source.files or source.format != "records":
            continue
        if FileOptions.from_source(source.options) != FileOptions():
            continue
        for pattern in source.files:  # what the reader refuses (a pipe may block) is not
            found += [
                (p, source.channel)
                for p in matching_paths(pattern)
                if refuse_file(p, literal=False) is None
            ]
    return found


def fetcher_extra(setup: Setup) -> dict:
    """What fetchers need beyond their source: the approved answers' questions for http-chat,
    and the products (sku, gtin, name, aliases) that pick a web page's offer."""
    extra = {"web": {"products": setup.book.list.products}}
    answers = setup.context.answers
    if answers is not None:
        extra["http-chat"] = {"questions": answers.questions()}
    return extra


def resolver(setup: Setup):
    """text -> the one product it names by name or alias, else None."""
    from .text.mentions import ProductMatcher

    matcher = ProductMatcher(setup.book.list.products.values())

    def resolve(text: str) -> str | None:
        found = {m.id for m in matcher.find(text)}
        return found.pop() if len(found) == 1 else None

    return resolve


@dataclass
class Settled:
    """A finished run after the baseline and the history had their say."""

    result: Result
    notes: list[str] = field(default_factory=list)  # told to the user on stderr
    previous: set[str] | None = None  # the previous run's fingerprints, for ``notify_on: change``


def settle(
    result: Result, config: Config | None, baseline: Path | None = None, filters=None
) -> Settled:
    """Mark baselined findings, then record the run in the history and mark new/recurring.

    ``result.resolved`` becomes what the previous run found and this one no longer does.
    A run narrowed by ``--channel``, ``--since`` or ``--until`` could not re-check the
    rest (a cross-channel gap needs every channel), so it is marked new/recurring from
    the history but not recorded in it, and it resolves nothing: the next full run is
    compared with the last full one.
    """
    settled = Settled(result)
    tz = config.timezone if config else result.started.tzinfo
    if baseline is not None:
        from .baseline import apply, load_baseline

        settled.result, expired = apply(
            settled.result, load_baseline(baseline, tz), datetime.now(tz)
        )
        settled.notes += [
            f"baseline entry {e.fingerprint} expired on {e.expires.isoformat()} ({e.reason})"
            for e in expired
        ]
    if config is not None and config.history is not None:
        from .history import History

        history = History(config.history)
        settled.previous = history.previous_fingerprints(settled.result)
        if filters is not None and filters.narrowed:
            settled.result = _statuses(history, settled.result)
            settled.notes.append("a run narrowed by --channel/--since/--until is not recorded")
            return settled
        settled.result = history.record(settled.result)
        gone = history.resolved(settled.result)
        settled.result.resolved = gone
        if gone:
            settled.notes.append(f"{len(gone)} finding(s) of the previous run are resolved")
    return settled


def _statuses(history, result: Result) -> Result:
    """new/recurring from what the history has seen, without recording this run."""
    seen = history.since(result)

    def status(finding):
        if finding.status == "baselined":
            return finding
        return replace(finding, status="recurring" if finding.fingerprint in seen else "new")

    return replace(result, findings=[status(f) for f in result.findings])
