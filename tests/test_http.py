"""The shared HTTP client against real servers on loopback: allowlist, retries, caps, secrets."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
from werkzeug import Response as WResponse

from consistency.sources.http import (
    FetchError,
    HttpClient,
    host_allowed,
    is_private_address,
    retry_after_seconds,
)


def make_client(*hosts: str, **kw) -> HttpClient:
    kw = {"timeout": (1, 0.5), "retries": 2, "backoff": 0.01} | kw
    return HttpClient(hosts or ("localhost",), **kw)


class SlowHandler(BaseHTTPRequestHandler):
    """``/sleep?s=1.5`` answers late; ``/stall`` sends half a body then waits;
    ``/flood?n=..`` streams n bytes without a length; every path counts concurrency."""

    protocol_version = "HTTP/1.0"

    def do_GET(self):  # noqa: N802 (http.server's name)
        server = self.server
        with server.lock:
            server.active += 1
            server.peak = max(server.peak, server.active)
        try:
            self.answer()
        finally:
            with server.lock:
                server.active -= 1

    def answer(self):
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == "/sleep":
            time.sleep(float(query.get("s", "0")))
            self.reply(b"late but here")
        elif parts.path == "/stall":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"x" * 10)
            self.wfile.flush()
            time.sleep(1.5)
        elif parts.path == "/flood":
            self.send_response(200)
            self.end_headers()
            block = b"y" * 65536
            for _ in range(int(query["n"]) // len(block)):
                self.wfile.write(block)

    def reply(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def slow_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), SlowHandler)
    server.daemon_threads = True
    server.lock, server.active, server.peak = threading.Lock(), 0, 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def slow_url(server, path: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}{path}"


# -- plain requests and the allowlist ------------------------------------------------


def test_get_returns_body_final_url_and_declared_charset(httpserver):
    body = "<p>מחיר ₪99.90</p>".encode("windows-1255")
    httpserver.expect_request("/p").respond_with_data(
        body, content_type="text/html; charset=windows-1255"
    )
    with make_client() as client:
        response = client.get(httpserver.url_for("/p"))
    assert (response.status, response.url, response.body) == (200, httpserver.url_for("/p"), body)
    assert response.text == "<p>מחיר ₪99.90</p>"
    assert response.elapsed > 0


def test_sends_its_user_agent(httpserver):
    httpserver.expect_request("/ua").respond_with_data("ok")
    with make_client() as client:
        client.get(httpserver.url_for("/ua"))
    request, _ = httpserver.log[0]
    assert request.headers["User-Agent"].startswith("consistency/")


def test_host_not_allowed_is_refused_before_sending(httpserver):
    httpserver.expect_request("/p").respond_with_data("never")
    with make_client("shop.example.co.il") as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/p"))
    assert "host 'localhost' is not in allow_hosts" in info.value.reason
    assert httpserver.log == []


def test_redirect_to_a_host_not_allowed_is_refused(httpserver):
    elsewhere = httpserver.url_for("/b").replace("localhost", "127.0.0.1")
    httpserver.expect_request("/a").respond_with_data("", 302, {"Location": elsewhere})
    httpserver.expect_request("/b").respond_with_data("should not be fetched")
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/a"))
    assert "'127.0.0.1' is not in allow_hosts" in info.value.reason
    assert [req.path for req, _ in httpserver.log] == ["/a"]


def test_allowed_redirects_are_followed_and_recorded(httpserver):
    httpserver.expect_request("/a").respond_with_data("", 301, {"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("here")
    with make_client() as client:
        response = client.get(httpserver.url_for("/a"))
    assert response.url == httpserver.url_for("/b")
    assert response.history == (httpserver.url_for("/a"),)
    assert response.text == "here"


def test_post_redirected_with_303_becomes_a_get(httpserver):
    httpserver.expect_request("/ask", method="POST").respond_with_data(
        "", 303, {"Location": "/answer"}
    )
    httpserver.expect_request("/answer", method="GET").respond_with_json({"text": "שלום"})
    with make_client() as client:
        response = client.request("POST", httpserver.url_for("/ask"), json={"q": "?"})
    assert response.json() == {"text": "שלום"}


def test_a_redirect_loop_stops_after_five_hops(httpserver):
    httpserver.expect_request("/loop").respond_with_data("", 302, {"Location": "/loop"})
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/loop"))
    assert info.value.reason == "more than 5 redirects"
    assert len(httpserver.log) == 6


def test_a_wildcard_entry_does_not_reach_a_private_address(httpserver):
    httpserver.expect_request("/p").respond_with_data("internal")
    url = f"http://m.shop.example.test:{httpserver.port}/p"
    to_loopback = lambda host, port: ["127.0.0.1"]  # noqa: E731 (a DNS answer we choose)
    client = make_client("*.shop.example.test", resolver=to_loopback)
    with client, pytest.raises(FetchError) as info:
        client.get(url)
    assert "resolves to the private address 127.0.0.1" in info.value.reason
    assert httpserver.log == []
    with make_client("*.shop.example.test", allow_private=True, resolver=to_loopback) as client:
        assert client.get(url).text == "internal"


def test_a_wildcard_entry_never_matches_an_ip_address(httpserver):
    httpserver.expect_request("/p").respond_with_data("internal")
    url = httpserver.url_for("/p").replace("localhost", "127.0.0.1")
    with make_client("*.0.0.1", allow_private=True) as client, pytest.raises(FetchError) as info:
        client.get(url)
    assert info.value.reason == "host '127.0.0.1' is not in allow_hosts"
    assert httpserver.log == []


# -- retries --------------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out_then_succeeds(httpserver):
    httpserver.expect_ordered_request("/r").respond_with_data(
        "slow down", 429, {"Retry-After": "1"}
    )
    httpserver.expect_ordered_request("/r").respond_with_data("ok")
    started = time.monotonic()
    with make_client() as client:
        response = client.get(httpserver.url_for("/r"))
    assert response.text == "ok"
    assert time.monotonic() - started >= 0.95
    assert len(httpserver.log) == 2


def test_500_then_success(httpserver):
    httpserver.expect_ordered_request("/r").respond_with_data("oops", 500)
    httpserver.expect_ordered_request("/r").respond_with_data("ok")
    with make_client() as client:
        assert client.get(httpserver.url_for("/r")).text == "ok"


def test_500_forever_fails_with_the_status_and_attempts(httpserver):
    httpserver.expect_request("/r").respond_with_data("database down", 500)
    with make_client(retries=2) as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/r"))
    assert info.value.status == 500
    assert info.value.reason == "HTTP 500 Internal Server Error (after 3 attempts)"
    assert "database down" not in str(info.value)  # a failed hop's body is never quoted
    assert len(httpserver.log) == 3


def test_404_is_not_retried(httpserver):
    httpserver.expect_request("/gone").respond_with_data("no such page", 404)
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/gone"))
    assert (info.value.status, len(httpserver.log)) == (404, 1)


def test_a_read_timeout_is_retried_then_reported(slow_server):
    url = slow_url(slow_server, "/sleep?s=1.2")
    client = make_client("127.0.0.1", timeout=(1, 0.3), retries=1)
    with client, pytest.raises(FetchError) as info:
        client.get(url)
    assert info.value.reason == "no response within 0.3 s (after 2 attempts)"


def test_a_body_that_stalls_is_a_timeout(slow_server):
    client = make_client("127.0.0.1", timeout=(1, 0.3), retries=0)
    with client, pytest.raises(FetchError) as info:
        client.get(slow_url(slow_server, "/stall"))
    assert info.value.reason == "body not received within 0.3 s (after 1 attempt)"


def test_connection_refused_is_reported_after_retries():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with make_client("127.0.0.1") as client, pytest.raises(FetchError) as info:
        client.get(f"http://127.0.0.1:{port}/")
    assert info.value.reason.startswith("connection failed: [Errno 111] Connection refused")
    assert info.value.reason.endswith("(after 3 attempts)")


# -- size cap -------------------------------------------------------------------------


def test_a_declared_length_over_the_cap_is_refused(httpserver):
    httpserver.expect_request("/big").respond_with_data(b"z" * 2000)
    with make_client(max_bytes=1000) as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/big"))
    assert info.value.reason == "response of 2,000 bytes is over the 1,000-byte limit (max_bytes)"


def test_a_streamed_body_over_the_cap_is_cut(slow_server):
    url = slow_url(slow_server, f"/flood?n={4 * 65536}")
    with make_client("127.0.0.1", max_bytes=100_000) as client, pytest.raises(FetchError) as info:
        client.get(url)
    assert info.value.reason == "response is over the 100,000-byte limit (max_bytes)"


# -- secrets --------------------------------------------------------------------------


def echo_headers(request):
    auth = request.headers.get("Authorization", "")
    return WResponse(f"denied for {auth} key={request.args.get('key')}", status=401)


def test_secrets_reach_the_server_but_never_the_error(httpserver, monkeypatch):
    monkeypatch.setenv("CHAT_TOKEN", "tok-SECRET-4242")
    monkeypatch.setenv("API_KEY", "k3y/with:chars")
    httpserver.expect_request("/chat").respond_with_handler(echo_headers)
    url = httpserver.url_for("/chat") + "?key=${API_KEY}"
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(url, headers={"Authorization": "Bearer ${CHAT_TOKEN}"})
    request, _ = httpserver.log[0]
    assert request.headers["Authorization"] == "Bearer tok-SECRET-4242"
    assert request.args["key"] == "k3y/with:chars"
    message = str(info.value)
    assert "tok-SECRET-4242" not in message and "k3y" not in message
    assert "denied for" not in message  # the body a failed hop served is not kept
    assert message.endswith("?key=***: HTTP 401 Unauthorized")


def test_a_missing_variable_is_named_and_nothing_is_sent(httpserver, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    httpserver.expect_request("/chat").respond_with_data("ok")
    with make_client() as client, pytest.raises(FetchError) as info:
        client.get(httpserver.url_for("/chat"), headers={"X-Token": "${NO_SUCH_TOKEN}"})
    assert (
        info.value.reason
        == "environment variable NO_SUCH_TOKEN is not set (used as ${NO_SUCH_TOKEN})"
    )
    assert httpserver.log == []


# -- concurrency ----------------------------------------------------------------------


def test_map_streams_results_and_keeps_to_the_per_host_limit(slow_server):
    urls = [slow_url(slow_server, f"/sleep?s=0.1&i={i}") for i in range(8)]
    with make_client("127.0.0.1", per_host=2, total=4) as client:
        bodies = list(client.map(lambda url: client.get(url).text, urls))
    assert bodies == ["late but here"] * 8
    assert slow_server.peak == 2


def test_map_lets_an_error_from_the_function_through(slow_server):
    def explode(item):
        raise ValueError(f"bad item {item}")

    with make_client("127.0.0.1") as client, pytest.raises(ValueError, match="bad item"):
        list(client.map(explode, range(3)))


# -- pure helpers, table-driven -------------------------------------------------------


@dataclass(frozen=True)
class HostCase:
    id: str
    url: str
    allow: tuple[str, ...]
    allowed: bool


HOST_CASES = [
    HostCase("exact", "https://shop.example.co.il/p", ("shop.example.co.il",), True),
    HostCase("case-and-dot", "https://SHOP.example.co.il./p", ("shop.example.co.il",), True),
    HostCase("other-host", "https://evil.example/p", ("shop.example.co.il",), False),
    HostCase("suffix-trick", "https://shop.example.co.il.evil.io/", ("shop.example.co.il",), False),
    HostCase("port-match", "http://127.0.0.1:8080/", ("127.0.0.1:8080",), True),
    HostCase("port-mismatch", "http://127.0.0.1:8081/", ("127.0.0.1:8080",), False),
    HostCase("default-port", "https://a.co.il/", ("a.co.il:443",), True),
    HostCase("wildcard-sub", "https://m.shop.co.il/", ("*.shop.co.il",), True),
    HostCase("wildcard-not-apex", "https://shop.co.il/", ("*.shop.co.il",), False),
    HostCase("ipv6", "http://[::1]:9000/", ("[::1]:9000",), True),
    HostCase("empty-list", "https://a.co.il/", (), False),
]


@pytest.mark.parametrize("case", HOST_CASES, ids=lambda c: c.id)
def test_host_allowed(case: HostCase):
    assert host_allowed(case.url, case.allow) is case.allowed


@dataclass(frozen=True)
class RetryAfterCase:
    id: str
    header: str | None
    seconds: float | None


NOW = datetime(2026, 11, 21, 8, 0, 0, tzinfo=UTC)
RETRY_AFTER_CASES = [
    RetryAfterCase("seconds", "7", 7.0),
    RetryAfterCase("capped", "86400", 30.0),
    RetryAfterCase("http-date", "Sat, 21 Nov 2026 08:00:12 GMT", 12.0),
    RetryAfterCase("date-in-past", "Sat, 21 Nov 2026 07:00:00 GMT", 0.0),
    RetryAfterCase("absent", None, None),
    RetryAfterCase("garbage", "tomorrow", None),
]


@pytest.mark.parametrize("case", RETRY_AFTER_CASES, ids=lambda c: c.id)
def test_retry_after(case: RetryAfterCase):
    assert retry_after_seconds(case.header, NOW) == case.seconds


@dataclass(frozen=True)
class AddressCase:
    id: str
    host: str
    private: bool


ADDRESS_CASES = [
    AddressCase("loopback", "127.0.0.1", True),
    AddressCase("rfc1918", "192.168.1.20", True),
    AddressCase("link-local-metadata", "169.254.169.254", True),
    AddressCase("ipv6-loopback", "::1", True),
    AddressCase("ipv6-unique-local", "fd00::1", True),
    AddressCase("public", "1.1.1.1", False),
    AddressCase("localhost-name", "localhost", True),
]


@pytest.mark.parametrize("case", ADDRESS_CASES, ids=lambda c: c.id)
def test_private_addresses(case: AddressCase):
    assert is_private_address(case.host) is case.private
