"""answer-missing-fact: a reply on a topic leaves out a fact its approved answer requires.

The required facts are the answer's declared ``facts`` (else the facts of its
rendered text), bound at the reply's time. A required fact is stated when the
reply has a fact of its kind that agrees with it, or one that contradicts it
(that one is ``answer-contradicts-approved``'s to report). A fact that only
agrees with another value of the answer does not state it: "ביטול ללא עלות תוך
14 יום" says nothing of the ₪100 fee after that.

Options: ``kinds``, the fact kinds required (default all four).

Passing (answer ``cancellation-fee``)::

    {"channel": "phone", "at": "2026-11-18T10:00", "answer": "cancellation-fee",
     "text": "ביטול חינם עד 14 יום, אחרי זה 100 שקל"}

Failing (the ₪100 fee is missing)::

    {"channel": "phone", "at": "2026-11-18T10:00", "answer": "cancellation-fee",
     "text": "ביטול ללא עלות תוך 14 יום"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Evidence, Observation, Problem, Rule
from ..values import FactValue
from . import OBSERVATION, Context
from ._agreement import agrees, comparable
from ._topic import KINDS_OPTIONS, topic

ID = "answer-missing-fact"
KIND = OBSERVATION
NEEDS = "text"  # the engine skips observations without it
DEFAULTS = {"severity": "warning"}
OPTIONS = KINDS_OPTIONS


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    on = topic(obs, ctx, rule)
    if on is None:
        return
    from ..text.facts import facts_in  # its patterns load only where there are answers

    answers, answer, kinds, accepted = on.answers, on.answer, on.kinds, on.accepted
    found = facts_in(obs.text)
    for required in answers.expected_facts(answer.id, obs.at):
        if required.kind in kinds and not _stated(required, found, accepted, ctx, obs):
            yield _problem(obs, answer, required)


def _stated(required, found, accepted, ctx: Context, obs: Observation) -> bool:
    """Whether the reply states ``required``; an old price ("במקום 120 ₪") states nothing."""
    for fact in found:
        if fact.role == "was" or not comparable(fact, required):
            continue
        if agrees(fact, required, ctx.book, obs.channel, obs.at):
            return True
        if not any(agrees(fact, a, ctx.book, obs.channel, obs.at) for a in accepted):
            return True  # a contradiction: reported by answer-contradicts-approved
    return False


def _problem(obs: Observation, answer, required) -> Problem:
    return Problem(
        message=f"{obs.channel} replied on {answer.id} without stating {required.raw}",
        channel=obs.channel,
        product=required.product,
        answer=answer.id,
        at=obs.at,
        expected=FactValue(required.kind, required.value, required.unit),
        observed=None,
        evidence=Evidence(
            ref=obs.ref, source=str(obs.source), excerpt=obs.text[:500], where=required.where
        ),
        related=(obs.id,),
        key=(required.kind, required.unit or ""),
    )
