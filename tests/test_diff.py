"""Tests of `consistency diff`: keyed changes, their Markdown and JSON, --base against a real
git repository made in tmp_path, and the impact on approved answers, web pages and chat probes.

The rows edit the SPEC 3.1 price list (fiber-500, router-install, a promotion and channel
policies) one way each; dates are in 2030 and "now" is fixed at 2030-01-01.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from consistency.cli import main
from consistency.diff import (
    SCHEMA,
    FieldChange,
    PriceChange,
    WindowChange,
    day,
    diff_price_lists,
    render_markdown,
    show,
    to_dict,
)
from consistency.inputs.prices import load_price_list

TZ = ZoneInfo("Asia/Jerusalem")
NOW = datetime(2030, 1, 1, tzinfo=TZ)
ROOT = Path(__file__).resolve().parent.parent

FIBER = """\
  - id: fiber-500
    name: סיב 500 מגה
    aliases: ["fiber 500"]
    unit: month
    price: 99.90
"""
ROUTER = """\
  - id: router-install
    name: התקנת נתב
    unit: one-time
    price: 149
"""
PROMO = """\
promotions:
  - id: black-friday
    products: [fiber-500]
    discount: {percent: 20}
    channels: [web, chat]
    from: 2030-11-20
    to: 2030-11-30
"""
CHANNELS = """\
channels:
  phone:
    max_discount: {percent: 5}
"""
VAT = """\
vat:
  included: true
  rates:
    - {rate: 0.18, from: 2025-01-01}
