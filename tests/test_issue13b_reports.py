"""Tryout 13b (a Hebrew pricing team's morning): what is new and active comes first in the
email, the notification, the CSV and the page, baselined ones are marked and shown after
(F2); mentions from observations never ping a chat room (F6); unrouted replies are said in
every format (F10); CSV money has its currency's decimals (F11).

Notifications are received by real HTTP(S) servers on 127.0.0.1; Apprise's services with a
fixed endpoint (Discord, Slack) have it pointed at the loopback server, as tests/test_notify.py
does for Slack.
"""

from __future__ import annotations

import csv
import io
import json
import ssl
import subprocess
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from consistency.mail import findings_csv
from consistency.model import Evidence, Finding
from consistency.notify import message, notify
from consistency.report import render
from consistency.report.email import email_html
from consistency.report.sample import sample_result
from consistency.values import Difference, MoneyValue

IL = timezone(timedelta(hours=2))
AT = datetime(2026, 11, 28, 12, 0, tzinfo=IL)
NAMES = {
    "mazgan": "מזגן Tornado 3000 אינוורטר",
    "filter": "פילטר HEPA למזגן",
    "achrayut": "אחריות מורחבת",
}


def household(fp, customer, product, high, low, status, ref="w-1"):
    """A customer-quote-conflict as the check writes it: two quotes to one household."""
    high, low = Decimal(high), Decimal(low)
    return Finding(
        fingerprint=fp,
        rule="customer-quote-conflict",
        severity="error",
        message=f"customer {customer} was quoted ₪{high} (web, 2026-11-28 09:12) and ₪{low} "
        f"(phone, 2026-11-28 18:40) for {product}",
        channel="phone",
        product=product,
        at=AT,
        expected=MoneyValue(high, "ILS", channel="web", ref=ref, customer=customer),
        observed=MoneyValue(low, "ILS", channel="phone", ref="call-1", customer=customer),
        difference=Difference(low - high, ((low - high) * 100 / high).quantize(Decimal("0.1"))),
        status=status,
    )


def quote_row(channel, amount, ref):
    """One channel's quotes in the window, as the JSON report carries a QuoteRow."""
    return {"channel": channel, "count": 1, "low": amount, "low_at": AT.isoformat(),
            "low_ref": ref, "high": amount, "high_at": AT.isoformat(), "high_ref": ref}  # fmt: skip


def gap(fp, product, status, channels=("web", "phone"), ref="app-3"):
    """A cross-channel-gap with one quote row per channel, the last one 10 below the list."""
    listed = Decimal("89.90")
    low = listed - 10
    rows = [quote_row(ch, listed, f"{ch}-1") for ch in channels[:-1]]
    rows.append(quote_row(channels[-1], low, ref))
    return Finding(
        fingerprint=fp,
        rule="cross-channel-gap",
        severity="error",
        message=f"{product} on 2026-11-28: web quoted ₪89.90, {channels[-1]} quoted ₪79.90",
        channel=channels[-1],
        product=product,
        at=AT,
        expected=MoneyValue(listed, "ILS"),
        observed={
            "amount": low,
            "currency": "ILS",
            "channel": channels[-1],
            "ref": ref,
            "quotes": rows,
        },
        difference=Difference(Decimal("-10"), Decimal("-11.1")),
        evidence=Evidence(ref=ref),
        status=status,
    )


def morning():
    """tryout 13b F2, step 3: a baseline accepts hh-7, hh-500 and the filter gap; hh-900 and
    the achrayut gap are new."""
    result = sample_result()
    result.findings = [
        household("fp-hh7", "hh-7", "mazgan", "2690", "2421", "baselined"),
        household("fp-hh500", "hh-500", "mazgan", "3990", "3590", "baselined"),
        household("fp-hh900", "hh-900", "achrayut", "299.90", "249.90", "new"),
        gap("fp-gap-filter", "filter", "baselined"),
        gap("fp-gap-achrayut", "achrayut", "new"),
        replace(result.findings[2], status="baselined"),  # a chat answer, accepted
        replace(result.findings[1], status="recurring"),
    ]
    result.unrouted = 1
    return result


