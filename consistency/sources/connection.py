"""What the environment and a failed connection say about one request: the proxy the
environment names for a target, and the innermost cause of a connection error (split
from ``http``, the client, which uses both).
"""

from __future__ import annotations

import re

from requests.utils import get_environ_proxies

from ..net.urls import Target
from .redaction import redact


def root_cause(exc: BaseException) -> str:
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


def proxy_for(target: Target) -> str | None:
    """The proxy the environment names for ``target`` (``HTTPS_PROXY``, ``HTTP_PROXY``,
    ``ALL_PROXY``, lower or upper case), or None, also when ``NO_PROXY`` covers its host.

    The allow-list is checked on the target before this is asked. Through a proxy the
    target's name is resolved by the proxy, so its addresses are not checked or pinned
    here; an IP-literal target is still checked. ``.netrc`` credentials are never used.
    """
    proxies = get_environ_proxies(target.url)
    return proxies.get(target.scheme) or proxies.get("all")
