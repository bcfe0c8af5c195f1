"""Amazon Connect Contact Lens analysis files (``format: amazon-connect-contact-lens``).

One file is one analysed contact, as Contact Lens writes it to S3
(``Analysis/Voice/...`` or ``Analysis/Chat/...``): ``Transcript[]`` with
``ParticipantId``, ``Content``, ``BeginOffsetMillis`` / ``EndOffsetMillis`` (calls)
or ``AbsoluteTime`` (chats), ``Participants[]`` with roles, ``CustomerMetadata``
(``ContactId``, ``InstanceId``), ``AccountId``, ``Channel``, ``JobStatus``.

Each contact becomes one observation:

- ``text``: the company's turns, one per line: ``AGENT``, ``SUPERVISOR``, ``SYSTEM``
  (flow messages) and ``CUSTOM_BOT`` (a Lex or third-party bot: the company
  speaking). The customer's turns are kept out of ``text`` (a customer repeating a
  wrong price is not the company saying it) and go to ``meta["customer_text"]``.
- ``at``: a chat's first ``AbsoluteTime``; a call file holds only offsets, so its
  time is the one in the file name, which AWS sets to the contact's
  ``ConnectedToAgentTimestamp`` ("Output file locations", Amazon Connect
  Administrator Guide): ``<contact>_analysis_2026-11-30T22:02:00Z.json`` as S3
  names it, ``..._2026-11-30T22_02_00Z.json`` as it is saved where ``:`` is not
  allowed, ``..._analysis_20260310T22:35_UTC.json`` for email; ``redacted`` too.
  ``meta["at_from"]`` says which.
- ``ref``: the contact id; ``meta`` keeps account, instance, channel, language.

A file without ``Transcript``, a turn without ``Content``, or a contact with no
time is an ``invalid-record`` naming the file and the JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..records import RecordContext
from ._common import Malformed, need, read_units

FORMAT = "amazon-connect-contact-lens"
# Who speaks for the company: agents, supervisors who barge in, flow (SYSTEM) messages
# and bots (CUSTOM_BOT). ParticipantRole values: Amazon Connect API Reference, "Transcript".
COMPANY_ROLES = frozenset({"AGENT", "SUPERVISOR", "SYSTEM", "CUSTOM_BOT"})
ANALYSIS_TIME = re.compile(
    r"""
    _analysis_ (?: redacted_ )?              # Contact Lens output file name, raw or redacted
    (?P<y> \d{4} ) -? (?P<mo> \d{2} ) -? (?P<d> \d{2} )   # 2026-11-30, or 20261130 (email)
    T (?P<h> \d{2} ) [:_] (?P<mi> \d{2} )      # hour and minute, ':' or '_' as saved
    (?: [:_] (?P<s> \d{2} ) (?: \.\d+ )? )?    # seconds (calls and chats), fractions
    (?: Z | _UTC )                           # always UTC
    """,
    re.VERBOSE,
)


def read(path: Path, ctx: RecordContext) -> Iterator:
    """Read one Contact Lens analysis file (or a JSON array of them, streamed)."""
    return read_units(path, ctx, lambda contact, at: contact_record(contact, at, path.name))


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
        (agent if str(role).upper() in COMPANY_ROLES else customer).append(content.strip())
    if not any(agent):
        raise Malformed(f"{at}.Transcript", "no agent or bot turn in the transcript")
    metadata = contact.get("CustomerMetadata") or {}
    contact_id = need(metadata, "ContactId", str, f"{at}.CustomerMetadata")
    started, source = _start(contact, turns, at, file_name)
    record = {"at": started.isoformat(), "text": "\n".join(filter(None, agent)),
              "ref": contact_id, "id": f"connect-{contact_id}"}  # fmt: skip
    meta = {
        "platform": FORMAT, "customer_text": "\n".join(filter(None, customer)),
        "account": contact.get("AccountId"), "instance": metadata.get("InstanceId"),
        "contact_channel": contact.get("Channel"), "language": contact.get("LanguageCode"),
        "at_from": source,
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


def _start(contact, turns: list, at: str, file_name: str) -> tuple[datetime, str]:
    """The contact's time and where it came from: a chat's first AbsoluteTime, else the
    file name's time (when the contact was connected to the agent)."""
    first = turns[0] if turns and isinstance(turns[0], dict) else {}
    if isinstance(first.get("AbsoluteTime"), str):
        try:
            return datetime.fromisoformat(first["AbsoluteTime"]), "AbsoluteTime"
        except ValueError:
            raise Malformed(f"{at}.Transcript[0].AbsoluteTime", "not an ISO 8601 time") from None
    found = ANALYSIS_TIME.search(file_name)
    if found is None:
        raise Malformed(
            f"{at}.Transcript[0]",
            "no contact time: no AbsoluteTime, and the file name is not "
            "<contact>_analysis_<YYYY-MM-DDTHH:MM:SSZ>.json",
        )
    try:
        parts = [int(found[k] or 0) for k in ("y", "mo", "d", "h", "mi", "s")]
        return datetime(*parts, tzinfo=UTC), "file name (connected to agent)"
    except ValueError:
        raise Malformed(f"{at}.Transcript[0]", f"no such time in {file_name!r}") from None
