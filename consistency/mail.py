"""The emailed report: a multipart message (text + HTML + findings CSV), when to send it, SMTP.

``build_message`` takes the already rendered text and HTML reports, so this module
does not depend on the renderers. The CSV attachment is UTF-8 with a byte-order
mark (Excel then shows Hebrew right) and neutralizes spreadsheet formulas.

``send`` speaks SMTP with ``security: starttls`` (default, port 587), ``ssl``
(port 465) or ``none`` (plain text, port 25: for a local relay or tests; it never
sends a password). Credentials come only from the environment variables named by
``username_env`` / ``password_env``; the password never appears in a message.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import format_datetime, make_msgid
from pathlib import Path

from .model import Finding
from .outputs import write_bytes_atomic
from .report.base import resolved_of
from .report.safe import neutral
from .result import Result
from .smtp import MailError, send
from .text.display import plural
from .values import Difference, MoneyValue, PromotionValue, as_difference, as_value

__all__ = ["MailError", "build_message", "findings_csv", "send", "should_send", "write_eml"]

CSV_COLUMNS = (
    "severity", "status", "rule", "channel", "product", "answer", "at", "expected", "observed",
    "difference", "cause", "message", "source", "ref",
)  # fmt: skip
NOTIFY_ON = ("always", "findings", "change")
BASELINED = "baselined"

# What a spreadsheet may read as the start of a formula (OWASP "CSV Injection"; CWE-1236):
# the ASCII signs, their full-width forms (Excel and LibreOffice fold them to ASCII), and
# tab / carriage return / line feed.
_FORMULA_START = (
    "=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20",  # ASCII and full-width
    "\ufe66", "\ufe62", "\ufe63", "\ufe6b",  # the small forms (﹦ ﹢ ﹣ ﹫)
    "\t", "\r", "\n",
)  # fmt: skip
# Letters that render as nothing though Unicode calls them letters or symbols.
_BLANK_LETTERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
_UNSEEN = frozenset({"Cc", "Cf", "Mn", "Me", "Zs", "Zl", "Zp"})
_NUMBER = re.compile(
    r"""
    ^[+-]?           # an optional sign
    (\d+\.?\d*       # digits, maybe a point and decimals: 9, 9.99, 9.
    |\.\d+)          # or decimals alone: .5
    %?$              # an optional percent sign, nothing else
    """,
    re.VERBOSE,
)


# --- the message -------------------------------------------------------------------------


def subject_for(result: Result) -> str:
    """The default subject: counts of active findings, and the price list.

    >>> from datetime import datetime, timezone
    >>> r = Result(started=datetime(2026, 11, 21, tzinfo=timezone.utc), price_list_version="2026-11")
    >>> r.findings = [Finding(str(i), "x", s, "m") for i, s in enumerate("error error error warning".split())]
    >>> subject_for(r)
    'consistency: 3 errors, 1 warning — price list 2026-11'
    >>> subject_for(Result(started=r.started))
    'consistency: no findings'
    """
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    baselined = 0
    for finding in result.findings:
        if finding.status == BASELINED:
            baselined += 1
        else:
            counts[finding.severity] += 1
    parts = [plural(n, word) for word, n in counts.items() if n]
    if baselined:
        parts.append(f"{baselined} baselined")
    if result.errors:
        parts.insert(0, "run failed")
    text = "consistency: " + (", ".join(parts) or "no findings")
    if result.price_list_version:
        text += f" — price list {result.price_list_version}"
    return text


def build_message(
    result: Result,
    html: str,
    text: str,
    *,
    sender: str,
    to: str | Iterable[str],
    subject: str | None = None,
    locale: str | None = None,
    names: Mapping[str, str] | None = None,
) -> EmailMessage:
    """multipart/mixed: multipart/alternative (text, HTML) and the findings CSV attached
    (its ``message`` column in ``locale`` when given, products named by ``names``)."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        raise MailError("no recipients: set email.to in the config")
    message = EmailMessage()
    message["Subject"] = subject or subject_for(result)
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain=_domain(sender))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    message.add_attachment(
        findings_csv(result.sorted_findings(), resolved_of(result), locale, names).encode(
            "utf-8-sig"
        ),
        maintype="text",
        subtype="csv",
        filename=f"consistency-findings-{result.started:%Y-%m-%d}.csv",
        params={"charset": "utf-8"},
    )
    return message


