"""promotion-misuse: a quote names a promotion that does not cover its product, channel or time.

Causes: ``unknown-promotion`` (no such id), ``wrong-product``, ``wrong-channel``,
``expired`` (after its ``to``) and ``not-started`` (before its ``from``).

Options: none.

Passing (black-friday covers fiber-500 on the web from 2026-11-20 to 2026-11-30)::

    {"channel": "web", "at": "2026-11-25", "product": "fiber-500", "amount": 79.92,
     "promotion": "black-friday"}

Failing (the phone may not offer it)::

    {"channel": "phone", "at": "2026-11-25", "product": "fiber-500", "amount": 79.92,
     "promotion": "black-friday"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Observation, Problem, Promotion, Rule
from ..values import PromotionValue
from . import OBSERVATION, Context
from ._quotes import evidence

ID = "promotion-misuse"
KIND = OBSERVATION
NEEDS = "promotion"
DEFAULTS = {"severity": "error"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    if not obs.promotion:
        return
    promo = ctx.book.promotion(obs.promotion)
    cause, reason = _misuse(promo, obs)
    if cause is None:
        return
    observed = PromotionValue(obs.promotion)
    if obs.amount is not None:
        observed = PromotionValue(obs.promotion, obs.amount, obs.currency or ctx.book.currency)
    yield Problem(
        message=f"{obs.channel} applied promotion {obs.promotion!r}: {reason}",
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        observed=observed,
        cause=cause,
        evidence=evidence(obs, promo.where if promo else None),
        related=(obs.id,),
        key=(cause, obs.promotion),
    )


def _misuse(promo: Promotion | None, obs: Observation) -> tuple[str | None, str]:
    if promo is None:
        return "unknown-promotion", "no such promotion on the list"
    if obs.product and not promo.covers_product(obs.product):
        return "wrong-product", f"it does not cover {obs.product}"
    if not promo.covers_channel(obs.channel):
        return "wrong-channel", f"it is offered only on {', '.join(promo.channels or ())}"
    if promo.end is not None and obs.at >= promo.end:
        return "expired", f"it ended {promo.end.isoformat()}"
    if promo.start is not None and obs.at < promo.start:
        return "not-started", f"it starts {promo.start.isoformat()}"
    return None, ""
