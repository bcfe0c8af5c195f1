"""The JSON report's bytes stay the same (SPEC 6) while the code behind it changes.

The demo company is audited by the ``consistency`` console script, in a copy of its
folder, and the report is compared byte for byte with ``tests/data/golden/demo.json``
(the run's start and finish times are the only bytes masked). A deliberate change of
the report is recorded by running this file with ``CONSISTENCY_UPDATE_GOLDEN=1`` and
reviewing the diff of the golden file.

Every typed value and difference of a finding is also written through
``finding_to_dict`` and compared with its golden text, so shapes the demo does not
produce (web and chat findings) are held too.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from decimal import Decimal as D
from pathlib import Path

import pytest

from consistency.model import Finding
from consistency.result import finding_from_dict, finding_to_dict
from consistency.values import (
    Difference,
    FactValue,
    ForbiddenValue,
    MoneyValue,
    OffersValue,
    PhraseValue,
    ProductValue,
    PromotionValue,
    QuoteRow,
    ReplyValue,
)

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden"
UPDATE = os.environ.get("CONSISTENCY_UPDATE_GOLDEN") == "1"
TIMES = re.compile(r'("(?:started|finished)": )"[^"]*"')


def matches_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; see the module docstring"


def test_the_demo_report_is_byte_for_byte_the_golden_one(tmp_path):
    folder = tmp_path / "demo"
    shutil.copytree(ROOT / "fixtures" / "demo", folder)
    done = subprocess.run(
        ["consistency", "audit", "--no-fetch", "--format", "json", "--fail-on", "never"],
        cwd=folder, capture_output=True, text=True, encoding="utf-8", timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert TIMES.search(done.stdout), "the run's times are no longer where this test masks them"
    matches_golden("demo.json", TIMES.sub(r'\1"-"', done.stdout))


AT = datetime(2026, 11, 21, 18, 40, tzinfo=UTC)
ROW = QuoteRow("web", 2, D("99.90"), AT, "w-1", D("129.90"), AT, "w-2")
FINDINGS = [  # (rule, expected, observed, difference): every shape a check makes
    ("price-mismatch", MoneyValue(D("99.90"), "ILS"),
     MoneyValue(D("89.91"), "ILS"), Difference(D("-9.99"), D("-10.0"))),
    ("cross-channel-gap", MoneyValue(D("99.9"), "ILS"),
     MoneyValue(D("129.90"), "ILS", channel="web", ref="w-2", quotes=(ROW,)),
     Difference(D("30.00"), D("30.0"))),
    ("customer-quote-conflict",
     MoneyValue(D("89.91"), "ILS", channel="phone", ref="call-1", customer="hh-1001"),
     MoneyValue(D("99.90"), "ILS", channel="chat", ref="c-2", customer="hh-1001"),
     Difference(D("9.99"), D("11.1"))),
    ("price-in-reply-mismatch", MoneyValue(D("0"), "ILS", promotion="free-month"),
     MoneyValue(D("5"), "ILS"), Difference(D("5"), None)),
    ("vat-excluded-price", MoneyValue(D("129.9"), "ILS"),
     MoneyValue(D("110.08"), "ILS", vat_included=False), None),
    ("structured-data-mismatch", MoneyValue(D("99.90"), "ILS", source="visible"),
     MoneyValue(D("99"), "ILS", source="structured"), Difference(D("-0.90"), D("-0.9"))),
    ("unknown-product", None, MoneyValue(D("199.90"), "ILS", name="fiber-2000"), None),
    ("promotion-misuse", PromotionValue("summer"),
     PromotionValue("summer", D("79.90"), "ILS"), None),
    ("answer-contradicts-approved", FactValue("duration", D(14), "day"),
     FactValue("duration", D(7), "day"), None),
    ("answer-missing-fact", FactValue("boolean", True, None), None, None),
    ("forbidden-phrase", ForbiddenValue("אין מה לעשות", "policy"),
     PhraseValue("אין מה לעשות"), None),
    ("no-reply", ReplyValue("text", None, asked=True), ReplyValue(""), None),
    ("ambiguous-page", ProductValue("fiber-500"),
     OffersValue(({"name": "Fiber 500", "price": D("99.9")},)), None),
]  # fmt: skip


def shapes_text() -> str:
    rows = [
        finding_to_dict(Finding(f"fp-{i}", rule, "error", "m", expected=expected,
                                observed=observed, difference=difference, at=AT))
        for i, (rule, expected, observed, difference) in enumerate(FINDINGS)
    ]  # fmt: skip
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def test_every_shape_is_written_as_the_golden_json():
    matches_golden("shapes.json", shapes_text())


@pytest.mark.parametrize("row", FINDINGS, ids=[r[0] for r in FINDINGS])
def test_every_shape_reads_back_as_itself(row):
    rule, expected, observed, difference = row
    finding = Finding("fp", rule, "error", "m", expected=expected, observed=observed,
                      difference=difference, at=AT)  # fmt: skip
    back = finding_from_dict(json.loads(json.dumps(finding_to_dict(finding))))
    sides = (expected, observed, difference)
    assert [type(v) for v in (back.expected, back.observed, back.difference)] == list(
        map(type, sides)
    )
    assert finding_to_dict(back) == finding_to_dict(finding)  # a quote's time comes back as text
