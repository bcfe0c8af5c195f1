"""Platform export adapters on their documented samples (fixtures/platforms/) and on broken files:
each contact is one observation, a bad file is an invalid record naming the file and JSON path.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency.inputs.files import FileOptions, Limits
from consistency.model import InvalidRecord, Observation, SourceFailure
from consistency.sources import formats
from consistency.sources.files import read_pattern
from consistency.sources.records import RecordContext

TZ = ZoneInfo("Asia/Jerusalem")
SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "platforms"
CTX = RecordContext(TZ, "ILS", frozenset({"web", "phone", "chat"}), default_channel="phone")
VOICE = "6f1c9b2e-4a7d-4e1b-9c3a-2b5d8e0f1a22_analysis_2026-11-21T08_20_05Z.json"


def read(pattern: str, fmt: str, channel: str = "phone") -> list:
    ctx = RecordContext(CTX.timezone, CTX.currency, CTX.channels, default_channel=channel)
    return list(read_pattern(pattern, fmt, ctx))


@dataclass(frozen=True)
class Sample:
    id: str
    fmt: str
    file: str
    ref: str
    at: str
    text: str
    customer: str | None
    agent: str | None
    meta: dict


SAMPLE_ROWS = [
    Sample(
        "connect-voice",
        "amazon-connect-contact-lens",
        f"amazon-connect-contact-lens/{VOICE}",
        ref="6f1c9b2e-4a7d-4e1b-9c3a-2b5d8e0f1a22",
        at="2026-11-21T08:20:05+00:00",  # the name's time: ConnectedToAgentTimestamp
        text='שלום, הגעתם לנטלינק, מדברת דנה.\nכן, סיב 200 עולה 74.90 ש"ח לחודש.\n'
        "התקנת נתב עולה 149 שקלים, תשלום חד פעמי.",
        customer=None,
        agent=None,
        meta={"at_from": "file name (connected to agent)", "contact_channel": "VOICE"},
    ),
    Sample(
        "connect-chat",
        "amazon-connect-contact-lens",
        "amazon-connect-contact-lens/chat-analysis.json",
        ref="0d9e8f7a-1b2c-4d3e-8f90-a1b2c3d4e5f6",
        at="2026-11-21T12:01:05.120000+00:00",
        text="ברוכים הבאים לצ'אט של נטלינק\n"
        "ביטול ללא עלות בתוך 14 יום מההצטרפות, ולאחר מכן דמי ביטול של ₪100.00.",
        customer=None,
        agent=None,
        meta={"at_from": "AbsoluteTime", "customer_text": "כמה עולה לבטל את המנוי?"},
    ),
    Sample(
        "intercom-admin",
        "intercom",
        "intercom/conversations.json",
        ref="147",
        at="2026-11-21T10:00:00+00:00",
        text="היי נועה!\n\nסיב 1000 עולה ₪129.90 לחודש.\nהמחיר הרשמי הוא ₪129.90.\nיום טוב!",
        customer="hh-1001",
        agent="814860",
        meta={"customer_text": "שלום, כמה עולה סיב 1000?\nובאתר ראיתי 116.91"},
    ),
    Sample(
        "intercom-bot",
        "intercom",
        "intercom/conversations.json",
        ref="148",
        at="2026-11-21T12:00:00+00:00",
        text="Cancellation is free within 14 days of joining; after that the fee is ₪100.",
        customer="6a02f1",
        agent="fin-1",
        meta={"customer_text": "What does it cost to cancel?"},
    ),
    Sample(
        "zendesk-comments-api",
        "zendesk",
        "zendesk/ticket-35436-comments.json",
        ref="35436",  # from the file name: the Comments API response has no ticket id
        at="2026-11-21T09:12:00+00:00",
        text="היי נועה,\n\nמגדיל טווח עולה 19.90 ₪ לחודש.\n\nיום טוב!",
        customer=None,
        agent="4321",
        meta={"customer_text": "שלום, כמה עולה מגדיל טווח? ראיתי באתר 14.90"},
    ),
    Sample(
        "zendesk-export-ticket",
        "zendesk",
        "zendesk/tickets.jsonl",
        ref="35437",
        at="2026-11-22T14:00:00+00:00",
        text="ביטול ללא עלות בתוך 14 יום מההצטרפות, ולאחר מכן דמי ביטול של 100 ₪.",
        customer="20978555",
        agent="4322",
        meta={"customer_text": "כמה עולה לבטל את המנוי?", "via": "web"},
    ),
    Sample(
        "zendesk-voice-comment",
        "zendesk",
        "zendesk/tickets.jsonl",
        ref="35438",
        at="2026-11-23T08:30:00+00:00",
        text="Call with customer: a static IP is ₪25 a month.",
        customer="20978601",
        agent="4323",
        meta={"customer_text": "How much is a static IP?", "subject": "Static IP"},
    ),
    Sample(
        "genesys-call",
        "genesys-cloud",
        "genesys-cloud/transcript.json",
        ref="7b3f2d10-5e4a-4c2b-9d1e-2f6a8c0b4e11",
        at="2026-11-21T08:40:00+00:00",  # conversationStartTime, epoch ms
        text="שלום, הגעתם לנטלינק.\nהתקנת נתב עולה מאה ארבעים ותשעה שקלים תשלום חד פעמי\n"
        "ביקור טכנאי עולה 189 ₪.",
        customer=None,
        agent="5e0c2a44-1f2b-4a3c-9e8d-7c6b5a4f3e21",
        meta={"customer_text": "כמה עולה התקנת נתב?", "media": "call", "language": "he-il"},
    ),
]


@pytest.mark.parametrize("row", SAMPLE_ROWS, ids=lambda row: row.id)
def test_each_sample_contact_is_one_observation(row: Sample):
    found = [o for o in read(str(SAMPLES / row.file), row.fmt) if o.ref == row.ref]
    [obs] = found
    assert isinstance(obs, Observation)
    assert obs.channel == "phone"
    assert obs.at == datetime.fromisoformat(row.at)
    assert obs.text == row.text
    assert (obs.customer, obs.agent) == (row.customer, row.agent)
    assert obs.meta["platform"] == row.fmt
    assert {k: obs.meta[k] for k in row.meta} == row.meta
    assert obs.source.file == str(SAMPLES / row.file)


@pytest.mark.parametrize(
    "fmt, file, note",
    [
        ("intercom", "intercom/conversations.json", "10%"),
        ("zendesk", "zendesk/ticket-35436-comments.json", "אוקטובר"),
    ],
    ids=["intercom-note", "zendesk-private-comment"],
)
def test_internal_notes_are_never_in_the_text(fmt, file, note):
    observations = read(str(SAMPLES / file), fmt)
    assert observations and all(isinstance(o, Observation) for o in observations)
    assert all(note not in (o.text + o.meta["customer_text"]) for o in observations)


def test_every_format_is_registered():
    expected = {"amazon-connect-contact-lens", "intercom", "zendesk", "genesys-cloud"}
    assert expected <= set(formats.names())


def test_a_glob_reads_every_analysis_file_with_the_source_channel():
    pattern = str(SAMPLES / "amazon-connect-contact-lens" / "*.json")
    observations = read(pattern, "amazon-connect-contact-lens", channel="chat")
    assert len(observations) == 2
    assert {o.channel for o in observations} == {"chat"}


@dataclass(frozen=True)
class Broken:
    id: str
    fmt: str
    content: str
    name: str
    field: str
    says: str


CONNECT_NAME = "c-1_analysis_2026-11-21T08_20_05Z.json"
BROKEN_ROWS = [
    Broken("not-json", "intercom", "{oops", "x.json", "$", "not JSON"),
    Broken(
        "no-transcript",
        "amazon-connect-contact-lens",
        json.dumps({"CustomerMetadata": {"ContactId": "c-1"}}),
        CONNECT_NAME,
        "$.Transcript",
        "missing field 'Transcript'",
    ),
    Broken(
        "turn-without-content",
        "amazon-connect-contact-lens",
        json.dumps(
            {
                "Transcript": [
                    {"ParticipantId": "AGENT", "Content": "hi"},
                    {"ParticipantId": "AGENT"},
                ]
            }
        ),  # fmt: skip
        CONNECT_NAME,
        "$.Transcript[1].Content",
        "missing field 'Content'",
    ),
    Broken(
        "content-not-text",
        "amazon-connect-contact-lens",
        json.dumps({"Transcript": [{"ParticipantId": "AGENT", "Content": 5}]}),
        CONNECT_NAME,
        "$.Transcript[0].Content",
        "expected str, found int",
    ),
    Broken(
        "no-contact-id",
        "amazon-connect-contact-lens",
        json.dumps({"Transcript": [{"ParticipantId": "AGENT", "Content": "hi"}]}),
        CONNECT_NAME,
        "$.CustomerMetadata.ContactId",
        "missing field 'ContactId'",
    ),
    Broken(
        "no-time",
        "amazon-connect-contact-lens",
        json.dumps(
            {
                "Transcript": [{"ParticipantId": "AGENT", "Content": "hi"}],
                "CustomerMetadata": {"ContactId": "c-1"},
            }  # fmt: skip
        ),
        "c-1.json",
        "$.Transcript[0]",
        "no contact time",
    ),
    Broken(
        "only-the-customer-spoke",
        "amazon-connect-contact-lens",
        json.dumps({"Transcript": [{"ParticipantId": "CUSTOMER", "Content": "hello?"}]}),
        CONNECT_NAME,
        "$.Transcript",
        "no agent or bot turn",
    ),
    Broken(
        "intercom-no-created-at",
        "intercom",
        json.dumps({"conversations": [{"id": "1", "conversation_parts": {}}]}),
        "x.json",
        "$.conversations[0].created_at",
        "missing field 'created_at'",
    ),
    Broken(
        "intercom-part-without-author",
        "intercom",
        json.dumps(
            [
                {
                    "id": 9,
                    "created_at": 1795255200,
                    "conversation_parts": {
                        "conversation_parts": [{"part_type": "comment", "body": "hi"}]
                    },
                }
            ]
        ),  # fmt: skip
        "x.json",
        "$[0].conversation_parts.conversation_parts[0].author",
        "missing field 'author'",
    ),
    Broken(
        "intercom-body-not-text",
        "intercom",
        json.dumps(
            {
                "id": 9,
                "created_at": 1795255200,
                "conversation_parts": {
                    "conversation_parts": [
                        {"part_type": "comment", "body": ["x"], "author": {"type": "admin"}}
                    ]
                },
            }
        ),  # fmt: skip
        "x.json",
        "$.conversation_parts.conversation_parts[0].body",
        "expected str, found list",
    ),
    Broken(
        "zendesk-comment-without-author",
        "zendesk",
        json.dumps({"comments": [{"body": "hi", "created_at": "2026-11-21T09:00:00Z"}]}),
        "35436.json",
        "$.comments[0].author_id",
        "missing field 'author_id'",
    ),
    Broken(
        "zendesk-body-not-text",
        "zendesk",
        json.dumps(
            {"comments": [{"author_id": 1, "created_at": "2026-11-21T09:00:00Z", "html_body": 5}]}
        ),
        "35436.json",
        "$.comments[0].html_body",
        "expected str, found int",
    ),
    Broken(
        "zendesk-only-the-requester",
        "zendesk",
        json.dumps(
            {
                "ticket": {"id": 7, "requester_id": 1, "created_at": "2026-11-21T09:00:00Z"},
                "comments": [{"author_id": 1, "created_at": "2026-11-21T09:00:00Z", "body": "?"}],
            }
        ),  # fmt: skip
        "t.json",
        "$.comments",
        "no public comment by an agent",
    ),
    Broken(
        "zendesk-bad-created-at",
        "zendesk",
        json.dumps(
            {
                "id": 7,
                "requester_id": 1,
                "created_at": "yesterday",
                "comments": [{"author_id": 2, "created_at": "2026-11-21T09:00:00Z", "body": "a"}],
            }
        ),  # fmt: skip
        "t.json",
        "$.created_at",
        "not an ISO 8601 time",
    ),
    Broken(
        "genesys-no-conversation-id",
        "genesys-cloud",
        json.dumps({"transcripts": []}),
        "t.json",
        "$.conversationId",
        "missing field 'conversationId'",
    ),
    Broken(
        "genesys-phrase-without-purpose",
        "genesys-cloud",
        json.dumps({"conversationId": "c", "transcripts": [{"phrases": [{"text": "hi"}]}]}),
        "t.json",
        "$.transcripts[0].phrases[0].participantPurpose",
        "missing field 'participantPurpose'",
    ),
    Broken(
        "genesys-only-the-customer",
        "genesys-cloud",
        json.dumps(
            {
                "conversationId": "c",
                "conversationStartTime": 1795250400000,
                "transcripts": [{"phrases": [{"text": "hi", "participantPurpose": "external"}]}],
            }
        ),  # fmt: skip
        "t.json",
        "$.transcripts",
        "no phrase by an agent, bot or IVR",
    ),
    Broken(
        "genesys-no-time",
        "genesys-cloud",
        json.dumps(
            {
                "conversationId": "c",
                "transcripts": [{"phrases": [{"text": "hi", "participantPurpose": "internal"}]}],
            }
        ),  # fmt: skip
        "t.json",
        "$.conversationStartTime",
        "no conversation time",
    ),
]


@pytest.mark.parametrize("row", BROKEN_ROWS, ids=lambda row: row.id)
def test_a_broken_file_is_an_invalid_record_naming_file_and_json_path(tmp_path, row: Broken):
    path = tmp_path / row.name
    path.write_text(row.content, encoding="utf-8")
    [bad] = read(str(path), row.fmt)
    assert isinstance(bad, InvalidRecord)
    assert bad.source.file == str(path)
    assert bad.field == row.field
    assert row.says in bad.reason
    assert bad.channel == "phone"


def test_one_bad_contact_does_not_hide_the_good_ones(tmp_path):
    good = json.loads((SAMPLES / "intercom" / "conversations.json").read_text(encoding="utf-8"))
    good["conversations"].insert(1, {"id": "bad"})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(good), encoding="utf-8")
    results = read(str(path), "intercom")
    assert [type(r).__name__ for r in results] == ["Observation", "InvalidRecord", "Observation"]
    assert results[1].field == "$.conversations[1].created_at"


def test_a_file_that_is_not_utf8_is_a_source_failure(tmp_path):
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"id": "\xe9"}')
    [failure] = read(str(path), "intercom")
    assert isinstance(failure, SourceFailure) and "not UTF-8" in failure.reason
    assert "RFC 8259" in failure.reason


# --- Amazon Connect: file names as AWS writes them, bots -------------------------------------


@dataclass(frozen=True)
class ConnectName:
    id: str
    name: str
    at: str
    source: str


CONNECT_NAMES = [
    ConnectName("s3-colons", "c-1_analysis_2026-11-30T22:02:00Z.json", "2026-11-30T22:02:00+00:00",
                "Admin Guide, 'Output file locations': Analysis/Voice/.../<id>_analysis_<time>Z.json"),
    ConnectName("s3-redacted", "c-1_analysis_redacted_2026-11-30T22:02:00Z.json",
                "2026-11-30T22:02:00+00:00", "the same page: Analysis/Voice/Redacted/..."),
    ConnectName("saved-on-windows", "c-1_analysis_2026-11-30T22_02_00Z.json",
                "2026-11-30T22:02:00+00:00", "':' is not allowed in Windows file names"),
    ConnectName("email", "c-1_analysis_20260310T22:35_UTC.json", "2026-03-10T22:35:00+00:00",
                "the same page: Analysis/Email/.../<id>_analysis_20260310T22:35_UTC.json"),
    ConnectName("fractional-seconds", "c-1_analysis_2026-11-30T22:02:00.123Z.json",
                "2026-11-30T22:02:00+00:00", "an ISO 8601 time with milliseconds"),
]  # fmt: skip


@pytest.mark.parametrize("row", CONNECT_NAMES, ids=lambda r: r.id)
def test_the_time_in_a_contact_lens_file_name_is_the_agent_connect_time(tmp_path, row):
    """AWS: 'The date and timestamp in the output file path correspond to the
    ConnectedToAgentTimestamp', so it is the call's start as the audit sees it."""
    path = tmp_path / row.name
    shutil.copy(SAMPLES / "amazon-connect-contact-lens" / VOICE, path)
    [obs] = read(str(tmp_path / "*_analysis_*.json"), "amazon-connect-contact-lens")
    assert isinstance(obs, Observation), row.source
    assert obs.at == datetime.fromisoformat(row.at)
    assert obs.meta["at_from"] == "file name (connected to agent)"


@pytest.mark.parametrize("role", ["CUSTOM_BOT", "SUPERVISOR", "SYSTEM", "AGENT"])
def test_bots_supervisors_and_flows_speak_for_the_company(tmp_path, role):
    """ParticipantRole (Amazon Connect API Reference, 'Transcript'): a Lex bot's turn
    (CUSTOM_BOT) quoting a price is the company quoting it."""
    contact = {
        "CustomerMetadata": {"ContactId": "c-9"},
        "Participants": [{"ParticipantId": "p-1", "ParticipantRole": role},
                         {"ParticipantId": "p-2", "ParticipantRole": "CUSTOMER"}],
        "Transcript": [
            {"ParticipantId": "p-2", "Content": "כמה עולה סיב 500?",
             "AbsoluteTime": "2026-11-21T10:00:00Z"},
            {"ParticipantId": "p-1", "Content": "סיב 500 עולה 99.90 ש\"ח",
             "AbsoluteTime": "2026-11-21T10:00:05Z"},
        ],
    }  # fmt: skip
    path = tmp_path / "chat.json"
    path.write_text(json.dumps(contact, ensure_ascii=False), encoding="utf-8")
    [obs] = read(str(path), "amazon-connect-contact-lens")
    assert obs.text == 'סיב 500 עולה 99.90 ש"ח'
    assert obs.meta["customer_text"] == "כמה עולה סיב 500?"


# --- Zendesk: who wrote a comment ------------------------------------------------------------


@dataclass(frozen=True)
class Speaker:
    id: str
    document: dict
    said: str
    heard: str
    rule: str


def _comment(author, body: str, public: bool = True) -> dict:
    return {"author_id": author, "body": body, "public": public,
            "created_at": "2026-11-21T09:00:00Z"}  # fmt: skip


SPEAKERS = [
    Speaker("sideloaded-roles",
            {"comments": [_comment(5, "agent first"), _comment(9, "customer")],
             "users": [{"id": 5, "role": "agent"}, {"id": 9, "role": "end-user"}]},
            "agent first", "customer", "users[].role (?include=users) decides first"),
    Speaker("admin-role", {"comments": [_comment(9, "q"), _comment(1, "an admin answers")],
                           "users": [{"id": 1, "role": "admin"}, {"id": 9, "role": "end-user"}]},
            "an admin answers", "q", "admin is company speech"),
    Speaker("requester-id",
            {"id": 3, "requester_id": 9, "created_at": "2026-11-21T09:00:00Z",
             "comments": [_comment(7, "agent opened the ticket"), _comment(9, "customer")]},
            "agent opened the ticket", "customer", "without roles: the requester is the customer"),
    Speaker("first-comment-author",
            {"comments": [_comment(9, "the description"), _comment(5, "the reply"),
                          _comment(9, "thanks")]},
            "the reply", "the description\nthanks",
            "Zendesk saves the description as the first comment: its author is the requester"),
]  # fmt: skip


@pytest.mark.parametrize("row", SPEAKERS, ids=lambda r: r.id)
def test_zendesk_speakers(tmp_path, row):
    path = tmp_path / "ticket-3.json"
    path.write_text(json.dumps(row.document), encoding="utf-8")
    [obs] = read(str(path), "zendesk", channel="chat")
    assert (obs.text, obs.meta["customer_text"]) == (row.said, row.heard), row.rule


# --- HTML anywhere a reply arrives -------------------------------------------------------------

HTML_REPLY = "<p>המחיר הוא <b>89.90&nbsp;&#8362;</b></p><p>ביטול בתוך 14&nbsp;יום</p>"


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".json"])
def test_a_record_text_that_is_html_is_read_as_plain_text(tmp_path, suffix):
    """Issue 11, item 1: a bot answers in HTML; ₪89.90 and '14 יום' must be seen as such."""
    record = {"channel": "chat", "at": "2026-11-21T10:00", "text": HTML_REPLY}
    path = tmp_path / f"replies{suffix}"
    if suffix == ".csv":
        cell = HTML_REPLY.replace('"', '""')
        path.write_text(f'channel,at,text\nchat,2026-11-21T10:00,"{cell}"\n', encoding="utf-8")
    else:
        text = json.dumps([record] if suffix == ".json" else record, ensure_ascii=False)
        path.write_text(text + "\n", encoding="utf-8")
    [obs] = read(str(path), "records", channel="chat")
    assert obs.text == "המחיר הוא 89.90 ₪\n\nביטול בתוך 14 יום"


def test_a_text_with_a_lone_angle_bracket_is_not_html(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text(json.dumps({"at": "2026-11-21", "text": "5 < 6 & AT&T > 2"}) + "\n")
    [obs] = read(str(path), "records")
    assert obs.text == "5 < 6 & AT&T > 2"


# --- limits on platform files ------------------------------------------------------------------


@dataclass(frozen=True)
class PlatformLimit:
    id: str
    cwe: str
    name: str
    content: str
    limits: dict
    says: str


PLATFORM_LIMITS = [
    PlatformLimit("file-over-file-size", "CWE-770", "c.json", json.dumps({"x": "a" * 5000}),
                  {"file_size": 1000}, "over the limit of 1,000 (limits.file_size)"),
    PlatformLimit("nested-3000", "CWE-674", "c.json", '{"a": ' + "[" * 3000 + "]" * 3000 + "}",
                  {}, "limits.depth"),
    PlatformLimit("int-4301-digits", "CWE-1284", "c.json", '{"CustomerMetadata": ' + "9" * 4301 + "}",
                  {}, "limits.number_digits"),
    PlatformLimit("jsonl-line-over", "CWE-770", "c.jsonl", json.dumps({"x": "a" * 5000}),
                  {"record_size": 1000}, "limits.record_size"),
]  # fmt: skip


@pytest.mark.parametrize("row", PLATFORM_LIMITS, ids=lambda r: f"{r.cwe}-{r.id}")
@pytest.mark.parametrize("fmt", ["amazon-connect-contact-lens", "zendesk", "genesys-cloud"])
def test_platform_files_are_read_within_limits(tmp_path, row, fmt):
    path = tmp_path / row.name
    path.write_text(row.content + "\n", encoding="utf-8")
    ctx = RecordContext(
        TZ, "ILS", CTX.channels, "phone", file=FileOptions(limits=Limits(**row.limits))
    )
    [bad] = list(read_pattern(str(path), fmt, ctx))
    assert isinstance(bad, InvalidRecord) and row.says in bad.reason
    assert bad.source.file == str(path)


def test_a_platform_array_is_streamed_element_by_element(tmp_path):
    """A list of Genesys transcripts, one of them broken: each element is its own record,
    placed at its line."""
    sample = json.loads((SAMPLES / "genesys-cloud" / "transcript.json").read_text("utf-8"))
    second = sample | {"conversationId": "second"}
    text = (
        "[\n"
        + json.dumps(sample)
        + ",\n"
        + '{"transcripts": 1}'
        + ",\n"
        + json.dumps(second)
        + "\n]"
    )
    path = tmp_path / "many.json"
    path.write_text(text, encoding="utf-8")
    items = read(str(path), "genesys-cloud")
    assert [type(i).__name__ for i in items] == ["Observation", "InvalidRecord", "Observation"]
    assert [i.source.line for i in items] == [2, 3, 4]
    assert items[1].field == "$[1].conversationId"


def test_a_platform_source_honors_its_encoding(tmp_path):
    """An option the schema accepts is honored: a Windows tool that saved the JSON in 1255."""
    sample = (SAMPLES / "genesys-cloud" / "transcript.json").read_text("utf-8")
    for name, data in (("one.json", sample), ("many.json", f"[{sample}]")):
        path = tmp_path / name
        path.write_bytes(data.replace("₪", "ש״ח").encode("cp1255"))
        options = FileOptions(encoding="windows-1255")
        ctx = RecordContext(TZ, "ILS", CTX.channels, "phone", file=options)
        [obs] = list(read_pattern(str(path), "genesys-cloud", ctx))
        assert obs.text.endswith("ביקור טכנאי עולה 189 ש״ח.")


@pytest.mark.parametrize("option", ["delimiter", "columns", "date_formats", "sheet"])
def test_a_records_option_on_a_platform_format_is_refused_not_ignored(option):
    value = {"delimiter": ";", "columns": {"a": "at"}, "date_formats": ("%d/%m/%Y",), "sheet": 1}
    problems = FileOptions(**{option: value[option]}).problems("zendesk")
    assert [m for _, m in problems] == ["applies to format: records only, not zendesk"]
    assert FileOptions(**{option: value[option]}).problems("records") == []
