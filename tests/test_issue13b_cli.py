"""Tryout 13b F7 and F11 through the ``consistency`` command: a saved result moved away from
its config keeps the run's language and product names; and the CLI's smaller points."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import threading
from http.server import ThreadingHTTPServer

import pytest

from consistency.report import render
from tests.helpers import DEMO
from tests.test_issue13b_reports import NAMES, Received, morning

CLI = shutil.which("consistency") or "consistency"


def run(args, cwd, **env):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("CONSISTENCY_")}
    clean.update(NO_COLOR="1", **env)
    return subprocess.run(
        [CLI, *args], cwd=cwd, env=clean, capture_output=True, text=True, timeout=120
    )


def saved(folder, **options):
    """A result saved as the JSON report, its config named but absent (a CI artifact)."""
    result = morning()
    result.config = "somewhere/else/consistency.yaml"
    out = io.StringIO()
    render(result, "json", out, options=options or None)
    path = folder / "artifact" / "mine.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


# --- F7 ---------------------------------------------------------------------------------


def test_audit_saves_the_run_locale_and_product_names(tmp_path):
    shutil.copytree(DEMO, tmp_path / "demo")
    done = run(["audit", "--no-fetch", "--format", "json", "--output", "out.json"],
               tmp_path / "demo")  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    run_section = json.loads((tmp_path / "demo" / "out.json").read_text("utf-8"))["run"]
    assert run_section["locale"] == "he"  # the demo's price list is Hebrew
    assert run_section["products"]["fiber-500"] == "סיב 500 מגה"


@pytest.mark.parametrize(
    ("options", "lang", "named"),
    [
        # tryout 13b F7: Hebrew names with Latin words, English message templates: the
        # findings' text alone says English; the saved locale and names say Hebrew
        ({"locale": "he", "names": NAMES}, "he", True),
        # an older result, without either: still reads, by the findings' own text
        ({}, "en", False),
    ],
)
def test_report_on_a_moved_result_speaks_the_run_language(tmp_path, options, lang, named):
    path = saved(tmp_path, **options)
    done = run(["report", str(path), "--format", "html", "--output", "mine.html"], tmp_path)
    assert done.returncode in (0, 1), done.stderr
    page = (tmp_path / "mine.html").read_text("utf-8")
    assert f'<html lang="{lang}"' in page
    assert ("מזגן Tornado 3000 אינוורטר" in page) is named


def test_locale_option_still_wins_over_the_saved_locale(tmp_path):
    path = saved(tmp_path, locale="he", names=NAMES)
    done = run(["report", str(path), "--format", "html", "--locale", "en", "--output", "x.html"],
               tmp_path)  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert '<html lang="en"' in (tmp_path / "x.html").read_text("utf-8")


def test_a_malformed_saved_locale_is_ignored_not_fatal(tmp_path):
    path = saved(tmp_path, locale="he", names=NAMES)
    data = json.loads(path.read_text("utf-8"))
    data["run"]["locale"], data["run"]["products"] = "<script>", ["not", "names"]
    path.write_text(json.dumps(data), encoding="utf-8")
    done = run(["report", str(path), "--format", "html", "--output", "x.html"], tmp_path)
    assert done.returncode in (0, 1), done.stderr
    assert '<html lang="en"' in (tmp_path / "x.html").read_text("utf-8")


def test_notify_on_a_moved_result_is_hebrew_with_names(tmp_path):
    path = saved(tmp_path, locale="he", names=NAMES)
    hook = ThreadingHTTPServer(("127.0.0.1", 0), Received)
    hook.bodies, hook.reply = [], b"{}"
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"json://127.0.0.1:{hook.server_address[1]}/artifact"
        done = run(["notify", str(path), "--url", url], tmp_path)
    finally:
        hook.shutdown()
        hook.server_close()
    assert done.returncode == 0, done.stderr
    (body,) = hook.bodies
    payload = json.loads(body)
    assert "שגיאות" in payload["title"]
    assert "מזגן Tornado 3000 אינוורטר" in payload["message"]


# --- F11: the progress bar counts what the duckdb engine read itself ----------------------


@pytest.mark.skipif(shutil.which("script") is None, reason="needs util-linux script (a tty)")
def test_the_progress_bar_counts_the_same_records_on_both_engines(tmp_path):
    """tryout 13b F11: with --engine duckdb the bar said 22 records, python 27: the files
    DuckDB reads itself (the tryout's Parquet export) never passed the bar."""
    from tests.helpers import make_project, write_csv

    records = [
        {"channel": "web", "at": f"2026-11-2{d}T10:00", "product": "fiber-500",
         "amount": "99.90", "ref": f"w-{d}"}
        for d in range(1, 8)
    ]  # fmt: skip
    config = make_project(tmp_path, records)
    import duckdb

    csv_file = write_csv(tmp_path / "phone.csv", [{**r, "channel": "phone"} for r in records])
    parquet = tmp_path / "exports" / "phone.parquet"  # as the tryout's store export
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_file}', all_varchar=true)) TO '{parquet}'")
    text = config.read_text("utf-8") + "  - {channel: phone, files: ['exports/phone.parquet']}\n"
    config.write_text(text, encoding="utf-8")
    said = {}
    for engine in ("duckdb", "python"):
        command = f"{CLI} audit --no-fetch --engine {engine} --format json --output {engine}.json"
        done = subprocess.run(
            ["script", "-qec", command, "/dev/null"], cwd=tmp_path, capture_output=True,
            text=True, timeout=120,
            env={k: v for k, v in os.environ.items() if k not in ("CI", "CONSISTENCY_CONFIG")},
        )  # fmt: skip
        lines = [x for x in done.stdout.replace("\r", "\n").split("\n") if "read " in x]
        assert lines, done.stdout + done.stderr
        said[engine] = lines[-1].split("read ", 1)[1].split(" records")[0]
        observations = json.loads((tmp_path / f"{engine}.json").read_text("utf-8"))["summary"]
        assert said[engine] == str(observations["observations"]) == "14"
    assert said["duckdb"] == said["python"]


# --- F11: --output /dev/null, and an exit-2 run recorded as failed -----------------------


def history_project(tmp_path):
    from tests.helpers import make_project

    records = [{"channel": "web", "at": "2026-11-21T10:00", "product": "fiber-500",
                "amount": "89.90", "ref": "w-1"}]  # fmt: skip
    config = make_project(tmp_path, records)
    config.write_text(config.read_text("utf-8") + "history: state/history.sqlite\n", "utf-8")
    return config


def history_runs(tmp_path):
    done = run(["history", "--format", "json"], tmp_path)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_output_dev_null_writes_nothing_and_succeeds(tmp_path):
    history_project(tmp_path)
    done = run(["audit", "--no-fetch", "--output", os.devnull], tmp_path)
    assert done.returncode == 1, done.stderr  # the findings' own exit code, not 2
    assert "cannot write" not in done.stderr


def test_a_run_that_cannot_write_its_report_is_recorded_failed(tmp_path):
    """tryout 13b F11: rc 2 ('cannot write …') while history said failed: false."""
    history_project(tmp_path)
    (tmp_path / "a-file").write_text("not a folder", "utf-8")
    done = run(["audit", "--no-fetch", "--format", "json", "--format", "text",
                "--output", "a-file/reports"], tmp_path)  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "cannot write" in done.stderr
    ok = run(["audit", "--no-fetch"], tmp_path)
    assert ok.returncode == 1, ok.stderr
    runs = history_runs(tmp_path)
    assert [r["failed"] for r in runs["rows"]] == [True, False], runs  # oldest first
