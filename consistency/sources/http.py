"""The one HTTP gate every fetcher shares: one URL parse, allowlisted hosts, pinned addresses,
retries, caps, and secrets kept out.

Every URL (a configured page, a chat URL, each redirect's ``Location``) is parsed
once, by ``parse_target``. It refuses what URL parsers read differently
(backslashes, ``user@`` information, control characters and tabs, odd IPv4
spellings such as ``127.1`` or ``0x7f.1``, percent-encoded hosts, IPv6 zone ids)
and rebuilds the URL from the parts it checked, so the host checked against
``allow_hosts`` is the host the request goes to. That host is resolved once per
hop; every address is checked (``address_refusal``) and the connection is made to
exactly those addresses (the pin): a DNS answer that changes between the check
and the connection (DNS rebinding) cannot move the request.

``HttpClient`` wraps a ``requests.Session`` with the pinned connections. It
retries with exponential backoff on 429/500/502/503/504, connection errors and
timeouts (honoring ``Retry-After``), streams each body under a size cap, and
bounds concurrency per host and overall. Redirects are followed by hand, every
hop through the gate; a hop to another origin (scheme, host, port) carries no
header the caller set (credentials included) and never resends a body. Cookies
are not kept. Failures are ``FetchError(url, reason)`` with a human reason, the
configured URL, no response body, and every secret replaced by ``***``.

``${VAR}`` in URLs and headers comes from the environment only
(``expand_env``); each value used is remembered as a secret so that ``redact``
hides it, in every form it may come back in, from messages, logs and evidence.

A small example (no network involved)::

    >>> host_allowed("https://Shop.Example.co.il/p", ("shop.example.co.il",))
    True
    >>> host_allowed("https://evil.example/p", ("shop.example.co.il",))
    False
    >>> host_allowed("http://127.0.0.1:8000\\\\@shop.example.co.il/", ("shop.example.co.il",))
    False
"""

from __future__ import annotations

import html
import ipaddress
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import quote, quote_plus, unquote, unquote_plus, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection

from .. import __version__

USER_AGENT = f"consistency/{__version__} (+https://github.com/consistency)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is cut to this
MIN_SECRET = 4  # shorter values would hide ordinary words; see docs/fetching.md
CHUNK = 64 * 1024
SENSITIVE_HEADER = re.compile(
    r"""
    authorization | cookie     # credentials by name
    | token | secret | passw    # anything that says what it is
    | api[-_]?key | x-key      # API keys
    """,
    re.VERBOSE | re.IGNORECASE,
)
ENV_VAR = re.compile(
    r"""
    \$\{                         # opening ${
    ( [A-Za-z_][A-Za-z0-9_]* )   # the variable name
    \}                           # closing }
    """,
    re.VERBOSE,
)
AMBIGUOUS = re.compile(
    r"""
    [\x00-\x1f\x7f-\x9f]   # control characters: tabs and line breaks are dropped by some parsers
    | \\                   # a backslash: a path separator to browsers, part of the host to others
    """,
    re.VERBOSE,
)
HOST_NAME = re.compile(
    r"""
    \A [a-z0-9_] (?: [a-z0-9_-]* [a-z0-9_] )?          # the first label
    (?: \. [a-z0-9_] (?: [a-z0-9_-]* [a-z0-9_] )? )*   # more labels after dots
    \Z
    """,
    re.VERBOSE,
)
NUMERIC_LABEL = re.compile(r"\A (?: 0x[0-9a-f]* | [0-9]+ ) \Z", re.VERBOSE)
PORT = re.compile(r"\A [0-9]{1,5} \Z", re.VERBOSE)
HEADER_NAME = re.compile(r"\A [!#$%&'*+.^_`|~0-9A-Za-z-]+ \Z", re.VERBOSE)  # RFC 9110 token
HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


