"""HTML to plain text, for replies and records that arrive as markup.

Chat bots, help desks and exports often hand us HTML (``<p>המחיר הוא
<b>89.90&nbsp;&#8362;</b></p>``). Everything that reads text (facts, mentions,
forbidden phrases) must see what a customer saw: the words, entities decoded,
one line per block. The conversion is inscriptis' (a maintained HTML-to-text
renderer that keeps block boundaries as line breaks and drops ``script`` and
``style``); this module only decides *when* a text is HTML and tidies the
result: no indentation, no trailing spaces, at most one empty line between
blocks.

A text that does not look like HTML comes back unchanged, so a reply such as
``5 < 6 & 7 > 2`` is never mangled.

Struck-out content (``del``, ``s``, ``strike``, an inline ``text-decoration:
line-through``) is the old price a sale shows beside the new one, not what the
reply offers: it is dropped, as the web fetcher drops it from a price element, so
``<del>69.90 ₪</del> <ins>59.90 ₪</ins>`` reads ``59.90 ₪``. When a reply is struck
out whole, all of it is read.

>>> html_to_text("<p>המחיר הוא <b>89.90&nbsp;&#8362;</b></p>")
'המחיר הוא 89.90 ₪'
>>> html_to_text("<p>first</p><p>second</p>")
'first\\n\\nsecond'
>>> html_to_text("5 < 6 & 7 > 2")
'5 < 6 & 7 > 2'
>>> html_to_text("<p>tv basic: <del>69.90 ₪</del> <ins>59.90 ₪</ins></p>")
'tv basic: 59.90 ₪'
"""

from __future__ import annotations

import re
from html.entities import html5

import lxml.etree
import lxml.html
from inscriptis import get_text
from inscriptis.model.config import ParserConfig

_CONFIG = ParserConfig(display_links=False, display_images=False)

# Names of HTML5 character references that end with ";" (``nbsp;``, ``amp;``...).
_ENTITY_NAMES = "|".join(sorted((n[:-1] for n in html5 if n.endswith(";")), key=len, reverse=True))

_HTML = re.compile(
    rf"""
    < /? [a-zA-Z] [a-zA-Z0-9:-]*         # an opening or closing tag name
      (?: \s [^<>]* )? /? >              # attributes, self-closing slash
    | <!-- | <!doctype                   # a comment or a doctype
    | & (?: \#[0-9]{{1,7}}               # a decimal character reference
          | \#[xX][0-9a-fA-F]{{1,6}}     # a hexadecimal one
          | (?:{_ENTITY_NAMES})          # a named one
        ) ;
    """,
    re.VERBOSE | re.IGNORECASE,
)
_BLANK_RUNS = re.compile(r"\n{3,}")


def looks_like_html(text: str) -> bool:
    """True when ``text`` holds an HTML tag, comment, doctype or character reference.

    A lone ``<`` or ``&`` (``5 < 6``, ``AT&T``) is not HTML.

    >>> looks_like_html("<b>89.90</b>")
    True
    >>> looks_like_html("89.90&nbsp;₪")
    True
    >>> looks_like_html("5 < 6 & AT&T > 2")
    False
    """
    return bool(text) and _HTML.search(text) is not None


def html_to_text(text: str) -> str:
    """The plain text a browser would show for ``text``; unchanged when it is not HTML.

    Entities are decoded, runs of whitespace (no-break spaces included)
    become one space as a browser shows them, ``script``, ``style`` and comments are dropped, each
    block (``p``, ``div``, ``br``, ``li``, table rows) starts a new line, and
    leading and trailing whitespace is stripped from every line. Never raises:
    input the HTML parser cannot use gives back the text it could read.

    >>> html_to_text("<ul><li>ביטול ללא עלות</li><li>14&nbsp;יום</li></ul>")
    '* ביטול ללא עלות\\n* 14 יום'
    >>> html_to_text("<script>alert(1)</script>ok")
    'ok'
    """
    if not looks_like_html(text):
        return text
    shown = _render(without_struck(text)) if _STRUCK.search(text) else ""
    return shown or _render(text)


def _render(text: str) -> str:
    rendered = get_text(text, _CONFIG)
    lines = (line.strip() for line in rendered.splitlines())
    return _BLANK_RUNS.sub("\n\n", "\n".join(lines)).strip()


_STRUCK = re.compile(r"<(?:del|s|strike)\b|line-through", re.IGNORECASE)
_STRUCK_TAGS = frozenset({"del", "s", "strike"})


def without_struck(text: str) -> str:
    """HTML ``text`` without its struck-out elements (their tails kept); ``text`` itself
    when the parser cannot read it.

    >>> without_struck('<span style="text-decoration: line-through">₪120</span> ₪99')
    '<div> ₪99</div>'
    """
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return text
    for el in [el for el in root.iter() if _is_struck(el)]:
        el.drop_tree()
    return lxml.html.tostring(root, encoding="unicode")


def _is_struck(el) -> bool:
    if not isinstance(el.tag, str) or el.getparent() is None:
        return False
    style = (el.get("style") or "").replace(" ", "").lower()
    return el.tag.lower() in _STRUCK_TAGS or "line-through" in style
