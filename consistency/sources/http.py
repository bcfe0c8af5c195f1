"""The one HTTP gate every fetcher shares: one URL parse, allowlisted hosts, pinned addresses,
retries, caps, and secrets kept out.

This module is the client; the gate's other jobs have their own modules, whose
public names are importable from here too:

- :mod:`.urls`: the one URL parse (``parse_target``), the allow list and the
  address checks (``address_refusal``): what the gate will fetch;
- :mod:`.pinned`: connections made to exactly the addresses that were checked,
  so a DNS answer that changes in between (DNS rebinding) cannot move a request;
- :mod:`.redaction`: ``${VAR}`` from the environment, header checks, ``redact``;
- :mod:`.responses`: the finished ``Response``, ``Retry-After``, status phrases.

``HttpClient`` wraps a ``requests.Session`` with the pinned connections. It
retries with exponential backoff on 429/500/502/503/504, connection errors and
timeouts (honoring ``Retry-After``), streams each body under a size cap, and
bounds concurrency per host and overall. Redirects are followed by hand, every
hop through the gate; a hop to another origin (scheme, host, port) carries no
header the caller set (credentials included) and never resends a body. Cookies
a server sets are kept per origin for the client's life (a run's source) and sent
back only to that origin (:class:`.cookies.CookieJars`). Failures are ``FetchError(url, reason)`` with a human reason, the
configured URL, no response body, and every secret replaced by ``***``.

``${VAR}`` in URLs and headers comes from the environment only
(``expand_env``); each value used is remembered as a secret so that ``redact``
hides it, in every form it may come back in, from messages, logs and evidence.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import urljoin

import requests

from .. import __version__
from ..net.headers import ENV_VAR, header_problem
from ..net.urls import (
    AMBIGUOUS,
    Target,
    UrlRefused,
    address_refusal,
    check_location,
    host_allowed,
    is_private_address,
    matching_entry,
    parse_entry,
    parse_target,
    resolve,
)
from .connection import proxy_for, root_cause, unsendable
from .cookies import CookieJars
from .pinned import DnsCache, PinnedAdapter
from .redaction import (
    MIN_SECRET,
    MissingEnvError,
    add_secret,
    expand_env,
    expand_headers,
    redact,
    redact_bytes,
)
from .responses import (
    Response,
    as_utf8,
    declared_charset,
    retry_after_seconds,
    status_reason,
)

# The gate's names, importable from here as they always were.
__all__ = [
    "ENV_VAR",
    "MIN_SECRET",
    "FetchError",
    "HttpClient",
    "MissingEnvError",
    "Response",
    "UrlRefused",
    "add_secret",
    "expand_env",
    "header_problem",
    "host_allowed",
    "is_private_address",
    "parse_entry",
    "parse_target",
    "redact",
    "redact_bytes",
    "retry_after_seconds",
]

RUN_DNS = DnsCache()  # the system resolver's answers, shared by the sources of a run
USER_AGENT = f"consistency/{__version__} (+https://github.com/consistency)"
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5
CHUNK = 64 * 1024


class FetchError(Exception):
    """A request that failed for good. ``reason`` is for people and holds no secret."""

    def __init__(self, url: str, reason: str, status: int | None = None):
        self.url = redact(url)
        self.reason = redact(reason)
        self.status = status
        super().__init__(f"{self.url}: {self.reason}")


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
    ``dns`` keeps each name's answer for the run (:class:`DnsCache`): every request
    to a name connects to the addresses of its first answer, checked again each time;
    by default the client has its own (``client_for`` shares :data:`RUN_DNS` between
    the sources of a run that use the system's DNS).
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
        dns: DnsCache | None = None,
    ):
        self.allow_hosts = tuple(allow_hosts)
        self.resolver = resolver
        self.dns = dns if dns is not None else DnsCache()
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
        self.session.cookies.set_policy(DefaultCookiePolicy(allowed_domains=[]))  # see cookies.py
        self.cookies = CookieJars()
        self._pins: dict[tuple[str, int], tuple[str, ...]] = {}
        adapter = PinnedAdapter(
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
                raise _Retry(status_reason(status) + where, wait_s, status)
            if status >= 400:
                raise FetchError(first.url, status_reason(status) + where, status)
            elapsed = time.monotonic() - started
            return Response(target.url, status, head, body, elapsed, encoding, tuple(history))
        raise FetchError(first.url, f"more than {MAX_REDIRECTS} redirects")

    def _next_hop(self, first: Target, here: Target, location: str) -> Target:
        location = as_utf8(location)
        try:
            check_location(location)  # "///host/p" or "a, b" (two Locations): ambiguous
            bad = AMBIGUOUS.search(location)
            if bad:  # checked before joining: urljoin would hide some of it
                parse_target(location)
            return parse_target(urljoin(here.url, location))
        except UrlRefused as exc:
            hop = f"redirect from {here.url} to the Location it names"  # not quoted: server bytes
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
        entry = matching_entry(target, self.allow_hosts)
        if entry is None:
            raise FetchError(target.url, f"host {target.host!r} is not in allow_hosts")
        if target.ip:
            addresses = [target.host]
        elif proxy_for(target):
            return  # the environment's proxy resolves the name: nothing to pin (docs/fetching.md)
        else:
            try:
                addresses = self.dns.addresses(target.host, target.port, self.resolver)
            except (socket.gaierror, UnicodeError) as exc:
                raise _Retry(f"cannot resolve {target.host!r}: {root_cause(exc)}") from None
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
            proxy = proxy_for(target)
            try:
                resp = self.session.request(
                    method, url, headers=headers, json=json_body, data=data,
                    timeout=self.timeout, allow_redirects=False, stream=True,
                    proxies={target.scheme: proxy} if proxy else None,
                    cookies=self.cookies.for_request(target),
                )  # fmt: skip
            except requests.exceptions.SSLError as exc:
                raise FetchError(url, f"TLS error: {root_cause(exc)}") from None
            except requests.exceptions.ConnectTimeout:
                raise _Retry(f"no connection within {self.timeout[0]} s") from None
            except requests.exceptions.ReadTimeout:
                raise _Retry(f"no response within {self.timeout[1]} s") from None
            except requests.exceptions.ConnectionError as exc:
                raise _Retry(f"connection failed: {root_cause(exc)}") from None
            except requests.exceptions.RequestException as exc:
                raise FetchError(url, f"bad request: {root_cause(exc)}") from None
            except (UnicodeError, ValueError) as exc:  # requests reading a redirect, or encoding
                raise FetchError(url, unsendable(exc)) from None
            with resp:
                self.cookies.keep(target, resp)
                body = self._read_body(url, resp)
                return resp.status_code, resp.headers, body, declared_charset(resp)

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
            raise _Retry(f"connection broken while reading: {root_cause(exc)}") from None
        except requests.exceptions.RequestException as exc:
            raise _Retry(f"connection broken while reading: {root_cause(exc)}") from None
        return b"".join(chunks)

    def _cap(self) -> str:
        return f"the {self.max_bytes:,}-byte limit (max_bytes)"

    def _host_slot(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            slot = self._hosts.get(host)
            if slot is None:
                slot = self._hosts[host] = threading.BoundedSemaphore(self.per_host)
            return slot