# --- F2: new and active first, accepted marked and after ---------------------------------


def test_the_notification_names_new_first_and_marks_the_accepted():
    _title, body = message(morning(), NAMES, "he")
    bullets = [line for line in body.splitlines() if line.startswith("•")]
    assert len(bullets) == 5
    # active (both new) first: the household, then the gap; then the accepted ones, marked
    assert bullets[0].startswith("• [חדש] אחריות מורחבת · לקוח hh-900")
    assert bullets[1].startswith("• [חדש] אחריות מורחבת:")
    assert all(b.startswith("• [מאושר] ") for b in bullets[2:])
    # hh-500's gap (₪400, 10.03%) is wider than hh-7's (₪269, 10.0%): it comes first
    assert "hh-500" in bullets[2] and "hh-7" in bullets[3]
    assert "סתירות: 5 (3 מאושרים)" in body


def test_the_english_notification_marks_new_and_baselined():
    _title, body = message(morning(), NAMES, "en")
    assert "• [new] אחריות מורחבת · customer hh-900" in body
    assert "• [baselined] מזגן Tornado 3000 אינוורטר · customer hh-500" in body


def test_the_csv_has_a_status_column_active_rows_first_and_resolved_rows():
    result = morning()
    result.resolved = [
        {
            "fingerprint": "fp-old",
            "rule": "cross-channel-gap",
            "severity": "error",
            "channel": "chat",
            "product": "mazgan",
            "message": "mazgan on 2026-11-27: phone ₪2,690.00, chat ₪2,490.00",
            "last_seen": "2026-11-29T21:48:31+00:00",
        }
    ]
    from consistency.report.base import resolved_of

    text = findings_csv(result.sorted_findings(), resolved_of(result), "he", NAMES)
    rows = list(csv.DictReader(io.StringIO(text)))
    statuses = [r["status"] for r in rows]
    assert statuses == ["new", "new", "recurring", "baselined", "baselined", "baselined",
                        "baselined", "resolved"]  # fmt: skip
    gap_row = next(r for r in rows if r["product"] == "filter")
    # one money format: the currency's two decimals, never 79.9 next to 89.90
    assert gap_row["expected"] == "89.90 ILS"
    assert gap_row["observed"] == "79.90 ILS"
    assert gap_row["difference"] == "-10.00"
    # the message in the reader's language (the catalog's sentence), products by name
    hh900 = next(r for r in rows if r["status"] == "new" and r["rule"].startswith("customer"))
    assert "hh-900" in hh900["message"] and "אחריות מורחבת" in hh900["message"]
    assert "was quoted" not in hh900["message"]


def test_the_page_shows_accepted_contradictions_apart_after_the_active_ones():
    out = io.StringIO()
    render(morning(), "html", out, options={"locale": "he", "names": NAMES})
    page = out.getvalue()
    accepted_at = page.index("מאושרים בקובץ הבסיס")
    new_gap = page.index('<article class="contradiction sev-error">', page.index("ערוצים"))
    assert new_gap < accepted_at
    head, tail = page[:accepted_at], page[accepted_at:]
    # every accepted card is after the heading, marked accepted; none before it
    assert head.count('class="contradiction sev-error accepted"') == 0
    assert tail.count('class="contradiction sev-error accepted"') == 3
    assert "hh-900" in head and "hh-7" not in head.split('id="contradictions"')[1]


def test_the_email_shows_new_contradictions_first_and_accepted_ones_grey_after():
    body = email_html(morning(), locale="he", names=NAMES)
    accepted_at = body.index("מאושרים בקובץ הבסיס")
    assert body.index("hh-900") < accepted_at < body.index("hh-500") < body.index("hh-7<")
    # the accepted cards carry the grey "baselined" badge, not a red "error"
    tail = body[accepted_at : body.index("ממצאים לפי ערוץ")]
    assert tail.count('class="badge baselined"') == 3
    assert 'class="badge error"' not in tail
    # in the other findings, the accepted chat answer is marked accepted, not as an error
    others = body[body.index("ממצאים נוספים") :]
    assert others.count('class="badge baselined"') == 1


