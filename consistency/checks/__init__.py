"""The registry of built-in checks: check id -> module. Lookup fails clearly.

The ids are written out in ``consistency/registry.py``; nothing registers itself on import.

A check module has ``ID``, ``KIND`` (``"observation"`` or ``"grouped"``),
``DEFAULTS`` (rule defaults such as severity), ``OPTIONS`` (a JSON Schema for
the rule keys it adds) and a docstring that documents it.

- per-observation: ``check(obs, ctx, rule) -> Iterator[Problem]``; an optional
  ``NEEDS`` names the Observation field without which the check cannot apply
  (``"amount"``, ``"text"`` ...), so the engine skips the call when it is None
- grouped: ``class State`` with ``__init__(ctx, rule)``, ``add(obs)``,
  ``merge(other)`` and ``finish() -> Iterator[Problem]``; its state is small and
  keyed, never every record, and two merged halves equal the whole.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType
from zoneinfo import ZoneInfo

from ..registry import CHECKS, UnknownName

OBSERVATION = "observation"
GROUPED = "grouped"
# Operational checks are raised by the engine itself, not run on observations.
ENGINE = "engine"

_MODULES = CHECKS.entries  # check id -> module name, written out in consistency/registry.py


REGISTRY = CHECKS
UnknownCheck = UnknownName  # what get() raises for a name that is not a check


def names() -> list[str]:
    """Every check id, sorted."""
    return REGISTRY.names()


def get(check_id: str) -> ModuleType:
    """The module of check ``check_id``; :class:`UnknownCheck` names the known ones."""
    return REGISTRY.get(check_id)


@dataclass(frozen=True)
class Context:
    """What checks may consult: the price book, the approved answers, the time zone, channels."""

    book: object  # consistency.pricebook.PriceBook
    timezone: ZoneInfo
    channels: tuple[str, ...]
    answers: object | None = None  # consistency.answers.AnswerBook, when answers are configured
    store: object | None = None  # consistency.store.Store: the run's DuckDB, for grouped state
