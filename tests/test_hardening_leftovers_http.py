"""Issue 12 leftovers on the HTTP side (tryout 12, F6; DNS cache; cookies).

Real servers on loopback play every part: ``shop`` records every request's
headers and serves a product page; ``other`` listens on another port and must
never see what belongs to the shop. Each row names its class (CWE) and origin.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from consistency.errors import InputError
from consistency.inputs.config import SourceConfig, load_config
from consistency.model import Location, Observation, SourceFailure
from consistency.sources.evidence import EvidenceStore
from consistency.sources.http import HttpClient
from consistency.sources.web import fetch_web

TZ = ZoneInfo("Asia/Jerusalem")
TOKEN = "web-tok/7734+key"


class Recorder(BaseHTTPRequestHandler):
    """Logs each request's path and headers. ``/go?to=URL&code=N`` redirects; ``/login``
    sets a cookie; ``/echo`` writes the request's headers into the page; anything else is a
    product page at ₪99.90."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):  # noqa: N802 (http.server's name)
        self.server.log.append(
            {"path": self.path, **{k.lower(): v for k, v in self.headers.items()}}
        )
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        extra = [("Set-Cookie", value) for value in self.cookies(parts.path, query)]
        if parts.path == "/go":
            self.send_response(int(query.get("code", "302")))
            self.send_header("Location", query["to"])
            for name, value in extra:
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        shown = json.dumps(dict(self.headers.items())) if parts.path == "/echo" else ""
        data = {"@type": "Product", "name": "Fiber", "offers": {"price": "99.90"}}
        body = (
            f'<html><head><script type="application/ld+json">{json.dumps(data)}</script>'
            f"</head><body><p>{shown}</p></body></html>"
        ).encode()
        self.send_response(200)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    @staticmethod
    def cookies(path: str, query: dict) -> list[str]:
        """``sid=`` (with ``domain=``) sets a session cookie; ``many=N`` sets N cookies,
        ``big=N`` one of N bytes; ``/logout`` deletes the session cookie."""
        if path == "/logout":
            return ["sid=; Max-Age=0; Path=/"]
        found = []
        if "sid" in query:
            domain = f"; Domain={query['domain']}" if "domain" in query else ""
            found.append(f"sid={query['sid']}; Path=/; HttpOnly{domain}")
        found += [f"c{i}=v{i}; Path=/" for i in range(int(query.get("many", 0)))]
        if "big" in query:
            found.append(f"big={'x' * int(query['big'])}; Path=/")
        return found

    def log_message(self, *args):
        pass


class Server(ThreadingHTTPServer):
    request_queue_size = 64  # many requests at once (socketserver's default backlog is 5)


def start() -> ThreadingHTTPServer:
    server = Server(("127.0.0.1", 0), Recorder)
    server.daemon_threads = True
    server.log = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def servers():
    shop, other = start(), start()
    yield shop, other
    for server in (shop, other):
        server.shutdown()
        server.server_close()


@pytest.fixture
def shop_and_other(servers):
    for server in servers:
        server.log.clear()
    return servers


def url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_port}{path}"


def web_source(pages: list[str], headers: dict | None = None) -> SourceConfig:
    options = {"pages": [{"url": p, "product": "fiber-500"} for p in pages]}
    if headers is not None:
        options["headers"] = headers
    return SourceConfig("web", fetch="web", options=options, where=Location("c.yaml", 4, 5))


def client(**kw) -> HttpClient:
    return HttpClient(["127.0.0.1"], timeout=(1, 2), retries=0, backoff=0.01, **kw)


# --- F6: headers on a web source are sent (they were accepted and silently dropped) --------


def test_web_headers_are_sent_with_every_page(shop_and_other, monkeypatch, tmp_path):
    """tryout 12 F6 sec/consistency.yaml: the server log showed no Authorization header."""
    shop, _ = shop_and_other
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    headers = {"Authorization": "Bearer ${SHOP_TOKEN}", "X-Shop-Region": "il"}
    src = web_source([url(shop, "/a"), url(shop, "/b")], headers)
    with client() as c:
        results = list(fetch_web(src, c, TZ, EvidenceStore(tmp_path)))
    assert all(isinstance(r, Observation) and r.amount is not None for r in results)
    assert sorted(entry["path"] for entry in shop.log) == ["/a", "/b"]
    for entry in shop.log:
        assert entry["authorization"] == f"Bearer {TOKEN}"
        assert entry["x-shop-region"] == "il"


@dataclass(frozen=True)
class Hop:
    id: str
    cwe: str
    origin: str
    code: int