# --- F10: unrouted replies in every format -------------------------------------------------


@pytest.mark.parametrize(
    ("unrouted", "text_line"),
    [
        (1, "1 reply could not be routed to an approved answer"),  # tryout 13b F10: "1 replies"
        (5, "5 replies could not be routed to an approved answer"),  # the demo's five
    ],
)
def test_unrouted_replies_are_said_in_text_html_and_email(unrouted, text_line):
    result = replace(morning(), unrouted=unrouted)
    out = io.StringIO()
    render(result, "text", out)
    assert text_line in out.getvalue().splitlines()
    page = io.StringIO()
    render(result, "html", page, options={"locale": "he", "names": NAMES})
    hebrew = "לא שויכה" if unrouted == 1 else "לא שויכו"
    assert hebrew in page.getvalue()
    assert hebrew in email_html(result, locale="he", names=NAMES)
    english = email_html(result, locale="en", names=NAMES)
    assert "could not be routed to an approved answer, so" in english


def test_no_unrouted_line_when_every_reply_was_routed():
    result = replace(morning(), unrouted=0)
    assert "שויכ" not in email_html(result, locale="he", names=NAMES)


# --- F6: mentions from observations never ping -----------------------------------------------

HOSTILE_REF = "@everyone @here <@123456789012345678> <@&98765> <!channel> <!here> @all"
RAW_MENTIONS = ("@everyone", "@here", "<@123456789012345678>", "<@&98765>", "<!channel>",
                "<!here>", "@all", "&lt;!channel&gt;", "&lt;@123")  # fmt: skip


def hostile():
    result = morning()
    result.findings[2] = household("fp-hh900", "hh-900", "achrayut", "299.90", "249.90",
                                   "new", ref=HOSTILE_REF)  # fmt: skip
    return result


