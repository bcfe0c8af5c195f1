"""``consistency lint`` as users run it (issue 9's tryout): the real command in a subprocess.

Each test builds the tryout's repro (/tmp/tryout9/repro/make.sh, F1…F13) in ``tmp_path``
and asserts what one run of the command prints.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRICES = """\
version: "2026-11"
currency: ILS
vat: {included: true, rate: 0.18}
tolerance: {amount: 0.01}
products:
  - id: fiber-500
    name: סיב 500 מגה
    aliases: ["fiber 500", "סיבים 500"]
    prices:
      - {amount: 99.90, from: 2026-01-01, to: 2026-11-30}
      - {amount: 109.90, from: 2026-12-01}
  - id: cancel-fee
    name: דמי ביטול
    unit: one-time
    price: 50
promotions:
  - {id: black-friday, products: [fiber-500], discount: {percent: 20}, channels: [web, chat],
     from: 2026-11-20, to: 2026-11-30}
channels:
  phone: {max_discount: {percent: 5}}
"""
ANSWERS = """\
answers:
  - id: cancellation-fee
    questions: [כמה עולה לבטל את המנוי?, What does it cost to cancel?]
    answer: >-
      ביטול ללא עלות בתוך 14 יום מההצטרפות, ולאחר מכן דמי ביטול של {{ price("cancel-fee") }}.
    facts:
      - {money: {price: cancel-fee}}
      - {duration: {value: 14, unit: day}}
"""
OBSERVATION = '{"channel":"phone","at":"2026-11-21T10:00","product":"fiber-500","amount":"99.90"}\n'


def consistency(folder: Path, *args: str, env: dict | None = None):
    """The installed ``consistency`` command, run in ``folder``."""
    full = {k: v for k, v in os.environ.items() if k != "CONSISTENCY_CONFIG"}
    full.update({"NO_COLOR": "1", **(env or {})})
    done = subprocess.run(
        [sys.executable, "-m", "consistency", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        env=full,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# --- H1: lint FILE… (pre-commit's path) uses the config's channels -----------------------

F1 = {
    "prices.yaml": PRICES.replace("[web, chat]", "[web, store]"),
    "a.jsonl": OBSERVATION,
    "consistency.yaml": "price_list: prices.yaml\nsources:\n  - {channel: store, files: [a.jsonl]}\n",
}


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["lint"], id="lint finds ./consistency.yaml"),
        pytest.param(["lint", "consistency.yaml", "prices.yaml"], id="config among FILE…"),
        pytest.param(["lint", "prices.yaml"], id="FILE… with ./consistency.yaml"),
        pytest.param(["audit", "--no-fetch", "-q", "-o", "out"], id="audit"),
    ],
)
def test_lint_files_use_the_configs_channels(tmp_path, args):
    """Tryout F1: 'store' is a channel only the config's source names."""
    done = consistency(write(tmp_path, F1), *args)
    assert done.returncode == 0, done.stdout + done.stderr


def test_lint_files_find_the_config_in_a_parent_and_by_env(tmp_path):
    """Tryout F1 from a subfolder, and with $CONSISTENCY_CONFIG."""
    write(tmp_path, F1)
    sub = tmp_path / "sub"
    sub.mkdir()
    assert consistency(sub, "lint", "../prices.yaml").returncode == 0
    other = tmp_path / "other"
    other.mkdir()
    env = {"CONSISTENCY_CONFIG": str(tmp_path / "consistency.yaml")}
    assert consistency(other, "lint", str(tmp_path / "prices.yaml"), env=env).returncode == 0


def test_lint_files_without_a_config_use_the_default_channels(tmp_path):
    """Without any config, 'store' is unknown: the check still runs on FILE…."""
    write(tmp_path, {"prices.yaml": F1["prices.yaml"]})
    done = consistency(tmp_path, "lint", "prices.yaml")
    assert done.returncode == 2
    assert "unknown channel 'store'" in done.stdout


def test_lint_files_report_only_the_files_given(tmp_path):
    """A problem in another file the config names is not the FILE's problem."""
    write(tmp_path, {**F1, "answers.yaml": "answers: [{id: x}]\n"})
    (tmp_path / "consistency.yaml").write_text(F1["consistency.yaml"] + "answers: answers.yaml\n")
    assert consistency(tmp_path, "lint", "prices.yaml").returncode == 0
    assert consistency(tmp_path, "lint", "answers.yaml").returncode == 2


