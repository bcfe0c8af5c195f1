"""Every command loads through the one door (issue 9): on the same config they all accept,
or all reject with the same problems, every one of them (file:line:col, field and message).

``lint`` runs twice: with ``--config`` and as pre-commit runs it, ``lint FILE…`` on the
config and its price list (tryout 9, H1). Lint's own checks (approved answers against the
list, a web page's host or product: docs/answers.md, docs/fetching.md) are left out of
the comparison, as no other command makes them.

Each config the suite holds is copied to tmp_path and run through ``audit --no-fetch``,
``lint``, ``extract --config``, ``diff`` (the price list against itself) and ``fetch``.
``fetch`` runs only where it cannot reach the network: a config with no ``fetch:``
source, or one whose inputs are rejected before any fetcher starts. ``report`` reads a
saved result and ``demo`` its bundled company: neither takes a config.

The edited rows reproduce the disagreements the issue lists, on a copy of the demo.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from consistency.cli import main
from consistency.inputs.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
CONFIGS = sorted(
    {*ROOT.glob("fixtures/**/consistency.yaml"), *ROOT.glob("tests/**/consistency.yaml")}
)
# A problem as every command prints it: file[:line[:col]]: [field:] message
PROBLEM = re.compile(r"^(?:consistency: )?(\S+?\.ya?ml(?::\d+){0,2}: .+)$", re.M)


LINT_ONLY = re.compile(
    r": answers\[\d+\]\.answer: answer \S+ states |\.pages\[\d+\]\.(url|product): "
)


def run(folder: Path, *args: str) -> tuple[int, tuple[str, ...] | None]:
    """(exit code, every problem printed, sorted, or None), run in ``folder``."""
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    said = result.stdout if args[0] == "lint" else result.stderr
    assert "internal error" not in result.output and "Traceback" not in result.output
    found = sorted({p for p in PROBLEM.findall(said) if not LINT_ONLY.search(p)})
    return result.exit_code, tuple(found) or None


def has_fetchers(config: Path) -> bool:
    data, _ = load_yaml(config)
    return any(isinstance(s, dict) and "fetch" in s for s in data.get("sources") or ())


def verdicts(folder: Path) -> dict[str, str | None]:
    """command -> its first problem (None: it accepted the inputs)."""
    config = "consistency.yaml"
    price_list = load_yaml(folder / config)[0]["price_list"]
    commands = {
        "audit": ["audit", "--config", config, "--no-fetch", "-q"],
        "lint": ["lint", "--config", config],
        "lint FILE…": ["lint", config, price_list],
        "extract": ["extract", "--config", config, "₪5"],
        "diff": ["diff", price_list, price_list, "--config", config],
    }
    found = {name: run(folder, *args)[1] for name, args in commands.items()}
    if not has_fetchers(folder / config) or found["lint"] is not None:
        fetched = run(folder, "fetch", "--config", config, "-q")[1]
        nothing_to_fetch = (f"{config}: no fetch: source",)  # said only once the inputs load
        found["fetch"] = None if fetched == nothing_to_fetch else fetched
    return found


def copy(config: Path, tmp_path: Path, monkeypatch) -> Path:
    folder = tmp_path / "project"
    shutil.copytree(config.parent, folder)
    monkeypatch.chdir(folder)
    return folder


@pytest.mark.parametrize("config", CONFIGS, ids=lambda p: str(p.parent.relative_to(ROOT)))
def test_every_command_agrees_on_every_config_the_suite_holds(config, tmp_path, monkeypatch):
    folder = copy(config, tmp_path, monkeypatch)
    found = verdicts(folder)
    assert len(set(found.values())) == 1, found


# --- the disagreements of the issue, each on a copy of the demo ------------------------------


def append(name: str, text: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        with (folder / name).open("a", encoding="utf-8") as stream:
            stream.write(text)

    return edit


def replace(name: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        text = (folder / name).read_text(encoding="utf-8")
        assert old in text, f"{name} no longer holds {old!r}"
        (folder / name).write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def both(*edits: Callable[[Path], None]) -> Callable[[Path], None]:
    def edit(folder: Path) -> None:
        for one in edits:
            one(folder)

    return edit


@dataclass(frozen=True)
class Row:
    id: str
    edit: Callable[[Path], None]
    problem: str | None  # in the first problem every command prints; None: all accept
    source: str


ROWS = [
    Row(
        "rule-on-a-channel-only-the-price-list-declares",
        both(append("rules.yaml", "rules:\n  - id: price-mismatch\n    channels: [store]\n"),
             append("consistency.yaml", "rules: [rules.yaml]\n")),
        None,
        "issue 9: lint said unknown channel 'store' on a config audit accepts",
    ),
    Row(
        "format-typo",
        replace("consistency.yaml", "files: [exports/phone/*.csv]",
                "files: [exports/phone/*.csv]\n    format: intercomm"),
        "format: unknown format 'intercomm'",
        "issue 9: format: intercomm passed lint, failed only in audit",
    ),
    Row(
        "readme-answers-file",
        replace("answers.yaml", "answers:\n", "answers:\n  - id: cancel-readme\n    questions:"
                " [כמה עולה לבטל את המנוי?, What does it cost to cancel?]\n    answer: ביטול\n"),
        None,
        "issue 9: diff rejected the README's answers file as 'not YAML'",
    ),
    Row(
        "broken-price-list",
        replace("prices.yaml", "products:\n", "products:\n  - {id: broken, price: -5}\n"),
        "is a negative amount",
        "a broken price list: every command names the same line",
    ),
    Row(
        "config-semantic-problem-before-a-schema-problem",
        both(replace("consistency.yaml", "files: [exports/phone/*.csv]",
                     "files: [exports/phone/*.csv]\n    encoding: klingon-8"),
             replace("consistency.yaml", "files: [exports/web/*.jsonl]",
                     "files: [exports/web/*.jsonl]\n    retries: many")),
        "sources[0].encoding: unknown encoding 'klingon-8'",
        "issue 9 (tryout 11, P11): a config's semantic problems waited for the next lint",
    ),
    Row(
        "promotion-on-a-channel-only-a-source-names",
        both(replace("prices.yaml", "channels: [web, chat]", "channels: [web, kiosk]"),
             append("consistency.yaml", "  - {channel: kiosk, files: [exports/web/*.jsonl]}\n")),
        None,
        "tryout 9, H1: lint FILE… (pre-commit) ignored ./consistency.yaml's channels",
    ),
    Row(
        "web-extract-methods",
        append("consistency.yaml", "  - {channel: web, fetch: web, allow_hosts: [127.0.0.1],"
               " pages: [{url: 'http://127.0.0.1:9/x', product: fiber-500}],"
               " extract: [jsonldd, {regex: '(unclosed'}]}\n"),
        "unknown extract method 'jsonldd'",
        "tryout 9, H2: lint accepted extract methods fetch and audit reject",
    ),
    Row(
        "several-problems-in-several-files",
        both(replace("prices.yaml", "products:\n", "products:\n  - {id: broken, price: -5}\n"),
             replace("consistency.yaml", "files: [exports/phone/*.csv]",
                     "files: [exports/phone/*.csv]\n    encoding: klingon-8\n    delimiter: ';;'")),
        "delimiter: ';;' is too long",
        "tryout 9, L13: every problem compared, not only the first",
    ),
]  # fmt: skip


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.id)
def test_the_commands_agree_where_they_used_to_differ(row, tmp_path, monkeypatch):
    folder = copy(ROOT / "fixtures" / "demo" / "consistency.yaml", tmp_path, monkeypatch)
    row.edit(folder)
    found = verdicts(folder)
    assert len(set(found.values())) == 1, found
    problems = next(iter(found.values()))
    if row.problem is None:
        assert problems is None
    else:
        assert problems is not None and any(row.problem in p for p in problems), problems


def test_extract_finds_the_config_in_the_working_directory(tmp_path, monkeypatch):
    folder = copy(ROOT / "fixtures" / "demo" / "consistency.yaml", tmp_path, monkeypatch)
    replace("prices.yaml", "products:\n", "products:\n  - {id: broken, price: -5}\n")(folder)
    code, problems = run(folder, "extract", "₪5")
    assert code == 2 and problems is not None and "negative amount" in problems[0]
