"""What every loader shares: read-and-validate, a per-file problem collector, numbers.

Loaders never stop at the first problem: they collect ``LoadError`` values (file,
line, column, field path, message) in a :class:`Problems` and raise them together
as one ``InputError`` (or hand them to ``lint`` without raising).
"""

from __future__ import annotations

from decimal import Decimal

from ..errors import InputError, LoadError
from ..model import Location, Threshold
from .schema import path_text, validate
from .yamlio import Marks, Source, load_yaml

MAX_AMOUNT = Decimal("1e12")  # beyond this an amount is a typo, and money arithmetic would overflow


def read_checked(path: Source, schema: str) -> tuple[object, Marks]:
    """Load ``path`` and validate it against ``schema``; raise ``InputError`` on any problem."""
    data, marks = load_yaml(path)
    errors = validate(data, marks, schema, str(path))
    if errors:
        raise InputError(errors)
    return data, marks


class Problems:
    """Collects LoadErrors for one file, placed by JSON path."""

    def __init__(self, file: str, marks: Marks):
        self.file, self.marks, self.errors = file, marks, []

    def add(self, path: tuple, message: str) -> None:
        line, col = self.marks.at(path)
        self.errors.append(LoadError(self.file, line, col, path_text(path), message))

    def where(self, path: tuple) -> Location:
        line, col = self.marks.at(path)
        return Location(self.file, line, col)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(sorted(self.errors, key=lambda e: (e.line or 0, e.col or 0)))


def money(value: object) -> Decimal:
    """A YAML number as Decimal (floats are already Decimal, see yamlio)."""
    return value if isinstance(value, Decimal) else Decimal(value)


def threshold(spec: dict | None) -> Threshold | None:
    if spec is None:
        return None
    return Threshold(
        amount=money(spec["amount"]) if "amount" in spec else None,
        percent=money(spec["percent"]) if "percent" in spec else None,
    )
