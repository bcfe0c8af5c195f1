"""The command line: parse, call one function, exit 0 / 1 / 2 (SPEC 4).

0: nothing at or above ``--fail-on``; 1: findings at or above it; 2: the tool
could not do its job (usage, invalid input, a source it could not read). Every
user error ends in a message naming file, line and field, never a traceback.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import stat
import sys
import traceback
from datetime import datetime
from pathlib import Path

import click

from . import __version__, report
from .errors import InputError, OutputError, bug_report_hint
from .inputs.config import Config, find_config, load_config
from .outputs import exit_on_sigterm, write_atomic
from .result import FAIL_ON, Result
from .text.display import plural

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
EXIT_PIPE = 141  # 128 + SIGPIPE: what a shell reports for a tool its reader stopped
COLOR = ("auto", "always", "never")
CONFIG_ENV = "CONSISTENCY_CONFIG"


class Failure(click.ClickException):
    """The tool could not do its job: message to stderr, exit 2."""

    exit_code = EXIT_ERROR

    def show(self, file=None) -> None:
        click.echo(f"consistency: {self.message}", err=True)


def guarded(command):
    """Turn InputError into file:line messages and unexpected errors into exit 2."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except InputError as err:
            for problem in err.errors:
                click.echo(str(problem), err=True)
            n = len(err.errors)
            click.echo(f"consistency: {plural(n, 'problem')} in the input", err=True)
            sys.exit(EXIT_ERROR)
        except OutputError as err:  # a read-only folder, a full disk: the place, not a bug
            raise Failure(str(err)) from None
        except (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit):
            raise
        except BrokenPipeError:  # the reader closed the pipe (``| head``): end quietly
            _stdout_gone()
            sys.exit(EXIT_PIPE)
        except Exception as err:  # the last guard: report, never a raw traceback
            if os.environ.get("CONSISTENCY_DEBUG") or _verbose():
                traceback.print_exc()
            raise Failure(
                f"internal error: {type(err).__name__}: {err}\n({bug_report_hint()})"
            ) from err

    return wrapper


def _stdout_gone() -> None:
    """Point stdout at the null device, so nothing more (not even the final flush) fails."""
    try:
        fileno = sys.stdout.fileno()
    except (OSError, ValueError):  # no real stdout to replace (a test runner's buffer)
        return
    os.dup2(os.open(os.devnull, os.O_WRONLY), fileno)


def use_color(choice: str, stream, env=None) -> bool:
    """Whether to color: ``always``/``never`` as said; ``auto`` on a terminal, unless
    ``NO_COLOR`` is set to anything but the empty string (https://no-color.org) or
    ``TERM`` is ``dumb``.

    >>> import io
    >>> use_color("always", io.StringIO(), {}), use_color("auto", io.StringIO(), {})
    (True, False)
    """
    env = os.environ if env is None else env
    if choice != "auto":
        return choice == "always"
    if env.get("NO_COLOR") or env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def _neutral(text: str) -> str:
    """Text from a file or a server, its control and bidi-override characters shown escaped."""
    from .report.safe import neutral

    return neutral(text)


def _verbose() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx and (ctx.meta.get("verbose") or ctx.find_root().params.get("verbose")))


