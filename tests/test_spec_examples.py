"""Every example of the product contract (SPEC.md) keeps working, and so do the README's.

The SPEC examples are copied in tests/data/spec/ (outside tests feed the tool exactly
these shapes); the README's YAML and JSON blocks are read from the README itself.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency.inputs.answers import load_answers
from consistency.inputs.config import load_config
from consistency.inputs.prices import load_price_list
from consistency.inputs.rules import load_rules
from consistency.inputs.schema import validate
from consistency.inputs.yamlio import loads
from consistency.lint import kind_of
from consistency.model import Location
from consistency.pricebook import PriceBook
from consistency.result import Result
from consistency.sources.chat import parse_options
from consistency.sources.records import RecordContext, to_observation
from consistency.sources.web import parse_methods, parse_pages
from consistency.values import Difference

SPEC = Path(__file__).parent / "data" / "spec"
ROOT = Path(__file__).resolve().parent.parent
TZ = ZoneInfo("Asia/Jerusalem")
CANCEL_FEE = """\
  - id: cancel-fee
    name: דמי ביטול
    unit: one-time
    price: 100
"""


def test_the_spec_price_list_loads_with_its_meaning():
    book = PriceBook(load_price_list(SPEC / "prices.yaml", TZ))
    from datetime import datetime

    assert book.price_at("fiber-500", datetime(2026, 11, 30, 23, 59, tzinfo=TZ)) == Decimal("99.90")
    assert book.price_at("fiber-500", datetime(2026, 12, 1, tzinfo=TZ)) == Decimal("109.90")
    assert book.price_at("router-install", datetime(2030, 1, 1, tzinfo=TZ)) == Decimal(149)
    assert book.vat_at(datetime(2024, 6, 1, tzinfo=TZ)) == Decimal("0.17")
    assert book.policy("phone").max_discount.percent == Decimal(5)
    assert book.tolerance("chat").amount == Decimal("0.5")
    [offer] = [
        o for o in book.offers("fiber-500", "web", datetime(2026, 11, 25, tzinfo=TZ)) if o.promotion
    ]
    assert offer.amount == Decimal("79.92") and offer.promotion == "black-friday"


def test_the_spec_rules_load():
    [rule] = load_rules([SPEC / "rules.yaml"])
    assert (rule.id, rule.check, rule.severity) == ("cross-channel-gap",) * 2 + ("error",)
    assert rule.warn.percent == 2 and rule.error.percent == 5
    assert rule.window.days == 1 and rule.channels == ("web", "phone", "chat")


def test_the_spec_answers_load_against_a_list_that_has_their_product(tmp_path):
    prices = tmp_path / "prices.yaml"
    text = (SPEC / "prices.yaml").read_text(encoding="utf-8")
    prices.write_text(text.replace("promotions:", CANCEL_FEE + "promotions:"), encoding="utf-8")
    book = PriceBook(load_price_list(prices, TZ))
    answers = load_answers(SPEC / "answers.yaml", book, TZ)
    from datetime import datetime

    rendered = answers.rendered("cancellation-fee", datetime(2026, 11, 21, tzinfo=TZ))
    assert "14 יום" in rendered and "₪100.00" in rendered
    assert ("cancellation-fee", "What does it cost to cancel?") in answers.questions()


def test_the_spec_config_loads_and_its_sources_parse():
    config = load_config(SPEC / "consistency.yaml")
    assert config.timezone.key == "Asia/Jerusalem"
    assert config.price_list.resolve() == SPEC / "prices.yaml"
    assert config.answers.resolve() == SPEC / "answers.yaml"
    assert config.history.resolve() == SPEC / ".consistency" / "history.sqlite"
    assert config.email.notify_on == "findings" and config.email.to == ("pricing@example.co.il",)
    phone, chat_files, web, chat_bot = config.sources
    [pattern] = phone.files
    assert Path(pattern).resolve() == SPEC / "exports/phone/*.csv"
    assert chat_files.format == "records"
    [page] = parse_pages(web)
    assert page.product == "fiber-500" and len(parse_methods(web)) == 3
    options = parse_options(chat_bot, questions=[("cancellation-fee", "כמה עולה לבטל?")])
    assert options is not None


@pytest.mark.parametrize(
    "amount", ["₪89.90", '89.90 ש"ח', "NIS 89.9", 89.9], ids=["sign", "gershayim", "nis", "number"]
)
def test_the_spec_observation_fields_and_amount_spellings(amount):
    record = {
        "channel": "phone",
        "at": "2026-11-21T10:15:00",
        "product": "fiber-500",
        "amount": amount,
        "currency": "ILS",
        "vat_included": True,
        "promotion": None,
        "text": "נתתי הנחה",
        "answer": None,
        "customer": "hh-1",
        "agent": "a-1",
        "ref": "call-123",
        "id": "obs-1",
    }
    ctx = RecordContext(TZ, "ILS", frozenset({"web", "phone", "chat"}))
    obs = to_observation(record, Location("x.jsonl", 1), ctx)
    assert obs.amount in (Decimal("89.90"), Decimal("89.9")) and obs.currency == "ILS"
    assert obs.at.utcoffset().total_seconds() == 7200 and obs.id == "obs-1"


def test_the_spec_report_example_reads_as_a_result():
    data = json.loads((SPEC / "report.json").read_text(encoding="utf-8"))
    data["run"] = {"started": "2026-11-21T10:00:00+02:00"}
    result = Result.from_dict(data)
    [finding] = result.findings
    assert finding.difference == Difference(Decimal("-9.99"), Decimal("-10.0"))
    assert finding.evidence.source == "exports/phone/2026-11-21.csv:14"
    assert result.to_dict()["findings"][0]["observed"] == {"amount": 89.91, "currency": "ILS"}


README = (ROOT / "README.md").read_text(encoding="utf-8")
KINDS = ("prices", "answers", "rules", "config")  # lint.kind_of names; each is its schema


@pytest.mark.parametrize(
    "block", re.findall(r"```yaml\n(.*?)```", README, re.S), ids=lambda b: b.split(":")[0]
)
def test_readme_yaml_blocks_are_valid(block):
    data, marks = loads(block, "README.md")
    kind = kind_of(data)
    assert kind in KINDS, f"the README block is no known input: {block[:60]!r}"
    assert validate(data, marks, kind, "README.md") == []


def test_readme_observation_example_reads():
    [line] = [b for b in re.findall(r"```json\n(.*?)```", README, re.S) if '"channel"' in b]
    ctx = RecordContext(TZ, "ILS", frozenset({"web", "phone", "chat"}))
    obs = to_observation(json.loads(line), Location("README.md", 1), ctx)
    assert obs.amount == Decimal("116.91") and obs.customer == "hh-1001"
