"""The URL gate against hostile URLs and hostile servers on loopback (issue 12, item 1).

Two real servers play the parts: ``shop`` (the allowed shop, reached through a DNS
answer the test chooses) and ``internal`` (a service on loopback that must never be
reached). Each attack row names its class (CWE) and where it came from.
"""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from consistency.sources.http import FetchError, HttpClient, UrlRefused, parse_target


class Recorder(BaseHTTPRequestHandler):
    """Records every request (path, Host, Authorization, custom headers); ``/go?to=X``
    redirects to X with the status in ``code`` (302 by default); anything else is a page."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.answer()

    def do_POST(self):  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.answer()

    def answer(self):
        self.server.log.append(
            {
                "path": self.path,
                "host": self.headers.get("Host"),
                "authorization": self.headers.get("Authorization"),
                "x-api-key": self.headers.get("X-Api-Key"),
            }
        )
        parts = urlsplit(self.path)
        if parts.path == "/go":
            query = dict(p.split("=", 1) for p in parts.query.split("&") if "=" in p)
            self.send_response(int(query.get("code", "302")))
            self.send_header("Location", self.server.locations[query["to"]])
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = json.dumps({"server": self.server.name, "path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def start(name: str) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    server.name, server.log, server.locations = name, [], {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers():
    shop, internal = start("shop"), start("internal")
    yield shop, internal
    for server in (shop, internal):
        server.shutdown()
        server.server_close()


@pytest.fixture
def shop_and_internal(servers):
    for server in servers:
        server.log.clear()
        server.locations.clear()
    return servers


class Dns:
    """A resolver we control: every name in ``.example.test`` is loopback; calls recorded."""

    def __init__(self, answers: list[list[str]] | None = None):
        self.calls: list[tuple[str, int]] = []
        self.answers = answers

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if self.answers is not None:
            return self.answers[min(len(self.calls), len(self.answers)) - 1]
        if host == "example.test" or host.endswith(".example.test") or host == "localhost":
            return ["127.0.0.1"]
        raise OSError("no such host")


def client(allow, dns=None, **kw) -> HttpClient:
    kw = {"timeout": (1, 1), "retries": 0, "backoff": 0.01} | kw
    return HttpClient(allow, resolver=dns or Dns(), **kw)


@dataclass(frozen=True)
class Attack:
    id: str
    cwe: str  # the class of the attack
    source: str  # where the row came from
    url: str  # {shop} and {internal} are the two servers' ports
    allow: tuple[str, ...]
    refused: str | None  # a part of the refusal, or None when the shop must serve it


SHOP = ("shop.example.test",)
ATTACKS = [
    Attack(
        "backslash-userinfo", "CWE-918", "issue 12: the probe's allow-list bypass",
        "http://127.0.0.1:{internal}\\@shop.example.test/../secret", SHOP, "backslash",
    ),
    Attack(
        "backslash-wildcard", "CWE-918", "issue 12: the same through a *. entry",
        "http://127.0.0.1:{internal}\\@m.example.test/", ("*.example.test",), "backslash",
    ),
    Attack(
        "userinfo-before-host", "CWE-918", "RFC 3986 3.2.1 userinfo; Orange Tsai, A New Era of SSRF",
        "http://shop.example.test:{shop}@127.0.0.1:{internal}/", SHOP, "user information",
    ),
    Attack(
        "userinfo-credentials", "CWE-522", "credentials in a URL end up in logs",
        "http://admin:pw@shop.example.test:{shop}/", SHOP, "user information",
    ),
    Attack(
        "tab-in-host", "CWE-918", "WHATWG URL drops tabs and newlines before parsing",
        "http://127.0.0.1:{internal}\t.shop.example.test/", SHOP, "control character",
    ),
    Attack(
        "crlf-in-path", "CWE-93", "CRLF injection into the request line",
        "http://shop.example.test:{shop}/p\r\nX-Injected: 1", SHOP, "control character",
    ),
    Attack(
        "percent-encoded-host", "CWE-918", "WHATWG URL percent-decodes hosts",
        "http://shop%2eexample.test:{shop}/", SHOP, "characters a host name cannot",
    ),
    Attack(
        "short-ipv4", "CWE-918", "inet_aton reads 127.1 as 127.0.0.1",
        "http://127.1:{internal}/", ("127.1", "127.0.0.1"), "short or non-decimal IPv4",
    ),
    Attack(
        "hex-ipv4", "CWE-918", "WHATWG IPv4 parser reads hex parts",
        "http://0x7f.0.0.1:{internal}/", ("0x7f.0.0.1",), "short or non-decimal IPv4",
    ),
    Attack(
        "decimal-ipv4", "CWE-918", "a 32-bit number is an IPv4 address to browsers",
        "http://2130706433:{internal}/", ("2130706433",), "short or non-decimal IPv4",
    ),
    Attack(
        "ipv4-mapped-ipv6", "CWE-918", "::ffff:127.0.0.1 is loopback",
        "http://[::ffff:127.0.0.1]:{internal}/", ("*.example.test",), "not in allow_hosts",
    ),
    Attack(
        "wildcard-to-ip", "CWE-918", "a *. entry never matches an address",
        "http://127.0.0.1:{internal}/", ("*.0.0.1",), "not in allow_hosts",
    ),
    Attack(
        "ipv6-zone", "CWE-918", "RFC 6874 zone ids", "http://[::1%25lo]:{internal}/",
        ("[::1]",), "zone",
    ),
    Attack("file-scheme", "CWE-73", "local files by URL", "file:///etc/passwd", SHOP, "only http"),
    Attack(
        "gopher-scheme", "CWE-918", "gopher smuggles raw TCP", "gopher://127.0.0.1:{internal}/_x",
        SHOP, "only http",
    ),
    Attack(
        "port-out-of-range", "CWE-20", "ports above 65535", "http://shop.example.test:99999/",
        SHOP, "not a number from 1 to 65535",
    ),
    Attack(
        "fragment-at", "CWE-918", "an @ after # is not userinfo",
        "http://shop.example.test:{shop}/p#@127.0.0.1:{internal}/", SHOP, None,
    ),
    Attack(
        "query-at", "CWE-918", "an @ after ? is not userinfo",
        "http://shop.example.test:{shop}/p?@127.0.0.1:{internal}/", SHOP, None,
    ),
    Attack(
        "trailing-dot-and-case", "CWE-178", "hosts compare without case and final dot",
        "HTTP://SHOP.Example.TEST.:{shop}/p", SHOP, None,
    ),
    Attack(
        "fullwidth-letters", "CWE-176", "IDNA maps full-width letters to ASCII",
        "http://ｓｈｏｐ.example.test:{shop}/p", SHOP, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize("row", ATTACKS, ids=lambda row: f"{row.cwe}-{row.id}")
def test_an_attack_url_is_refused_or_goes_to_the_host_checked(shop_and_internal, row: Attack):
    shop, internal = shop_and_internal
    url = row.url.format(shop=shop.server_port, internal=internal.server_port)
    dns = Dns()
    with client(row.allow, dns) as c:
        if row.refused is None:
            response = c.get(url)
            assert json.loads(response.body)["server"] == "shop"
            assert shop.log[0]["host"] == f"shop.example.test:{shop.server_port}"
            assert dns.calls == [("shop.example.test", shop.server_port)]
        else:
            with pytest.raises(FetchError) as info:
                c.get(url)
            assert row.refused in info.value.reason
            assert shop.log == []
    assert internal.log == []


@dataclass(frozen=True)
class Hop:
    id: str
    cwe: str
    source: str
    location: str  # {shop} and {internal} are the ports
    allow: tuple[str, ...]
    refused: str | None
    code: int = 302


HOPS = [
    Hop(
        "backslash-location", "CWE-918", "issue 12: the bypass in a redirect Location",
        "http://127.0.0.1:{internal}\\@shop.example.test/secret", SHOP, "backslash",
    ),
    Hop(
        "to-loopback", "CWE-918", "redirect to an internal service",
        "http://127.0.0.1:{internal}/secret", SHOP, "'127.0.0.1' is not in allow_hosts",
    ),
    Hop(
        "scheme-relative", "CWE-601", "//host is another origin",
        "//127.0.0.1:{internal}/secret", SHOP, "not in allow_hosts",
    ),
    Hop(
        "wildcard-private", "CWE-918", "a *. name whose DNS answer is loopback",
        "http://evil.example.test:{internal}/secret", ("shop.example.test", "*.example.test"),
        "private address 127.0.0.1",
    ),
    Hop(
        "to-file", "CWE-73", "redirect to another scheme", "file:///etc/passwd", SHOP, "only http",
    ),
    Hop(
        "same-origin", "-", "an ordinary redirect inside the shop", "/p", SHOP, None,
    ),
]  # fmt: skip


@pytest.mark.parametrize("row", HOPS, ids=lambda row: f"{row.cwe}-{row.id}")
def test_a_redirect_hop_goes_through_the_gate_and_a_refusal_names_page_and_hop(
    shop_and_internal, row: Hop
):
    shop, internal = shop_and_internal
    shop.locations["x"] = row.location.format(shop=shop.server_port, internal=internal.server_port)
    page = f"http://shop.example.test:{shop.server_port}/go?to=x&code={row.code}"
    with client(row.allow) as c:
        if row.refused is None:
            assert json.loads(c.get(page).body)["path"] == "/p"
        else:
            with pytest.raises(FetchError) as info:
                c.get(page)
            assert row.refused in info.value.reason
            assert info.value.url == page  # the configured page
            assert info.value.reason.startswith(f"redirect from {page} to ")  # and the hop
    assert internal.log == []


def test_credentials_and_custom_headers_never_cross_to_another_port(shop_and_internal, monkeypatch):
    """issue 12: ``Authorization`` followed a redirect to another port (CWE-200)."""
    shop, internal = shop_and_internal
    monkeypatch.setenv("GATE_TOKEN", "tok-gate-7781")
    shop.locations["x"] = f"http://127.0.0.1:{internal.server_port}/landing"
    page = f"http://127.0.0.1:{shop.server_port}/go?to=x"
    headers = {"Authorization": "Bearer ${GATE_TOKEN}", "X-Api-Key": "${GATE_TOKEN}"}
    with client(["127.0.0.1"]) as c:
        c.get(page, headers=headers)
    assert shop.log[0]["authorization"] == "Bearer tok-gate-7781"
    assert internal.log[0]["path"] == "/landing"
    assert internal.log[0]["authorization"] is None and internal.log[0]["x-api-key"] is None


def test_a_same_origin_redirect_keeps_the_headers(shop_and_internal):
    shop, _ = shop_and_internal
    shop.locations["x"] = "/landing"
    with client(["127.0.0.1"]) as c:
        c.get(f"http://127.0.0.1:{shop.server_port}/go?to=x", headers={"X-Api-Key": "k-123456"})
    assert [entry["x-api-key"] for entry in shop.log] == ["k-123456", "k-123456"]


def test_a_307_never_resends_a_body_to_another_origin(shop_and_internal):
    shop, internal = shop_and_internal
    shop.locations["x"] = f"http://127.0.0.1:{internal.server_port}/landing"
    page = f"http://127.0.0.1:{shop.server_port}/go?to=x&code=307"
    with client(["127.0.0.1"]) as c, pytest.raises(FetchError) as info:
        c.request("POST", page, json={"question": "secret plans"})
    assert "would resend the body" in info.value.reason
    assert internal.log == []


def test_dns_rebinding_cannot_move_the_connection(shop_and_internal):
    """The DNS answer that was checked is the one connected to; DNS is not asked again.

    The rebinding DNS answers 127.0.0.1 (where the shop listens) once, then 127.0.0.2
    (where nothing listens). The fetch reaches the shop with one question to DNS, so
    the connection went to the checked address; the next request of the run keeps the
    run's answer (a per-run DNS cache, tryout 12) and reaches the shop again.
    """
    shop, _ = shop_and_internal
    dns = Dns(answers=[["127.0.0.1"], ["127.0.0.2"]])
    url = f"http://shop.example.test:{shop.server_port}/p"
    with client(["shop.example.test"], dns) as c:
        assert json.loads(c.get(url).body)["server"] == "shop"
        assert len(dns.calls) == 1
        assert json.loads(c.get(url).body)["server"] == "shop"  # pinned for the run
    assert len(dns.calls) == 1 and len(shop.log) == 2


def test_dns_rebinding_to_a_private_address_is_refused_for_a_wildcard(shop_and_internal):
    shop, _ = shop_and_internal
    dns = Dns(answers=[["8.8.8.8", "127.0.0.1"]])  # a public address beside a private one
    with client(["*.example.test"], dns) as c, pytest.raises(FetchError) as info:
        c.get(f"http://m.example.test:{shop.server_port}/p")
    assert "private address 127.0.0.1" in info.value.reason
    assert shop.log == []


def test_a_name_listed_exactly_never_reaches_cloud_metadata(shop_and_internal):
    dns = Dns(answers=[["169.254.169.254"]])
    with client(["shop.example.test"], dns) as c, pytest.raises(FetchError) as info:
        c.get("http://shop.example.test/latest/meta-data/")
    assert "link-local address 169.254.169.254" in info.value.reason


# -- the property: the host checked is the host connected to ---------------------------

PIECES_LIST = (
    "@",
    "\\",
    "/",
    "?",
    "#",
    "%2e",
    "%40",
    ":",
    ".",
    "\t",
    "[",
    "]",
    "..",
    "%",
    " ",
    "ｓ",
)
PIECES = st.sampled_from(PIECES_LIST)
HOSTS = st.sampled_from(
    ["shop.example.test", "SHOP.example.test.", "m.example.test", "127.0.0.1", "localhost",
     "127.1", "0x7f.0.0.1", "[::1]", "[::ffff:127.0.0.1]", "evil.test", "example.test"]
)  # fmt: skip


def _mostly(usual: str, *others: str):
    """``usual`` three times in four, else one of ``others``: valid URLs stay common."""
    return st.sampled_from([usual] * 3 * len(others) + list(others))


@st.composite
def hostile_urls(draw, ports: tuple[int, int]) -> str:
    scheme = draw(_mostly("http", "HTTP", "hTTp", "https", "ftp", "javascript"))
    sep = draw(_mostly("://", ":/", ":\\\\", ":///", "://\\", ":"))
    user = draw(_mostly("", "u@", "u:p@", "shop.example.test@", f"127.0.0.1:{ports[1]}@"))
    host = draw(HOSTS)
    port = draw(st.sampled_from([f":{ports[0]}", f":{ports[1]}", f":{ports[0]}", ""]))
    junk = draw(_mostly("", *PIECES_LIST)) + draw(st.lists(PIECES, max_size=2).map("".join))
    tail = draw(_mostly("", "shop.example.test", f"127.0.0.1:{ports[1]}"))
    path = draw(st.sampled_from(["/", "/p", "/../secret", ""]))
    return scheme + sep + user + host + port + junk + tail + path


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_the_checked_host_is_always_the_connected_host(servers, data):
    shop, internal = servers
    url = data.draw(hostile_urls((shop.server_port, internal.server_port)))
    for server in servers:
        server.log.clear()
    dns = Dns()
    allow = ["shop.example.test", "*.example.test", f"127.0.0.1:{shop.server_port}", "[::1]"]
    try:
        target = parse_target(url)
    except UrlRefused:
        target = None
    # refused or unreachable is fine: what matters is where requests went
    with client(allow, dns, allow_private=True) as c, contextlib.suppress(FetchError):
        c.get(url)
    arrived = [(server, entry) for server in servers for entry in server.log]
    if target is None:
        assert arrived == [], url
        return
    # urllib3 (what requests sends with) reads the rebuilt URL exactly as the gate did
    assert parse_url(target.url).host.strip("[]") == target.host
    for server, entry in arrived:
        assert server.server_port == target.port, url
        assert entry["host"].rsplit(":", 1)[0].strip("[]").lower() == target.host, url
    if not target.ip:
        assert all(call == (target.host, target.port) for call in dns.calls), url


# -- the same bypass through each fetcher ------------------------------------------------


BYPASS = "http://127.0.0.1:{internal}\\@shop.example.test/../secret"


def test_the_bypass_in_a_page_url_is_a_failure_and_reaches_nothing(shop_and_internal, tmp_path):
    """issue 12: the bypass worked in a page URL; the internal response landed in evidence."""
    from consistency.inputs.config import SourceConfig
    from consistency.model import Location, SourceFailure
    from consistency.sources.evidence import EvidenceStore
    from consistency.sources.web import fetch_web

    shop, internal = shop_and_internal
    url = BYPASS.format(internal=internal.server_port)
    options = {"pages": [{"url": url, "product": "fiber-500"}]}
    src = SourceConfig("web", fetch="web", options=options, where=Location("c.yaml", 3, 5))
    with client(["shop.example.test"]) as c:
        [failure] = fetch_web(src, c, None, EvidenceStore(tmp_path))
    assert isinstance(failure, SourceFailure)
    assert "backslash" in failure.reason
    assert internal.log == [] and list(tmp_path.iterdir()) == []


def test_the_bypass_in_a_chat_url_is_a_failure_and_reaches_nothing(shop_and_internal, tmp_path):
    from consistency.inputs.config import SourceConfig
    from consistency.model import Location, SourceFailure
    from consistency.sources.chat import fetch_chat
    from consistency.sources.evidence import EvidenceStore

    shop, internal = shop_and_internal
    url = BYPASS.format(internal=internal.server_port)
    options = {"url": url, "allow_hosts": ["shop.example.test"], "body": {"q": "{{ question }}"}}
    src = SourceConfig("chat", fetch="http-chat", options=options, where=Location("c.yaml", 3, 5))
    with client(["shop.example.test"]) as c:
        [failure] = fetch_chat(src, evidence_store=EvidenceStore(tmp_path),
                               questions=[("a", "q?")], client=c)  # fmt: skip
    assert isinstance(failure, SourceFailure) and "backslash" in failure.reason
    assert internal.log == [] and list(tmp_path.iterdir()) == []


def test_the_bypass_without_an_injected_resolver_is_refused_too(shop_and_internal):
    """The system's DNS, no test resolver: the URL is refused before any lookup."""
    _, internal = shop_and_internal
    with HttpClient(["shop.example.test"], retries=0) as c, pytest.raises(FetchError) as info:
        c.get(BYPASS.format(internal=internal.server_port))
    assert "backslash" in info.value.reason and internal.log == []