"""


def price_list_text(
    fiber: str = FIBER, router: str = ROUTER, promo: str = PROMO, channels: str = CHANNELS, vat=VAT
) -> str:
    return f'version: "2030-01"\ncurrency: ILS\n{vat}products:\n{fiber}{router}{promo}{channels}'


def windows(*rows: str) -> str:
    """fiber-500 with effective-dated prices, one ``{amount..., from..., to...}`` per row."""
    head = FIBER.replace("    price: 99.90\n", "    prices:\n")
    return head + "".join(f"      - {row}\n" for row in rows)


def load(tmp_path: Path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_price_list(path, TZ)


def describe(change) -> str:
    """One change as a short line the rows can state."""
    if isinstance(change, PriceChange):
        pct = f" {change.percent:+}%" if change.percent is not None else ""
        delta = f" {change.amount:+}" if change.amount is not None else ""
        return f"{change.product} {change.old}->{change.new}{delta}{pct} from {day(change.start) or 'now'}"
    if isinstance(change, WindowChange):
        return f"{change.product} {change.kind}"
    if isinstance(change, FieldChange):
        return f"{change.subject}.{change.field}: {show(change.old, 'ILS')} -> {show(change.new, 'ILS')}"
    return change.id  # a Product or a Promotion, added or removed


@dataclass(frozen=True)
class Row:
    id: str
    old: str
    new: str
    section: str  # the PriceListDiff attribute holding the change
    expected: tuple[str, ...]
    xfail: str = ""


ROWS = [
    Row(
        "price-up",
        price_list_text(),
        price_list_text(fiber=FIBER.replace("99.90", "109.90")),
        "prices",
        ("fiber-500 99.90->109.90 +10.00 +10.0% from now",),
    ),
    Row(
        "price-down",
        price_list_text(router=ROUTER.replace("149", "100")),
        price_list_text(router=ROUTER.replace("149", "89.90")),
        "prices",
        ("router-install 100->89.90 -10.10 -10.1% from now",),
    ),
    Row(
        "new-window-price",
        price_list_text(),
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-06-30}", "{amount: 109.90, from: 2030-07-01}")
        ),
        "prices",
        ("fiber-500 99.90->109.90 +10.00 +10.0% from 2030-07-01",),
    ),
    Row(
        "new-window-windows",
        price_list_text(),
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-06-30}", "{amount: 109.90, from: 2030-07-01}")
        ),
        "windows",
        ("fiber-500 to", "fiber-500 added"),
    ),
    Row(
        "moved-to-prices",
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-05-31}", "{amount: 109.90, from: 2030-06-01}")
        ),
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-06-30}", "{amount: 109.90, from: 2030-07-01}")
        ),
        "prices",
        ("fiber-500 109.90->99.90 -10.00 -9.1% from 2030-06-01",),
    ),
    Row(
        "moved-to-windows",
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-05-31}", "{amount: 109.90, from: 2030-06-01}")
        ),
        price_list_text(
            fiber=windows("{amount: 99.90, to: 2030-06-30}", "{amount: 109.90, from: 2030-07-01}")
        ),
        "windows",
        ("fiber-500 to", "fiber-500 from"),
    ),
    Row(
        "past-window-rewritten",
        price_list_text(
            fiber=windows("{amount: 89.90, to: 2029-12-31}", "{amount: 99.90, from: 2030-01-01}")
        ),
        price_list_text(
            fiber=windows("{amount: 79.90, to: 2029-12-31}", "{amount: 99.90, from: 2030-01-01}")
        ),
        "windows",
        ("fiber-500 amount",),
    ),
    Row(
        "product-added",
        price_list_text(router=""),
        price_list_text(),
        "added",
        ("router-install",),
    ),
    Row(
        "product-removed",
        price_list_text(),
        price_list_text(router=""),
        "removed",
        ("router-install",),
    ),
    Row(
        "product-renamed",
        price_list_text(),
        price_list_text(
            fiber=FIBER.replace("סיב 500 מגה", "סיבים 500").replace(
                '"fiber 500"', '"fiber 500", "f500"'
            )
        ),
        "renamed",
        (
            "fiber-500.name: סיב 500 מגה -> סיבים 500",
            "fiber-500.aliases: fiber 500 -> fiber 500, f500",
        ),
    ),
    Row(
        "promotion-changed",
        price_list_text(),
        price_list_text(promo=PROMO.replace("20}", "25}").replace("[web, chat]", "[web]")),
        "promotions_changed",
        ("black-friday.discount: 20% -> 25%", "black-friday.channels: web, chat -> web"),
    ),
    Row(
        "promotion-removed",
        price_list_text(),
        price_list_text(promo=""),
        "promotions_removed",
        ("black-friday",),
    ),
    Row(
        "vat-rate-added",
        price_list_text(),
        price_list_text(vat=VAT + "    - {rate: 0.19, from: 2031-01-01}\n"),
        "vat",
        ("vat.rate from 2031-01-01: — -> 0.19",),
    ),
    Row(
        "channel-policy-changed",
        price_list_text(),
        price_list_text(
            channels=CHANNELS.replace("5}", "10}") + "  chat:\n    tolerance: {amount: 0.5}\n"
        ),
        "channels",
        ("chat.tolerance: — -> ₪0.50", "phone.max_discount: 5% -> 10%"),
    ),
    Row(
        "unchanged-but-reordered",
        price_list_text(),
        price_list_text(fiber=ROUTER, router=FIBER),
        "prices",
        (),
    ),
    Row(
        "both-ends-moved",
        price_list_text(fiber=windows("{amount: 99.90, from: 2030-02-01, to: 2030-05-31}")),
        price_list_text(fiber=windows("{amount: 99.90, from: 2030-03-01, to: 2030-06-30}")),
        "windows",
        ("fiber-500 from to",),
    ),
    Row(
        "window-split-in-two",
        price_list_text(fiber=windows("{amount: 99.90, from: 2030-02-01}")),
        price_list_text(
            fiber=windows(
                "{amount: 99.90, from: 2030-02-01, to: 2030-05-31}",
                "{amount: 99.90, from: 2030-06-01}",
            )
        ),
        "windows",
        ("fiber-500 to", "fiber-500 added"),
    ),
    Row(
        "window-merged-shows-as-a-move-and-a-removal",
        price_list_text(
            fiber=windows(
                "{amount: 99.90, from: 2030-02-01, to: 2030-05-31}",
                "{amount: 99.90, from: 2030-06-01}",
            )
        ),
        price_list_text(fiber=windows("{amount: 99.90, from: 2030-02-01}")),
        "windows",
        ("fiber-500 merged",),
        xfail="a merge of two windows is reported as 'to' moved plus a removed window",
    ),
]


def marks(row: Row):
    return [pytest.mark.xfail(strict=True, reason=row.xfail)] if row.xfail else []


@pytest.mark.parametrize("row", [pytest.param(r, id=r.id, marks=marks(r)) for r in ROWS])
def test_diff_rows(row: Row, tmp_path: Path) -> None:
    diff = diff_price_lists(
        load(tmp_path, "old.yaml", row.old), load(tmp_path, "new.yaml", row.new), NOW
    )
    found = tuple(describe(c) for c in getattr(diff, row.section))
    assert found == row.expected
    assert diff.changed() == (row.old != row.new and row.id != "unchanged-but-reordered")


def test_percent_is_to_a_tenth_and_none_without_an_old_price() -> None:
    assert PriceChange("p", "p", Decimal(3), Decimal(4), None).percent == Decimal("33.3")
    assert PriceChange("p", "p", None, Decimal(4), None).percent is None
    assert PriceChange("p", "p", Decimal(0), Decimal(4), None).percent is None


def test_markdown_escapes_pipes_and_markup(tmp_path: Path) -> None:
    nasty = FIBER.replace("סיב 500 מגה", '"fiber | <b>500</b> *fast*"')
    old = load(tmp_path, "old.yaml", price_list_text(fiber=nasty))
    new = load(tmp_path, "new.yaml", price_list_text(fiber=nasty.replace("99.90", "109.90")))
    out = StringIO()
    render_markdown(diff_price_lists(old, new, NOW), out)
    text = out.getvalue()
    row = next(line for line in text.splitlines() if "fiber-500" in line)
    assert "fiber \\| &lt;b&gt;500&lt;/b&gt; \\*fast\\*" in row
    assert row.replace("\\|", "").count("|") == 6  # five cells: the pipe in the name is escaped
    assert "| product | old | new | change | from |" in text
    assert "₪109.90" in row and "+10.0%" in row


def test_json_shape(tmp_path: Path) -> None:
    old = load(tmp_path, "old.yaml", price_list_text())
    new = load(
        tmp_path,
        "new.yaml",
        price_list_text(fiber=FIBER.replace("99.90", "109.90"), router="", promo=""),
    )
    data = json.loads(json.dumps(to_dict(diff_price_lists(old, new, NOW))))
    assert data["schema"] == SCHEMA == "consistency/diff@1"
    assert data["changed"] is True
    assert data["prices"] == [
        {
            "product": "fiber-500",
            "name": "סיב 500 מגה",
            "old": {"amount": 99.9, "currency": "ILS"},
            "new": {"amount": 109.9, "currency": "ILS"},
            "change": {"amount": 10, "percent": 10},
            "from": None,
        }
    ]
    assert data["products"]["removed"] == [
        {"id": "router-install", "name": "התקנת נתב", "price": {"amount": 149, "currency": "ILS"}}
    ]
    assert data["promotions"]["removed"] == ["black-friday"]
    assert data["summary"]["prices"] == 1 and data["summary"]["products_removed"] == 1
    assert data["impact"] == {"answers": [], "pages": [], "chats": []}


# --- the command ---------------------------------------------------------------------------


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def future_list(fiber_2099: str = "109.90") -> str:
    """Prices that change in 2099, so "now" in the command is always before them."""
    return price_list_text(
        fiber=windows(
            "{amount: 99.90, to: 2098-12-31}", f"{{amount: {fiber_2099}, from: 2099-01-01}}"
        )
    )


def test_cli_two_files_markdown_and_exit_codes(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    old = write(tmp_path, "old.yaml", future_list("109.90"))
    new = write(tmp_path, "new.yaml", future_list("119.90"))
    runner = CliRunner()
    done = runner.invoke(main, ["diff", str(old), str(new)])
    assert done.exit_code == 0, done.output
    assert (
        "| סיב 500 מגה (fiber-500) | ₪109.90 | ₪119.90 | \\+₪10.00 (+9.1%) | 2099-01-01 |"
        in done.output
    )
    assert runner.invoke(main, ["diff", str(old), str(new), "--exit-code"]).exit_code == 1
    same = runner.invoke(main, ["diff", str(old), str(old), "--exit-code"])
    assert same.exit_code == 0 and "No changes" in same.output


def test_cli_json_to_output_file(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    old = write(tmp_path, "old.yaml", future_list("109.90"))
    new = write(tmp_path, "new.yaml", future_list("99.90"))
    target = tmp_path / "out" / "diff.json"
    done = CliRunner().invoke(
        main, ["diff", str(old), str(new), "--format", "json", "--output", str(target)]
    )
    assert done.exit_code == 0, done.output
    assert done.output == ""
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [(p["product"], p["from"], p["change"]["percent"]) for p in data["prices"]] == [
        ("fiber-500", "2099-01-01T00:00:00+02:00", -9.1)
    ]


def test_cli_invalid_price_list_names_file_line_and_field(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    old = write(tmp_path, "old.yaml", price_list_text())
    new = write(tmp_path, "new.yaml", price_list_text(fiber=FIBER.replace("99.90", "-5")))
    done = CliRunner().invoke(main, ["diff", str(old), str(new)])
    assert done.exit_code == 2
    assert f"{new}:12:12:" in done.output and "products[0].price" in done.output
    assert "Traceback" not in done.output


def test_cli_needs_two_files_or_base(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    new = write(tmp_path, "new.yaml", price_list_text())
    done = CliRunner().invoke(main, ["diff", str(new)])
    assert done.exit_code == 2 and "OLD NEW, or NEW --base GIT_REF" in done.output


# --- --base GIT_REF --------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.co.il",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.co.il",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(
        ["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with prices/prices.yaml committed, then edited in the work tree."""
    folder = tmp_path / "repo"
    folder.mkdir()
    git(folder, "init", "-q")
    write(folder, "prices/prices.yaml", future_list("109.90"))
    git(folder, "add", ".")
    git(folder, "commit", "-q", "-m", "prices")
    write(folder, "prices/prices.yaml", future_list("129.90"))
    return folder


