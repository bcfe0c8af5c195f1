"""lint: every input file checked by content, all problems collected across files."""

from __future__ import annotations

from pathlib import Path

import pytest

from consistency import lint as lint_module
from consistency.errors import LoadError
from consistency.lint import kind_of, lint

GOOD_PRICES = "products:\n  - {id: a, price: 1}\npromotions:\n  - {id: p, products: '*', price: 1, channels: [store]}\n"
GOOD_ANSWERS = """\
answers:
  - id: cancellation-fee
    questions:
      - כמה עולה לבטל את המנוי?
    answer: ביטול ללא עלות בתוך 14 יום, ולאחר מכן {{ price("a") }}.
    facts:
      - {money: {price: a}}
      - {duration: {value: 14, unit: day}}
      - {percent: 20}
      - {count: "{{ 3 }}"}
policy:
  forbidden: ["אין מה לעשות"]
"""
GOOD_RULES = "rules:\n  - id: unknown-product\n    severity: warning\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def project(tmp_path) -> Path:
    write(tmp_path, "prices.yaml", GOOD_PRICES)
    write(tmp_path, "answers.yaml", GOOD_ANSWERS)
    write(tmp_path, "rules.yaml", GOOD_RULES)
    write(
        tmp_path,
        "consistency.yaml",
        "price_list: prices.yaml\nanswers: answers.yaml\nrules: [rules.yaml]\nchannels: [store]\n",
    )
    return tmp_path


def test_clean_project_has_no_problems(project):
    assert lint(project / "consistency.yaml", []) == []


def test_config_channels_apply_to_its_price_list(project):
    errors = lint(None, [project / "prices.yaml"])
    assert [(e.line, e.path) for e in errors] == [(4, "promotions[0].channels[0]")]
    assert "unknown channel 'store'" in errors[0].message


def test_problems_in_every_file_are_collected(project):
    write(project, "prices.yaml", "products:\n  - {id: a, price: x}\n  - {id: a, price: -1}\n")
    write(
        project,
        "answers.yaml",
        "answers:\n  - {id: q, answer: hi, facts: [{money: 1, percent: 2}]}\n",
    )
    write(project, "rules.yaml", "rules:\n  - id: nope\n")
    errors = lint(project / "consistency.yaml", [])
    found = {(Path(e.file).name, e.line, e.path) for e in errors}
    assert found == {
        ("prices.yaml", 2, "products[0].price"),
        ("prices.yaml", 3, "products[1].price"),  # negative: seen in the same run (issue 9)
        ("prices.yaml", 3, "products[1].id"),  # a repeat of an item that broke the schema
        ("answers.yaml", 2, "answers[0].facts[0]"),
        ("rules.yaml", 2, "rules[0].id"),
    }


def test_semantic_problems_all_reported(project):
    text = "products:\n  - {id: a, price: -1}\n  - {id: a, price: 2}\n"
    errors = lint(None, [write(project, "p2.yaml", text)])
    assert [(e.line, e.path) for e in errors] == [(2, "products[0].price"), (3, "products[1].id")]


def test_kind_is_told_by_content_not_name(project):
    odd = write(project, "whatever.txt", "rules:\n  - {id: a, severity: fatal}\n")
    # the bad severity leaves the rest of the rule checked: 'a' names no check (one run)
    assert [e.path for e in lint(None, [odd])] == ["rules[0].id", "rules[0].severity"]


def test_unknown_kind_and_broken_yaml(project):
    unknown = write(project, "notes.yaml", "hello: world\n")
    broken = write(project, "broken.yaml", "products: [\n")
    duplicate = write(project, "dup.yaml", "answers: []\nanswers: []\n")
    errors = lint(None, [unknown, broken, duplicate])
    assert [(Path(e.file).name, e.line) for e in errors] == [
        ("notes.yaml", 1),
        ("broken.yaml", 2),
        ("dup.yaml", 2),
    ]
    assert "cannot tell what this file is" in errors[0].message
    assert "YAML syntax error" in errors[1].message
    assert "duplicate key 'answers'" in errors[2].message


def test_duplicate_answer_ids(project):
    text = "answers:\n  - {id: a, answer: x}\n  - {id: a, answer: y}\n"
    (error,) = lint(None, [write(project, "answers2.yaml", text)])
    assert (error.line, error.path) == (3, "answers[1].id")
    assert "first on line 2" in error.message


