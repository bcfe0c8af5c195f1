"""``consistency lint``: validate price lists, answers, rules and configs without gathering.

Each file's kind is told by its content (its top-level keys), so any file name
works. Every problem is collected, schema and semantic, never stopping at the
first. With a config, its price list, rules and answers are linted too, in its
time zone and with its channel names.

Other modules add checks that need more than one file (for example approved
answers whose text disagrees with the price list) by appending a callable
``(path) -> list[LoadError]`` to ``extra_lint``; it is called for every linted file.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import DEFAULT_CHANNELS, DEFAULT_TIMEZONE, Config, load_config
from .errors import InputError, LoadError
from .loaders import load_price_list, load_rules, read_checked
from .yamlio import load_yaml

extra_lint: list[Callable[[Path], list[LoadError]]] = []

PRICES, RULES, ANSWERS, CONFIG = "prices", "rules", "answers", "config"


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


def lint(config_path: Path | None, files: list[Path]) -> list[LoadError]:
    """Every problem in the config (and the files it names) and in ``files``."""
    errors: list[LoadError] = []
    todo: dict[Path, tuple[Path, str | None]] = {}  # resolved path -> (as given, kind)
    tz, channels = ZoneInfo(DEFAULT_TIMEZONE), DEFAULT_CHANNELS
    if config_path is not None:
        config = _collect(errors, load_config, config_path)
        todo[_key(config_path)] = (Path(config_path), CONFIG)
        if config is not None:
            tz, channels = config.timezone, config.channels
            for path, kind in _named_by(config):
                todo.setdefault(_key(path), (path, kind))
    for path in files:
        todo.setdefault(_key(path), (Path(path), None))
    for path, kind in todo.values():
        if kind != CONFIG:
            errors.extend(lint_file(path, tz, channels, kind))
        for hook in extra_lint:
            errors.extend(hook(path))
    return _unique(errors)


def _key(path: Path) -> Path:
    """The path as one file is named once; a link loop cannot be resolved, so it stays as given."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):
        return Path(os.path.abspath(path))


def _named_by(config: Config) -> list[tuple[Path, str]]:
    named = [(config.price_list, PRICES), *((rules, RULES) for rules in config.rules)]
    if config.answers is not None:
        named.append((config.answers, ANSWERS))
    return named


def lint_file(
    path: Path, tz: ZoneInfo, channels: tuple[str, ...], kind: str | None = None
) -> list[LoadError]:
    """Every problem in one file; its kind is told by content unless given."""
    if kind is None:
        try:
            data, _ = load_yaml(path)
        except InputError as exc:
            return exc.errors
        kind = kind_of(data)
    errors: list[LoadError] = []
    if kind == PRICES:
        _collect(errors, load_price_list, path, tz, channels)
    elif kind == RULES:
        _collect(errors, load_rules, [path], channels)
    elif kind == ANSWERS:
        errors.extend(lint_answers(path))
    elif kind == CONFIG:
        _collect(errors, load_config, path)
    else:
        errors.append(_unknown_kind(path))
    return errors


def lint_answers(path: Path) -> list[LoadError]:
    """Schema problems in an approved-answers file, and answer ids written twice."""
    errors: list[LoadError] = []
    loaded = _collect(errors, read_checked, path, ANSWERS)
    if loaded is None:
        return errors
    data, marks = loaded
    first: dict[str, int | None] = {}
    for index, answer in enumerate(data["answers"]):
        line, col = marks.at(("answers", index, "id"))
        if answer["id"] in first:
            message = f"duplicate answer id {answer['id']!r} (first on line {first[answer['id']]})"
            errors.append(LoadError(str(path), line, col, f"answers[{index}].id", message))
        first.setdefault(answer["id"], line)
    return errors


def _collect(errors: list[LoadError], load, *args):
    try:
        return load(*args)
    except InputError as exc:
        errors.extend(exc.errors)
        return None


def _unknown_kind(path: Path) -> LoadError:
    message = (
        "cannot tell what this file is: expected a top-level key "
        "'products' (price list), 'rules', 'answers' or 'price_list'/'sources' (config)"
    )
    return LoadError(str(path), 1, 1, "", message)


def _unique(errors: list[LoadError]) -> list[LoadError]:
    return list(dict.fromkeys(errors))


def _answers_against_prices(path: Path) -> list[LoadError]:
    """Approved answers whose text disagrees with the price list (consistency.answers)."""
    from .answers import lint_hook

    return lint_hook(path)


extra_lint.append(_answers_against_prices)