def _remember(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    if value:
        ctx.meta[param.name] = True
    return value


# Accepted after any command too (``consistency audit --verbose``), as SPEC's common options.
verbose_option = click.option(
    "--verbose",
    "-v",
    is_flag=True,
    expose_value=False,
    callback=_remember,
    help="More detail on stderr; tracebacks of internal errors.",
)


class _EndsQuietly:
    """``--help`` and ``--version`` into a closed pipe end with 141 too, as every command does
    (click itself would exit 1)."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _stdout_gone()
            sys.exit(EXIT_PIPE)


class Command(_EndsQuietly, click.Command):
    pass


class Group(_EndsQuietly, click.Group):
    command_class = Command


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="consistency")
@click.option("--verbose", "-v", is_flag=True, help="More detail; tracebacks of internal errors.")
def main(verbose: bool) -> None:
    """Catch a company contradicting itself: channel quotes and replies against one price list."""
    exit_on_sigterm()  # a terminated run removes its half-written files


def config_option(command):
    return click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="consistency.yaml (default: $CONSISTENCY_CONFIG, else the first one in the "
        "working directory or a folder above it).",
    )(command)


def output_options(command):
    command = click.option(
        "--format",
        "formats",
        multiple=True,
        type=click.Choice(report.names()),
        help="Report format; repeat for several (then --output is a folder).",
    )(command)
    command = click.option(
        "--output",
        "-o",
        type=click.Path(path_type=Path),
        help="Write the report here (a folder with several formats) instead of stdout.",
    )(command)
    command = click.option(
        "--fail-on",
        type=click.Choice(FAIL_ON),
        default="error",
        show_default=True,
        help="Exit 1 when a finding is at or above this severity.",
    )(command)
    command = color_option(command)
    command = locale_option(command)
    return click.option("--quiet", "-q", is_flag=True, help="No report on stdout; exit code only.")(
        command
    )


def _locale(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        from .report.i18n import UnknownLocale, parse_locale

        try:
            parse_locale(value)
        except UnknownLocale as err:
            raise click.BadParameter(str(err), ctx=ctx, param=param) from None
        ctx.meta["locale"] = value
    return value


def locale_option(command):
    return click.option(
        "--locale",
        expose_value=False,
        callback=_locale,
        help="Language of the HTML report and email: he, en … (default: report.locale, else "
        "Hebrew when the price list's names are Hebrew).",
    )(command)


def color_option(command):
    return click.option(
        "--color",
        type=click.Choice(COLOR),
        default="auto",
        show_default=True,
        help="Color the text report: auto is on a terminal, unless NO_COLOR is set.",
    )(command)


def locate_config(given: Path | None, env=None, cwd: Path | None = None) -> Path | None:
    """The config to use: ``--config``, else ``$CONSISTENCY_CONFIG``, else the first
    ``consistency.yaml`` (or ``.yml``) in the working directory or a folder above it."""
    if given is not None:
        return given
    env = os.environ if env is None else env
    named = env.get(CONFIG_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise Failure(f"{CONFIG_ENV}={named}: no such config file")
        return path
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        found = find_config(folder)
        if found is not None:
            return found if folder != here else found.relative_to(here)
    return None


def load(config_path: Path | None) -> Config:
    path = locate_config(config_path)
    if path is None:
        raise Failure(
            "no consistency.yaml in the working directory or a folder above it; "
            f"give --config FILE or set {CONFIG_ENV}"
        )
    if not path.is_file():
        raise Failure(f"{path}: no such config file")
    try:
        config = load_config(path)
    except InputError:  # with every problem of the files it names too, as lint reports them
        from .inputs import collect

        raise InputError(collect(path)[1]) from None
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta["config"] = config  # for the report options (product names, locale)
    return config


def _memory(text: str) -> str:
    """A --memory-limit such as 512MB or 4GB, checked here so DuckDB never sees a bad one.

    Below ``MIN_MEMORY`` DuckDB cannot hold the blocks it must pin while it spills.
    """
    from .store import MAX_MEMORY, MIN_MEMORY, size_bytes

    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*", text, re.I)
    if not found:
        raise click.BadParameter(
            f"{text!r} is not a size such as 512MB or 4GB", param_hint="--memory-limit"
        )
    size = size_bytes(found.group(1), found.group(2))
    if size < size_bytes(*MIN_MEMORY):
        raise click.BadParameter(
            f"{text!r} is below the least the store can spill with ({''.join(MIN_MEMORY)})",
            param_hint="--memory-limit",
        )
    if size > size_bytes(*MAX_MEMORY):  # DuckDB refuses some, and no machine has them
        raise click.BadParameter(
            f"{text!r} is more than the store takes ({''.join(MAX_MEMORY)})",
            param_hint="--memory-limit",
        )
    physical = _physical_memory()
    if physical and size > physical:
        click.echo(
            f"consistency: --memory-limit {text.strip()} is more than this machine's memory"
            f" ({physical / 1e9:.0f} GB): the store will not spill before the system runs out",
            err=True,
        )
    return text.strip()


def _physical_memory() -> int | None:
    """This machine's memory in bytes, where the system tells it."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


@main.command()
@verbose_option
@config_option
@output_options
@click.option("--channel", "channels", multiple=True, help="Only these channels (repeatable).")
@click.option("--since", help="Only observations at or after this date/time.")
@click.option("--until", help="Only observations up to this date/time (a date: its whole day).")
@click.option(
    "--observations",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also read these record files (e.g. from `consistency fetch`); fetchers do not run.",
)
@click.option("--no-fetch", is_flag=True, help="Do not run the live fetchers; files only.")
@click.option(
    "--baseline",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Accepted findings (with reason and expiry): reported as baselined, never failing.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write every finding of this run to a baseline file (needs --reason and --expires).",
)
@click.option("--reason", help="Why the findings of --write-baseline are accepted.")
@click.option(
    "--expires", type=click.DateTime(["%Y-%m-%d"]), help="Expiry date for --write-baseline."
)
@click.option("--email", "send_email", is_flag=True, help="Email the report as email: says.")
@click.option(
    "--notify",
    "send_notify",
    is_flag=True,
    help="Post a summary to the notify: URLs (Slack, Teams, webhooks …), as notify_on says.",
)
@click.option(
    "--evidence",
    type=click.Path(file_okay=False, path_type=Path),
    help="Keep fetched pages and replies in this folder (content-addressed).",
)
@click.option(
    "--jobs",
    type=click.IntRange(1, 64),
    help="The run's DuckDB threads (default: every core). The findings are the same either way.",
)
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "python", "spark"]),
    default="duckdb",
    show_default=True,
    help="duckdb judges plain quote exports (CSV, JSON Lines, JSON arrays, Parquet) in SQL "
    "(fast); python reads every record in Python (the reference); spark runs duckdb's "
    "queries on Apache Spark (needs the spark extra and Java). The findings are the same "
    "either way.",
)
@click.option(
    "--spark-master",
    default="local[*]",
    show_default=True,
    metavar="URL",
    help="With --engine spark, Spark's master: local[*] (this machine), spark://host:7077, "
    "yarn, k8s://…",
)
@click.option(
    "--memory-limit",
    default="256MB",
    show_default=True,
    metavar="SIZE",
    callback=lambda _ctx, _param, value: _memory(value),
    help="Memory of the run's embedded DuckDB store (e.g. 512MB, 4GB; at least 128MB), used by "
    "both engines; past it, it spills to a temporary folder.",
)
@guarded
def audit(config_path, formats, output, fail_on, quiet, channels, since, until, **more):
    """Load, validate, gather every source, run the rules, report."""
    from .audit import AuditOptions, settle
    from .audit import audit as run_audit
    from .engine import Filters

    config = load(config_path)
    _check_audit_options(config, more)
    _check_channels(config, channels)
    tz = config.timezone
    start, end = _when(since, tz, "--since"), _when(until, tz, "--until", end=True)
    if start is not None and end is not None and start >= end:
        raise click.BadParameter(
            f"{since!r} is not before --until {until!r}: the period would be empty",
            param_hint="--since",
        )
    filters = Filters(frozenset(channels), start, end)
    observations = list(more["observations"])
    fetch = not (more["no_fetch"] or observations)
    options = AuditOptions(observations, fetch, filters, more["evidence"], more["jobs"])
    options.engine, options.memory_limit = more["engine"], more["memory_limit"]
    options.spark_master = more["spark_master"]
    _with_progress(options, quiet)
    result = None
    try:
        result = run_audit(config, options)
    finally:  # the bar's last line counts the records the duckdb engine read itself too
        getattr(getattr(options, "progress", None), "finish", lambda _result: None)(result)
    try:
        settled = settle(result, config, more["baseline"], filters)
    except InputError:  # an unusable history or baseline: the report is still written
        emit(result, config, formats, output, quiet, color=more["color"])
        raise
    except (OSError, sqlite3.Error) as err:  # the history file cannot even be opened
        emit(result, config, formats, output, quiet, color=more["color"])
        raise Failure(f"cannot record the run in the history {config.history}: {err}") from None
    result = settled.result
    try:
        emit(result, config, formats, output, quiet, color=more["color"])
        for note in settled.notes:
            click.echo(f"consistency: {_neutral(note)}", err=True)
        _explain_errors(result)
        if _verbose():
            _tell_run(result)
        if more["write_baseline"]:
            _write_baseline(result, more)
        if more["send_email"]:
            _send(result, config, settled.previous)
        if more["send_notify"]:
            _notify(result, config, settled.previous)
    except (Failure, OutputError):  # exit 2 after the run was recorded: record it as failed
        _failed_in_history(config, result)
        raise
    sys.exit(result.exit_code(fail_on))


