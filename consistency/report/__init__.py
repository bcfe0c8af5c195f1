"""Report formats: a name -> reporter registry that also feeds ``click.Choice``, and ``render``.

>>> names()
['text', 'json', 'junit', 'sarif', 'github', 'markdown', 'html']
>>> default_format({"GITHUB_ACTIONS": "true"}), default_format({})
('github', 'text')
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from importlib import import_module
from typing import TextIO

from ..result import Result
from .base import Reporter, UnknownOption

# name -> (module, class): a reporter's module is imported when it is first asked for, so a
# run that writes JSON does not load the HTML report's templates and charts.
_REPORTERS = {
    "text": ("text", "TextReporter"),
    "json": ("jsonfmt", "JsonReporter"),
    "junit": ("junit", "JunitReporter"),
    "sarif": ("sarif", "SarifReporter"),
    "github": ("github", "GithubReporter"),
    "markdown": ("markdown", "MarkdownReporter"),
    "html": ("html", "HtmlReporter"),
}


class _Formats(Mapping):
    """The reporters by name, each imported on first use."""

    def __getitem__(self, name: str) -> type[Reporter]:
        module, cls = _REPORTERS[name]
        return getattr(import_module(f"{__name__}.{module}"), cls)

    def __iter__(self) -> Iterator[str]:
        return iter(_REPORTERS)

    def __len__(self) -> int:
        return len(_REPORTERS)


FORMATS: Mapping[str, type[Reporter]] = _Formats()


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
