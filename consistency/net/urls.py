"""One URL parse and the allow list: what the HTTP gate will fetch, and from which addresses.

Every URL (a configured page, a chat URL, each redirect's ``Location``) is parsed
once, by :func:`parse_target`. It refuses what URL parsers read differently
(backslashes, ``user@`` information, control characters and tabs, odd IPv4
spellings such as ``127.1`` or ``0x7f.1``, percent-encoded hosts, IPv6 zone ids)
and rebuilds the URL from the parts it checked, so the host checked against
``allow_hosts`` (:func:`parse_entry`, :func:`host_allowed`) is the host the
request goes to. Every address the host resolves to is checked by
:func:`address_refusal` before :mod:`consistency.sources.http` connects to exactly those addresses.

>>> host_allowed("https://Shop.Example.co.il/p", ("shop.example.co.il",))
True
>>> host_allowed("https://evil.example/p", ("shop.example.co.il",))
False
>>> host_allowed("http://127.0.0.1:8000\\\\@shop.example.co.il/", ("shop.example.co.il",))
False
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
AMBIGUOUS = re.compile(
    r"""
    [\x00-\x1f\x7f-\x9f]   # control characters: tabs and line breaks are dropped by some parsers
    | \\                   # a backslash: a path separator to browsers, part of the host to others
    """,
    re.VERBOSE,
)
# A redirect Location parsers join differently: WHATWG reads "///h/p" and "http:///h/p" as
# host h (it skips any number of slashes), urljoin as a path on the current origin; and
# "http:/h" or "http:h" hold a host for WHATWG when the scheme is not the current one.
SLASHED_LOCATION = re.compile(
    r"""
    \A [ ]*
    (?: https?: (?! //(?!/) )              # http: or https:, not then exactly two slashes
      | /{3,} )                            # or three slashes or more, no scheme
    """,
    re.VERBOSE | re.IGNORECASE,
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
# Two Location values as one: urllib3 joins repeated headers with ", ", and a server may
# write "a, b" in one header. Browsers refuse differing ones (Chrome's
# ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION); a comma then a space or another URL's scheme is
# never part of one well-formed Location (WHATWG percent-encodes a space in a URL).
MANY_LOCATIONS = re.compile(r", (?: \s | \s* [a-z][a-z0-9+.-]*:// )", re.VERBOSE | re.IGNORECASE)


class UrlRefused(ValueError):
    """A URL the gate will not fetch; the message says why and quotes no secret."""


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
    consistency.net.urls.UrlRefused: the URL holds a backslash, which URL parsers read differently
    >>> parse_target("http://127.1/")
    Traceback (most recent call last):
    ...
    consistency.net.urls.UrlRefused: host '127.1' is a short or non-decimal IPv4 form; write it as a.b.c.d
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


def check_location(location: str) -> None:
    """Refuse a redirect ``Location`` that URL parsers join to different hosts (``UrlRefused``).

    WHATWG skips any run of slashes before a host, so ``///127.0.0.1:8082/x`` and
    ``http:///127.0.0.1:8082/x`` name the host 127.0.0.1:8082 to a browser, while
    ``urljoin`` makes them a path on the current origin; ``http:/x`` and ``http:x`` name
    host x to WHATWG when the current page is https. Such a Location is refused, not
    guessed at. A plain path, ``//host/p`` and ``scheme://host/p`` pass. So is more than
    one Location (repeated headers arrive joined as ``a, b``; CWE-436).

    >>> check_location("/p?q=1"), check_location("//shop.co.il/p"), check_location("https://a/")
    (None, None, None)
    >>> check_location("///127.0.0.1:8082/secret")
    Traceback (most recent call last):
    ...
    consistency.net.urls.UrlRefused: the Location has http: without exactly two slashes after it, or three slashes or more, which URL parsers read as different hosts
    >>> check_location("http://a/x, http://b/y")
    Traceback (most recent call last):
    ...
    consistency.net.urls.UrlRefused: the redirect has more than one Location value, which clients follow differently
    """
    if MANY_LOCATIONS.search(location):
        raise UrlRefused(
            "the redirect has more than one Location value, which clients follow differently"
        )
    if SLASHED_LOCATION.match(location):
        raise UrlRefused(  # not quoted: the server's bytes, cut, could hold part of a secret
            "the Location has http: without exactly two slashes after it, or three"
            " slashes or more, which URL parsers read as different hosts"
        )


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
    return matching_entry(target, allow_hosts) is not None


def matching_entry(target: Target, allow_hosts: Iterable[str]) -> Entry | None:
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