class FetchError(Exception):
    """A request that failed for good. ``reason`` is for people and holds no secret."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        self.url = redact(url)
        self.reason = redact(reason)
        self.status = status
        super().__init__(f"{self.url}: {self.reason}")


class MissingEnvError(LookupError):
    """``${NAME}`` names an environment variable that is not set."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)

    def __str__(self) -> str:
        return f"environment variable {self.name} is not set (used as ${{{self.name}}})"


class UrlRefused(ValueError):
    """A URL the gate will not fetch; the message says why and quotes no secret."""


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
    return body


def expand_env(text: str, env: Mapping[str, str] | None = None) -> str:
    """Fill ``${NAME}`` from the environment; every value used becomes a secret.

    >>> expand_env("Bearer ${TOKEN}", {"TOKEN": "abcd"})
    'Bearer abcd'
    >>> expand_env("${NOPE}", {})
    Traceback (most recent call last):
    ...
    consistency.sources.http.MissingEnvError: environment variable NOPE is not set (used as ${NOPE})
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


def header_problem(name: str, value: str) -> str | None:
    """Why a header cannot be sent as written, or None. The message never quotes the value.

    >>> header_problem("Authorization", "Bearer abc")
    >>> header_problem("Authorization", "Bearer abc\\n")
    'its value ends with whitespace or a line break'
    >>> header_problem("X-Question", "כמה עולה?")
    'its value has characters outside Latin-1 (such as Hebrew or €), which HTTP headers cannot carry; send them in the body or URL-encode them'
    >>> header_problem("Bad Name", "x")
    "'Bad Name' is not a valid header name"
    """
    if not HEADER_NAME.match(name):
        return f"{name!r} is not a valid header name"
    if value != value.lstrip(" \t"):
        return "its value starts with whitespace"
    if value != value.rstrip():
        return "its value ends with whitespace or a line break"
    if HEADER_CONTROL.search(value):
        return "its value holds a line break or a control character"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return (
            "its value has characters outside Latin-1 (such as Hebrew or €), which HTTP headers"
            " cannot carry; send them in the body or URL-encode them"
        )
    return None


# -- the URL gate ---------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One URL as the gate parsed it: the only form a request is ever made from."""

    scheme: str  # http | https
    host: str  # lower-case ASCII (IDNA), no trailing dot; an IPv6 address without brackets
    port: int
    path: str  # path and query as written ("/" when empty); the fragment is dropped
    ip: bool = False  # the host is an IP literal

    @property
    def origin(self) -> tuple[str, str, int]:
        return self.scheme, self.host, self.port

    @property
    def url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        port = "" if DEFAULT_PORTS[self.scheme] == self.port else f":{self.port}"
        return f"{self.scheme}://{host}{port}{self.path}"