# --- M5: json and sarif stdout is the document only --------------------------------------


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_clean_lint_prints_only_the_document(tmp_path, fmt):
    """Tryout F10: `lint --format json | python -m json.tool` on a clean project."""
    done = consistency(write(tmp_path, F1), "lint", "--format", fmt)
    assert done.returncode == 0
    document = json.loads(done.stdout)
    assert document == [] if fmt == "json" else document["version"] == "2.1.0"


# --- H4: every problem in one run ----------------------------------------------------------

ONE_RUN = [
    pytest.param(
        {
            "prices.yaml": "currency: ILS\nproducts:\n"
            "  - {id: fiber-500, name: a, unit: month, price: abc}\n"
            "  - {id: fiber-500, name: b, price: 20}\n"
            "  - {id: tv, name: c, prices: [{amount: 10, from: 2026-01-01},"
            " {amount: 12, from: 2026-02-30}]}\n",
        },
        ["lint", "prices.yaml"],
        [
            "prices.yaml:3:50: products[0].price: 'abc' is not a number",
            "prices.yaml:4:10: products[1].id: duplicate product id 'fiber-500'",
            "prices.yaml:5:83: products[2].prices[1].from: '2026-02-30' is not a valid date",
        ],
        id="tryout F5: a bad date, a bad number and a repeat of the bad item's id",
    ),
    pytest.param(
        {"prices.yaml": "products:\n  - {id: a, price: -0}\n  - {id: a, price: 1, price: 2}\n"},
        ["lint", "prices.yaml"],
        [
            "prices.yaml:2:20: products[0].price: '-0' is a negative zero",
            "prices.yaml:3:23: products[1].price: duplicate key 'price'",
            "products[1].id: duplicate product id 'a'",
        ],
        id="tryout H4: -0 and a duplicate key do not stop the file's other checks",
    ),
    pytest.param(
        {
            "prices.yaml": PRICES,
            "a.jsonl": OBSERVATION,
            "rules.yaml": "rules:\n  - {id: price-mismatch, severity: fatal, channels: [shop]}\n"
            "  - {id: price-mismatch}\n",
            "consistency.yaml": "price_list: prices.yaml\nrules: [rules.yaml]\n"
            "sources:\n  - {channel: phone, files: [a.jsonl]}\n",
        },
        ["lint"],
        [
            "rules.yaml:2:36: rules[0].severity: 'fatal' is not one of",
            "rules.yaml:2:54: rules[0].channels[0]: unknown channel 'shop'",
            "rules.yaml:3:10: rules[1].id: duplicate rule id 'price-mismatch'",
        ],
        id="tryout F6: a bad severity hides neither the channel nor the repeat",
    ),
    pytest.param(
        {
            "prices.yaml": PRICES,
            "a.jsonl": OBSERVATION,
            "answers.yaml": "answers:\n  - id: a1\n    questions: [q1]\n"
            '    answer: "דמי ביטול של 40 ש״ח"\n    facts: [{money: {price: cancel-fee}}]\n'
            "  - id: a1\n    questions: [q2]\n    answer: \"{{ price('fiber-500' }}\"\n",
            "consistency.yaml": "price_list: prices.yaml\nanswers: answers.yaml\n"
            "sources:\n  - {channel: phone, files: [a.jsonl]}\n",
        },
        ["lint"],
        [
            "answers.yaml:6:9: answers[1].id: duplicate answer id 'a1'",
            "answers.yaml:8:13: answers[1].answer: template syntax error",
            "answers.yaml:4:13: answers[0].answer: answer a1 states 40 ש״ח for דמי ביטול; "
            "the list price is ₪50.00",
        ],
        id="tryout F7: a repeat's template, and another answer's text, in one run",
    ),
    pytest.param(
        {
            "prices.yaml": "products:\n  - {id: a, price: x}\n  - {id: b, price: 1}\n",
            "answers.yaml": "answers:\n  - id: q\n    questions: [q]\n"
            "    answer: \"{{ price('c') }} {{ price('b') }}\"\n"
            "    facts: [{money: {price: d}}]\n",
            "consistency.yaml": "price_list: prices.yaml\nanswers: answers.yaml\n",
        },
        ["lint"],
        [
            "prices.yaml:2:20: products[0].price: 'x' is not a number",
            "answers.yaml:4:13: answers[0].answer: price(): unknown product 'c'",
            "answers.yaml:5:29: answers[0].facts[0].money.price: unknown product 'd'",
        ],
        id="tryout F7: unknown products checked against what the broken list names",
    ),
    pytest.param(
        {
            "prices.yaml": PRICES,
            "a.jsonl": OBSERVATION,
            "consistency.yaml": "price_list: prices.yaml\nsources:\n"
            '  - {channel: phone, files: [a.jsonl], encoding: utf-9, delimiter: ";;"}\n'
            "  - channel: chat\n    fetch: http-chat\n    url: https://bot.example.co.il/api\n"
            "    timeout: -5\n    reply: $.x[[\n",
        },
        ["lint"],
        [
            "consistency.yaml:3:50: sources[0].encoding: unknown encoding 'utf-9'",
            "consistency.yaml:3:68: sources[0].delimiter: ';;' is too long",
            "consistency.yaml:7:14: sources[1].timeout: -5 is less than",
            "bad JSONPath '$.x[['",
        ],
        id="tryout H4 config: delimiter and encoding of one source; http-chat reply too",
    ),
]


