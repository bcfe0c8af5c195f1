"""`consistency diff` itself: load both lists (a file, or a file at a git ref, read
without temp files), diff them, find the impact, render the impacted answers.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..inputs.config import DEFAULT_CHANNELS, SourceConfig
from ..inputs.prices import load_price_list
from ..inputs.yamlio import Text
from ..model import (
    PriceList,
)
from .changes import AnswerImpact, DiffError, PriceListDiff, diff_price_lists
from .impact import find_impact


def load_from_text(text: str, label: str, tz: ZoneInfo, channels: Iterable[str] = ()) -> PriceList:
    """A price list from YAML text; problems and locations name ``label`` (``HEAD:prices.yaml``)."""
    return load_price_list(Text(text, label), tz, channels)


def git_root(near: Path) -> Path:
    """The top of the git work tree holding ``near`` (a file or folder)."""
    folder = near if near.is_dir() else near.parent
    out = _git(
        ["rev-parse", "--show-toplevel"], folder or Path("."), f"{near} is not in a git repository"
    )
    return Path(out.strip())


def git_show(ref: str, path: Path) -> tuple[str, str]:
    """``(text, label)`` of ``path`` as it was at ``ref``; label is ``REF:relative/path``."""
    path = path.resolve()
    root = git_root(path).resolve()
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        raise DiffError(f"{path} is outside the git repository {root}") from None
    label = f"{ref}:{relative}"
    text = _git(["show", label], root, f"cannot read {relative} at {ref!r}")
    return text, label


def git_has(ref: str, path: Path) -> bool:
    """Whether ``path`` existed at ``ref`` (an answers file may be newer than the base)."""
    path = path.resolve()
    root = git_root(path).resolve()
    if not path.is_relative_to(root):
        return False
    spec = f"{ref}:{path.relative_to(root).as_posix()}"
    done = subprocess.run(
        ["git", "cat-file", "-e", spec], cwd=root, capture_output=True, check=False
    )
    return done.returncode == 0


def _git(args: list[str], cwd: Path, what: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
        )
    except FileNotFoundError:
        raise DiffError("git is not installed (needed for --base)") from None
    except NotADirectoryError:
        raise DiffError(f"{cwd}: no such folder") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise DiffError(f"{what}: {detail[0]}")
    return done.stdout


# --- the command -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRequest:
    """What `consistency diff` was asked: two files, or one file and a git ref."""

    new: Path
    old: Path | None = None
    base: str | None = None
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jerusalem"))
    answers: tuple[Path, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[str, ...] = ()
    at: datetime | None = None


def run_diff(request: DiffRequest) -> PriceListDiff:
    """Load both lists, diff them and find the impact. Raises InputError or DiffError."""
    if request.base is not None:
        text, label = git_show(request.base, request.new)
        old = load_from_text(text, label, request.tz, request.channels)
    else:
        old = load_price_list(request.old, request.tz, request.channels)
    new = load_price_list(request.new, request.tz, request.channels)
    for path in request.answers:  # as lint and audit: a broken answers file is exit 2
        answers_against(path, new, request)
    at = request.at or datetime.now(request.tz)
    diff = diff_price_lists(old, new, at)
    impact = find_impact(diff, _answer_docs(request), request.sources)
    if request.answers and impact.answers:
        texts = rendered_answers(diff, impact.answers, request.answers[0], request)
        impact = replace(impact, answers=texts)
    return replace(diff, impact=impact)


def side_channels(price_list: PriceList, request: DiffRequest) -> tuple[str, ...]:
    """The channel names answers may use, joined as the door joins them (inputs.setup.read):
    the defaults, the config's, and the price list's own."""
    return tuple(dict.fromkeys([*DEFAULT_CHANNELS, *request.channels, *price_list.channels]))


def answers_against(path: Path, price_list: PriceList, request: DiffRequest):
    """The answers file loaded against ``price_list``; ``InputError`` with every problem."""
    from ..inputs.answers import load_answers
    from ..pricebook import PriceBook

    channels = side_channels(price_list, request)
    return load_answers(path, PriceBook(price_list), request.tz, channels)


def rendered_answers(
    diff: PriceListDiff, impacts: Sequence[AnswerImpact], path: Path, request: DiffRequest
) -> tuple[AnswerImpact, ...]:
    """Each impacted answer as rendered with the old and the new list, when its price
    first changes. A side whose answers do not load against its list gets a note."""
    books, notes = {}, []
    for side, price_list in (("old", diff.old), ("new", diff.new)):
        try:
            books[side] = answers_against(path, price_list, request)
        except InputError as err:  # the old list may lack a product the answers name now
            notes.append(f"{side} list: {'; '.join(map(str, err.errors))}")
    note = "; ".join(notes) or None
    return tuple(
        replace(
            impact,
            old_text=_render(books.get("old"), impact, diff),
            new_text=_render(books.get("new"), impact, diff),
            note=note,
        )
        for impact in impacts
    )


def _render(answer_book, impact: AnswerImpact, diff: PriceListDiff) -> str | None:
    if answer_book is None or answer_book.get(impact.answer) is None:
        return None
    return answer_book.rendered(impact.answer, first_change(diff, impact.products))


def first_change(diff: PriceListDiff, products: Iterable[str]) -> datetime:
    """When the price of any of ``products`` first changes: now, or a later window start."""
    wanted = set(products)
    starts = [c.start or diff.at for c in diff.prices if c.product in wanted]
    return min(starts, default=diff.at)


def _answer_docs(request: DiffRequest) -> list[tuple[str, str]]:
    """The answers files as they are now and, with ``--base``, as they were at the base."""
    docs = []
    for path in request.answers:
        try:
            docs.append((shown_path(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as err:
            raise DiffError(f"{path}: cannot read the answers ({err})") from None
        if request.base is not None and git_has(request.base, path):
            text, label = git_show(request.base, path)
            docs.append((label, text))
    return docs


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (for a PR comment)."""
    resolved, here = path.resolve(), Path.cwd().resolve()
    return resolved.relative_to(here).as_posix() if resolved.is_relative_to(here) else str(path)
