"""The one door: everything a config names, loaded once, the same way for every command.

``read(config)`` loads the price list, the rule sets and the approved answers as far
as each file allows and returns a :class:`Setup` with every problem found, never
raising: a broken price list does not hide a broken rule set. ``load(config)`` is the
same, raising one ``InputError`` with all the problems; ``collect(config_path, files)``
serves ``lint``: the problems of a config (the config itself, then every file it
names) and of any other input files, in one pass.

Channels are joined once here: the defaults, the config's ``channels:`` and sources,
and the price list's ``channels:``; rules and answers are checked against them all.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from ..errors import InputError, LoadError
from ..model import PriceList, Rule
from ..pricebook import PriceBook
from ..registry import FETCH_OPTIONS
from .config import DEFAULT_CHANNELS, DEFAULT_TIMEZONE, Config, read_config
from .prices import load_price_list
from .rules import load_rules
from .yamlio import load_yaml

if TYPE_CHECKING:
    from ..answers import AnswerBook

PRICES, RULES, ANSWERS, CONFIG = "prices", "rules", "answers", "config"


@dataclass(frozen=True)
class Setup:
    """Every input a config names, loaded and checked.

    ``book`` and ``price_list`` are None only when :func:`read` found problems in the
    price list; ``answers`` is None when the config names no answers file (or they
    could not be read at all). From :func:`read`, ``answers`` holds the answers as far
    as they loaded, even when some have problems (``lint`` checks the rest).
    """

    config: Config
    timezone: ZoneInfo
    channels: tuple[str, ...]
    price_list: PriceList | None
    book: PriceBook | None
    rules: tuple[Rule, ...]
    answers: AnswerBook | None


def load(config: Config) -> Setup:
    """The config's inputs; raises ``InputError`` with every problem of every file."""
    setup, errors = read(config)
    if errors:
        raise InputError(errors)
    return setup


def read(config: Config) -> tuple[Setup, list[LoadError]]:
    """The config's inputs as far as they load, and every problem found (never raises)."""
    errors: list[LoadError] = []
    tz = config.timezone
    price_list = attempt(errors, load_price_list, config.price_list, tz, config.channels)
    listed = price_list.channels if price_list else declared_channels(config.price_list)
    channels = tuple(dict.fromkeys([*config.channels, *listed]))
    rules = attempt(errors, load_rules, config.rules, channels) or []
    book = PriceBook(price_list) if price_list is not None else None
    answers = None
    if config.answers is not None:  # templates: jinja2 loads here, only when there are some
        from .answers import read_answers

        products = None if price_list else declared_products(config.price_list)
        found = attempt(errors, read_answers, config.answers, book, tz, channels, products)
        if found is not None:
            answers, problems = found
            errors += problems
    errors += fetch_option_problems(config, answers)
    setup = Setup(config, tz, channels, price_list, book, tuple(rules), answers)
    return setup, unique([named_where(config, error) for error in errors])


def fetch_option_problems(config: Config, answers: AnswerBook | None) -> list[LoadError]:
    """Each fetch source's options as its fetcher checks them before fetching (extract
    methods, pages, http-chat templates and JSONPaths), found through the registry, so
    ``audit --no-fetch``, ``extract`` and ``diff`` reject what ``fetch`` and ``lint`` do."""
    questions = answers.questions() if answers is not None else ()
    if answers is None and config.answers is not None:
        questions = None  # the answers file's own problems say why: no follow-on
    errors: list[LoadError] = []
    for source in config.sources:
        if source.fetch is not None and source.fetch in FETCH_OPTIONS:
            errors += FETCH_OPTIONS.get(source.fetch)(source, questions)
    return errors


def named_where(config: Config, error: LoadError) -> LoadError:
    """A file the config names that cannot be read, reported where the config names it:
    ``consistency.yaml:2:13: price_list: nope.yaml: cannot read file: No such file…``."""
    if error.line is not None or not error.message.startswith("cannot read file"):
        return error
    for path, (where, key) in config.named_at.items():
        if file_key(path) == file_key(error.file):
            message = f"{error.file}: {error.message}"
            return LoadError(where.file, where.line, where.col, key, message)
    return error


def declared_channels(path: Path) -> tuple[str, ...]:
    """The channel names a price list declares, read even when the list has problems
    (so that rules and answers naming them are not reported as well)."""
    try:
        data, _ = load_yaml(path, [])
    except InputError:
        return ()
    channels = data.get("channels") if isinstance(data, dict) else None
    return tuple(str(name) for name in channels) if isinstance(channels, dict) else ()