@pytest.mark.parametrize(
    "entry", ["https://shop.example.test", "shop.example.test/fiber", "u@shop.example.test", "*."]
)
def test_an_allow_hosts_entry_the_gate_cannot_read_is_a_config_error(entry, tmp_path):
    from consistency.errors import InputError
    from consistency.inputs.config import load_config

    config = tmp_path / "consistency.yaml"
    config.write_text(
        "price_list: prices.yaml\n"
        "sources:\n"
        "  - channel: web\n"
        "    fetch: web\n"
        f'    allow_hosts: [shop.example.test, "{entry}"]\n'
        "    pages: [{url: 'https://shop.example.test/p', product: x}]\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_config(config)
    [error] = info.value.errors
    assert (error.line, error.path) == (5, "sources[0].allow_hosts[1]")
    assert "is not a host entry" in error.message


@pytest.mark.parametrize(
    ("key", "url", "reason"),
    [
        ("page", "http://127.0.0.1:8080\\\\@shop.example.test/../secret", "backslash"),
        ("page", "http://admin:pw@shop.example.test/", "user information"),
        ("chat", "http://shop.example.test@127.0.0.1:8080/", "user information"),
        ("chat", "http://127.1/bot", "short or non-decimal IPv4"),
    ],
)
def test_a_url_the_gate_refuses_is_a_config_error_at_its_line(key, url, reason, tmp_path):
    """CWE-918: found when the config loads, not first at fetch time."""
    from consistency.errors import InputError
    from consistency.inputs.config import load_config

    source = (
        f'    fetch: web\n    pages:\n      - {{url: "{url}", product: x}}\n'
        if key == "page"
        else f'    fetch: http-chat\n    url: "{url}"\n'
    )
    config = tmp_path / "consistency.yaml"
    config.write_text(
        "price_list: prices.yaml\nsources:\n  - channel: web\n" + source, encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        load_config(config)
    [error] = info.value.errors
    assert error.line == (6 if key == "page" else 5)
    assert error.path == ("sources[0].pages[0].url" if key == "page" else "sources[0].url")
    assert reason in error.message


def test_a_redirect_to_a_raw_utf8_hebrew_path_is_followed(shop_and_internal):
    """Israeli shops send Location: /מחיר as raw UTF-8; http.client reads it as Latin-1."""
    shop, _ = shop_and_internal
    shop.locations["x"] = "/מחיר".encode().decode("latin-1")  # what the server's bytes become
    with client(["shop.example.test"]) as c:
        response = c.get(f"http://shop.example.test:{shop.server_port}/go?to=x")
    assert json.loads(response.body)["path"] == "/%D7%9E%D7%97%D7%99%D7%A8"
