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
