"""Amazon Connect Contact Lens analysis files (``format: amazon-connect-contact-lens``).

One file is one analysed contact, as Contact Lens writes it to S3
(``Analysis/Voice/...`` or ``Analysis/Chat/...``): ``Transcript[]`` with
``ParticipantId``, ``Content``, ``BeginOffsetMillis`` / ``EndOffsetMillis`` (calls)
or ``AbsoluteTime`` (chats), ``Participants[]`` with roles, ``CustomerMetadata``
(``ContactId``, ``InstanceId``), ``AccountId``, ``Channel``, ``JobStatus``.

Each contact becomes one observation:

- ``text``: the agent's turns, one per line. The customer's turns are kept out of
  ``text`` (a customer repeating a wrong price is not the company saying it) and
  go to ``meta["customer_text"]``.
- ``at``: when the contact started. A chat's first ``AbsoluteTime``; a call file
  holds only offsets, so its start is the time in the file name
  (``<contact>_analysis_2026-11-21T10_15_00Z.json``) less the call's length,
  marked ``meta["at_estimated"]``.
- ``ref``: the contact id; ``meta`` keeps account, instance, channel, language.

A file without ``Transcript``, a turn without ``Content``, or a contact with no
time is an ``invalid-record`` naming the file and the JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ...model import InvalidRecord, SourceFailure
from ..records import RecordContext
from ._common import Malformed, invalid, load_json, need, observation

FORMAT = "amazon-connect-contact-lens"
AGENT_ROLES = frozenset({"AGENT", "SYSTEM"})  # SYSTEM: bot and flow messages in a chat
ANALYSIS_TIME = re.compile(
    r"""
    _analysis_ (?: redacted_ )?      # Contact Lens output file name, raw or redacted
    (?P<date> \d{4}-\d{2}-\d{2} )    # the analysis date
    T (?P<h> \d{2} ) _ (?P<m> \d{2} ) _ (?P<s> \d{2} )  # time, with _ for :
    Z                                # always UTC
    """,
    re.VERBOSE,
)


def read(path: Path, ctx: RecordContext) -> Iterator:
    """Read one Contact Lens analysis file (or a JSON array of them)."""
    data = load_json(path, ctx)
    if isinstance(data, InvalidRecord | SourceFailure):
        yield data
        return
    contacts = data if isinstance(data, list) else [data]
    prefix = "$[{}]" if isinstance(data, list) else "$"
    for i, contact in enumerate(contacts):
        try:
            record, meta = contact_record(contact, prefix.format(i), path.name)
        except Malformed as bad:
            yield invalid(path, bad, ctx)
            continue
        yield from observation(record, meta, path, ctx)


def contact_record(contact, at: str, file_name: str) -> tuple[dict, dict]:
    """One contact as a SPEC 3.3 record and its meta; ``Malformed`` names a bad field."""
    turns = need(contact, "Transcript", list, at)
    roles = _roles(contact, at)
    agent, customer = [], []
    for i, turn in enumerate(turns):
        here = f"{at}.Transcript[{i}]"
        speaker = need(turn, "ParticipantId", str, here)
        content = need(turn, "Content", str, here)
        role = turn.get("ParticipantRole") or roles.get(speaker, speaker)
        (agent if str(role).upper() in AGENT_ROLES else customer).append(content.strip())
    if not any(agent):
        raise Malformed(f"{at}.Transcript", "no agent turn in the transcript")
    metadata = contact.get("CustomerMetadata") or {}
    contact_id = need(metadata, "ContactId", str, f"{at}.CustomerMetadata")
    started, estimated = _start(contact, turns, at, file_name)
    record = {"at": started.isoformat(), "text": "\n".join(filter(None, agent)),
              "ref": contact_id, "id": f"connect-{contact_id}"}  # fmt: skip
    meta = {
        "platform": FORMAT, "customer_text": "\n".join(filter(None, customer)),
        "account": contact.get("AccountId"), "instance": metadata.get("InstanceId"),
        "contact_channel": contact.get("Channel"), "language": contact.get("LanguageCode"),
        "at_estimated": estimated,
    }  # fmt: skip
    return record, meta


def _roles(contact, at: str) -> dict[str, str]:
    participants = contact.get("Participants") or []
    if not isinstance(participants, list):
        raise Malformed(f"{at}.Participants", "expected a list")
    return {
        str(p.get("ParticipantId")): str(p.get("ParticipantRole"))
        for p in participants
        if isinstance(p, dict)
    }


def _start(contact, turns: list, at: str, file_name: str) -> tuple[datetime, bool]:
    """The contact's start: a chat's first AbsoluteTime, else file-name time less the length."""
    first = turns[0] if turns and isinstance(turns[0], dict) else {}
    if isinstance(first.get("AbsoluteTime"), str):
        try:
            return datetime.fromisoformat(first["AbsoluteTime"]), False
        except ValueError:
            raise Malformed(f"{at}.Transcript[0].AbsoluteTime", "not an ISO 8601 time") from None
    match = ANALYSIS_TIME.search(file_name)
    if match is None:
        raise Malformed(
            f"{at}.Transcript[0]",
            "no contact time: no AbsoluteTime, and the file name is not "
            "<contact>_analysis_<YYYY-MM-DDTHH_MM_SSZ>.json",
        )
    analysed = datetime.fromisoformat(
        f"{match['date']}T{match['h']}:{match['m']}:{match['s']}"
    ).replace(tzinfo=UTC)
    ends = [t.get("EndOffsetMillis") for t in turns if isinstance(t, dict)]
    length = max((e for e in ends if isinstance(e, int) and not isinstance(e, bool)), default=0)
    return analysed - timedelta(milliseconds=length), True
