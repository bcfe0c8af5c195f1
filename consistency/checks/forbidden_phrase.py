"""forbidden-phrase: a reply contains a phrase the approved answers forbid.

Phrases come from ``policy.forbidden`` (every reply, on every channel) and from
the ``forbidden`` list of the answer the reply addresses. Matching is on
normalized, final-folded text: bidi marks, niqqud, geresh look-alikes and runs of
spaces do not hide a phrase, up to two Hebrew prefix letters (ו ה ש ב ל כ מ) may
stand before it, and it must start and end on word boundaries. One finding per
phrase found, with its span in the reply.

Options: none besides the common ones.

Passing::

    {"channel": "chat", "at": "2026-11-18T10:00", "text": "נבדוק ונחזור אליך עוד היום"}

Failing (the policy forbids "אין מה לעשות")::

    {"channel": "chat", "at": "2026-11-18T10:00", "text": "מצטערים, ואין מה לעשות"}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Evidence, Observation, Problem, Rule
from ..text.mentions import name_key
from ..text.phrases import find_phrase
from ..values import ForbiddenValue, PhraseValue
from . import OBSERVATION, Context

ID = "forbidden-phrase"
KIND = OBSERVATION
NEEDS = "text"  # the engine skips observations without it
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    if ctx.answers is None or not obs.text:
        return
    for phrase, scope in ctx.answers.forbidden_for(obs.answer, obs.channel):
        span = find_phrase(obs.text, phrase)
        if span is not None:
            yield _problem(obs, phrase, scope, span)


def _problem(obs: Observation, phrase, scope: str, span: tuple[int, int]) -> Problem:
    said = obs.text[span[0] : span[1]]
    whose = "the policy" if scope == "policy" else f"answer {scope}"
    return Problem(
        message=f"{obs.channel} said {said!r}, a phrase {whose} forbids",
        channel=obs.channel,
        answer=obs.answer,
        at=obs.at,
        expected=ForbiddenValue(phrase.text, scope),
        observed=PhraseValue(said),
        evidence=Evidence(
            ref=obs.ref,
            source=str(obs.source),
            excerpt=obs.text[:500],
            span=span,
            where=phrase.where,
        ),
        related=(obs.id,),
        key=(name_key(phrase.text),),
    )
