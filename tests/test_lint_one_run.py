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
  - {id: black-friday, products: [fiber-500], discount: {percent: 20}, channels: [web, store],
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
    "prices.yaml": PRICES,
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
    write(tmp_path, {"prices.yaml": PRICES})
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
