"""The http-chat fetcher against real bots on loopback (pytest-httpserver): replies by JSONPath,
sessions across turns, bad JSON, empty replies, retries, secrets kept out, ask: answers.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from werkzeug.wrappers import Request, Response

from consistency.errors import InputError
from consistency.inputs.config import SourceConfig
from consistency.model import Location, Observation, SourceFailure
from consistency.sources.chat import fetch_chat, planned_requests
from consistency.sources.evidence import EvidenceStore
from consistency.sources.http import HttpClient

TZ = ZoneInfo("Asia/Jerusalem")
QUESTIONS = [
    ("cancellation-fee", "כמה עולה לבטל את המנוי?"),
    ("cancellation-fee", "What does it cost to cancel?"),
]


def source(url: str, **options) -> SourceConfig:
    return SourceConfig(
        channel="chat",
        fetch="http-chat",
        options={"url": url, "body": {"text": "{{ question }}", "session": "{{ session }}"}}
        | options,
        where=Location("consistency.yaml", 7, 5),
    )


def client() -> HttpClient:
    return HttpClient(["127.0.0.1", "localhost"], backoff=0.01, retries=2)


def run(src: SourceConfig, questions=QUESTIONS, store=None) -> list:
    with client() as c:
        return list(fetch_chat(src, tz=TZ, evidence_store=store, questions=questions, client=c))


def json_reply(payload, status: int = 200) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False), status, mimetype="application/json")


def test_several_messages_are_joined_and_the_observation_says_what_was_asked(httpserver):
    httpserver.expect_request("/api/message", method="POST").respond_with_json(
        {"session_id": "s-9", "messages": [{"text": "ביטול ללא עלות"}, {"text": "בתוך 14 יום"}]}
    )
    [obs] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1])
    assert isinstance(obs, Observation)
    assert obs.text == "ביטול ללא עלות\nבתוך 14 יום"
    assert obs.answer == "cancellation-fee"
    assert obs.channel == "chat" and obs.at.tzinfo is not None
    assert obs.ref == "s-9"
    assert obs.meta["fetched"] is True
    assert obs.meta["question"] == "כמה עולה לבטל את המנוי?"
    assert obs.meta["session"] == "s-9" and obs.meta["method"] == "http-chat"
    assert obs.meta["path"] == "$.messages[*].text"
    sent = json.loads(httpserver.log[0][0].get_data())
    assert sent == {"text": "כמה עולה לבטל את המנוי?", "session": ""}


def test_a_custom_reply_path_and_a_get_url_template(httpserver):
    httpserver.expect_request("/ask", method="GET").respond_with_json({"data": {"answer": "כן"}})
    url = httpserver.url_for("/ask") + "?q={{ question | urlencode }}&id={{ answer_id }}"
    src = source(url, method="GET", reply="$.data.answer", body=None)
    [obs] = run(src, QUESTIONS[:1])
    assert obs.text == "כן"
    request = httpserver.log[0][0]
    assert request.args["q"] == "כמה עולה לבטל את המנוי?"
    assert request.args["id"] == "cancellation-fee"


def test_the_session_is_carried_from_turn_to_turn_in_one_conversation(httpserver):
    seen = []

    def bot(request: Request) -> Response:
        body = json.loads(request.get_data())
        seen.append(body["session"])
        return json_reply(
            {"conversation_id": "conv-1", "messages": [{"text": f"turn {len(seen)}"}]}
        )

    httpserver.expect_request("/api/message").respond_with_handler(bot)
    results = run(source(httpserver.url_for("/api/message"), conversation="one"))
    assert seen == ["", "conv-1"]
    assert [r.text for r in results] == ["turn 1", "turn 2"]
    assert {r.ref for r in results} == {"conv-1"}


def test_a_session_jsonpath_option_reads_a_nested_id(httpserver):
    seen = []

    def bot(request: Request) -> Response:
        seen.append(json.loads(request.get_data())["session"])
        return json_reply({"meta": {"sid": "abc"}, "messages": [{"text": "שלום"}]})

    httpserver.expect_request("/m").respond_with_handler(bot)
    run(source(httpserver.url_for("/m"), conversation="one", session="$.meta.sid"))
    assert seen == ["", "abc"]


def test_invalid_json_from_the_bot_is_a_failure_naming_the_question(httpserver, tmp_path):
    httpserver.expect_request("/api/message").respond_with_data("<html>oops</html>")
    store = EvidenceStore(tmp_path)
    [failure] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1], store)
    assert isinstance(failure, SourceFailure)
    assert "כמה עולה לבטל את המנוי?" in failure.reason
    assert "not JSON" in failure.reason
    assert [p.suffix for p in tmp_path.iterdir()] == [".txt"]


def test_an_empty_reply_is_an_observation_with_empty_text(httpserver):
    httpserver.expect_request("/api/message").respond_with_json({"messages": []})
    [obs] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1])
    assert isinstance(obs, Observation)
    assert obs.text == "" and obs.meta["fetched"] is True
    assert obs.ref == httpserver.url_for("/api/message")


def test_a_500_is_retried_and_the_second_answer_kept(httpserver):
    httpserver.expect_ordered_request("/api/message").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/api/message").respond_with_json(
        {"messages": [{"text": "ok"}]}
    )
    [obs] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1])
    assert obs.text == "ok"
    assert len(httpserver.log) == 2


def test_a_bot_that_keeps_failing_is_a_failure_after_the_retries(httpserver):
    httpserver.expect_request("/api/message").respond_with_data("down", status=503)
    [failure] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1])
    assert isinstance(failure, SourceFailure)
    assert "HTTP 503" in failure.reason and "after 3 attempts" in failure.reason
    assert len(httpserver.log) == 3


def test_the_secret_header_never_reaches_evidence_observations_or_errors(
    httpserver, tmp_path, monkeypatch
):
    token = "tok-7f3a-very-secret"
    monkeypatch.setenv("CHAT_TOKEN", token)
    calls = []

    def echo(request: Request) -> Response:
        calls.append(request.headers.get("Authorization"))
        if len(calls) > 1:
            return Response(f"denied for {request.headers['Authorization']}", 403)
        auth = request.headers["Authorization"]
        return json_reply({"session_id": token, "messages": [{"text": f"you sent {auth}"}]})

    httpserver.expect_request("/api/message").respond_with_handler(echo)
    src = source(
        httpserver.url_for("/api/message"),
        headers={"Authorization": "Bearer ${CHAT_TOKEN}"},
        conversation="one",
    )
    results = run(src, QUESTIONS, EvidenceStore(tmp_path))
    assert calls[0] == f"Bearer {token}"  # it was really sent
    observation, failure = results
    assert token not in repr(observation) and "***" in observation.text
    assert isinstance(failure, SourceFailure) and "HTTP 403" in failure.reason
    assert token not in repr(failure)
    for path in tmp_path.iterdir():
        assert token not in path.read_text(encoding="utf-8")


def test_a_missing_environment_variable_is_a_failure_that_names_it(httpserver, monkeypatch):
    monkeypatch.delenv("NO_SUCH_TOKEN", raising=False)
    src = source(httpserver.url_for("/m"), headers={"X-Key": "${NO_SUCH_TOKEN}"})
    [failure] = run(src, QUESTIONS[:1])
    assert isinstance(failure, SourceFailure)
    assert "NO_SUCH_TOKEN is not set" in failure.reason
    assert httpserver.log == []


def test_ask_answers_with_repeat_asks_every_question_n_times_concurrently(httpserver):
    lock, asked = threading.Lock(), []

    def bot(request: Request) -> Response:
        text = json.loads(request.get_data())["text"]
        with lock:
            asked.append(text)
            n = len(asked)
        return json_reply({"session_id": f"s-{n}", "messages": [{"text": f"reply {n}"}]})

    httpserver.expect_request("/api/message").respond_with_handler(bot)
    src = source(httpserver.url_for("/api/message"), ask="answers", repeat=3)
    results = run(src)
    assert len(results) == 6 == planned_requests(src, QUESTIONS)
    assert sorted(asked) == sorted([q for _, q in QUESTIONS] * 3)
    assert {r.answer for r in results} == {"cancellation-fee"}
    assert sorted(r.meta["repeat"] for r in results) == [1, 1, 2, 2, 3, 3]
    assert len({r.id for r in results}) == 6


def test_a_list_of_questions_needs_no_answers(httpserver):
    httpserver.expect_request("/m").respond_with_json({"messages": [{"text": "x"}]})
    src = source(httpserver.url_for("/m"), ask=["hello", {"question": "hi", "answer": "greet"}])
    results = run(src, questions=())
    assert sorted((r.meta["question"], r.answer) for r in results) == [
        ("hello", None),
        ("hi", "greet"),
    ]


def test_a_host_not_allowed_is_refused_before_sending(httpserver):
    src = source(httpserver.url_for("/m"), allow_hosts=["bot.example.co.il"])
    results = list(fetch_chat(src, tz=TZ, questions=QUESTIONS[:1]))
    [failure] = results
    assert "not in allow_hosts" in failure.reason
    assert httpserver.log == []


@dataclass(frozen=True)
class BadOption:
    id: str
    options: dict
    field: str
    says: str


BAD_OPTIONS = [
    BadOption("no-url", {"url": None}, "sources.url", "needs a url"),
    BadOption("bad-method", {"method": "DELETE"}, "sources.method", "'DELETE'"),
    BadOption("bad-reply-path", {"reply": "$.[[["}, "sources.reply", "bad JSONPath"),
    BadOption("bad-session-path", {"session": "$..[("}, "sources.session", "bad JSONPath"),
    BadOption("zero-repeat", {"repeat": 0}, "sources.repeat", "at least 1"),
    BadOption("bad-mode", {"conversation": "all"}, "sources.conversation", "'all'"),
    BadOption("bad-template", {"body": {"text": "{{ question "}}, "sources.body.text", "template"),
    BadOption("ask-nothing", {"ask": 5}, "sources.ask", "list of questions"),
]


@pytest.mark.parametrize("row", BAD_OPTIONS, ids=lambda row: row.id)
def test_bad_options_are_input_errors_naming_the_field(row: BadOption):
    src = source("http://127.0.0.1:9/m")
    src = SourceConfig(
        "chat", fetch="http-chat", options=src.options | row.options, where=src.where
    )
    with pytest.raises(InputError) as err:
        fetch_chat(src, tz=TZ, questions=QUESTIONS)
    [problem] = err.value.errors
    assert (problem.file, problem.line, problem.path) == ("consistency.yaml", 7, row.field)
    assert row.says in problem.message


def test_ask_answers_without_answers_is_an_input_error():
    with pytest.raises(InputError, match="needs approved answers"):
        fetch_chat(source("http://127.0.0.1:9/m"), tz=TZ, questions=())


def test_gather_runs_the_chat_fetcher_with_questions_from_extra(httpserver, tmp_path):
    from consistency.inputs.config import Config
    from consistency.sources.gather import Gathering, gather
    from consistency.sources.records import RecordContext

    httpserver.expect_request("/api/message").respond_with_json({"messages": [{"text": "ok"}]})
    config = Config(
        path=None,
        base_dir=tmp_path,
        timezone=TZ,
        price_list=tmp_path / "prices.yaml",
        sources=(source(httpserver.url_for("/api/message"), ask="answers"),),
    )
    records = RecordContext(TZ, "ILS", frozenset({"chat"}))
    g = Gathering(
        config, records, evidence_dir=tmp_path / "ev", extra={"http-chat": {"questions": QUESTIONS}}
    )
    results = list(gather(g))
    assert [r.text for r in results] == ["ok", "ok"]
    assert all((tmp_path / "ev" / r.meta["evidence"]).is_file() for r in results)


@dataclass(frozen=True)
class HtmlReply:
    source: str  # where the case came from
    reply: str
    answer: str
    rule: str
    finds: bool  # whether the rule finds a problem in the reply


HTML_REPLIES = [
    HtmlReply(
        "issue 11 item 1: wrong price as HTML, was only a missing-fact warning",
        "<p>סיב 500 מגה עולה <b>89.90&nbsp;&#8362;</b> לחודש</p>",
        "fiber-500-price",
        "answer-contradicts-approved",
        True,
    ),
    HtmlReply(
        "issue 11 item 1: the right price as HTML looked wrong",
        "<p>סיב 500 מגה עולה <b>99.90&nbsp;&#8362;</b> לחודש</p>",
        "fiber-500-price",
        "answer-missing-fact",
        False,
    ),
    HtmlReply(
        "issue 11 item 1: a forbidden phrase written with &nbsp; was missed",
        "<div>אין&nbsp;מה&nbsp;לעשות</div>",
        "fiber-500-price",
        "forbidden-phrase",
        True,
    ),
    HtmlReply(
        "Intercom-style paragraphs: a block boundary is a break, the words are not glued",
        "<p>זה מה</p><p>שרכשת</p>",
        "cancellation-fee",
        "forbidden-phrase",
        True,
    ),
]


@pytest.mark.parametrize("row", HTML_REPLIES, ids=lambda row: row.source)
def test_html_replies_are_read_as_plain_text_by_every_check(httpserver, row: HtmlReply):
    from dataclasses import replace
    from datetime import datetime
    from pathlib import Path

    from consistency import checks
    from consistency.checks import Context
    from consistency.inputs.answers import load_answers
    from consistency.inputs.prices import load_price_list
    from consistency.model import Rule
    from consistency.pricebook import PriceBook

    demo = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
    book = PriceBook(load_price_list(demo / "prices.yaml", TZ))
    ctx = Context(book, TZ, ("web", "phone", "chat"), load_answers(demo / "answers.yaml", book, TZ))
    httpserver.expect_request("/api/message").respond_with_json({"messages": [{"text": row.reply}]})
    [obs] = run(source(httpserver.url_for("/api/message")), [(row.answer, "q?")])
    assert "<" not in obs.text and "&" not in obs.text
    obs = replace(obs, at=datetime(2026, 11, 18, 10, tzinfo=TZ))
    found = list(checks.get(row.rule).check(obs, ctx, Rule(id=row.rule, check=row.rule)))
    assert bool(found) is row.finds, [p.message for p in found]


def test_params_are_rendered_and_added_to_the_query(httpserver):
    httpserver.expect_request("/ask", method="GET").respond_with_json(
        {"messages": [{"text": "כן"}]}
    )
    src = source(httpserver.url_for("/ask") + "?v=2", method="GET", body=None,
                 params={"q": "{{ question }}", "id": "{{ answer_id }}"})  # fmt: skip
    [obs] = run(src, QUESTIONS[:1])
    assert obs.text == "כן"
    request = httpserver.log[0][0]
    assert request.args.to_dict() == {
        "v": "2", "q": "כמה עולה לבטל את המנוי?", "id": "cancellation-fee",
    }  # fmt: skip


def test_user_agent_and_delay_options_are_honored(httpserver):
    import time

    httpserver.expect_request("/api/message").respond_with_json({"messages": [{"text": "ok"}]})
    src = source(httpserver.url_for("/api/message"), user_agent="pricing-audit/1.0",
                 delay=0.3, allow_hosts=["localhost"], retries=0)  # fmt: skip
    started = time.monotonic()
    results = list(fetch_chat(src, tz=TZ, questions=QUESTIONS))
    assert [r.text for r in results] == ["ok", "ok"]
    assert time.monotonic() - started >= 0.3  # the second request waited for the first
    assert {req.headers["User-Agent"] for req, _ in httpserver.log} == {"pricing-audit/1.0"}


def test_a_user_agent_that_cannot_be_sent_is_an_input_error():
    src = source("http://127.0.0.1:9/m", user_agent="בוט")
    with pytest.raises(InputError, match="sources.user_agent: its value has characters outside"):
        list(fetch_chat(src, tz=TZ, questions=QUESTIONS))


@pytest.mark.parametrize(
    ("content_type", "body", "text"),
    [
        ("application/json; charset=klingon", '{"messages": [{"text": "כן"}]}'.encode(), "כן"),
        ("application/json", b'{"messages": [{"text": "ok \xff"}]}', "ok \ufffd"),
        (
            "application/json; charset=windows-1255",
            '{"messages": [{"text": "כן"}]}'.encode("windows-1255"),
            "כן",
        ),
    ],
    ids=["unknown-charset", "invalid-utf8", "declared-windows-1255"],
)
def test_a_reply_in_an_odd_encoding_is_read_not_a_crash(httpserver, content_type, body, text):
    """issue 12: an encoding problem in one fetcher must not abort the audit."""
    httpserver.expect_request("/api/message").respond_with_data(body, content_type=content_type)
    [obs] = run(source(httpserver.url_for("/api/message")), QUESTIONS[:1])
    assert obs.text == text
