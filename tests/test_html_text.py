"""html_to_text and looks_like_html: replies that arrive as markup read as a customer saw them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.text.html import html_to_text, looks_like_html


@dataclass(frozen=True)
class Row:
    source: str  # where the case came from
    given: str
    text: str


ROWS = [
    Row(
        "issue 11 item 1: a bot's HTML reply",
        "<p>המחיר הוא <b>89.90&nbsp;&#8362;</b></p>",
        "המחיר הוא 89.90 ₪",
    ),
    Row(
        "Intercom conversation parts: body is HTML paragraphs",
        "<p>Hi there,</p><p>The price is <b>$19.99</b>.</p>",
        "Hi there,\n\nThe price is $19.99.",
    ),
    Row(
        "Zendesk ticket comment html_body: line breaks",
        "שלום<br>ביטול ללא עלות<br/>בתוך 14&nbsp;יום",
        "שלום\nביטול ללא עלות\nבתוך 14 יום",
    ),
    Row("a list in a bot reply", "<ul><li>one</li><li>two</li></ul>", "* one\n* two"),
    Row(
        "script and style never reach the text",
        "<style>p{}</style><p>ok</p><script>x()</script>",
        "ok",
    ),
    Row("a hex character reference", "&#x20AA;49", "₪49"),
    Row("an HTML comment is dropped", "price <!-- old: 120 -->99", "price 99"),
    Row(
        "a table row: cells apart by two spaces",
        "<table><tr><td>fiber</td><td>99</td></tr></table>",
        "fiber  99",
    ),
    Row("plain text with < and & is left alone", "5 < 6 & AT&T > 2", "5 < 6 & AT&T > 2"),
    Row("plain Hebrew is left alone", 'המחיר 99.90 ש"ח', 'המחיר 99.90 ש"ח'),
    Row("empty", "", ""),
]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: r.source)
def test_html_to_text(row: Row) -> None:
    assert html_to_text(row.given) == row.text


DETECT = [
    ("a tag", "<b>x</b>", True),
    ("a named entity alone", "89.90&nbsp;₪", True),
    ("a decimal reference alone", "&#8362;89", True),
    ("a doctype", "<!DOCTYPE html>", True),
    ("a comparison", "if a < b and c > d", False),
    ("an ampersand in a name", "AT&T; Procter & Gamble", False),
    ("an unknown entity-looking word", "&notanentity;", False),
    ("less-than before a digit", "<5 days", False),
]


@pytest.mark.parametrize(("name", "text", "expected"), DETECT, ids=[d[0] for d in DETECT])
def test_looks_like_html(name: str, text: str, expected: bool) -> None:
    assert looks_like_html(text) is expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc אב<>&;#/ \n\t!-x0123456789", max_size=80))
def test_never_raises_and_plain_text_is_kept(text: str) -> None:
    out = html_to_text(text)
    assert isinstance(out, str)
    if not looks_like_html(text):
        assert out == text
