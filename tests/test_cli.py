"""The command line (SPEC 4): exit codes 0/1/2, clear errors, reports, filters.

Run through click's CliRunner and through a real subprocess of the installed console script.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from consistency.cli import main
from tests.helpers import DEMO, make_project, write

DEMO_CONFIG = str(DEMO / "consistency.yaml")
RIGHT = [
    {"channel": "web", "at": "2026-11-21T09:12", "product": "fiber-1000", "amount": "129.90"},
    {"channel": "phone", "at": "2026-11-21T18:40", "product": "fiber-1000", "amount": "₪129.90"},
    {"channel": "chat", "at": "2026-11-25T10:00", "product": "fiber-500", "amount": 79.92},
]
BAD_PRICES = """\
version: "bad"
currency: ILS
products:
  - id: fiber-500
    name: סיב 500 מגה
    prices:
      - {amount: abc, from: 2026-01-01, to: 2026-11-30}
"""

# SPEC 6, as a schema: what an outside consumer of the JSON report relies on.
REPORT_SCHEMA = {
    "type": "object",
    "required": ["schema", "run", "summary", "findings"],
    "properties": {
        "schema": {"const": "consistency/report@1"},
        "run": {
            "type": "object",
            "required": ["started", "finished", "tool_version", "price_list_version", "config"],
        },
        "summary": {
            "type": "object",
            "required": ["observations", "rules", "findings"],
            "properties": {
                "observations": {"type": "integer", "minimum": 1},
                "findings": {
                    "type": "object",
                    "required": ["error", "warning", "info"],
                    "additionalProperties": {"type": "integer"},
                },
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "fingerprint",
                    "rule",
                    "severity",
                    "channel",
                    "product",
                    "answer",
                    "at",
                    "expected",
                    "observed",
                    "difference",
                    "cause",
                    "message",
                    "evidence",
                    "related",
                    "status",
                ],
                "properties": {
                    "fingerprint": {"type": "string", "minLength": 8},
                    "severity": {"enum": ["error", "warning", "info"]},
                    "message": {"type": "string", "minLength": 1},
                },
            },
        },
    },
}
MONEY = {
    "type": "object",
    "required": ["amount", "currency"],
    "properties": {"amount": {"type": "number"}, "currency": {"type": "string"}},
}
PRICE_FINDING = {
    "type": "object",
    "properties": {
        "expected": MONEY,
        "observed": MONEY,
        "difference": {
            "oneOf": [{"type": "null"}, {"type": "object", "required": ["amount", "percent"]}]
        },
        "cause": {"type": "string"},
        "evidence": {
            "type": "object",
            "properties": {"source": {"type": "string", "pattern": r"\.(csv|jsonl):[0-9]+$"}},
        },
    },
}


def invoke(*args, cwd: Path | None = None):
    runner = CliRunner()
    if cwd is None:
        return runner.invoke(main, list(args))
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args))
    finally:
        os.chdir(old)


def audit_demo(*args):
    return invoke("audit", "--config", DEMO_CONFIG, "--no-fetch", *args)


def findings_of(result) -> list[dict]:
    return json.loads(result.stdout)["findings"]


# --- exit codes -------------------------------------------------------------------------


def test_the_demo_has_findings_and_exits_1():
    result = audit_demo()
    assert result.exit_code == 1, result.stderr
    assert "price-mismatch" in result.stdout and "₪116.91" in result.stdout


def test_fail_on_never_exits_0_with_the_same_findings():
    strict, lenient = (
        audit_demo("--format", "json"),
        audit_demo("--format", "json", "--fail-on", "never"),
    )
    assert (strict.exit_code, lenient.exit_code) == (1, 0)
    assert len(findings_of(lenient)) == len(findings_of(strict)) > 10


def test_only_right_quotes_exit_0(tmp_path):
    config = make_project(tmp_path, RIGHT)
    result = invoke("audit", "--config", str(config), "--format", "json")
    assert result.exit_code == 0, result.stdout + result.stderr
    assert findings_of(result) == []
    assert json.loads(result.stdout)["summary"]["observations"] == 3


def test_fail_on_warning_counts_warnings(tmp_path):
    unlisted = [RIGHT[0] | {"product": "fiber-2000"}]  # unknown-product is a warning
    config = make_project(tmp_path, RIGHT + unlisted)
    assert invoke("audit", "--config", str(config)).exit_code == 0
    assert invoke("audit", "--config", str(config), "--fail-on", "warning").exit_code == 1


def test_an_invalid_price_list_exits_2_with_file_line_col_and_field(tmp_path):
    config = make_project(tmp_path, RIGHT, prices=BAD_PRICES)
    result = invoke("audit", "--config", str(config))
    assert result.exit_code == 2
    assert f"{tmp_path / 'prices.yaml'}:7:" in result.stderr
    assert "products[0].prices[0].amount" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_missing_config_exits_2(tmp_path):
    given = invoke("audit", "--config", str(tmp_path / "nope.yaml"))
    found = invoke("audit", cwd=tmp_path)
    for result in (given, found):
        assert result.exit_code == 2
        assert "consistency.yaml" in result.stderr or "nope.yaml" in result.stderr
        assert "Traceback" not in result.stderr


def test_a_config_found_in_the_working_directory(tmp_path):
    make_project(tmp_path, RIGHT)
    assert invoke("audit", cwd=tmp_path).exit_code == 0


def test_no_observation_exits_2_even_with_fail_on_never(tmp_path):
    config = make_project(tmp_path, [])
    result = invoke("audit", "--config", str(config), "--fail-on", "never")
    assert result.exit_code == 2 and "no observation" in result.stderr


def test_a_bad_since_is_a_usage_error():
    result = audit_demo("--since", "21/11/2026")
    assert result.exit_code == 2 and "--since" in result.stderr


# --- reports ----------------------------------------------------------------------------


def test_json_report_follows_spec_6():
    report = json.loads(audit_demo("--format", "json").stdout)
    jsonschema.validate(report, REPORT_SCHEMA)
    prices = [f for f in report["findings"] if f["rule"] == "price-mismatch"]
    assert prices
    for finding in prices:
        jsonschema.validate(finding, PRICE_FINDING)
    seed = next(f for f in prices if f["observed"]["amount"] == 116.91)
    assert seed["expected"] == {"amount": 129.9, "currency": "ILS"}
    assert seed["difference"] == {"amount": -12.99, "percent": -10.0}
    assert seed["cause"] == "over-authority-discount" and seed["channel"] == "phone"
    assert seed["at"].startswith("2026-11-21T18:40:00+02:00")


def test_json_output_file_is_written_atomically(tmp_path):
    target = tmp_path / "out" / "x.json"
    result = audit_demo("--format", "json", "--output", str(target))
    assert result.exit_code == 1 and result.stdout == ""
    assert json.loads(target.read_text(encoding="utf-8"))["schema"] == "consistency/report@1"
    assert [p.name for p in target.parent.iterdir()] == ["x.json"], "no temp file left"


def test_several_formats_go_to_an_output_folder(tmp_path):
    folder = tmp_path / "reports"
    args = ["--format", "json", "--format", "markdown", "--format", "text"]
    result = audit_demo(*args, "--output", str(folder))
    assert result.exit_code == 1
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["consistency.json", "consistency.md", "consistency.txt"]
    assert "₪116.91" in (folder / "consistency.md").read_text(encoding="utf-8")


def test_several_formats_without_output_is_an_error():
    result = audit_demo("--format", "json", "--format", "text")
    assert result.exit_code == 2 and "--output" in result.stderr


def test_report_renders_a_saved_result_again(tmp_path):
    saved = tmp_path / "result.json"
    audit_demo("--format", "json", "--output", str(saved))
    result = invoke("report", str(saved), "--format", "markdown")
    assert result.exit_code == 1
    assert "₪116.91" in result.stdout and "price-mismatch" in result.stdout
    again = invoke("report", str(saved), "--format", "json", "--fail-on", "never")
    assert again.exit_code == 0
    assert findings_of(again) == json.loads(saved.read_text(encoding="utf-8"))["findings"]


def test_report_refuses_a_file_that_is_not_a_result(tmp_path):
    other = write(tmp_path / "x.json", '{"schema": "something/else"}')
    result = invoke("report", str(other), "--format", "text")
    assert result.exit_code == 2 and "consistency/report@1" in result.stderr


# --- filters ----------------------------------------------------------------------------


def test_channel_filter_keeps_only_that_channels_quotes():
    findings = findings_of(audit_demo("--format", "json", "--channel", "phone"))
    per_quote = [f for f in findings if f["rule"] != "invalid-record"]
    assert per_quote and {f["channel"] for f in per_quote} == {"phone"}


def test_channel_filter_applies_to_unreadable_records_too():
    findings = findings_of(audit_demo("--format", "json", "--channel", "phone"))
    assert {f["channel"] for f in findings} == {"phone"}


def test_since_and_until_bound_the_quotes():
    result = audit_demo("--format", "json", "--since", "2026-11-21", "--until", "2026-11-21")
    report = json.loads(result.stdout)
    times = [f["at"] for f in report["findings"] if f["at"]]
    assert times and all(t.startswith("2026-11-21") for t in times)
    whole = json.loads(audit_demo("--format", "json").stdout)
    assert report["summary"]["observations"] < whole["summary"]["observations"]


# --- the installed console script -------------------------------------------------------

SCRIPT = shutil.which("consistency")


def run_script(*args, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert SCRIPT, "the console script is installed (pip install -e .)"
    return subprocess.run(
        [SCRIPT, *args], capture_output=True, text=True, cwd=cwd, timeout=120, check=False
    )


def test_console_script_exit_codes(tmp_path):
    demo = run_script("audit", "--config", DEMO_CONFIG, "--no-fetch", "--format", "json")
    assert demo.returncode == 1 and json.loads(demo.stdout)["findings"]
    clean = run_script("audit", cwd=make_project(tmp_path / "clean", RIGHT).parent)
    assert clean.returncode == 0, clean.stderr
    bad = make_project(tmp_path / "bad", RIGHT, prices=BAD_PRICES)
    broken = run_script("audit", "--config", str(bad))
    assert broken.returncode == 2
    assert "prices.yaml:7:" in broken.stderr and "Traceback" not in broken.stderr
    missing = run_script("audit", "--config", str(tmp_path / "none.yaml"))
    assert missing.returncode == 2 and "Traceback" not in missing.stderr


# --- a command line that behaves (issue 13, item 6) --------------------------------------


def run_cli(*args, env: dict | None = None, cwd: Path | None = None, **kwargs):
    """The real console script in a subprocess, with ``env`` added to a clean environment."""
    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CONSISTENCY_CONFIG")}
    return subprocess.run(
        [shutil.which("consistency"), *args],
        env={**base, **(env or {})},
        cwd=cwd,
        timeout=120,
        **kwargs,
    )


def on_a_terminal(*args, env: dict | None = None) -> bytes:
    """Run with stdout on a pseudo-terminal, read as it comes; return what the terminal got."""
    import pty

    base = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "CONSISTENCY_CONFIG")}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [shutil.which("consistency"), *args],
        env={**base, **(env or {})},
        stdout=follower,
        stderr=subprocess.DEVNULL,
    )
    os.close(follower)
    out = b""
    try:
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other end is closed and drained
                break
            if not chunk:
                break
            out += chunk
    finally:
        os.close(leader)
        code = process.wait(timeout=120)
    assert code == 1
    return out


ANSI = b"\x1b["


def test_color_on_a_terminal_and_never_with_no_color():
    """https://no-color.org: NO_COLOR set to anything non-empty turns color off; a flag wins."""
    demo = ("audit", "--config", DEMO_CONFIG, "--no-fetch")
    assert ANSI in on_a_terminal(*demo)
    assert ANSI not in on_a_terminal(*demo, env={"NO_COLOR": "1"})
    assert ANSI not in on_a_terminal(*demo, "--color", "never")
    assert ANSI in on_a_terminal(*demo, "--color", "always", env={"NO_COLOR": "1"})