def parse_target(url: str) -> Target:
    """Parse a URL once, refusing what parsers disagree on; ``UrlRefused`` says why.

    >>> parse_target("HTTPS://Shop.Example.co.il./p?q=1#top").url
    'https://shop.example.co.il/p?q=1'
    >>> parse_target("http://[::1]:8080").url
    'http://[::1]:8080/'
    >>> parse_target("http://127.0.0.1:1\\\\@shop.example.co.il/")
    Traceback (most recent call last):
    ...
    consistency.sources.http.UrlRefused: the URL holds a backslash, which URL parsers read differently
    >>> parse_target("http://127.1/")
    Traceback (most recent call last):
    ...
    consistency.sources.http.UrlRefused: host '127.1' is a short or non-decimal IPv4 form; write it as a.b.c.d
    """
    bad = AMBIGUOUS.search(url)
    if bad:
        what = "a backslash" if bad.group() == "\\" else f"the control character {bad.group()!r}"
        raise UrlRefused(f"the URL holds {what}, which URL parsers read differently")
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # "Invalid IPv6 URL": a stray bracket
        raise UrlRefused(f"the URL cannot be read: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(f"only http and https URLs can be fetched, not {parts.scheme!r}")
    netloc = parts.netloc
    if "@" in netloc:
        raise UrlRefused("the URL holds user information (user@host), which hides its real host")
    host, port = _split_port(netloc, scheme)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    if not path.startswith("/"):
        raise UrlRefused("the URL's path does not start with /")
    ip = _is_ip(host)
    return Target(scheme, host, port, path, ip)


def _split_port(netloc: str, scheme: str) -> tuple[str, int]:
    if netloc.startswith("["):
        close = netloc.find("]")
        if close < 0:
            raise UrlRefused("the URL's IPv6 address has no closing ]")
        host, rest = _ipv6(netloc[1:close]), netloc[close + 1 :]
        if rest and not rest.startswith(":"):
            raise UrlRefused("the URL has text between its IPv6 address and its port")
        port_text = rest[1:]
    else:
        host, _, port_text = netloc.partition(":")
        if ":" in port_text:
            raise UrlRefused("the URL's host holds more than one ':'")
        host = _host_name(host)
    if not port_text:
        return host, DEFAULT_PORTS[scheme]
    if not PORT.match(port_text) or not 0 < int(port_text) < 65536:
        raise UrlRefused(f"the URL's port {port_text!r} is not a number from 1 to 65535")
    return host, int(port_text)


def _ipv6(text: str) -> str:
    if "%" in text:
        raise UrlRefused("the URL's IPv6 address names a zone (%), which is not fetched")
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        raise UrlRefused(f"{text!r} is not an IPv6 address") from None


def _host_name(text: str) -> str:
    if not text:
        raise UrlRefused("the URL has no host")
    name = text[:-1] if text.endswith(".") else text
    if not name.isascii():
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise UrlRefused(f"host {text!r} is not a valid international name") from None
    name = name.lower()
    if not HOST_NAME.match(name):
        raise UrlRefused(f"host {text!r} holds characters a host name cannot")
    if NUMERIC_LABEL.match(name.rsplit(".", 1)[-1]):
        try:
            canonical = str(ipaddress.IPv4Address(name))
        except ValueError:
            canonical = None
        if canonical != name:
            raise UrlRefused(
                f"host {text!r} is a short or non-decimal IPv4 form; write it as a.b.c.d"
            )
    return name


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class Entry:
    """One ``allow_hosts`` entry: ``host``, ``host:port``, ``[v6]:port`` or ``*.domain``."""

    host: str
    port: int | None
    wildcard: bool

    def admits(self, target: Target) -> bool:
        if self.port is not None and self.port != target.port:
            return False
        if self.wildcard:
            return not target.ip and target.host.endswith("." + self.host)
        return target.host == self.host


def parse_entry(text: str) -> Entry | None:
    """An ``allow_hosts`` entry, normalized as URLs are; None when it cannot be one.

    >>> parse_entry("*.Shop.co.il")
    Entry(host='shop.co.il', port=None, wildcard=True)
    >>> parse_entry("[::1]:9000")
    Entry(host='::1', port=9000, wildcard=False)
    >>> parse_entry("https://shop.co.il") is None, parse_entry("shop.co.il/x") is None
    (True, True)
    """
    text = str(text).strip()
    if re.search(r"[/?#@\\\s]", text):  # a URL, a path or userinfo: not a host entry
        return None
    wildcard = text.startswith("*.")
    try:
        target = parse_target(f"http://{text[2:] if wildcard else text}/")
    except UrlRefused:
        return None
    explicit = bool(re.search(r":[0-9]+\Z", text))
    return Entry(target.host, target.port if explicit else None, wildcard)


def host_allowed(url: str, allow_hosts: Iterable[str]) -> bool:
    """True when the URL passes the gate's parse and its host (and port, if the entry names
    one) is allowed.

    Entries are ``host``, ``host:port`` or ``*.domain`` (any subdomain, not the domain
    itself, never an IP address).

    >>> host_allowed("http://127.0.0.1:8000/", ["127.0.0.1"])
    True
    >>> host_allowed("http://127.0.0.1:8000/", ["127.0.0.1:9000"])
    False
    >>> [host_allowed(u, ["*.shop.co.il"]) for u in ("https://a.shop.co.il", "https://shop.co.il")]
    [True, False]
    """
    try:
        target = parse_target(url)
    except UrlRefused:
        return False
    return _matching_entry(target, allow_hosts) is not None


def _matching_entry(target: Target, allow_hosts: Iterable[str]) -> Entry | None:
    for text in allow_hosts:
        entry = parse_entry(text)
        if entry is not None and entry.admits(target):
            return entry
    return None


def address_refusal(address: str, entry: Entry, target: Target, allow_private: bool) -> str | None:
    """Why a resolved address may not be connected to for this entry, or None.

    - unspecified (``0.0.0.0``, ``::``) and multicast addresses: never;
    - an IP literal the allow list names exactly: any other address;
    - a name the allow list names exactly: any address but link-local
      (``169.254.0.0/16``, ``fe80::/10``: cloud metadata), unless ``allow_private``;
    - a name matched by a ``*.`` entry: public (globally routable) addresses only,
      unless ``allow_private``.

    IPv4-mapped IPv6 addresses (``::ffff:127.0.0.1``) are judged as the IPv4 address.

    >>> name = Target("http", "a.shop.co.il", 80, "/")
    >>> address_refusal("10.0.0.8", Entry("shop.co.il", None, True), name, False)
    "host 'a.shop.co.il' resolves to the private address 10.0.0.8; a *. entry reaches public addresses only (list the host exactly)"
    >>> address_refusal("8.8.8.8", Entry("shop.co.il", None, True), name, False) is None
    True
    """
    ip = ipaddress.ip_address(address.split("%")[0])
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified or ip.is_multicast:
        return f"host {target.host!r} resolves to {ip}, which is not fetched"
    if target.ip or allow_private or ip.is_global:
        return None
    if entry.wildcard:
        return (
            f"host {target.host!r} resolves to the private address {ip}; a *. entry reaches"
            " public addresses only (list the host exactly)"
        )
    if ip.is_link_local:
        return (
            f"host {target.host!r} resolves to the link-local address {ip}"
            " (cloud metadata); list the address itself to fetch it"
        )
    return None


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (``socket.getaddrinfo``), in the resolver's order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def is_private_address(host: str) -> bool:
    """True when ``host`` resolves to a private, loopback, link-local or reserved address.

    >>> [is_private_address(h) for h in ("127.0.0.1", "10.0.0.8", "169.254.169.254", "::1")]
    [True, True, True, True]
    >>> is_private_address("8.8.8.8")
    False
    """
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except socket.gaierror:
        return False  # the request itself will fail with a clear reason
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            return True
    return False


# -- pinned connections ---------------------------------------------------------------


class _PinnedConnection:
    """Connects to the addresses the gate checked for this host, never resolving again."""

    pins: Callable[[str, int], tuple[str, ...] | None]

    def _new_conn(self) -> socket.socket:
        addresses = type(self).pins(self.host.lower(), self.port)
        if not addresses:
            raise NewConnectionError(self, f"{self.host} was not checked by the gate")
        last: OSError | None = None
        for address in addresses:
            try:
                return create_connection(
                    (address, self.port), self.timeout,
                    source_address=self.source_address, socket_options=self.socket_options,
                )  # fmt: skip
            except TimeoutError as exc:
                message = f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
                raise ConnectTimeoutError(self, message) from exc
            except OSError as exc:
                last = exc
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last


class _PinnedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose pools make ``_PinnedConnection`` connections."""

    def __init__(self, pins: Callable[[str, int], tuple[str, ...] | None], **kw):
        self._pins = pins
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw) -> None:
        super().init_poolmanager(*args, **kw)
        pins = staticmethod(self._pins)
        plain = type("PinnedHTTPConnection", (_PinnedConnection, HTTPConnection), {"pins": pins})
        tls = type("PinnedHTTPSConnection", (_PinnedConnection, HTTPSConnection), {"pins": pins})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
        }


# -- retry timing ---------------------------------------------------------------------


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


# -- the client -----------------------------------------------------------------------


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


class _Retry(Exception):
    """One attempt failed in a way worth trying again."""

    def __init__(self, reason: str, wait: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason, self.wait, self.status = reason, wait, status


class HttpClient:
    """A shared, allowlisted, pinned, retrying HTTP client. Use it as a context manager.

    ``per_host`` and ``total`` bound the requests in flight to one host and overall;
    ``map`` runs a function over many items on a thread pool of ``total`` workers.
    ``resolver(host, port) -> [address, ...]`` is ``resolve`` (the system's DNS)
    unless given; whatever it answers is checked and then pinned for the connection.
    ``delay`` spaces the requests to one host (the source option ``delay``, seconds).
    """

    def __init__(
        self,
        allow_hosts: Iterable[str],
        *,
        timeout: tuple[float, float] = (3.05, 10),
        retries: int = 3,
        backoff: float = 0.5,
        max_bytes: int = 5_000_000,
        per_host: int = 16,
        total: int = 32,
        user_agent: str = USER_AGENT,
        allow_private: bool = False,
        resolver: Callable[[str, int], list[str]] = resolve,
        delay: float = 0.0,
    ):
        self.allow_hosts = tuple(allow_hosts)
        self.resolver = resolver
        self.delay = delay  # seconds between the starts of two requests to one host
        self._next_start: dict[str, float] = {}
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.total = total
        self.allow_private = allow_private
        self.session = requests.Session()
        self.session.headers["User-Agent"] = user_agent
        self.session.trust_env = False  # no proxies or .netrc credentials from the environment
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # none kept
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}
        adapter = _PinnedAdapter(
            self._pinned, pool_connections=16, pool_maxsize=max(per_host, total)
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self._all = threading.BoundedSemaphore(total)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, **kw) -> Response:
        return self.request("GET", url, **kw)

    def request(
        self,
        method: str,
        url: str,
        *,
        headers: Mapping[str, str] | None = None,
        json: object = None,
        data: object = None,
    ) -> Response:
        """Send one request, retrying as configured; raise ``FetchError`` when it fails for good.

        ``${VAR}`` in the URL and header values is filled from the environment. The
        URL goes through ``parse_target`` and each header through ``header_problem``
        before anything is sent.
        """
        try:
            url = expand_env(url)
            headers = expand_headers(headers)
        except MissingEnvError as exc:
            raise FetchError(url, str(exc)) from None
        for name, value in headers.items():
            problem = header_problem(str(name), str(value))
            if problem:
                raise FetchError(url, f"header {name}: {problem}")
        try:
            target = parse_target(url)
        except UrlRefused as exc:
            raise FetchError(url, f"refused URL: {exc}") from None
        started = time.monotonic()
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._follow(method, target, headers, json, data, started)
            except _Retry as exc:
                if attempt + 1 == attempts:
                    plural = "s" if attempts > 1 else ""
                    reason = f"{exc.reason} (after {attempts} attempt{plural})"
                    raise FetchError(url, reason, exc.status) from None
                time.sleep(exc.wait if exc.wait is not None else self.backoff * 2**attempt)
        raise AssertionError("unreachable")

    def map(self, fn: Callable, items: Iterable) -> Iterator:
        """Yield ``fn(item)`` for every item, in the order they complete.

        At most ``2 * total`` items are in flight, so a long input streams in flat memory.
        An exception raised by ``fn`` stops the run and propagates; ``fn`` should turn
        ``FetchError`` into a value when the run must go on.
        """
        items = iter(items)
        pool = ThreadPoolExecutor(max_workers=self.total, thread_name_prefix="fetch")
        pending: set[Future] = set()
        try:
            for item in items:
                pending.add(pool.submit(fn, item))
                if len(pending) >= 2 * self.total:
                    done, pending = wait(pending, return_when=FIRST_COMPLETED)
                    yield from (future.result() for future in done)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                yield from (future.result() for future in done)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    # -- one attempt: every redirect hop through the gate ---------------------------

    def _follow(self, method, first: Target, headers, json_body, data, started) -> Response:
        target, history = first, []
        for _hop in range(MAX_REDIRECTS + 1):
            self._admit(first, target, history)
            status, head, body, encoding = self._send(method, target, headers, json_body, data)
            if status in REDIRECT_STATUSES and "Location" in head:
                following = self._next_hop(first, target, head["Location"])
                body_kept = status in (307, 308) and (json_body is not None or data is not None)
                if following.origin != target.origin:
                    if body_kept:
                        hop = f"redirect from {target.url} to {following.url}"
                        raise FetchError(first.url, f"{hop} refused: it would resend the body")
                    headers = {}  # credentials and custom headers stay with their origin
                if status == 303 or (status in (301, 302) and method != "HEAD"):
                    method, json_body, data = "GET", None, None
                history.append(target.url)
                target = following
                continue
            where = f" at {target.url}" if history else ""
            if status in RETRY_STATUSES:
                wait_s = retry_after_seconds(head.get("Retry-After"))
                raise _Retry(_status_reason(status) + where, wait_s, status)
            if status >= 400:
                raise FetchError(first.url, _status_reason(status) + where, status)
            elapsed = time.monotonic() - started
            return Response(target.url, status, head, body, elapsed, encoding, tuple(history))
        raise FetchError(first.url, f"more than {MAX_REDIRECTS} redirects")

    def _next_hop(self, first: Target, here: Target, location: str) -> Target:
        location = _as_utf8(location)
        try:
            bad = AMBIGUOUS.search(location)
            if bad:  # checked before joining: urljoin would hide some of it
                parse_target(location)
            return parse_target(urljoin(here.url, location))
        except UrlRefused as exc:
            hop = f"redirect from {here.url} to {location!r}"
            raise FetchError(first.url, f"{hop} refused: {exc}") from None

    def _admit(self, first: Target, target: Target, history: list[str]) -> None:
        """Check the host and every address it resolves to; pin them for the connection."""
        try:
            self._check(target)
        except FetchError as exc:
            if not history:
                raise
            hop = f"redirect from {history[-1]} to {target.url}"
            raise FetchError(first.url, f"{hop} refused: {exc.reason}") from None

    def _check(self, target: Target) -> None:
        entry = _matching_entry(target, self.allow_hosts)
        if entry is None:
            raise FetchError(target.url, f"host {target.host!r} is not in allow_hosts")
        if target.ip:
            addresses = [target.host]
        else:
            try:
                addresses = self.resolver(target.host, target.port)
            except (socket.gaierror, UnicodeError) as exc:
                raise _Retry(f"cannot resolve {target.host!r}: {_root_cause(exc)}") from None
            if not addresses:
                raise _Retry(f"cannot resolve {target.host!r}: no address")
        for address in addresses:
            try:
                refusal = address_refusal(address, entry, target, self.allow_private)
            except ValueError:
                refusal = f"host {target.host!r} resolves to {address!r}, not an IP address"
            if refusal:
                raise FetchError(target.url, refusal)
        with self._lock:
            self._pins[(target.host, target.port)] = tuple(addresses)

    def _pinned(self, host: str, port: int) -> tuple[str, ...] | None:
        with self._lock:
            return self._pins.get((host.rstrip("."), port))

    def _pace(self, host: str) -> None:
        """Wait until ``delay`` seconds have passed since the last request to ``host`` began."""
        if self.delay <= 0:
            return
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next_start.get(host, now))
            self._next_start[host] = start + self.delay
        time.sleep(start - now)

    def _send(self, method, target: Target, headers, json_body, data):
        url = target.url
        with self._host_slot(f"{target.host}:{target.port}"), self._all:
            self._pace(f"{target.host}:{target.port}")
            try:
                resp = self.session.request(
                    method, url, headers=headers, json=json_body, data=data,
                    timeout=self.timeout, allow_redirects=False, stream=True,
                )  # fmt: skip
            except requests.exceptions.SSLError as exc:
                raise FetchError(url, f"TLS error: {_root_cause(exc)}") from None
            except requests.exceptions.ConnectTimeout:
                raise _Retry(f"no connection within {self.timeout[0]} s") from None
            except requests.exceptions.ReadTimeout:
                raise _Retry(f"no response within {self.timeout[1]} s") from None
            except requests.exceptions.ConnectionError as exc:
                raise _Retry(f"connection failed: {_root_cause(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(url, f"bad request: {_root_cause(exc)}") from None
            except (UnicodeError, ValueError) as exc:  # a value http.client cannot encode
                raise FetchError(url, f"the request cannot be sent: {type(exc).__name__}") from None
            with resp:
                body = self._read_body(url, resp)
                return resp.status_code, resp.headers, body, _declared_charset(resp)

    def _read_body(self, url: str, resp: requests.Response) -> bytes:
        declared = resp.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(url, f"response of {int(declared):,} bytes is over {self._cap()}")
        chunks, size = [], 0
        try:
            for chunk in resp.iter_content(CHUNK):
                size += len(chunk)
                if size > self.max_bytes:
                    raise FetchError(url, f"response is over {self._cap()}")
                chunks.append(chunk)
        except requests.exceptions.ConnectionError as exc:
            if "timed out" in str(exc).lower():
                raise _Retry(f"body not received within {self.timeout[1]} s") from None
            raise _Retry(f"connection broken while reading: {_root_cause(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise _Retry(f"connection broken while reading: {_root_cause(exc)}") from None
        return b"".join(chunks)

    def _cap(self) -> str:
        return f"the {self.max_bytes:,}-byte limit (max_bytes)"

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = self._hosts[host] = threading.BoundedSemaphore(self.per_host)
            return slot


def _as_utf8(header: str) -> str:
    """A header value http.client read as Latin-1, read again as the UTF-8 servers send
    (``Location: /מחיר``); unchanged when its bytes are not UTF-8.

    >>> _as_utf8("/מחיר".encode().decode("latin-1")), _as_utf8("/caf\xe9")
    ('/מחיר', '/café')
    """
    try:
        return header.encode("latin-1").decode("utf-8")
    except UnicodeError:
        return header


def _status_reason(status: int) -> str:
    """``HTTP 503 Service Unavailable``: the status and its standard phrase, never the body
    (a failed hop stores no body) nor the server's own phrase.

    >>> _status_reason(503), _status_reason(299)
    ('HTTP 503 Service Unavailable', 'HTTP 299')
    """
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def _declared_charset(resp: requests.Response) -> str | None:
    content_type = resp.headers.get("Content-Type", "")
    match = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.IGNORECASE)
    return match.group(1) if match else None


def _root_cause(exc: BaseException) -> str:
    """The innermost error's message, e.g. ``[Errno 111] Connection refused``."""
    seen = exc
    while True:
        inner = seen.__cause__ or seen.__context__
        if inner is None and seen.args and isinstance(seen.args[0], BaseException):
            inner = seen.args[0]
        if inner is None or inner is seen:
            break
        seen = inner
    reason = getattr(seen, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else seen)
    match = re.search(r"\[Errno -?\d+\][^')\"]*", text)
    return redact(match.group(0).strip() if match else text[:200])
