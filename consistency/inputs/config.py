"""consistency.yaml -> a frozen Config (SPEC 3.5). Relative paths are relative to the config file."""

from __future__ import annotations

import glob
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError, LoadError
from ..model import Location
from ..net.headers import ENV_VAR, header_problem
from ..registry import FETCHERS, FORMATS, UnknownName
from ..sandbox import Limits as TemplateLimits
from ..sandbox import use_limits as use_template_limits
from .files import FileOptions
from .problems import Problems, read_part
from .schema import path_text
from .yamlio import YamlLimits, load_yaml
from .yamlio import use_limits as use_yaml_limits

DEFAULT_TIMEZONE = "Asia/Jerusalem"
DEFAULT_CHANNELS = ("web", "phone", "chat")


@dataclass(frozen=True)
class SourceConfig:
    """One entry of ``sources``: file exports (``files``) or a live fetcher (``fetch``)."""

    channel: str
    files: tuple[str, ...] = ()  # glob patterns, already made absolute
    format: str = "records"  # records | a named platform export format
    fetch: str | None = None  # web | http-chat
    options: Mapping = field(default_factory=dict)  # the rest of the entry, as written
    where: Location | None = None
    # ("sources", i, "body", "text") -> where that value is written: url, headers, body, params
    marks: Mapping = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class EmailConfig:
    to: tuple[str, ...]
    sender: str
    notify_on: str = "findings"  # always | findings | change
    smtp: Mapping = field(default_factory=dict)
    subject: str | None = None  # a template with the counts (consistency.notify.subject_line)


@dataclass(frozen=True)
class NotifyConfig:
    """Where ``--notify`` posts (Apprise URLs: Slack, Teams, JSON webhooks), and when."""

    urls: tuple[str, ...]
    notify_on: str = "findings"  # always | findings | change


