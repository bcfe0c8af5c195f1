"""Fuzz the loaders: whatever a user writes, the only failure is InputError naming a file.

Sources of input: random YAML-ish text; random mutations (a node replaced,
removed or given an odd value) of valid SPEC examples, dumped back to YAML;
hostile YAML (alias bombs, deep nesting, numbers of thousands of digits, long
scalars); and hostile templates in approved answers (issue 12: huge repeats and
powers, widths, nested loops, recursion, format strings). A traceback from any
other exception is a bug, and so is an example that takes longer than
``DEADLINE`` (a hang or a blow-up the budgets missed).
"""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consistency.errors import InputError
from consistency.inputs.answers import load_answers
from consistency.inputs.config import load_config
from consistency.inputs.prices import load_price_list
from consistency.inputs.rules import load_rules
from consistency.lint import lint
from consistency.pricebook import PriceBook
from consistency.sandbox import SandboxedEnvironment

TZ = ZoneInfo("Asia/Jerusalem")
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
DEADLINE = timedelta(seconds=10)  # per example: far above a bounded one, far below a hang
HOSTILE = settings(
    max_examples=60,
    deadline=DEADLINE,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

VALID_PRICES = {
    "version": "2026-11",
    "currency": "ILS",
    "vat": {"included": True, "rates": [{"rate": 0.17, "from": date(2015, 10, 1)}]},
    "tolerance": {"amount": 0.01},
    "products": [
        {
            "id": "fiber-500",
            "name": "סיב 500 מגה",
            "aliases": ["fiber 500"],
            "unit": "month",
            "prices": [
                {"amount": 99.9, "from": date(2026, 1, 1), "to": date(2026, 11, 30)},
                {"amount": 109.9, "from": date(2026, 12, 1)},
            ],
        },
        {"id": "router-install", "name": "התקנת נתב", "price": 149},
    ],
    "promotions": [
        {
            "id": "black-friday",
            "products": ["fiber-500"],
            "discount": {"percent": 20},
            "channels": ["web", "chat"],
            "from": date(2026, 11, 20),
            "to": "2026-11-30T23:00",
        }
    ],
    "channels": {"phone": {"max_discount": {"percent": 5}}, "chat": {"consumer": False}},
}
VALID_RULES = {
    "rules": [
        {"id": "price-mismatch", "severity": "error"},
        {"id": "gap", "check": "cross-channel-gap", "warn": {"percent": 2}, "window": "P1D"},
    ]
}
VALID_CONFIG = {
    "timezone": "Asia/Jerusalem",
    "price_list": "prices.yaml",
    "rules": ["rules.yaml"],
    "channels": ["store"],
    "sources": [
        {"channel": "phone", "files": ["exports/*.csv"]},
        {"channel": "web", "fetch": "web", "pages": [{"url": "https://x.example/a"}]},
    ],
    "email": {"to": ["a@b.c"], "from": "x@y.z", "smtp": {"host": "h", "port": 25}},
}

ODD_STRINGS = st.sampled_from(
    [
        "*",
        "",
        "2026-13-01",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "0001-01-01T00:00",
        "9999-12-31T23:59:59.999999",
        "P1M",
        "PT0S",
        "Asia/Nowhere",
        "../../etc/passwd",
        "Fiber 500",
        "\u202bסיב\u202c",
        "NaN",
        "1e999999999",
        "{{ 7*7 }}",
        "yes",
        "-0",
        "-0.00",
        "1E-999999999",
        "1E+999999999",
        "-.inf",
        ".nan",
        "٣٠",  # Arabic-Indic digits
        "۹۹٫۹۰",  # Extended Arabic-Indic digits and decimal separator
        "９９.９０",  # full-width digits
        "0x" + "f" * 60,
    ]
)
# Long text without drawing every character: a short piece repeated up to 200,000 times.
LONG_TEXT = st.builds(
    lambda piece, n: piece * n, st.text(min_size=1, max_size=3), st.integers(0, 200_000)
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**400)
    | st.integers(4290, 6000).map(lambda n: Digits("9" * n))  # past Python's 4,300-digit limit
    | st.floats()
    | st.text(max_size=12)
    | LONG_TEXT
    | ODD_STRINGS
    | st.dates()
    | st.datetimes(timezones=st.none() | st.just(timezone(timedelta(hours=14))))
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


@st.composite
def mutated(draw, document: dict) -> dict:
    """``document`` with one to three random nodes replaced, removed or added."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 3))):
        mutate_once(draw, document)
    return document


def mutate_once(draw, node) -> None:
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            return
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, dict | list) and child and draw(st.booleans()):
            node = child
            continue
        action = draw(st.sampled_from(["replace", "remove", "add"]))
        if action == "replace":
            node[key] = draw(VALUES)
        elif action == "remove":
            del node[key]
        elif isinstance(node, dict):
            node[draw(st.text(max_size=8))] = draw(VALUES)
        else:
            node.append(draw(VALUES))
        return


class Digits(str):
    """A whole number written out in YAML, however long (Python cannot str() one over 4,300)."""


class _Dumper(yaml.SafeDumper):
    pass


_Dumper.add_representer(
    Digits, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:int", str(value))
)


def dump(document) -> str:
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


def expect_only_input_errors(call) -> None:
    try:
        call()
    except InputError as exc:
        assert exc.errors, "InputError without errors"
        assert all(error.file for error in exc.errors)
        assert any(error.line for error in exc.errors) or all(
            "cannot read" in e.message or "YAML" in e.message for e in exc.errors
        )
        assert str(exc)


FRAGMENTS = [
    *"abc019 -:[]{},'\"#&*!|>?%@`\t.\\",
    "\n",
    "  ",
    "- ",
    "products:",
    "rules:",
    "price_list:",
    "id: ",
    "price: ",
    "prices:",
    "amount: ",
    "from: ",
    "to: ",
    "window: ",
    "99.90",
    "2026-02-30",
    "2026-11-30",
    "&a ",
    "*a",
    "<<: ",
    "!!python/object/apply:os.system ",
    "!!binary ",
    "%YAML 1.1\n---\n",
    "סיב 500",
    "₪",
    "\u202b",
    "\x00",
]
YAMLISH = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)


@pytest.mark.parametrize("loader", ["prices", "rules", "config"])
@FUZZ
@given(text=YAMLISH)
def test_random_text_raises_only_input_error(tmp_path, loader, text):
    path = tmp_path / "input.yaml"
    path.write_text(text, encoding="utf-8")
    calls = {
        "prices": lambda: load_price_list(path, TZ),
        "rules": lambda: load_rules([path]),
        "config": lambda: load_config(path),
    }
    expect_only_input_errors(calls[loader])


@FUZZ
@given(document=mutated(VALID_PRICES))
def test_mutated_price_list_raises_only_input_error(tmp_path, document):
    path = tmp_path / "prices.yaml"
    path.write_text(dump(document), encoding="utf-8")
    expect_only_input_errors(lambda: load_price_list(path, TZ))


@FUZZ
@given(document=mutated(VALID_RULES))
def test_mutated_rules_raise_only_input_error(tmp_path, document):
    path = tmp_path / "rules.yaml"
    path.write_text(dump(document), encoding="utf-8")
    expect_only_input_errors(lambda: load_rules([path]))


@FUZZ
@given(document=mutated(VALID_CONFIG))
def test_mutated_config_raises_only_input_error(tmp_path, document):
    path = tmp_path / "consistency.yaml"
    path.write_text(dump(document), encoding="utf-8")
    expect_only_input_errors(lambda: load_config(path))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(document=mutated(VALID_PRICES))
def test_lint_never_raises(tmp_path, document):
    path = tmp_path / "prices.yaml"
    path.write_text(dump(document), encoding="utf-8")
    errors = lint(None, [path])
    assert all(error.file == str(path) for error in errors)


def test_the_valid_documents_really_are_valid(tmp_path):
    prices = tmp_path / "prices.yaml"
    prices.write_text(dump(VALID_PRICES), encoding="utf-8")
    assert load_price_list(prices, TZ).products["fiber-500"].prices[1].end is None
    rules = tmp_path / "rules.yaml"
    rules.write_text(dump(VALID_RULES), encoding="utf-8")
    assert [r.check for r in load_rules([rules])] == ["price-mismatch", "cross-channel-gap"]
    config = tmp_path / "consistency.yaml"
    config.write_text(dump(VALID_CONFIG), encoding="utf-8")
    assert load_config(config).channels == ("web", "phone", "chat", "store")
    assert Path(load_config(config).sources[0].files[0]).is_absolute()


# --- hostile YAML: bombs, depth, huge numbers, size ---------------------------------------


def alias_bomb(levels: int, width: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


# Each hostile file as (how to build it, its size), so a failing example prints short.
HOSTILE_BUILDERS = {
    "alias-bomb": lambda n: alias_bomb(2 + n % 13, 1 + n % 11),
    "deep-list": lambda n: "products: " + "[" * n + "]" * n + "\n",
    "deep-map": lambda n: "products:" + " {a:" * n + " 1" + "}" * n + "\n",
    "long-int": lambda n: f"products:\n  - {{id: a, price: {'9' * n}}}\n",
    "long-exponent": lambda n: f"tolerance: {{amount: 1.0e+{'9' * n}}}\nproducts: []\n",
    "many-items": lambda n: "products: [" + "x, " * (n * 60) + "x]\n",
    "wide-alias": lambda n: "a: &a {x: [1, 2]}\nproducts: [" + "*a, " * (n * 40) + "*a]\n",
    "long-scalar": lambda n: "products: '" + "ש" * (n * 4000) + "'\n",
}
HOSTILE_TEXT = st.tuples(st.sampled_from(sorted(HOSTILE_BUILDERS)), st.integers(1, 5000))


@pytest.mark.parametrize("loader", ["prices", "rules", "config"])
@HOSTILE
@given(hostile=HOSTILE_TEXT)
def test_hostile_yaml_raises_only_input_error_in_time(tmp_path, loader, hostile):
    kind, size = hostile
    path = tmp_path / "input.yaml"
    path.write_text(HOSTILE_BUILDERS[kind](size), encoding="utf-8")
    calls = {
        "prices": lambda: load_price_list(path, TZ),
        "rules": lambda: load_rules([path]),
        "config": lambda: load_config(path),
    }
    expect_only_input_errors(calls[loader])


# --- hostile templates: the sandbox's budgets -------------------------------------------------

NUMBER_TEXT = st.sampled_from(
    ["0", "1", "-1", "9", "2.5", "1e308", "10**9", "9**9", "1000000000", "99999"]
) | st.integers(-(10**12), 10**12).map(str)
STRING_TEXT = st.sampled_from(
    ["'a'", "''", "'{a}'", "'{0.__class__}'", "'%999999999d'", "'{:>999999999}'", "'\\t'"]
)
ATOM = NUMBER_TEXT | STRING_TEXT | st.sampled_from(["price('fiber-500')", "[1, 2]", "{'a': 1}"])
FILTERS = st.sampled_from(
    ["center({})", "indent({})", "wordwrap(1, wrapstring={})", "replace('', {})", "batch({})",
     "slice({})", "format({})", "round({})", "truncate({})", "join({})", "list", "string",
     "sum", "int", "float", "tojson", "filesizeformat", "unique", "reverse", "length"]
)  # fmt: skip


def _filtered(parts) -> str:
    value, pattern, arg = parts
    return f"({value})|" + (pattern.format(arg) if "{}" in pattern else pattern)


EXPRESSION = st.recursive(
    ATOM,
    lambda inner: (
        st.tuples(inner, st.sampled_from(["*", "**", "+", "~", "%", "//", "-"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        | st.tuples(inner, FILTERS, inner).map(_filtered)
        | st.tuples(
            inner,
            st.sampled_from(
                [
                    "format_map({})",
                    "format({})",
                    "ljust({})",
                    "zfill({})",
                    "expandtabs({})",
                    "join([{}] * 9)",
                ]
            ),
            inner,
        ).map(lambda t: f"({t[0]}).{t[1].format(t[2])}")  # fmt: skip
    ),
    max_leaves=6,
)
TEMPLATE = st.recursive(
    EXPRESSION.map(lambda e: "{{ " + e + " }}") | st.sampled_from(["text ", "₪ "]),
    lambda inner: (
        st.tuples(EXPRESSION, inner).map(lambda t: f"{{% for i in {t[0]} %}}{t[1]}{{% endfor %}}")
        | st.tuples(inner, inner).map("".join)
        | inner.map(
            lambda body: f"{{% macro m(n) %}}{body}{{{{ m(n) }}}}{{% endmacro %}}{{{{ m(1) }}}}"
        )
        | st.tuples(EXPRESSION, inner).map(lambda t: f"{{% set x = {t[0]} %}}{t[1]}{{{{ x }}}}")
    ),
    max_leaves=5,
)


@HOSTILE
@given(template=TEMPLATE)
def test_hostile_templates_fail_only_as_template_errors_in_time(template):
    env = SandboxedEnvironment(undefined=jinja2.StrictUndefined)
    try:
        text = env.from_string(template).render(price=lambda product, at=None: "₪1.00")
    except jinja2.TemplateError as exc:
        assert str(exc)
    else:
        assert len(text) <= env.limits.output + len(template)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> PriceBook:
    path = tmp_path_factory.mktemp("book") / "prices.yaml"
    path.write_text(dump(VALID_PRICES), encoding="utf-8")
    return PriceBook(load_price_list(path, TZ))


VALID_ANSWERS = {
    "answers": [
        {
            "id": "cancellation-fee",
            "questions": ["כמה עולה לבטל?", "What does it cost to cancel?"],
            "keywords": ["ביטול", "cancel"],
            "answer": "ביטול ללא עלות בתוך 14 יום, ולאחר מכן {{ price('router-install') }}.",
            "facts": [
                {"money": {"price": "router-install"}},
                {"duration": {"value": 14, "unit": "day"}},
                {"money": "{{ price('fiber-500', at='2026-12-05') }}"},
            ],
            "forbidden": ["זה מה שרכשת"],
            "channels": ["web", "chat"],
        }
    ],
    "policy": {"forbidden": ["אין מה לעשות"]},
}


@FUZZ
@given(document=mutated(VALID_ANSWERS))
def test_mutated_answers_raise_only_input_error(tmp_path, book, document):
    path = tmp_path / "answers.yaml"
    path.write_text(dump(document), encoding="utf-8")
    expect_only_input_errors(lambda: load_answers(path, book, TZ, ("web", "chat", "phone")))


def test_the_valid_answers_really_are_valid(tmp_path, book):
    path = tmp_path / "answers.yaml"
    path.write_text(dump(VALID_ANSWERS), encoding="utf-8")
    answers = load_answers(path, book, TZ, ("web", "chat", "phone"))
    assert answers.rendered("cancellation-fee", datetime(2026, 11, 20, tzinfo=TZ)).endswith(
        "₪149.00."
    )


@HOSTILE
@given(template=TEMPLATE)
def test_hostile_answer_templates_raise_only_input_error_in_time(tmp_path, book, template):
    path = tmp_path / "answers.yaml"
    path.write_text(dump({"answers": [{"id": "a", "answer": template}]}), encoding="utf-8")
    try:
        answers = load_answers(path, book, TZ)
    except InputError as exc:
        assert all(e.file == str(path) and e.line and e.col for e in exc.errors), exc
    else:  # loaded: rendering it for real may still fail, but only as a recorded failure
        answers.rendered("a", datetime(2026, 11, 20, tzinfo=TZ))
        assert all(e.file == str(path) for e in answers.failures.values())