def _domain(address: str) -> str | None:
    """The domain of the sender, for the Message-ID.

    >>> _domain("בודק <consistency@example.co.il>"), _domain("nobody")
    ('example.co.il', None)
    """
    match = re.search(r"@([^>\s]+)", address)
    return match.group(1) if match else None


# --- the CSV attachment -------------------------------------------------------------------


def findings_csv(
    findings: Iterable[Finding],
    resolved: Iterable[Mapping] = (),
    locale: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The findings as CSV with ``CSV_COLUMNS``, the ones to act on first: new, then recurring
    (or no history), then baselined, then the previous run's findings this run no longer
    has (``resolved``, history rows) as ``resolved``. Money has its currency's decimals
    (``79.90 ILS``). With ``locale`` the ``message`` is said in that language (the
    catalog's sentence, as in the HTML). Every cell is safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    say = _formatter(locale)
    for finding in sorted(findings, key=lambda f: _STANDING.get(f.status or "", 1)):
        writer.writerow([neutralize(cell) for cell in _row(finding, say, names)])
    for gone in resolved:
        writer.writerow([neutralize(cell) for cell in _resolved_row(gone)])
    return out.getvalue()


_STANDING = {"new": 0, "baselined": 2}  # the rest (recurring, no history): 1; sort is stable


def _formatter(locale: str | None):
    if not locale:
        return None
    from .report.i18n import Formatter

    return Formatter(locale)


def _message(finding: Finding, say, names) -> str:
    if say is None:
        return finding.message
    from .report.wording import sentence

    return sentence(finding, say, names)


def _resolved_row(gone: Mapping) -> list[str]:
    """A resolved finding (a history row: rule, channel, product, message, …) as a CSV row."""
    get = gone.get if hasattr(gone, "get") else lambda key: getattr(gone, key, None)
    cells = {key: get(key) for key in ("severity", "rule", "channel", "product", "answer")}
    last = get("last_seen")
    return [
        cells["severity"] or "",
        "resolved",
        cells["rule"] or "",
        cells["channel"] or "",
        cells["product"] or "",
        cells["answer"] or "",
        str(last) if last else "",
        "", "", "", "",
        str(get("message") or ""),
        "", "",
    ]  # fmt: skip


def _row(finding: Finding, say=None, names=None) -> list[str]:
    evidence = finding.evidence
    return [
        finding.severity,
        finding.status or "",
        finding.rule,
        finding.channel or "",
        finding.product or "",
        finding.answer or "",
        finding.at.isoformat() if finding.at else "",
        value_text(finding.expected),
        value_text(finding.observed),
        difference_text(finding.difference, _currency(finding)),
        finding.cause or "",
        _message(finding, say, names),
        (evidence.source or "") if evidence else "",
        (evidence.ref or "") if evidence else "",
    ]


def neutralize(cell: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would run as a formula; numbers stay numbers.

    >>> neutralize("=HYPERLINK(\\"http://x\\")"), neutralize("-9.99"), neutralize("-2+3")
    ('\\'=HYPERLINK("http://x")', '-9.99', "'-2+3")
    >>> neutralize("@SUM(A1)"), neutralize("\\tx"), neutralize("+10%"), neutralize("ש\\"ח")
    ("'@SUM(A1)", "'\\tx", '+10%', 'ש"ח')
    >>> neutralize("\\uff1dcmd|'/c calc'!A0"), neutralize("\\u200b=1+1"), neutralize("\\u2800=1")
    ("'＝cmd|'/c calc'!A0", "'\\u200b=1+1", "'\\u2800=1")
    >>> neutralize("\\x1b]0;title\\x07"), neutralize("\\ufe66cmd")
    ('\\\\x1b]0;title\\\\x07', "'﹦cmd")
    """
    cell = neutral(cell)  # control and bidi characters shown escaped, as in every report
    if cell.startswith(_FORMULA_START):
        return cell if _NUMBER.match(cell) else "'" + cell
    seen = len(cell) - len(_unseen_lead_stripped(cell))
    if seen and cell[seen:].startswith(_FORMULA_START):
        return "'" + cell
    return cell


def _unseen_lead_stripped(cell: str) -> str:
    """``cell`` without what may stand before a formula unseen: spaces, format and combining
    characters, and blank letters (soft hyphen, U+180E, U+034F, U+2800, U+3164 ...)."""
    for index, ch in enumerate(cell):
        if ch not in _BLANK_LETTERS and unicodedata.category(ch) not in _UNSEEN:
            return cell[index:]
    return ""


def value_text(value) -> str:
    """An expected or observed value as one cell.

    >>> from decimal import Decimal
    >>> value_text({"amount": Decimal("99.90"), "currency": "ILS"})
    '99.90 ILS'
    >>> value_text({"fact": "duration", "value": 14, "unit": "day"})
    '14 days'
    >>> value_text({"phrase": "אין מה לעשות"})
    '“אין מה לעשות”'
    """
    from .report.base import text, value_parts

    value = as_value(value)
    if not value:
        return ""
    if isinstance(value, MoneyValue | PromotionValue) and value.amount is not None:
        return f"{money_cell(value.amount, value.currency)} {value.currency or ''}".strip()
    if isinstance(value, Mapping) and value.get("amount") is not None:  # a shape of no type
        cur = value.get("currency")
        return f"{money_cell(value['amount'], cur)} {cur or ''}".strip()
    return text(value_parts(value))


def money_cell(amount, currency: str | None) -> str:
    """An amount with its currency's decimals (ISO 4217 through Babel's CLDR data; two
    without a currency): one format for every money cell, a plain number a spreadsheet reads.

    >>> from decimal import Decimal
    >>> money_cell(Decimal("79.9"), "ILS"), money_cell(10, None), money_cell(Decimal("1200"), "JPY")
    ('79.90', '10.00', '1200')
    """
    from babel.numbers import get_currency_precision

    digits = get_currency_precision(currency) if currency else 2
    exact = Decimal(str(amount))
    if exact != exact.quantize(Decimal(1).scaleb(-digits)):
        return str(exact)  # more decimals than the currency has: never round a quote away
    return f"{exact:.{digits}f}"


def _currency(finding: Finding) -> str | None:
    for side in (finding.observed, finding.expected):
        currency = getattr(as_value(side), "currency", None)
        if currency:
            return currency
    return None


def difference_text(value, currency: str | None = None) -> str:
    """The amount of a difference as a number cell (``currency``'s decimals), else its percent.

    >>> from decimal import Decimal
    >>> difference_text({"amount": Decimal("-10"), "percent": Decimal("-10.0")}, "ILS")
    '-10.00'
    >>> difference_text({"percent": Decimal("-10.0")})
    '-10.0%'
    """
    value = as_difference(value)
    if not isinstance(value, Difference):
        return value_text(value)
    if value.amount is not None:
        return money_cell(value.amount, currency)
    return f"{value.percent}%" if value.percent is not None else ""


# --- when to send ------------------------------------------------------------------------


def should_send(result: Result, notify_on: str, previous_fingerprints: set[str] | None) -> bool:
    """Whether the run warrants an email.

    ``always``: every run. ``findings``: a failed run or any finding not baselined.
    ``change``: a failed run, or the set of non-baselined fingerprints differs from the
    previous run's (``None``, no previous run, counts as an empty set).
    """
    if notify_on not in NOTIFY_ON:
        raise MailError(f"email.notify_on must be one of {', '.join(NOTIFY_ON)}, not {notify_on!r}")
    active = {f.fingerprint for f in result.findings if f.status != BASELINED}
    if notify_on == "always" or result.errors:
        return True
    if notify_on == "findings":
        return bool(active)
    return active != (previous_fingerprints or set())


# --- dry run -----------------------------------------------------------------------------


def write_eml(message: EmailMessage, path: Path | str) -> None:
    """Write the message as an .eml file, as it would go on the wire; atomic."""
    write_bytes_atomic(Path(path), message.as_bytes(policy=SMTP_POLICY))