def test_color_always_colors_a_pipe_too():
    piped = run_cli("audit", "--config", DEMO_CONFIG, "--no-fetch", "--color", "always",
                    capture_output=True)  # fmt: skip
    plain = run_cli("audit", "--config", DEMO_CONFIG, "--no-fetch", capture_output=True)
    assert ANSI in piped.stdout and ANSI not in plain.stdout


def test_a_closed_pipe_ends_quietly():
    """`consistency audit | head -3`: no BrokenPipeError, no "internal error"; the run's code."""
    shell = f"'{shutil.which('consistency')}' audit --config '{DEMO_CONFIG}' --no-fetch"
    shell += " --format json | head -c 100 >/dev/null; echo ${PIPESTATUS[0]} >&2"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=120, text=True)
    *said, code = done.stderr.strip().splitlines()
    assert said == [] and code == "1", done.stderr


def test_extract_into_a_closed_pipe_ends_quietly():
    shell = f"yes '₪99.90' | head -20000 | '{shutil.which('consistency')}' extract | head -1"
    shell += "; echo ${PIPESTATUS[2]} >&2"
    done = subprocess.run(["bash", "-c", shell], capture_output=True, timeout=120, text=True)
    *said, code = done.stderr.strip().splitlines()
    assert said == [] and code == "141", done.stderr  # 128 + SIGPIPE, as a shell would say
    assert done.stdout.count("\n") == 1


