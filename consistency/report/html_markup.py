"""The HTML report's markup pieces: escaping, ``<bdi>``-isolated numbers, marked excerpts,
safe links, and JSON that can sit inside a ``<script>`` element. Pure functions of their
arguments, shared by the page (:mod:`.html`) and the email (:mod:`.email`)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from urllib.parse import urlsplit

from markupsafe import Markup

EXCERPT_WIDTH = 300
LINKABLE = re.compile(
    r"""
    ^ https?://      # an http or https URL, nothing else (javascript:, data: ... stay text)
    [^/?\#\s]        # with a host
    """,
    re.VERBOSE | re.IGNORECASE,
)


def esc(value) -> str:
    """Escape text for HTML (quotes too); plain ``str`` so rows are built by fast joins."""
    return html.escape(str(value), quote=True)


def bdi(value) -> Markup:
    """A number or money isolated from the surrounding direction.

    >>> bdi("₪99.90")
    Markup('<bdi>₪99.90</bdi>')
    >>> bdi(1234)
    Markup('<bdi>1,234</bdi>')
    """
    shown = f"{value:,}" if isinstance(value, int) else str(value)
    return Markup(f"<bdi>{esc(shown)}</bdi>")


def values_html(parts) -> Markup:
    """Formatted value parts, numbers in ``<bdi>``, the rest escaped."""
    return Markup("".join(f"<bdi>{esc(p.text)}</bdi>" if p.number else esc(p.text) for p in parts))


def excerpt_pieces(excerpt: str, span: tuple[int, int] | None) -> tuple[str, str, str]:
    """The text before the span, the span, the text after: cut to a window around the span.

    >>> excerpt_pieces("say <b>99.90</b> now", (7, 12))
    ('say <b>', '99.90', '</b> now')
    >>> before, marked, after = excerpt_pieces("x" * 400 + "₪5", (400, 402))
    >>> before[:2], len(before), marked, after
    ('…x', 299, '₪5', '')
    """
    start, end = span if span and 0 <= span[0] <= span[1] <= len(excerpt) else (0, 0)
    left = max(0, min(start - EXCERPT_WIDTH // 3, len(excerpt) - EXCERPT_WIDTH))
    right = max(left + EXCERPT_WIDTH, end)
    start, end = max(start, left), min(max(end, left), right)
    before = ("…" if left else "") + excerpt[left:start]
    after = excerpt[end:right] + ("…" if right < len(excerpt) else "")
    return before, excerpt[start:end] if end > start else "", after


def excerpt_html(excerpt: str, span: tuple[int, int] | None) -> Markup:
    """The excerpt escaped, its span in ``<mark>``, cut to a window around the span.

    >>> excerpt_html('say <script>"&', (4, 12))
    Markup('say <mark>&lt;script&gt;</mark>&quot;&amp;')
    """
    before, marked, after = excerpt_pieces(excerpt, span)
    middle = f"<mark>{esc(marked)}</mark>" if marked else ""
    return Markup(esc(before) + middle + esc(after))


def link(value: str | None) -> Markup:
    """A link only for http(s) URLs; anything else (``javascript:`` included) is text.

    >>> link("https://shop.example.co.il/a?b=1&c=2")
    Markup('<a href="https://shop.example.co.il/a?b=1&amp;c=2" rel="noopener noreferrer">https://shop.example.co.il/a?b=1&amp;c=2</a>')
    >>> link("javascript:alert(1)")
    Markup('javascript:alert(1)')
    """
    if not value:
        return Markup("")
    if linkable(value):
        return Markup(f'<a href="{esc(value)}" rel="noopener noreferrer">{esc(value)}</a>')
    return Markup(esc(value))


def linkable(value: str) -> bool:
    """Whether a ref or source becomes a link: the same test the script makes for lazy rows.

    >>> linkable("HTTPS://shop.example.co.il/a"), linkable("javascript:alert(1)")
    (True, False)
    >>> linkable("http://"), linkable(" https://x"), linkable("exports/a.csv:3")
    (False, False, False)
    """
    return bool(LINKABLE.match(value)) and bool(urlsplit(value).netloc)


def csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def alternating(parts) -> list[str]:
    """Value parts as texts at even places and numbers (drawn in ``<bdi>``) at odd ones;
    ``""`` fills a place whose kind is skipped.

    >>> from .base import Part
    >>> alternating([Part("-₪9.99", True), Part(" ("), Part("-10.0%", True), Part(")")])
    ['', '-₪9.99', ' (', '-10.0%', ')']
    >>> alternating([Part("a: "), Part("b: ")])
    ['a: ', '', 'b: ']
    """
    out: list[str] = []
    for part in parts:
        if len(out) % 2 != part.number:
            out.append("")
        out.append(part.text)
    return out


def script_json(value) -> str:
    """Compact JSON that no text in it can end early: ``<`` is written ``\\u003c``.

    >>> script_json(["</script><!-- ש\\"ח"])
    '["\\\\u003c/script>\\\\u003c!-- ש\\\\"ח"]'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c")
