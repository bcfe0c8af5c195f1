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
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .answers import Answer, AnswerBook
from .checks._agreement import AGORA, agrees, comparable
from .checks._quotes import money_text
from .errors import InputError, LoadError
from .inputs.config import DEFAULT_CHANNELS, DEFAULT_TIMEZONE, Config, load_config
from .inputs.prices import load_price_list
from .inputs.problems import read_checked
from .inputs.rules import load_rules
from .inputs.yamlio import load_yaml
from .text.phrases import priced_mentions

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
        errors.extend(answers_file_problems(path))
    elif kind == CONFIG:
        _collect(errors, load_config, path)
    else:
        errors.append(_unknown_kind(path))
    return errors


def answers_file_problems(path: Path) -> list[LoadError]:
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


# --- approved answers against the price list --------------------------------------------


def lint_answers(answers: AnswerBook, at: datetime) -> list[LoadError]:
    """Approved answers whose text at ``at`` disagrees with the price list or their facts."""
    errors = []
    for answer in answers.answers.values():
        errors += _lint_answer(answers, answer, at)
    return errors + list(answers.failures.values())


def _lint_answer(answers: AnswerBook, answer: Answer, at: datetime) -> list[LoadError]:
    text = answers.rendered(answer.id, at)
    if text is None:
        return []
    book, errors = answers.book, []
    for mention, fact in priced_mentions(text, answers.matcher()):
        price = book.price_at(mention.id, at)
        if price is not None and fact.unit == book.currency and abs(fact.value - price) > AGORA:
            errors.append(
                _lint_error(answer, f"states {fact.raw} for {mention.raw}; the list price is "
                            f"{money_text(price, book.currency)} on {at.date().isoformat()}")
            )  # fmt: skip
    found = answers.text_facts(answer.id, at)
    for expected in answers.expected_facts(answer.id, at) if answer.facts else ():
        same_kind = [f for f in found if comparable(f, expected)]
        if same_kind and not any(agrees(f, expected, book, "", at) for f in same_kind):
            stated = ", ".join(f.raw for f in same_kind)
            errors.append(
                _lint_error(answer, f"states {stated} but its facts say {expected.kind} "
                            f"{expected.raw} on {at.date().isoformat()}")
            )  # fmt: skip
    return errors


def _lint_error(answer: Answer, message: str) -> LoadError:
    where = answer.where
    return LoadError(where.file, where.line, where.col, f"answer {answer.id}", message)


def lint_hook(path: Path) -> list[LoadError]:
    """The ``consistency lint`` hook: for a config naming answers, lint them against its list."""
    from .inputs.answers import load_answers
    from .pricebook import PriceBook

    try:
        data, _ = load_yaml(path)
        # A config names its price list; lint.kind_of would call a config that names
        # answers an answers file, as it tries "answers" before "price_list".
        if not isinstance(data, dict) or "price_list" not in data or "answers" not in data:
            return []
        config = load_config(path)
        price_list = load_price_list(config.price_list, config.timezone, config.channels)
        book = PriceBook(price_list)
        answers = load_answers(config.answers, book, config.timezone, config.channels)
    except InputError as exc:
        # Schema and load problems of each file are lint's own findings; the semantic
        # ones of the answers (unknown products, templates) are reported from here.
        return [e for e in exc.errors if _resolve(Path(e.file)) == _resolved_answers(path)]
    return lint_answers(answers, datetime.now(config.timezone))


def _resolved_answers(config_path: Path) -> Path | None:
    try:
        config = load_config(config_path)
    except InputError:
        return None
    return _resolve(config.answers) if config.answers else None


def _resolve(path: Path) -> Path:
    """The path with links resolved; a link loop cannot be, so it stays as written."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()


extra_lint.append(lint_hook)
