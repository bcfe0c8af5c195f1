"""Genesys Cloud conversation transcripts (``format: genesys-cloud``): what agents and bots said.

Reads the transcript JSON that Genesys Cloud Speech and Text Analytics serves
from the URL of ``GET /api/v2/speechandtextanalytics/conversations/{conversationId}
/communications/{communicationId}/transcripturl`` (developer.genesys.cloud,
"Transcript URL", transcript schema): ``conversationId``, ``communicationId``,
``mediaType``, ``conversationStartTime`` and ``startTime`` (epoch milliseconds),
``participants[]`` (``participantPurpose``, ``userId``) and ``transcripts[]``,
each with ``language`` and ``phrases[]``: ``text``, ``decoratedText``
(punctuated, when present), ``startTimeMs``, ``participantPurpose``. One file
holds one communication; a JSON array or JSON Lines of them is read too.

Each communication becomes one observation:

- ``text``: the company's phrases in time order, one per line: purpose
  ``internal`` (agents), ``ivr``, ``acd``, ``bot`` and ``agent``. The customer's
  (``external``, ``customer``) go to ``meta["customer_text"]``.
- ``at``: ``conversationStartTime``, else ``startTime``, else the first phrase's
  ``startTimeMs`` (all epoch milliseconds, UTC); ``ref``: the conversation id;
  ``agent``: the first internal participant's ``userId``; ``meta`` keeps the
  communication id, media type and language.

A file without ``conversationId`` or ``transcripts``, a phrase without text or
purpose, or a transcript with no company phrase is an ``invalid-record`` naming
the file and the JSON path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..records import RecordContext
from ._common import Malformed, need, read_units

FORMAT = "genesys-cloud"
COMPANY = frozenset({"internal", "ivr", "acd", "bot", "agent"})


def read(path: Path, ctx: RecordContext) -> Iterator:
    """Every communication in one Genesys Cloud transcript file."""
    return read_units(path, ctx, transcript_record)


def transcript_record(data, at: str) -> tuple[dict, dict]:
    """One communication as a SPEC 3.3 record and its meta; ``Malformed`` names a bad field."""
    conversation = str(need(data, "conversationId", str, at))
    phrases = sorted(_phrases(data, at), key=lambda p: p[0])
    said = [text for _, purpose, text in phrases if purpose in COMPANY]
    heard = [text for _, purpose, text in phrases if purpose not in COMPANY]
    if not said:
        raise Malformed(f"{at}.transcripts", "no phrase by an agent, bot or IVR")
    record = {
        "at": _start(data, phrases, at).isoformat(),
        "text": "\n".join(said),
        "ref": conversation,
        "id": f"genesys-{conversation}-{data.get('communicationId') or ''}".rstrip("-"),
        "agent": _agent(data),
    }
    languages = {t.get("language") for t in data["transcripts"] if isinstance(t, dict)}
    meta = {
        "platform": FORMAT, "customer_text": "\n".join(heard),
        "communication": data.get("communicationId"), "media": data.get("mediaType"),
        "language": next(iter(sorted(filter(None, languages))), None),
    }  # fmt: skip
    return record, meta


def _phrases(data, at: str) -> Iterator[tuple[int, str, str]]:
    """(start in ms, purpose, text) of every phrase of every transcript."""
    transcripts = need(data, "transcripts", list, at)
    for i, transcript in enumerate(transcripts):
        here = f"{at}.transcripts[{i}]"
        for j, phrase in enumerate(need(transcript, "phrases", list, here)):
            where = f"{here}.phrases[{j}]"
            text = phrase.get("decoratedText") if isinstance(phrase, dict) else None
            if not isinstance(text, str) or not text.strip():
                text = need(phrase, "text", str, where)
            purpose = need(phrase, "participantPurpose", str, where).lower()
            start = phrase.get("startTimeMs")
            start = start if isinstance(start, int) and not isinstance(start, bool) else 0
            yield start, purpose, text.strip()


def _start(data: dict, phrases: list, at: str) -> datetime:
    for key in ("conversationStartTime", "startTime"):
        value = data.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return _from_ms(value, f"{at}.{key}")
    first = min((start for start, _, _ in phrases if start), default=None)
    if first is None:
        raise Malformed(f"{at}.conversationStartTime", "no conversation time")
    return _from_ms(first, f"{at}.transcripts")


def _from_ms(value: int, where: str) -> datetime:
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        raise Malformed(where, f"{value} is not a time in epoch milliseconds") from None


def _agent(data: dict) -> str | None:
    participants = data.get("participants")
    if not isinstance(participants, list):
        return None
    agents = (
        str(p["userId"])
        for p in participants
        if isinstance(p, dict) and p.get("participantPurpose") == "internal" and p.get("userId")
    )
    return next(agents, None)