def test_a_file_named_twice_is_linted_once(project):
    write(project, "prices.yaml", "products:\n  - {id: a, price: x}\n")
    errors = lint(project / "consistency.yaml", [project / "prices.yaml"])
    assert len(errors) == 1


def test_broken_config_is_reported_and_other_files_still_linted(project):
    """The files a broken config names are checked in the same run (issue 9): this config
    no longer declares ``store``, so the price list's promotion names an unknown channel."""
    write(project, "consistency.yaml", "price_list: prices.yaml\ntimezone: Mars/Olympus\n")
    bad_rules = write(project, "r2.yaml", "rules:\n  - id: unknown-product\n    window: P1M\n")
    errors = lint(project / "consistency.yaml", [bad_rules])
    assert [(Path(e.file).name, e.path) for e in errors] == [
        ("consistency.yaml", "timezone"),
        ("prices.yaml", "promotions[0].channels[0]"),
        ("r2.yaml", "rules[0].window"),
    ]


def test_extra_lint_hooks_see_every_file(project, monkeypatch):
    seen: list[Path] = []

    def hook(path: Path) -> list[LoadError]:
        seen.append(path.name)
        return (
            [LoadError(str(path), 1, 1, "", "hook says no")] if path.name == "answers.yaml" else []
        )

    monkeypatch.setattr(lint_module, "extra_lint", [hook])
    errors = lint(project / "consistency.yaml", [])
    assert sorted(seen) == ["answers.yaml", "consistency.yaml", "prices.yaml", "rules.yaml"]
    assert [e.message for e in errors] == ["hook says no"]


def test_kind_of_prefers_the_most_specific_key():
    assert kind_of({"products": [], "price_list": "x"}) == "prices"
    assert kind_of({"price_list": "x"}) == "config"
    assert kind_of(None) is None


# --- one pass: schema, semantic and cross-file problems together (issue 9) --------------------

BROKEN_PRICES = """\
products:
  - {id: a, price: x}
  - id: b
    prices:
      - {amount: 10, from: 2026-01-01, to: 2026-06-30}
      - {amount: 12, from: 2026-06-01}
  - {id: b, price: 5}
  - {id: c, price: -1, colour: red}
promotions:
  - {id: p, products: [zzz], price: 1}
"""


def test_a_broken_price_list_shows_every_problem_in_one_run(project):
    """Each stage (schema, then windows/ids/amounts) used to need its own lint run."""
    write(project, "prices.yaml", BROKEN_PRICES)
    errors = lint(None, [project / "prices.yaml"])
    found = [(e.line, e.path, e.message.split(";")[0].split(" (")[0]) for e in errors]
    assert found == [
        (2, "products[0].price", "'x' is not a number"),
        (6, "products[1].prices", "price window overlaps the one on line 5"),
        (7, "products[2].id", "duplicate product id 'b'"),
        (8, "products[3].price", "-1 is a negative amount"),
        (8, "products[3]", "unknown key 'colour'"),
        (10, "promotions[0].products[0]", "unknown product 'zzz'"),
    ]


def test_rules_and_answers_are_checked_though_the_price_list_is_broken(project):
    write(project, "prices.yaml", "products:\n  - {id: a, price: x}\n")
    write(
        project,
        "rules.yaml",
        "rules:\n  - id: nope\n  - id: price-mismatch\n    channels: [store]\n",
    )
    errors = lint(project / "consistency.yaml", [])
    assert [(Path(e.file).name, e.line) for e in errors] == [("prices.yaml", 2), ("rules.yaml", 2)]


def test_an_unknown_format_or_fetcher_gets_a_did_you_mean(project):
    config = project / "consistency.yaml"
    config.write_text(
        config.read_text(encoding="utf-8")
        + "sources:\n  - {channel: phone, files: [x/*.csv], format: intercomm}\n"
        + "  - {channel: web, fetch: webb, pages: []}\n",
        encoding="utf-8",
    )
    errors = lint(config, [])
    said = [(e.path, e.message) for e in errors]
    assert [path for path, _ in said] == ["sources[0].format", "sources[1].fetch"]
    assert "did you mean 'intercom'?" in said[0][1] and "did you mean 'web'?" in said[1][1]


# --- output formats for CI (issue 9, item 5) --------------------------------------------------


