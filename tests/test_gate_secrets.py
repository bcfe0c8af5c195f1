"""Secrets stay secret, and one bad fetcher loses nothing else (issue 12, item 2).

Hostile servers on loopback echo the token back in every form a server might:
raw, JSON-escaped, URL-encoded, HTML-escaped, with spaces stripped, fully
``\\u``-escaped. Nothing that leaves the tool (observations, failures, evidence
files) may hold it. Each row names its class (CWE) and where it came from.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from urllib.parse import quote, quote_plus
from zoneinfo import ZoneInfo

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from werkzeug.wrappers import Response

from consistency.errors import InputError
from consistency.inputs.config import Config, SourceConfig, load_config
from consistency.model import Location, Observation, SourceFailure
from consistency.sources.chat import fetch_chat
from consistency.sources.evidence import EvidenceStore
from consistency.sources.gather import Gathering, gather
from consistency.sources.http import FetchError, HttpClient, redact
from consistency.sources.records import RecordContext
from consistency.sources.web import fetch_web

TZ = ZoneInfo("Asia/Jerusalem")
TOKEN = "tok/EN+key=7734 é"  # a slash, a plus, an equals sign, a space, a Latin-1 letter


@dataclass(frozen=True)
class Echo:
    id: str
    cwe: str
    source: str
    form: object  # token -> the text the server sends back


ECHOES = [
    Echo("raw", "CWE-200", "issue 12: a bot that echoes the token", lambda t: t),
    Echo("json-escaped", "CWE-200", "issue 12: JSON-escapes it", lambda t: json.dumps(t)[1:-1]),
    Echo(
        "json-slash-escaped", "CWE-200", "PHP json_encode escapes slashes",
        lambda t: json.dumps(t)[1:-1].replace("/", "\\/"),
    ),
    Echo("url-encoded", "CWE-200", "issue 12: re-encodes it", lambda t: quote(t, safe="")),
    Echo("form-encoded", "CWE-200", "application/x-www-form-urlencoded", quote_plus),
    Echo("html-escaped", "CWE-200", "a page that HTML-escapes what it reflects", html.escape),
    Echo("stripped", "CWE-532", "issue 12: whitespace stripped", lambda t: t.strip()),
    Echo(
        "bearer-line", "CWE-532", "an error line quoting the whole header",
        lambda t: f"Authorization: Bearer {t}",
    ),
]  # fmt: skip


def forms_of(token: str) -> list[str]:
    return [token, json.dumps(token)[1:-1], quote(token, safe=""), quote_plus(token)]


def assert_nowhere(token: str, *texts: str) -> None:
    for text in texts:
        for form in forms_of(token):
            assert form not in text, f"{form!r} leaked into {text[:200]!r}"


def chat_source(url: str, **options) -> SourceConfig:
    options = {"url": url, "body": {"text": "{{ question }}"},
               "headers": {"Authorization": "Bearer ${GATE_SECRET}"}} | options  # fmt: skip
    return SourceConfig("chat", fetch="http-chat", options=options, where=Location("c.yaml", 9, 5))


def client() -> HttpClient:
    return HttpClient(["localhost"], timeout=(1, 1), retries=0)


@pytest.mark.parametrize("row", ECHOES, ids=lambda row: f"{row.cwe}-{row.id}")
def test_a_bot_that_echoes_the_token_leaves_it_nowhere(
    row: Echo, httpserver, monkeypatch, tmp_path
):
    monkeypatch.setenv("GATE_SECRET", TOKEN)

    def echo(request):
        sent = request.headers["Authorization"].removeprefix("Bearer ")
        reply = "your token is " + row.form(sent)
        raw = '{"messages": [{"text": "%s"}]}' % reply.replace('"', '\\"')  # noqa: UP031
        return Response(raw, 200, mimetype="application/json")

    httpserver.expect_request("/bot").respond_with_handler(echo)
    store = EvidenceStore(tmp_path)
    with client() as c:
        [obs] = fetch_chat(chat_source(httpserver.url_for("/bot")), tz=TZ, evidence_store=store,
                           questions=[("a", "q?")], client=c)  # fmt: skip
    assert isinstance(obs, Observation), obs
    assert obs.text.startswith("your token is ")
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert_nowhere(TOKEN, obs.text, evidence, json.dumps(obs.meta, ensure_ascii=False))


def test_a_fully_unicode_escaped_echo_is_redacted_too(httpserver, monkeypatch, tmp_path):
    monkeypatch.setenv("GATE_SECRET", TOKEN)
    escaped = "".join(f"\\u{ord(c):04x}" for c in TOKEN)
    httpserver.expect_request("/bot").respond_with_data(
        '{"messages": [{"text": "got ' + escaped + '"}]}', content_type="application/json"
    )
    store = EvidenceStore(tmp_path)
    with client() as c:
        [obs] = fetch_chat(chat_source(httpserver.url_for("/bot")), tz=TZ, evidence_store=store,
                           questions=[("a", "q?")], client=c)  # fmt: skip
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert obs.text == "got ***"
    assert_nowhere(TOKEN, evidence)


def test_a_reflecting_page_keeps_no_secret_in_evidence_or_observation(
    httpserver, monkeypatch, tmp_path
):
    """CWE-200: the URL's ${SHOP_KEY} comes back in the page, every way a page writes it."""
    monkeypatch.setenv("SHOP_KEY", TOKEN)

    def reflect(request):
        key = request.args["key"]
        data = {"@type": "Product", "name": f"Fiber {key}", "offers": {"price": "99.90"}}
        body = (
            f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
            f"<body><p>{html.escape(key)}</p><a href='/x?k={quote(key, safe='')}'>{key}</a>"
            "</body></html>"
        )
        return Response(body, 200, mimetype="text/html")

    httpserver.expect_request("/p").respond_with_handler(reflect)
    page = {"url": httpserver.url_for("/p") + "?key=${SHOP_KEY}", "product": "fiber-500"}
    src = SourceConfig("web", fetch="web", options={"pages": [page]}, where=Location("c.yaml"))
    with client() as c:
        [obs] = fetch_web(src, c, TZ, EvidenceStore(tmp_path))
    assert obs.amount is not None and obs.name == "Fiber ***"
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert_nowhere(TOKEN, evidence, repr(obs))


