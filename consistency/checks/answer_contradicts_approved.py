"""answer-contradicts-approved: a fact in a reply disagrees with the approved answer's fact.

The reply's facts (money, percent, duration, count) are compared with the facts of
the approved answer it addresses (its ``answer`` id, or the one routing found),
bound to the price list at the reply's time. A fact agrees with any value the
answer states: its declared facts and the facts in its rendered text, so "ללא
עלות" (money 0) agrees with an answer that says cancellation is free for 14 days.
Money agrees within the channel's tolerance or when it is a price the channel may
give for the answer's product. Durations agree only in one unit family: 3
business days are not 3 days, 2 weeks are 14 days. Counts compare only counts of
the same thing. Money stated for another product ("סיב 500 עולה ₪99.90") is left
to ``price-in-reply-mismatch``. Each disagreeing fact is one finding, with its
span in the reply; ``evidence.where`` is the answer in answers.yaml.

Options: ``kinds``, the fact kinds to compare (default all four).

Passing (answer ``cancellation-fee``: free within 14 days, then ₪100)::

    {"channel": "chat", "at": "2026-11-18T10:00", "answer": "cancellation-fee",
     "text": "ביטול ללא עלות עד 14 יום מההצטרפות, אחר כך 100 ש\\"ח"}

Failing (7 days instead of 14)::

    {"channel": "chat", "at": "2026-11-18T10:00", "answer": "cancellation-fee",
     "text": "אפשר לבטל בלי עלות תוך 7 ימים"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Evidence, Observation, Problem, Rule
from ..text.phrases import priced_mentions
from ..values import FactValue
from . import OBSERVATION, Context
from ._agreement import agrees, comparable
from ._topic import KINDS_OPTIONS, topic

ID = "answer-contradicts-approved"
KIND = OBSERVATION
NEEDS = "text"  # the engine skips observations without it
DEFAULTS = {"severity": "error"}
OPTIONS = KINDS_OPTIONS


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    on = topic(obs, ctx, rule)
    if on is None:
        return
    from ..text.facts import facts_in  # its patterns load only where there are answers

    answers, answer, kinds, accepted = on.answers, on.answer, on.kinds, on.accepted
    expected = answers.expected_facts(answer.id, obs.at)
    facts = facts_in(obs.text)
    skip = _not_about_this_answer(obs.text, facts, answers, answer)
    for fact in facts:
        if fact.kind not in kinds or fact.role == "was" or (fact.start, fact.end) in skip:
            continue  # an old price beside the quote ("was ₪120, now ₪99.90") is no claim
        candidates = [a for a in accepted if comparable(fact, a)]
        if not candidates:
            continue
        if any(agrees(fact, a, ctx.book, obs.channel, obs.at) for a in candidates):
            continue
        reference = _reference(fact, expected, candidates)
        yield _problem(obs, answer, fact, reference)


def _not_about_this_answer(text, facts, answers, answer) -> set[tuple[int, int]]:
    """Spans of facts that are no statement on this topic.

    Money stated for a product the answer does not price, and any fact inside a
    product's name (the 500 of "סיב 500").
    """
    matcher = answers.matcher()
    mentions = matcher.find(text)
    spans = {
        (fact.start, fact.end)
        for fact in facts
        if any(fact.start < m.end and m.start < fact.end for m in mentions)
    }
    priced = {*answer.products, *(f.price for f in answer.facts if f.price)}
    spans |= {
        (fact.start, fact.end)
        for mention, fact in priced_mentions(text, matcher)
        if mention.id not in priced
    }
    return spans


def _reference(fact, expected, candidates):
    """The expected fact a disagreeing fact is shown against: a declared one of its unit."""
    same = [e for e in expected if comparable(fact, e)] or candidates
    same_unit = [e for e in same if e.unit == fact.unit]
    return (same_unit or same)[0]


def _problem(obs: Observation, answer, fact, reference) -> Problem:
    observed = FactValue(fact.kind, fact.value, fact.unit)
    expected = FactValue(reference.kind, reference.value, reference.unit)
    return Problem(
        message=(
            f"{obs.channel} said {fact.raw!r} on {answer.id}; "
            f"the approved answer says {reference.raw}"
        ),
        channel=obs.channel,
        product=reference.product,
        answer=answer.id,
        at=obs.at,
        expected=expected,
        observed=observed,
        evidence=Evidence(
            ref=obs.ref,
            source=str(obs.source),
            excerpt=obs.text[:500],
            span=(fact.start, fact.end),
            where=answer.where,
        ),
        related=(obs.id,),
        key=(fact.kind, str(fact.value)),
    )
