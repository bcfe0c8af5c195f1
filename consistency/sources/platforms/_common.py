"""What every platform adapter shares: reading a whole JSON export and naming bad JSON paths."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from ...model import InvalidRecord, Location, Observation, SourceFailure
from ..records import RecordContext, to_observation


class Malformed(ValueError):
    """A field of an export that is missing or of the wrong type, at a JSON path."""

    def __init__(self, path: str, reason: str):
        super().__init__(reason)
        self.path = path


def load_json(path: Path, ctx: RecordContext):
    """The file's JSON, or a SourceFailure / InvalidRecord saying why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as err:
        return SourceFailure(ctx.default_channel or "?", str(path), err.strerror or str(err))
    except UnicodeDecodeError as err:
        return SourceFailure(ctx.default_channel or "?", str(path), f"not UTF-8 ({err.reason})")
    except json.JSONDecodeError as err:
        where = Location(str(path), err.lineno, err.colno)
        return InvalidRecord(where, f"not JSON: {err.msg}", "$", ctx.default_channel)


def invalid(path: Path, bad: Malformed, ctx: RecordContext) -> InvalidRecord:
    """An InvalidRecord naming the file and the JSON path of the bad field."""
    return InvalidRecord(Location(str(path)), f"{bad.path}: {bad}", bad.path, ctx.default_channel)


def need(node, key: str, kind, path: str):
    """``node[key]`` when it is of type ``kind``; else ``Malformed`` naming ``path.key``.

    >>> need({"a": 1}, "a", int, "$")
    1
    >>> need({"a": "x"}, "a", int, "$")
    Traceback (most recent call last):
    ...
    consistency.sources.platforms._common.Malformed: expected int, found str
    """
    if not isinstance(node, dict):
        raise Malformed(path, f"expected an object, found {type(node).__name__}")
    if key not in node or node[key] is None:
        raise Malformed(f"{path}.{key}", f"missing field {key!r}")
    value = node[key]
    if not isinstance(value, kind) or isinstance(value, bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise Malformed(f"{path}.{key}", f"expected {names}, found {type(value).__name__}")
    return value


def observation(record: dict, meta: dict, path: Path, ctx: RecordContext) -> Iterator:
    """``to_observation`` on a SPEC 3.3 record, then the platform's detail put in ``meta``."""
    made = to_observation(record, Location(str(path)), ctx)
    yield replace(made, meta=meta) if isinstance(made, Observation) else made
