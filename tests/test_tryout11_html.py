"""Struck-out prices in HTML chat and export text (/tmp/notes/tryout11.md, P2), run through
the real answer checks with ``consistency audit``: the old price a reply strikes out is not
its quote, the new one is still held to the approved answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from consistency.cli import main
from tests.helpers import write

PRICES = """\
version: "t11"
currency: ILS
vat: {included: true, rate: 0.18}
products:
  - id: tv-basic
    name: חבילת טלוויזיה בסיסית
    aliases: ["tv basic", "טלוויזיה בסיסית"]
    unit: month
    price: 59.90
"""
ANSWERS = """\
answers:
  - id: tv-price
    questions: [כמה עולה חבילת הטלוויזיה הבסיסית?]
    keywords: [טלוויזיה]
    answer: >-
      חבילת טלוויזיה בסיסית עולה {{ price("tv-basic") }} לחודש.
    facts:
      - {money: {price: tv-basic}}
"""
CONFIG = """\
timezone: Asia/Jerusalem
price_list: prices.yaml
answers: answers.yaml
sources:
  - {channel: chat, files: [chat.jsonl]}
"""

# (id, where it came from, the reply's HTML, whether a finding is expected)
ROWS = [
    ("del-ins", "tryout 11 P2, exports/chat/c.jsonl line 10",
     "<p>tv basic: <del>69.90 ₪</del> <ins>59.90 ₪</ins></p>", False),
    ("s-tag", "tryout 11 P2, the <s> form", "<p>tv basic <s>69.90 ₪</s> 59.90 ₪</p>", False),
    ("strike-tag", "tryout 11 P2, the <strike> form",
     "<div>טלוויזיה בסיסית: <strike>69.90 ₪</strike> עכשיו 59.90 ₪</div>", False),
    ("line-through", "tryout 11 P2, an inline line-through style",
     '<p>tv basic <span style="text-decoration: line-through">69.90 ₪</span>'
     " <b>59.90 ₪</b></p>", False),
    ("wrong-new-price", "tryout 11 P2: a wrong price beside a struck one is still found",
     "<p>tv basic: <del>69.90 ₪</del> <ins>54.90 ₪</ins></p>", True),
    ("struck-whole", "tryout 11 P2: a reply struck out whole is read whole",
     "<p><del>tv basic 69.90 ₪</del></p>", True),
]  # fmt: skip


def audit(folder: Path, text: str):
    write(folder / "prices.yaml", PRICES)
    write(folder / "answers.yaml", ANSWERS)
    write(folder / "consistency.yaml", CONFIG)
    record = {"channel": "chat", "at": "2026-11-20T10:09", "answer": "tv-price", "text": text}
    write(folder / "chat.jsonl", json.dumps(record, ensure_ascii=False) + "\n")
    config = str(folder / "consistency.yaml")
    return CliRunner().invoke(main, ["audit", "--config", config, "--format", "json"])


@pytest.mark.parametrize(("name", "where", "html", "finding"), ROWS, ids=[r[0] for r in ROWS])
def test_a_struck_out_price_in_an_html_reply_is_not_its_quote(name, where, html, finding, tmp_path):
    result = audit(tmp_path, html)
    assert result.exit_code == (1 if finding else 0), (where, result.output)
    report = json.loads(result.output)
    checks = {f["rule"] for f in report["findings"]}
    assert ("answer-contradicts-approved" in checks) is finding, (where, checks)
