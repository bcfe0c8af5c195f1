"""Telling people: the report email, and short notifications where teams talk (Apprise).

The email (``email_report``) is built as an email: an HTML body made for mail clients
(:mod:`.report.email`: tables, inlined CSS, no script), the same summary as plain text
for the alternative part, and every finding as CSV. ``email.subject`` is a template for the
subject, run in the budgeted sandbox with the counts (``{{ errors }}``,
``{{ warnings }}``, ``{{ info }}``, ``{{ baselined }}``, ``{{ new }}``,
``{{ resolved }}``, ``{{ findings }}``, ``{{ version }}``).

Notifications (``notify``) go through Apprise, so a Slack or Microsoft Teams
(Power Automate workflow) webhook, a generic JSON webhook, Discord, Mattermost,
Google Chat … are one URL each (https://github.com/caronc/apprise/wiki). They
follow the same ``notify_on`` rule as the email. Apprise speaks HTTP through
``requests``, so ``HTTP(S)_PROXY`` and ``NO_PROXY`` apply. A URL holds its secret
(a webhook token): it is never printed, only its service and host.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path

from .inputs.config import EmailConfig
from .mail import MailError, build_message, send, should_send, write_eml
from .result import Result

TOP = 5  # contradictions named in a notification


class NotifyError(Exception):
    """A notification could not be sent; the message names the service, never its token."""


# --- the email ---------------------------------------------------------------------------


def counts(result: Result) -> dict:
    """The numbers a subject template or a notification may use."""
    from .report.base import active_counts, resolved_of

    by_level, baselined = active_counts(result)
    return {
        "errors": by_level["error"],
        "warnings": by_level["warning"],
        "info": by_level["info"],
        "baselined": baselined,
        "findings": sum(by_level.values()),
        "new": sum(1 for f in result.findings if f.status == "new"),
        "resolved": len(resolved_of(result)),
        "failed": bool(result.errors),
        "version": result.price_list_version or "",
    }


def subject_line(result: Result, template: str | None) -> str | None:
    """``email.subject`` rendered with the counts in the sandbox; ``None`` without one.

    >>> from datetime import datetime, timezone
    >>> r = Result(started=datetime(2026, 11, 21, tzinfo=timezone.utc), price_list_version="2026-11")
    >>> subject_line(r, "מחירון {{ version }}: {{ errors }} שגיאות")
    'מחירון 2026-11: 0 שגיאות'
    """
    if not template:
        return None
    from jinja2 import TemplateError

    from .sandbox import SandboxedEnvironment

    try:
        shown = SandboxedEnvironment().from_string(template).render(**counts(result))
    except TemplateError as err:
        raise MailError(f"email.subject: {err}") from None
    return " ".join(shown.split())  # one header line


def email_report(
    result: Result,
    email: EmailConfig,
    *,
    dry_run: Path | None = None,
    locale: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """Send the report (or write it as .eml with ``dry_run``); return what was done."""
    from .report.email import email_html
    from .report.i18n import Formatter, reader_locale

    locale = reader_locale(locale, names, result.findings)
    title, body = message(result, names, locale)
    said = Formatter(locale)
    mail = build_message(
        result,
        email_html(result, locale=locale, names=names),
        f"{title}\n\n{body}\n\n{said.gettext('Every finding is in the attached CSV.')}\n",
        sender=email.sender,
        to=list(email.to),
        subject=subject_line(result, getattr(email, "subject", None)) or title,
        locale=locale,
        names=names,
    )
    if dry_run is not None:
        write_eml(mail, dry_run)
        return f"wrote {dry_run}"
    send(mail, email.smtp)
    return f"sent to {', '.join(email.to)}"


def wanted(result: Result, email, previous: set[str] | None) -> bool:
    return should_send(result, email.notify_on, previous)


# --- notifications -----------------------------------------------------------------------


def message(
    result: Result, names: Mapping[str, str] | None = None, locale: str | None = None
) -> tuple[str, str]:
    """A notification's title and body (plain text), in the reader's language (``locale``,
    else Hebrew for a Hebrew price list): the counts, the top contradictions with their
    quotes and gap, the findings per channel, new and resolved."""
    from .report.i18n import Formatter, reader_locale
    from .report.safe import neutral

    say = Formatter(reader_locale(locale, names, result.findings))
    numbers = counts(result)
    lines = _contradiction_lines(result, names, say)
    per = _per_channel(result)
    if per:
        lines.append(say.gettext("By channel: %(list)s") % {"list": per})
    lines.append(
        say.gettext("New since the last run: %(new)s · resolved: %(resolved)s")
        % {"new": numbers["new"], "resolved": numbers["resolved"]}
    )
    for error in result.errors:
        lines.append(say.gettext("Tool error: %(error)s") % {"error": error})
    return quiet_mentions(neutral(title_line(result, say))), quiet_mentions(
        neutral("\n".join(lines))
    )


# What chat services read as a mention (CWE-74 / CWE-150: text from observations reaching a
# service that interprets it): Discord ``@everyone``, ``@here``, ``<@id>``, ``<@&role>``;
# Slack ``<!channel>``, ``<!here>``, ``<@U123>``, ``<#C123>``; Mattermost and Rocket.Chat
# ``@channel``, ``@all``, ``@user``. A ZERO WIDTH SPACE after the ``@`` (and after a ``<``
# that opens ``<@``, ``<!``, ``<#``) keeps the text as people read it and matches none of
# their mention patterns (Discord's docs suggest the same escape), nor Apprise's own ping
# detection, which would otherwise add ``allow_mentions`` for them.
MENTION = re.compile(r"(?<=[@\uff20])(?=[^\s\u200b])|(?<=<)(?=[@!#])")


def quiet_mentions(text: str) -> str:
    """``text`` with every mention a chat service would act on made inert.

    >>> quiet_mentions("ref @everyone <@123> <!channel> a@b.co") == (
    ...     "ref @\u200beveryone <\u200b@\u200b123> <\u200b!channel> a@\u200bb.co")
    True
    """
    return MENTION.sub("\u200b", text)


def title_line(result: Result, say) -> str:
    """``consistency: 3 errors, 1 warning — price list 2026-11``, in the reader's language.

    >>> from datetime import datetime, timezone
    >>> from consistency.report.i18n import Formatter
    >>> r = Result(started=datetime(2026, 11, 21, tzinfo=timezone.utc), price_list_version="2026-11")
    >>> title_line(r, Formatter("en")), title_line(r, Formatter("he"))
    ('consistency: no findings — price list 2026-11', 'consistency: אין ממצאים — מחירון 2026-11')
    """
    numbers = counts(result)
    parts = []
    if numbers["failed"]:
        parts.append(say.gettext("run failed"))
    words = {
        "errors": lambda n: say.ngettext("%(num)s error", "%(num)s errors", n),
        "warnings": lambda n: say.ngettext("%(num)s warning", "%(num)s warnings", n),
        "info": lambda n: say.gettext("%(num)s info"),
        "baselined": lambda n: say.gettext("%(num)s baselined"),
    }
    for key, word in words.items():
        if numbers[key]:
            parts.append(word(numbers[key]) % {"num": numbers[key]})
    line = "consistency: " + (", ".join(parts) or say.gettext("no findings"))
    if result.price_list_version:
        line += f" — {say.gettext('price list')} {result.price_list_version}"
    return line


def _contradiction_lines(result: Result, names, say) -> list[str]:
    """The top contradictions: the active ones before those the baseline accepts (each bullet
    marked new or baselined), households before cross-channel gaps (the seed case leads, as
    in the HTML and the email), worst first, then the widest gap."""
    from .report.html_overview import CONTRADICTIONS, contradiction_order

    contradictions = [f for f in result.findings if f.rule in CONTRADICTIONS]
    if not contradictions:
        return []
    accepted = sum(1 for f in contradictions if f.status == "baselined")
    lines = [say.gettext("Contradictions: %(num)s") % {"num": say.number(len(contradictions))}]
    if accepted:
        lines[0] += " (" + say.gettext("%(num)s baselined") % {"num": say.number(accepted)} + ")"
    ordered = sorted(contradictions, key=contradiction_order)  # active first, new first
    lines += [_contradiction_line(finding, result, names, say) for finding in ordered[:TOP]]
    return lines


def _contradiction_line(finding, result: Result, names, say) -> str:
    """``• סיב 500 מגה · לקוח hh-1001: web ‏129.90 ‏₪ (w-1) · phone ‏116.91 ‏₪ (call-5512)
    (מחיר מחירון ‏129.90 ‏₪, -10.0%)``: every amount by the one money formatter, in the
    reader's locale."""
    from decimal import Decimal

    from .report.base import currency_of, quote_text, quoted_sides
    from .report.html_overview import list_price
    from .values import as_difference, as_value

    currency = currency_of(finding)
    product = (names or {}).get(finding.product or "", finding.product or "")
    customer = getattr(as_value(finding.observed), "customer", None)
    who = f" · {say.gettext('customer')} {customer}" if customer else ""
    shown = " · ".join(quote_text(q, currency, say) for q in quoted_sides(finding))
    notes = []
    listed = list_price(finding, result)
    if listed is not None:
        notes.append(f"{say.gettext('list price')} {say.money(listed, currency)}")
    gap = getattr(as_difference(finding.difference), "percent", None)
    if gap is not None:
        notes.append(say.percent(Decimal(str(gap)), signed=True))
    mark = _status_mark(finding, say)
    return f"• {mark}{product}{who}: {shown}" + (f" ({', '.join(notes)})" if notes else "")


