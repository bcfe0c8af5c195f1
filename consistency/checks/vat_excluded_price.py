"""vat-excluded-price: a consumer channel stated a price without VAT.

Israeli consumer prices must include VAT. A record with ``vat_included: false``
on a channel whose policy is ``consumer: true`` (the default) is reported; a
business channel (``channels.<name>.consumer: false``) may quote without VAT.

Options: none.

Passing::

    {"channel": "web", "at": "2026-11-21", "product": "fiber-500", "amount": 99.90}

Failing::

    {"channel": "phone", "at": "2026-11-21", "product": "fiber-500", "amount": 84.66,
     "vat_included": false}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Observation, Problem, Rule
from ..text.display import money_text
from . import OBSERVATION, Context
from ._quotes import evidence, money

ID = "vat-excluded-price"
KIND = OBSERVATION
NEEDS = "amount"
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    if obs.amount is None or obs.vat_included or not ctx.book.policy(obs.channel).consumer:
        return
    currency = obs.currency or ctx.book.currency
    yield Problem(
        message=(
            f"{obs.channel} quoted {money_text(obs.amount, currency)} without VAT "
            "to consumers, who must be quoted VAT-inclusive prices"
        ),
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        observed=money(obs.amount, currency, vat_included=False),
        cause="vat-excluded",
        evidence=evidence(obs),
        related=(obs.id,),
        key=("vat-excluded", obs.product or ""),
    )
