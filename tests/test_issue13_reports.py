"""Issue 13 tryout leftovers in what people read: one locale for every command (P3), the
notification households first (P4) with every amount and word in the reader's language (P5),
in the webhook (a real loopback server) and in the email's text part (a real aiosmtpd server);
the Hebrew page in real headless Chromium: household quote times (P7), causes, product names,
the rule filter, the chart's tooltips and unreadable records in Hebrew (P8 and the rest); and
an allowed promotion on a gap card (P6, a known gap)."""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import threading
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from tests.helpers import DEMO

SEED = ("hh-1001", "129.90", "116.91")  # the seed household: web ₪129.90, phone ₪116.91
HE_MONEY = re.compile(r"\d[\d,]*\.\d\d(?!\xa0\u200f₪)")  # an amount not in Hebrew's pattern
EN_MONEY = re.compile(r"(?<!₪)(?<![\d,.])\d[\d,]*\.\d\d\b")  # an amount without ₪ before it
ENGLISH_WORDS = ("quote", "list price", "customer", "Contradictions", "By channel", "resolved")


def run(args, cwd, env=None, check=True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        ["consistency", *args],
        capture_output=True,
        cwd=cwd,
        env={**os.environ, **(env or {})},
        timeout=300,
        check=False,
    )
    if check:
        assert done.returncode in (0, 1), done.stderr.decode()[-3000:]
    return done