def _status_mark(finding, say) -> str:
    """``[new] `` or ``[baselined] `` (``[חדש] ``, ``[מאושר] ``) before a bullet; nothing
    for a contradiction that was there last run too, or without a history."""
    words = {"new": "new", "baselined": "baselined"}
    word = words.get(finding.status or "")
    return f"[{say.gettext(word)}] " if word else ""


def _per_channel(result: Result) -> str:
    from .report.email import counts_by_channel

    active = [
        (row["channel"], row.get("error", 0) + row.get("warning", 0) + row.get("info", 0))
        for row in counts_by_channel(result)
    ]
    return " · ".join(f"{channel} {n}" for channel, n in active if n)  # baselined: not here


def notify(
    result: Result,
    urls: Iterable[str],
    *,
    names: Mapping[str, str] | None = None,
    locale: str | None = None,
) -> list[str]:
    """Send the notification to every Apprise URL; return one line per URL sent.

    Raises :class:`NotifyError` naming every URL (service and host only) that failed;
    the others are still sent.
    """
    import logging

    apprise = _apprise()
    quiet = logging.getLogger("apprise")  # its log lines may quote a URL, token and all
    quiet.addHandler(logging.NullHandler())
    quiet.propagate = False
    title, body = message(result, names, locale)
    sent, failed = [], []
    for url in urls:
        target = apprise.Apprise()
        if not target.add(url):
            failed.append(f"{_shown(url)}: not a notification URL Apprise knows")
            continue
        ok = target.notify(
            title=title,
            body=body,
            body_format=apprise.NotifyFormat.TEXT,
            notify_type=_kind(result, apprise),
        )
        (sent if ok else failed).append(_shown(url) if ok else f"{_shown(url)}: not delivered")
    if failed:
        raise NotifyError("; ".join(failed))
    return sent


def _kind(result: Result, apprise):
    """Red for errors (or a failed run), amber for warnings, green otherwise."""
    numbers = counts(result)
    if numbers["errors"] or numbers["failed"]:
        return apprise.NotifyType.FAILURE
    return apprise.NotifyType.WARNING if numbers["warnings"] else apprise.NotifyType.SUCCESS


def _apprise():
    """Apprise, imported without the standard library's deprecation notices some of its
    plugins raise on import (``imghdr`` on Python 3.11/3.12): not ours to fix."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import apprise
        import apprise.utils.pgp  # noqa: F401  (the module that imports imghdr)

    return apprise


def _shown(url: str) -> str:
    """A URL without its secret: scheme and host only.

    >>> _shown("slack://T000/B000/XXXXSECRET"), _shown("json://127.0.0.1:8080/hook?token=x")
    ('slack://T000', 'json://127.0.0.1:8080')
    """
    scheme, _, rest = url.partition("://")
    host = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    return f"{scheme}://{host}" if rest else scheme
