"""Rule sets (SPEC 3.4): YAML -> Rules, ids unique across files, options checked per check.

Each rule names a check (its ``check``, else its ``id``); the check's ``OPTIONS``
schema validates the rule's extra keys, so a misspelt option is an error at its line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta

from ..errors import InputError, LoadError
from ..model import Location, Rule
from ..registry import CHECKS, UnknownName
from .dates import parse_duration
from .problems import Problems, read_part, threshold
from .schema import Validator, path_text, validate_with
from .yamlio import Source

COMMON_RULE_KEYS = {"id", "check", "severity", "warn", "error", "window", "channels", "enabled"}


def load_rules(paths: Iterable[Source], known_channels: Iterable[str] | None = None) -> list[Rule]:
    """Read rule sets (SPEC 3.4); ids are unique across files. ``enabled: false`` drops a rule."""
    rules: list[Rule] = []
    errors: list[LoadError] = []
    seen: dict[str, Location] = {}
    known = tuple(known_channels) if known_channels is not None else None
    for path in paths:
        try:
            data, problems = read_part(path, "rules")
        except InputError as exc:
            errors.extend(exc.errors)
            continue
        repeats = problems.duplicate_ids(
            "rules", lambda ident, first: f"duplicate rule id {ident!r} (first at {first})"
        )  # over the file's items, those that broke the schema too
        kept = set()
        for index, entry in enumerate(data["rules"]):
            kept.add(problems.file_index("rules", index))
            if problems.file_index("rules", index) in repeats:
                continue
            rule = _rule(entry, ("rules", index), problems, seen, known)
            if rule is not None and entry.get("enabled", True):
                rules.append(rule)
        _left_out_channels(problems, kept, known)
        errors.extend(sorted(problems.errors, key=lambda e: (e.line or 0, e.col or 0)))
    if errors:
        raise InputError(errors)
    return rules


def _left_out_channels(problems: Problems, kept: set[int], known) -> None:
    """The channels of rules that broke the schema, checked as far as they can be read."""
    for index, entry in problems.file_items("rules"):
        channels = entry.get("channels") if isinstance(entry, dict) else None
        if known is None or index in kept or not isinstance(channels, list):
            continue
        names = [c if isinstance(c, str) else None for c in channels]
        problems.check_channels(names, known, ("rules", index), in_file=True)


def _rule(entry: dict, at: tuple, problems: Problems, seen: dict, known) -> Rule | None:
    where = problems.where(at)
    if entry["id"] in seen:
        problems.add(
            (*at, "id"), f"duplicate rule id {entry['id']!r} (first at {seen[entry['id']]})"
        )
        return None
    seen[entry["id"]] = where
    check = entry.get("check", entry["id"])
    module = _check_module(check, (*at, "check" if "check" in entry else "id"), problems)
    options = {k: v for k, v in entry.items() if k not in COMMON_RULE_KEYS}
    if module is not None:
        _validate_options(module, options, at, problems)
    if known is not None:
        problems.check_channels(entry.get("channels", ()), known, at)
    defaults = getattr(module, "DEFAULTS", {}) or {}
    window = _rule_window(entry.get("window", defaults.get("window")), (*at, "window"), problems)
    return Rule(
        id=entry["id"],
        check=check,
        severity=entry.get("severity", defaults.get("severity", "error")),
        warn=threshold(entry.get("warn")),
        error=threshold(entry.get("error")),
        window=window,
        channels=tuple(entry["channels"]) if "channels" in entry else None,
        options=options,
        where=where,
    )


def _rule_window(value, path: tuple, problems: Problems) -> timedelta | None:
    """The rule's ``window`` (or its check's default) as a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value
    try:
        return parse_duration(value)
    except ValueError as exc:
        problems.add(path, str(exc))
        return None


def _check_module(check: str, path: tuple, problems: Problems):
    try:
        return CHECKS.get(check)  # the check's DEFAULTS and OPTIONS, through the registry
    except UnknownName as exc:
        problems.add(path, str(exc))
    except ImportError as exc:
        problems.add(path, f"check {check!r} is registered but cannot be loaded: {exc}")
    return None


def _validate_options(module, options: dict, at: tuple, problems: Problems) -> None:
    schema = getattr(module, "OPTIONS", None)
    if not schema:
        return
    if not {"type", "properties", "$ref", "allOf", "anyOf", "oneOf"} & set(schema):
        # a bare {key: schema} map: the keys a check adds, nothing else
        schema = {"type": "object", "properties": schema}
    if "properties" in schema and not {"additionalProperties", "patternProperties"} & set(schema):
        schema = {**schema, "additionalProperties": False}  # a misspelt option is an error
    validator = Validator(schema)
    shown, written = path_text(at), problems.path_text(at)  # differ once rules were dropped
    for error in validate_with(validator, options, problems.marks, problems.file, at):
        problems.errors.append(replace(error, path=written + error.path[len(shown) :]))