def demo_config(folder: Path, **more) -> Path:
    """The demo's config with absolute paths (so it can live anywhere), plus ``more``."""
    config = yaml.safe_load((DEMO / "consistency.yaml").read_text(encoding="utf-8"))
    config["price_list"] = str(DEMO / config["price_list"])
    config["answers"] = str(DEMO / config["answers"])
    for source in config["sources"]:
        source["files"] = [str(DEMO / pattern) for pattern in source["files"]]
    config.update(more)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "consistency.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """The demo audited once from its exports (no network) by the installed command: the
    saved result names its config; ``orphan.json`` is the same result with no config."""
    if shutil.which("consistency") is None:
        pytest.skip("the consistency command is not installed")
    folder = tmp_path_factory.mktemp("saved")
    config = demo_config(folder / "made-with")
    result = folder / "result.json"
    run(
        ["audit", "--config", str(config), "--no-fetch", "--format", "json", "-o", str(result)],
        folder,
    )
    data = json.loads(result.read_text(encoding="utf-8"))
    assert data["run"]["config"] == str(config)
    data["run"]["config"] = "consistency.yaml"  # as audit records a config found in its folder
    (folder / "made-with" / "out").mkdir()
    (folder / "made-with" / "out" / "relative.json").write_text(json.dumps(data), encoding="utf-8")
    data["run"]["config"] = None
    assert data["run"]["locale"] == "he"  # the run's own language and names (tryout 13b F7)
    (folder / "moved.json").write_text(json.dumps(data), encoding="utf-8")
    del data["run"]["locale"], data["run"]["products"]  # as a result saved before them
    (folder / "orphan.json").write_text(json.dumps(data), encoding="utf-8")
    (folder / "elsewhere").mkdir()
    return folder


def lang_of(page: str) -> str:
    return re.search(r'<html lang="([^"]+)" dir="(rtl|ltr)">', page).group(1)


# (what, saved result, extra args, environment, working folder under the fixture, language)
REPORTS = [
    ("tryout 13 P3: the result names its Hebrew config", "result.json", [], {}, "elsewhere", "he"),
    ("--locale overrides", "result.json", ["--locale", "en"], {}, "elsewhere", "en"),
    (
        "a relative run.config, above the result",
        "made-with/out/relative.json",
        [],
        {},
        "elsewhere",
        "he",
    ),
    ("no run.config: CONSISTENCY_CONFIG", "orphan.json", [], {"CFG": "made"}, "elsewhere", "he"),
    ("no run.config: the config in the working folder", "orphan.json", [], {}, "made-with", "he"),
    ("no config at all: the findings' English text", "orphan.json", [], {}, "elsewhere", "en"),
    ("tryout 13b F7: no config, the run's saved locale", "moved.json", [], {}, "elsewhere", "he"),
]


@pytest.mark.parametrize(("why", "name", "extra", "env", "cwd", "lang"), REPORTS)
def test_report_on_a_saved_result_picks_the_locale_as_audit_does(
    saved, why, name, extra, env, cwd, lang
):
    env = {"CONSISTENCY_CONFIG": str(saved / "made-with" / "consistency.yaml")} if env else {}
    out = saved / f"{abs(hash(why))}.html"
    args = ["report", str(saved / name), "--format", "html", "-o", str(out), *extra]
    run(args, saved / cwd, env)
    assert lang_of(out.read_text(encoding="utf-8")) == lang, why


@pytest.fixture
def webhook():
    """A loopback HTTP server standing in for the webhook: keeps every JSON body posted."""

    class Received(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length") or 0)
            self.server.bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Received)
    server.bodies = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def posted(saved, webhook, *extra) -> dict:
    url = f"json://127.0.0.1:{webhook.server_address[1]}/hook"
    done = run(["notify", str(saved / "result.json"), "--url", url, *extra], saved / "elsewhere")
    assert done.returncode == 0, done.stderr.decode()
    (body,) = webhook.bodies
    return body


def contradiction_lines(message: str) -> list[str]:
    return [line for line in message.splitlines() if line.startswith("• ")]


def test_the_hebrew_notification_leads_with_the_household_in_hebrew_and_shekels(saved, webhook):
    body = posted(saved, webhook)
    assert "שגיאות" in body["title"] and "מחירון" in body["title"]  # P3: Hebrew by default
    lines = contradiction_lines(body["message"])
    assert len(lines) == 5
    first = lines[0]  # P4: the seed household first, as on the page and in the email
    assert "לקוח hh-1001" in first and "129.90" in first and "116.91" in first, first
    assert "סיב 1000 מגה" in first  # the product by the price list's name
    for line in lines:  # P5: every amount in Hebrew's CLDR pattern (RLM, ₪ after)
        assert HE_MONEY.search(line) is None, line
        assert "מחיר מחירון" in line, line
    for word in ENGLISH_WORDS:
        assert word not in body["message"], word
    assert "ציטוטים" in body["message"]  # "3 quotes" from the catalog


def test_the_english_notification_says_every_amount_with_its_currency(saved, webhook):
    body = posted(saved, webhook, "--locale", "en")
    assert body["title"].startswith("consistency: ") and "price list" in body["title"]
    lines = contradiction_lines(body["message"])
    assert "customer hh-1001" in lines[0]
    for line in lines:  # P5: the cross-channel lines had bare "10.00"
        assert EN_MONEY.search(line) is None, line
        assert "list price ₪" in line, line


@pytest.fixture
def inbox():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.contents = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's
            self.contents.append(envelope.content)
            return "250 OK"

    with socket.socket() as sock:  # a free port on loopback
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.mark.parametrize(("extra", "lang"), [([], "he"), (["--locale", "en"], "en")])
def test_the_email_and_its_text_part_follow_the_same_rule(saved, inbox, tmp_path, extra, lang):
    """``consistency email`` through a real SMTP server: the HTML and the plain-text part in
    the locale every other command picks, households first, every amount with its ₪."""
    box, port = inbox
    config = demo_config(
        tmp_path,
        email={
            "to": ["pricing@example.co.il"],
            "from": "consistency@example.co.il",
            "notify_on": "always",
            "smtp": {"host": "127.0.0.1", "port": port, "security": "none"},
        },
    )
    done = run(["email", str(saved / "result.json"), "--config", str(config), *extra], tmp_path)
    assert done.returncode == 0, done.stderr.decode()
    (content,) = box.contents
    mail = message_from_bytes(content, policy=default_policy)
    html = mail.get_body(preferencelist=("html",)).get_content()
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert lang_of(html) == lang
    subject = {"he": "שגיאות", "en": "errors"}[lang]  # no email.subject: the title, localized
    assert mail["Subject"].startswith("consistency: ") and subject in mail["Subject"]
    lines = contradiction_lines(text)
    assert all(part in lines[0] for part in SEED), lines[0]
    money = HE_MONEY if lang == "he" else EN_MONEY
    assert [line for line in lines if money.search(line)] == []
    if lang == "he":
        assert [word for word in ENGLISH_WORDS if word in text] == []


# --- the Hebrew page in real headless Chromium ---------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def page(saved, tmp_path_factory):
    """The page ``consistency report`` writes for the saved demo result (Hebrew by its
    config), with a web source that cannot be reached added, opened at 1400 px."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("CONSISTENCY_REQUIRE_CHROMIUM"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("page")
    config = demo_config(folder)
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    with socket.socket() as sock:  # a loopback port nobody listens on: connection refused
        sock.bind(("127.0.0.1", 0))
        closed = sock.getsockname()[1]
    page = {"url": f"http://127.0.0.1:{closed}/shop/x.html", "product": "fiber-500"}
    store = {"channel": "store", "fetch": "web", "allow_hosts": ["127.0.0.1"], "pages": [page]}
    data["sources"].append(store)
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = folder / "result.json"
    run(["audit", "--config", str(config), "--format", "json", "-o", str(result)], folder)
    html = folder / "report.html"
    run(["report", str(result), "--format", "html", "-o", str(html)], folder)
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        tab = browser.new_page(viewport={"width": 1400, "height": 900})
        tab.goto(html.as_uri())
        yield tab, json.loads(result.read_text(encoding="utf-8"))
        browser.close()


