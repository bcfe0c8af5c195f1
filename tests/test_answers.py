"""Approved answers: loading, sandboxed templates bound to the price list, facts, and lint."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from consistency.answers import ExpectedFact
from consistency.errors import InputError
from consistency.inputs.answers import load_answers
from consistency.inputs.prices import load_price_list
from consistency.lint import lint, lint_answers
from consistency.pricebook import PriceBook

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo"
TZ = ZoneInfo("Asia/Jerusalem")
NOVEMBER = datetime(2026, 11, 20, 12, 0, tzinfo=TZ)
DECEMBER = datetime(2026, 12, 5, 12, 0, tzinfo=TZ)


@pytest.fixture(scope="module")
def book() -> PriceBook:
    return PriceBook(load_price_list(DEMO / "prices.yaml", TZ))


@pytest.fixture(scope="module")
def demo(book):
    return load_answers(DEMO / "answers.yaml", book, TZ)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, book: PriceBook, text: str):
    return load_answers(write(tmp_path, text), book, TZ)


# --- the demo answers ---------------------------------------------------------------------


def test_demo_has_the_contract_ids_in_order(demo):
    assert list(demo.answers) == [
        "cancellation-fee",
        "install-time",
        "router-install-price",
        "fiber-500-price",
        "refund-time",
    ]
    assert [p.text for p in demo.policy_forbidden] == ["אין מה לעשות", "לא באחריותנו"]
    assert [p.text for p in demo.answers["cancellation-fee"].forbidden] == ["זה מה שרכשת"]


def test_questions_are_answer_question_pairs_in_file_order(demo):
    pairs = demo.questions()
    assert pairs[0] == ("cancellation-fee", "כמה עולה לבטל את המנוי?")
    assert [q for a, q in pairs if a == "refund-time"][2] == "How long does a refund take?"
    for answer in demo.answers.values():
        asked = [q for a, q in pairs if a == answer.id]
        assert any("\u05d0" <= c <= "\u05ea" for c in asked[0]), "a Hebrew question"
        assert any(q.isascii() for q in asked), "an English question"


@dataclass(frozen=True)
class Rendered:
    id: str
    answer: str
    at: datetime
    text: str


RENDERED = [
    Rendered("fiber-nov", "fiber-500-price", NOVEMBER, "סיב 500 מגה עולה ₪99.90 לחודש."),
    Rendered("fiber-dec", "fiber-500-price", DECEMBER, "סיב 500 מגה עולה ₪109.90 לחודש."),
    Rendered(
        "fiber-last-second-of-november",
        "fiber-500-price",
        datetime(2026, 11, 30, 23, 59, 59, tzinfo=TZ),
        "סיב 500 מגה עולה ₪99.90 לחודש.",
    ),
    Rendered(
        "cancel",
        "cancellation-fee",
        NOVEMBER,
        "ביטול ללא עלות בתוך 14 יום מההצטרפות, ולאחר מכן דמי ביטול של ₪100.00.",
    ),
    Rendered(
        "router", "router-install-price", DECEMBER, "התקנת הנתב עולה ₪149.00, בתשלום חד פעמי."
    ),
]


@pytest.mark.parametrize("row", RENDERED, ids=lambda r: r.id)
def test_price_renders_the_list_price_at_the_time(demo, row):
    assert demo.rendered(row.answer, row.at) == row.text


@dataclass(frozen=True)
class Bound:
    id: str
    answer: str
    at: datetime
    facts: tuple[tuple[str, str, str | None, str | None], ...]  # kind, value, unit, product


BOUND = [
    Bound("fee-nov", "cancellation-fee", NOVEMBER,
          (("money", "100", "ILS", "cancel-fee"), ("duration", "14", "day", None))),
    Bound("fiber-nov", "fiber-500-price", NOVEMBER, (("money", "99.90", "ILS", "fiber-500"),)),
    Bound("fiber-dec", "fiber-500-price", DECEMBER, (("money", "109.90", "ILS", "fiber-500"),)),
    Bound("install", "install-time", NOVEMBER, (("duration", "3", "business_day", None),)),
    Bound("refund", "refund-time", DECEMBER, (("duration", "7", "day", None),)),
]  # fmt: skip


@pytest.mark.parametrize("row", BOUND, ids=lambda r: r.id)
def test_declared_facts_are_bound_at_the_reply_time(demo, row):
    facts = demo.expected_facts(row.answer, row.at)
    assert [(f.kind, str(f.value), f.unit, f.product) for f in facts] == list(row.facts)
    assert all(f.where is not None and f.where.file.endswith("answers.yaml") for f in facts)


def test_price_at_a_fixed_date_in_a_template(tmp_path, book):
    answers = load_text(
        tmp_path,
        book,
        'answers:\n  - id: a\n    answer: \'מ-1.12: {{ price("fiber-500", at="2026-12-01") }}\'\n',
    )
    assert answers.rendered("a", NOVEMBER) == "מ-1.12: ₪109.90"


def test_without_declared_facts_the_rendered_text_is_expected(tmp_path, book):
    answers = load_text(
        tmp_path,
        book,
        "answers:\n  - id: a\n    answer: 'סיבים 500 ב-{{ price(\"fiber-500\") }}, 20% הנחה'\n",
    )
    facts = answers.expected_facts("a", DECEMBER)
    assert [(f.kind, f.value, f.product) for f in facts] == [
        ("money", Decimal("109.90"), "fiber-500"),
        ("percent", Decimal("20"), None),
    ]


FACT_FORMS = """\
answers:
  - id: a
    answer: x
    facts:
      - {percent: 20}
      - {count: {value: "2", unit: router}}
      - {duration: {value: 2, unit: weeks}}
      - {money: '{{ price("router-install") }}'}
      - {duration: "שבועיים"}
      - {money: {value: 10, currency: USD}}
