"""ambiguous-page: a web page shows several offers and nothing says which is the product's.

The web fetcher matches a page's offers to its product by ``sku``, then ``gtin``
(from the page entry in the config, else from the product in prices.yaml), then
the product id, then its name and aliases. When offers with different amounts
remain, it does not take the first: it records them in ``meta["ambiguous"]``
and this check reports the page, listing every offer, so that someone adds a
``sku`` or ``gtin`` to the product (or the page entry), or a narrower ``css``.

Options: none.

Passing: a page with ten variant offers whose JSON-LD gives each its ``sku``,
for a product with ``sku: F-500`` in prices.yaml: the F-500 offer is chosen, and
``consistency fetch`` writes::

    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": 99.90,
     "meta": {"url": "https://shop.example.co.il/fiber", "method": "jsonld"}}

Failing: the same page for a product with no sku or gtin and a name none of the
offers carries; no amount is taken, and ``consistency fetch`` writes::

    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500",
     "meta": {"url": "https://shop.example.co.il/fiber", "method": "jsonld",
              "ambiguous": [{"amount": "99.90", "currency": "ILS", "sku": "F-500"},
                            {"amount": "15.30", "currency": "ILS", "sku": "F-100"}]}}
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from ..model import Evidence, Observation, Problem, Rule
from ..text.display import money_text
from ..values import OffersValue, ProductValue
from . import OBSERVATION, Context

ID = "ambiguous-page"
KIND = OBSERVATION
NEEDS = "meta"
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}
SHOWN = 10  # offers named in the message; every offer is in ``observed``


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    offers = (obs.meta or {}).get("ambiguous")
    if not offers:
        return
    offers = sorted(offers, key=_order)
    url = obs.meta.get("url") or obs.ref
    currency = getattr(ctx.book, "currency", None) or "ILS"
    listed = ", ".join(_describe(offer, currency) for offer in offers[:SHOWN])
    more = f" and {len(offers) - SHOWN} more" if len(offers) > SHOWN else ""
    yield Problem(
        message=(
            f"{obs.channel} page {url} shows {len(offers)} offers ({obs.meta.get('method')}) and"
            f" none is clearly {obs.product}: {listed}{more}; give the product a sku or gtin"
        ),
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        expected=ProductValue(obs.product),
        observed=OffersValue(tuple(offers)),
        cause="ambiguous",
        evidence=Evidence(
            ref=obs.ref,
            source=url,
            excerpt=f"{obs.meta.get('method')}; evidence {obs.meta.get('evidence')}",
        ),
        related=(obs.id,),
        key=("ambiguous", obs.ref or url or "", len(offers)),
    )


def _order(offer) -> tuple:
    """Offers in a stable order whatever order the page listed them in."""
    return (_amount(offer) or Decimal(0), str(offer.get("sku") or ""), str(offer.get("path")))


def _amount(offer) -> Decimal | None:
    try:
        return Decimal(str(offer.get("amount")))
    except (InvalidOperation, ValueError):
        return None


def _describe(offer, currency: str) -> str:
    amount = _amount(offer)
    shown = money_text(amount, offer.get("currency") or currency) if amount is not None else "?"
    label = offer.get("sku") or offer.get("gtin") or offer.get("name") or offer.get("path")
    return f"{shown} ({label})" if label else shown
