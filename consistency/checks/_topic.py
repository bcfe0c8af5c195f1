"""What the answer-fact checks share: the ``kinds`` option and the approved answer a reply is on."""

from __future__ import annotations

from dataclasses import dataclass

from ..answers import FACT_KINDS
from ..model import Observation, Rule

KINDS_OPTIONS = {
    "type": "object",
    "properties": {
        "kinds": {"type": "array", "items": {"enum": list(FACT_KINDS)}, "uniqueItems": True}
    },
}


@dataclass(frozen=True)
class Topic:
    """A reply's approved answer, the fact kinds the rule compares, and the facts it accepts."""

    answers: object  # consistency.answers.AnswerBook
    answer: object  # consistency.answers.Answer
    kinds: frozenset[str]
    accepted: list


def topic(obs: Observation, ctx, rule: Rule) -> Topic | None:
    """The approved answer a reply with text is on, when it applies to the reply's channel."""
    answers = ctx.answers
    answer = answers.get(obs.answer) if answers is not None else None
    if answer is None or not (obs.text or "").strip() or not answer.applies_to(obs.channel):
        return None
    kinds = frozenset(rule.options.get("kinds") or FACT_KINDS)
    return Topic(answers, answer, kinds, answers.accepted_facts(answer.id, obs.at))