HOPS = [
    Hop("302-other-port", "CWE-200 exposure of sensitive information",
        "issue 12: Authorization followed a redirect to another port", 302),
    Hop("307-other-port", "CWE-200 exposure of sensitive information", "a GET kept by 307", 307),
    Hop("301-other-port", "CWE-522 insufficiently protected credentials", "a moved page", 301),
]  # fmt: skip


@pytest.mark.parametrize("hop", HOPS, ids=lambda h: h.id)
def test_web_headers_never_follow_a_redirect_to_another_origin(shop_and_other, monkeypatch, hop):
    shop, other = shop_and_other
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    page = url(shop, f"/go?code={hop.code}&to=" + url(other, "/landing"))
    src = web_source([page], {"Authorization": "Bearer ${SHOP_TOKEN}", "X-Custom": "c-1"})
    with client() as c:
        [result] = fetch_web(src, c, TZ)
    assert isinstance(result, Observation), result
    assert shop.log[0]["authorization"] == f"Bearer {TOKEN}", hop.cwe  # sent to its origin
    [landed] = other.log
    assert "authorization" not in landed and "x-custom" not in landed, hop.cwe


def test_a_page_that_echoes_a_web_header_keeps_it_out_of_evidence(
    shop_and_other, monkeypatch, tmp_path
):
    """CWE-200: the header's secret comes back in the page; evidence and observation lack it."""
    shop, _ = shop_and_other
    monkeypatch.setenv("SHOP_TOKEN", TOKEN)
    src = web_source([url(shop, "/echo")], {"X-Api-Key": "${SHOP_TOKEN}"})
    with client() as c:
        [obs] = fetch_web(src, c, TZ, EvidenceStore(tmp_path))
    assert TOKEN in json.dumps(shop.log)  # it was sent ...
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert TOKEN not in evidence and TOKEN not in repr(obs)  # ... and kept nowhere
    assert "***" in evidence


def test_a_web_header_naming_an_unset_variable_fails_that_source_only(shop_and_other):
    shop, _ = shop_and_other
    src = web_source([url(shop, "/a")], {"Authorization": "Bearer ${NO_SUCH_VARIABLE_12}"})
    with client() as c:
        [failure] = fetch_web(src, c, TZ)
    assert isinstance(failure, SourceFailure)
    assert "NO_SUCH_VARIABLE_12" in failure.reason
    assert shop.log == []  # nothing was sent without it


def test_a_bad_web_header_is_a_config_error_at_its_line(tmp_path):
    """CWE-113: a line break in a web header is refused when the config loads."""
    (tmp_path / "prices.yaml").write_text(
        'version: "x"\ncurrency: ILS\nproducts:\n  - {id: p, name: p, price: 1}\n', "utf-8"
    )
    config = tmp_path / "consistency.yaml"
    config.write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n"
        "  - channel: web\n    fetch: web\n    allow_hosts: [shop.example.test]\n"
        "    pages: [{url: 'https://shop.example.test/p', product: p}]\n"
        '    headers: {X-Evil: "a\\r\\nX-Injected: 1"}\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load_config(config)
    [error] = caught.value.errors
    assert error.line == 8 and "X-Evil" in str(error)


# --- F6: a chat template's error is at its own line and column, with its path ---------------

CHAT_CONFIG = """\
timezone: Asia/Jerusalem
price_list: prices.yaml
sources:
  - channel: web
    files: [x.jsonl]
  - channel: chat
    fetch: http-chat
    url: "http://127.0.0.1:9/chat"
    ask: [q1]
    headers:
      X-Q: "{{ 'a'|center(10**9) }}"
    params:
      p: "{{ 9**(9**9) }}"
    body:
      items:
        - "{{ question }}"
        - "{{ range(10**9)|list }}"
      multi: |
        line one {{ question }}
        {{ '{a}'.format_map({}) }}
"""


@dataclass(frozen=True)
class Where:
    path: str
    line: int
    col: int
    message: str
    cls: str
    origin: str


CHAT_ROWS = [
    Where("sources[1].headers.X-Q", 11, 12, "|center: 1000000000 is over",
          "CWE-770 allocation without limits", "tryout 12 F6: was c1.yaml:7:5 sources.body.text"),
    Where("sources[1].params.p", 13, 10, "bits; the limit is 128",
          "CWE-400 uncontrolled resource consumption", "a query parameter template"),
    Where("sources[1].body.items[1]", 17, 11, "range() of 1000000000 numbers",
          "CWE-770 allocation without limits", "a list item in the body: the index is named"),
    Where("sources[1].body.multi", 20, 9, "(line 2 of the template): KeyError",
          "CWE-134 externally-controlled format string",
          "a block scalar: the file line of the template's line 2"),
]  # fmt: skip