def _failed_in_history(config: Config, result: Result) -> None:
    """Mark the recorded run failed (docs/history.md: an exit-2 run shows ``(failed)``)."""
    if config.history is None:
        return
    from .history import History

    try:
        History(config.history).mark_failed(result)
    except (InputError, OSError, sqlite3.Error) as err:
        click.echo(f"consistency: could not mark the run failed in the history: {err}", err=True)


def _with_progress(options, quiet: bool) -> None:
    """Draw the records read on a terminal (not in CI, not with --quiet): see progress.py."""
    from dataclasses import fields

    from .progress import Reading

    if "progress" in {f.name for f in fields(options)}:
        options.progress = Reading(quiet=quiet, finish_later=True)  # ended after the run


def _tell_run(result: Result) -> None:
    seconds = (result.finished - result.started).total_seconds() if result.finished else 0
    counts = ", ".join(f"{n} {severity}" for severity, n in result.counts().items())
    click.echo(
        f"consistency: {result.observations} observations from {', '.join(sorted(result.channels))}"
        f"; {result.rules} rules; {counts}; {result.unrouted} unrouted; {seconds:.2f} s",
        err=True,
    )
    if result.read_by_python:  # why a run is slower than its size suggests
        shown = ", ".join(result.read_by_python[:5])
        more = len(result.read_by_python) - 5
        click.echo(
            f"consistency: read by Python, not claimed by the engine (not plain quote exports,"
            f" docs/engine.md): {shown}{f' and {more} more' if more > 0 else ''}",
            err=True,
        )


