"""The format registry: names feed click.Choice, lookups fail clearly, the default follows CI."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal

import click
import pytest
from click.testing import CliRunner

from consistency import report
from consistency.report.base import text as joined
from consistency.report.base import value_parts
from consistency.report.sample import sample_result
from consistency.text.display import money_text as money
from consistency.text.display import percent_text as percent


def test_every_format_is_registered_under_its_own_name():
    assert report.names() == ["text", "json", "junit", "sarif", "github", "markdown", "html"]
    for name, reporter in report.FORMATS.items():
        assert name == reporter.NAME
    suffixes = [reporter.SUFFIX for reporter in report.FORMATS.values()]
    assert suffixes == [".txt", ".json", ".xml", ".sarif", ".github.txt", ".md", ".html"]
    assert len(set(suffixes)) == len(suffixes)  # each format's file has its own name


def test_names_feed_click_choice():
    @click.command()
    @click.option("--format", "fmt", type=click.Choice(report.names()))
    def cmd(fmt):
        click.echo(fmt)

    runner = CliRunner()
    assert runner.invoke(cmd, ["--format", "sarif"]).output == "sarif\n"
    refused = runner.invoke(cmd, ["--format", "pdf"])
    assert refused.exit_code == 2
    assert "'pdf' is not one of" in refused.output


def test_unknown_format_names_the_known_ones():
    with pytest.raises(report.UnknownFormat) as caught:
        report.render(sample_result(), "pdf", io.StringIO())
    assert str(caught.value) == (
        "unknown report format 'pdf'; known formats: "
        "text, json, junit, sarif, github, markdown, html"
    )


def test_unknown_option_names_the_format_and_its_options():
    with pytest.raises(report.UnknownOption) as caught:
        report.render(sample_result(), "github", io.StringIO(), options={"max": 3})
    assert (
        str(caught.value) == "format 'github' has no option max; its options: env, max_annotations"
    )


@dataclass(frozen=True)
class EnvCase:
    id: str
    env: dict
    expected: str


ENV_CASES = [
    EnvCase("plain shell", {}, "text"),
    EnvCase("github actions", {"GITHUB_ACTIONS": "true"}, "github"),
    EnvCase("empty value is not set", {"GITHUB_ACTIONS": ""}, "text"),
    EnvCase("other CI", {"CI": "true", "GITLAB_CI": "true"}, "text"),
]


@pytest.mark.parametrize("case", ENV_CASES, ids=lambda c: c.id)
def test_default_format(case):
    assert report.default_format(case.env) == case.expected


@dataclass(frozen=True)
class ValueCase:
    id: str
    value: dict | None
    currency: str | None
    signed: bool
    expected: str


VALUE_CASES = [
    ValueCase("shekels", {"amount": Decimal("99.9"), "currency": "ILS"}, None, False, "₪99.90"),
    ValueCase("dollars", {"amount": Decimal("19.99"), "currency": "USD"}, None, False, "$19.99"),
    ValueCase("euros", {"amount": Decimal("5"), "currency": "EUR"}, None, False, "€5.00"),
    ValueCase("pounds", {"amount": Decimal("5"), "currency": "GBP"}, None, False, "£5.00"),
    ValueCase(
        "other code", {"amount": Decimal("1234.5"), "currency": "CHF"}, None, False, "CHF 1,234.50"
    ),
    ValueCase(
        "difference takes the hint",
        {"amount": Decimal("-9.99"), "percent": Decimal("-10")},
        "ILS",
        True,
        "-₪9.99 (-10.0%)",
    ),
    ValueCase(
        "overcharge is signed",
        {"amount": Decimal("3"), "percent": Decimal("2.5")},
        "USD",
        True,
        "+$3.00 (+2.5%)",
    ),
    ValueCase("percent alone", {"percent": Decimal("20")}, None, False, "20%"),
    ValueCase(
        "duration fact",
        {"fact": "duration", "value": 14, "unit": "day"},
        None,
        False,
        "14 days",
    ),
    ValueCase("one day", {"fact": "duration", "value": 1, "unit": "day"}, None, False, "1 day"),
    ValueCase(
        "money fact (answer checks)",
        {"fact": "money", "value": Decimal("100"), "unit": "ILS"},
        None,
        False,
        "₪100.00",
    ),
    ValueCase(
        "phrase (forbidden-phrase)", {"phrase": "לא באחריותנו"}, None, False, "“לא באחריותנו”"
    ),
    ValueCase(
        "issue 13: vat_included False (vat-excluded-price)",
        {"amount": Decimal("110.08"), "currency": "ILS", "vat_included": False},
        None,
        False,
        "₪110.08 without VAT",
    ),
    ValueCase(
        "issue 13: list_price (cross-channel-gap)",
        {"amount": Decimal("129.9"), "currency": "ILS", "channel": "web", "list_price": 99.9},
        None,
        False,
        "₪129.90 (web), list price ₪99.90",
    ),
    ValueCase(
        "issue 13: None and booleans",
        {"amount": None, "ref": None, "note": True, "flags": [False, None]},
        None,
        False,
        "note: yes, flags: no",
    ),
    ValueCase(
        "structured data",
        {"amount": Decimal("149"), "currency": "ILS", "source": "structured"},
        None,
        False,
        "₪149.00 in the structured data",
    ),
    ValueCase("empty reply (no-reply)", {"reply": ""}, None, False, "an empty reply"),
    ValueCase("nothing", None, "ILS", False, ""),
]


@pytest.mark.parametrize("case", VALUE_CASES, ids=lambda c: c.id)
def test_value_formatting(case):
    assert joined(value_parts(case.value, case.currency, signed=case.signed)) == case.expected


def test_money_and_percent_keep_decimal_precision():
    assert money(Decimal("0.005"), "ILS") == "₪0.01"
    assert money(Decimal("1000000"), "ILS") == "₪1,000,000.00"
    assert percent(Decimal("-0.05"), signed=True) == "-0.1%"


def test_the_cli_names_each_report_file_by_its_reporters_suffix(tmp_path):
    """Tryout 9, L10: the CLI has no suffix table of its own; the names stay as documented
    (docs/examples/github-actions.yml reads reports/consistency.github.txt)."""
    import subprocess
    import sys

    from tests.helpers import make_project

    config = make_project(tmp_path, [{"channel": "web", "at": "2026-11-21T09:00",
                                      "product": "fiber-500", "amount": "99.90"}])  # fmt: skip
    formats = [x for name in report.names() for x in ("--format", name)]
    out = tmp_path / "out"
    subprocess.run(
        [sys.executable, "-m", "consistency", "audit", "--config", str(config), "--no-fetch",
         "-q", *formats, "-o", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    written = sorted(path.name for path in out.iterdir() if path.is_file())
    assert written == sorted(f"consistency{report.get(name).SUFFIX}" for name in report.names())
    assert "consistency.github.txt" in written and "consistency.txt" in written