@pytest.fixture(scope="module")
def chat_config_errors(tmp_path_factory):
    folder = tmp_path_factory.mktemp("chat")
    (folder / "prices.yaml").write_text(
        'version: "x"\ncurrency: ILS\nproducts:\n  - {id: p, name: p, price: 1}\n', "utf-8"
    )
    (folder / "x.jsonl").write_text("", "utf-8")
    (folder / "consistency.yaml").write_text(CHAT_CONFIG, "utf-8")
    from consistency.sources.chat import parse_options

    config = load_config(folder / "consistency.yaml")
    with pytest.raises(InputError) as caught:
        parse_options(config.sources[1])
    return {error.path: error for error in caught.value.errors}


@pytest.mark.parametrize("row", CHAT_ROWS, ids=lambda r: r.path)
def test_a_chat_template_error_names_its_own_line_column_and_path(chat_config_errors, row):
    error = chat_config_errors[row.path]
    assert (Path(error.file).name, error.line, error.col) == ("consistency.yaml", row.line, row.col)
    assert row.message in error.message, row.cls


# --- F6: a Location that URL parsers join to different hosts is refused -------------------

LOCATIONS = [
    Hop("///{other}/secret", "CWE-436 interpretation conflict",
        "tryout 12 F6: fetched /127.0.0.1:18082/secret from the shop; WHATWG: host :18082", 302),
    Hop("http:///{other}/secret", "CWE-436 interpretation conflict", "tryout 12 F6", 302),
    Hop("////{other}/secret", "CWE-436 interpretation conflict", "four slashes", 301),
    Hop("HTTP:///{other}/secret", "CWE-436 interpretation conflict", "upper-case scheme", 307),
    Hop("http:/{other}/secret", "CWE-436 interpretation conflict",
        "one slash: a host to WHATWG from an https page", 302),
    Hop("http:{other}/secret", "CWE-436 interpretation conflict", "no slash", 302),
    Hop(" ///{other}/secret", "CWE-436 interpretation conflict", "a leading space", 302),
]  # fmt: skip


@pytest.mark.parametrize("row", LOCATIONS, ids=lambda r: r.id)
def test_a_location_parsers_join_differently_is_refused(shop_and_other, row):
    from urllib.parse import quote

    from consistency.sources.http import FetchError

    shop, other = shop_and_other
    location = row.id.format(other=f"127.0.0.1:{other.server_port}")
    page = url(shop, f"/go?code={row.code}&to={quote(location, safe='')}")
    with client() as c, pytest.raises(FetchError) as caught:
        c.get(page)
    assert "URL parsers read as different hosts" in caught.value.reason, row.cls
    assert [entry["path"] for entry in shop.log] == [
        urlsplit(page).path + "?" + urlsplit(page).query
    ]
    assert other.log == []


def test_plain_locations_are_still_followed(shop_and_other):
    from urllib.parse import quote

    shop, other = shop_and_other
    for location, server in (("/p", shop), (f"//127.0.0.1:{other.server_port}/p", other)):
        with client() as c:
            response = c.get(url(shop, f"/go?to={quote(location, safe='')}"))
        assert response.url == url(server, "/p")


@pytest.fixture(scope="module")
def hop_servers(servers):
    return servers


def _joined_by_whatwg(base: str, location: str):
    """(host, path) a WHATWG parser (ada, the URL parser of Node.js) joins ``location`` to."""
    from ada_url import URL

    try:
        joined = URL(location, base)
    except ValueError:
        return None
    return joined.host, joined.pathname


