"""Zendesk tickets and their comments (``format: zendesk``): what agents wrote to the customer.

Reads the shapes of Zendesk's Support API and exports (developer.zendesk.com,
"Ticket Comments" and "Tickets"):

- a Ticket Comments list response, ``GET /api/v2/tickets/{id}/comments``:
  ``{"comments": [...], "users": [...]?, "next_page", "count"}``; the ticket id is
  the first number in the file name (``35436.json``, ``ticket-35436-comments.json``);
- a ticket with its comments: ``{"ticket": {...}, "comments": [...]}``, or a
  ticket object holding ``comments`` (the account's JSON export writes one per
  line: read as JSON Lines from ``.jsonl`` / ``.ndjson``);
- a list of such tickets, or ``{"tickets": [...]}``.

A comment has ``id``, ``author_id``, ``public``, ``created_at`` (ISO 8601),
``body`` / ``html_body`` / ``plain_body`` and ``via``. Each ticket becomes one
observation:

- ``text``: the public comments the company wrote, one per block, ``html_body``
  turned into plain text (else ``plain_body``, else ``body``). Private comments
  (internal notes, ``public: false``) are left out; the customer's comments go to
  ``meta["customer_text"]``.
- who wrote a comment: the ``role`` of its author in the sideloaded ``users``
  (``?include=users``: ``agent`` and ``admin`` speak for the company); else the
  ticket's ``requester_id`` is the customer and every other author the company;
  else the author of the first comment (the ticket's description) is the customer.
- ``at``: the ticket's ``created_at``, else its first comment's; ``ref``: the
  ticket id; ``customer``: ``requester_id``; ``agent``: ``assignee_id``, else the
  first company author; ``meta`` keeps the ticket's ``via.channel`` and subject.

A comment without ``author_id`` or ``created_at``, a body that is not text, or a
ticket with no company reply is an ``invalid-record`` naming the file and the JSON path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from ..records import RecordContext
from ._common import Malformed, need, plain_text, read_units

FORMAT = "zendesk"
COMPANY_ROLES = frozenset({"agent", "admin"})
_TICKET_ID = re.compile(r"\d+")


def read(path: Path, ctx: RecordContext) -> Iterator:
    """Every ticket in one Zendesk export file (arrays and JSON Lines streamed)."""

    def record(ticket, comments, users, at):
        return ticket_record(ticket, comments, users, at, path.name)

    return read_units(path, ctx, record, _tickets)


def _tickets(data, prefix: str) -> Iterator[tuple[dict, str, dict, str]]:
    """(ticket, JSON path of its comments, author roles, JSON path) for each ticket."""
    if not isinstance(data, dict):
        yield data, f"{prefix}.comments", {}, prefix
        return
    users = _roles(data.get("users"))
    if isinstance(data.get("tickets"), list):
        for i, ticket in enumerate(data["tickets"]):
            at = f"{prefix}.tickets[{i}]"
            inner = _roles(ticket.get("users")) if isinstance(ticket, dict) else {}
            yield ticket, f"{at}.comments", users | inner, at
    elif isinstance(data.get("ticket"), dict):
        ticket = data["ticket"] | {"comments": data.get("comments")}
        yield ticket, f"{prefix}.comments", users, f"{prefix}.ticket"
    else:
        yield data, f"{prefix}.comments", users, prefix


def _roles(users) -> dict[str, str]:
    if not isinstance(users, list):
        return {}
    return {str(u.get("id")): str(u.get("role")) for u in users if isinstance(u, dict)}


def ticket_record(ticket, comments_at: str, users: dict, at: str, file_name: str):
    """One ticket as a SPEC 3.3 record and its meta; ``Malformed`` names a bad field."""
    if not isinstance(ticket, dict):
        raise Malformed(at, f"expected a ticket object, found {type(ticket).__name__}")
    comments = need(ticket, "comments", list, comments_at.removesuffix(".comments"))
    customer = ticket.get("requester_id")
    said, heard, authors = [], [], []
    for i, comment in enumerate(comments):
        here = f"{comments_at}[{i}]"
        author = str(need(comment, "author_id", (int, str), here))
        need(comment, "created_at", str, here)
        if customer is None and not users and i == 0:
            customer = author  # the first comment is the ticket's description
        text = _body(comment, here)
        if comment.get("public") is False or not text:
            continue
        if _company(author, users, customer):
            said.append(text)
            authors.append(author)
        else:
            heard.append(text)
    if not said:
        raise Malformed(comments_at, "no public comment by an agent")
    ticket_id = ticket.get("id") or _id_from_name(file_name)
    first = comments[0].get("created_at")
    record = {
        "at": _time(ticket.get("created_at") or first, f"{at}.created_at"),
        "text": "\n".join(said),
        "ref": str(ticket_id) if ticket_id is not None else None,
        "customer": str(customer) if customer is not None else None,
        "agent": str(ticket.get("assignee_id") or authors[0]),
    }
    if ticket_id is not None:
        record["id"] = f"zendesk-{ticket_id}"
    via = ticket.get("via") if isinstance(ticket.get("via"), dict) else {}
    meta = {"platform": FORMAT, "customer_text": "\n".join(heard),
            "via": via.get("channel"), "subject": ticket.get("subject")}  # fmt: skip
    return record, meta


def _company(author: str, users: dict, customer) -> bool:
    if author in users:
        return users[author] in COMPANY_ROLES
    return customer is not None and author != str(customer)


def _body(comment: dict, here: str) -> str:
    for key in ("html_body", "plain_body", "body"):
        value = comment.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise Malformed(f"{here}.{key}", f"expected str, found {type(value).__name__}")
        if value.strip():
            return plain_text(value)
    return ""


def _time(value, where: str) -> str:
    if not isinstance(value, str):
        raise Malformed(where, "missing or not an ISO 8601 time")
    try:
        return datetime.fromisoformat(value).isoformat()
    except ValueError:
        raise Malformed(where, f"{value!r} is not an ISO 8601 time") from None


def _id_from_name(file_name: str) -> str | None:
    found = _TICKET_ID.search(file_name)
    return found.group() if found else None
