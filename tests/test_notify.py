"""Telling people: the report email's dry run, and notifications through Apprise received by
real HTTP servers on loopback (a generic JSON webhook, a Slack-style webhook, a proxy)."""

from __future__ import annotations

import csv
import email
import io
from decimal import Decimal
from email import policy

from consistency.inputs.config import EmailConfig
from consistency.notify import email_report
from consistency.report.i18n import Formatter
from consistency.report.sample import sample_result


def read_eml(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def test_a_large_report_mails_its_first_pages_and_points_at_the_csv(tmp_path):
    result = sample_result(6000)
    target = tmp_path / "report.eml"
    config = EmailConfig(to=("pricing@example.co.il",), sender="consistency@example.co.il")
    assert email_report(result, config, dry_run=target) == f"wrote {target}"
    message = read_eml(target)
    html = message.get_body(("html",)).get_content()
    assert 'type="application/json"' not in html
    assert "attached CSV" in html
    # the top of 6,000 findings and the CSV (with its status column and sentences in the
    # reader's language since tryout 13b)
    assert len(message.as_bytes()) < 2_200_000
    attachment = next(message.iter_attachments())
    content = attachment.get_content()  # text/csv: decoded by the email package
    rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
    assert len(rows) == 1 + len(result.findings)


def test_a_small_report_mails_every_finding_as_rows(tmp_path):
    result = sample_result()
    target = tmp_path / "report.eml"
    config = EmailConfig(to=("a@example.co.il",), sender="b@example.co.il")
    email_report(result, config, dry_run=target)
    html = read_eml(target).get_body(("html",)).get_content()
    assert html.count('class="card"') == 1  # the one cross-channel gap, first
    assert html.count('<span class="badge ') == 1 + 5  # and the five other findings once each


# --- notifications through Apprise, received on loopback -------------------------------------

import json  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer  # noqa: E402

import pytest  # noqa: E402

from consistency.notify import NotifyError, notify  # noqa: E402

NAMES = {"fiber-500": "סיב 500 מגה"}


class Received(BaseHTTPRequestHandler):
    """Keeps every request (method, target, headers, body) on its server; answers 200."""

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.requests.append((self.command, self.path, dict(self.headers), body))
        kind, reply = self.server.reply
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):  # keep the test output clean
        return


@pytest.fixture
def listener():
    """A real HTTP server on 127.0.0.1 on a free port, standing in for a webhook (or proxy)."""
    servers = []

    def start(reply=("application/json", b'{"ok": true}')):
        server = ThreadingHTTPServer(("127.0.0.1", 0), Received)
        server.requests = []
        server.reply = reply
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def test_a_generic_json_webhook_gets_the_summary(listener):
    hook = listener()
    port = hook.server_address[1]
    assert notify(sample_result(), [f"json://127.0.0.1:{port}/hooks/pricing"], names=NAMES) == [
        f"json://127.0.0.1:{port}"
    ]
    ((method, path, headers, body),) = hook.requests
    payload = json.loads(body)
    assert (method, path) == ("POST", "/hooks/pricing")
    # the price list's names are Hebrew: so is the notification
    assert payload["title"] == "consistency: 3 שגיאות, 2 אזהרות, 1 מידע — מחירון 2026-11"
    assert payload["type"] == "failure"  # errors: the red kind
    assert "סתירות: 1" in payload["message"]
    money = {a: Formatter("he").money(Decimal(a), "ILS") for a in ("99.90", "89.91")}
    assert (
        f"סיב 500 מגה: web {money['99.90']} · phone {money['89.91']}"
        f" (מחיר מחירון {money['99.90']}, \u200f-10.0%)"  # RLM: the sign where money's is
    ) in payload["message"]
    assert "לפי ערוץ: phone 2 · chat 2 · web 2" in payload["message"]


