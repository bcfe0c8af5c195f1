"""End to end on the demo company: `consistency audit` reports every answer check it can.

The chat transcripts and phone call notes (fixtures/demo/exports) plant one case per
check among right replies; each row below says what a reply should be routed to and
what it should be reported for. ``no-reply`` needs a live fetch (the http-chat
probe), so the file-only demo cannot show it; tests/test_answer_checks.py does.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from consistency.cli import main
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.pricebook import PriceBook
from consistency.routing import Router

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
CHAT = DEMO / "exports" / "chat" / "transcripts-2026-11.jsonl"
PHONE = DEMO / "exports" / "phone" / "call-notes-2026-11.csv"
TZ = ZoneInfo("Asia/Jerusalem")
ANSWER_CHECKS = {
    "answer-contradicts-approved",
    "answer-missing-fact",
    "forbidden-phrase",
    "price-in-reply-mismatch",
}


@dataclass(frozen=True)
class Planted:
    ref: str
    answer: str | None  # what the reply is about: its own id, or where routing sends it
    rules: tuple[str, ...]  # the answer checks it must set off, and no others


PLANTED = [
    Planted("chat-t-101", "cancellation-fee", ()),
    Planted("chat-t-102", "cancellation-fee", ("answer-contradicts-approved",)),  # 7 days
    Planted("chat-t-103", "install-time", ()),
    Planted("chat-t-104", "cancellation-fee", ()),
    Planted("chat-t-105", "refund-time", ()),
    Planted("chat-t-106", "cancellation-fee", ("answer-missing-fact", "forbidden-phrase")),
    Planted("chat-t-107", None, ()),
    Planted("chat-t-108", "router-install-price", ("answer-contradicts-approved",)),  # free
    Planted("chat-t-109", "fiber-500-price", ()),  # black friday, allowed on chat
    Planted("chat-t-110", "refund-time", ()),
    Planted("chat-t-111", "router-install-price", ()),
    Planted("chat-t-112", None, ()),
    Planted("call-7001", "fiber-500-price", ()),  # spoken right
    Planted(
        "call-7002",  # spoken wrong: 89.90
        "fiber-500-price",
        ("answer-contradicts-approved", "price-in-reply-mismatch"),
    ),
    Planted("call-7003", "cancellation-fee", ("answer-missing-fact",)),  # no fee
    Planted("call-7004", "install-time", ("answer-contradicts-approved",)),  # days, not business
    Planted("call-7005", "refund-time", ()),
    Planted("call-7006", None, ("forbidden-phrase",)),
    Planted("call-7007", "router-install-price", ()),
    Planted("call-7008", None, ()),
]


def demo_replies() -> list[dict]:
    """Every record of the demo exports that has text (the replies the engine may route)."""
    records = []
    for path in sorted((DEMO / "exports").rglob("*")):
        if path.suffix == ".jsonl":
            lines = path.read_text(encoding="utf-8").splitlines()
            records += [json.loads(line) for line in lines if line.strip()]
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as fh:
                records += list(csv.DictReader(fh))
    return [r for r in records if (r.get("text") or "").strip()]


@pytest.fixture(scope="module")
def report() -> dict:
    result = CliRunner().invoke(
        main,
        ["audit", "--config", str(DEMO / "consistency.yaml"), "--format", "json"]
        + ["--fail-on", "never"],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def router() -> Router:
    book = PriceBook(load_price_list(DEMO / "prices.yaml", TZ))
    return Router(load_answers(DEMO / "answers.yaml", book, TZ))


def test_every_answer_check_is_reported(report):
    assert {f["rule"] for f in report["findings"]} >= ANSWER_CHECKS


@pytest.mark.parametrize("row", PLANTED, ids=lambda r: r.ref)
def test_planted_reply(report, row):
    mine = [
        f
        for f in report["findings"]
        if f["rule"] in ANSWER_CHECKS and (f["evidence"] or {}).get("ref") == row.ref
    ]
    assert sorted({f["rule"] for f in mine}) == sorted(row.rules)
    for finding in mine:
        assert finding["answer"] in (row.answer, None)
        assert finding["evidence"]["source"].split(":")[0].endswith((".jsonl", ".csv"))
        if finding["evidence"]["span"]:
            start, end = finding["evidence"]["span"]
            assert finding["evidence"]["excerpt"][start:end].strip()


@pytest.mark.parametrize("row", PLANTED, ids=lambda r: r.ref)
def test_planted_reply_is_routed_as_labelled(router, row):
    record = next(r for r in demo_replies() if r.get("ref") == row.ref)
    routed = record.get("answer") or router.route(record["text"])[0]
    assert routed == row.answer


def test_unrouted_counts_exactly_the_replies_no_answer_is_sure_of(report, router):
    unroutable = [
        r["ref"]
        for r in demo_replies()
        if not r.get("answer") and router.route(r["text"])[0] is None
    ]
    labelled_off_topic = {p.ref for p in PLANTED if p.answer is None}
    assert labelled_off_topic <= set(unroutable)
    assert report["summary"]["unrouted"] == len(unroutable)


def test_planted_replies_lie_in_the_demo_week():
    for path in (CHAT, PHONE):
        text = path.read_text(encoding="utf-8")
        rows = (
            [json.loads(line) for line in text.splitlines()]
            if path.suffix == ".jsonl"
            else list(csv.DictReader(text.splitlines()))
        )
        assert {r["channel"] for r in rows} == {path.parent.name}
        for row in rows:
            day = datetime.fromisoformat(row["at"]).date()
            assert date(2026, 11, 15) <= day <= date(2026, 11, 22), row["ref"]


def test_the_contradiction_report_says_what_and_where(report):
    [finding] = [
        f
        for f in report["findings"]
        if f["rule"] == "answer-contradicts-approved" and f["evidence"]["ref"] == "chat-t-102"
    ]
    assert finding["expected"] == {"fact": "duration", "value": 14, "unit": "day"}
    assert finding["observed"] == {"fact": "duration", "value": 7, "unit": "day"}
    assert finding["evidence"]["where"].endswith("answers.yaml:5:5")
    assert finding["severity"] == "error"
