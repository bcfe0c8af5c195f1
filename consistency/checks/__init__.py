"""The registry of built-in checks: check id -> module. Lookup fails clearly.

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

import importlib
from dataclasses import dataclass
from types import ModuleType
from zoneinfo import ZoneInfo

OBSERVATION = "observation"
GROUPED = "grouped"
# Operational checks are raised by the engine itself, not run on observations.
ENGINE = "engine"

_MODULES = {
    "price-mismatch": "price_mismatch",
    "cross-channel-gap": "cross_channel_gap",
    "customer-quote-conflict": "customer_quote_conflict",
    "promotion-misuse": "promotion_misuse",
    "unknown-product": "unknown_product",
    "vat-excluded-price": "vat_excluded_price",
    "structured-data-mismatch": "structured_data_mismatch",
    "ambiguous-page": "ambiguous_page",
    "invalid-record": "invalid_record",
    "channel-unreachable": "channel_unreachable",
    "answer-contradicts-approved": "answer_contradicts_approved",
    "answer-missing-fact": "answer_missing_fact",
    "forbidden-phrase": "forbidden_phrase",
    "price-in-reply-mismatch": "price_in_reply_mismatch",
    "no-reply": "no_reply",
}


class UnknownCheck(KeyError):
    def __str__(self) -> str:
        return f"unknown check {self.args[0]!r}; known checks: {', '.join(sorted(_MODULES))}"


def names() -> list[str]:
    return sorted(_MODULES)


def get(check_id: str) -> ModuleType:
    try:
        module_name = _MODULES[check_id]
    except KeyError:
        raise UnknownCheck(check_id) from None
    return importlib.import_module(f"{__name__}.{module_name}")


@dataclass(frozen=True)
class Context:
    """What checks may consult: the price book, the approved answers, the time zone, channels."""

    book: object  # consistency.pricebook.PriceBook
    timezone: ZoneInfo
    channels: tuple[str, ...]
    answers: object | None = None  # consistency.answers.AnswerBook, when answers are configured
    store: object | None = None  # consistency.store.Store: the run's DuckDB, for grouped state