def test_every_location_followed_goes_where_whatwg_says(hop_servers):
    """Property (hypothesis): a Location the gate follows reaches the host a WHATWG parser
    joins it to; any other is refused. Real redirects on loopback (CWE-436)."""
    from urllib.parse import quote

    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from consistency.sources.http import FetchError

    shop, other = hop_servers
    hosts = [f"127.0.0.1:{shop.server_port}", f"127.0.0.1:{other.server_port}", ""]
    locations = st.builds(
        lambda scheme, slashes, host, path: f"{scheme}{slashes}{host}{path}",
        st.sampled_from(["", "http:", "HTTP:", "https:", " "]),
        st.sampled_from(["", "/", "//", "///", "////", "/./", "./"]),
        st.sampled_from(hosts),
        st.sampled_from(["/p", "p", "/p/../q", "/a//b", ""]),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(locations)
    def check(location):
        for server in (shop, other):
            server.log.clear()
        page = url(shop, f"/go?to={quote(location, safe='')}")
        with client() as c:
            try:
                response = c.get(page)
            except FetchError:
                return  # refused or failed: nothing to compare
        expected = _joined_by_whatwg(page, location)
        assert expected is not None, location
        # the host is the gate's promise; paths may differ where urljoin drops an empty
        # segment ("a//b" -> "a/b"), which moves no request to another host
        assert urlsplit(response.url).netloc == expected[0], location

    check()


# --- DNS: one answer per name per run, pinned ----------------------------------------------


class CountingDns:
    """A resolver we control: answers in turn (the last one repeats), calls recorded."""

    def __init__(self, *answers: list[str], fail_first: bool = False):
        self.answers, self.calls, self.fail_first = list(answers), [], fail_first
        self.lock = threading.Lock()

    def __call__(self, host: str, port: int) -> list[str]:
        import socket

        with self.lock:
            self.calls.append(host)
            count = len(self.calls)
        if self.fail_first and count == 1:
            raise socket.gaierror(-3, "Temporary failure in name resolution")
        index = min(count - 1 - self.fail_first, len(self.answers) - 1)
        return self.answers[index]


def named(server, path: str) -> str:
    return f"http://shop.example.test:{server.server_port}{path}"


def dns_client(resolver, **kw) -> HttpClient:
    kw = {"timeout": (1, 2), "retries": 0, "backoff": 0.01} | kw
    return HttpClient(["shop.example.test", "*.example.test"], resolver=resolver, **kw)


def test_a_run_asks_dns_once_per_name_even_with_many_requests_at_once(shop_and_other):
    """Each request re-resolved the name (tryout 12); 40 pages over 16 threads ask once."""
    shop, _ = shop_and_other
    dns = CountingDns(["127.0.0.1"])
    with dns_client(dns, total=16) as c:
        done = list(c.map(lambda i: c.get(named(shop, f"/p{i}")).status, range(40)))
    assert done == [200] * 40
    assert dns.calls == ["shop.example.test"]


@dataclass(frozen=True)
class Rebind:
    id: str
    cwe: str
    origin: str
    allow: str


REBINDS = [
    Rebind("exact-name", "CWE-350 reliance on reverse DNS / rebinding",
           "issue 12: DNS rebinding against allowed names", "shop.example.test"),
    Rebind("wildcard", "CWE-350 reliance on reverse DNS / rebinding",
           "issue 12: DNS rebinding against *. entries is untested", "*.example.test"),
]  # fmt: skip


@pytest.mark.parametrize("row", REBINDS, ids=lambda r: r.id)
def test_a_rebinding_answer_never_moves_a_later_request_of_the_run(shop_and_other, row):
    """The second answer (127.0.0.2, nothing listening) is never asked for nor used."""
    shop, _ = shop_and_other
    dns = CountingDns(["127.0.0.1"], ["127.0.0.2"])
    with HttpClient([row.allow], resolver=dns, timeout=(1, 2), retries=0,
                    allow_private=True) as c:  # fmt: skip
        for path in ("/a", "/b", "/c"):
            assert c.get(named(shop, path)).status == 200, row.cwe
    assert len(dns.calls) == 1 and len(shop.log) == 3


def test_a_failed_lookup_is_not_kept(shop_and_other):
    shop, _ = shop_and_other
    dns = CountingDns(["127.0.0.1"], fail_first=True)
    with dns_client(dns, retries=1) as c:
        assert c.get(named(shop, "/p")).status == 200  # the retry asks again
    assert len(dns.calls) == 2


def test_the_sources_of_a_run_share_one_answer(shop_and_other):
    from consistency.sources.http import RUN_DNS
    from consistency.sources.pinned import DnsCache
    from consistency.sources.web import client_for

    shop, _ = shop_and_other
    dns, cache = CountingDns(["127.0.0.1"]), DnsCache()
    for _ in range(2):  # two sources, two clients, one cache
        with dns_client(dns, dns=cache) as c:
            assert c.get(named(shop, "/p")).status == 200
    assert len(dns.calls) == 1
    with client_for(web_source([url(shop, "/p")])) as c:
        assert c.dns is RUN_DNS  # what fetch_web and http-chat make for a source


def test_an_answer_older_than_max_age_is_asked_again(shop_and_other):
    from consistency.sources.pinned import DnsCache

    shop, _ = shop_and_other
    dns = CountingDns(["127.0.0.1"])
    with dns_client(dns, dns=DnsCache(max_age=0)) as c:
        for _ in range(2):
            assert c.get(named(shop, "/p")).status == 200
    assert len(dns.calls) == 2


# --- cookies: kept per run per origin, never sent to another origin --------------------------


def test_a_session_cookie_set_on_one_page_is_sent_with_the_next(shop_and_other):
    """tryout 12: a site that sets a session cookie on the first page lost it on the next."""
    shop, _ = shop_and_other
    with client() as c:
        c.get(url(shop, "/login?sid=s-77"))
        c.get(url(shop, "/next"))
        c.get(url(shop, "/logout"))
        c.get(url(shop, "/after"))
    cookies = {entry["path"].split("?")[0]: entry.get("cookie") for entry in shop.log}
    assert cookies == {"/login": None, "/next": "sid=s-77", "/logout": "sid=s-77", "/after": None}


def test_a_web_source_keeps_its_session_cookie_between_pages(shop_and_other):
    shop, _ = shop_and_other
    src = web_source([url(shop, "/login?sid=s-9"), url(shop, "/next")])
    src = SourceConfig("web", fetch="web", options={**src.options, "concurrency": 1},
                       where=src.where)  # fmt: skip
    with client(total=1, per_host=1) as c:
        results = list(fetch_web(src, c, TZ))
    assert all(isinstance(r, Observation) for r in results)
    assert [entry.get("cookie") for entry in shop.log] == [None, "sid=s-9"]


@dataclass(frozen=True)
class CrossOrigin:
    id: str
    cwe: str
    origin: str
    login: str  # the page that sets the cookie, on the shop ({shop}, {other}: ports)
    then: str  # a request to another origin that must carry no cookie


CROSS = [
    CrossOrigin("other-port", "CWE-200 exposure of sensitive information",
                "cookies ignore ports (RFC 6265 8.5); an origin does not",
                "http://127.0.0.1:{shop}/login?sid=s-1", "http://127.0.0.1:{other}/p"),
    CrossOrigin("domain-attribute", "CWE-565 reliance on cookies without validation",
                "Domain=example.test would reach every subdomain in a browser",
                "http://shop.example.test:{shop}/login?sid=s-1&domain=example.test",
                "http://other.example.test:{shop}/p"),
    CrossOrigin("redirect-sets-cookie", "CWE-200 exposure of sensitive information",
                "a login redirect that sets the cookie and sends us to another port",
                "http://127.0.0.1:{shop}/go?sid=s-1&to=http://127.0.0.1:{other}/landing",
                "http://127.0.0.1:{other}/p"),
]  # fmt: skip


@pytest.mark.parametrize("row", CROSS, ids=lambda r: r.id)
def test_a_cookie_never_goes_to_another_origin(shop_and_other, row):
    shop, other = shop_and_other
    ports = {"shop": shop.server_port, "other": other.server_port}
    dns = CountingDns(["127.0.0.1"])
    allow = ["127.0.0.1", "shop.example.test", "other.example.test"]
    with HttpClient(allow, resolver=dns, timeout=(1, 2), retries=0, allow_private=True) as c:
        c.get(row.login.format(**ports))
        c.get(row.then.format(**ports))
        c.get(urlsplit(row.login.format(**ports))._replace(path="/again", query="").geturl())
    sent = [(e["path"].split("?")[0], e.get("cookie")) for e in shop.log + other.log]
    assert ("/again", "sid=s-1") in sent, row.cwe  # kept for its own origin
    assert all(cookie is None for path, cookie in sent if path in ("/p", "/landing")), row.cwe


def test_a_server_cannot_grow_the_jar_without_bound(shop_and_other):
    """CWE-770: 90 cookies and one of 10,000 bytes a page; at most 50 per origin are kept."""
    from consistency.sources.cookies import MAX_COOKIES

    shop, _ = shop_and_other
    with client() as c:
        c.get(url(shop, "/login?sid=s-0"))  # a session first
        c.get(url(shop, "/flood?many=90&big=10000"))  # then a flood
        c.get(url(shop, "/login?sid=s-2"))  # a full jar still replaces a cookie it holds
        c.get(url(shop, "/next"))
    header = shop.log[-1]["cookie"]
    names = [part.split("=")[0].strip() for part in header.split(";")]
    assert len(names) <= MAX_COOKIES and "big" not in names
    assert "sid=s-2" in header
