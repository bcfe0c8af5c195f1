"""`consistency fetch` against the demo shop and bot on loopback: JSON Lines that `audit
--observations` reads back, evidence on disk, failures on stderr and in --failures, exit codes,
and the progress bar that only a terminal sees.
"""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from click.testing import CliRunner

from consistency.cli import main
from consistency.demo import chat_source, demo_folder, serve, web_source
from consistency.model import InvalidRecord, Observation
from consistency.progress import bar, enabled, track
from consistency.sources.files import read_pattern
from consistency.sources.records import RecordContext

TZ = ZoneInfo("Asia/Jerusalem")
DEMO = demo_folder()
CHANNELS = frozenset({"web", "phone", "chat", "store"})


@pytest.fixture(scope="module")
def server():
    with serve(DEMO) as running:
        yield running


def write_config(folder: Path, sources: list[dict]) -> Path:
    data = {
        "price_list": str(DEMO / "prices.yaml"),
        "answers": str(DEMO / "answers.yaml"),
        "sources": sources,
    }
    path = folder / "consistency.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def questions() -> int:
    answers = yaml.safe_load((DEMO / "answers.yaml").read_text(encoding="utf-8"))["answers"]
    return sum(len(a["questions"]) for a in answers)


def fetch(*args: str):
    return CliRunner().invoke(main, ["fetch", *args], catch_exceptions=False)


