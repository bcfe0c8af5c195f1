"""Issue 12 leftovers found by the new-user tryout (/tmp/notes/tryout12.md, F5): number
syntax that was taken silently now gets a clear verdict, the same in every reader.

Each row names its weakness class (CWE) and where it came from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2
import pytest

from consistency.errors import InputError
from consistency.inputs.prices import load_price_list
from consistency.model import Location
from consistency.sandbox import SandboxedEnvironment
from consistency.sources.records import RecordContext, to_observation
from consistency.text.facts import extract_facts

from .helpers import LIMITED_ENV, PRICES, ROOT, TZ, ValueRow

# --- the price list (YAML): a negative zero has a line, not a silent ₪0.00 ------------------

PRICE_ROWS = [
    ValueRow(
        "-0", "negative zero", "CWE-1286 improper validation of syntax", "tryout 12 F5 neg0.yaml"
    ),
    ValueRow("-0.0", "negative amount", "CWE-1286 improper validation of syntax", "a float -0"),
    ValueRow("-00", "negative zero", "CWE-1286 improper validation of syntax", "leading zeros"),
    ValueRow("-0x0", "negative zero", "CWE-1286 improper validation of syntax", "YAML 1.1 hex"),
    ValueRow(
        "1_000", "underscored number", "CWE-1286 improper validation of syntax", "tryout 12 F5"
    ),
    ValueRow("-1", "negative amount", "CWE-20 improper input validation", "a plain negative"),
    ValueRow("0", "", "CWE-20 improper input validation", "a free product stays allowed"),
]


@pytest.mark.parametrize("row", PRICE_ROWS, ids=lambda r: r.value)
def test_a_price_list_amount_gets_a_verdict_at_its_line(tmp_path, row):
    path = tmp_path / "prices.yaml"
    path.write_text(
        f'version: "x"\ncurrency: ILS\nproducts:\n  - id: p\n    name: p\n    price: {row.value}\n',
        encoding="utf-8",
    )
    if not row.verdict:
        assert load_price_list(path, TZ).products["p"].prices[0].amount == Decimal(row.value)
        return
    with pytest.raises(InputError) as caught:
        load_price_list(path, TZ)
    [error] = caught.value.errors
    assert (error.line, error.col) == (6, 12), row.cls
    assert row.verdict in error.message, row.cls


# --- observation amounts: "1_000" is refused as "₪1_000" is ---------------------------------

CTX = RecordContext(timezone=TZ, currency="ILS", channels=frozenset({"web"}))

AMOUNT_ROWS = [
    ValueRow("1_000", "cannot read '1_000'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5 num19.jsonl: was read as 1000"),
    ValueRow("1_0_0", "cannot read '1_0_0'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5: was read as 100"),
    ValueRow("₪1_000", "cannot read '₪1_000'", "CWE-1286 improper validation of syntax",
        "tryout 12 F5: refused already"),
    ValueRow("9_9.9_0 ₪", "cannot read", "CWE-1286 improper validation of syntax", "tryout 12 F5"),
    ValueRow("-0", "a negative sign", "CWE-20 improper input validation", "issue 12: -0"),
    ValueRow("1000", "", "CWE-20 improper input validation", "a plain amount is still read"),
    ValueRow("₪1,000", "", "CWE-20 improper input validation", "grouped thousands are still read"),
]  # fmt: skip


@pytest.mark.parametrize("row", AMOUNT_ROWS, ids=lambda r: r.value)
def test_an_observation_amount_with_number_syntax_is_refused(row):
    record = {"channel": "web", "at": "2026-11-20T10:00:00+02:00", "amount": row.value}
    result = to_observation(record, Location("obs.jsonl", 1), CTX)
    if not row.verdict:
        assert result.amount == Decimal(1000)
        return
    assert result.field == "amount", row.cls
    assert row.verdict in result.reason, row.cls


# --- free text: "1_000 ש"ח" is no amount (it was read as 0) ----------------------------------

EXTRACT_ROWS = [
    ValueRow('המחיר 1_000 ש"ח', "", "CWE-1286 improper validation of syntax",
        'tryout 12 F5: extract gave 0 (raw 000 ש"ח)'),
    ValueRow("price 1_000 ₪", "", "CWE-1286 improper validation of syntax", "the same in English"),
    ValueRow("₪1_000", "", "CWE-1286 improper validation of syntax", "a sign before"),
]  # fmt: skip


@pytest.mark.parametrize("row", EXTRACT_ROWS, ids=lambda r: r.value)
def test_a_number_with_underscores_in_text_is_not_money(row):
    assert [f for f in extract_facts(row.value) if f.kind == "money"] == [], row.cls


def test_grouped_thousands_in_text_are_still_money():
    [fact] = [f for f in extract_facts('המחיר 1,000 ש"ח') if f.kind == "money"]
    assert fact.value == 1000


# --- templates: no inf or nan ----------------------------------------------------------------

FLOAT_ROWS = [
    ValueRow("{{ 1e308 * 10 }}", "not a finite number", "CWE-190 numeric overflow", "tryout 12 t9"),
    ValueRow("{{ 1e999999999 }}", "not a finite number", "CWE-190 numeric overflow", "tryout 12 t46"),
    ValueRow("{{ -1e308 * 10 }}", "not a finite number", "CWE-190 numeric overflow", "-inf"),
    ValueRow("{{ 'nan'|float }}", "not a finite number", "CWE-1286 improper validation of syntax",
        "a filter making nan"),
    ValueRow("{{ 'inf'|float }}", "not a finite number", "CWE-1286 improper validation of syntax",
        "a filter making inf"),
    ValueRow("{{ 1e308 + 1e308 }}", "not a finite number", "CWE-190 numeric overflow", "a sum"),
]  # fmt: skip


@pytest.mark.parametrize("row", FLOAT_ROWS, ids=lambda r: r.value)
def test_a_template_never_renders_inf_or_nan(row):
    with pytest.raises(jinja2.TemplateError, match=row.verdict):
        SandboxedEnvironment().from_string(row.value).render()


def test_finite_floats_still_render():
    assert SandboxedEnvironment().from_string("{{ 2.5 * 2 }} {{ 1e300 }}").render() == (
        "5.0 1e+300"
    )


# --- templates: what a filter or a format builds from a list, a mapping or a field ----------
# (tryout 12 F2: ``tojson(indent=N)`` over a long list was sized only by running out of
# memory, 3.95 GB). Every row runs in a fresh process under ``prlimit --as=1G``, so a row that
# allocates without bound fails its test, not the machine.

LIMITED = ["prlimit", "--as=1073741824", "--cpu=60"]
DEEP = "[" * 30 + "1" + "]" * 30


@dataclass(frozen=True)
class Big:
    name: str
    template: str
    message: str
    cls: str
    origin: str


BIG_OUTPUTS = [
    Big("tojson-indent", "{{ ('a,' * 40000).split(',') | tojson(indent=99999) }}",
        "|tojson would make over 100000", "CWE-770 allocation without limits",
        "tryout 12 F2 t27: 7.4 s and 3.95 GB"),
    Big("tojson-indent-text", "{{ ('a,' * 40000).split(',') | tojson(indent=' ' * 99999) }}",
        "|tojson would make over 100000", "CWE-770 allocation without limits",
        "an indent given as a text"),
    Big("tojson-indent-deep", "{{ " + DEEP + " | tojson(indent=99999) }}",
        "indent 99999 at nesting 30", "CWE-770 allocation without limits",
        "one line of depth x indent spaces"),
    Big("tojson-escapes", "{{ ('<' * 30000) | tojson }}", "|tojson would make over 100000",
        "CWE-400 uncontrolled resource consumption", "tojson writes < as \\u003c"),
    Big("pprint-key-indent", "{{ {('k' * 50000): ('a,' * 9999).split(',')} | pprint }}",
        "|pprint would make over 100000", "CWE-770 allocation without limits",
        "pformat indents a value by its key's length"),
    Big("format-field-reuse", "{{ ('{0}' * 9000).format('a' * 99999) }}",
        "format() would make over 100000", "CWE-134 externally-controlled format string",
        "one argument written 9,000 times"),
    Big("format-width-sum", "{{ ('{0:99999}' * 9000).format(1) }}",
        "format() would make over 100000", "CWE-134 externally-controlled format string",
        "widths each under the limit add up"),
    Big("format-map-reuse", "{{ ('{a}' * 9000).format_map({'a': 'x' * 50000}) }}",
        "format() would make over 100000", "CWE-134 externally-controlled format string",
        "format_map with one key used again and again"),
    Big("markup-format", "{{ (('{0}' * 9000) | safe).format('<' * 9999) }}",
        "format() would make over 100000", "CWE-134 externally-controlled format string",
        "Markup.format escapes each field"),
    Big("percent-key-reuse", "{{ ('%(a)s' * 9000) % {'a': 'x' * 50000} }}",
        "% format would make over 100000", "CWE-134 externally-controlled format string",
        "printf-style mapping key used again and again"),
    Big("percent-width-sum", "{{ ('%99999d' * 9000) % ((1,) * 9000) }}",
        "% format would make over 100000", "CWE-134 externally-controlled format string",
        "printf-style widths add up"),
    Big("format-filter-reuse", "{{ ('%(a)s' * 9000) | format(a='x' * 50000) }}",
        "% format would make over 100000", "CWE-134 externally-controlled format string",
        "the |format filter"),
    Big("urlize-target", "{{ ('http://a.co ' * 7000) | urlize(target='x' * 99999) }}",
        "|urlize would make over 100000", "CWE-770 allocation without limits",
        "an attribute copied into every link"),
]  # fmt: skip

PROBE = """
import sys
from consistency.sandbox import SandboxedEnvironment
try:
    SandboxedEnvironment().from_string(sys.argv[1]).render()
