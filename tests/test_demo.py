"""`consistency demo` end to end: the shop and the scripted bot on loopback, the full audit, the
reports; in process (CliRunner) and as a real subprocess of the console script elsewhere.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

from consistency.cli import main
from consistency.demo import demo_folder, serve

# What the demo plants in its fetched channels (fixtures/demo/site, fixtures/demo/bot.yaml).
FETCHED = {
    ("structured-data-mismatch", "web", None),
    ("price-mismatch", "web", "stale-price"),
    ("answer-contradicts-approved", "chat", None),
    ("forbidden-phrase", "chat", None),
    ("no-reply", "chat", None),
}


def fetched_findings(report: Path) -> Counter:
    data = json.loads(report.read_text(encoding="utf-8"))
    return Counter(
        (f["rule"], f["channel"], f["cause"])
        for f in data["findings"]
        if "127.0.0.1" in json.dumps(f["evidence"] or {})
    )


def test_demo_in_process_shows_the_fetched_findings(tmp_path):
    out = tmp_path / "demo"
    result = CliRunner().invoke(main, ["demo", "--output", str(out)], catch_exceptions=False)
    assert result.exit_code == 1, result.stderr
    assert "structured-data-mismatch" in result.stdout
    assert "stale-price" in result.stdout
    assert {p.name for p in out.iterdir()} >= {
        "consistency.txt",
        "consistency.html",
        "consistency.json",
        "consistency.yaml",
        "evidence",
    }
    found = fetched_findings(out / "consistency.json")
    assert set(found) >= FETCHED
    assert found[("no-reply", "chat", None)] == 1  # one empty reply in eight refund-time asks
    assert found[("price-mismatch", "web", "stale-price")] == 1
    assert "<html" in (out / "consistency.html").read_text(encoding="utf-8")


@pytest.mark.skipif(shutil.which("consistency") is None, reason="console script not installed")
def test_demo_as_a_subprocess_from_another_directory(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    done = subprocess.run(
        [shutil.which("consistency"), "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "structured-data-mismatch" in done.stdout
    assert "Traceback" not in done.stderr
    found = fetched_findings(tmp_path / "consistency-demo" / "consistency.json")
    assert set(found) >= FETCHED


def test_demo_quiet_prints_no_report(tmp_path):
    result = CliRunner().invoke(main, ["demo", "-o", str(tmp_path), "-q", "--fail-on", "never"])
    assert result.exit_code == 0
    assert result.stdout == ""
    assert (tmp_path / "consistency.json").is_file()


@pytest.fixture(scope="module")
def server():
    with serve(demo_folder()) as running:
        yield running


def ask(server, text: str, session: str = "") -> dict:
    url = f"{server.url}/api/message"
    reply = requests.post(url, json={"text": text, "session": session}, timeout=5)
    assert reply.status_code == 200
    return reply.json()


def test_the_bot_cycles_through_its_replies_and_keeps_the_session(server):
    question = "How much is router installation?"
    first = ask(server, question)
    second = ask(server, question, first["session_id"])
    assert second["session_id"] == first["session_id"]
    texts = [[m["text"] for m in r["messages"]] for r in (first, second)]
    assert sorted(len(t) for t in texts) == [1, 2]  # one reply is two messages
    assert any("₪129" in " ".join(t) for t in texts)
    assert any("₪149.00" in " ".join(t) for t in texts)


def test_the_bot_renders_list_prices_and_has_a_fallback(server):
    [message] = ask(server, "מה השעה?")["messages"]
    assert message["text"].startswith("סליחה")
    cancel = ask(server, "What does it cost to cancel?")
    assert "₪100.00" in cancel["messages"][0]["text"]


@pytest.mark.parametrize(
    "path, status",
    [
        ("/shop/fiber-200.html", 200),
        ("/shop/../prices.yaml", 404),
        ("/shop/%2e%2e/prices.yaml", 404),
        ("/prices.yaml", 404),
        ("/", 200),
    ],
    ids=["page", "dot-dot", "encoded-dot-dot", "outside-shop", "index"],
)
def test_the_shop_serves_its_pages_only(server, path, status):
    response = requests.get(server.url + path, timeout=5)
    assert response.status_code == status
    assert "version:" not in response.text


def test_a_bad_message_is_a_400(server):
    response = requests.post(f"{server.url}/api/message", data=b"not json", timeout=5)
    assert response.status_code == 400
    assert "expected" in response.json()["error"]


def test_every_page_names_a_product_of_the_price_list():
    folder = demo_folder()
    prices = (folder / "prices.yaml").read_text(encoding="utf-8")
    for page in (folder / "site").glob("*.html"):
        assert f"id: {page.stem}\n" in prices, page.name