def test_the_household_card_shows_each_quotes_local_time(page):
    tab, _ = page
    seed = tab.locator("section#contradictions article", has_text="hh-1001").first
    quotes = seed.locator(".quote:not(.list-price)")
    assert quotes.count() == 2
    shown = [
        (q.locator(".channel").inner_text(), q.locator(".time").all_inner_texts())
        for q in quotes.all()
    ]
    assert shown == [("web", ["21 נוב׳ 2026, 09:12"]), ("phone", ["21 נוב׳ 2026, 18:40"])]


def test_no_cause_id_is_left_in_the_hebrew_text(page):
    """P8: every cause of the run (unknown-promotion, unlisted, bad-at, web-vs-chat …) is
    said in Hebrew in the rows, the grouped table and the chart's tooltips."""
    tab, result = page
    causes = {f["cause"] for f in result["findings"] if f["cause"]}
    assert {"unknown-promotion", "unlisted", "bad-at", "unreachable"} <= causes
    cells = tab.locator("table.findings td:nth-child(7), table.grouped td[data-label='כלל']")
    said = " | ".join(cells.all_text_contents())
    titles = tab.locator("svg.chart rect title").all_text_contents()
    assert [c for c in sorted(causes) if c in said] == []
    assert [t for t in titles if any(cause in t for cause in causes)] == []
    assert all(re.search("[\u05d0-\u05ea]", t.split(" · ", 1)[1]) for t in titles), titles
    assert "מבצע שאינו במחירון" in said  # unknown-promotion


def test_the_rule_filter_and_the_subjects_are_in_hebrew(page):
    tab, _ = page
    options = tab.locator("select[name=rule] option").all()
    labels = [(o.get_attribute("value"), o.inner_text()) for o in options]
    assert ("price-mismatch", "מחיר שונה מהמחירון") in labels
    assert [label for _, label in labels if re.search("[A-Za-z]", label)] == []
    subjects = tab.locator("table.findings td:nth-child(2)").all_text_contents()
    assert "סיב 500 מגה" in subjects and "fiber-500" not in subjects  # names, not ids


def test_unreadable_records_and_sources_are_said_in_hebrew(page):
    tab, _ = page
    messages = [
        m.strip() for m in tab.locator("table.findings td:nth-child(8)").all_text_contents()
    ]
    english = ("cannot read", "could not read", "unknown channel", "connection failed", "attempt")
    assert [m for m in messages if any(words in m for words in english)] == []
    records = [m for m in messages if m.startswith("לא ניתן לקרוא את הרשומה")]
    assert len(records) == 3  # the demo's bad channel, date and amount, reasons in Hebrew
    assert any("ערוץ לא מוכר 'fax'" in m for m in records), records
    assert any("כסכום" in m for m in records), records
    (store,) = [m for m in messages if m.startswith("ערוץ store: לא ניתן לקרוא את")]
    assert "החיבור נכשל" in store and "ניסיונות" in store, store


