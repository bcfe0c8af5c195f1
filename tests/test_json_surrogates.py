"""A lone surrogate escape in a JSON string (``"q\\ud800"``) is an invalid-record naming the file,
line and field, on both engines, in every field and in JSON Lines and JSON arrays alike.

Tryout10 finding 4: such a record ended the run as "internal error: UnicodeEncodeError" (in
``id``), gave an internal-error finding (in ``customer``) or passed silently (in ``ref``).
RFC 8259 8.2: JSON's grammar lets a ``\\u`` escape write half of a UTF-16 pair alone, and such
a string has no UTF-8 form, so no report could hold it.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config
from consistency.model import InvalidRecord, Location, Observation
from consistency.sources.files import read_pattern
from consistency.sources.jsonfile import from_json_line
from consistency.sources.records import RecordContext
from tests.helpers import PRICES, ROOT, TZ, write

GOOD = {"id": "q2", "channel": "web", "at": "2026-03-01T10:00", "product": "fiber-500"}
GOOD |= {"amount": "99.90"}
BAD = {"id": "q1", "channel": "web", "at": "2026-03-01T10:00", "product": "fiber-500"}
BAD |= {"amount": "99.90", "customer": "hh-1", "ref": "r1", "text": "שלום"}
ESCAPE = "\\ud800"  # as the JSON text writes it: a backslash, then u, d, 8, 0, 0

# (field, the value's JSON text with a lone surrogate escape, its code point, where it came from)
FIELDS = [
    ("id", f"q{ESCAPE}", "D800", "tryout10 j_surrogate3: internal error UnicodeEncodeError"),
    ("customer", ESCAPE, "D800", "tryout10 j_surrogate: an internal-error finding from a check"),
    ("ref", "\\udc80", "DC80", "tryout10 j_surrogate2: passed silently (a low surrogate)"),
    ("text", f"שלום {ESCAPE} 99.90", "D800", "a chat line: the text the checks read"),
    ("amount", f"99.90{ESCAPE}", "D800", "the amount: refused before it is read as money"),
    ("product", f"fiber-500{ESCAPE}", "D800", "the product: shown in the finding's heading"),
    ("channel", f"web{ESCAPE}", "D800", "the channel: shown as the finding's group"),
]
LAYOUTS = ("jsonl", "json")
ENGINES = ("duckdb", "python")


def _record_text(record: dict, field: str, escaped: str) -> str:
    """The record as one JSON object, ``field`` written with ``escaped`` as its raw JSON text."""
    parts = [json.dumps(k) + ":" + json.dumps(v, ensure_ascii=False) for k, v in record.items()]
    parts = [p for p in parts if not p.startswith(json.dumps(field) + ":")]
    return "{" + ",".join([*parts, f'"{field}":"{escaped}"']) + "}"


def _project(tmp_path, layout: str, field: str, escaped: str):
    bad = _record_text(BAD, field, escaped)
    good = json.dumps(GOOD)
    body = f"{bad}\n{good}\n" if layout == "jsonl" else f"[{bad},\n{good}]\n"
    write(tmp_path / "ex" / f"a.{layout}", body)
    write(tmp_path / "prices.yaml", PRICES)
    sources = "sources:\n  - channel: web\n    files: [ex/*]\n"
    write(
        tmp_path / "consistency.yaml",
        f"timezone: Asia/Jerusalem\nprice_list: prices.yaml\n{sources}",
    )
    return tmp_path / "consistency.yaml"


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("field", "escaped", "code", "origin"), FIELDS, ids=[f[0] for f in FIELDS])
def test_a_lone_surrogate_is_an_invalid_record_naming_its_field(
    tmp_path, layout, field, escaped, code, origin
):
    config = load_config(_project(tmp_path, layout, field, escaped))
    reports = {}
    for engine in ENGINES:
        result = audit(config, AuditOptions(fetch=False, engine=engine, jobs=1))
        shown = json.dumps(result.to_dict(), ensure_ascii=False).encode("utf-8")  # writable
        reports[engine] = json.loads(shown)["findings"]
        assert not result.errors, (engine, result.errors)
        assert result.observations == 1, engine  # the good record is still judged
    assert reports["duckdb"] == reports["python"]
    invalid = [f for f in reports["python"] if f["rule"] == "invalid-record"]
    source = f"{tmp_path / 'ex' / f'a.{layout}'}:1"
    assert [(f["evidence"]["source"], f["cause"]) for f in invalid] == [(source, f"bad-{field}")]
    message = invalid[0]["message"]
    assert message.startswith(f"{source}: cannot read record ({field}): ")
    assert f"lone surrogate (U+{code})" in message
    assert escaped in message  # the surrogate shown as the escape the file wrote
    assert not [f for f in reports["python"] if f["rule"] == "internal-error"]


def test_the_tryout_case_exits_with_a_finding_not_an_internal_error(tmp_path):
    """The command line on tryout10's j_surrogate3 file: a report is written, no traceback."""
    config = _project(tmp_path, "jsonl", "id", f"q{ESCAPE}")
    for engine in ENGINES:
        out = tmp_path / f"{engine}.json"
        run = subprocess.run(
            [sys.executable, "-m", "consistency", "audit", "--config", str(config)]
            + ["--engine", engine, "--format", "json", "--output", str(out)],
            capture_output=True, text=True, cwd=tmp_path, timeout=120,
        )  # fmt: skip
        assert "internal error" not in run.stderr and "Traceback" not in run.stderr
        assert run.returncode == 0, run.stderr  # one warning, one good quote at the list price
        findings = json.loads(out.read_text(encoding="utf-8"))["findings"]
        assert [(f["rule"], f["cause"]) for f in findings] == [("invalid-record", "bad-id")]


def test_a_record_with_a_surrogate_pair_escape_is_read():
    """``\\ud83d\\ude00`` is one character (U+1F600) in JSON: not a lone surrogate."""
    ctx = RecordContext(TZ, "ILS", frozenset({"web"}), default_channel="web")
    line = json.dumps(GOOD | {"text": "x"}).replace('"x"', '"\\ud83d\\ude00 \\\\ud800"')
    made = from_json_line(line, Location("a.jsonl", 1), ctx)
    assert isinstance(made, Observation) and made.text == "\U0001f600 \\ud800"


def test_a_platform_export_with_a_lone_surrogate_in_its_detail(tmp_path):
    """An Intercom export (fixtures/platforms) whose customer message holds ``\\ud800``: the
    conversation is refused naming the JSON path (its HTML, turned into text by lxml, would have
    been cut at the surrogate), and the file's other conversation is read."""
    sample = ROOT / "fixtures" / "platforms" / "intercom" / "conversations.json"
    text = sample.read_text(encoding="utf-8")
    assert "כמה עולה סיב 1000?" in text
    (tmp_path / "c.json").write_text(text.replace("כמה עולה סיב 1000?", ESCAPE), "utf-8")
    ctx = RecordContext(TZ, "ILS", frozenset({"chat"}), default_channel="chat")
    made = list(read_pattern(str(tmp_path / "c.json"), "intercom", ctx))
    refused = [m for m in made if isinstance(m, InvalidRecord)]
    assert [(r.field, "U+D800" in r.reason) for r in refused] == [
        ("$.conversations[0].source.body", True)
    ]
    assert any(isinstance(m, Observation) for m in made)  # the other conversation is read