def test_a_failed_hop_is_reported_without_its_body_or_the_token(httpserver, monkeypatch):
    """CWE-209: a 401 page that quotes the credential stays out of the finding."""
    monkeypatch.setenv("GATE_SECRET", TOKEN)
    httpserver.expect_request("/bot").respond_with_handler(
        lambda r: Response(f"bad token {r.headers['Authorization']}", 401)
    )
    with client() as c:
        [failure] = fetch_chat(chat_source(httpserver.url_for("/bot")), tz=TZ,
                               questions=[("a", "q?")], client=c)  # fmt: skip
    assert isinstance(failure, SourceFailure)
    assert failure.reason == "asking 'q?': HTTP 401 Unauthorized"
    assert_nowhere(TOKEN, failure.reason, failure.source)


# -- header values: checked at load, and per request ----------------------------------


@dataclass(frozen=True)
class BadHeader:
    id: str
    cwe: str
    source: str
    value: str  # as written in consistency.yaml
    env: str | None  # GATE_SECRET's value
    message: str


BAD_HEADERS = [
    BadHeader(
        "token-with-newline", "CWE-113", "issue 12: a token file read with its newline",
        "Bearer ${GATE_SECRET}", "tok-1234\n",
        "once ${GATE_SECRET} is filled in from the environment, its value ends with"
        " whitespace or a line break",
    ),
    BadHeader(
        "euro-in-token", "CWE-172", "issue 12: a € in a token aborted the audit",
        "${GATE_SECRET}", "tok€1234",
        "once ${GATE_SECRET} is filled in from the environment, its value has characters"
        " outside Latin-1",
    ),
    BadHeader(
        "hebrew-literal", "CWE-172", "issue 12: a Hebrew question in a header",
        "כמה עולה?", None, "its value has characters outside Latin-1",
    ),
    BadHeader(
        "crlf-injection", "CWE-113", "HTTP response splitting, OWASP",
        "a\\r\\nX-Evil: 1", None, "line break or a control character",
    ),
]  # fmt: skip


