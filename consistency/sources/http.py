"""The one HTTP layer every fetcher shares: allowlisted hosts, retries, caps, secrets kept out.

``HttpClient`` wraps a ``requests.Session``. It refuses hosts the config did not
allow (before sending, and again on every redirect hop), retries with
exponential backoff on 429/500/502/503/504, connection errors and timeouts
(honoring ``Retry-After``), streams each body under a size cap, and bounds
concurrency per host and overall. Failures are ``FetchError(url, reason)``
with a human reason and every secret replaced by ``***``.

``${VAR}`` in URLs and headers comes from the environment only
(``expand_env``); each value used is remembered as a secret so that
``redact`` hides it from messages, logs and evidence.

A small example (no network involved)::

    >>> host_allowed("https://Shop.Example.co.il/p", ("shop.example.co.il",))
    True
    >>> host_allowed("https://evil.example/p", ("shop.example.co.il",))
    False
"""

from __future__ import annotations

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
from urllib.parse import quote, urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .. import __version__

USER_AGENT = f"consistency/{__version__} (+https://github.com/consistency)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
MAX_RETRY_AFTER = 30.0  # seconds; a longer Retry-After is cut to this
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


# -- secrets --------------------------------------------------------------------------

_secrets: set[str] = set()
_secrets_lock = threading.Lock()


def add_secret(value: str) -> None:
    """Remember ``value`` (and its URL-encoded form) so that ``redact`` hides it."""
    if not value:
        return
    with _secrets_lock:
        _secrets.update({value, quote(value, safe=""), quote(value)})


def redact(text: str) -> str:
    """Replace every remembered secret in ``text`` with ``***``.

    >>> add_secret("hunter2-token")
    >>> redact("Authorization: Bearer hunter2-token")
    'Authorization: Bearer ***'
    """
    with _secrets_lock:
        secrets = sorted(_secrets, key=len, reverse=True)
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def expand_env(text: str, env: Mapping[str, str] | None = None) -> str:
    """Fill ``${NAME}`` from the environment; every value used becomes a secret.

    >>> expand_env("Bearer ${TOKEN}", {"TOKEN": "abc"})
    'Bearer abc'
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


# -- hosts ----------------------------------------------------------------------------


def host_allowed(url: str, allow_hosts: Iterable[str]) -> bool:
    """True when the URL's host (and port, if the entry names one) is allowed.

    Entries are ``host``, ``host:port`` or ``*.domain`` (any subdomain, not the domain).

    >>> host_allowed("http://127.0.0.1:8000/", ["127.0.0.1"])
    True
    >>> host_allowed("http://127.0.0.1:8000/", ["127.0.0.1:9000"])
    False
    >>> [host_allowed(u, ["*.shop.co.il"]) for u in ("https://a.shop.co.il", "https://shop.co.il")]
    [True, False]
    """
    return _matching_entry(url, allow_hosts) is not None


def _matching_entry(url: str, allow_hosts: Iterable[str]) -> str | None:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    port = parts.port or {"http": 80, "https": 443}.get(parts.scheme)
    for entry in allow_hosts:
        entry = entry.strip().lower()
        name, _, entry_port = entry.rpartition(":") if _has_port(entry) else (entry, "", "")
        name = name.strip("[]")
        if entry_port and int(entry_port) != port:
            continue
        if name == host or (name.startswith("*.") and host.endswith(name[1:])):
            return entry
    return None


def _has_port(entry: str) -> bool:
    head, sep, tail = entry.rpartition(":")
    return bool(sep) and tail.isdigit() and (head.count(":") == 0 or head.endswith("]"))


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
        return self.body.decode(self.encoding or "utf-8", errors="replace")

    def json(self):
        return json.loads(self.text)


class _Retry(Exception):
    """One attempt failed in a way worth trying again."""

    def __init__(self, reason: str, wait: float | None = None, status: int | None = None):
        super().__init__(reason)
        self.reason, self.wait, self.status = reason, wait, status


class HttpClient:
    """A shared, allowlisted, retrying HTTP client. Use it as a context manager.

    ``per_host`` and ``total`` bound the requests in flight to one host and overall;
    ``map`` runs a function over many items on a thread pool of ``total`` workers.
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
    ):
        self.allow_hosts = tuple(allow_hosts)
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
        adapter = HTTPAdapter(pool_connections=16, pool_maxsize=max(per_host, total))
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

        ``${VAR}`` in the URL and header values is filled from the environment.
        """
        try:
            url = expand_env(url)
            headers = expand_headers(headers)
        except MissingEnvError as exc:
            raise FetchError(url, str(exc)) from None
        started = time.monotonic()
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._follow(method, url, headers, json, data, started)
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

    # -- one attempt: every redirect hop checked ------------------------------------

    def _follow(self, method, url, headers, json_body, data, started) -> Response:
        history: list[str] = []
        for _hop in range(MAX_REDIRECTS + 1):
            self._check_host(url)
            status, head, body, encoding = self._send(method, url, headers, json_body, data)
            if status in REDIRECT_STATUSES and "Location" in head:
                history.append(url)
                target = urljoin(url, head["Location"])
                if urlsplit(target).hostname != urlsplit(url).hostname:
                    headers = {k: v for k, v in headers.items() if not SENSITIVE_HEADER.search(k)}
                if status == 303 or (status in (301, 302) and method != "HEAD"):
                    method, json_body, data = "GET", None, None
                url = target
                continue
            if status in RETRY_STATUSES:
                wait_s = retry_after_seconds(head.get("Retry-After"))
                raise _Retry(_status_reason(status, body), wait_s, status)
            if status >= 400:
                raise FetchError(url, _status_reason(status, body), status)
            elapsed = time.monotonic() - started
            return Response(url, status, head, body, elapsed, encoding, tuple(history))
        raise FetchError(url, f"more than {MAX_REDIRECTS} redirects")

    def _check_host(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(url, f"only http and https URLs can be fetched, not {parts.scheme!r}")
        entry = _matching_entry(url, self.allow_hosts)
        if entry is None:
            raise FetchError(url, f"host {parts.hostname!r} is not in allow_hosts")
        explicit = not entry.startswith("*.")
        if not (explicit or self.allow_private) and is_private_address(parts.hostname):
            reason = f"host {parts.hostname!r} resolves to a private address; list it exactly"
            raise FetchError(url, reason)

    def _send(self, method, url, headers, json_body, data):
        host = (urlsplit(url).netloc or "").lower()
        with self._host_slot(host), self._all:
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


def _status_reason(status: int, body: bytes) -> str:
    """``HTTP 503`` plus the start of the body, on one line (redacted by FetchError)."""
    excerpt = " ".join(body[:200].decode("utf-8", errors="replace").split())
    return f"HTTP {status}" + (f": {excerpt}" if excerpt else "")


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
