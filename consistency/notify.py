"""The emailed report: render the result as text and HTML, build the message, send or save it."""

from __future__ import annotations

import io
from pathlib import Path

from . import report
from .config import EmailConfig
from .mail import build_message, send, should_send, write_eml
from .result import Result

# No mail client runs the report's script, so the email carries the first pages as rows
# and points at the attached CSV for the rest, instead of embedding them as JSON.
EMAIL_OPTIONS = {"html": {"embed_rest": False}}


def rendered(result: Result, fmt: str) -> str:
    stream = io.StringIO()
    report.render(result, fmt, stream, options=EMAIL_OPTIONS.get(fmt))
    return stream.getvalue()


def email_report(result: Result, email: EmailConfig, *, dry_run: Path | None = None) -> str:
    """Send the report (or write it as .eml with ``dry_run``); return what was done."""
    message = build_message(
        result,
        rendered(result, "html"),
        rendered(result, "text"),
        sender=email.sender,
        to=list(email.to),
    )
    if dry_run is not None:
        write_eml(message, dry_run)
        return f"wrote {dry_run}"
    send(message, email.smtp)
    return f"sent to {', '.join(email.to)}"


def wanted(result: Result, email: EmailConfig, previous: set[str] | None) -> bool:
    return should_send(result, email.notify_on, previous)
