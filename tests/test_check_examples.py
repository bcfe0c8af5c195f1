"""Each check's Passing and Failing docstring examples, run through the audit (issue 9, item 6).

As great_expectations runs its expectations' examples as tests: the examples in a
check's docstring (and so in docs/checks.md) are written against the demo company
(``fixtures/demo``: its price list and approved answers), and run here through the
real path, ``audit()`` with the example's records as ``--observations``. A Failing
example must produce at least one finding of its check; a Passing one none.

An example is a paragraph starting ``Passing`` or ``Failing`` whose literal block
(after ``::``) holds, in any mix:

- records: JSON objects, one or more, as an observations file holds them (SPEC 3.3);
- ``rules:`` YAML: the rule set to run instead of rules/default.yaml;
- ``sources:`` YAML: sources for the config (a file that does not exist, say).

An example without a literal block cannot run, and fails here: write it runnable.
"""

from __future__ import annotations

import inspect
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from consistency import checks
from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"
HEADER = re.compile(r"^(Passing|Failing)\b")


@dataclass(frozen=True)
class Example:
    check: str
    failing: bool
    title: str  # the example's first line, for the test id and messages
    blocks: tuple[str, ...]  # its literal blocks, dedented

    @property
    def id(self) -> str:
        return f"{self.check}: {self.title[:60]}"


def examples_of(check_id: str) -> list[Example]:
    """The Passing/Failing examples of a check's docstring, in their order."""
    lines = inspect.cleandoc(checks.get(check_id).__doc__ or "").splitlines()
    found, current, blank = [], None, False
    for line in lines:
        if HEADER.match(line):
            current = [line, []]
            found.append(current)
        elif current is not None and line.startswith("    "):
            current[1].append(line)
        elif line.strip() and blank:
            current = None  # a new paragraph ends the example
        blank = not line.strip()
    return [_example(check_id, title, body) for title, body in found]


def _example(check_id: str, title: str, body: list[str]) -> Example:
    text = inspect.cleandoc("\n".join(body)) if body else ""
    blocks = tuple(b for b in re.split(r"\n(?=rules:|sources:|\{)", text) if b.strip())
    return Example(check_id, title.startswith("Failing"), title, blocks)


def records_in(block: str) -> list[dict]:
    """Every JSON object in ``block``, objects possibly spanning lines."""
    decoder, found, pos = json.JSONDecoder(), [], 0
    while (start := block.find("{", pos)) != -1:
        value, pos = decoder.raw_decode(block, start)
        found.append(value)
    return found


EXAMPLES = [example for check_id in checks.names() for example in examples_of(check_id)]


def run(example: Example, tmp_path: Path):
    for name in ("prices.yaml", "answers.yaml"):
        shutil.copy(DEMO / name, tmp_path / name)
    config = ["timezone: Asia/Jerusalem", "price_list: prices.yaml", "answers: answers.yaml"]
    records = []
    for block in example.blocks:
        if block.startswith("rules:"):
            (tmp_path / "rules.yaml").write_text(block + "\n", encoding="utf-8")
            config.append("rules: [rules.yaml]")
        elif block.startswith("sources:"):
            config.append(block)
        else:
            records += records_in(block)
    observations = tmp_path / "observations.jsonl"
    lines = [json.dumps(record, ensure_ascii=False) for record in records]
    observations.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    (tmp_path / "consistency.yaml").write_text("\n".join(config) + "\n", encoding="utf-8")
    options = AuditOptions(observations=[observations], fetch=False, engine="python", jobs=1)
    return audit(load_config(tmp_path / "consistency.yaml"), options), len(records)


def test_every_check_has_a_failing_and_a_passing_example():
    failing = {example.check for example in EXAMPLES if example.failing}
    passing = {example.check for example in EXAMPLES if not example.failing}
    assert failing == set(checks.names())
    # a source that cannot be read has no passing form worth a record file
    assert passing == set(checks.names()) - {"channel-unreachable"}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.id for example in EXAMPLES])
def test_the_example_runs_as_documented(example, tmp_path):
    assert example.blocks, f"{example.id}: no literal block (::) to run"
    result, records = run(example, tmp_path)
    internal = [f.message for f in result.findings if f.rule == "internal-error"]
    assert internal == []
    if example.check not in ("invalid-record", "channel-unreachable"):
        assert result.observations == records, result.errors  # every record was read
    mine = [f.message for f in result.findings if f.rule == example.check]
    if example.failing:
        assert mine, f"no {example.check} finding; found {[f.rule for f in result.findings]}"
    else:
        assert mine == []


@pytest.mark.parametrize(
    ("docstring_block", "expected"),
    [
        ('{"a": 1}\n{"b": [1,\n 2]}', [{"a": 1}, {"b": [1, 2]}]),
        ('{"t": "ש\\"ח {x}"}', [{"t": 'ש"ח {x}'}]),
    ],
    ids=["two records, one over two lines", "braces and quotes inside a string"],
)
def test_records_are_read_from_a_block(docstring_block, expected):
    assert records_in(docstring_block) == expected