def test_an_english_notification_when_asked(listener):
    hook = listener()
    url = f"json://127.0.0.1:{hook.server_address[1]}/hook"
    notify(sample_result(), [url], names=NAMES, locale="en")
    ((_, _, _, body),) = hook.requests
    payload = json.loads(body)
    assert payload["title"] == "consistency: 3 errors, 2 warnings, 1 info — price list 2026-11"
    assert payload["message"].splitlines() == [
        "Contradictions: 1",
        "• סיב 500 מגה: web ₪99.90 · phone ₪89.91 (list price ₪99.90, -10.0%)",
        "By channel: phone 2 · chat 2 · web 2",
        "New since the last run: 1 · resolved: 0",
    ]


def test_a_slack_style_webhook_gets_a_slack_payload(listener, monkeypatch):
    """Apprise's own Slack plugin, its fixed endpoint pointed at a loopback server."""
    from apprise.plugins.slack import NotifySlack

    hook = listener(reply=("text/plain", b"ok"))  # what Slack's incoming webhooks answer
    monkeypatch.setattr(
        NotifySlack, "webhook_url", f"http://127.0.0.1:{hook.server_address[1]}/services"
    )
    token = "T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7"
    assert notify(sample_result(), [f"slack://{token}"], names=NAMES) == ["slack://T1JJ3T3L2"]
    ((_, path, headers, body),) = hook.requests
    assert path == f"/services/{token}"
    assert headers["Content-Type"].startswith("application/json")
    payload = json.loads(body)
    said = json.dumps(payload, ensure_ascii=False)
    assert "סתירות: 1" in said and "סיב 500 מגה" in said
    assert "attachments" in payload or "blocks" in payload or "text" in payload


def test_a_failed_webhook_is_named_without_its_secret(listener):
    dead = listener()
    port = dead.server_address[1]
    dead.shutdown()
    dead.server_close()
    with pytest.raises(NotifyError) as caught:
        notify(sample_result(), [f"json://127.0.0.1:{port}/hook?token=s3cr3t", "nonsense://x"])
    said = str(caught.value)
    assert f"json://127.0.0.1:{port}: not delivered" in said
    assert "nonsense://x: not a notification URL" in said
    assert "s3cr3t" not in said


def run_notify(result_file, url, env):
    base = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return subprocess.run(
        [shutil.which("consistency"), "notify", str(result_file), "--url", url],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_http_proxy_and_no_proxy_are_honored(listener, tmp_path):
    """A loopback proxy sees the webhook call when HTTP_PROXY names it, not with NO_PROXY."""
    from consistency.report import render

    saved = tmp_path / "result.json"
    with saved.open("w", encoding="utf-8") as out:
        render(sample_result(), "json", out)
    hook, proxy = listener(), listener()
    url = f"json://127.0.0.1:{hook.server_address[1]}/hook"
    via = {"HTTP_PROXY": f"http://127.0.0.1:{proxy.server_address[1]}"}
    done = run_notify(saved, url, via)
    assert done.returncode == 0, done.stderr
    ((_, target, _, _),) = proxy.requests  # the absolute URL, as a client asks a proxy
    assert target == f"http://127.0.0.1:{hook.server_address[1]}/hook"
    assert hook.requests == []
    done = run_notify(saved, url, {**via, "NO_PROXY": "127.0.0.1"})
    assert done.returncode == 0, done.stderr
    assert len(proxy.requests) == 1 and len(hook.requests) == 1


def test_audit_notify_posts_when_notify_on_says_so(listener, tmp_path):
    from click.testing import CliRunner

    from consistency.cli import main
    from tests.helpers import make_project

    hook = listener()
    records = [
        {"channel": "web", "at": "2026-11-21T09:12", "product": "fiber-1000", "amount": "119.90"}
    ]
    config = make_project(tmp_path, records)
    with config.open("a", encoding="utf-8") as out:
        out.write(
            f"notify: {{urls: ['json://127.0.0.1:{hook.server_address[1]}/hook'], "
            "notify_on: findings}\n"
        )
    done = CliRunner().invoke(main, ["audit", "--config", str(config), "--notify", "-q"])
    assert done.exit_code == 1, done.stderr
    ((_, path, _, body),) = hook.requests
    assert path == "/hook" and json.loads(body)["type"] == "failure"
