"""Cookies a run keeps: one jar per origin (scheme, host, port), for an HttpClient's life.

A site that sets a session cookie on its first page and expects it on the next gets it
back; no cookie ever goes to another origin (another port, a sibling host a cookie's
``Domain`` names, or a redirect's target). A hostile server cannot grow a jar without
bound: at most :data:`MAX_COOKIES` cookies per origin of at most :data:`MAX_COOKIE_BYTES`
each, as browsers cap them (RFC 6265 6.1). Kept values are secrets: kept out of output.
"""

from __future__ import annotations

import threading

from requests.cookies import RequestsCookieJar, extract_cookies_to_jar

from .redaction import add_cookie_secret

MAX_COOKIES = 50  # per origin, kept for a client's life
MAX_COOKIE_BYTES = 4096  # one cookie's name and value, as browsers cap them (RFC 6265 6.1)


class CookieJars:
    """The jars of one client; ``target`` is a ``net.urls.Target`` (its ``origin``, ``host``)."""

    def __init__(self) -> None:
        self._jars: dict[tuple[str, str, int], RequestsCookieJar] = {}
        self._lock = threading.Lock()

    def _jar(self, target) -> RequestsCookieJar:
        """The cookies ``target``'s origin (scheme, host, port) set in this client's life:
        sent to that origin only, never to another (not even a sibling subdomain or
        another port that a cookie's ``Domain`` would name). Hold ``_lock``."""
        jar = self._jars.get(target.origin)
        if jar is None:
            jar = self._jars[target.origin] = RequestsCookieJar()
        return jar

    def for_request(self, target) -> RequestsCookieJar:
        """A copy of the origin's jar for one request (other threads may add to the jar)."""
        with self._lock:
            sent = RequestsCookieJar()
            sent.update(self._jar(target))
            return sent

    def keep(self, target, resp) -> None:
        """Keep what the response's ``Set-Cookie`` set (or deleted) for its origin, at most
        :data:`MAX_COOKIES` cookies per origin of at most :data:`MAX_COOKIE_BYTES` each (as
        browsers cap them), so a hostile server cannot grow the jar without bound."""
        if "Set-Cookie" not in resp.headers:
            return
        with self._lock:
            jar = self._jar(target)
            before = {(c.domain, c.path, c.name) for c in jar}
            extract_cookies_to_jar(jar, resp.request, resp.raw)
            for cookie in list(jar):
                key = (cookie.domain, cookie.path, cookie.name)
                too_big = len(cookie.name) + len(cookie.value or "") > MAX_COOKIE_BYTES
                if too_big or (key not in before and len(jar) > MAX_COOKIES):
                    jar.clear(*key)
                else:
                    add_cookie_secret(cookie.name, cookie.value or "")  # kept out of output
                    _host_only_if_dotless(jar, cookie, target.host)


def _host_only_if_dotless(jar: RequestsCookieJar, cookie, host: str) -> None:
    """Keep a ``Domain=localhost`` cookie set by ``localhost`` as a host-only one.

    http.cookiejar stores it but never sends it back (a name without a dot is matched as
    ``localhost.local``). A jar here belongs to one origin, so the host-only form, stored
    under that ``.local`` name as http.cookiejar does for a cookie with no ``Domain``, is
    sent to the same origin only, as before.
    """
    if "." in host or cookie.domain.lstrip(".") != host:
        return
    jar.clear(cookie.domain, cookie.path, cookie.name)
    cookie.domain, cookie.domain_specified, cookie.domain_initial_dot = (
        f"{host}.local",
        False,
        False,
    )
    jar.set_cookie(cookie)