@pytest.mark.parametrize(("files", "args", "expected"), ONE_RUN)
def test_lint_shows_every_problem_in_one_run(tmp_path, files, args, expected):
    done = consistency(write(tmp_path, files), *args)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    for wanted in expected:
        assert any(line.startswith(wanted) or wanted in line for line in lines), (wanted, lines)


# --- H3, M2: approved answers against the list, whatever the day ---------------------------


def answers_project(folder: Path, answer: str) -> Path:
    return write(
        folder,
        {
            "prices.yaml": PRICES,
            "a.jsonl": OBSERVATION,
            "answers.yaml": f'answers:\n  - id: a\n    questions: [q]\n    answer: "{answer}"\n',
            "consistency.yaml": "price_list: prices.yaml\nanswers: answers.yaml\n"
            "sources:\n  - {channel: web, files: [a.jsonl]}\n",
        },
    )


@pytest.mark.parametrize(
    ("answer", "problem"),
    [
        pytest.param(
            "מדצמבר סיב 500 מגה יעלה {{ price('fiber-500', at='2026-12-01') }} לחודש.",
            None,
            id="tryout F4: SPEC 3.2's price(id, at=...) is judged at its own date",
        ),
        pytest.param(
            "סיב 500 מגה עולה ₪99.90 לחודש", None, id="right in the first window: not lint's"
        ),
        pytest.param(
            "סיב 500 מגה עולה ₪109.90 לחודש", None, id="right from 2026-12-01: not lint's"
        ),
        pytest.param(
            "סיב 500 מגה עולה ₪89 לחודש",
            "answers.yaml:4:13: answers[0].answer: answer a states ₪89 for סיב 500 מגה; "
            "the list price is ₪99.90 or ₪109.90",
            id="wrong in every window: a problem at the answer field, whatever the day",
        ),
        pytest.param(
            'דמי ביטול 40 ש\\"ח',
            'answers.yaml:4:13: answers[0].answer: answer a states 40 ש"ח for דמי ביטול; '
            "the list price is ₪50.00",
            id="tryout F3: a constant price stated wrong",
        ),
    ],
)
def test_lint_judges_answers_at_the_lists_own_dates(tmp_path, answer, problem):
    done = consistency(answers_project(tmp_path, answer), "lint")
    assert done.returncode == (2 if problem else 0), done.stdout
    assert (problem in done.stdout) if problem else done.stdout == "ok: no problems found\n"


# --- H2, M6, L1: web and chat source options, at their own lines ---------------------------

SOURCES = """\
price_list: prices.yaml
sources:
  - channel: web
    fetch: web
    allow_hosts: [shop.example.co.il]
    pages:
      - {url: "https://other.example.com/x", product: fiber-5000}
    extract: [jsonldd, {css: "div[[["}, {regex: "(unclosed"}]
  - channel: chat
    fetch: http-chat
    url: https://bot.example.co.il/api
    reply: $.x[[
    ask: answerz
"""


def test_lint_checks_fetch_sources_as_fetch_does_and_more(tmp_path):
    """Tryout F2, F11, F12: every problem once, at its option's line, with its index."""
    done = consistency(
        write(tmp_path, {"prices.yaml": PRICES, "consistency.yaml": SOURCES}), "lint"
    )
    assert done.returncode == 2
    assert [line.split(": ")[0:2] for line in done.stdout.splitlines()] == [
        ["consistency.yaml:7:15", "sources[0].pages[0].url"],
        ["consistency.yaml:7:55", "sources[0].pages[0].product"],
        ["consistency.yaml:8:15", "sources[0].extract[0]"],
        ["consistency.yaml:8:24", "sources[0].extract[1]"],
        ["consistency.yaml:8:41", "sources[0].extract[2]"],
        ["consistency.yaml:12:12", "sources[1].reply"],
        ["consistency.yaml:13:10", "sources[1].ask"],
    ]
    assert "did you mean 'jsonld'?" in done.stdout
    assert "did you mean 'fiber-500'?" in done.stdout


