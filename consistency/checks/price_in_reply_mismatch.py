"""price-in-reply-mismatch: free text names a product and a price the channel may not give.

A reply, agent note or call transcript that names a product (by name or alias)
and states a money amount for it (in the same sentence, within 60 characters
after the name, or right before it) is held to the price list like a structured
quote: the list price in effect at its time, promotions allowed on the channel,
the channel's discount authority and tolerance. Spoken prices count ("תשעים
ותשע תשעים" is ₪99.90). A number inside a product's name ("סיב 500") is not a
price. The ``cause`` is the one ``price-mismatch`` would give (``stale-price``,
``over-authority-discount`` ...). A record whose structured ``amount`` is for the
same product is left to ``price-mismatch``.

Options: none besides the common ones.

Passing (list ₪99.90)::

    {"channel": "phone", "at": "2026-11-18T10:00",
     "text": "אמרתי ללקוח שסיב 500 עולה תשעים ותשע תשעים לחודש"}

Failing (₪89.90 is 10% off; the phone may give 5%: cause ``over-authority-discount``)::

    {"channel": "phone", "at": "2026-11-18T10:00",
     "text": "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש"}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from ..model import Evidence, Observation, Problem, Rule
from ..text.display import money_text
from ..text.phrases import priced_mentions
from . import OBSERVATION, Context
from ._quotes import difference, money, percent_note, product_name
from .price_mismatch import classify

ID = "price-in-reply-mismatch"
KIND = OBSERVATION
NEEDS = "text"  # the engine skips observations without it
DEFAULTS = {"severity": "error"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    if ctx.answers is None or not obs.text:
        return
    book = ctx.book
    for mention, fact in priced_mentions(obs.text, ctx.answers.matcher()):
        if fact.unit != book.currency:
            continue  # another currency has no list price to compare with
        if obs.amount is not None and obs.product == mention.id:
            continue  # the structured quote: price-mismatch holds it to the list
        if book.window_at(mention.id, obs.at) is None:
            continue  # no price in effect then: unknown-product's question
        if not book.accepts(fact.value, mention.id, obs.channel, obs.at):
            yield _problem(obs, book, mention, fact)


def _problem(obs: Observation, book, mention, fact) -> Problem:
    quote = replace(obs, product=mention.id, amount=fact.value, currency=book.currency)
    offers = book.offers(mention.id, obs.channel, obs.at)
    reference = min(offers, key=lambda o: abs(fact.value - o.amount))
    cause = classify(fact.value, quote, book, offers)
    diff = difference(fact.value, reference.amount)
    what = f"the {reference.promotion} price" if reference.promotion else "the list price"
    expected = money(reference.amount, book.currency, promotion=reference.promotion or None)
    return Problem(
        message=(
            f"{obs.channel} said {fact.raw!r} ({money_text(fact.value, book.currency)}) for "
            f"{product_name(book, mention.id)}; {what} is "
            f"{money_text(reference.amount, book.currency)}{percent_note(diff)}"
        ),
        channel=obs.channel,
        product=mention.id,
        answer=obs.answer,
        at=obs.at,
        expected=expected,
        observed=money(fact.value, book.currency),
        difference=diff,
        cause=cause,
        evidence=Evidence(
            ref=obs.ref,
            source=str(obs.source),
            excerpt=obs.text[:500],
            span=(fact.start, fact.end),
            where=reference.where,
        ),
        related=(obs.id,),
        key=(cause, str(fact.value)),
    )
