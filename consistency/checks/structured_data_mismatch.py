"""structured-data-mismatch: a web page tells search engines one price and shows another.

The web fetcher records the price in the page's structured data (JSON-LD,
microdata, Open Graph: what search engines and shopping ads show) as
``meta["structured"]`` and the price a visitor sees (a ``css`` or ``regex``
extract, or the text of a microdata element) as ``meta["visible"]``. When both
are there and differ by more than half an agora, the page contradicts itself.

A JSON-LD block that cannot be read even leniently (``meta["structured_error"]``,
naming the block and its line) is reported too, with ``cause: unparsable``: what
search engines show for the page is then not what the shop meant.

Options: none.

Passing: a page whose JSON-LD says ``"price": "99.90"`` and whose ``.price``
element shows ``₪99.90``; ``consistency fetch`` writes::

    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": 99.90,
     "meta": {"url": "https://shop.example.co.il/fiber", "method": "jsonld",
              "structured": "99.90", "visible": "99.90", "visible_method": "css .price"}}

Failing: the same JSON-LD with ``<span class="price">₪89.90</span>`` on the page
(the offer was cut on the page, the structured data still says 99.90); or a
JSON-LD block with an unclosed brace beside a readable ``.price``::

    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": 99.90,
     "meta": {"url": "https://shop.example.co.il/fiber", "method": "jsonld",
              "structured": "99.90", "visible": "89.90", "visible_method": "css .price"}}
    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": 89.90,
     "meta": {"url": "https://shop.example.co.il/fiber", "method": "css .price",
              "structured_error": "JSON-LD block 1 of 1, line 3: no closing brace"}}
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal, InvalidOperation

from ..model import Evidence, Observation, Problem, Rule
from ..text.display import money_text
from . import OBSERVATION, Context
from ._quotes import difference, money, percent_note

ID = "structured-data-mismatch"
KIND = OBSERVATION
NEEDS = "meta"
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}
EPSILON = Decimal("0.005")


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    meta = obs.meta or {}
    if meta.get("structured_error"):
        yield _unparsable(obs, meta)
    structured, visible = _decimal(meta.get("structured")), _decimal(meta.get("visible"))
    if structured is None or visible is None or abs(structured - visible) <= EPSILON:
        return
    currency = obs.currency or getattr(ctx.book, "currency", None) or "ILS"
    url = meta.get("url") or obs.ref
    method, shown_by = meta.get("method", "structured data"), meta.get("visible_method", "page")
    diff = difference(structured, visible)
    yield Problem(
        message=(
            f"{obs.channel} page {url} gives search engines {money_text(structured, currency)}"
            f" ({method}) but shows {money_text(visible, currency)} ({shown_by})"
            f"{percent_note(diff)}"
        ),
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        expected=money(visible, currency, source="visible"),
        observed=money(structured, currency, source="structured"),
        difference=diff,
        evidence=Evidence(
            ref=obs.ref,
            source=url,
            excerpt=f"{method} {meta.get('path', '')}".strip()
            + f"; evidence {meta.get('evidence')}",
        ),
        related=(obs.id,),
        key=("structured-vs-visible", obs.ref or url or "", str(structured), str(visible)),
    )


def _decimal(value) -> Decimal | None:
    """Meta amounts arrive as Decimal, str (JSON-safe) or a JSON number."""
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def _unparsable(obs: Observation, meta) -> Problem:
    url = meta.get("url") or obs.ref
    return Problem(
        message=(
            f"{obs.channel} page {url}: structured data is unparsable ({meta['structured_error']});"
            " search engines cannot read its price"
        ),
        channel=obs.channel,
        product=obs.product,
        at=obs.at,
        cause="unparsable",
        evidence=Evidence(
            ref=obs.ref,
            source=url,
            excerpt=f"{meta['structured_error']}; evidence {meta.get('evidence')}",
        ),
        related=(obs.id,),
        key=("unparsable", obs.ref or url or "", str(meta["structured_error"]).split(":")[0]),
    )
