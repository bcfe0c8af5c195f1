"""no-reply: a fetched channel gave an empty reply, or none.

A live fetcher (the http-chat probe) records every question it asked as an
observation with ``meta.fetched`` true, even when the reply was empty or
missing; such an observation with no text but spaces is a finding. Records read
from export files are never fetched, so this check ignores them. It needs no
approved answers: an empty reply is empty whatever the topic.

Options: none besides the common ones.

Passing: the bot answered the question it was asked (any non-empty text)::

    {"channel": "chat", "at": "2026-11-18T10:00", "answer": "cancellation-fee",
     "text": "ביטול ללא עלות עד 14 יום מההצטרפות, אחר כך 100 ש\\"ח",
     "meta": {"fetched": true, "question": "כמה עולה לבטל את המנוי?"}}

Failing: the bot was asked "כמה עולה לבטל את המנוי?" and its reply was empty::

    {"channel": "chat", "at": "2026-11-18T10:00", "answer": "cancellation-fee", "text": "",
     "meta": {"fetched": true, "question": "כמה עולה לבטל את המנוי?"}}
"""

from __future__ import annotations

from collections.abc import Iterator

from ..model import Evidence, Observation, Problem, Rule
from ..values import ReplyValue
from . import OBSERVATION, Context

ID = "no-reply"
KIND = OBSERVATION
DEFAULTS = {"severity": "error"}
OPTIONS = {"type": "object", "properties": {}}


def check(obs: Observation, ctx: Context, rule: Rule) -> Iterator[Problem]:
    meta = obs.meta or {}
    if not meta.get("fetched") or (obs.text or "").strip():
        return
    question = meta.get("question")
    asked = f" to {question!r}" if question else ""
    yield Problem(
        message=f"{obs.channel} gave an empty reply{asked}",
        channel=obs.channel,
        answer=obs.answer,
        at=obs.at,
        expected=ReplyValue("text", question, asked=True),
        observed=ReplyValue(""),
        evidence=Evidence(ref=obs.ref, source=str(obs.source), excerpt=question),
        related=(obs.id,),
        key=("empty", question or ""),
    )
