"""Issue 13 tryout leftovers on the command line: the pre-commit hook's ``files:`` pattern
(P9), and a closed pipe (P10) through real pipes and the installed ``consistency`` command."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS = ROOT / ".pre-commit-hooks.yaml"
DEMO = ROOT / "fixtures" / "demo"
EXIT_PIPE = 141


def hook_pattern() -> re.Pattern:
    (hook,) = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    return re.compile(hook["files"])  # pre-commit matches it with re.search on the path


# (path as git stages it, passed to the hook?, where the case comes from)
PATHS = [
    ("consistency.yaml", True, "README: the config at the root"),
    ("pricing/consistency.yml", True, "docs/ci.md: a config in a sub-folder, .yml"),
    ("prices.yaml", True, "README / demo: the price list"),
    ("pricing/prices-2026.yml", True, "docs/ci.md: prices*.yaml at any depth"),
    ("answers.yaml", True, "demo: the approved answers"),
    ("faq/answers-he.yaml", True, "docs/ci.md: answers*.yaml at any depth"),
    ("rules/default.yaml", True, "README: the shipped rule set"),
    ("rules/strict.yml", True, "docs/schemas.md: rules/*.yaml"),
    (".github/workflows/prices-sync.yml", False, "tryout 13 P9: a CI workflow named prices-*"),
    (".gitlab/ci/answers-bot.yaml", False, "a GitLab include in a dot folder"),
    ("k8s/rules/deploy.yaml", False, "tryout 13 P9: Prometheus alert rules under k8s/"),
    ("monitoring/rules/alerts.yml", False, "Prometheus rules in another folder"),
    ("rules/nested/x.yaml", False, "a rule set is a file directly in rules/"),
    (".pre-commit-config.yaml", False, "pre-commit's own config"),
    ("myprices.yaml", False, "prices must start the name"),
    ("prices.yaml.orig", False, "a merge leftover is not YAML by its name"),
    ("rules/default.json", False, "not YAML"),
    ("docs/.drafts/prices.yaml", False, "inside a hidden folder"),
    ("docker-compose.yml", False, "other YAML at the root"),
]


@pytest.mark.parametrize(("path", "linted", "source"), PATHS, ids=[p[0] for p in PATHS])
def test_the_hook_passes_only_the_files_a_config_names(path, linted, source):
    assert bool(hook_pattern().search(path)) is linted, source


def test_every_yaml_file_the_demo_project_names_is_linted_by_the_hook():
    """The files a real project has (the demo's, at its root) all match, and lint knows them."""
    pattern = hook_pattern()
    names = ["consistency.yaml", "prices.yaml", "answers.yaml"]
    assert all(pattern.search(name) for name in names)
    assert pattern.search("rules/default.yaml")
    assert (ROOT / "rules" / "default.yaml").is_file()


# --- a closed pipe ------------------------------------------------------------------------


def closed_pipe(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run the command with stdout a pipe whose reader is already gone: its first write
    fails with EPIPE, as ``| head -c1`` does once head has its byte."""
    read, write = os.pipe()
    os.close(read)
    try:
        return subprocess.run(
            args, stdout=write, stderr=subprocess.PIPE, cwd=cwd, timeout=300, check=False
        )
    finally:
        os.close(write)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The demo's exports audited once (no network), its result saved as JSON."""
    if shutil.which("consistency") is None:
        pytest.skip("the consistency command is not installed")
    folder = tmp_path_factory.mktemp("pipe")
    done = subprocess.run(
        ["consistency", "audit", "--config", str(DEMO / "consistency.yaml"), "--no-fetch"]
        + ["--format", "json", "--output", str(folder / "result.json"), "--quiet"],
        capture_output=True,
        cwd=folder,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 1), done.stderr.decode()[-2000:]
    return folder


# (command after ``consistency``, exit code with its reader gone, why)
PIPED = [
    (["report", "result.json", "--format", "json"], EXIT_PIPE, "tryout 13 P10: was 1"),
    (["report", "result.json", "--format", "text"], EXIT_PIPE, "the text report likewise"),
    (["report", "result.json", "--format", "html"], EXIT_PIPE, "the HTML report likewise"),
    (["lint", "--config", str(DEMO / "consistency.yaml")], EXIT_PIPE, "docs/reports.md"),
    (["extract", "המחיר 99.90 ש״ח לחודש"], EXIT_PIPE, "a command that only prints"),
    (["--help"], EXIT_PIPE, "click alone would exit 1"),
    (["report", "--help"], EXIT_PIPE, "a command's help likewise"),
    (["--version"], EXIT_PIPE, "the version likewise"),
]


@pytest.mark.parametrize(("args", "code", "why"), PIPED, ids=[" ".join(p[0][:2]) for p in PIPED])
def test_a_closed_pipe_ends_quietly_with_141(saved, args, code, why):
    done = closed_pipe(["consistency", *args], saved)
    assert done.returncode == code, (why, done.stderr.decode()[-2000:])
    assert done.stderr == b"", why  # quiet: no traceback, no "Exception ignored"


def test_audit_keeps_writing_its_files_and_exits_with_its_own_code(saved, tmp_path):
    """The one documented exception: audit's report on stdout stops, the run goes on."""
    out = tmp_path / "again.json"
    args = ["consistency", "audit", "--config", str(DEMO / "consistency.yaml"), "--no-fetch"]
    done = closed_pipe([*args, "--format", "text"], saved)
    assert done.returncode == 1  # the demo has errors
    assert b"Traceback" not in done.stderr and b"BrokenPipe" not in done.stderr
    written = closed_pipe([*args, "--format", "json", "--output", str(out)], saved)
    assert written.returncode == 1 and out.stat().st_size > 1000


def test_a_real_shell_pipe_to_head_gives_the_documented_status(saved):
    """``report … | head -c1`` in bash with pipefail: the status the docs name."""
    if shutil.which("bash") is None or shutil.which("head") is None:
        pytest.skip("no bash/head")
    script = "set -o pipefail; consistency report result.json --format html | head -c1"
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, cwd=saved, timeout=300, check=False
    )
    assert done.stdout == b"<"
    assert done.returncode == EXIT_PIPE, done.stderr.decode()[-2000:]
    assert done.stderr == b""