def lint_cli(project: Path, *args: str):
    from click.testing import CliRunner

    from consistency.cli import main

    write(project, "prices.yaml", "products:\n  - {id: a, price: x}\n")
    return CliRunner().invoke(main, ["lint", *args, str(project / "prices.yaml")])


def test_json_lists_every_problem_on_stdout(project):
    import json

    done = lint_cli(project, "--format", "json")
    assert done.exit_code == 2
    (row,) = json.loads(done.stdout)
    assert (row["line"], row["col"], row["path"]) == (2, 20, "products[0].price")
    assert row["file"].endswith("prices.yaml") and "not a number" in row["message"]


def test_github_annotates_the_offending_line(project):
    done = lint_cli(project, "--format", "github")
    assert done.exit_code == 2
    (line,) = done.stdout.splitlines()
    assert line.startswith("::error file=") and ",line=2,col=20," in line
    assert line.endswith("::products[0].price: 'x' is not a number")


def test_sarif_has_one_result_per_problem_at_its_region(project):
    import json

    done = lint_cli(project, "--format", "sarif")
    log = json.loads(done.stdout)
    (result,) = log["runs"][0]["results"]
    assert log["version"] == "2.1.0" and result["ruleId"] == "invalid-input"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == (2, 20)


def test_a_clean_run_in_json_is_an_empty_list(project):
    from click.testing import CliRunner

    from consistency.cli import main

    done = CliRunner().invoke(
        main, ["lint", "--format", "json", "--config", str(project / "consistency.yaml")]
    )
    assert done.exit_code == 0 and done.stdout.startswith("[]")


def test_a_rule_option_after_a_dropped_rule_names_its_own_index(project):
    text = "rules:\n  - {id: a, severity: loud}\n  - id: cross-channel-gap\n    windo: P1D\n"
    write(project, "rules.yaml", text)
    errors = lint(None, [project / "rules.yaml"])
    expected = [(2, "rules[0].id"), (2, "rules[0].severity"), (4, "rules[1]")]
    assert [(e.line, e.path) for e in errors] == expected


# --- a broken config: schema, semantic and cross-file problems in one run (issue 9) -----------

BROKEN_CONFIG = """\
price_list: prices.yaml
rules: [rules.yaml]
timezone: Mars/Olympus
sources:
  - {channel: phone, files: [x/*.csv], format: intercomm}
  - {channel: chat, files: [y/*.csv], encoding: klingon-8, date_format: "%Q"}
  - {channel: web, fetch: webb, pages: []}
  - {channel: email, files: [z/*.csv], format: zendesk, delimiter: ";"}
  - {channel: store, files: [s/*.csv], retries: many}
"""
# (line, col, field, start of the message): what one `consistency lint` run must print
CONFIG_PROBLEMS = [
    (3, 11, "timezone", "unknown time zone 'Mars/Olympus'"),  # semantic
    (5, 48, "sources[0].format", "unknown format 'intercomm'"),  # registry name
    (6, 49, "sources[1].encoding", "unknown encoding 'klingon-8'"),  # semantic
    (6, 73, "sources[1].date_format", "'%Q' is not a strptime format"),  # semantic
    (7, 27, "sources[2].fetch", "unknown fetcher 'webb'"),  # registry name
    (8, 68, "sources[3].delimiter", "applies to format: records only"),  # option on a format
    (9, 49, "sources[4].retries", "'many' is not a whole number"),  # the one schema error
]


def test_a_broken_config_shows_every_problem_in_one_lint_run(project):
    """Tryout 11, P11: the config's semantic problems used to wait for its schema to pass.
    The rule naming ``store`` is fine (the source the schema left out still declares it);
    the one naming ``fax`` is a cross-file problem, found in the same run."""
    import subprocess

    write(project, "consistency.yaml", BROKEN_CONFIG)
    write(project, "rules.yaml", "rules:\n  - id: price-mismatch\n    channels: [store, fax]\n")
    done = subprocess.run(
        ["consistency", "lint", "--config", "consistency.yaml"],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stdout.splitlines()
    expected = [f"consistency.yaml:{line}:{col}: {field}: {start}"
                for line, col, field, start in CONFIG_PROBLEMS]  # fmt: skip
    expected.append("rules.yaml:3:23: rules[0].channels[1]: unknown channel 'fax'")
    assert len(lines) == len(expected), done.stdout
    for said, start in zip(lines, expected, strict=True):
        assert said.startswith(start), (said, start)
