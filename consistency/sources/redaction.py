"""Secrets from the environment: ``${VAR}`` expansion and redaction.

Header checks and the ``${VAR}`` pattern live in :mod:`consistency.net.headers`.

``${VAR}`` in URLs and headers comes from the environment only (:func:`expand_env`);
each value used is remembered as a secret (:func:`add_secret`) so that :func:`redact`
hides it, in every form it may come back in (raw, percent-, HTML- and JSON-encoded),
from messages, logs and evidence. Values shorter than :data:`MIN_SECRET` are not
remembered: they would hide ordinary words (docs/fetching.md).
"""

from __future__ import annotations

import html
import json
import os
import re
import threading
from collections.abc import Mapping
from urllib.parse import quote, quote_plus, unquote, unquote_plus

from ..net.headers import ENV_VAR

MIN_SECRET = 4  # shorter values would hide ordinary words; see docs/fetching.md
MIN_COOKIE_SECRET = 8  # a cookie value this long is taken for a session id or token
SESSION_COOKIE = re.compile(r"sess|sid|auth|token|secret|passw|jwt|login|csrf|xsrf", re.I)
SENSITIVE_HEADER = re.compile(
    r"""
    authorization | cookie     # credentials by name
    | token | secret | passw    # anything that says what it is
    | api[-_]?key | x-key      # API keys
    """,
    re.VERBOSE | re.IGNORECASE,
)


class MissingEnvError(LookupError):
    """``${NAME}`` names an environment variable that is not set."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"environment variable {self.name} is not set (used as ${{{self.name}}})"


# -- secrets --------------------------------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def secret_forms(value: str) -> set[str]:
    """Every form a secret may come back in: raw, whitespace-stripped, URL-encoded and
    -decoded, JSON-escaped (with ``\\/`` too), HTML-escaped and as Python quotes it.

    >>> forms = secret_forms(" tok/en ")
    >>> all(f in forms for f in (" tok/en ", "tok/en", "tok%2Fen", "tok\\\\/en", "tok/en"))
    True
    """
    forms: set[str] = set()
    for text in {value, value.strip()}:
        escaped = json.dumps(text)[1:-1]
        forms |= {
            text, quote(text, safe=""), quote(text), quote_plus(text), unquote(text),
            unquote_plus(text), escaped, escaped.replace("/", "\\/"),
            json.dumps(text, ensure_ascii=False)[1:-1], html.escape(text), repr(text)[1:-1],
        }  # fmt: skip
    return {form for form in forms if len(form.strip()) >= MIN_SECRET}


def add_secret(value: str) -> None:
    """Remember ``value`` in all its forms (``secret_forms``) so that ``redact`` hides it.

    Values shorter than ``MIN_SECRET`` characters are not remembered: hiding them
    would hide ordinary words and numbers from every report.
    """
    if not value:
        return
    forms = secret_forms(value)
    with _secrets_lock:
        _secrets.update(forms)


def add_cookie_secret(name: str, value: str) -> None:
    """Remember a cookie a server set (``Set-Cookie``) as a secret when it may be a
    credential: its value has at least :data:`MIN_COOKIE_SECRET` characters, or its name
    says what it is (``sid``, ``session``, ``token``, ``auth``…). A page that echoes the
    request's ``Cookie`` header then keeps it out of evidence and reports (CWE-532);
    short preference values (``lang=he``) stay readable.
    """
    if len(value) >= MIN_COOKIE_SECRET or SESSION_COOKIE.search(name):
        add_secret(value)


def redact(text: str) -> str:
    """Replace every remembered secret in ``text`` with ``***``.

    >>> add_secret("hunter2-token")
    >>> redact("Authorization: Bearer hunter2-token")
    'Authorization: Bearer ***'
    >>> redact('{"echo": "hunter2-token\\\\n"}')
    '{"echo": "***\\\\n"}'
    """
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        if secret in text:
            text = text.replace(secret, "***")
    return text


def redact_bytes(body: bytes) -> bytes:
    """``redact`` for raw bytes (evidence files): each secret form in UTF-8 and Latin-1."""
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        for encoding in ("utf-8", "latin-1"):
            try:
                raw = secret.encode(encoding)
            except UnicodeEncodeError:
                continue
            if raw in body:
                body = body.replace(raw, b"***")
    return _redact_references(body, secrets)


def _redact_references(body: bytes, secrets: list[str]) -> bytes:
    """A page that echoes a secret as character references (``&#104;&#117;...``, one a
    character) hides it from the byte forms: such a body is stored decoded, redacted.

    >>> add_secret("hunter3-token")
    >>> _redact_references("<p>&#104;unter3-token</p>".encode(), ["hunter3-token"])
    b'<p>***</p>'
    """
    if b"&" not in body:
        return body
    text = body.decode("utf-8", "replace")
    decoded = html.unescape(text)
    if decoded != text and any(secret in decoded for secret in secrets):
        return redact(decoded).encode("utf-8")
    return body


def expand_env(text: str, env: Mapping[str, str] | None = None) -> str:
    """Fill ``${NAME}`` from the environment; every value used becomes a secret.

    >>> expand_env("Bearer ${TOKEN}", {"TOKEN": "abcd"})
    'Bearer abcd'
    >>> expand_env("${NOPE}", {})
    Traceback (most recent call last):
    ...
    consistency.sources.redaction.MissingEnvError: environment variable NOPE is not set (used as ${NOPE})
    """
    env = os.environ if env is None else env

    def fill(match: re.Match) -> str:
        name = match.group(1)
        if name not in env:
            raise MissingEnvError(name)
        add_secret(env[name])
        return env[name]

    return ENV_VAR.sub(fill, text)


def expand_headers(headers: Mapping[str, str] | None) -> dict[str, str]:
    """Expand ``${VAR}`` in header values; values of credential headers become secrets."""
    expanded = {}
    for name, value in (headers or {}).items():
        value = expand_env(str(value))
        if SENSITIVE_HEADER.search(name):
            add_secret(value)
            add_secret(value.partition(" ")[2])  # the credential after "Bearer "
        expanded[name] = value
    return expanded
