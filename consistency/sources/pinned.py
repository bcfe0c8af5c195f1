"""Connections pinned to the addresses the HTTP gate checked, so DNS cannot move a request.

The gate resolves a host once per run (:class:`DnsCache`) and checks every address
for every request; these urllib3 connections then connect to exactly those
addresses and never resolve again, so a DNS answer that changes between the check
and the connection, or between two requests of a run (DNS rebinding), cannot
reach another address. A host the gate did not check cannot be connected to.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection


class DnsCache:
    """The addresses each host name resolved to, kept for a run: every request of the run
    to that name connects to the same (checked) addresses, and DNS is asked once per name.

    Thread-safe, and one question per name even when many requests start at once. A
    failed or empty answer is not kept (the next attempt asks again). An answer older
    than ``max_age`` seconds is asked again, so a process that lives for days does not
    keep one forever. One cache serves one resolver.

    >>> calls = []
    >>> def dns(host, port):
    ...     calls.append(host)
    ...     return ["192.0.2.7"] if len(calls) == 1 else ["127.0.0.1"]  # rebinding
    >>> cache = DnsCache()
    >>> cache.addresses("shop.example", 443, dns), cache.addresses("shop.example", 80, dns)
    (('192.0.2.7',), ('192.0.2.7',))
    >>> calls
    ['shop.example']
    """

    def __init__(self, max_age: float = 3600.0):
        self.max_age = max_age
        self._answers: dict[str, tuple[float, tuple[str, ...]]] = {}
        self._names: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def addresses(
        self, host: str, port: int, resolver: Callable[[str, int], list[str]]
    ) -> tuple[str, ...]:
        """``host``'s addresses: the run's answer, else ``resolver(host, port)``'s (kept)."""
        with self._lock:
            name_lock = self._names.setdefault(host, threading.Lock())
        with name_lock:
            now = time.monotonic()
            kept = self._answers.get(host)
            if kept is not None and now - kept[0] < self.max_age:
                return kept[1]
            answer = tuple(resolver(host, port))
            if answer:
                self._answers[host] = (now, answer)
            return answer


class PinnedConnection:
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


class PinnedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose pools make ``PinnedConnection`` connections."""

    def __init__(self, pins: Callable[[str, int], tuple[str, ...] | None], **kw):
        self._pins = pins
        super().__init__(**kw)

    def init_poolmanager(self, *args, **kw) -> None:
        super().init_poolmanager(*args, **kw)
        pins = staticmethod(self._pins)
        plain = type("PinnedHTTPConnection", (PinnedConnection, HTTPConnection), {"pins": pins})
        tls = type("PinnedHTTPSConnection", (PinnedConnection, HTTPSConnection), {"pins": pins})
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": plain}),
            "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": tls}),
        }