def test_the_config_is_found_in_a_parent_folder(tmp_path):
    make_project(tmp_path, RIGHT)
    below = tmp_path / "exports" / "deeper"
    below.mkdir(parents=True)
    result = invoke("audit", "--format", "json", cwd=below)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["observations"] == 3


def test_the_config_is_named_by_consistency_config(tmp_path):
    config = make_project(tmp_path / "project", RIGHT)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = run_cli("audit", "--format", "json", cwd=elsewhere, capture_output=True,
                   env={"CONSISTENCY_CONFIG": str(config)})  # fmt: skip
    assert done.returncode == 0, done.stderr
    missing = run_cli("audit", cwd=elsewhere, capture_output=True, text=True,
                      env={"CONSISTENCY_CONFIG": str(tmp_path / "nope.yaml")})  # fmt: skip
    assert missing.returncode == 2 and "CONSISTENCY_CONFIG" in missing.stderr


def test_an_unknown_channel_is_a_usage_error():
    result = audit_demo("--channel", "fax")
    assert result.exit_code == 2
    assert "--channel" in result.stderr and "'fax'" in result.stderr and "phone" in result.stderr


def test_since_after_until_is_a_usage_error():
    result = audit_demo("--since", "2026-11-25", "--until", "2026-11-20")
    assert result.exit_code == 2 and "--since" in result.stderr and "--until" in result.stderr