"""


def test_every_fact_value_form(tmp_path, book):
    answers = load_text(tmp_path, book, FACT_FORMS)
    facts = answers.expected_facts("a", NOVEMBER)
    assert [(f.kind, f.value, f.unit, f.product) for f in facts] == [
        ("percent", Decimal(20), None, None),
        ("count", Decimal(2), "router", None),
        ("duration", Decimal(2), "week", None),
        ("money", Decimal("149.00"), "ILS", "router-install"),
        ("duration", Decimal(2), "week", None),
        ("money", Decimal(10), "USD", None),
    ]
    assert isinstance(facts[0], ExpectedFact)


def test_a_price_not_in_effect_renders_nothing_and_binds_nothing(tmp_path, book):
    answers = load_text(
        tmp_path,
        book,
        "answers:\n  - id: a\n    answer: '{{ price(\"cloud-backup\") }}'\n"
        "    facts: [{money: {price: cloud-backup}}]\n",
    )
    assert answers.rendered("a", NOVEMBER) is None
    assert answers.expected_facts("a", NOVEMBER) == []
    assert answers.rendered("a", DECEMBER) == "₪14.90"


# --- errors at their line ---------------------------------------------------------------


@dataclass(frozen=True)
class Bad:
    id: str
    yaml: str
    line: int
    field: str
    message: str


BAD = [
    Bad("sandbox-mro", "answers:\n  - id: a\n    answer: \"{{ ''.__class__.__mro__ }}\"\n",
        3, "answers[0].answer", "not allowed by the sandbox: access to attribute '__class__'"),
    Bad("sandbox-function-globals", "answers:\n  - id: a\n    answer: '{{ price.__globals__ }}'\n",
        3, "answers[0].answer", "not allowed by the sandbox: access to attribute '__globals__'"),
    Bad("syntax", "answers:\n  - id: a\n    answer: x\n  - id: b\n    answer: '{{ price(\"fiber-500\" }}'\n",
        5, "answers[1].answer", "template syntax error: unexpected '}'"),
    Bad("undefined-function", "answers:\n  - id: a\n    answer: '{{ discount(\"fiber-500\") }}'\n",
        3, "answers[0].answer", "unknown template name 'discount'; templates may use: price"),
    Bad("no-builtins", "answers:\n  - id: a\n    answer: '{{ range(10) }}'\n",
        3, "answers[0].answer", "unknown template name 'range'"),
    Bad("template-unknown-product", "answers:\n  - id: a\n    answer: '{{ price(\"fiber-9\") }}'\n",
        3, "answers[0].answer", "price(): unknown product 'fiber-9'"),
    Bad("template-id-not-quoted", "answers:\n  - id: a\n    answer: '{{ price(1) }}'\n",
        3, "answers[0].answer", "price() takes a product id in quotes"),
    Bad("template-bad-date", "answers:\n  - id: a\n    answer: '{{ price(\"fiber-500\", at=\"2026-02-30\") }}'\n",
        3, "answers[0].answer", "'2026-02-30' is not a real date"),
    Bad("fact-unknown-product", "answers:\n  - id: a\n    answer: x\n    facts:\n      - {money: {price: fiber-9}}\n",
        5, "answers[0].facts[0].money.price", "unknown product 'fiber-9'"),
    Bad("fact-price-not-money", "answers:\n  - id: a\n    answer: x\n    facts:\n      - {duration: {price: fiber-500}}\n",
        5, "answers[0].facts[0].duration", "{price: ...} is a money value, not a duration"),
    Bad("duration-unit", "answers:\n  - id: a\n    answer: x\n    facts:\n      - {duration: {value: 3, unit: fortnight}}\n",
        5, "answers[0].facts[0].duration.unit", "unknown duration unit 'fortnight'"),
    Bad("duration-needs-unit", "answers:\n  - id: a\n    answer: x\n    facts:\n      - {duration: 14}\n",
        5, "answers[0].facts[0].duration", "a duration needs a unit"),
    Bad("string-states-nothing", "answers:\n  - id: a\n    answer: x\n    facts:\n      - {percent: 'הרבה'}\n",
        5, "answers[0].facts[0].percent", "'הרבה' states no percent"),
    Bad("duplicate-id", "answers:\n  - id: a\n    answer: x\n  - id: a\n    answer: y\n",
        4, "answers[1].id", "duplicate answer id 'a' (first on line 2)"),
    Bad("schema", "answers:\n  - id: a\n    answr: x\n",
        2, "answers[0]", "missing required key 'answer'"),
]  # fmt: skip


@pytest.mark.parametrize("row", BAD, ids=lambda r: r.id)
def test_bad_answers_name_file_line_and_field(tmp_path, book, row):
    path = write(tmp_path, row.yaml)
    with pytest.raises(InputError) as caught:
        load_answers(path, book, TZ)
    matching = [e for e in caught.value.errors if row.message in e.message]
    assert matching, [str(e) for e in caught.value.errors]
    error = matching[0]
    assert (error.file, error.line, error.path) == (str(path), row.line, row.field)


def test_unknown_channel_when_channels_are_known(tmp_path, book):
    path = write(tmp_path, "answers:\n  - id: a\n    answer: x\n    channels: [chat, fax]\n")
    with pytest.raises(
        InputError, match=r"answers.yaml:4:\d+: answers\[0\].channels\[1\]: unknown channel 'fax'"
    ):
        load_answers(path, book, TZ, channels=("web", "phone", "chat"))


# --- lint: answers that disagree with the list ----------------------------------------------


@dataclass(frozen=True)
class Lint:
    id: str
    answer: str
    facts: str
    messages: tuple[str, ...]


LINT = [
    Lint("right", "סיב 500 עולה {{ price(\"fiber-500\") }}", "[{money: {price: fiber-500}}]", ()),
    Lint("hard-coded-old-price", "סיב 500 עולה ₪89 לחודש", "", ("states ₪89 for סיב 500; the list price is ₪99.90",)),
    Lint("text-against-its-facts", "התקנה תוך 5 ימי עסקים", "[{duration: {value: 3, unit: business_day}}]",
         ("states 5 ימי עסקים but its facts say duration 3 business days",)),
    Lint("hard-coded-against-declared-price", "המחיר ₪89", "[{money: {price: fiber-500}}]",
         ("states ₪89 but its facts say money ₪99.90",)),
    Lint("free-and-a-fee-both-said", "ללא עלות 14 יום, אחר כך {{ price(\"cancel-fee\") }}",
         "[{money: {price: cancel-fee}}, {duration: {value: 14, unit: day}}]", ()),
]  # fmt: skip


@pytest.mark.parametrize("row", LINT, ids=lambda r: r.id)
def test_lint_answers_against_the_list(tmp_path, book, row):
    facts = f"    facts: {row.facts}\n" if row.facts else ""
    text = f"answers:\n  - id: a\n    answer: '{row.answer}'\n{facts}"
    errors = lint_answers(load_text(tmp_path, book, text), NOVEMBER)
    assert len(errors) == len(row.messages)
    for error, message in zip(errors, row.messages, strict=True):
        assert message in error.message
        assert (error.line, error.path) == (3, "answers[0].answer")


def test_lint_command_reports_an_answer_that_disagrees(tmp_path):
    shutil.copy(DEMO / "prices.yaml", tmp_path / "prices.yaml")
    (tmp_path / "consistency.yaml").write_text(
        "price_list: prices.yaml\nanswers: answers.yaml\n", encoding="utf-8"
    )
    write(tmp_path, "answers:\n  - id: fiber\n    answer: 'סיב 500 עולה ₪89'\n")
    errors = lint(tmp_path / "consistency.yaml", [])
    assert [(Path(e.file).name, e.line) for e in errors] == [("answers.yaml", 3)]
    assert "the list price is ₪" in errors[0].message


def test_lint_reports_template_errors_of_the_answers_named(tmp_path):
    shutil.copy(DEMO / "prices.yaml", tmp_path / "prices.yaml")
    config = tmp_path / "consistency.yaml"
    config.write_text("price_list: prices.yaml\nanswers: answers.yaml\n", encoding="utf-8")
    write(tmp_path, "answers:\n  - id: a\n    answer: '{{ price(\"nope\") }}'\n")
    errors = lint(config, [])
    assert [(e.line, e.message) for e in errors] == [(3, "price(): unknown product 'nope'")]
    assert lint(None, [tmp_path / "prices.yaml"]) == []


def test_the_demo_lints_clean():
    assert lint(DEMO / "consistency.yaml", []) == []


def test_a_config_naming_answers_is_linted_as_a_config():
    assert lint(None, [DEMO / "consistency.yaml"]) == []
