"""`consistency diff`: a keyed diff of two price lists and what the change touches (SPEC 4).

Products, promotions and channel policies are matched by id, never by position,
so reordering a file changes nothing. For each product the two lists are asked
for the price in effect now and at every window boundary after now; a
difference is a price change with the date it takes effect. Window edits
(a moved ``from`` or ``to``, a new or dropped window) are listed apart, so a
rewrite of past prices shows too.

The impact says what to look at again: approved answers whose template calls
``price("X")`` or whose facts name ``{price: X}`` for a product whose price
changed, web pages configured for a touched product, and the chat probes that
ask the approved answers' questions. The answers are read with the one YAML reader but not validated, so
this works whatever else the answers file holds.

Output: Markdown for a pull-request comment, or JSON (``consistency/diff@1``).
Modules: ``changes`` (what changed, keyed), ``impact`` (what it touches), ``render``
(Markdown and JSON), ``run`` (the command: loading, ``--base GIT_REF`` without temp
files).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from ..inputs.dates import bound_text as day
from .changes import (
    AnswerImpact,
    ChatImpact,
    DiffError,
    FieldChange,
    Impact,
    PageImpact,
    PriceChange,
    PriceListDiff,
    WindowChange,
    diff_price_lists,
    price_at,
)
from .impact import answer_refs, find_impact
from .render import FORMATS, SCHEMA, render, render_json, render_markdown, show, summary, to_dict
from .run import DiffRequest, first_change, git_show, load_from_text, run_diff

__all__ = [
    "FORMATS",
    "SCHEMA",
    "AnswerImpact",
    "ChatImpact",
    "DiffError",
    "DiffRequest",
    "FieldChange",
    "Impact",
    "PageImpact",
    "PriceChange",
    "PriceListDiff",
    "WindowChange",
    "ZoneInfo",
    "answer_refs",
    "day",
    "diff_price_lists",
    "find_impact",
    "first_change",
    "git_show",
    "load_from_text",
    "price_at",
    "render",
    "render_json",
    "render_markdown",
    "run_diff",
    "show",
    "summary",
    "to_dict",
]
