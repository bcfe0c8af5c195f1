"""What the environment and a failed connection say about one request: the proxy the
environment names for a target, and the innermost cause of a connection error (split
from ``http``, the client, which uses both).
"""

from __future__ import annotations

import http.client
import re
import ssl
import zlib

import urllib3
from requests.utils import get_environ_proxies

from ..net.urls import Target
from .redaction import redact

# What each kind of innermost cause is called in a failure message: by its kind, never by
# its text, which for these kinds quotes what the server sent (a bad status line may echo
# the request's Authorization header back; CWE-209/532). More specific kinds come first:
# RemoteDisconnected is a BadStatusLine, InvalidChunkLength an IncompleteRead.
_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (http.client.RemoteDisconnected, "the server closed the connection without answering"),
    (urllib3.exceptions.InvalidChunkLength, "the answer's chunked encoding is broken"),
    (http.client.IncompleteRead, "the answer ended early"),
    (http.client.LineTooLong, "the server's answer has a line over the length limit"),
    (http.client.BadStatusLine, "the server's answer is not HTTP"),
    (http.client.HTTPException, "the server's answer is not valid HTTP"),
    (urllib3.exceptions.ProtocolError, "the server's answer is not valid HTTP"),
    (urllib3.exceptions.DecodeError, "the answer's content encoding cannot be decoded"),
    (zlib.error, "the answer's content encoding cannot be decoded"),
)
MAX_CAUSE_CHARS = 200


def root_cause(exc: BaseException) -> str:
    """The innermost error's cause in a few words, e.g. ``[Errno 111] Connection refused``.

    Never a server's bytes: a cause that would quote them (a bad status line, a broken
    chunk length) is named by its kind (``the server's answer is not HTTP``). Other text
    (an ``[Errno …]`` or a TLS library's message) is redacted first, then put on one line
    and cut at :data:`MAX_CAUSE_CHARS`, so a cut never splits a secret before redaction.
    """
    chain = _chain(exc)
    seen = chain[-1]
    reason = getattr(seen, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else seen)
    match = re.search(r"\[Errno -?\d+\][^')\"]*", text)
    if match and not _kind(seen):
        return _one_line(match.group(0))
    for link in reversed(chain):  # a ValueError inside InvalidChunkLength: named by the latter
        if phrase := _kind(link):
            return phrase
    if isinstance(seen, (ssl.SSLError, ssl.CertificateError, OSError)):
        return _one_line(text) or type(seen).__name__
    return type(seen).__name__


def _kind(exc: BaseException) -> str | None:
    return next((phrase for kind, phrase in _KINDS if isinstance(exc, kind)), None)


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc`` and its causes, outermost first (an urllib3 error holds its cause in args)."""
    chain = [exc]
    while True:
        seen = chain[-1]
        inner = seen.__cause__ or seen.__context__
        if inner is None:
            inner = next((a for a in seen.args if isinstance(a, BaseException)), None)
        if inner is None or inner in chain:
            return chain
        chain.append(inner)


def _one_line(text: str) -> str:
    """``text`` redacted, then on one line without control characters, then cut."""
    clean = re.sub(r"[\x00-\x1f\x7f-\x9f]+", " ", redact(text)).strip()
    return clean[:MAX_CAUSE_CHARS]


def proxy_for(target: Target) -> str | None:
    """The proxy the environment names for ``target`` (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY``, lower or upper case), or None, also when ``NO_PROXY`` covers its host.

    The allow-list is checked on the target before this is asked. Through a proxy the
    target's name is resolved by the proxy, so its addresses are not checked or pinned
    here; an IP-literal target is still checked. ``.netrc`` credentials are never used.
    """
    proxies = get_environ_proxies(target.url)
    return proxies.get(target.scheme) or proxies.get("all")


def unsendable(exc: ValueError) -> str:
    """What a ``UnicodeError`` or ``ValueError`` from ``requests`` means, in words: it reads
    a redirect's ``Location`` before returning, and encodes the request."""
    if isinstance(exc, UnicodeDecodeError):
        return "the redirect's Location is not valid UTF-8 (a stray byte such as 0xA0)"
    if isinstance(exc, UnicodeEncodeError):
        return "the request cannot be sent: a URL or header holds a character HTTP cannot carry"
    if "NFKC" in str(exc):
        return (
            "the redirect's Location holds a character that NFKC normalization changes"
            " (a full-width slash or @), which hides its real host"
        )
    return f"the request cannot be sent: a URL or header value is not valid ({type(exc).__name__})"
