"""``consistency diff`` loads answers through the one door (tryout 9, M3): the default
channels are known without a config, and a broken ``--answers`` file is exit 2 with every
problem, as ``lint`` reports it. The real command, in a subprocess, with no config around.
"""

from __future__ import annotations

import os
import subprocess
import sys

PRICES = """\
currency: ILS
products:
  - {id: fiber-500, name: סיב 500 מגה, price: 99.90}
channels:
  phone: {max_discount: {percent: 5}}
  store: {}
"""
NEW = PRICES.replace("99.90", "109.90")


def run(folder, *args):
    env = {k: v for k, v in os.environ.items() if k != "CONSISTENCY_CONFIG"}
    return subprocess.run(
        [sys.executable, "-m", "consistency", *args],
        cwd=folder, capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_default_channels_are_known_without_a_config(tmp_path):
    """Tryout F9: an answer on 'web' (a default channel) renders against both lists."""
    (tmp_path / "old.yaml").write_text(PRICES, encoding="utf-8")
    (tmp_path / "new.yaml").write_text(NEW, encoding="utf-8")
    (tmp_path / "answers.yaml").write_text(
        "answers:\n  - id: a\n    questions: [q]\n"
        "    answer: 'סיב 500 עולה {{ price(\"fiber-500\") }}'\n    channels: [web, store]\n",
        encoding="utf-8",
    )
    done = run(tmp_path, "diff", "--answers", "answers.yaml", "old.yaml", "new.yaml")
    assert done.returncode == 0, done.stderr
    assert "not rendered" not in done.stdout and "unknown channel" not in done.stdout
    assert "₪109.90" in done.stdout
    assert run(tmp_path, "lint", "answers.yaml", "new.yaml").returncode == 0


def test_a_broken_answers_file_is_every_problem_and_exit_2(tmp_path):
    (tmp_path / "prices.yaml").write_text(PRICES, encoding="utf-8")
    (tmp_path / "answers.yaml").write_text(
        "answers:\n  - {id: a, questions: [q], answer: 'x {{ price(\"nope\") }}',"
        " channels: [web, stor]}\n",
        encoding="utf-8",
    )
    done = run(tmp_path, "diff", "--answers", "answers.yaml", "prices.yaml", "prices.yaml")
    assert done.returncode == 2
    problems = [line for line in done.stderr.splitlines() if line.startswith("answers.yaml:")]
    assert len(problems) == 2, done.stderr
    assert "unknown product 'nope'" in problems[0] and "unknown channel 'stor'" in problems[1]