@pytest.mark.parametrize("row", BAD_HEADERS, ids=lambda row: f"{row.cwe}-{row.id}")
def test_a_bad_header_is_a_config_error_at_its_line(row: BadHeader, tmp_path, monkeypatch):
    if row.env is not None:
        monkeypatch.setenv("GATE_SECRET", row.env)
    config = tmp_path / "consistency.yaml"
    config.write_text(
        "price_list: prices.yaml\n"
        "sources:\n"
        "  - channel: chat\n"
        "    fetch: http-chat\n"
        "    url: http://localhost:9/bot\n"
        "    headers:\n"
        f'      X-Custom: "{row.value}"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        load_config(config)
    [error] = info.value.errors
    assert (error.line, error.path) == (7, "sources[0].headers.X-Custom")
    assert row.message in error.message
    if row.env is not None:
        assert row.env.strip() not in str(error)


def test_a_header_rendered_badly_is_a_finding_and_the_rest_survives(httpserver, tmp_path):
    """issue 12: a Hebrew question in a header template aborted the whole audit and lost
    the file observations already read. Now: one failure for that question; the other
    question and every file observation arrive."""
    httpserver.expect_request("/bot").respond_with_json({"messages": [{"text": "ok"}]})
    phone = tmp_path / "phone.jsonl"
    phone.write_text(
        json.dumps({"channel": "phone", "at": "2026-11-21T10:00", "amount": 99.9,
                    "product": "fiber-500"}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    chat = chat_source(httpserver.url_for("/bot"), headers={"X-Question": "{{ question }}"})
    config = Config(
        path=None, base_dir=tmp_path, timezone=TZ, price_list=tmp_path / "prices.yaml",
        sources=(SourceConfig("phone", files=(str(phone),)), chat),
    )  # fmt: skip
    records = RecordContext(TZ, "ILS", frozenset({"chat", "phone"}))
    questions = [("a", "כמה עולה?"), ("b", "How much?")]
    g = Gathering(config, records, extra={"http-chat": {"questions": questions}})
    results = list(gather(g))
    failures = [r for r in results if isinstance(r, SourceFailure)]
    observed = sorted(
        (r.channel, r.text or str(r.amount)) for r in results if isinstance(r, Observation)
    )
    assert observed == [("chat", "ok"), ("phone", "99.9")]
    [failure] = failures
    assert "header X-Question: its value has characters outside Latin-1" in failure.reason


def test_a_header_with_a_newline_never_reaches_the_wire(httpserver, monkeypatch):
    monkeypatch.setenv("GATE_SECRET", "tok-5678\n")
    httpserver.expect_request("/bot").respond_with_data("ok")
    with client() as c, pytest.raises(FetchError) as info:
        c.get(httpserver.url_for("/bot"), headers={"Authorization": "Bearer ${GATE_SECRET}"})
    assert info.value.reason == (
        "header Authorization: its value ends with whitespace or a line break"
    )
    assert httpserver.log == [] and "tok-5678" not in str(info.value)


def test_redact_hides_every_form_of_a_secret(monkeypatch):
    from consistency.sources.http import add_secret

    add_secret(TOKEN + "\n")
    for form in [*forms_of(TOKEN), html.escape(TOKEN), repr(TOKEN + "\n")[1:-1]]:
        assert redact(f"<{form}>") == "<***>", form


def test_nothing_under_four_characters_is_treated_as_a_secret():
    from consistency.sources.http import add_secret

    add_secret("abc")
    assert redact("abc abcd") == "abc abcd"


# -- the property: every form of any secret is hidden, wherever it sits ------------------

SECRET_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="*"),
    min_size=4,
    max_size=24,
)


@settings(max_examples=300, deadline=None)
@given(secret=SECRET_TEXT, before=st.text(max_size=8), after=st.text(max_size=8))
def test_no_form_of_a_secret_survives_redaction(secret, before, after):
    """Any value (Hebrew, emoji, quotes, slashes, spaces, control characters) is hidden raw,
    stripped, URL-encoded both ways, JSON-escaped and HTML-escaped, between any text.

    ``*`` is left out: a secret made of stars could meet the ``***`` that replaces another.
    """
    from consistency.sources import redaction

    assume(len(secret.strip()) >= redaction.MIN_SECRET)
    saved = set(redaction._secrets)
    redaction._secrets.clear()
    try:
        redaction.add_secret(secret)
        forms = [secret, secret.strip(), quote(secret, safe=""), quote_plus(secret),
                 json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1],
                 html.escape(secret)]  # fmt: skip
        for form in forms:
            out = redact(before + form + after)
            assert form not in out, (form, out)
            assert "***" in out
    finally:
        redaction._secrets.clear()
        redaction._secrets.update(saved)


def test_a_page_echoing_the_key_as_character_references_keeps_it_out_of_evidence(
    httpserver, monkeypatch, tmp_path
):
    """CWE-200, the one form web-gate left: a page writes the key one character reference at
    a time (&#104;&#117;...). The stored evidence is then the decoded page, redacted."""
    monkeypatch.setenv("SHOP_KEY", TOKEN)
    refs = "".join(f"&#{ord(c)};" for c in TOKEN)
    data = {"@type": "Product", "name": "Fiber", "offers": {"price": "99.90"}}
    body = f'<script type="application/ld+json">{json.dumps(data)}</script><p>key {refs}</p>'
    httpserver.expect_request("/p").respond_with_data(body, content_type="text/html")
    page = {"url": httpserver.url_for("/p") + "?key=${SHOP_KEY}", "product": "fiber-500"}
    src = SourceConfig("web", fetch="web", options={"pages": [page]}, where=Location("c.yaml"))
    with client() as c:
        [obs] = fetch_web(src, c, TZ, EvidenceStore(tmp_path))
    evidence = (tmp_path / obs.meta["evidence"]).read_text(encoding="utf-8")
    assert "key ***" in evidence
    assert_nowhere(TOKEN, evidence, html.unescape(evidence))