except Exception as exc:
    print(type(exc).__name__, exc)
"""


def run_limited(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, **LIMITED_ENV, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*LIMITED, sys.executable, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("big", BIG_OUTPUTS, ids=lambda b: b.name)
def test_a_big_output_is_refused_before_it_is_made(big):
    started = time.monotonic()
    done = run_limited("-c", PROBE, big.template)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OverBudget"), (big.cls, done.stdout)
    assert big.message in done.stdout, big.cls
    assert time.monotonic() - started < 20


def test_the_capped_writers_write_what_jinja2_writes():
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    template = (
        "{{ v|tojson }}|{{ v|tojson(indent=2) }}|{{ v|pprint }}|{{ '{0!r:>30}-{1}'.format(v, 1) }}"
        "|{{ '{a}'.format_map({'a': v}) }}|{{ '%s %r'|format(v, v) }}|{{ '%(a)s' % {'a': v} }}"
    )
    values = [[1, "<a&'b>"], {"z": [1, {"y": "שלום"}], "a": None}, {"k" * 90: list(range(30))}]
    for autoescape in (False, True):
        for value in values:
            ours = SandboxedEnvironment(autoescape=autoescape).from_string(template)
            theirs = ImmutableSandboxedEnvironment(autoescape=autoescape).from_string(template)
            assert ours.render(v=value) == theirs.render(v=value)


@pytest.fixture(scope="module")
def big_config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("big")
    (folder / "prices.yaml").write_text(PRICES, encoding="utf-8")
    lines = ["answers:"]
    for big in BIG_OUTPUTS:
        lines += [f"  - id: {big.name}", f"    answer: {json.dumps(big.template)}"]
    (folder / "answers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "obs.jsonl").write_text(
        '{"channel": "web", "at": "2026-11-20T10:00:00+02:00", "text": "hello"}\n', "utf-8"
    )
    (folder / "consistency.yaml").write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
        "sources:\n  - channel: web\n    files: [obs.jsonl]\n",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("command", ["lint", "audit"])
def test_lint_and_audit_name_every_big_output_at_its_line_and_exit_2(big_config, command):
    extra = ["--no-fetch"] if command == "audit" else []
    done = run_limited("-m", "consistency", command, "--config", "consistency.yaml", *extra,
                       cwd=big_config)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    said = done.stdout if command == "lint" else done.stderr
    for index, big in enumerate(BIG_OUTPUTS):
        where = f"answers.yaml:{3 + 2 * index}:13:"
        lines = [line for line in said.splitlines() if where in line]
        assert lines, f"{big.name} ({big.cls}) not reported at {where}"
        assert big.message in lines[0], big.name


# --- limits set in the config: honoured by lint and audit -----------------------------------


@dataclass(frozen=True)
class Configured:
    name: str
    limits: str  # the config's limits: section, YAML flow style
    answer: str
    prices_extra: str  # appended to the price list
    expect: str  # a fragment of the problem; "" when the run is clean
    where: str  # file:line:col of the problem
    origin: str


CONFIGURED = [
    Configured("steps-lowered", "{templates: {steps: 10}}",
               "{% for c in 'abcdefghijklmnopqrst' %}{{ c }}{% endfor %}", "",
               "more than 10 steps", "answers.yaml:3:13:",
               "a team that wants a tighter budget than the default"),
    Configured("text-raised", "{templates: {text: 300000, output: 300000, produced: 3000000}}",
               "{{ 'a' * 150000 }}", "", "", "",
               "a long legal text above the default 100,000 characters"),
    Configured("text-default", "{}", "{{ 'a' * 150000 }}", "",
               "would make 150000 characters; the limit is 100000", "answers.yaml:3:13:",
               "the same answer without the config's limit"),
    Configured("yaml-digits-lowered", "{yaml: {number_digits: 3}}", "ok",
               "  - {id: q, name: q, price: 1234}\n", "more than 3 digits",
               "prices.yaml:5:", "YAML limits apply to the files the config names"),
    Configured("yaml-bytes-lowered", "{yaml: {bytes: 1024}}  # " + "x" * 1100, "ok",
               "  - {id: q, name: " + "q" * 1100 + ", price: 2}\n", "over 1,024 bytes",
               "prices.yaml", "the price list over it; the config itself (also over 1 KB) is "
               "read with the defaults"),
]  # fmt: skip


def _configured_folder(tmp_path: Path, row: Configured) -> Path:
    (tmp_path / "prices.yaml").write_text(
        'version: "x"\ncurrency: ILS\nproducts:\n  - {id: p, name: p, price: 1}\n'
        + row.prices_extra,
        encoding="utf-8",
    )
    (tmp_path / "answers.yaml").write_text(
        f"answers:\n  - id: a\n    answer: {json.dumps(row.answer)}\n", encoding="utf-8"
    )
    (tmp_path / "obs.jsonl").write_text(
        '{"channel": "web", "at": "2026-11-20T10:00:00+02:00", "text": "hello"}\n', "utf-8"
    )
    (tmp_path / "consistency.yaml").write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
        f"limits: {row.limits}\nsources:\n  - channel: web\n    files: [obs.jsonl]\n",
        encoding="utf-8",
    )
    return tmp_path


@pytest.mark.parametrize("row", CONFIGURED, ids=lambda r: r.name)
@pytest.mark.parametrize("command", ["lint", "audit"])
def test_the_configs_limits_are_honoured_by_lint_and_audit(tmp_path, row, command):
    folder = _configured_folder(tmp_path, row)
    extra = ["--no-fetch", "--format", "json"] if command == "audit" else []
    done = run_limited("-m", "consistency", command, "--config", "consistency.yaml", *extra,
                       cwd=folder)  # fmt: skip
    said = done.stdout + done.stderr
    assert "internal error" not in said and "Traceback" not in said
    if not row.expect:
        assert done.returncode in (0, 1), said  # clean, or findings: no input problem
        return
    assert done.returncode == 2, said
    lines = [line for line in said.splitlines() if row.where in line]
    assert lines and row.expect in lines[0], said


def test_a_limit_outside_its_range_is_a_config_error_at_its_line(tmp_path):
    row = CONFIGURED[0]
    folder = _configured_folder(tmp_path, row)
    text = (folder / "consistency.yaml").read_text(encoding="utf-8")
    (folder / "consistency.yaml").write_text(
        text.replace(row.limits, "{templates: {text: 0}, yaml: {number_digits: 99999}}"), "utf-8"
    )
    done = run_limited("-m", "consistency", "lint", "--config", "consistency.yaml", cwd=folder)
    assert done.returncode == 2
    assert "consistency.yaml:4:" in done.stdout and "text" in done.stdout
    assert "number_digits" in done.stdout
