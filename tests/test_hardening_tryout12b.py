"""Issue 12, tryout 12b: hostile servers that answer with what is not HTTP, or with two
redirect targets at once.

Real servers on loopback play every part: a raw socket server writes the bytes a row asks
for (no HTTP library on its side, so it can send a bad status line or two ``Location``
headers). Each row names its class (CWE) and where it came from.
"""

from __future__ import annotations

import socketserver
import sqlite3
import subprocess
import sys
import threading
from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit
from zoneinfo import ZoneInfo

import pytest

from consistency.inputs.config import SourceConfig
from consistency.model import Location
from consistency.sources.evidence import EvidenceStore
from consistency.sources.http import FetchError, HttpClient
from consistency.sources.web import fetch_web

PRICES = """\
version: "t"
currency: ILS
products:
  - id: fiber-500
    name: Fiber 500
    price: 99.90
"""


class Raw(socketserver.StreamRequestHandler):
    """Reads one request and answers with raw bytes chosen by its query: ``echopad=N``
    writes N ``P``s and then the request's own ``Authorization`` line, with no status line
    (tryout 12b, F1); ``two=A,B`` answers ``302`` with one ``Location`` header per value;
    ``joined=A,B`` one ``Location`` header holding ``A, B`` (F7); ``echoloc=N`` a refused
    ``///`` Location of N ``P``s and then the request's token; ``setcookie=V`` a page that
    sets cookie V, ``echo`` a page that shows the request's headers (F8); ``bytes=B`` a 302
    whose Location is B's Latin-1 bytes."""

    def handle(self):
        request_line = self.rfile.readline().decode("latin-1")
        headers = []
        while (line := self.rfile.readline()) not in (b"\r\n", b"\n", b""):
            headers.append(line.decode("latin-1").strip())
        self.server.log.append(request_line.split(" ")[1])
        query = {
            k: v[0]
            for k, v in parse_qs(
                urlsplit(request_line.split(" ")[1]).query, encoding="latin-1"
            ).items()
        }
        if "echopad" in query:
            auth = next(h for h in headers if h.lower().startswith("authorization:"))
            self.wfile.write(("P" * int(query["echopad"]) + auth + "\r\n").encode("latin-1"))
        elif "echoloc" in query:  # a Location the URL gate refuses, ending in the token
            auth = next(h for h in headers if h.lower().startswith("authorization:"))
            location = "///" + "P" * int(query["echoloc"]) + auth.split(" ", 2)[-1]
            head = ["HTTP/1.1 302 Found", f"Location: {location}", "Content-Length: 0"]
            self.wfile.write(("\r\n".join([*head, "Connection: close"]) + "\r\n\r\n").encode())
        elif "setcookie" in query or "echo" in query:
            shown = " | ".join(headers).replace("<", "&lt;")
            offer = '{"@type": "Product", "name": "Fiber", "offers": {"price": "99.90"}}'
            script = f'<script type="application/ld+json">{offer}</script>'
            body = f"<html><head>{script}</head><body><p>{shown}</p></body></html>".encode()
            cookie = f"Set-Cookie: {query['setcookie']}\r\n" if "setcookie" in query else ""
            head = f"HTTP/1.1 200 OK\r\n{cookie}Content-Type: text/html; charset=utf-8\r\n"
            head += f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            self.wfile.write(head.encode() + body)
        elif "answer" in query:  # a 200 whose framing or encoding quotes the token
            token = next(h for h in headers if h.lower().startswith("authorization:"))
            token = token.split(" ", 2)[-1].encode("latin-1")
            self.wfile.write(ANSWERS[query["answer"]].replace(b"TOKEN", token))
        elif "bytes" in query:  # a redirect whose Location line is these bytes (latin-1)
            location = query["bytes"].encode("latin-1")
            head = b"HTTP/1.1 302 Found\r\nLocation: " + location + b"\r\nContent-Length: 0"
            self.wfile.write(head + b"\r\nConnection: close\r\n\r\n")
        elif "two" in query or "joined" in query:
            targets = (query.get("two") or query["joined"]).split(",")
            lines = (
                [f"Location: {t}" for t in targets]
                if "two" in query
                else [f"Location: {', '.join(targets)}"]
            )
            head = ["HTTP/1.1 302 Found", *lines, "Content-Length: 0", "Connection: close"]
            self.wfile.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1"))
        else:
            body = b'<p class="price">99.90</p>'
            head = f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {len(body)}"
            self.wfile.write(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)


class RawServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