@dataclass(frozen=True)
class Config:
    path: Path | None
    base_dir: Path
    timezone: ZoneInfo
    price_list: Path
    answers: Path | None = None
    rules: tuple[Path, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[str, ...] = DEFAULT_CHANNELS  # every channel name the config knows
    report_formats: tuple[str, ...] = ("text",)
    report_output: Path | None = None
    history: Path | None = None
    email: EmailConfig | None = None
    report_locale: str | None = None  # he, en, any CLDR locale; None: from the price list
    notify: NotifyConfig | None = None
    # file named -> (Location in the config, field): a file that cannot be read is named there
    named_at: Mapping = field(default_factory=dict, compare=False)


CONFIG_NAMES = ("consistency.yaml", "consistency.yml")
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_COMMON_SOURCE_KEYS = {"channel", "files", "format", "fetch"}


def find_config(cwd: Path) -> Path | None:
    """The config file in ``cwd`` (``consistency.yaml`` or ``consistency.yml``), if any."""
    for name in CONFIG_NAMES:
        candidate = Path(cwd) / name
        if candidate.is_file():
            return candidate
    return None


def default_rules() -> Path:
    """The shipped rule set: ``rules/default.yaml`` beside the package, else package data."""
    package = Path(__file__).parent.parent
    beside = package.parent / "rules" / "default.yaml"
    inside = package / "rules" / "default.yaml"
    return beside if beside.is_file() or not inside.is_file() else inside


def load_config(path: Path) -> Config:
    """Read ``consistency.yaml`` (SPEC 3.5). Raises ``InputError`` with every problem found."""
    config, errors = read_config(path)
    if errors:
        raise InputError(errors)
    return config


def read_config(path: Path) -> tuple[Config | None, list[LoadError]]:
    """The config as far as it loads, and every problem in it: schema and semantic (a time
    zone, encoding, ``date_format``, header, URL, ``format:``/``fetch:`` name, ...) in one
    pass, sorted by line. Never raises; the config is None only when the file cannot be
    read or its fault is the document as a whole (not a mapping, no ``price_list``).

    Parts that break the schema are left out (:func:`.problems.read_part`) and the rest is
    checked as usual; the channels still count every source's ``channel:`` as written, so
    the files the config names are not blamed for a source the schema dropped.
    """
    path = Path(path)
    use_yaml_limits(None)  # the config itself is read under the default limits
    try:
        data, problems = read_part(path, "config")
    except InputError as exc:
        return None, exc.errors
    timezone = _timezone(data.get("timezone", DEFAULT_TIMEZONE), problems)
    _use_limits(data.get("limits") or {})
    for index, entry in enumerate(data.get("sources", [])):
        _header_errors(entry, index, problems)
        _file_option_errors(entry, index, problems)
        _name_errors(entry, index, problems)
    notify = _notify(data.get("notify"), problems)
    declared = _declared_channels(path) if problems.errors else ()
    config = _config(path, data, timezone, notify, problems.where, declared)
    return config, sorted(problems.errors, key=lambda e: (e.line or 0, e.col or 0))


def _config(path: Path, data: dict, timezone: ZoneInfo, notify, where, declared=()) -> Config:
    """The Config of schema-valid ``data``; ``where(path)``: a Location in the file;
    ``declared``: more channel names to know."""
    base = path.parent.resolve()
    sources = tuple(_source(s, i, base, where) for i, s in enumerate(data.get("sources", [])))
    report = data.get("report") or {}
    channels = [*DEFAULT_CHANNELS, *(s.channel for s in sources), *data.get("channels", [])]
    return Config(
        path=path,
        base_dir=base,
        timezone=timezone,
        price_list=_resolve(base, data["price_list"]),
        answers=_resolve(base, data["answers"]) if "answers" in data else None,
        rules=tuple(rule for r in data["rules"] for rule in _rule_files(base, r))
        if "rules" in data
        else (default_rules(),),
        sources=sources,
        channels=tuple(dict.fromkeys([*channels, *declared])),
        report_formats=tuple(report.get("formats", ("text",))),
        report_output=_resolve(base, report["output"]) if "output" in report else None,
        history=_resolve(base, data["history"]) if "history" in data else None,
        email=_email(data["email"]) if "email" in data else None,
        report_locale=report.get("locale"),
        notify=notify,
        named_at=_named_at(base, data, where),
    )


def _rule_files(base: Path, value: str) -> list[Path]:
    """A ``rules:`` entry: a file, or a glob (``rules/*.yaml``) expanded in name order; a glob
    that matches nothing stays as written, to be reported as a file that cannot be read."""
    if not glob.has_magic(value):
        return [_resolve(base, value)]
    found = sorted(glob.glob(str(base / Path(value).expanduser())))
    return [_resolve(base, match) for match in found] or [_resolve(base, value)]


def _named_at(base: Path, data: dict, where) -> dict:
    """Each file the config names -> (where it is named, the field): ``price_list``,
    ``answers``, ``rules[1]`` (every file a glob matched is named at the glob)."""
    named = {}
    for key in ("price_list", "answers"):
        if key in data:
            named[_resolve(base, data[key])] = (where((key,)), key)
    for i, value in enumerate(data.get("rules") or ()):
        for path in _rule_files(base, value):
            named[path] = (where(("rules", i)), f"rules[{i}]")
    return named


def _use_limits(spec: Mapping) -> None:
    """The config's ``limits:``, in force from now on in this run: template budgets, and YAML
    limits for the files the config names (docs/limits.md); the defaults where unset."""
    templates = {k: float(v) if k == "seconds" else int(v)
                 for k, v in (spec.get("templates") or {}).items()}  # fmt: skip
    use_template_limits(TemplateLimits(**templates))
    use_yaml_limits(YamlLimits(**{k: int(v) for k, v in (spec.get("yaml") or {}).items()}))


def _declared_channels(path: Path) -> tuple[str, ...]:
    """Every channel name the file writes (``channels:`` and each source's ``channel:``),
    read from the whole file: a source the schema dropped still names a known channel."""
    data, _ = load_yaml(path, [])  # values YAML cannot read were reported with the rest
    sources = data.get("sources") if isinstance(data.get("sources"), list) else []
    listed = data.get("channels") if isinstance(data.get("channels"), list) else []
    named = [s.get("channel") for s in sources if isinstance(s, Mapping)] + listed
    return tuple(name for name in named if isinstance(name, str))


def _resolve(base: Path, value: str) -> Path:
    """``value`` against the config's folder, shown relative to the working directory when it
    lies under it (as CI annotations and people want: ``exports/phone/a.csv:14``)."""
    path = base / Path(value).expanduser()
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _timezone(name: str, problems: Problems) -> ZoneInfo:
    """The zone named, or UTC with a problem at ``timezone:`` (so the rest is still checked)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        problems.add(("timezone",), f"unknown time zone {name!r}; e.g. Asia/Jerusalem")
        return ZoneInfo("UTC")


def _source(entry: dict, index: int, base: Path, where) -> SourceConfig:
    return SourceConfig(
        channel=entry["channel"],
        files=tuple(str(_resolve(base, pattern)) for pattern in entry.get("files", ())),
        format=entry.get("format", "records"),
        fetch=entry.get("fetch"),
        options={k: v for k, v in entry.items() if k not in _COMMON_SOURCE_KEYS},
        where=where(("sources", index)),
        marks=_template_marks(entry, ("sources", index), where),
    )


def _template_marks(entry: dict, at: tuple, where) -> dict[tuple, Location]:
    """Where each option's value is written, so a bad template or option is named at its
    own line (``sources[0].body.text``, ``sources[1].extract[0]``), not at its entry."""
    marks, stack = {}, [((*at, key), value) for key, value in entry.items()]
    while stack:
        path, value = stack.pop()
        marks[path] = where(path)
        if isinstance(value, Mapping):
            stack.extend(((*path, key), item) for key, item in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, i), item) for i, item in enumerate(value))
    return marks


def option_error(source: SourceConfig, path: str, message: str) -> LoadError:
    """A problem with option ``path`` of ``source`` (``extract[0]``, ``reply``), at the line
    and column where it is written, named with the source's index: ``sources[1].reply``
    (at the source's entry, ``sources.reply``, when the config recorded no marks)."""
    keys = tuple(int(i) if i else k for k, i in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path))
    index = next((full[1] for full in source.marks), None)
    where = source.where or Location("consistency.yaml")
    if index is None:
        return LoadError(where.file, where.line, where.col, f"sources.{path}", message)
    full = ("sources", index, *keys)
    for end in range(len(full), 2, -1):
        if full[:end] in source.marks:
            where = source.marks[full[:end]]
            break
    return LoadError(where.file, where.line, where.col, path_text(full), message)


def _header_errors(entry: dict, index: int, problems: Problems) -> None:
    """A header that could not be sent is a config error at its line, the value never shown;
    so is an ``allow_hosts`` entry the URL gate cannot read (``https://shop.co.il/``), and
    a page or chat URL it refuses (a backslash, ``user@``; templated URLs wait for fetch).

    Literal text and ``${VAR}`` values (when the variable is set) are checked now;
    what a template renders at fetch time is checked then, for that request only.
    """
    pages = entry.get("pages")
    urls = [(("url",), entry.get("url"))] + [
        (("pages", i, "url"), page.get("url"))
        for i, page in enumerate(pages if isinstance(pages, list) else [])
        if isinstance(page, Mapping)
    ]
    for at, url in urls:
        if isinstance(url, str) and "${" not in url and "{" not in url:
            from ..net.urls import UrlRefused, parse_target  # a fetch source: here, not for files

            try:
                parse_target(url)
            except UrlRefused as exc:
                problems.add(("sources", index, *at), f"the URL gate refuses it: {exc}")
    hosts = entry.get("allow_hosts")
    for i, host in enumerate(hosts if isinstance(hosts, list) else []):
        from ..net.urls import parse_entry

        if parse_entry(str(host)) is None:
            message = f"{host!r} is not a host entry; write host, host:port or *.domain"
            problems.add(("sources", index, "allow_hosts", i), message)
    headers = entry.get("headers")
    for name, value in (headers if isinstance(headers, Mapping) else {}).items():
        text = ENV_VAR.sub(lambda m: os.environ.get(m.group(1), "x"), str(value))
        problem = header_problem(str(name), text)
        if problem and text != str(value) and header_problem(str(name), str(value)) is None:
            names = ", ".join(f"${{{m.group(1)}}}" for m in ENV_VAR.finditer(str(value)))
            problem = f"once {names} is filled in from the environment, {problem}"
        if problem:
            problems.add(("sources", index, "headers", name), problem)


def _email(spec: dict) -> EmailConfig:
    return EmailConfig(
        to=tuple(spec["to"]),
        sender=spec["from"],
        notify_on=spec.get("notify_on", "findings"),
        smtp=dict(spec.get("smtp", {})),
        subject=spec.get("subject"),
    )


def _notify(spec: dict | None, problems: Problems) -> NotifyConfig | None:
    """The ``notify:`` section; ``${VAR}`` in a URL (a webhook's secret) is filled in from the
    environment now, and an unset variable is an error at its line (its value is never shown)."""
    if spec is None:
        return None
    urls = []
    for i, url in enumerate(spec["urls"]):
        missing = [m.group(1) for m in _ENV.finditer(url) if m.group(1) not in os.environ]
        if missing:
            message = f"${{{missing[0]}}} is not set in the environment"
            problems.add(("notify", "urls", i), message)
        urls.append(_ENV.sub(lambda m: os.environ.get(m.group(1), ""), url))
    return NotifyConfig(tuple(urls), spec.get("notify_on", "findings"))


def _file_option_errors(entry: dict, index: int, problems: Problems) -> None:
    """A file source's ``encoding`` Python does not know, or a ``date_format`` that is not a
    strptime format, is a config error at its line (:class:`.files.FileOptions`)."""
    if not entry.get("files"):
        return
    for option, message in FileOptions.from_source(entry).problems(entry.get("format", "records")):
        problems.add(("sources", index, option), message)


def _name_errors(entry: dict, index: int, problems: Problems) -> None:
    """A ``format:`` or ``fetch:`` no registry holds is a config error at its line, with a
    did-you-mean (``intercomm`` -> ``intercom``), so lint says so before audit runs."""
    for key, registry in (("format", FORMATS), ("fetch", FETCHERS)):
        name = entry.get(key)
        if name is not None and name not in registry:  # names only: nothing is imported
            problem = str(UnknownName(registry.kind, name, registry.names()))
            problems.add(("sources", index, key), problem)