def _check_channels(config: Config, channels) -> None:
    """A ``--channel`` the config and the price list do not know is a usage error (a typo
    would otherwise filter everything out)."""
    if not channels:
        return
    known = set(config.channels)
    unknown = sorted(set(channels) - known)
    if unknown:
        from .inputs import load as load_inputs

        known |= set(load_inputs(config).channels)
        unknown = sorted(set(channels) - known)
    if unknown:
        raise click.BadParameter(
            f"{', '.join(map(repr, unknown))} is not a channel of {config.path}; "
            f"known: {', '.join(sorted(known))}",
            param_hint="--channel",
        )


def _check_audit_options(config: Config, more: dict) -> None:
    if more["engine"] == "spark":
        from .spark_engine import SparkUnavailable, require

        try:
            require()
        except SparkUnavailable as err:
            raise Failure(str(err)) from None
    if more["send_email"] and config.email is None:
        raise Failure(f"{config.path}: --email needs an email: section in the config")
    if more["write_baseline"] and not (more["reason"] and more["expires"]):
        raise Failure("--write-baseline needs --reason and --expires")


def _write_baseline(result: Result, more: dict) -> None:
    from .baseline import write_baseline

    path = more["write_baseline"]
    count = write_baseline(result, path, more["reason"], more["expires"].date())
    click.echo(f"consistency: wrote {count} baseline entries to {path}", err=True)


def _send(result: Result, config: Config, previous) -> None:
    from .mail import MailError
    from .notify import email_report, wanted

    if not wanted(result, config.email, previous):
        click.echo(f"consistency: no email (notify_on: {config.email.notify_on})", err=True)
        return
    options = html_options(result)
    try:
        done = email_report(result, config.email, **options)
    except MailError as err:
        raise Failure(f"email not sent: {err}") from None
    click.echo(f"consistency: {done}", err=True)


def _notify(result: Result, config: Config, previous) -> None:
    from .mail import should_send

    settings = getattr(config, "notify", None)
    if settings is None:
        raise Failure(f"{config.path}: --notify needs a notify: section with urls")
    if not should_send(result, settings.notify_on, previous):
        click.echo(f"consistency: no notification (notify_on: {settings.notify_on})", err=True)
        return
    _post(result, settings.urls, product_names(config))


def _post(result: Result, urls, names: dict) -> None:
    from .notify import NotifyError, notify

    try:
        options = html_options(result)
        sent = notify(result, urls, names=names or options["names"], locale=options["locale"])
    except NotifyError as err:
        raise Failure(f"notification not sent: {err}") from None
    click.echo(f"consistency: notified {', '.join(sent)}", err=True)


def emit(
    result: Result,
    config: Config | None,
    formats,
    output: Path | None,
    quiet: bool,
    *,
    color: str = "auto",
) -> None:
    """Write the report: to --output, to the config's report folder, and/or to stdout."""
    chosen = list(formats) or [report.default_format(os.environ)]
    if output is not None:
        write_reports(result, chosen, output)
    elif len(chosen) > 1:
        raise Failure("several --format values need --output FOLDER")
    elif not quiet:
        to_stdout(result, chosen[0], color)
    if config is not None and config.report_output is not None and not formats and output is None:
        write_reports(result, list(config.report_formats), config.report_output)