@pytest.fixture(scope="module")
def raw():
    server = RawServer(("127.0.0.1", 0), Raw)
    server.log = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def base(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


# --- F1: a bad status line that echoes the token (CWE-532, CWE-209) -------------------------


@dataclass(frozen=True)
class Token:
    cwe: str
    value: str
    came_from: str


TOKENS = [
    Token("CWE-532", "abcdEFGH1234567890zz", "tryout 12b F1, c7.yaml (echopad)"),
    Token("CWE-532", "Xy9-secret.value_42", "tryout 12b F1, echo09 page"),
    Token("CWE-209", "zq7part1 part2 part3", "tryout 12b F1: part1 part2 part3, with spaces"),
    Token("CWE-209", 'ghp_AAAA"BBBB', "tryout 12b F1, a token with a quote"),
]
# Paddings that put a cut at ~200 characters before, inside and after the token.
PADDINGS = [0, 100, 150, 159, 165, 170, 175, 180, 185, 190, 199]


@pytest.mark.parametrize("token", TOKENS, ids=lambda t: f"{t.cwe}-{t.came_from}")
def test_a_bad_status_line_never_puts_any_part_of_the_token_in_output(raw, tmp_path, token):
    (tmp_path / "prices.yaml").write_text(PRICES, encoding="utf-8")
    pages = "\n".join(
        f'      - {{url: "{base(raw)}/?echopad={n}", product: fiber-500}}' for n in PADDINGS
    )
    (tmp_path / "c.yaml").write_text(
        "price_list: prices.yaml\nhistory: hist.sqlite\nsources:\n"
        "  - channel: web\n    fetch: web\n    retries: 0\n"
        f'    allow_hosts: ["127.0.0.1:{raw.server_address[1]}"]\n'
        '    headers: {Authorization: "Bearer ${TOK}"}\n'
        f"    pages:\n{pages}\n",
        encoding="utf-8",
    )
    command = [sys.executable, "-m", "consistency", "audit", "--config", "c.yaml"]
    for fmt in ("json", "text", "html"):
        command += ["--format", fmt]
    done = subprocess.run(
        [*command, "--output", "out"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        env={**_env(), "TOK": token.value},
    )
    assert done.returncode == 2, done.stderr[-2000:]
    outputs = {p.name: p.read_bytes() for p in (tmp_path / "out").rglob("*") if p.is_file()}
    assert len(outputs) == 3, sorted(outputs)
    outputs["history"] = (tmp_path / "hist.sqlite").read_bytes()
    outputs["stdout+stderr"] = (done.stdout + done.stderr).encode()
    for name, data in outputs.items():
        for k in range(4, len(token.value) + 1):
            assert token.value[:k].encode() not in data, (name, token.value[:k])
        assert b"PPPP" not in data, name  # no server bytes at all
    messages = sqlite3.connect(tmp_path / "hist.sqlite").execute("SELECT message FROM findings")
    said = [row[0] for row in messages]
    assert len(said) == len(PADDINGS)
    assert all("the server's answer is not HTTP" in m and "\n" not in m for m in said), said


@pytest.mark.parametrize("token", TOKENS, ids=lambda t: f"{t.cwe}-{t.came_from}")
def test_a_refused_location_that_echoes_the_token_never_shows_part_of_it(raw, monkeypatch, token):
    """Row origin: the Location refusal quoted the Location cut at 57 characters before
    redaction, the same kind as F1 (CWE-532)."""
    monkeypatch.setenv("TOK", token.value)
    allow = [f"127.0.0.1:{raw.server_address[1]}"]
    with HttpClient(allow, retries=0) as client:
        for n in range(0, 60, 3):
            with pytest.raises(FetchError) as info:
                client.get(f"{base(raw)}/?echoloc={n}", headers={"Authorization": "${TOK}"})
            said = f"{info.value.url} {info.value.reason}"
            assert "refused" in said
            for k in range(4, len(token.value) + 1):
                assert token.value[:k] not in said, (n, said)


def _env() -> dict:
    import os

    return {k: v for k, v in os.environ.items() if k != "TOK"}


# The same kind as F1, in other places a server's bytes reach an exception's text.
ANSWERS = {
    "chunk": b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nZ-TOKEN\r\n",
    "gzip": b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 40\r\n\r\n"
    + b"TOKEN".ljust(40, b"x"),
    "long-header": b"HTTP/1.1 200 OK\r\nX-Echo: " + b"P" * 70_000 + b"TOKEN\r\n\r\n",
    "status-09": b"TOKEN\r\n",
}


@dataclass(frozen=True)
class Answer:
    cwe: str
    answer: str
    says: str
    came_from: str


ANSWER_ROWS = [
    Answer("CWE-209", "chunk", "chunked encoding is broken", "a chunk size line of the token"),
    Answer("CWE-209", "gzip", "content encoding cannot be decoded", "gzip that is the token"),
    Answer("CWE-209", "long-header", "a line over the length limit", "a 70 KB header"),
    Answer("CWE-532", "status-09", "the server's answer is not HTTP", "tryout 12b F1, echo09"),
]


@pytest.mark.parametrize("row", ANSWER_ROWS, ids=lambda r: f"{r.cwe}-{r.answer}")
def test_a_broken_answer_is_named_by_its_kind_never_quoted(raw, monkeypatch, row):
    monkeypatch.setenv("TOK", "abcdEFGH1234567890zz")
    allow = [f"127.0.0.1:{raw.server_address[1]}"]
    with HttpClient(allow, retries=0) as client, pytest.raises(FetchError) as info:
        client.get(f"{base(raw)}/?answer={row.answer}", headers={"Authorization": "${TOK}"})
    assert row.says in info.value.reason
    assert "abcd" not in info.value.reason and "\n" not in info.value.reason


# --- F7: more than one Location value (CWE-436) --------------------------------------------


@dataclass(frozen=True)
class Locations:
    cwe: str
    query: str
    came_from: str


LOCATIONS = [
    Locations("CWE-436", "two={a},{b}", "tryout 12b F7, raw/two: two Location headers"),
    Locations("CWE-436", "joined={a},{b}", "tryout 12b F7: one Location holding 'a, b'"),
    Locations("CWE-436", "two={a},{a}", "raw/twosame: the same Location twice"),
]


@pytest.mark.parametrize("row", LOCATIONS, ids=lambda r: f"{r.cwe}-{r.came_from}")
def test_a_redirect_with_more_than_one_location_is_refused(raw, row):
    first, second = f"{base(raw)}/page?a=1", f"{base(raw)}/secret"
    url = f"{base(raw)}/?" + row.query.format(a=first, b=second)
    raw.log.clear()
    allow = [f"127.0.0.1:{raw.server_address[1]}"]
    with HttpClient(allow, retries=0) as client, pytest.raises(FetchError, match="more than one"):
        client.get(url)
    assert [path for path in raw.log if not path.startswith("/?")] == []


def test_a_single_location_is_still_followed(raw):
    url = f"{base(raw)}/?two={base(raw)}/page"
    with HttpClient([f"127.0.0.1:{raw.server_address[1]}"], retries=0) as client:
        assert client.get(url).status == 200


# --- F8: session cookies echoed back; Domain=localhost; odd Location bytes ----------------


@dataclass(frozen=True)
class Cookie:
    cwe: str
    set_cookie: str
    value: str
    came_from: str


COOKIES = [
    Cookie("CWE-532", "sid=COOKIE18181; Path=/", "COOKIE18181", "tryout 12b F8: sid echoed"),
    Cookie("CWE-532", "dom=DOMCOOKIE; Path=/", "DOMCOOKIE", "tryout 12b F8: a long value"),
    Cookie("CWE-532", "session=ab12; Path=/", "ab12", "a short value, named as a session"),
]


def web(pages: list[str]) -> SourceConfig:
    options = {"pages": [{"url": p, "product": "fiber-500"} for p in pages]}
    return SourceConfig("web", fetch="web", options=options, where=Location("c.yaml", 4, 5))


@pytest.mark.parametrize("row", COOKIES, ids=lambda r: f"{r.cwe}-{r.came_from}")
def test_a_session_cookie_echoed_by_the_server_is_kept_out_of_evidence(raw, tmp_path, row):
    tz = ZoneInfo("Asia/Jerusalem")
    with HttpClient([f"127.0.0.1:{raw.server_address[1]}"], retries=0) as client:
        list(fetch_web(web([f"{base(raw)}/?setcookie={quote(row.set_cookie)}"]), client, tz))
        [obs] = fetch_web(web([f"{base(raw)}/?echo=1"]), client, tz, EvidenceStore(tmp_path))
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert "Cookie: " in evidence  # the cookie was sent back and echoed ...
    assert row.value not in evidence and row.value not in repr(obs)  # ... and kept nowhere


def test_a_short_preference_cookie_stays_readable():
    from consistency.sources.redaction import add_cookie_secret, redact

    add_cookie_secret("lang", "he")
    add_cookie_secret("theme", "dark")
    assert redact("lang=he theme=dark") == "lang=he theme=dark"


def test_a_domain_localhost_cookie_is_sent_back_to_localhost(raw):
    """Row origin: tryout 12b F8, http.cookiejar's local-domain rule dropped it."""
    port = raw.server_address[1]
    with HttpClient([f"localhost:{port}"], retries=0) as client:
        cookie = quote("pref=v1; Domain=localhost; Path=/")
        client.get(f"http://localhost:{port}/?setcookie={cookie}")
        echoed = client.get(f"http://localhost:{port}/?echo=1").body.decode()
    assert "Cookie: pref=v1" in echoed


@dataclass(frozen=True)
class OddLocation:
    cwe: str
    location: str
    says: str
    came_from: str


ODD_LOCATIONS = [
    OddLocation(
        "CWE-20",
        "http://127.0.0.1:1\xa0@127.0.0.1:2/secret",
        "not valid UTF-8",
        "tryout 12b F8, raw/nbsp: a lone 0xA0 byte",
    ),
    OddLocation(
        "CWE-176",
        "http://127.0.0.1:1\xef\xbc\x8f@127.0.0.1:2/secret",
        "NFKC normalization",
        "tryout 12b F8, raw/utf8slash: a full-width slash in the userinfo",
    ),
]


@pytest.mark.parametrize("row", ODD_LOCATIONS, ids=lambda r: f"{r.cwe}-{r.came_from}")
def test_an_odd_location_is_refused_naming_its_cause(raw, row):
    allow = [f"127.0.0.1:{raw.server_address[1]}"]
    with HttpClient(allow, retries=0) as client, pytest.raises(FetchError, match=row.says):
        client.get(f"{base(raw)}/?bytes={quote(row.location, encoding='latin-1')}")
