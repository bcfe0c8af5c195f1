"""Connections pinned to the addresses the HTTP gate checked, so DNS cannot move a request.

The gate resolves a host once per hop and checks every address; these urllib3
connections then connect to exactly those addresses and never resolve again, so
a DNS answer that changes between the check and the connection (DNS rebinding)
cannot reach another address. A host the gate did not check cannot be connected to.
"""

from __future__ import annotations

import socket
from collections.abc import Callable

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError
from urllib3.util.connection import create_connection


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
