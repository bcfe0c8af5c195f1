"""What comes back through the HTTP gate: a finished response, and reading its headers.

:class:`Response` holds the final URL, status, headers and whole body;
:func:`retry_after_seconds` reads ``Retry-After`` (seconds or an HTTP date, capped at
:data:`MAX_RETRY_AFTER`); :func:`status_reason` names a status by its standard phrase,
never by the body; :func:`as_utf8` reads a ``Location`` header again as UTF-8.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus

import requests

MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is cut to this


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date), capped.

    >>> retry_after_seconds("2")
    2.0
    >>> retry_after_seconds("3600")
    30.0
    >>> now = datetime(2026, 11, 21, 8, 0, 0, tzinfo=UTC)
    >>> retry_after_seconds("Sat, 21 Nov 2026 08:00:05 GMT", now)
    5.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now or datetime.now(UTC)
    return max(0.0, min((when - now).total_seconds(), MAX_RETRY_AFTER))


@dataclass(frozen=True)
class Response:
    """A finished response: the final URL after redirects, status, headers and the whole body."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    elapsed: float  # seconds, every hop and retry included
    encoding: str | None = None  # the charset the server declared, if any
    history: tuple[str, ...] = field(default=())  # the URLs redirected from

    @property
    def text(self) -> str:
        """The body decoded with the declared charset; UTF-8 when none is declared or the
        declared one is unknown (``charset=klingon``), undecodable bytes replaced."""
        try:
            return self.body.decode(self.encoding or "utf-8", errors="replace")
        except LookupError:
            return self.body.decode("utf-8", errors="replace")

    def json(self):
        return json.loads(self.text)


def as_utf8(header: str) -> str:
    """A header value http.client read as Latin-1, read again as the UTF-8 servers send
    (``Location: /מחיר``); unchanged when its bytes are not UTF-8.

    >>> as_utf8("/מחיר".encode().decode("latin-1")), as_utf8("/caf\xe9")
    ('/מחיר', '/café')
    """
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header


def status_reason(status: int) -> str:
    """``HTTP 503 Service Unavailable``: the status and its standard phrase, never the body
    (a failed hop stores no body) nor the server's own phrase.

    >>> status_reason(503), status_reason(299)
    ('HTTP 503 Service Unavailable', 'HTTP 299')
    """
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def declared_charset(resp: requests.Response) -> str | None:
    content_type = resp.headers.get("Content-Type", "")
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None
