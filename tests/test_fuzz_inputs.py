"""Fuzz the loaders: whatever a user writes, the only failure is InputError naming a file.

Two sources of input: random YAML-ish text, and random mutations (a node
replaced, removed or given an odd value) of valid SPEC examples, dumped back to
YAML. A traceback from any other exception is a bug.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from consistency.config import load_config
from consistency.errors import InputError
from consistency.lint import lint
from consistency.loaders import load_price_list, load_rules

TZ = ZoneInfo("Asia/Jerusalem")
FUZZ = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
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
    ]
)
LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**400)
    | st.floats()
    | st.text(max_size=12)
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


def dump(document) -> str:
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False)


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
