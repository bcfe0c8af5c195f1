"""unknown-product: a quote for a product not on the list, or with no price in effect then.

A quote whose product cannot be named (no ``product`` field and no alias found
in its ``name`` or ``text``) is reported too: a price nobody can check is a gap.

Options: none.

Passing::

    {"channel": "web", "at": "2026-11-21", "product": "fiber-500", "amount": 99.90}

Failing (no such product; and a product whose price starts in December)::

    {"channel": "web", "at": "2026-11-21", "product": "fiber-5000", "amount": 99.90}
    {"channel": "web", "at": "2026-11-21", "product": "cloud-backup", "amount": 14.90}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Observation, Problem, Rule
from ..text.display import money_text
from . import OBSERVATION, Context
from ._quotes import evidence, money

ID = "unknown-product"
KIND = OBSERVATION
NEEDS = "amount"
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    if obs.amount is None:
        return
    book = ctx.book
    currency = obs.currency or book.currency
    quoted = money_text(obs.amount, currency)
    if obs.product is None:
        named = obs.name or "an unnamed product"
        reason, kind = (
            f"{obs.channel} quoted {quoted} for {named}, which matches no product",
            "unnamed",
        )
    elif book.product(obs.product) is None:
        reason, kind = (
            f"{obs.channel} quoted {quoted} for {obs.product!r}, not on the list",
            "unlisted",
        )
    elif book.window_at(obs.product, obs.at) is None:
        name = book.product(obs.product).name
        when = obs.at.astimezone(ctx.timezone).date().isoformat()
        reason, kind = (
            f"{obs.channel} quoted {quoted} for {name}, which has no price on {when}",
            "no-price",
        )
    else:
        return
    yield Problem(
        message=reason,
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        observed=money(obs.amount, currency, name=obs.name or None),
        cause=kind,
        evidence=evidence(obs),
        related=(obs.id,),
        key=(kind, obs.product or obs.name or ""),
    )
