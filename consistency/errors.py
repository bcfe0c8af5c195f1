"""Typed errors for input a user got wrong: each names its file, line, column and field."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class LoadError:
    """One problem in one input file. ``path`` is the field path, e.g. ``products[0].prices[1].to``."""

    file: str
    line: int | None
    col: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.file, self.line, self.col) if p is not None)
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class InputError(Exception):
    """The user's input cannot be used. Carries every problem found, not just the first."""

    def __init__(self, errors: list[LoadError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class OutputError(Exception):
    """A file the tool writes could not be written: ``path`` and a ``reason`` for a person."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = str(path), reason
        super().__init__(f"cannot write {self.path}: {reason}")


def bug_report_hint() -> str:
    """Where to report an internal error: the package's home page when it names one.

    >>> "report" in bug_report_hint()
    True
    """
    from importlib import metadata

    try:
        home = metadata.metadata("consistency").get("Home-page")
    except metadata.PackageNotFoundError:
        home = None
    where = f"at {home}" if home and home != "UNKNOWN" else "to the project's issue tracker"
    return (
        f"this is a bug in consistency: please report it {where}, with the command "
        "and what it prints with --verbose"
    )
