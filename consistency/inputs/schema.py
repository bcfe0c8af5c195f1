"""JSON Schema validation that points at the offending YAML line, in words for a person.

``validate`` checks data read by :mod:`consistency.inputs.yamlio` against a packaged
JSON Schema (draft 2020-12) and returns every problem as a ``LoadError`` with the
line and column of the node at fault. YAML numbers are Decimals, so the schema's
``number`` and ``integer`` types accept them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import resources

import jsonschema
from jsonschema.exceptions import ValidationError

from ..errors import LoadError
from .yamlio import Marks, Path_, Unreadable

MAX_SCHEMA_ERRORS = 100  # schema errors described per file; the rest are counted as one


def _is_number(checker, instance) -> bool:
    if isinstance(instance, bool):
        return False
    if isinstance(instance, Decimal):
        return instance.is_finite()
    return isinstance(instance, int | float)


def _is_integer(checker, instance) -> bool:
    if isinstance(instance, Decimal):
        return instance.is_finite() and instance == instance.to_integral_value()
    return jsonschema.Draft202012Validator.TYPE_CHECKER.is_type(instance, "integer")


_TYPES = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
    {"number": _is_number, "integer": _is_integer}
)
Validator = jsonschema.validators.extend(jsonschema.Draft202012Validator, type_checker=_TYPES)


@cache
def load_schema(name: str) -> dict:
    """The packaged schema ``consistency/schemas/<name>.schema.json``."""
    text = resources.files("consistency").joinpath(f"schemas/{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def validator_for(name: str) -> jsonschema.protocols.Validator:
    return Validator(load_schema(name))


def validate(
    data: object, marks: Marks, schema_name: str, file: str, unreadable: bool = False
) -> list[LoadError]:
    """Every way ``data`` breaks schema ``schema_name``, sorted by position in the file.

    ``unreadable``: ``data`` holds values YAML could not read (:class:`~.yamlio.Unreadable`,
    already reported by the reader); a fault about one is not reported again.
    """
    validator = validator_for(schema_name)
    return validate_with(validator, data, marks, file, unreadable=unreadable)


def holds_unreadable(value: object) -> bool:
    """Whether ``value`` is or holds a value YAML could not read (aliases: each once).

    >>> holds_unreadable({"a": [1, Unreadable("-0")]}), holds_unreadable([1, {"b": 2}])
    (True, False)
    """
    stack, seen = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, Unreadable):
            return True
        if isinstance(item, dict | list) and id(item) not in seen:
            seen.add(id(item))
            stack.extend(item.values() if isinstance(item, dict) else item)
    return False


def validate_with(
    validator, data: object, marks: Marks, file: str, prefix=(), unreadable: bool = False
) -> list[LoadError]:
    """Like ``validate`` with any validator; ``prefix`` is where ``data`` sits in the file.

    At most :data:`MAX_SCHEMA_ERRORS` are described (a file of 70,000 wrong items would
    take minutes to describe); then one more error says that the rest are not shown.
    """
    errors = []
    faults = validator.iter_errors(data)
    if unreadable:
        faults = (e for e in faults if not holds_unreadable(e.instance))
    for count, error in enumerate(faults):
        if count == MAX_SCHEMA_ERRORS:
            more = f"more problems not shown (the first {MAX_SCHEMA_ERRORS} are above)"
            errors.append(LoadError(file, None, None, "", more))
            break
        path = (*prefix, *error.absolute_path)
        line, col = _error_mark(error, path, marks)
        errors.append(LoadError(file, line, col, path_text(path), describe(error)))
    return sorted(errors, key=lambda e: (e.line or float("inf"), e.col or 0, e.path))


def _error_mark(error: ValidationError, path: Path_, marks: Marks):
    """The mark of the node at fault; for an unknown key, the key itself."""
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        for key in unexpected_keys(error):
            if (*path, key) in marks.keys_at:
                return marks.keys_at[(*path, key)]
    return marks.at(path)


def path_text(path: Iterable) -> str:
    """A JSON path as people write it.

    >>> path_text(("products", 0, "prices", 1, "to"))
    'products[0].prices[1].to'
    """
    text = ""
    for part in path:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def show(value: object) -> str:
    """A value as it was written in YAML, short.

    >>> show(Decimal("99.90")), show("abc"), show(date(2026, 1, 2)), show(None)
    ('99.90', "'abc'", '2026-01-02', 'null')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal | int | float | date):
        return str(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


_BOOL_HINT = " (YAML reads yes/no/on/off/true/false as true or false: put it in quotes)"

_TYPE_WORDS = {
    "number": "a number",
    "integer": "a whole number",
    "string": "text",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "empty",
}


def _type_words(types) -> str:
    types = [types] if isinstance(types, str) else list(types)
    return " or ".join(_TYPE_WORDS.get(t, t) for t in types)


def unexpected_keys(error: ValidationError) -> list:
    allowed = set(error.schema.get("properties", {}))
    patterns = list(error.schema.get("patternProperties", {}))
    return [
        key
        for key in error.instance
        if key not in allowed and not any(re.search(p, str(key)) for p in patterns)
    ]


# Keywords whose own message says little; a schema's ``errorMessage`` replaces it.
_COMBINED = {"anyOf", "oneOf", "not", "minProperties", "maxProperties"}


def describe(error: ValidationError) -> str:
    """A message for a person: what is wrong with the value, in the file's terms."""
    kind, value, schema = error.validator, error.instance, error.validator_value
    custom = error.schema.get("errorMessage") if isinstance(error.schema, dict) else None
    if custom and kind in _COMBINED:
        return custom if isinstance(value, dict | list) else f"{show(value)} {custom}"
    if kind == "type" and value is None and not error.absolute_path:
        return f"the file is empty; expected {_type_words(schema)}"
    if kind == "type":
        hint = _BOOL_HINT if isinstance(value, bool) and "string" in schema else ""
        return f"{show(value)} is not {_type_words(schema)}{hint}"
    if kind == "required":
        missing = [k for k in schema if isinstance(value, dict) and k not in value]
        return "missing required key " + ", ".join(repr(k) for k in missing)
    if kind == "additionalProperties":
        return "; ".join(_unknown_key(key, error.schema) for key in unexpected_keys(error))
    if kind in ("enum", "const"):
        options = schema if kind == "enum" else [schema]
        return f"{show(value)} is not one of: " + ", ".join(show(o) for o in options)
    if kind == "pattern":
        rule = error.schema.get("description") or f"the pattern {schema}"
        return f"{show(value)} is not valid: {rule}"
    if kind in ("anyOf", "oneOf") and error.context:
        return describe(jsonschema.exceptions.best_match(error.context))
    return error.message


def _unknown_key(key: object, schema: dict) -> str:
    known = [str(k) for k in schema.get("properties", {})]
    close = difflib.get_close_matches(str(key), known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
    return f"unknown key {key!r}{hint}"
