"""Hostile templates (issue 12, item 3): every attack is refused fast, as a file:line:col error.

Each row names its class (CWE). The same rows run three ways: through the sandbox
directly, through ``load_answers`` (the error names the answer's line and column),
and through the command line (``lint`` and ``audit``) in a subprocess under
``prlimit`` (1 GB of address space, 60 s of CPU) and a timeout, so a row that
allocates or loops without bound fails the test instead of the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import jinja2
import pytest

from consistency.errors import InputError
from consistency.inputs.answers import load_answers
from consistency.inputs.config import SourceConfig
from consistency.model import Location
from consistency.sandbox import Limits, OverBudget, SandboxedEnvironment, TemplateFault
from consistency.sources.chat import fetch_chat

from .helpers import LIMITED_ENV, PRICES, TZ

ROOT = Path(__file__).resolve().parent.parent
LIMITED = ["prlimit", "--as=1073741824", "--cpu=60"]  # 1 GB address space, 60 s CPU


@dataclass(frozen=True)
class Attack:
    name: str
    template: str
    message: str  # a fragment of the error
    cls: str  # the weakness class
    origin: str  # where the row came from
    in_answers: str = ""  # the error in answers.yaml, when not ``message`` (no range() there)


ATTACKS = [
    Attack("repeat-string", "{{ 'a'*10**9 }}", "would make 1000000000 characters",
           "CWE-770 allocation without limits", "issue 12: lint took 43 s and 3.8 GB"),
    Attack("power-tower", "{{ 9**(9**9) }}", "bits; the limit is 128",
           "CWE-400 uncontrolled resource consumption", "issue 12: hangs"),
    Attack("center-filter", "{{ 'a'|center(10**9) }}", "|center: 1000000000 is over",
           "CWE-770 allocation without limits", "issue 12: out of memory"),
    Attack("center-literal", "{{ 'a'|center(1000000000) }}", "|center: 1000000000 is over",
           "CWE-770 allocation without limits", "constant folding at compile time"),
    Attack("nested-loops",
           "{% for a in 'x'*9999 %}{% for b in 'x'*9999 %}{% endfor %}{% endfor %}",
           "steps", "CWE-834 excessive iteration", "issue 12: hangs"),
    Attack("nested-loops-hoisted",
           "{% set r = ('x'*9999)|list %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}",
           "steps", "CWE-834 excessive iteration", "a list made once, looped twice"),
    Attack("big-range", "{{ range(10**9)|list }}", "range() of 1000000000 numbers",
           "CWE-770 allocation without limits", "issue 12: internal error in chat",
           in_answers="unknown template name 'range'"),
    Attack("recursive-macro", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}",
           "nested more than 50 deep", "CWE-674 uncontrolled recursion",
           "issue 12: internal error in chat"),
    Attack("recursive-loop", "{% for x in [1] recursive %}{{ loop([1]) }}{% endfor %}",
           "nested more than 50 deep", "CWE-674 uncontrolled recursion", "jinja2 loop(...)"),
    Attack("format-map-missing", "{{ '{a}'.format_map({}) }}", "KeyError",
           "CWE-134 externally-controlled format string", "issue 12: internal error in chat"),
    Attack("format-width", "{{ '{:>999999999}'.format(1) }}", "format: 999999999 is over",
           "CWE-134 externally-controlled format string", "str.format width"),
    Attack("percent-width", "{{ '%999999999d' % 1 }}", "% format: 999999999 is over",
           "CWE-134 externally-controlled format string", "printf-style width"),
    Attack("to-bytes", "{{ (1).to_bytes(10**9, 'big') }}", "to_bytes(): 1000000000 is over",
           "CWE-770 allocation without limits", "a method of a number"),
    Attack("doubling-concat", "{% set s = 'a'*99 %}" + "{% set s = s ~ s %}" * 14 + "{{ s }}",
           "~ would make over 100000", "CWE-770 allocation without limits", "~ doubling"),
    Attack("wide-join", "{% set a = 'x'*10000 %}{{ [a,a,a,a,a,a,a,a,a,a,a]|join }}",
           "|join would make over", "CWE-770 allocation without limits", "join of shared parts"),
    Attack("wrapstring", "{{ 'ab'|wordwrap(1, wrapstring='z'*60000) }}", "|wordwrap would make",
           "CWE-770 allocation without limits", "a separator per line"),
    Attack("loop-output", "{% for i in 'x'*9999 %}{{ 'x'*9999 }}{% endfor %}",
           "output would be over", "CWE-400 uncontrolled resource consumption", "output budget"),
    Attack("loop-literal", "{% for i in 'x'*9999 %}" + "x" * 200 + "{% endfor %}",
           "output would be over", "CWE-400 uncontrolled resource consumption", "literal text"),
    Attack("float-overflow", "{{ 10.0 ** 400 }}", "OverflowError",
           "CWE-190 numeric overflow", "a Python error inside the template"),
    Attack("long-literal", "{{ " + "9" * 4301 + " }}", "4301 digits",
           "CWE-400 uncontrolled resource consumption", "issue 12: 4,301-digit integers"),
    Attack("big-literal", "{{ 1" + "0" * 60 + " }}", "number of 200 bits",
           "CWE-190 numeric overflow", "numbers have a size limit"),
    Attack("deep-nesting", "{{ " + "(" * 400 + "1" + ")" * 400 + " }}", "nested too deeply",
           "CWE-674 uncontrolled recursion", "the parser recurses"),
    Attack("private-attribute", "{{ ''.__class__.__mro__ }}", "unsafe",
           "CWE-1336 template injection (SSTI)", "the classic sandbox escape"),
    Attack("mutate-list", "{% set l = [1] %}{{ l.append(2) }}", "unsafe",
           "CWE-1336 template injection (SSTI)", "the immutable sandbox"),
]  # fmt: skip

BY_NAME = {a.name: a for a in ATTACKS}


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_the_sandbox_refuses_each_attack_fast(attack):
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    started = time.monotonic()
    with pytest.raises(jinja2.TemplateError) as caught:
        env.from_string(attack.template).render()
    assert attack.message in str(caught.value), attack.cls
    assert time.monotonic() - started < 2 * Limits().seconds


def test_budgets_leave_ordinary_templates_alone():
    env = SandboxedEnvironment()
    text = env.from_string(
        "{{ 'ab' * 2 }} {{ 2 ** 10 }} {{ [1, 2]|join(',') }} "
        "{% for i in range(3) %}{{ i }}{% endfor %} {{ '%5.2f'|format(3.14159) }} "
        "{{ '{:>4}'.format('x') }} {{ 'a' ~ 'b' }}"
    ).render()
    assert text == "abab 1024 1,2 012  3.14    x ab"


def test_a_smaller_budget_is_honoured():
    env = SandboxedEnvironment(limits=Limits(steps=10))
    with pytest.raises(OverBudget, match="more than 10 steps"):
        env.from_string("{% for i in range(20) %}{% endfor %}").render()
    assert env.from_string("{% for i in range(5) %}{{ i }}{% endfor %}").render() == "01234"


def test_a_test_spends_a_step_as_a_filter_does():
    """``is`` tests are functions like filters: each call spends a step (they were left
    unbudgeted: the line that wrapped them came after a ``return``)."""
    env = SandboxedEnvironment(limits=Limits(steps=10))
    many = " and ".join(["x is number"] * 30)  # a variable: jinja2 folds constants at compile
    with pytest.raises(OverBudget, match="more than 10 steps"):
        env.from_string("{{ " + many + " }}").render(x=1)
    assert env.from_string("{{ x is number and y is string }}").render(x=1, y="a") == "True"


def test_a_python_error_inside_a_template_is_a_template_fault_with_its_line():
    env = SandboxedEnvironment()
    with pytest.raises(TemplateFault) as caught:
        env.from_string("line one\n{{ 1 // 0 }}").render()
    assert "ZeroDivisionError" in str(caught.value)
    from consistency.sandbox import template_line

    assert template_line(caught.value) == 2


def test_the_callers_own_exceptions_pass_through():
    class Mine(LookupError):
        pass

    def boom():
        raise Mine("no price")

    env = SandboxedEnvironment(passthrough=(Mine,))
    with pytest.raises(Mine):
        env.from_string("{{ boom() }}").render(boom=boom)


# --- through load_answers: file, line and column of the answer -----------------------------


def answers_yaml(attacks: list[Attack]) -> str:
    lines = ["answers:"]
    for attack in attacks:
        lines += [f"  - id: {attack.name}", f"    answer: {json.dumps(attack.template)}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from consistency.inputs.prices import load_price_list
    from consistency.pricebook import PriceBook

    path = tmp_path_factory.mktemp("prices") / "prices.yaml"
    path.write_text(PRICES, encoding="utf-8")
    return PriceBook(load_price_list(path, TZ))


def test_every_attack_in_answers_is_an_error_at_its_answer(tmp_path, book):
    path = tmp_path / "answers.yaml"
    path.write_text(answers_yaml(ATTACKS), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_answers(path, book, TZ)
    errors = {e.line: e for e in caught.value.errors}
    for index, attack in enumerate(ATTACKS):
        line = 3 + 2 * index  # "answer:" of the index-th answer
        assert line in errors, f"{attack.name} ({attack.cls}) was not refused"
        error = errors[line]
        assert (error.file, error.col) == (str(path), 13)
        assert (attack.in_answers or attack.message) in error.message, attack.name


def test_an_attack_on_a_branch_the_load_did_not_take_fails_the_render_not_the_run(tmp_path, book):
    from datetime import datetime

    # The trial render at load time gives price() the stand-in ₪1.00; the real price differs.
    template = "{% if price('fiber-500') != '₪1.00' %}{{ 'a' * 10**9 }}{% endif %}ok"
    path = tmp_path / "answers.yaml"
    path.write_text(f"answers:\n  - id: trap\n    answer: {json.dumps(template)}\n", "utf-8")
    answers = load_answers(path, book, TZ)
    assert answers.rendered("trap", datetime(2026, 11, 20, tzinfo=TZ)) is None
    [failure] = answers.failures.values()
    assert (failure.line, failure.col) == (2, 5)  # the answer's entry
    assert "answer trap: template over budget: 'a' * 1000000000 would make" in failure.message


# --- through the command line, under prlimit -------------------------------------------------


@pytest.fixture(scope="module")
def hostile_config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "prices.yaml").write_text(PRICES, encoding="utf-8")
    (folder / "answers.yaml").write_text(answers_yaml(ATTACKS), encoding="utf-8")
    (folder / "obs.jsonl").write_text(
        '{"channel": "web", "at": "2026-11-20T10:00:00+02:00", "text": "hello"}\n', "utf-8"
    )
    config = folder / "consistency.yaml"
    config.write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
        "sources:\n  - channel: web\n    files: [obs.jsonl]\n",
        encoding="utf-8",
    )
    return config


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, **LIMITED_ENV, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [*LIMITED, sys.executable, "-m", "consistency", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("command", ["lint", "audit"])
def test_the_command_line_names_every_attack_and_exits_2_under_prlimit(hostile_config, command):
    extra = ["--no-fetch"] if command == "audit" else []
    done = run_cli(command, "--config", "consistency.yaml", *extra, cwd=hostile_config.parent)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    for index, attack in enumerate(ATTACKS):
        where = f"answers.yaml:{3 + 2 * index}:13:"
        said = done.stdout if command == "lint" else done.stderr  # lint's problems: stdout
        lines = [line for line in said.splitlines() if where in line]
        assert lines, f"{attack.name} ({attack.cls}) not reported at {where}"
        assert (attack.in_answers or attack.message) in lines[0]


# --- chat templates: the same sandbox --------------------------------------------------------

CHAT_ATTACKS = [
    ("body", "{{ range(10**9)|list }}", "range() of 1000000000 numbers"),
    ("body", "{% macro f(n) %}{{ f(n) }}{% endmacro %}{{ f(1) }}", "nested more than 50 deep"),
    ("body", "{{ '{a}'.format_map({}) }}", "KeyError"),
    ("header", "{{ 'a'|center(10**9) }}", "|center: 1000000000 is over"),
]


@pytest.mark.parametrize("field, template, message", CHAT_ATTACKS, ids=lambda v: str(v)[:20])
def test_a_chat_template_over_budget_is_a_config_error_at_its_source(
    httpserver, field, template, message
):
    """issue 12: these aborted the whole run with "internal error"; issue 12 item 3 asks for a
    file:line:col error, so the template is rendered once with stand-ins when its source loads."""
    options = {"url": httpserver.url_for("/chat"), "ask": ["q1"]}
    if field == "body":
        options["body"] = {"text": template}
    else:
        options |= {"body": {"text": "{{ question }}"}, "headers": {"X-Q": template}}
    src = SourceConfig("chat", fetch="http-chat", options=options, where=Location("c.yaml", 7, 5))
    with pytest.raises(InputError) as caught:
        list(fetch_chat(src, tz=TZ, questions=()))
    [error] = caught.value.errors
    assert (error.file, error.line, error.col) == ("c.yaml", 7, 5)
    assert message in error.message
    assert not httpserver.log  # nothing was sent


def test_a_chat_template_with_a_huge_number_is_a_config_error_at_its_source(httpserver):
    options = {"url": httpserver.url_for("/chat"), "ask": ["q1"], "body": {"n": "{{ 1" + "0" * 60 + " }}"}}  # fmt: skip
    src = SourceConfig("chat", fetch="http-chat", options=options, where=Location("c.yaml", 7, 5))
    with pytest.raises(InputError) as caught:
        list(fetch_chat(src, tz=TZ, questions=()))
    [error] = caught.value.errors
    assert (error.file, error.line, error.col) == ("c.yaml", 7, 5)
    assert "200 bits" in error.message


def test_audit_reports_an_attack_on_a_branch_the_load_did_not_take_and_exits_2(tmp_path):
    template = "{% if price('fiber-500') != '₪1.00' %}{{ 'a' * 10**9 }}{% endif %}ok"
    (tmp_path / "prices.yaml").write_text(PRICES, encoding="utf-8")
    (tmp_path / "answers.yaml").write_text(
        f"answers:\n  - id: trap\n    answer: {json.dumps(template)}\n", encoding="utf-8"
    )
    record = {"channel": "chat", "at": "2026-11-20T10:00:00+02:00", "text": "ok", "answer": "trap"}
    (tmp_path / "obs.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    (tmp_path / "consistency.yaml").write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
        "sources:\n  - channel: chat\n    files: [obs.jsonl]\n",
        encoding="utf-8",
    )
    done = run_cli("audit", "--no-fetch", "--format", "json", cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "answers.yaml:2:5: answer trap: template over budget" in done.stderr
    assert "internal error" not in done.stderr
    assert json.loads(done.stdout)["summary"]["observations"] == 1  # the report is written
    linted = run_cli("lint", "--config", "consistency.yaml", cwd=tmp_path)
    assert linted.returncode == 2, linted.stderr
    assert "answers.yaml:2:5: answer trap: template over budget" in linted.stdout