def test_fetch_rejects_the_extract_methods_lint_rejects(tmp_path):
    """The same function judges extract: for lint and fetch (no page is fetched)."""
    text = SOURCES.split("  - channel: chat")[0].replace("other.example.com", "shop.example.co.il")
    write(tmp_path, {"prices.yaml": PRICES, "consistency.yaml": text})
    lint_lines = consistency(tmp_path, "lint").stdout.splitlines()
    fetched = consistency(tmp_path, "fetch", "-q", "-o", "f.jsonl")
    assert fetched.returncode == 2
    extract = [line for line in lint_lines if ".extract[" in line]
    assert len(extract) == 3 and all(line in fetched.stderr for line in extract)


# --- M7, L4: no follow-on problem; lint's count reads as the other commands' ---------------


def test_unreadable_answers_bring_no_follow_on_problem_about_ask(tmp_path):
    """Tryout M7: the config names answers; the file's own problem is the only one."""
    config = SOURCES.split("  - channel: web")[0] + (
        "answers: answers.yaml\nsources:\n  - channel: chat\n    fetch: http-chat\n"
        "    url: https://bot.example.co.il/api\n    reply: $.x\n"
    )
    config = config.replace("sources:\n", "", 1)
    files = {"prices.yaml": PRICES, "answers.yaml": "answers: 5\n", "consistency.yaml": config}
    done = consistency(write(tmp_path, files), "lint")
    assert done.stdout.splitlines() == ["answers.yaml:1:10: answers: 5 is not a list"]
    assert done.stderr == "consistency: 1 problem in the input\n"
    audited = consistency(tmp_path, "audit", "--no-fetch", "-q")
    assert audited.returncode == 2 and "consistency: 1 problem in the input" in audited.stderr


# --- L2, L5: a file the config names, at the config's line; annotations' paths ----------------

L2 = {
    "prices.yaml": PRICES,
    "rules/a.yaml": "rules:\n  - {id: price-mismatch, severity: fatl}\n",
    "consistency.yaml": "price_list: nope.yaml\nrules: [rules/*.yaml, other/*.yaml]\n",
}


@pytest.mark.parametrize("command", [["lint"], ["audit", "--no-fetch", "-q"]])
def test_a_missing_file_is_named_at_the_configs_line_and_rule_globs_expand(tmp_path, command):
    """Tryout F13, L2: price_list and rules entries; README's rules/*.yaml is expanded."""
    done = consistency(write(tmp_path, L2), *command)
    said = done.stdout if command[0] == "lint" else done.stderr
    assert done.returncode == 2
    assert "consistency.yaml:1:13: price_list: nope.yaml: cannot read file" in said
    assert "consistency.yaml:2:23: rules[1]: other/*.yaml: cannot read file" in said
    assert "rules/a.yaml:2:36: rules[0].severity: 'fatl'" in said  # the glob's match was read


def test_github_annotations_name_files_from_the_workspace(tmp_path):
    """Tryout L5: lint run from a subfolder in GitHub Actions."""
    write(tmp_path, L2)
    (tmp_path / "sub").mkdir()
    env = {"GITHUB_WORKSPACE": str(tmp_path)}
    done = consistency(tmp_path / "sub", "lint", "--format", "github", env=env)
    files = {part.split(",")[0] for part in done.stdout.split("::error file=")[1:]}
    assert files == {"consistency.yaml", "rules/a.yaml"}


def test_a_hebrew_channel_name_is_refused_as_not_ascii(tmp_path):
    """Tryout L7: the rule is ASCII-only, and the message says so."""
    config = "price_list: prices.yaml\nsources:\n  - {channel: חנות, files: [a.jsonl]}\n"
    files = {"prices.yaml": PRICES, "a.jsonl": OBSERVATION, "consistency.yaml": config}
    done = consistency(write(tmp_path, files), "lint")
    assert done.returncode == 2
    assert "sources[0].channel: 'חנות' is not valid: a channel name of ASCII letters" in done.stdout