def declared_products(path: Path) -> tuple[str, ...] | None:
    """The product ids a price list with problems names, as far as it can be read (None
    when it cannot be read at all), so answers naming other products are reported."""
    try:
        data, _ = load_yaml(path, [])
    except InputError:
        return None
    products = data.get("products") if isinstance(data, dict) else None
    if not isinstance(products, list):
        return None
    return tuple(p["id"] for p in products if isinstance(p, dict) and isinstance(p.get("id"), str))


def collect(config_path: Path | None, files: Iterable[Path] = ()) -> tuple[Setup | None, list]:
    """Every problem of a config (and the files it names) and of ``files``, for ``lint``.

    Returns the config's :class:`Setup` as far as it loaded (None without a config, or
    when the config cannot be read or lacks a ``price_list``) and the problems, each file
    named once. The config's schema and semantic problems come with those of the files it
    names, as far as what passed the schema names them (:func:`.config.read_config`). A
    file's kind is told by its top-level keys (:func:`kind_of`), so any name works.
    """
    errors: list[LoadError] = []
    setup, seen = None, set()
    if config_path is not None:
        config, found = read_config(config_path)
        errors += found
        seen.add(file_key(config_path))
        if config is not None:
            setup, found = read(config)
            errors += found
            seen |= {file_key(path) for path, _ in named_by(config)}
    tz = setup.timezone if setup else ZoneInfo(DEFAULT_TIMEZONE)
    channels = setup.channels if setup else DEFAULT_CHANNELS
    for path in files:
        if file_key(path) not in seen:
            seen.add(file_key(path))
            errors += file_problems(Path(path), tz, channels)
    return setup, unique(errors)


def file_problems(path: Path, tz: ZoneInfo, channels: tuple[str, ...]) -> list[LoadError]:
    """Every problem of one input file on its own; its kind is told by its content."""
    try:
        data, _ = load_yaml(path, [])  # values YAML cannot read: the loader reports them
    except InputError as exc:
        return exc.errors
    kind = kind_of(data)
    errors: list[LoadError] = []
    if kind == PRICES:
        attempt(errors, load_price_list, path, tz, channels)
    elif kind == RULES:
        attempt(errors, load_rules, [path], channels)
    elif kind == ANSWERS:
        errors += answers_file_problems(path)
    elif kind == CONFIG:
        config, errors = read_config(path)
        if config is not None:
            errors += read(config)[1]
    else:
        errors.append(LoadError(str(path), 1, 1, "", UNKNOWN_KIND))
    return errors


UNKNOWN_KIND = (
    "cannot tell what this file is: expected a top-level key "
    "'products' (price list), 'rules', 'answers' or 'price_list'/'sources' (config)"
)


def answers_file_problems(path: Path) -> list[LoadError]:
    """An answers file with no price list to bind to: everything but unknown products."""
    from .answers import load_answers

    errors: list[LoadError] = []
    attempt(errors, load_answers, path, None, ZoneInfo(DEFAULT_TIMEZONE), ())
    return errors


def kind_of(data: object) -> str | None:
    """Which input a parsed YAML document is, by its top-level keys.

    >>> kind_of({"products": []}), kind_of({"sources": []}), kind_of([1])
    ('prices', 'config', None)
    """
    if not isinstance(data, dict):
        return None
    for key, kind in (
        ("products", PRICES),
        ("price_list", CONFIG),  # before rules and answers: a config may name both
        ("rules", RULES),
        ("answers", ANSWERS),
        ("sources", CONFIG),
    ):
        if key in data:
            return kind
    return None


def named_by(config: Config) -> list[tuple[Path, str]]:
    """(path, kind) of every input file the config names."""
    named = [(config.price_list, PRICES), *((rules, RULES) for rules in config.rules)]
    if config.answers is not None:
        named.append((config.answers, ANSWERS))
    return named


def attempt(errors: list[LoadError], load, *args):
    """``load(*args)``, or None with its problems added to ``errors``."""
    try:
        return load(*args)
    except InputError as exc:
        errors.extend(exc.errors)
        return None


def file_key(path) -> Path:
    """The path as one file is named once; a link loop cannot be resolved, so it stays."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def unique(errors: list[LoadError]) -> list[LoadError]:
    """The problems, each once, in the order found."""
    return list(dict.fromkeys(errors))