def to_stdout(result: Result, fmt: str, color: str) -> None:
    """Render to stdout. A reader that stops early (``| head``) ends the report quietly; the
    run goes on (files, history, email) and exits with its own code."""
    stream = sys.stdout
    try:
        report.render(
            result, fmt, stream, color=use_color(color, stream), options=_options(result, fmt)
        )
        stream.flush()
    except BrokenPipeError:
        _stdout_gone()
        ctx = click.get_current_context(silent=True)
        if ctx is not None:
            ctx.meta["pipe_closed"] = True


def write_reports(result: Result, formats: list[str], output: Path) -> list[Path]:
    if output == Path(os.devnull):  # --output /dev/null: render nothing, write nothing
        return []
    targets = (
        [output]
        if len(formats) == 1 and output.suffix
        else [output / f"consistency{report.get(f).SUFFIX}" for f in formats]  # the reporter's
    )
    written, failed = [], []
    for fmt, target in zip(formats, targets, strict=True):
        options = _options(result, fmt)
        try:
            write_atomic(
                target,
                lambda stream, fmt=fmt, o=options: report.render(result, fmt, stream, options=o),
            )
        except OutputError as err:  # write the other formats anyway, then say so
            failed.append(err)
        else:
            written.append(target)
    if len(failed) > 1:
        raise OutputError(output, "; ".join(f"{e.path}: {e.reason}" for e in failed))
    if failed:
        raise failed[0]
    return written


def _options(result: Result, fmt: str) -> dict | None:
    """JUnit lists the rules that ran clean as passing test cases: tell it which ran where.
    The HTML report speaks the reader's language and names products by the price list."""
    if fmt in ("html", "json"):  # json: the run's locale and product names, for later
        return html_options(result)
    if fmt != "junit":
        return None
    return {"rules": list(result.rule_ids), "channels": sorted(result.channels)}


def html_options(result: Result | None = None) -> dict:
    """``locale`` and ``names`` (product id -> name) for the HTML report, the email and the
    notification, by one rule for every command (``report.i18n.reader_locale``): --locale,
    else report.locale, else Hebrew for a Hebrew price list. The config is the command's;
    for a saved result without --config, the one that produced it (its ``run.config``), else
    the one found as ``audit`` finds it; none readable: the findings' own text decides."""
    from .report.i18n import reader_locale, saved_reader

    ctx = click.get_current_context(silent=True)
    meta = ctx.meta if ctx else {}
    config = meta.get("config")
    if config is None and result is not None:
        config = _config_of(result, meta)
    names = product_names(config) if config is not None else {}
    chosen = meta.get("locale") or getattr(config, "report_locale", None)
    saved_locale, saved_names = saved_reader(meta.get("saved_run"))  # a saved result's own
    names = names or saved_names
    chosen = chosen or saved_locale
    findings = result.findings if result is not None else ()
    return {"locale": reader_locale(chosen, names, findings), "names": names}


def _config_of(result: Result, meta: dict) -> Config | None:
    """The config a saved result was made with (its ``run.config``; a relative one from the
    working folder, or from the result's folder or one above it, where audit ran), else the
    one ``audit`` would find; ``None`` when none can be read (the report is still written,
    in the findings' language)."""
    if "result_config" not in meta:
        meta["result_config"] = None
        candidates = _made_with(result, meta.get("result_file"))
        named = os.environ.get(CONFIG_ENV)
        if not named or Path(named).is_file():  # else locate_config fails: no such file
            candidates.append(locate_config(None))
        for path in candidates:
            if path is None or not path.is_file():
                continue
            try:
                meta["result_config"] = load_config(path)
                break
            except (InputError, OSError):
                continue
    return meta["result_config"]


def _made_with(result: Result, saved: Path | None) -> list[Path | None]:
    if not result.config:
        return []
    named = Path(result.config)
    if named.is_absolute() or saved is None:
        return [named]
    folder = Path(saved).resolve().parent
    return [named] + [above / named for above in (folder, *folder.parents)]


