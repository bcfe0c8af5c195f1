"""loaders and config: YAML files -> model objects, every semantic problem at its line:col."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency import checks
from consistency.errors import InputError
from consistency.inputs.config import DEFAULT_CHANNELS, default_rules, find_config, load_config
from consistency.inputs.dates import parse_duration
from consistency.inputs.prices import load_price_list
from consistency.inputs.rules import load_rules
from consistency.model import Discount, Threshold

TZ = ZoneInfo("Asia/Jerusalem")

SPEC_PRICES = """\
version: "2026-11"
currency: ILS
vat:
  included: true
  rates:
    - {rate: 0.17, from: 2015-10-01}
    - {rate: 0.18, from: 2025-01-01}
tolerance: {amount: 0.01}
products:
  - id: fiber-500
    name: סיב 500 מגה
    aliases: ["fiber 500", "סיבים 500", "אינטרנט 500"]
    unit: month
    prices:
      - {amount: 99.90, from: 2026-01-01, to: 2026-11-30}
      - {amount: 109.90, from: 2026-12-01}
  - id: router-install
    name: התקנת נתב
    unit: one-time
    price: 149
promotions:
  - id: black-friday
    products: [fiber-500]
    discount: {percent: 20}
    channels: [web, chat]
    from: 2026-11-20
    to: 2026-11-30
channels:
  phone:
    max_discount: {percent: 5}
  chat:
    max_discount: {percent: 0}
    tolerance: {amount: 0.5}