def test_until_the_last_representable_day_is_no_overflow():
    result = audit_demo("--until", "9999-12-31", "--format", "json")
    assert result.exit_code == 1, result.stderr
    assert "internal error" not in result.stderr


# --- installable by name, a hook that lints only what it should (issue 13, item 7) -------------

ROOT = Path(__file__).resolve().parent.parent
HOOK_PATHS = [  # (path, the hook runs) — pre-commit matches `files:` with re.search
    ("consistency.yaml", True),
    ("pricing/consistency.yml", True),
    ("prices.yaml", True),
    ("prices-2026.yml", True),
    ("answers.yaml", True),
    ("rules/default.yaml", True),
    ("config/rules/strict.yml", False),  # tryout 13 P9: rules/ only at the root (k8s/rules/)
    (".github/workflows/ci.yml", False),  # issue 13: workflows were linted as price lists
    (".gitlab-ci.yml", False),
    ("k8s/deployment.yaml", False),
    ("docs/prices.md", False),
    ("rules/nested/deeper.yaml", False),
]


def test_the_pre_commit_hook_runs_only_for_files_a_config_names():
    import re

    import yaml

    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    pattern = re.compile(hook["files"])
    matched = [(path, bool(pattern.search(path))) for path in (p for p, _ in HOOK_PATHS)]
    assert matched == HOOK_PATHS
    assert hook["pass_filenames"] is True and hook["entry"] == "consistency lint"