def product_names(config: Config) -> dict[str, str]:
    """Product id -> name from the config's price list (empty when it cannot be read: the
    report then names products by id)."""
    from .inputs import price_list as config_price_list  # the audit's own, not read again

    try:
        price_list = config_price_list(config)
    except (InputError, OSError):
        return {}
    return {product.id: product.name for product in price_list.products.values()}


def _explain_errors(result: Result) -> None:
    for error in result.errors:
        click.echo(f"consistency: {_neutral(error)}", err=True)


def _when(value: str | None, tz, option: str, *, end: bool = False) -> datetime | None:
    """``--since``/``--until`` by SPEC 3's date rules (consistency.inputs.dates)."""
    from .inputs.dates import parse_bound

    if not value:
        return None
    try:
        return parse_bound(value, tz, end=end)
    except ValueError as err:
        raise click.BadParameter(str(err), param_hint=option) from None


@main.command()
@verbose_option
@config_option
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option("--quiet", "-q", is_flag=True, help="Nothing on success; problems only.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
    help="How problems are written to stdout: text, json, github (annotations), sarif.",
)
@guarded
def lint(config_path, files, quiet, fmt):
    """Validate price list, answers, rules and config without gathering."""
    from .lint import lint as run_lint
    from .lint import render

    if config_path is None and not files:
        config_path = locate_config(None)
        if config_path is None:
            raise Failure(
                "nothing to lint: give FILE… or --config, set CONSISTENCY_CONFIG, "
                "or run where consistency.yaml is (or below it)"
            )
    context = locate_config(None) if config_path is None else None  # FILE…: audit's config
    problems = run_lint(config_path, list(files), context)
    if problems or fmt != "text":
        render(problems, fmt, click.get_text_stream("stdout"))
    if problems:
        click.echo(f"consistency: {plural(len(problems), 'problem')} in the input", err=True)
        sys.exit(EXIT_ERROR)
    if not quiet:  # stdout holds only the document in json and sarif (M5)
        click.echo("ok: no problems found", err=fmt != "text")


@main.command("report")
@verbose_option
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@output_options
@guarded
def report_command(result_file, formats, output, fail_on, quiet, color):
    """Render a saved RESULT.json again in another format."""
    result = read_result(result_file)
    emit(result, None, formats, output, quiet, color=color)
    if click.get_current_context().meta.get("pipe_closed"):  # nothing more to do: as lint
        sys.exit(EXIT_PIPE)
    sys.exit(result.exit_code(fail_on))


@main.command("email")
@verbose_option
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--dry-run",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the message to this .eml file instead of sending it.",
)
@locale_option
@guarded
def email_command(result_file, config_path, dry_run):
    """Send a saved RESULT.json as the HTML email (settings from the config's email:)."""
    from .mail import MailError
    from .notify import email_report

    config = load(config_path)
    if config.email is None:
        raise Failure(f"{config.path}: no email: section (to, from, smtp)")
    result = read_result(result_file)
    try:
        done = email_report(result, config.email, dry_run=dry_run, **html_options(result))
    except MailError as err:
        raise Failure(f"email not sent: {err}") from None
    click.echo(f"consistency: {done}", err=True)


