"""Fetchers honour HTTP(S)_PROXY and NO_PROXY, with the allow-list still checked on the target
(issue 13 item 6: "a nightly job behind a company proxy cannot fetch").

A real proxy on 127.0.0.1 (http.server answering absolute-form requests) stands in for the
company's. The target's name does not resolve here at all: only the proxy can reach it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from consistency.sources.http import FetchError, HttpClient

TARGET = "http://shop.example.test/fiber-500"


class Proxy(BaseHTTPRequestHandler):
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).seen.append(self.path)  # absolute form: the whole target URL
        body = b"<p>99.90</p>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        return


@pytest.fixture
def proxy(monkeypatch):
    server = ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Proxy.seen = []
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{server.server_port}")
    yield Proxy.seen
    server.shutdown()
    server.server_close()


def test_a_request_goes_through_the_environments_proxy(proxy):
    with HttpClient(["shop.example.test"], retries=0) as client:
        response = client.get(TARGET)
    assert response.status == 200 and b"99.90" in response.body
    assert proxy == [TARGET]


def test_a_host_off_the_allow_list_is_refused_before_the_proxy_sees_it(proxy):
    with (
        HttpClient(["shop.example.test"], retries=0) as client,
        pytest.raises(FetchError) as caught,
    ):
        client.get("http://intranet.example.test/secret")
    assert "not in allow_hosts" in caught.value.reason
    assert proxy == []


def test_no_proxy_sends_the_request_direct(proxy, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "shop.example.test")
    with (
        HttpClient(["shop.example.test"], retries=0) as client,
        pytest.raises(FetchError) as caught,
    ):
        client.get(TARGET)  # direct: the name does not resolve on this machine
    assert "resolve" in caught.value.reason
    assert proxy == []