"""


def write(tmp_path: Path, text: str, name: str = "prices.yaml") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def at(year, month, day, hour=0, minute=0, second=0, micro=0) -> datetime:
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=TZ)


def errors_of(call) -> list:
    with pytest.raises(InputError) as excinfo:
        call()
    return excinfo.value.errors


# --- price list -------------------------------------------------------------------------


def test_spec_price_list_loads_into_the_model(tmp_path):
    path = write(tmp_path, SPEC_PRICES)
    prices = load_price_list(path, TZ)
    fiber = prices.products["fiber-500"]
    assert prices.version == "2026-11" and prices.currency == "ILS" and prices.vat_included
    assert [w.amount for w in fiber.prices] == [Decimal("99.90"), Decimal("109.90")]
    assert str(fiber.prices[0].amount) == "99.90"
    assert fiber.prices[0].where.line == 15 and fiber.prices[0].where.col == 18
    assert fiber.where.line == 10 and fiber.where.file == str(path)
    assert fiber.aliases == ("fiber 500", "סיבים 500", "אינטרנט 500")
    router = prices.products["router-install"]
    assert router.prices[0].amount == 149 and router.prices[0].start is None
    assert router.prices[0].where.line == 20
    assert [r.rate for r in prices.vat_rates] == [Decimal("0.17"), Decimal("0.18")]
    assert prices.vat_rates[1].start == at(2025, 1, 1)
    assert prices.tolerance == Threshold(amount=Decimal("0.01"))
    (promo,) = prices.promotions
    assert promo.discount == Discount(percent=Decimal(20))
    assert promo.channels == ("web", "chat") and promo.products == ("fiber-500",)
    assert promo.end == at(2026, 12, 1)
    assert prices.channels["chat"].tolerance == Threshold(amount=Decimal("0.5"))
    assert prices.channels["phone"].max_discount == Threshold(percent=Decimal(5))
    assert prices.channels["phone"].consumer is True


def test_date_alone_to_covers_the_whole_day(tmp_path):
    prices = load_price_list(write(tmp_path, SPEC_PRICES), TZ)
    first, second = prices.products["fiber-500"].prices
    assert first.start == at(2026, 1, 1)
    assert first.covers(at(2026, 11, 30, 23, 59, 59, 999999))
    assert not first.covers(at(2026, 12, 1))
    assert second.covers(at(2026, 12, 1))
    assert not first.covers(at(2025, 12, 31, 23, 59, 59))


@dataclass(frozen=True)
class DstCase:
    id: str
    day: str
    hours_in_day: int
    last_covered: datetime
    first_not_covered: datetime


DST_CASES = [
    DstCase("spring-forward", "2026-03-27", 23, at(2026, 3, 27, 23, 59), at(2026, 3, 28)),
    DstCase("fall-back", "2026-10-25", 25, at(2026, 10, 25, 23, 59), at(2026, 10, 26)),
]


@pytest.mark.parametrize("case", DST_CASES, ids=lambda c: c.id)
def test_date_alone_on_a_dst_change_day(tmp_path, case: DstCase):
    text = f"products:\n  - id: a\n    prices: [{{amount: 1, from: {case.day}, to: {case.day}}}]\n"
    (window,) = load_price_list(write(tmp_path, text), TZ).products["a"].prices
    # same-zone subtraction is wall-clock time, so compare real elapsed seconds
    assert window.end.timestamp() - window.start.timestamp() == case.hours_in_day * 3600
    assert window.covers(case.last_covered)
    assert not window.covers(case.first_not_covered)


def test_datetimes_with_and_without_offset(tmp_path):
    text = (
        "products:\n  - id: a\n    prices:\n"
        "      - {amount: 1, from: 2026-01-01T08:00, to: '2026-01-31T18:00:00'}\n"
        "      - {amount: 2, from: '2026-02-01T00:00:00Z'}\n"
    )
    first, second = load_price_list(write(tmp_path, text), TZ).products["a"].prices
    assert first.start == at(2026, 1, 1, 8)
    assert first.end == at(2026, 1, 31, 18, 0, 0, 1)
    assert first.covers(at(2026, 1, 31, 18))
    assert second.start.utcoffset() == timedelta(0)
    assert second.start == at(2026, 2, 1, 2)


def test_vat_rate_shorthand_is_one_rate_from_the_beginning(tmp_path):
    text = "vat: {rate: 0.18}\nproducts: []\n"
    prices = load_price_list(write(tmp_path, text), TZ)
    assert [(r.rate, r.start) for r in prices.vat_rates] == [(Decimal("0.18"), None)]
    assert prices.vat_rates[0].where.line == 1


def test_channel_policy_defaults_and_consumer_flag(tmp_path):
    text = "products: []\nchannels:\n  store:\n  b2b: {consumer: false}\n"
    prices = load_price_list(write(tmp_path, text), TZ)
    assert prices.channels["store"].consumer is True
    assert prices.channels["store"].max_discount is None
    assert prices.channels["b2b"].consumer is False


@dataclass(frozen=True)
class SemanticCase:
    id: str
    text: str
    line: int
    path: str
    message: str


SEMANTIC_CASES = [
    SemanticCase(
        "overlapping-windows",
        "products:\n  - id: a\n    prices:\n"
        "      - {amount: 1, from: 2026-01-01, to: 2026-06-30}\n"
        "      - {amount: 2, from: 2026-06-30}\n",
        5,
        "products[0].prices",
        "overlaps the one on line 4",
    ),
    SemanticCase(
        "open-window-overlaps-later",
        "products:\n  - id: a\n    prices:\n"
        "      - {amount: 2, from: 2026-07-01}\n"
        "      - {amount: 1}\n",
        4,
        "products[0].prices",
        "overlaps the one on line 5",
    ),
    SemanticCase(
        "to-before-from",
        "products:\n  - id: a\n    prices:\n      - {amount: 1, from: 2026-06-02, to: 2026-06-01}\n",
        4,
        "products[0].prices[0].to",
        "is before 'from'",
    ),
    SemanticCase(
        "impossible-date-string",
        "products:\n  - id: a\n    prices:\n      - {amount: 1, from: '2026-13-01'}\n",
        4,
        "products[0].prices[0].from",
        "is not a real date",
    ),
    SemanticCase(
        "duplicate-product-id",
        "products:\n  - {id: a, price: 1}\n  - {id: a, price: 2}\n",
        3,
        "products[1].id",
        "duplicate product id 'a'",
    ),
    SemanticCase(
        "duplicate-promotion-id",
        "products: [{id: a, price: 1}]\npromotions:\n"
        "  - {id: p, products: '*', price: 1}\n  - {id: p, products: '*', price: 1}\n",
        4,
        "promotions[1].id",
        "duplicate promotion id 'p'",
    ),
    SemanticCase(
        "promotion-unknown-product",
        "products: [{id: a, price: 1}]\npromotions:\n  - {id: p, products: [a, b], price: 1}\n",
        3,
        "promotions[0].products[1]",
        "unknown product 'b'",
    ),
    SemanticCase(
        "promotion-unknown-channel",
        "products: [{id: a, price: 1}]\npromotions:\n"
        "  - {id: p, products: '*', price: 1, channels: [web, fax]}\n",
        3,
        "promotions[0].channels[1]",
        "unknown channel 'fax'",
    ),
    SemanticCase(
        "percent-over-100",
        "products: [{id: a, price: 1}]\npromotions:\n"
        "  - {id: p, products: '*', discount: {percent: 120}}\n",
        3,
        "promotions[0].discount.percent",
        "is not a percent in [0, 100]",
    ),
    SemanticCase(
        "percent-negative",
        "products: [{id: a, price: 1}]\npromotions:\n"
        "  - {id: p, products: '*', discount: {percent: -5}}\n",
        3,
        "promotions[0].discount.percent",
        "is not a percent in [0, 100]",
    ),
    SemanticCase(
        "negative-amount",
        "products:\n  - {id: a, price: -9.90}\n",
        2,
        "products[0].price",
        "-9.90 is a negative amount",
    ),
    SemanticCase(
        "huge-amount",
        "products:\n  - {id: a, price: 1.0e+40}\n",
        2,
        "products[0].price",
        "is too large for an amount",
    ),
    SemanticCase(
        "to-at-the-end-of-time",
        "products:\n  - id: a\n    prices: [{amount: 1, to: 9999-12-31}]\n",
        3,
        "products[0].prices[0].to",
        "9999-12-31 is out of the range of dates",
    ),
    SemanticCase(
        "negative-tolerance",
        "tolerance: {amount: -1}\nproducts: []\n",
        1,
        "tolerance.amount",
        "is negative",
    ),
    SemanticCase(
        "vat-rate-as-percent",
        "vat: {rate: 18}\nproducts: []\n",
        1,
        "vat.rate",
        "VAT rate 18 is outside [0, 1)",
    ),
    SemanticCase(
        "vat-rate-negative",
        "vat:\n  rates:\n    - {rate: -0.1}\nproducts: []\n",
        3,
        "vat.rates[0].rate",
        "outside [0, 1)",
    ),
]


@pytest.mark.parametrize("case", SEMANTIC_CASES, ids=lambda c: c.id)
def test_semantic_problem_is_reported_at_its_line(tmp_path, case: SemanticCase):
    path = write(tmp_path, case.text)
    (error,) = errors_of(lambda: load_price_list(path, TZ))
    assert (error.file, error.line, error.path) == (str(path), case.line, case.path)
    assert error.col is not None
    assert case.message in error.message


def test_every_semantic_problem_is_reported_at_once(tmp_path):
    text = (
        "vat: {rate: 1.5}\n"
        "products:\n  - {id: a, price: -1}\n  - {id: a, price: 2}\n"
        "promotions:\n  - {id: p, products: [zz], channels: [fax], discount: {percent: 101}}\n"
    )
    errors = errors_of(lambda: load_price_list(write(tmp_path, text), TZ))
    assert [e.line for e in errors] == [1, 3, 4, 6, 6, 6]
    assert len({e.path for e in errors}) == 6


def test_config_channels_make_a_promotion_channel_known(tmp_path):
    text = "products: []\npromotions:\n  - {id: p, products: '*', price: 1, channels: [store]}\n"
    path = write(tmp_path, text)
    assert errors_of(lambda: load_price_list(path, TZ))[0].path == "promotions[0].channels[0]"
    prices = load_price_list(path, TZ, known_channels=["store"])
    assert prices.promotions[0].channels == ("store",)


def test_schema_errors_come_before_semantics_and_all_at_once(tmp_path):
    text = "products:\n  - {id: a, price: x}\n  - {id: B, price: 1}\n"
    errors = errors_of(lambda: load_price_list(write(tmp_path, text), TZ))
    assert [(e.line, e.path) for e in errors] == [(2, "products[0].price"), (3, "products[1].id")]


# --- rules ------------------------------------------------------------------------------


@pytest.fixture
def fake_checks(monkeypatch):
    """Two test-only checks: one with OPTIONS and DEFAULTS, one bare."""
    strict = types.ModuleType("consistency.checks._test_strict")
    strict.DEFAULTS = {"severity": "warning", "window": "PT6H"}
    strict.OPTIONS = {"type": "object", "properties": {"min_quotes": {"type": "integer"}}}
    bare = types.ModuleType("consistency.checks._test_bare")
    for module in (strict, bare):
        monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(checks._MODULES, "test-strict", "_test_strict")
    monkeypatch.setitem(checks._MODULES, "test-bare", "_test_bare")


def test_rules_load_with_defaults_options_and_windows(tmp_path, fake_checks):
    path = write(
        tmp_path,
        "rules:\n"
        "  - id: test-strict\n    min_quotes: 3\n"
        "  - id: gap-2\n    check: test-bare\n    severity: info\n"
        "    warn: {percent: 2}\n    error: {percent: 5.5}\n    window: P1W\n"
        "    channels: [web, phone]\n    note: free-form\n"
        "  - id: retired\n    check: test-bare\n    enabled: false\n",
        "rules.yaml",
    )
    strict, gap = load_rules([path])
    assert (strict.id, strict.check, strict.severity) == ("test-strict", "test-strict", "warning")
    assert strict.window == timedelta(hours=6) and strict.options == {"min_quotes": 3}
    assert strict.where.line == 2
    assert (gap.check, gap.severity, gap.window) == ("test-bare", "info", timedelta(days=7))
    assert gap.warn == Threshold(percent=Decimal(2)) and gap.error == Threshold(
        percent=Decimal("5.5")
    )
    assert gap.channels == ("web", "phone") and gap.options == {"note": "free-form"}


def test_duplicate_rule_id_across_files(tmp_path, fake_checks):
    first = write(tmp_path, "rules:\n  - id: test-bare\n", "a.yaml")
    second = write(
        tmp_path, "rules:\n  - id: x\n    check: test-bare\n  - id: test-bare\n", "b.yaml"
    )
    (error,) = errors_of(lambda: load_rules([first, second]))
    assert (error.file, error.line, error.path) == (str(second), 4, "rules[1].id")
    assert f"first at {first}:2" in error.message


def test_unknown_check_lists_the_known_ones(tmp_path, fake_checks):
    path = write(tmp_path, "rules:\n  - id: a\n    check: price-mismatsh\n", "r.yaml")
    (error,) = errors_of(lambda: load_rules([path]))
    assert (error.line, error.col, error.path) == (3, 12, "rules[0].check")
    assert "unknown check 'price-mismatsh'" in error.message and "test-bare" in error.message


def test_rule_options_are_validated_by_the_check(tmp_path, fake_checks):
    path = write(
        tmp_path, "rules:\n  - id: test-strict\n    min_quotes: many\n    min_quote: 2\n", "r.yaml"
    )
    errors = errors_of(lambda: load_rules([path]))
    assert [(e.line, e.path) for e in errors] == [(3, "rules[0].min_quotes"), (4, "rules[0]")]
    assert "'many' is not a whole number" in errors[0].message
    assert "did you mean 'min_quotes'" in errors[1].message


def test_rule_schema_errors(tmp_path, fake_checks):
    path = write(
        tmp_path, "rules:\n  - id: test-bare\n    severity: fatal\n    window: 1 day\n", "r.yaml"
    )
    errors = errors_of(lambda: load_rules([path]))
    assert [(e.line, e.path) for e in errors] == [
        (3, "rules[0].severity"),
        (4, "rules[0].window"),
    ]
    assert "'fatal' is not one of: 'error', 'warning', 'info'" in errors[0].message


@dataclass(frozen=True)
class DurationCase:
    id: str
    text: str
    expected: timedelta | None
    message: str = ""


DURATIONS = [
    DurationCase("day", "P1D", timedelta(days=1)),
    DurationCase("half-day", "PT12H", timedelta(hours=12)),
    DurationCase("week", "P1W", timedelta(weeks=1)),
    DurationCase("days-and-time", "P2DT3H30M", timedelta(days=2, hours=3, minutes=30)),
    DurationCase("fraction-seconds", "PT1.5S", timedelta(seconds=1.5)),
    DurationCase("month", "P1M", None, "months and years have no fixed length"),
    DurationCase("year", "P1Y", None, "months and years have no fixed length"),
    DurationCase("empty", "P", None, "is not an ISO 8601 duration"),
    DurationCase("dangling-t", "P1DT", None, "is not an ISO 8601 duration"),
    DurationCase("zero", "PT0S", None, "is an empty duration"),
    DurationCase("words", "one day", None, "is not an ISO 8601 duration"),
]


@pytest.mark.parametrize("case", DURATIONS, ids=lambda c: c.id)
def test_parse_duration(case: DurationCase):
    if case.expected is None:
        with pytest.raises(ValueError, match=case.message):
            parse_duration(case.text)
    else:
        assert parse_duration(case.text) == case.expected
        assert case.message == ""


# --- config -----------------------------------------------------------------------------

SPEC_CONFIG = """\
timezone: Asia/Jerusalem
price_list: prices.yaml
answers: answers.yaml
rules: [rules/default.yaml]
channels: [store, phone]
sources:
  - channel: phone
    files: [exports/phone/*.csv]
  - channel: chat
    files: [/abs/chat/*.jsonl]
    format: records
  - channel: web
    fetch: web
    allow_hosts: [shop.example.co.il]
    pages:
      - {url: "https://shop.example.co.il/fiber-500", product: fiber-500}
    extract: [jsonld, microdata, {css: ".price"}]
  - channel: email
    fetch: http-chat
    url: https://bot.example.co.il/api/message
    method: POST
    headers: {Authorization: "Bearer ${CHAT_TOKEN}"}
    body: {text: "{{ question }}", session: "{{ session }}"}
    reply: $.messages[*].text
    ask: answers
report:
  formats: [text, html, json]
  output: reports/
history: .consistency/history.sqlite
email:
  to: [pricing@example.co.il]
  from: consistency@example.co.il
  notify_on: findings
  smtp: {host: smtp.example.co.il, port: 587, security: starttls, username_env: SMTP_USER, password_env: SMTP_PASSWORD}
"""


def test_config_resolves_paths_against_its_folder(tmp_path):
    path = write(tmp_path / "proj", SPEC_CONFIG, "consistency.yaml")
    base = path.parent.resolve()
    config = load_config(path)
    assert config.base_dir == base and config.timezone == TZ
    assert config.price_list == base / "prices.yaml"
    assert config.answers == base / "answers.yaml"
    assert config.rules == (base / "rules" / "default.yaml",)
    assert config.history == base / ".consistency" / "history.sqlite"
    assert config.report_output == base / "reports"
    assert config.report_formats == ("text", "html", "json")
    phone, chat, web, bot = config.sources
    assert phone.files == (str(base / "exports/phone/*.csv"),)
    assert chat.files == ("/abs/chat/*.jsonl",)
    assert phone.where.line == 7 and phone.format == "records"
    assert web.fetch == "web" and web.options["allow_hosts"] == ["shop.example.co.il"]
    assert bot.options["headers"] == {"Authorization": "Bearer ${CHAT_TOKEN}"}
    assert "channel" not in bot.options and "fetch" not in bot.options
    assert config.channels == ("web", "phone", "chat", "email", "store")
    assert config.email.sender == "consistency@example.co.il"
    assert config.email.smtp["port"] == 587


def test_config_defaults(tmp_path):
    config = load_config(write(tmp_path, "price_list: p.yaml\n", "consistency.yaml"))
    assert config.timezone == TZ and config.channels == DEFAULT_CHANNELS
    assert config.rules == (default_rules(),) and config.answers is None
    assert default_rules().name == "default.yaml" and default_rules().parent.name == "rules"
    assert config.email is None and config.report_formats == ("text",)


def test_unknown_timezone_is_an_error_at_its_line(tmp_path):
    path = write(tmp_path, "price_list: p.yaml\ntimezone: Asia/Jerusalme\n", "c.yaml")
    (error,) = errors_of(lambda: load_config(path))
    assert (error.line, error.col, error.path) == (2, 11, "timezone")
    assert "unknown time zone 'Asia/Jerusalme'" in error.message


def test_config_schema_errors(tmp_path):
    text = (
        "price_list: p.yaml\nsources:\n  - channel: web\n  - {channel: x, files: [a], fetch: web}\n"
    )
    errors = errors_of(lambda: load_config(write(tmp_path, text, "c.yaml")))
    assert [(e.line, e.path) for e in errors] == [(3, "sources[0]"), (4, "sources[1]")]
    assert all("`files:`" in e.message for e in errors)


def test_find_config(tmp_path):
    assert find_config(tmp_path) is None
    write(tmp_path, "price_list: p.yaml\n", "consistency.yml")
    assert find_config(tmp_path) == tmp_path / "consistency.yml"
    write(tmp_path, "price_list: p.yaml\n", "consistency.yaml")
    assert find_config(tmp_path) == tmp_path / "consistency.yaml"


def test_a_loader_reads_text_as_well_as_a_path_and_names_its_label():
    """diff --base reads the old list from git: no temp file, the label in every problem."""
    from consistency.inputs.yamlio import Text

    text = "products:\n  - {id: a, price: 5}\n  - {id: a, price: 6}\n"
    with pytest.raises(InputError) as caught:
        load_price_list(Text(text, "HEAD:prices.yaml"), TZ)
    assert [str(e) for e in caught.value.errors] == [
        "HEAD:prices.yaml:3:10: products[1].id: duplicate product id 'a' (HEAD:prices.yaml:2:5)"
    ]
    good = load_price_list(Text(text.replace("id: a, price: 6", "id: b, price: 6"), "x"), TZ)
    assert (good.path, sorted(good.products)) == ("x", ["a", "b"])