@pytest.fixture(scope="module")
def fetched(server, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fetched")
    sources = [web_source(server.url, server.pages()), chat_source(server.url)]
    config = write_config(folder, sources)
    output = folder / "out" / "observations.jsonl"
    result = fetch("--config", str(config), "--output", str(output), "--quiet")
    return folder, config, output, result


def test_fetch_writes_every_observation_as_json_lines(fetched, server):
    _folder, _config, output, result = fetched
    assert result.exit_code == 0, result.output
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    web = [r for r in records if r["channel"] == "web"]
    chat = [r for r in records if r["channel"] == "chat"]
    assert len(web) == len(server.pages())
    assert len(chat) == 2 * questions()
    stale = next(r for r in web if r["product"] == "fiber-200")
    assert stale["amount"] == "74.90"  # a Decimal as a string
    assert stale["at"][-6:] in ("+02:00", "+03:00")  # ISO with the offset of Asia/Jerusalem
    assert {r["answer"] for r in chat} == {
        "cancellation-fee",
        "install-time",
        "router-install-price",
        "fiber-500-price",
        "refund-time",
    }
    assert all(r["ref"].startswith("demo-") for r in chat)


def test_fetch_keeps_the_raw_evidence_beside_the_output(fetched):
    _folder, _config, output, _result = fetched
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    evidence = output.parent / "evidence"
    names = {r["meta"]["evidence"] for r in records}
    assert all((evidence / name).is_file() for name in names)
    assert {Path(n).suffix for n in names} == {".html", ".json"}


def test_the_written_records_round_trip_through_the_records_reader(fetched):
    _folder, _config, output, _result = fetched
    written = {
        json.loads(line)["id"]: json.loads(line)
        for line in output.read_text(encoding="utf-8").splitlines()
    }
    ctx = RecordContext(TZ, "ILS", CHANNELS)
    read = list(read_pattern(str(output), "records", ctx))
    observations = [o for o in read if isinstance(o, Observation)]
    assert len(read) == len(written)
    for obs in observations:
        record = written[obs.id]
        assert obs.channel == record["channel"]
        assert obs.at.isoformat() == record["at"]
        assert obs.answer == record.get("answer") and obs.ref == record.get("ref")
        assert obs.text == record.get("text")
        if "amount" in record:
            assert obs.amount == Decimal(record["amount"]) and obs.product == record["product"]


def test_meta_and_empty_replies_round_trip(fetched):
    _folder, _config, output, _result = fetched
    ctx = RecordContext(TZ, "ILS", CHANNELS)
    read = list(read_pattern(str(output), "records", ctx))
    assert not any(isinstance(o, InvalidRecord) for o in read)
    assert all(o.meta and o.meta.get("evidence") for o in read)


def test_audit_reads_the_fetched_file_back(fetched, tmp_path):
    _folder, config, output, _result = fetched
    report = tmp_path / "result.json"
    args = ["audit", "--config", str(config), "--observations", str(output)]
    result = CliRunner().invoke(main, [*args, "--format", "json", "--output", str(report)])
    assert result.exit_code == 1, result.output
    data = json.loads(report.read_text(encoding="utf-8"))
    found = {(f["rule"], f["channel"], f["cause"]) for f in data["findings"]}
    assert ("price-mismatch", "web", "stale-price") in found
    assert ("answer-contradicts-approved", "chat", None) in found
    stale = next(f for f in data["findings"] if f["cause"] == "stale-price")
    assert stale["evidence"]["ref"].endswith("/shop/fiber-200.html")
    assert data["summary"]["observations"] >= 2 * questions()


def test_failures_go_to_stderr_and_the_failures_file_and_exit_2_when_all_fail(server, tmp_path):
    sources = [
        {"channel": "web", "fetch": "web", "allow_hosts": ["127.0.0.1"],
         "pages": [{"url": f"{server.url}/shop/no-such-page.html", "product": "fiber-500"}]},
        {"channel": "chat", "fetch": "http-chat", "allow_hosts": ["127.0.0.1"],
         "url": f"{server.url}/api/nowhere", "ask": ["שלום"]},
    ]  # fmt: skip
    config = write_config(tmp_path, sources)
    failures = tmp_path / "failures.json"
    output = tmp_path / "obs.jsonl"
    args = ["--config", str(config), "--output", str(output), "--failures", str(failures)]
    result = fetch(*args)
    assert result.exit_code == 2
    assert "no-such-page.html: HTTP 404" in result.stderr
    assert "asking 'שלום'" in result.stderr
    rows = json.loads(failures.read_text(encoding="utf-8"))
    assert sorted(r["channel"] for r in rows) == ["chat", "web"]
    assert all("HTTP 404" in r["reason"] for r in rows)
    assert output.read_text(encoding="utf-8") == ""


def test_one_failed_source_among_good_ones_still_exits_0(server, tmp_path):
    sources = [
        web_source(server.url, ["fiber-1000"]),
        {"channel": "web", "fetch": "web", "allow_hosts": ["127.0.0.1"],
         "pages": [{"url": f"{server.url}/shop/gone.html", "product": "fiber-500"}]},
    ]  # fmt: skip
    config = write_config(tmp_path, sources)
    result = fetch("--config", str(config), "--output", str(tmp_path / "o.jsonl"))
    assert result.exit_code == 0
    assert "gone.html" in result.stderr
    assert "1 observation in" in result.stderr
    assert len((tmp_path / "o.jsonl").read_text(encoding="utf-8").splitlines()) == 1


def test_a_config_without_fetch_sources_is_a_usage_error(tmp_path):
    config = write_config(tmp_path, [{"channel": "phone", "files": ["*.csv"]}])
    result = fetch("--config", str(config))
    assert result.exit_code == 2
    assert "no fetch: source" in result.stderr


def test_channel_picks_the_sources(server, tmp_path):
    sources = [web_source(server.url, ["fiber-1000"]), chat_source(server.url)]
    config = write_config(tmp_path, sources)
    output = tmp_path / "web.jsonl"
    result = fetch("--config", str(config), "--output", str(output), "--channel", "web", "-q")
    assert result.exit_code == 0
    assert [json.loads(x)["channel"] for x in output.read_text("utf-8").splitlines()] == ["web"]


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_shows_on_a_terminal_only():
    shown = Terminal()
    assert list(track(range(4), total=4, stream=shown, env={})) == [0, 1, 2, 3]
    assert shown.getvalue().rstrip().endswith(bar(4, 4, "fetching"))
    for stream, env, quiet in ((io.StringIO(), {}, False), (Terminal(), {"CI": "true"}, False),
                               (Terminal(), {}, True)):  # fmt: skip
        assert list(track(range(4), total=4, stream=stream, env=env, quiet=quiet)) == [0, 1, 2, 3]
        assert stream.getvalue() == ""
        assert not enabled(stream, quiet=quiet, env=env)


def test_the_bar_counts_failures():
    shown = Terminal()
    list(track(["ok", "bad", "ok"], total=3, stream=shown, env={}, failed=lambda x: x == "bad"))
    assert shown.getvalue().rstrip().endswith("3/3, 1 failed")
