"""Neutralize what observation text could do to the person reading a report.

Channel replies, transcripts, refs and file names end up in every report. Two kinds
of character in them act on the reader instead of being read:

- **control characters** (C0 and C1, DEL): ``ESC [2J`` clears a terminal, ``ESC ]0;``
  sets its window title, a lone carriage return overwrites the line already shown
  (CWE-150, improper neutralization of escape sequences);
- **bidirectional embeddings, overrides and isolates** (U+202A–U+202E,
  U+2066–U+2069): ``invoice\\u202egpj.exe`` shows as ``invoiceexe.jpg`` (the "Trojan
  Source" class, CVE-2021-42574), and line and paragraph separators (U+2028, U+2029)
  that break lines where a reader expects none.

Every such character is shown escaped, as ``\\x1b`` or ``\\u202e``: the reader sees that
something was there and what. Tabs and line feeds stay (each format lays them out);
``\\r\\n`` becomes ``\\n``. The JSON report keeps the data as it was (its encoder escapes
control characters; a program reads it, not a person).

>>> neutral("invoice\\u202egpj.exe"), neutral("a\\x1b[2Jb"), neutral("line\\r\\nnext\\rover")
('invoice\\\\u202egpj.exe', 'a\\\\x1b[2Jb', 'line\\nnext\\\\x0dover')
>>> neutral("סיב 500 מגה\\t₪99.90")
'סיב 500 מגה\\t₪99.90'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import fields, replace

from ..model import Evidence, Finding
from ..result import Result
from ..values import Value

UNSAFE = re.compile(
    r"["
    r"\x00-\x08\x0b-\x1f\x7f"  # C0 controls and DEL, but tab and line feed
    r"\x80-\x9f"  # C1 controls (CSI U+009B starts an escape on some terminals)
    r"\u202a-\u202e"  # bidi embeddings and overrides: LRE RLE PDF LRO RLO
    r"\u2066-\u2069"  # bidi isolates: LRI RLI FSI PDI
    r"\u2028\u2029"  # line and paragraph separators
    r"]"
)


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`neutral` would change."""
    return "\r" in text or UNSAFE.search(text) is not None


def neutral(text: str) -> str:
    """``text`` with every control, bidi-override and separator character shown escaped."""
    if not unsafe(text):
        return text
    return UNSAFE.sub(_escape, text.replace("\r\n", "\n"))


def needs_neutral(value) -> bool:
    """Whether any string inside ``value`` holds a character :func:`neutral` would change."""
    if isinstance(value, str):
        return unsafe(value)
    if isinstance(value, Value):
        return any(needs_neutral(getattr(value, f.name)) for f in fields(value))
    if isinstance(value, Mapping):
        return any(needs_neutral(k) or needs_neutral(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(needs_neutral(v) for v in value)
    return False


def neutral_value(value):
    """Strings inside a value (a mapping, list or scalar) neutralized; the rest as is (the
    very same object when nothing in it needs it)."""
    if not needs_neutral(value):
        return value
    if isinstance(value, str):
        return neutral(value)
    if isinstance(value, Value):  # a typed value keeps its type
        return replace(
            value, **{f.name: neutral_value(getattr(value, f.name)) for f in fields(value)}
        )
    if isinstance(value, Mapping):
        return {neutral_value(k): neutral_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(neutral_value(v) for v in value)
    return value


def neutral_span(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The span of ``text`` moved to where it falls in ``neutral(text)``.

    >>> neutral_span("\\x1b[2J ₪5", (5, 7))
    (8, 10)
    """
    if span is None or not (0 <= span[0] <= span[1] <= len(text)):
        return span
    return len(neutral(text[: span[0]])), len(neutral(text[: span[1]]))


_FINDING_TEXT = tuple(
    f.name for f in fields(Finding) if f.name not in {"evidence", "at", "related", "fingerprint"}
)


def safe_evidence(ev: Evidence | None) -> Evidence | None:
    if ev is None:
        return None
    texts = (ev.ref, ev.source, ev.excerpt)
    if not any(t and unsafe(t) for t in texts):
        return ev
    span = neutral_span(ev.excerpt, ev.span) if ev.excerpt else ev.span
    return replace(
        ev,
        ref=neutral_value(ev.ref),
        source=neutral_value(ev.source),
        excerpt=neutral_value(ev.excerpt),
        span=span,
    )


def safe_finding(finding: Finding) -> Finding:
    """The finding with every text it shows neutralized; the same object when nothing was."""
    changes = {}
    for name in _FINDING_TEXT:
        value = getattr(finding, name)
        if needs_neutral(value):
            changes[name] = neutral_value(value)
    evidence = safe_evidence(finding.evidence)
    if evidence is not finding.evidence:
        changes["evidence"] = evidence
    return replace(finding, **changes) if changes else finding


def safe_result(result: Result) -> Result:
    """A shallow copy of ``result`` whose findings, errors and labels are safe to show; its
    findings in ``Result.sorted_findings()`` order, so that every report groups and sorts
    from one order (Python's sort is stable): none depends on the order files were read."""
    safe = replace(
        result,
        findings=[safe_finding(f) for f in result.sorted_findings()],  # one order for all
        errors=[neutral(e) for e in result.errors],
        config=neutral_value(result.config),
        price_list_version=neutral_value(result.price_list_version),
        quotes={
            (neutral(channel), neutral(product)): stats
            for (channel, product), stats in result.quotes.items()
        },
    )
    resolved = getattr(result, "resolved", None)  # set by the history, when there is one
    if resolved:
        safe.resolved = [neutral_value(dict(gone)) for gone in resolved]
    return safe
