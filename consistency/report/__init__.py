"""Report formats: a name -> reporter registry that also feeds ``click.Choice``, and ``render``.

>>> names()
['text', 'json', 'junit', 'sarif', 'github', 'markdown', 'html']
>>> default_format({"GITHUB_ACTIONS": "true"}), default_format({})
('github', 'text')
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TextIO

from ..result import Result
from .base import Reporter, UnknownOption
from .github import GithubReporter
from .html import HtmlReporter
from .jsonfmt import JsonReporter
from .junit import JunitReporter
from .markdown import MarkdownReporter
from .sarif import SarifReporter
from .text import TextReporter

FORMATS: dict[str, type[Reporter]] = {
    reporter.NAME: reporter
    for reporter in (
        TextReporter,
        JsonReporter,
        JunitReporter,
        SarifReporter,
        GithubReporter,
        MarkdownReporter,
        HtmlReporter,
    )
}


class UnknownFormat(ValueError):
    def __init__(self, name: str):
        super().__init__(f"unknown report format {name!r}; known formats: {', '.join(names())}")


def names() -> list[str]:
    return list(FORMATS)


def get(name: str) -> type[Reporter]:
    try:
        return FORMATS[name]
    except KeyError:
        raise UnknownFormat(name) from None


def render(
    result: Result,
    fmt: str,
    stream: TextIO,
    *,
    color: bool = False,
    options: Mapping | None = None,
) -> None:
    """Write ``result`` to ``stream`` in format ``fmt``; unknown names and options fail clearly."""
    get(fmt)(stream, color=color, options=options).run(result)


def default_format(env: Mapping[str, str]) -> str:
    """``github`` inside GitHub Actions, else ``text``."""
    return "github" if env.get("GITHUB_ACTIONS") else "text"


__all__ = [
    "FORMATS",
    "Reporter",
    "UnknownFormat",
    "UnknownOption",
    "default_format",
    "get",
    "names",
    "render",
]
