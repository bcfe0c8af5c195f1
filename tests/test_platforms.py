"""Platform export adapters on their documented samples (fixtures/platforms/) and on broken files:
each contact is one observation, a bad file is an invalid record naming the file and JSON path.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency.model import InvalidRecord, Observation, SourceFailure
from consistency.sources import platforms  # noqa: F401  (registers the formats)
from consistency.sources.files import FORMATS, read_pattern
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
        at="2026-11-21T08:17:00+00:00",  # analysed 08:20:05 less 185 s of call
        text='שלום, הגעתם לנטלינק, מדברת דנה.\nכן, סיב 200 עולה 74.90 ש"ח לחודש.\n'
        "התקנת נתב עולה 149 שקלים, תשלום חד פעמי.",
        customer=None,
        agent=None,
        meta={"at_estimated": True, "contact_channel": "VOICE", "language": "he-IL"},
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
        meta={"at_estimated": False, "customer_text": "כמה עולה לבטל את המנוי?"},
    ),
    Sample(
        "intercom-admin",
        "intercom",
        "intercom/conversations.json",
        ref="147",
        at="2026-11-21T10:00:00+00:00",
        text="היי נועה!\nסיב 1000 עולה ₪129.90 לחודש.\nהמחיר הרשמי הוא ₪129.90.\nיום טוב!",
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


def test_internal_notes_are_never_in_the_text():
    observations = read(str(SAMPLES / "intercom" / "conversations.json"), "intercom")
    assert len(observations) == 2
    assert all("10%" not in (o.text + o.meta["customer_text"]) for o in observations)


def test_both_formats_are_registered():
    assert {"amazon-connect-contact-lens", "intercom"} <= set(FORMATS)


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
        "no agent turn",
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
