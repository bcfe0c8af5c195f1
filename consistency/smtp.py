"""Sending a built report email over SMTP (STARTTLS, SSL or, without a login, plain),
with credentials from the environment that never appear in a message; split from
:mod:`consistency.mail`, which builds the message and re-exports :func:`send`.
"""

from __future__ import annotations

import logging
import os
import smtplib
import socket
import ssl
from collections.abc import Mapping
from email.message import EmailMessage

log = logging.getLogger(__name__)

SECURITY_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
DEFAULT_TIMEOUT = 30.0


class MailError(Exception):
    """The report could not be emailed; the message says why (never with a password)."""


def send(
    message: EmailMessage,
    smtp: Mapping,
    env: Mapping[str, str] = os.environ,
    *,
    ssl_context: ssl.SSLContext | None = None,
) -> None:
    """Send over SMTP as ``smtp`` says (host, port, security, username_env, password_env,
    timeout). ``ssl_context`` replaces the default verifying context (for a private CA)."""
    host, port, security, timeout = _settings(smtp)
    username, password = _credentials(smtp, env, security)
    context = ssl_context or ssl.create_default_context()
    try:
        with _connect(host, port, security, timeout, context) as client:
            if username is not None:
                _login(client, username, password)
            refused = client.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        reason = _scrub(_reply(exc), password)
        raise MailError(f"{host}:{port} refused the login of {username!r}: {reason}") from None
    except (smtplib.SMTPException, OSError) as exc:
        reason = _scrub(_describe(exc), password)
        raise MailError(f"could not send the report via {host}:{port}: {reason}") from None
    if refused:
        raise MailError(f"{host}:{port} refused recipients: {', '.join(sorted(refused))}")
    log.info("sent %r via %s:%s (%s)", message["Subject"], host, port, security)


def _login(client: smtplib.SMTP, username: str, password: str) -> None:
    try:
        client.login(username, password)
    except UnicodeEncodeError:  # smtplib encodes credentials as ASCII
        raise MailError("SMTP login needs an ASCII username and password") from None


def _settings(smtp: Mapping) -> tuple[str, int, str, float]:
    host = smtp.get("host")
    if not host:
        raise MailError("email.smtp.host is not set")
    security = smtp.get("security", "starttls")
    if security not in SECURITY_PORTS:
        raise MailError(f"email.smtp.security must be starttls, ssl or none, not {security!r}")
    try:
        port = int(smtp.get("port") or SECURITY_PORTS[security])
        timeout = float(smtp.get("timeout") or DEFAULT_TIMEOUT)
    except (TypeError, ValueError):
        raise MailError("email.smtp.port and email.smtp.timeout must be numbers") from None
    return str(host), port, security, timeout


def _credentials(smtp: Mapping, env: Mapping[str, str], security: str):
    """(username, password) from the environment, or (None, None) when no login is configured."""
    names = {key: smtp.get(key) for key in ("username_env", "password_env")}
    if not any(names.values()):
        return None, None
    for key, name in names.items():
        if not name:
            raise MailError(f"email.smtp.{key} is not set; a login needs both variables")
        if not env.get(name):
            raise MailError(f"email.smtp.{key} names {name}, which is not set in the environment")
    if security == "none":
        raise MailError("will not send a password without TLS: set email.smtp.security")
    return env[names["username_env"]], env[names["password_env"]]


def _connect(host, port, security, timeout, context) -> smtplib.SMTP:
    if security == "ssl":
        return smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    client = smtplib.SMTP(host, port, timeout=timeout)
    if security == "starttls":
        try:
            client.starttls(context=context)
        except BaseException:
            client.close()
            raise
    return client


def _reply(exc: smtplib.SMTPResponseException) -> str:
    text = exc.smtp_error
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{exc.smtp_code} {text}"


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reply(exc)
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    if isinstance(exc, ssl.SSLCertVerificationError):
        return f"TLS certificate not trusted: {exc.verify_message}"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return str(exc) or type(exc).__name__


def _scrub(text: str, secret: str | None) -> str:
    """Remove a secret from text meant for people.

    >>> _scrub("bad pass s3cret", "s3cret"), _scrub("x", None)
    ('bad pass ***', 'x')
    """
    return text.replace(secret, "***") if secret else text
