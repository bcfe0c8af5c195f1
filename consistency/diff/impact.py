"""What a price change touches: approved answers that price a changed product, the web
pages configured for a touched product, and the chat probes that ask the answers.

The answers are read with the one YAML reader (:mod:`consistency.inputs.yamlio`) but
not validated, so this works whatever else the answers file holds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..inputs.config import SourceConfig
from ..inputs.yamlio import loads
from .changes import AnswerImpact, ChatImpact, Impact, PageImpact, PriceListDiff

PRICE_CALL = re.compile(
    r"""\bprice \s* \( \s*     # the template helper price(
        (?P<quote>["'])         # an opening quote
        (?P<id>[^"']+)          # the product id
        (?P=quote)              # the same closing quote
    """,
    re.VERBOSE,
)


@dataclass(frozen=True, slots=True)
class AnswerRefs:
    """One approved answer and the products its text and facts take prices from."""

    id: str
    products: frozenset[str]
    where: str


def answer_refs(text: str, label: str) -> list[AnswerRefs]:
    """The approved answers in an answers YAML text, and the products each one prices.

    Read with the one YAML reader: a file the other commands accept is read here too,
    and a broken one names ``label:line:col``.

    >>> doc = 'answers:\\n  - id: a\\n    answer: "{{ price(\\'fiber-500\\') }}"\\n    facts: [{money: {price: cancel-fee}}]'
    >>> [(r.id, sorted(r.products), r.where) for r in answer_refs(doc, "answers.yaml")]
    [('a', ['cancel-fee', 'fiber-500'], 'answers.yaml:2')]
    """
    data, marks = loads(text, label)
    answers = data.get("answers") if isinstance(data, dict) else None
    found = []
    for index, entry in enumerate(answers if isinstance(answers, list) else ()):
        ident = entry.get("id") if isinstance(entry, dict) else None
        if not isinstance(ident, str | int):
            continue
        products = set()
        answer = entry.get("answer")
        if isinstance(answer, str):
            products |= {m["id"] for m in PRICE_CALL.finditer(answer)}
        products |= set(_price_keys(entry.get("facts")))
        where = f"{label}:{marks.at(('answers', index))[0]}"
        found.append(AnswerRefs(str(ident), frozenset(products), where))
    return found


def _price_keys(value) -> Iterable[str]:
    """Every scalar under a ``price:`` key, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "price" and not isinstance(item, dict | list):
                yield str(item)
            else:
                yield from _price_keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _price_keys(item)


def find_impact(
    diff: PriceListDiff, answer_docs: Sequence[tuple[str, str]], sources: Sequence[SourceConfig]
) -> Impact:
    """What to re-check. ``answer_docs`` are (label, YAML text) of the old and new answers."""
    priced = diff.priced_products()
    answers: dict[str, AnswerImpact] = {}
    for label, text in answer_docs:
        for ref in answer_refs(text, label):
            hit = tuple(sorted(ref.products & priced))
            if hit and ref.id not in answers:
                answers[ref.id] = AnswerImpact(ref.id, hit, ref.where)
    touched = diff.touched_products()
    pages = tuple(
        PageImpact(s.channel, str(page.get("url", "")), page["product"])
        for s in sources
        if s.fetch == "web"
        for page in s.options.get("pages") or ()
        if isinstance(page, dict) and page.get("product") in touched
    )
    chats = tuple(
        ChatImpact(s.channel, str(s.options.get("url", "")), tuple(answers))
        for s in sources
        if s.options.get("ask") == "answers" and answers
    )
    return Impact(tuple(answers.values()), pages, chats)