@main.command("notify")
@verbose_option
@click.argument("result_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@config_option
@click.option(
    "--url",
    "urls",
    multiple=True,
    help="An Apprise URL (slack://…, workflows://…, json://host/path …); default: notify.urls.",
)
@locale_option
@guarded
def notify_command(result_file, config_path, urls):
    """Post a saved RESULT.json's summary to Slack, Teams or a webhook, through Apprise."""
    result = read_result(result_file)
    names: dict = {}
    if not urls:
        config = load(config_path)
        settings = getattr(config, "notify", None)
        if settings is None:
            raise Failure(f"{config.path}: no notify: section; give --url")
        urls, names = settings.urls, product_names(config)
    elif config_path is not None:
        names = product_names(load(config_path))
    _post(result, urls, names)


@main.command("history")
@verbose_option
@config_option
@click.option("--days", type=click.IntRange(1), default=30, show_default=True)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@guarded
def history_command(config_path, days, fmt):
    """Findings per channel and rule over the last runs, from the history store."""
    from .history import history_json, history_table

    config = load(config_path)
    if config.history is None:
        raise Failure(f"{config.path}: no history: file configured")
    render = history_json if fmt == "json" else history_table
    click.echo(render(config.history, days))


@main.command("extract")
@verbose_option
@click.argument("texts", nargs=-1)
@config_option
@click.option(
    "--price-list",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Also find product mentions, by the names and aliases of this price list.",
)
@guarded
def extract_command(texts, config_path, price_list):
    """Print the facts and product mentions in each TEXT (or each stdin line) as JSON Lines."""
    from .extract import main as run_extract

    matcher = _matcher(config_path, price_list)
    lines = texts or (line.rstrip("\n") for line in sys.stdin)
    run_extract(lines, matcher, sys.stdout)


def _matcher(config_path: Path | None, price_list: Path | None):
    """Products to find: ``--price-list``'s, else those of the config found as audit finds
    it (``--config``, ``$CONSISTENCY_CONFIG``, ``./consistency.yaml``), loaded as audit does."""
    from .inputs.prices import load_price_list
    from .text.mentions import ProductMatcher

    if price_list is not None:
        from zoneinfo import ZoneInfo

        from .inputs.config import DEFAULT_TIMEZONE

        products = load_price_list(price_list, ZoneInfo(DEFAULT_TIMEZONE)).products
        return ProductMatcher(products.values())
    if locate_config(config_path) is None:
        return None
    from .inputs import load as load_inputs

    return ProductMatcher(load_inputs(load(config_path)).book.list.products.values())


@main.command("diff")
@verbose_option
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--base", "base_ref", metavar="GIT_REF", help="Compare NEW with itself at this ref.")
@config_option
@click.option(
    "--answers",
    "answers_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Approved answers to check for impact (default: the config's).",
)
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything changed, like git diff.")
@guarded
def diff(files, base_ref, config_path, answers_path, fmt, output, exit_code):
    """Keyed diff of two price lists (OLD NEW, or NEW --base GIT_REF) and what it touches."""
    from . import diff as diffing
    from .inputs.config import DEFAULT_TIMEZONE

    wanted = 1 if base_ref else 2
    if len(files) != wanted:
        raise Failure("give OLD NEW, or NEW --base GIT_REF")
    config_path = locate_config(config_path)
    config = load(config_path) if config_path else None
    if config is not None:  # the config's inputs, through the door audit and lint use
        from .inputs import load as load_inputs

        load_inputs(config)
    answers = answers_path or (config.answers if config else None)
    request = diffing.DiffRequest(
        new=files[-1],
        old=files[0] if not base_ref else None,
        base=base_ref,
        tz=config.timezone if config else diffing.ZoneInfo(DEFAULT_TIMEZONE),
        answers=(answers,) if answers else (),
        sources=config.sources if config else (),
        channels=config.channels if config else (),
    )
    try:
        result = diffing.run_diff(request)
    except diffing.DiffError as err:
        raise Failure(str(err)) from None
    if output is not None:
        write_atomic(output, lambda stream: diffing.render(result, fmt, stream))
    else:
        diffing.render(result, fmt, sys.stdout)
    sys.exit(EXIT_FINDINGS if exit_code and result.changed() else EXIT_OK)


@main.command("fetch")
@verbose_option
@config_option
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("observations.jsonl"),
    show_default=True,
    help="Write the fetched observations here as JSON Lines.",
)
@click.option(
    "--evidence",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the raw responses (default: evidence/ beside --output).",
)
@click.option(
    "--failures",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also list the sources that failed in this JSON file.",
)
@click.option("--channel", "channels", multiple=True, help="Only these channels (repeatable).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@guarded
def fetch(config_path, output, evidence, failures, channels, quiet):
    """Run the live fetchers only; write observations (JSON Lines) and the raw evidence."""
    from dataclasses import replace

    from .audit import fetcher_extra, prepare
    from .progress import track
    from .sources.gather import Gathering, gather
    from .sources.records import RecordContext

    config = load(config_path)
    setup = prepare(config)  # the inputs first, through the door audit and lint use
    _check_channels(config, channels)
    sources = tuple(
        s for s in config.sources if s.fetch and (not channels or s.channel in channels)
    )
    if not sources:
        raise Failure(f"{config.path}: no fetch: source{' for --channel' if channels else ''}")
    evidence = evidence or output.parent / "evidence"
    records = RecordContext(config.timezone, setup.book.currency, frozenset(setup.channels))
    extra = fetcher_extra(setup)
    g = Gathering(replace(config, sources=sources), records, evidence_dir=evidence, extra=extra)
    total = _planned(sources, extra)
    items = track(gather(g), total=total, quiet=quiet, failed=lambda i: not _is_observation(i))
    count, failed = _write_observations(output, items)
    for failure in failed:
        said = f"{failure.channel} {failure.source}: {failure.reason}"
        click.echo(f"consistency: {_neutral(said)}", err=True)
    if failures is not None:
        rows = [{"channel": f.channel, "source": f.source, "reason": f.reason} for f in failed]
        write_atomic(failures, lambda out: json.dump(rows, out, ensure_ascii=False, indent=2))
    if not quiet:
        click.echo(
            f"consistency: {plural(count, 'observation')} in {output}, evidence in {evidence}",
            err=True,
        )
    sys.exit(EXIT_ERROR if count == 0 else EXIT_OK)


def _is_observation(item) -> bool:
    from .model import Observation

    return isinstance(item, Observation)


def _planned(sources, extra: dict) -> int | None:
    """How many results the fetchers will yield, for the progress bar (None if unknown)."""
    from .sources.chat import planned_requests

    total = 0
    for source in sources:
        if source.fetch == "web":
            total += len(source.options.get("pages") or ())
        elif source.fetch == "http-chat":
            total += planned_requests(source, extra.get("http-chat", {}).get("questions", ()))
        else:
            return None
    return total


def _write_observations(output: Path, items) -> tuple[int, list]:
    """Observations to ``output`` as JSON Lines (atomically); the failures are returned."""
    from .sources.records import to_record

    count, failed = 0, []

    def write(stream) -> None:
        nonlocal count
        for item in items:
            if _is_observation(item):
                line = json.dumps(to_record(item), ensure_ascii=False, default=str)
                stream.write(line + "\n")
                count += 1
            else:
                failed.append(item)

    write_atomic(output, write)
    return count, failed


@main.command("demo")
@verbose_option
@click.option(
    "--output",
    "-o",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("consistency-demo"),
    show_default=True,
    help="Folder for the text, HTML and JSON reports, the config and the evidence.",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at or above this severity.",
)
@click.option("--quiet", "-q", is_flag=True, help="No report on stdout; exit code only.")
@color_option
@locale_option
@guarded
def demo(output, fail_on, quiet, color):
    """The whole pipeline on the bundled demo company, its shop and chat bot on loopback."""
    from .demo import run_demo

    result, config = run_demo(output)
    click.get_current_context().meta["config"] = config
    if not quiet:
        to_stdout(result, "text", color)
    written = write_reports(result, ["text", "html", "json"], output)
    if not quiet:
        click.echo(f"consistency: reports in {', '.join(str(p) for p in written)}", err=True)
    _explain_errors(result)
    sys.exit(result.exit_code(fail_on))


MAX_RESULT_BYTES = 256 * 1024 * 1024  # a saved result larger than this is refused, unread


def read_result(path: Path) -> Result:
    """A saved RESULT.json; a folder, a device or a file over ``MAX_RESULT_BYTES`` is refused
    before it is read (issue 12 tryout: /dev/zero or a 3 GB file ran out of memory)."""
    try:
        info = os.stat(path)
    except OSError as err:
        raise Failure(f"{path}: not a saved result ({err.strerror or err})") from None
    if not stat.S_ISREG(info.st_mode):
        raise Failure(f"{path}: not a saved result (not a regular file)")
    if info.st_size > MAX_RESULT_BYTES:
        limit = MAX_RESULT_BYTES // (1024 * 1024)
        raise Failure(f"{path}: not a saved result ({info.st_size:,} bytes, over {limit} MiB)")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:  # not UTF-8, not JSON, a number past 4,300 digits
        raise Failure(f"{path}: not a saved result ({err})") from None
    except RecursionError:
        raise Failure(f"{path}: not a saved result (nested too deeply)") from None
    if not isinstance(data, dict) or data.get("schema") != "consistency/report@1":
        raise Failure(f"{path}: not a consistency/report@1 JSON result")
    ctx = click.get_current_context(silent=True)
    if ctx is not None:  # where a relative run.config is looked for (html_options)
        ctx.meta["result_file"] = path
        ctx.meta["saved_run"] = data.get("run")  # its locale and product names, if saved
    try:
        return Result.from_dict(data)
    except (KeyError, TypeError, ValueError) as err:
        raise Failure(f"{path}: malformed result ({err})") from None


if __name__ == "__main__":  # pragma: no cover
    main()
