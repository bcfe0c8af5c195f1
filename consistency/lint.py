"""``consistency lint``: every problem of the inputs in one pass, in a format CI reads.

Loading goes through the one door (:func:`consistency.inputs.collect`), so lint
accepts and rejects exactly what ``audit`` does: schema, semantic and cross-file
problems (a rule naming a channel only the price list declares is fine; a
``format:`` no registry holds is not, with a did-you-mean). Each file's kind is told
by its content, so any file name works. With a config, approved answers are also
checked against the price list at every time it changes (:func:`lint_answers`, a
check of lint's own: docs/answers.md).

Problems are written to stdout as ``text`` (``file:line:col: field: message``),
``json``, ``github`` (workflow commands that annotate the YAML line) or ``sarif``
(2.1.0, for code scanning), as yamllint does; exit codes are the CLI's (0 clean,
2 problems). ``extra_lint`` holds callables ``(path) -> list[LoadError]`` run on
every linted file (empty unless a caller adds one).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from .answers import Answer, AnswerBook
from .checks._agreement import AGORA, agrees, comparable
from .errors import InputError, LoadError
from .inputs.setup import CONFIG, Setup, collect, file_key, kind_of, named_by, unique
from .inputs.yamlio import load_yaml
from .text.display import money_text
from .text.phrases import priced_mentions

__all__ = ["FORMATS", "kind_of", "lint", "lint_answers", "render"]

extra_lint: list[Callable[[Path], list[LoadError]]] = []


def lint(
    config_path: Path | None, files: Iterable[Path], context: Path | None = None
) -> list[LoadError]:
    """Every problem in the config (and the files it names) and in ``files``.

    Without ``config_path``, FILE… (pre-commit's path) are linted with the channels, time
    zone and price list of a config: the first config among ``files``, else ``context``
    (the config ``audit`` would use: ``$CONSISTENCY_CONFIG``, ``./consistency.yaml`` or a
    folder above). With ``context``, only the problems of ``files`` are reported.
    """
    files = [Path(f) for f in files]
    if config_path is None:
        given = next((path for path in files if _is_config(path)), None)
        if given is not None:
            config_path = given
        elif context is not None:
            keys = {file_key(path) for path in files}
            found = _lint(context, files)
            return [problem for problem in found if file_key(problem.file) in keys]
    return _lint(config_path, files)


def _lint(config_path: Path | None, files: list[Path]) -> list[LoadError]:
    setup, errors = collect(config_path, files)
    errors += _answers_against_prices(setup)
    errors += _web_sources(setup)
    for path in files:  # a config given as a file: its answers against its price list too
        if file_key(path) != (config_path and file_key(config_path)) and _is_config(path):
            errors += _answers_against_prices(collect(path)[0])
    linted = [Path(config_path)] if config_path is not None else []
    if setup is not None:
        linted += [path for path, _ in named_by(setup.config)]
    for path in dict.fromkeys([*linted, *files]):
        for hook in extra_lint:
            errors.extend(hook(path))
    return _in_file_order(unique(errors))


def _in_file_order(errors: list[LoadError]) -> list[LoadError]:
    """Each file's problems by line and column, files in the order first found."""
    first = {error.file: i for i, error in reversed(list(enumerate(errors)))}
    return sorted(errors, key=lambda e: (first[e.file], e.line or 0, e.col or 0))


def _web_sources(setup: Setup | None) -> list[LoadError]:
    """What lint alone sees of a web source without fetching: a page host outside
    ``allow_hosts``, a page product not on the price list (tryout M6). Its ``extract`` and
    ``pages`` are checked by the door, for every command (``inputs.setup``)."""
    if setup is None:
        return []
    from .sources.web.options import static_problems

    products = setup.book.list.products if setup.book is not None else None
    errors: list[LoadError] = []
    for source in setup.config.sources:
        if source.fetch == "web":
            errors += static_problems(source, products)
    return errors


def _answers_against_prices(setup: Setup | None) -> list[LoadError]:
    if setup is None or setup.answers is None or setup.book is None:
        return []
    return lint_answers(setup.answers)


def _is_config(path: Path) -> bool:
    try:
        return kind_of(load_yaml(path, [])[0]) == CONFIG
    except InputError:
        return False


# --- approved answers against the price list --------------------------------------------


def lint_answers(answers: AnswerBook, at: datetime | None = None) -> list[LoadError]:
    """Approved answers whose text disagrees with the price list or with their own facts.

    Without ``at``, an answer is judged at every time the price list changes (the start
    of each price window and VAT rate), not at today's date: a problem is reported only
    when the answer is wrong at every one of them, so the verdict does not change with
    the day lint runs, and ``price("id", at=…)`` (SPEC 3.2) is judged at its own date.
    An answer right in one window and stale in another is for ``audit`` to judge, at the
    time each reply was given. This check is lint's own: ``audit`` does not hold approved
    answers against the list (docs/answers.md). Each problem is at the answer's
    ``answer`` field (``answers[0].answer``).
    """
    instants = [at] if at is not None else list_instants(answers)
    errors = []
    for answer in answers.answers.values():
        errors += _lint_answer(answers, answer, instants)
    return errors + list(answers.failures.values())


def list_instants(answers: AnswerBook) -> list[datetime]:
    """Each time the price list changes: a window's or VAT rate's start (or, for an
    open-started window, the instant before its end); one instant when nothing changes."""
    price_list, tz = answers.book.list, answers.tz
    found = {rate.start for rate in price_list.vat_rates if rate.start is not None}
    for product in price_list.products.values():
        for window in product.prices:
            if window.start is not None:
                found.add(window.start)
            elif window.end is not None:
                found.add(window.end - timedelta(microseconds=1))
    return sorted(found) or [datetime(2000, 1, 1, tzinfo=tz)]


def _lint_answer(answers: AnswerBook, answer: Answer, instants: list[datetime]) -> list[LoadError]:
    """The answer's statements judged at some instant and right at none (key -> values)."""
    wrong: dict[str, list[str]] = {}
    right: set[str] = set()
    for at in instants:
        for key, (ok, listed) in _judged(answers, answer, at).items():
            if ok:
                right.add(key)
            else:
                wrong.setdefault(key, []).append(listed)
    return [_lint_error(answer, _said(key, wrong[key])) for key in wrong if key not in right]


def _said(key: str, values: list[str]) -> str:
    """``key`` ending with the value(s) the list gives, each once, in time order."""
    return key + " or ".join(dict.fromkeys(values))


def _judged(answers: AnswerBook, answer: Answer, at: datetime) -> dict[str, tuple[bool, str]]:
    """``{statement: (agrees with the list, what the list says)}`` of the answer at ``at``;
    a statement about a price not in effect at ``at`` is not judged then."""
    text = answers.rendered(answer.id, at)
    if text is None:
        return {}
    book, found = answers.book, {}
    for mention, fact in priced_mentions(text, answers.matcher()):
        price = book.price_at(mention.id, at)
        if price is not None and fact.unit == book.currency:
            key = f"answer {answer.id} states {fact.raw} for {mention.raw}; the list price is "
            ok = abs(fact.value - price) <= AGORA or found.get(key, (False,))[0]
            found[key] = (ok, money_text(price, book.currency))
    stated_facts = answers.text_facts(answer.id, at)
    for expected in answers.expected_facts(answer.id, at) if answer.facts else ():
        same_kind = [f for f in stated_facts if comparable(f, expected)]
        if same_kind:
            stated = ", ".join(f.raw for f in same_kind)
            key = f"answer {answer.id} states {stated} but its facts say {expected.kind} "
            ok = any(agrees(f, expected, book, "", at) for f in same_kind)
            found[key] = (ok or found.get(key, (False,))[0], expected.raw)
    return found


def _lint_error(answer: Answer, message: str) -> LoadError:
    """At the answer's ``answer`` field, as the file has it (``answers[0].answer``)."""
    where = answer.where
    line, col, path = _answer_field(where.file, where.line, where.col)
    return LoadError(where.file, line or where.line, col or where.col, path, message)


def _answer_field(file: str, line: int | None, col: int | None) -> tuple:
    """The line, column and path of the ``answer`` field of the item at ``line:col``."""
    try:
        data, marks = load_yaml(file, [])
    except InputError:
        return None, None, f"answer at line {line}"
    items = data.get("answers") if isinstance(data, dict) else None
    for index in range(len(items) if isinstance(items, list) else 0):
        if marks.get(("answers", index)) == (line, col):
            return (*marks.at(("answers", index, "answer")), f"answers[{index}].answer")
    return None, None, "answer"


# --- output formats ----------------------------------------------------------------------


def shown(file: str) -> str:
    """``file`` relative to the repository root when it lies below it: GitHub annotations
    and SARIF want paths from there (tryout L5). The root is ``$GITHUB_WORKSPACE`` in
    GitHub Actions, else the working directory."""
    root = Path(os.environ.get("GITHUB_WORKSPACE") or Path.cwd())
    try:
        return Path(file).resolve().relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return file


def render_text(problems: list[LoadError], stream: TextIO) -> None:
    """``file:line:col: field: message``, one a line (editors and grep read it)."""
    for problem in problems:
        stream.write(f"{problem}\n")


def render_json(problems: list[LoadError], stream: TextIO) -> None:
    """A JSON list of ``{file, line, col, path, message}`` (line, col: 1-based or null)."""
    rows = [
        {"file": p.file, "line": p.line, "col": p.col, "path": p.path, "message": p.message}
        for p in problems
    ]
    json.dump(rows, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def render_github(problems: list[LoadError], stream: TextIO) -> None:
    """GitHub Actions ``::error`` workflow commands, each at the offending YAML line."""
    from .report.github import escape_data, escape_property

    for p in problems:
        where = [f"file={escape_property(shown(p.file))}"]
        where += [f"line={p.line}"] if p.line else []
        where += [f"col={p.col}"] if p.col else []
        title = escape_property(f"consistency lint: {p.path}" if p.path else "consistency lint")
        message = escape_data(f"{p.path}: {p.message}" if p.path else p.message)
        stream.write(f"::error {','.join(where)},title={title}::{message}\n")


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
RULE_ID = "invalid-input"


def render_sarif(problems: list[LoadError], stream: TextIO) -> None:
    """SARIF 2.1.0 (one run, rule ``invalid-input``), for GitHub code scanning."""
    from . import __version__

    rule = {
        "id": RULE_ID,
        "name": "InvalidInput",
        "shortDescription": {"text": "A price list, answers, rules or config file is invalid"},
        "defaultConfiguration": {"level": "error"},
    }
    results = [_sarif_result(p) for p in problems]
    driver = {"name": "consistency-lint", "version": __version__, "rules": [rule]}
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [{"tool": {"driver": driver},
                                                                   "results": results}]}  # fmt: skip
    json.dump(log, stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _sarif_result(problem: LoadError) -> dict:
    physical: dict = {"artifactLocation": {"uri": Path(shown(problem.file)).as_posix()}}
    if problem.line:
        physical["region"] = {"startLine": problem.line, "startColumn": problem.col or 1}
    text = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return {
        "ruleId": RULE_ID,
        "level": "error",
        "message": {"text": text},
        "locations": [{"physicalLocation": physical}],
    }


FORMATS = {"text": render_text, "json": render_json, "github": render_github, "sarif": render_sarif}


def render(problems: list[LoadError], fmt: str, stream: TextIO) -> None:
    """Write ``problems`` to ``stream`` in ``fmt`` (a key of :data:`FORMATS`)."""
    FORMATS[fmt](problems, stream)