def test_base_reads_the_old_list_from_git(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo / "prices")
    done = CliRunner().invoke(main, ["diff", "prices.yaml", "--base", "HEAD"])
    assert done.exit_code == 0, done.output
    assert "| ₪109.90 | ₪129.90 | \\+₪20.00 (+18.2%) | 2099-01-01 |" in done.output


def test_base_json_labels_the_old_list_with_ref_and_path(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    done = CliRunner().invoke(
        main, ["diff", "prices/prices.yaml", "--base", "HEAD", "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["old"]["path"] == "HEAD:prices/prices.yaml"


def test_base_missing_ref_is_a_clear_error(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    done = CliRunner().invoke(main, ["diff", "prices/prices.yaml", "--base", "no-such-ref"])
    assert done.exit_code == 2
    assert "cannot read prices/prices.yaml at 'no-such-ref'" in done.output


def test_base_missing_path_is_a_clear_error(repo: Path, monkeypatch) -> None:
    monkeypatch.chdir(repo)
    new = write(repo, "prices/new.yaml", future_list())
    done = CliRunner().invoke(main, ["diff", str(new), "--base", "HEAD"])
    assert done.exit_code == 2
    assert "cannot read prices/new.yaml at 'HEAD'" in done.output


def test_base_outside_a_repository(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    new = write(tmp_path, "prices.yaml", future_list())
    done = CliRunner().invoke(main, ["diff", str(new), "--base", "HEAD"])
    assert done.exit_code == 2 and "is not in a git repository" in done.output


def test_base_invalid_old_list_names_ref_and_path(repo: Path, monkeypatch) -> None:
    write(repo, "prices/prices.yaml", price_list_text(fiber=FIBER.replace("99.90", "-1")))
    git(repo, "commit", "-q", "-am", "a bad list")
    write(repo, "prices/prices.yaml", price_list_text())
    monkeypatch.chdir(repo)
    done = CliRunner().invoke(main, ["diff", "prices/prices.yaml", "--base", "HEAD"])
    assert done.exit_code == 2
    assert "HEAD:prices/prices.yaml:12:12:" in done.output


# --- impact ----------------------------------------------------------------------------------

ANSWERS = """\
answers:
  - id: fiber-price
    questions: ["כמה עולה סיב 500?"]
    answer: 'סיב 500 מגה עולה {{ price("fiber-500") }} לחודש.'
  - id: install-fee
    questions: ["כמה עולה התקנה?"]
    answer: "התקנה בתשלום חד פעמי."
    facts:
      - {money: {price: router-install}}
  - id: cancellation
    questions: ["איך מבטלים?"]
    answer: "ביטול ללא עלות בתוך 14 יום."
"""
CONFIG = """\
timezone: Asia/Jerusalem
price_list: new.yaml
answers: answers.yaml
sources:
  - channel: web
    fetch: web
    allow_hosts: [shop.example.co.il]
    pages:
      - {url: "https://shop.example.co.il/fiber-500", product: fiber-500}
      - {url: "https://shop.example.co.il/install", product: router-install}
  - channel: chat
    fetch: http-chat
    url: https://bot.example.co.il/api/message
    method: POST
    body: {text: "{{ question }}"}
    reply: $.messages[*].text
    ask: answers
"""


def impact_folder(tmp_path: Path) -> Path:
    write(tmp_path, "old.yaml", future_list("109.90"))
    write(tmp_path, "new.yaml", future_list("119.90"))
    write(tmp_path, "answers.yaml", ANSWERS)
    write(tmp_path, "consistency.yaml", CONFIG)
    return tmp_path


def test_impact_lists_answers_pages_and_chats_of_the_changed_product(
    tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(impact_folder(tmp_path))
    done = CliRunner().invoke(main, ["diff", "old.yaml", "new.yaml", "--format", "json"])
    assert done.exit_code == 0, done.output
    impact = json.loads(done.output)["impact"]
    assert [(a["answer"], a["products"], a["where"]) for a in impact["answers"]] == [
        ("fiber-price", ["fiber-500"], "answers.yaml:2")
    ]
    rendered = impact["answers"][0]
    assert rendered["old_text"] == "סיב 500 מגה עולה ₪109.90 לחודש."  # from 2099-01-01
    assert rendered["new_text"] == "סיב 500 מגה עולה ₪119.90 לחודש."
    assert rendered["note"] is None
    assert impact["pages"] == [
        {"channel": "web", "url": "https://shop.example.co.il/fiber-500", "product": "fiber-500"}
    ]
    assert impact["chats"] == [
        {
            "channel": "chat",
            "url": "https://bot.example.co.il/api/message",
            "answers": ["fiber-price"],
        }
    ]


def test_impact_in_markdown_and_from_facts(tmp_path: Path, monkeypatch) -> None:
    folder = impact_folder(tmp_path)
    write(folder, "new.yaml", future_list("109.90").replace("price: 149", "price: 159"))
    monkeypatch.chdir(folder)
    done = CliRunner().invoke(main, ["diff", "old.yaml", "new.yaml"])
    assert done.exit_code == 0, done.output
    assert "### To re-check" in done.output
    assert "- answer install-fee (" in done.output and "fiber-price" not in done.output
    assert "- page https://shop.example.co.il/install (web, router-install)" in done.output
    assert "re-check 1 answer, 1 page, 1 chat probe" in done.output


def test_answers_option_without_a_config(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    write(folder, "old.yaml", future_list("109.90"))
    write(folder, "new.yaml", future_list("119.90"))
    answers = write(tmp_path, "answers.yaml", ANSWERS)
    monkeypatch.chdir(folder)
    done = CliRunner().invoke(
        main, ["diff", "old.yaml", "new.yaml", "--answers", str(answers), "--format", "json"]
    )
    assert done.exit_code == 0, done.output
    impact = json.loads(done.output)["impact"]
    assert [a["answer"] for a in impact["answers"]] == ["fiber-price"]
    assert impact["pages"] == [] and impact["chats"] == []


def test_base_also_reads_the_old_answers(repo: Path, monkeypatch) -> None:
    """An answer that priced fiber-500 at the base still counts after it stopped doing so."""
    write(repo, "prices/answers.yaml", ANSWERS)
    git(repo, "add", "prices/answers.yaml")
    git(repo, "commit", "-q", "-m", "answers")
    write(repo, "prices/answers.yaml", ANSWERS.replace('{{ price("fiber-500") }}', "מחיר משתנה"))
    monkeypatch.chdir(repo / "prices")
    done = CliRunner().invoke(
        main,
        ["diff", "prices.yaml", "--base", "HEAD", "--answers", "answers.yaml", "--format", "json"],
    )
    assert done.exit_code == 0, done.output
    assert [a["where"] for a in json.loads(done.output)["impact"]["answers"]] == [
        "HEAD:prices/answers.yaml:2"
    ]


# --- CI examples and the pre-commit hook ---------------------------------------------------


@dataclass(frozen=True)
class Example:
    id: str
    path: str
    must_contain: tuple[str, ...]


EXAMPLES = [
    Example(
        "github-actions",
        "docs/examples/github-actions.yml",
        ("consistency lint", "consistency diff --base", "gh pr comment", "upload-sarif"),
    ),
    Example(
        "gitlab-ci",
        "docs/examples/gitlab-ci.yml",
        ("consistency lint", "consistency diff --base", "junit"),
    ),
]


@pytest.mark.parametrize("example", [pytest.param(e, id=e.id) for e in EXAMPLES])
def test_ci_examples_parse_and_run_the_commands(example: Example) -> None:
    text = (ROOT / example.path).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict) and data
    for needle in example.must_contain:
        assert needle in text, needle


def test_github_example_triggers_on_price_and_answer_changes() -> None:
    data = yaml.safe_load((ROOT / "docs/examples/github-actions.yml").read_text(encoding="utf-8"))
    trigger = data[True] if True in data else data["on"]  # YAML 1.1 reads a bare `on` as true
    assert {"prices.yaml", "answers.yaml"} <= {
        Path(p).name for p in trigger["pull_request"]["paths"]
    }


def test_gitlab_example_keeps_the_junit_report() -> None:
    data = yaml.safe_load((ROOT / "docs/examples/gitlab-ci.yml").read_text(encoding="utf-8"))
    reports = [
        job["artifacts"]["reports"]["junit"]
        for job in data.values()
        if isinstance(job, dict) and "reports" in job.get("artifacts", {})
    ]
    assert reports and all(r.endswith(".xml") for r in reports)


def test_pre_commit_hook() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "consistency-lint")
    assert {"id", "name", "entry", "language"} <= hook.keys()
    assert hook["entry"] == "consistency lint"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is True
    files = re.compile(hook["files"])
    assert files.search("prices.yaml") and files.search("answers.yml")
    assert not files.search("README.md")


def test_answer_text_not_rendered_against_a_list_without_its_product(
    tmp_path: Path, monkeypatch
) -> None:
    """router-install is new: the answers cannot load against the old list, and the diff says so."""
    folder = impact_folder(tmp_path)
    write(folder, "old.yaml", price_list_text(router=""))
    write(folder, "new.yaml", price_list_text())
    monkeypatch.chdir(folder)
    done = CliRunner().invoke(main, ["diff", "old.yaml", "new.yaml"])
    assert done.exit_code == 0, done.output
    assert "- answer install-fee (" in done.output
    assert "  - was: —" in done.output and "  - now: התקנה בתשלום חד פעמי." in done.output
    assert "  - not rendered: old list: " in done.output and "router-install" in done.output