def test_docs_install_the_distribution_by_its_free_name():
    """`pip install consistency` would install an unrelated project from the public index."""
    import re

    bare = re.compile(r"pip install\s+(?:-\S+\s+)*[\"']?consistency(?:[=<>\"'\s]|$)")
    texts = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
    texts += sorted((ROOT / "docs" / "examples").glob("*.yml"))
    offenders = [str(p.relative_to(ROOT)) for p in texts if bare.search(p.read_text("utf-8"))]
    assert offenders == []
    setup = (ROOT / "setup.cfg").read_text(encoding="utf-8")
    assert "\nname = channel-consistency\n" in setup
    assert "consistency = consistency.cli:main" in setup  # the command keeps its name


# --- the audit's progress: records read, per source, with the rate ----------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def gathered(count: int):
    from consistency.model import Location, SourceFailure

    class Record:
        def __init__(self, file: str, line: int):
            self.source = Location(file, line)

    for i in range(count):
        yield Record("exports/phone/calls.csv" if i % 2 else "exports/chat/chat.jsonl", i + 2)
    yield SourceFailure("web", "https://shop.example.co.il/fiber", "timed out")


@pytest.mark.parametrize(
    ("env", "quiet", "drawn"),
    [({}, False, True), ({"CI": "true"}, False, False), ({}, True, False)],
    ids=["terminal", "in CI", "--quiet"],
)
def test_reading_progress_is_drawn_only_on_a_terminal(env, quiet, drawn):
    from consistency.progress import Reading

    stream = Terminal()
    items = list(Reading(quiet=quiet)(gathered(1000), stream=stream, env=env))
    assert len(items) == 1001  # every item passes through unchanged
    shown = stream.getvalue()
    if not drawn:
        assert shown == ""
        return
    final = shown.rsplit("\r\x1b[2K", 1)[-1]
    assert re.fullmatch(r"read 1,001 records from 3 sources in \d+\.\d s \([\d,]+/s\)\n", final)


@pytest.mark.parametrize(
    ("args", "lang", "direction"),
    [((), "he", "rtl"), (("--locale", "he"), "he", "rtl"), (("--locale", "en"), "en", "ltr")],
    ids=["by the config that made it (tryout 13 P3)", "--locale he", "--locale en"],
)
def test_report_html_in_the_locale_asked(tmp_path, args, lang, direction):
    saved = tmp_path / "result.json"
    saved.write_text(audit_demo("--format", "json").stdout, encoding="utf-8")
    result = invoke("report", str(saved), "--format", "html", *args)
    assert result.exit_code == 1, result.stderr
    assert f'<html lang="{lang}" dir="{direction}">' in result.stdout


def test_audit_html_is_hebrew_for_a_hebrew_price_list():
    """The demo's product names are Hebrew: its HTML report is Hebrew without --locale."""
    result = audit_demo("--format", "html")
    assert '<html lang="he" dir="rtl">' in result.stdout
    assert "איפה אמרנו ללקוחות דברים שונים?" in result.stdout


def test_an_unknown_locale_is_a_usage_error():
    result = audit_demo("--format", "html", "--locale", "xx-YY")
    assert result.exit_code == 2 and "--locale" in result.stderr and "xx-YY" in result.stderr


def stderr_on_a_terminal(*args) -> bytes:
    """Run with stderr on a pseudo-terminal (stdout to a pipe); return what stderr showed."""
    import pty

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR")}
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [shutil.which("consistency"), *args], env=env, stdout=subprocess.PIPE, stderr=follower
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the other end is closed and drained
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    process.communicate(timeout=120)
    return shown


