"""Intercom conversations (``format: intercom``): what the team and its bots told the customer.

Reads the conversation model of Intercom's REST API: one conversation object
(``GET /conversations/{id}``), a JSON array of them, or a list response
(``{"conversations": [...]}``). A conversation has ``id``, ``created_at`` (Unix
seconds), ``source`` (the first message: ``body``, ``author``), ``contacts``,
``admin_assignee_id`` and ``conversation_parts.conversation_parts[]``, each with
``part_type``, ``body`` (HTML), ``created_at`` and ``author`` (``type``: admin, bot,
team, user, lead, contact).

Each conversation becomes one observation:

- ``text``: the comments written by an admin, bot or team, one per line, HTML
  turned into plain text. Internal notes (``part_type: note``) were never said to
  the customer and are left out; the customer's own messages go to
  ``meta["customer_text"]``. HTML bodies become plain text (``text.html``).
- ``at``: ``created_at``; ``ref``: the conversation id; ``customer``: the first
  contact's id (else the author of the first message); ``agent``: the assigned
  admin, else the first admin or bot that replied.

A conversation missing ``id`` or ``created_at``, or a part without ``author``, is an
``invalid-record`` naming the file and the JSON path.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from ..records import RecordContext
from ._common import Malformed, need, plain_text, read_units

FORMAT = "intercom"
COMPANY = frozenset({"admin", "bot", "team"})
SAID_PARTS = frozenset({"comment", "open", "close", "assign_and_reopen", "quick_reply"})


def read(path: Path, ctx: RecordContext) -> Iterator:
    """Every conversation in one Intercom export file (an array is streamed)."""
    return read_units(path, ctx, conversation_record, _conversations)


def _conversations(data, prefix: str) -> Iterator[tuple[object, str]]:
    if isinstance(data, dict) and isinstance(data.get("conversations"), list):
        listed = enumerate(data["conversations"])
        yield from ((c, f"{prefix}.conversations[{i}]") for i, c in listed)
    else:
        yield data, prefix


def conversation_record(conversation, at: str) -> tuple[dict, dict]:
    """One conversation as a SPEC 3.3 record and its meta; ``Malformed`` names a bad field."""
    conversation_id = str(need(conversation, "id", (str, int), at))
    created = need(conversation, "created_at", int, at)
    said, heard, agents = [], [], []
    for kind, author, body in _messages(conversation, at):
        if author.get("type") in COMPANY:
            if kind in SAID_PARTS:
                said.append(body)
                agents.append(author.get("id"))
        elif author.get("type") is not None:
            heard.append(body)
    if not any(said):
        raise Malformed(f"{at}.conversation_parts", "no reply from an admin, bot or team")
    record = {
        "at": datetime.fromtimestamp(created, UTC).isoformat(),
        "text": "\n".join(filter(None, said)),
        "ref": conversation_id,
        "id": f"intercom-{conversation_id}",
        "customer": _customer(conversation),
        "agent": conversation.get("admin_assignee_id") or next(filter(None, agents), None),
    }
    meta = {"platform": FORMAT, "customer_text": "\n".join(filter(None, heard))}
    return record, meta


def _messages(conversation, at: str) -> Iterator[tuple[str, dict, str]]:
    """(part type, author, plain text) for the first message and every part, in order."""
    source = conversation.get("source")
    if isinstance(source, dict) and source.get("body"):
        author = need(source, "author", dict, f"{at}.source")
        yield "comment", author, plain_text(source["body"])
    parts = conversation.get("conversation_parts") or {}
    listed = need(parts, "conversation_parts", list, f"{at}.conversation_parts")
    for i, part in enumerate(listed):
        here = f"{at}.conversation_parts.conversation_parts[{i}]"
        author = need(part, "author", dict, here)
        body = part.get("body")
        if body is not None and not isinstance(body, str):
            raise Malformed(f"{here}.body", f"expected str, found {type(body).__name__}")
        if body:
            yield need(part, "part_type", str, here), author, plain_text(body)


def _customer(conversation) -> str | None:
    contacts = (conversation.get("contacts") or {}).get("contacts") or []
    if contacts and isinstance(contacts[0], dict) and contacts[0].get("id"):
        return str(contacts[0]["id"])
    author = (conversation.get("source") or {}).get("author") or {}
    return str(author["id"]) if author.get("type") not in COMPANY and author.get("id") else None