class Received(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.bodies.append(body)
        reply = self.server.reply
        self.send_response(200 if self.server.reply != b"" else 204)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        return


@pytest.fixture
def server():
    started = []

    def start(reply=b'{"ok": true}', tls=None):
        hook = ThreadingHTTPServer(("127.0.0.1", 0), Received)
        hook.bodies, hook.reply = [], reply
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            hook.socket = context.wrap_socket(hook.socket, server_side=True)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        started.append(hook)
        return hook

    yield start
    for hook in started:
        hook.shutdown()
        hook.server_close()


@pytest.fixture(scope="module")
def self_signed(tmp_path_factory):
    """A throwaway certificate for 127.0.0.1 (openssl), for services Apprise speaks only
    over HTTPS (Microsoft Teams' workflows); the URL says verify=no."""
    folder = tmp_path_factory.mktemp("tls")
    key, cert = folder / "key.pem", folder / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


def _discord(monkeypatch, port):
    from apprise.plugins.discord import NotifyDiscord

    monkeypatch.setattr(NotifyDiscord, "notify_url", f"http://127.0.0.1:{port}/api/webhooks")
    return "discord://123456789012345678/abcdefghijklmnopqrstuvwxyz"


def _slack(monkeypatch, port):
    from apprise.plugins.slack import NotifySlack

    monkeypatch.setattr(NotifySlack, "webhook_url", f"http://127.0.0.1:{port}/services")
    return "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"


SERVICES = [
    # (service, its URL on loopback, what the server answers); each row is one target the
    # tryout's F6 names: Discord pings on @everyone and <@id>, Slack on <!channel>,
    # Mattermost on @all / @channel; generic JSON and form webhooks pass text on as is.
    ("discord", lambda mp, port: _discord(mp, port), b""),
    ("slack", lambda mp, port: _slack(mp, port), b"ok"),
    ("mattermost", lambda mp, port: f"mmost://127.0.0.1:{port}/abcdefghijklmnopqrstuvwxyz", b"{}"),
    ("json", lambda mp, port: f"json://127.0.0.1:{port}/hook", b"{}"),
    ("form", lambda mp, port: f"form://127.0.0.1:{port}/hook", b"{}"),
]


@pytest.mark.parametrize(("service", "url_for", "reply"), SERVICES, ids=[s[0] for s in SERVICES])
def test_mentions_in_a_ref_reach_no_service_as_mentions(
    service, url_for, reply, server, monkeypatch
):
    hook = server(reply)
    notify(hostile(), [url_for(monkeypatch, hook.server_address[1])], names=NAMES, locale="he")
    (body,) = hook.bodies
    text = _decoded(body)
    assert "hh-900" in text  # the bullet with the hostile ref arrived
    for raw in RAW_MENTIONS:
        assert raw not in text, f"{service}: {raw!r} arrives as a live mention"
    assert "@\u200beveryone" in text  # still readable as what the channel said
    if service == "discord":
        payload = json.loads(body)
        # Apprise adds allow_mentions (and a "👉 @everyone" line) for mentions it detects
        assert "allow_mentions" not in payload and "allowed_mentions" not in payload


# the loopback server's certificate is self-signed on purpose: verify=no, and urllib3 says so
@pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")
def test_teams_workflows_over_https_gets_no_mentions(server, self_signed):
    hook = server(b"{}", tls=self_signed)
    port = hook.server_address[1]
    url = f"workflows://127.0.0.1:{port}/workflowid/signature?verify=no"
    notify(hostile(), [url], names=NAMES, locale="he")
    (body,) = hook.bodies
    text = _decoded(body).replace("\\\\", "")  # Apprise sends Teams Markdown: \- \( \>
    assert "hh-900" in text
    for raw in RAW_MENTIONS:
        assert raw not in text
    assert "<at>" not in text  # a Teams mention needs <at> and an entity: neither is there


def _decoded(body: bytes) -> str:
    """The request body as text: JSON strings unescaped, a form's fields URL-decoded."""
    from urllib.parse import parse_qsl

    raw = body.decode("utf-8")
    try:
        return json.dumps(json.loads(raw), ensure_ascii=False)
    except json.JSONDecodeError:
        return " ".join(v for _k, v in parse_qsl(raw))


# --- F9: the Hebrew page's wording ----------------------------------------------------------


def test_a_one_off_finding_says_once_in_the_how_often_column():
    """tryout 13b F9: the 'how many times' column held a date and time for one-off rows."""
    out = io.StringIO()
    render(morning(), "html", out, options={"locale": "he", "names": NAMES})
    cells = out.getvalue().split('class="often">')[1:]
    assert cells and all(c.startswith("<bdi>פעם אחת, ") for c in cells)


def test_a_gap_excerpt_on_the_hebrew_page_uses_the_locale_money():
    """tryout 13b F9: 'app ₪79.90 (app-3) · store ₪89.90' beside Hebrew ‏79.90 ‏₪."""
    finding = gap("fp-x", "filter", "new", channels=("store", "app"))
    english = "store ₪89.90 (store-1) · app ₪79.90 (app-3)"  # what the check writes
    result = morning()
    result.findings = [replace(finding, evidence=Evidence(ref="app-3", excerpt=english))]
    out = io.StringIO()
    render(result, "html", out, options={"locale": "he", "names": NAMES})
    page = out.getvalue()
    assert english not in page
    assert "store \u200f89.90\xa0\u200f₪ (store-1) · app \u200f79.90\xa0\u200f₪ (app-3)" in page
    said = io.StringIO()  # words a channel said are never rewritten
    spoken = replace(finding, evidence=Evidence(ref="c", excerpt="נאמר ₪79.90 בשיחה"))
    result.findings = [spoken]
    render(result, "html", said, options={"locale": "he", "names": NAMES})
    assert "נאמר ₪79.90 בשיחה" in said.getvalue()


def test_markdown_says_how_many_replies_were_not_routed():
    out = io.StringIO()
    render(replace(morning(), unrouted=3), "markdown", out)
    assert "3 replies could not be routed to an approved answer, so not checked." in out.getvalue()
    quiet = io.StringIO()
    render(replace(morning(), unrouted=0), "markdown", quiet)
    assert "could not be routed" not in quiet.getvalue()
