"""What every loader shares: read-and-validate, a per-file problem collector, numbers.

Loaders never stop at the first problem: they collect ``LoadError`` values (file,
line, column, field path, message) in a :class:`Problems` and raise them together
as one ``InputError`` (or hand them to ``lint`` without raising).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from ..errors import InputError, LoadError
from ..model import Location, Threshold
from ..registry import suggest
from .prune import valid_part
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


def read_part(path: Source, schema: str) -> tuple[object, Problems]:
    """Load ``path``, validate it, and return what passes the schema with a :class:`Problems`
    already holding the schema's problems, so the loader's own checks run on the rest
    (one lint run shows every problem). Raises ``InputError`` when nothing can be
    checked further: YAML that cannot be read, or a fault in the document as a whole.
    """
    salvaged: list = []
    data, marks = load_yaml(path, salvaged)
    problems = Problems(str(path), marks)
    problems.full = data
    problems.errors = [replace(error, path=path_text(at)) for at, error in salvaged]
    problems.errors += validate(data, marks, schema, str(path), bool(salvaged))
    if not problems.errors:
        return data, problems
    part = valid_part(data, marks, schema, [at for at, _ in salvaged])
    if part is None:
        problems.raise_if_any()
    problems.marks, problems.original = part.marks, part.original
    return part.data, problems


class Problems:
    """Collects LoadErrors for one file, placed by JSON path.

    ``original`` maps a path in the data checked to its path in the file (they differ
    when :func:`read_part` dropped list items that broke the schema).
    """

    def __init__(self, file: str, marks: Marks):
        self.file, self.marks, self.errors = file, marks, []
        self.original = tuple
        self.full, self.file_marks = None, marks  # the whole file, with what was left out

    def file_items(self, key: str) -> list[tuple[int, object]]:
        """``(index, item)`` of the top-level list ``key`` as the file has it, items that
        broke the schema included (so cross-item checks such as duplicate ids see them)."""
        items = self.full.get(key) if isinstance(self.full, dict) else None
        return list(enumerate(items)) if isinstance(items, list) else []

    def file_index(self, key: str, index: int) -> int:
        """The file's index of item ``index`` of the checked list ``key``."""
        return self.original((key, index))[1]

    def add_in_file(self, path: tuple, message: str) -> None:
        """Like :meth:`add`, with ``path`` as the file has it."""
        line, col = self.file_marks.at(path)
        self.errors.append(LoadError(self.file, line, col, path_text(path), message))

    def duplicate_ids(self, key: str, message) -> set[int]:
        """Report each item under ``key`` whose ``id`` an earlier item has, kept or not;
        ``message(id, first)`` says it (``first``: the earlier item's Location). Returns
        the file indexes of the repeats."""
        first: dict[str, Location] = {}
        repeats = set()
        for index, entry in self.file_items(key):
            ident = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(ident, str):
                continue
            if ident in first:
                self.add_in_file((key, index, "id"), message(ident, first[ident]))
                repeats.add(index)
            else:
                line, col = self.file_marks.at((key, index))
                first[ident] = Location(self.file, line, col)
        return repeats

    def add(self, path: tuple, message: str) -> None:
        line, col = self.marks.at(path)
        self.errors.append(LoadError(self.file, line, col, self.path_text(path), message))

    def check_channels(self, channels, known, at: tuple, *, in_file: bool = False) -> None:
        """An entry's ``channels`` list: each must be one of ``known`` (with a did-you-mean);
        ``in_file``: ``at`` is a path as the file has it (an item that broke the schema).

        >>> from consistency.inputs.yamlio import loads
        >>> problems = Problems("r.yaml", loads("channels: [web, stor]", "r.yaml")[1])
        >>> problems.check_channels(["web", "stor"], ("web", "store"), ())
        >>> print(problems.errors[0])
        r.yaml:1:17: channels[1]: unknown channel 'stor'; known: web, store; did you mean 'store'?
        """
        known = list(dict.fromkeys(known))
        add = self.add_in_file if in_file else self.add
        for i, channel in enumerate(channels or ()):
            if channel is not None and channel not in known:
                close = suggest(str(channel), known)
                hint = f"; did you mean {close!r}?" if close else ""
                message = f"unknown channel {channel!r}; known: {', '.join(known)}{hint}"
                add((*at, "channels", i), message)

    def path_text(self, path: tuple) -> str:
        """``path`` as the file has it: ``products[3].prices[0].to``."""
        return path_text(self.original(path))

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