def test_audit_shows_its_reading_progress_on_a_terminal():
    shown = stderr_on_a_terminal("audit", "--config", DEMO_CONFIG, "--no-fetch")
    assert re.search(rb"read [\d,]+ records from \d+ sources in", shown), shown


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_a_finding_gone_since_the_last_run_is_reported_resolved(tmp_path, fmt):
    wrong = [RIGHT[0] | {"amount": "119.90", "ref": "w-wrong"}]
    config = make_project(tmp_path, RIGHT + wrong)
    with config.open("a", encoding="utf-8") as out:
        out.write("history: history.sqlite\n")
    first = invoke("audit", "--config", str(config), "--format", "json")
    assert first.exit_code == 1 and findings_of(first)
    make_project(tmp_path, RIGHT)  # the wrong quote is gone
    with config.open("a", encoding="utf-8") as out:
        out.write("history: history.sqlite\n")
    second = invoke("audit", "--config", str(config), "--format", fmt)
    assert second.exit_code == 0, second.stderr
    if fmt == "json":
        gone = sorted(r["rule"] for r in json.loads(second.stdout)["resolved"])
        assert gone == sorted(f["rule"] for f in findings_of(first))  # the quote and its gap
    else:
        assert "resolved since the last run" in second.stdout.lower()


def test_email_subject_from_the_config_is_a_template(tmp_path):
    from email import message_from_bytes, policy

    config = make_project(tmp_path, RIGHT + [RIGHT[0] | {"amount": "119.90"}])
    with config.open("a", encoding="utf-8") as out:
        out.write(
            "email:\n  to: [p@example.co.il]\n  from: c@example.co.il\n"
            '  subject: "מחירון {{ version }}: {{ errors }} שגיאות"\n'
            "  smtp: {host: 127.0.0.1, security: none}\n"
        )
    saved = tmp_path / "result.json"
    saved.write_text(invoke("audit", "--config", str(config), "--format", "json").stdout, "utf-8")
    eml = tmp_path / "out.eml"
    done = invoke("email", str(saved), "--config", str(config), "--dry-run", str(eml))
    assert done.exit_code == 0, done.stderr
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    errors = json.loads(saved.read_text("utf-8"))["summary"]["findings"]["error"]
    assert errors > 0
    assert message["Subject"] == f"מחירון test-1: {errors} שגיאות"


def test_report_locale_from_the_config(tmp_path):
    config = make_project(tmp_path, RIGHT + [RIGHT[0] | {"amount": "119.90"}])
    with config.open("a", encoding="utf-8") as out:
        out.write("report: {locale: he}\n")
    done = invoke("audit", "--config", str(config), "--format", "html")
    assert done.exit_code == 1, done.stderr
    assert '<html lang="he" dir="rtl">' in done.stdout


@pytest.mark.parametrize(
    "narrowed",
    [["--channel", "phone"], ["--since", "2026-11-22"]],
    ids=["other-channel", "other-period"],
)
def test_a_filtered_run_does_not_mark_the_rest_resolved(tmp_path, narrowed):
    """Issue 13 item 5: a run with --channel/--since never marks unfiltered findings resolved."""
    wrong = [RIGHT[0] | {"amount": "119.90", "ref": "w-wrong"}]
    config = make_project(tmp_path, RIGHT + wrong)
    with config.open("a", encoding="utf-8") as out:
        out.write("history: history.sqlite\n")
    first = invoke("audit", "--config", str(config), "--format", "json")
    assert first.exit_code == 1 and findings_of(first)
    second = invoke("audit", "--config", str(config), "--format", "json", *narrowed)
    assert json.loads(second.stdout)["resolved"] == [], second.stderr


def test_a_filtered_run_between_two_full_runs_hides_nothing(tmp_path):
    """From the issue 13 tryout (P2): a --channel run marked other findings resolved, and the
    next full run then missed what really went away. A narrowed run is not recorded."""
    wrong = [RIGHT[0] | {"amount": "119.90", "ref": "w-wrong"}]
    config = make_project(tmp_path, RIGHT + wrong)
    with config.open("a", encoding="utf-8") as out:
        out.write("history: history.sqlite\n")
    first = invoke("audit", "--config", str(config), "--format", "json")
    narrowed = invoke("audit", "--config", str(config), "--format", "json", "--channel", "phone")
    assert json.loads(narrowed.stdout)["resolved"] == []
    make_project(tmp_path, RIGHT)  # the wrong quote is gone
    with config.open("a", encoding="utf-8") as out:
        out.write("history: history.sqlite\n")
    last = invoke("audit", "--config", str(config), "--format", "json")
    gone = sorted(r["rule"] for r in json.loads(last.stdout)["resolved"])
    assert gone == sorted(f["rule"] for f in findings_of(first))