PROMO_PRICES = """\
version: "2026-12"
currency: ILS
vat: {included: true, rates: [{rate: 0.18, from: 2025-01-01}]}
tolerance: {amount: 0.01}
products:
  - {id: mazgan, name: מזגן Tornado 3000, unit: one-time, price: 2500.00}
promotions:
  - {id: hanukkah, products: [mazgan], discount: {percent: 10}, channels: [web],
     from: 2026-11-01, to: 2026-12-31}
"""
PROMO_QUOTES = [
    {"channel": "web", "at": "2026-11-20T10:00:00", "product": "mazgan", "amount": "2250.00"}
    | {"promotion": "hanukkah", "ref": "w2"},
    {"channel": "phone", "at": "2026-11-20T12:00:00", "product": "mazgan", "amount": "2500.00"}
    | {"ref": "p1"},
    {"channel": "chat", "at": "2026-11-20T15:00:00", "product": "mazgan", "amount": "2700.00"}
    | {"ref": "c9"},
]


@pytest.mark.parametrize("engine", ["duckdb", "python"])
def test_an_allowed_promotion_quote_is_on_the_gap_card_marked_as_a_promotion(tmp_path, engine):
    """proj4 of the tryout: web ₪2,250 (hanukkah, allowed on the web), phone ₪2,500, chat
    ₪2,700 the same day."""
    (tmp_path / "prices.yaml").write_text(PROMO_PRICES, encoding="utf-8")
    for quote in PROMO_QUOTES:
        line = json.dumps(quote, ensure_ascii=False) + "\n"
        (tmp_path / f"{quote['channel']}.jsonl").write_text(line, encoding="utf-8")
    sources = [{"channel": q["channel"], "files": [f"{q['channel']}.jsonl"]} for q in PROMO_QUOTES]
    config = {"timezone": "Asia/Jerusalem", "price_list": "prices.yaml", "sources": sources}
    (tmp_path / "consistency.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    html = tmp_path / "r.html"
    run(["audit", "--no-fetch", "--engine", engine, "--format", "html", "-o", str(html)], tmp_path)
    page = html.read_text(encoding="utf-8")
    start = page.index('id="contradictions"')
    cards = page[start : page.index("</section>", start)]
    assert "2,250.00" in cards and 'class="promo"' in cards and "hanukkah" in cards
    text = tmp_path / "r.txt"
    run(["audit", "--no-fetch", "--engine", engine, "--format", "text", "-o", str(text)], tmp_path)
    assert "web ₪2,250.00 (promotion hanukkah, w2)" in text.read_text(encoding="utf-8")


# (the engine's reason, as consistency/sources/records.py and http.py write it; Hebrew)
REASONS = [
    ("missing field 'at'", "חסר השדה 'at'"),
    (
        "unknown channel 'fax' (known: chat, phone, store, web)",
        "ערוץ לא מוכר 'fax' (המוכרים: chat, phone, store, web)",
    ),
    (
        "cannot read '21/11/2026' as an ISO 8601 date or time",
        "לא ניתן לקרוא את '21/11/2026' כתאריך או שעה לפי ISO 8601",
    ),
    ("cannot read 'תשעים' as an amount", "לא ניתן לקרוא את 'תשעים' כסכום"),
    ("'١٢3' mixes the digits of two scripts", "'١٢3' מערב ספרות משני סוגי כתב"),
    ("'XX' is not an ISO 4217 code", "'XX' אינו קוד מטבע לפי ISO 4217"),
    ("a record must be a JSON object", "רשומה חייבת להיות אובייקט JSON"),
    (
        "connection failed: [Errno 111] Connection refused (after 4 attempts)",
        "החיבור נכשל: [Errno 111] Connection refused (אחרי 4 ניסיונות)",
    ),
    ("no response within 30 s (after 1 attempt)", "אין תשובה בתוך 30 שניות (אחרי ניסיון אחד)"),
    ("host 'evil.example' is not in allow_hosts", "השרת 'evil.example' אינו ב־allow_hosts"),
    ("HTTP 503 Service Unavailable", "HTTP 503 Service Unavailable"),  # kept: the standard
]


@pytest.mark.parametrize(("reason", "hebrew"), REASONS, ids=[r[0][:30] for r in REASONS])
def test_the_engines_reasons_are_said_in_hebrew_and_kept_in_english(reason, hebrew):
    from consistency.report.i18n import Formatter
    from consistency.report.reasons import reason_text

    assert reason_text(reason, Formatter("en")) == reason  # English: the engine's words
    assert reason_text(reason, Formatter("he")) == hebrew
