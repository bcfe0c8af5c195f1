"""The part of a document that passes its schema, so one lint run shows every problem.

A file with schema errors used to stop before its semantic checks (overlapping windows,
duplicate ids, dates), so fixing it took one run per stage. :func:`valid_part` drops
what a schema error is about (the list item holding it, else the key; an unknown key
alone) until what is left passes, and gives line marks for what is left, so the
loaders check it as usual and their problems still name the right line.

>>> from consistency.inputs.yamlio import loads
>>> data, marks = loads("products:\\n  - {id: a}\\n  - {id: b, price: 2}\\n", "p.yaml")
>>> part = valid_part(data, marks, "prices")
>>> part.data, part.marks.at(("products", 0))
({'products': [{'id': 'b', 'price': 2}]}, (3, 5))
>>> part.original(("products", 0, "price"))
('products', 1, 'price')
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .schema import MAX_SCHEMA_ERRORS, unexpected_keys, validator_for
from .yamlio import Marks

# Lists whose items are option sets: a fault in one option leaves out that option alone (the
# item's other options are still checked; a later round drops the item if it then breaks).
# Elsewhere the whole item goes: a price window without its bad ``from`` would overlap.
OPTION_LISTS = {"config": {("sources",)}, "rules": {("rules",)}}
MAX_ROUNDS = 5  # a drop can break what holds it (minItems, required): drop again, a few times
_DROP = object()


@dataclass
class Part:
    """What passes the schema: ``data``, its ``marks``, and ``original(path)``, the path in
    the file of a path in ``data`` (list items before it may have been dropped)."""

    data: object
    marks: Marks
    kept: dict[tuple, list[int]] = field(default_factory=dict)  # list path -> kept indexes

    def original(self, path: Iterable) -> tuple:
        result: tuple = ()
        for part in path:
            kept = self.kept.get(result)
            is_index = isinstance(part, int) and not isinstance(part, bool)
            result = (*result, kept[part] if kept is not None and is_index else part)
        return result


def valid_part(data: object, marks: Marks, schema_name: str, drop=()) -> Part | None:
    """The largest easily found part of ``data`` that passes ``schema_name``, or None when
    the fault is the document itself (not a mapping, a required top-level key missing).

    ``drop``: paths of values known to be bad (YAML could not read them); the list item
    holding each (else its top-level key) is left out from the start.
    """
    validator = validator_for(schema_name)
    dropped: set[tuple] = set()
    for path in drop:
        items = [i for i, p in enumerate(path) if isinstance(p, int) and not isinstance(p, bool)]
        if not path:
            return None
        dropped.add(path[: items[-1] + 1] if items else path[:1])
    part = Part(data, marks)
    if dropped:
        kept: dict[tuple, list[int]] = {}
        part = Part(_without(data, (), dropped, kept), marks, kept)
        part.marks = _moved(marks, part)
    for _ in range(MAX_ROUNDS):
        errors = list(_first(validator.iter_errors(part.data), MAX_SCHEMA_ERRORS + 1))
        if not errors:
            return part
        if len(errors) > MAX_SCHEMA_ERRORS:
            return None
        for error in errors:
            found = _at_fault(error, part, OPTION_LISTS.get(schema_name, set()))
            if found is None:
                return None
            dropped |= found
        kept: dict[tuple, list[int]] = {}
        part = Part(_without(data, (), dropped, kept), marks, kept)
        part.marks = _moved(marks, part)
    return None


def _first(errors, count: int):
    for index, error in enumerate(errors):
        if index == count:
            return
        yield error


def _at_fault(error, part: Part, option_lists: set[tuple]) -> set[tuple] | None:
    """The original paths to drop for ``error``: unknown keys alone, else the innermost list
    item holding the fault (in ``option_lists``, only the option), else the key it is
    under; None when that is the whole file."""
    path = part.original(error.absolute_path)
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        return {(*path, key) for key in unexpected_keys(error)}
    items = [i for i, p in enumerate(path) if isinstance(p, int) and not isinstance(p, bool)]
    if items:
        item = path[: items[-1] + 1]
        if item[:-1] in option_lists and len(path) > len(item):
            return {path[: len(item) + 1]}
        return {item}
    return {path} if path else None


def _without(value: object, path: tuple, dropped: set[tuple], kept: dict) -> object:
    if path in dropped:
        return _DROP
    if isinstance(value, dict):
        pairs = ((k, _without(v, (*path, k), dropped, kept)) for k, v in value.items())
        return {k: v for k, v in pairs if v is not _DROP}
    if isinstance(value, list):
        items = [(i, _without(v, (*path, i), dropped, kept)) for i, v in enumerate(value)]
        items = [(i, v) for i, v in items if v is not _DROP]
        if len(items) != len(value):
            kept[path] = [i for i, _ in items]
        return [v for _, v in items]
    return value


def _moved(marks: Marks, part: Part) -> Marks:
    """``marks`` keyed by the paths of ``part.data`` (the marks of dropped items left out)."""
    new_index = {path: {old: new for new, old in enumerate(idx)} for path, idx in part.kept.items()}

    def moved(path: tuple) -> tuple | None:
        result, original = (), ()
        for piece in path:
            table = new_index.get(original)
            original = (*original, piece)
            if table is not None and isinstance(piece, int) and not isinstance(piece, bool):
                if piece not in table:
                    return None
                piece = table[piece]
            result = (*result, piece)
        return result

    shifted = Marks()
    for source, target in ((marks, shifted), (marks.keys_at, shifted.keys_at)):
        for path, mark in source.items():
            new = moved(path)
            if new is not None:
                target[new] = mark
    return shifted
