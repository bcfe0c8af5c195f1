"""The fast tokenizer of facts cuts every text exactly as the plain one did.

The look-aheads, possessive runs and the empty prefix branch in ``facts.tokens._token()``,
and the chunked skipping and findall in ``facts.tokens._tokenize``, exist only for speed.
The plain pattern and the ``reference_items`` below are the tokenizer as first
written; on texts built from the pieces that matter (number words, unit words,
prefixes, digits in every shape, signs and glue) both must give the same items.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from consistency.text import numbers_en, numbers_he
from consistency.text.facts import tokens as tokenizer
from consistency.text.money import CURRENCY_WORDS, NUMBER, SYMBOLS, needs_case, to_decimal

PLAIN_TOKEN = re.compile(
    rf"""
    (?P<junk>
        \d{{1,2}}:\d{{2}}(?::\d{{2}})?
      | \d{{4}}-\d{{1,2}}-\d{{1,2}}
      | \d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}
      | \d{{1,2}}/\d{{1,2}}
      | \+?972[-\ ]?\d{{1,2}}[-\ ]?\d{{3}}[-\ ]?\d{{4}}
      | 0\d{{1,2}}-?\d{{3}}-?\d{{4}}
      | 1-?[5-9]00-?\d{{2,3}}-?\d{{3,4}}
      | \*\d{{3,5}}
      | \#\d+
      | \d{{7,}}+(?!\ ?(?:[{tokenizer._SIGN_CLASS}]|{tokenizer._GLUED_AFTER_WORDS}(?![^\W\d_])))
      | \d+(?=[a-z])(?!{tokenizer._GLUED_AFTER_WORDS}(?![^\W\d_]))\w*
      | [a-z]+(?=\d){tokenizer._NOT_GLUED_BEFORE}\d\w*
    )(?!\d)
  | (?P<pfx>(?<![\w"'])[ובלמשהכ]{{1,2}}-?)?
    (?P<num>{NUMBER})
    (?:(?![\d\w])|(?=[{tokenizer._CJK}])|(?={tokenizer._GLUED_AFTER_WORDS}(?![^\W\d_])))
  | (?<![\w"'])(?P<wp>[ובלמשהכ]{{0,2}}-?)
    (?P<he>{tokenizer._HEBREW_WORDS})(?!\w)
  | (?P<en>(?<![^\W\d]|')(?=[a-z]){tokenizer._ENGLISH_WORDS}(?:(?!\w)|(?<!\w)|(?=\d))
    | (?<![^\W\d_])(?![a-z\u05d0-\u05ea]){tokenizer._OTHER_WORDS}
      (?:(?![^\W\d_])|(?<![^\W\d_])|(?<=[{tokenizer._CJK}])))
  | (?P<sym>[{tokenizer._SIGN_CLASS}])
    """,
    re.VERBOSE,
)

WORDS = sorted(tokenizer._VOCABULARY)
PIECES = st.one_of(
    st.sampled_from(WORDS),
    st.sampled_from(["ב", "ו", "מ", "ל", "וב", "ה", "-", "–", "x", "abc", "שלום", "inv"]),
    st.from_regex(r"[0-9]{1,9}([.,:/-][0-9]{1,4}){0,3}", fullmatch=True),
    st.sampled_from(["+972", "*", "#", "₪", "$", "€", "£", "%", '"', "'", "٣", "g", "mbps"]),
    st.sampled_from(["руб.", "zł", "Kč", "₹", "円", "원", "R$", "ALL", "all", "Ft", "ر.س", "ש''ח"]),
    st.sampled_from(["USD", "rm", "rs", "r", "yen", "kr", "р.", "mb", "k"]),
)
GLUE = st.sampled_from(["", "", " ", "  ", "-", " - ", ", ", ". ", "\n", "\u00a0"])
TEXTS = st.lists(st.tuples(PIECES, GLUE), max_size=14).map(
    lambda parts: "".join(piece + glue for piece, glue in parts)
)


def reference_items(text: str) -> list[tuple]:
    """Items as first written: one match object per token, glue checked pair by pair."""
    items = []
    for m in PLAIN_TOKEN.finditer(text):
        lead, end = m.span()
        kind = m.lastgroup
        if kind == "num":
            prefix = (m.group("pfx") or "").rstrip("-")
            item = ["num", m.start("num"), end, "", prefix, to_decimal(m["num"]), None, "", lead]
        elif kind in ("he", "en"):
            stem, prefix = m[kind], (m["wp"] or "").rstrip("-")
            if stem in numbers_he.WORDS or stem in numbers_en.WORDS:
                value, role = numbers_he.WORDS.get(stem) or numbers_en.WORDS[stem]
                item = ["word", lead, end, stem, prefix, value, None, role, -1]
            elif tokenizer._LEXICON.get(stem, ("",))[0] == "cur" and needs_case(stem):
                # without the original text, a cased currency spelling never counts
                item = ["other", lead, end, stem, prefix, 0, None, "", -1]
            else:
                word, unit = tokenizer._LEXICON.get(stem, ("other", None))
                role = "name" if word == "cur" and stem not in SYMBOLS else ""
                role = "mark" if word == "other" and stem in tokenizer.MARKER_WORDS else role
                item = [word, lead, end, stem, prefix, 0, unit, role, -1]
        elif kind == "sym":
            sign = m[0]
            unit = CURRENCY_WORDS.get(sign)
            item = ["pct" if sign == "%" else "cur", lead, end, sign, "", 0, unit, "", -1]
        elif (
            items
            and items[-1][0] == "cur"
            and text[items[-1][2] : lead] in ("", " ")
            and m[0].isdigit()
        ):
            item = ["num", lead, end, "", "", to_decimal(m[0]), None, "", lead]  # ₫ 1500000
        else:
            item = ["other", lead, end, "", "", 0, None, "", -1]
        items.append(item)
    for item, following in zip(items, items[1:], strict=False):
        gap = (item[2], following[8] if following[8] >= 0 else following[1])
        item.append(tokenizer._GLUE.fullmatch(text, *gap) is not None)
    return [(*item, False) if len(item) == 9 else tuple(item) for item in items]


def fast_items(text: str) -> list[tuple]:
    return [
        (i.kind, i.start, i.end, i.stem, i.prefix, i.value, i.unit, i.role, i.lead, i.glue)
        for i in tokenizer._tokenize(text)
    ]


def tokens(pattern: re.Pattern[str], text: str) -> list[tuple]:
    """Each token's span, kind and groups (an absent prefix is the empty string)."""
    return [
        (m.span(), m.lastgroup, tuple(g or "" for g in m.groups())) for m in pattern.finditer(text)
    ]


@settings(max_examples=600, deadline=None)
@given(TEXTS)
def test_fast_tokens_are_the_plain_tokens(text: str) -> None:
    assert tokens(tokenizer._token(), text) == tokens(PLAIN_TOKEN, text)
    assert fast_items(text) == reference_items(text)


def test_the_comparison_sees_tokens() -> None:
    text = 'ב-99 ש"ח, תשעים ותשע, call 03-1234567 at 14:30, 5g for $9 (10%)'
    found = tokens(tokenizer._token(), text)
    assert [kind for _span, kind, _groups in found] == [
        "num", "he", "he", "he", "junk", "junk", "junk", "en", "sym", "num", "num", "sym",
    ]  # fmt: skip
    assert found == tokens(PLAIN_TOKEN, text)
    items = fast_items(text)
    assert items == reference_items(text)
    assert [(kind, glue) for kind, *_middle, glue in items[:3]] == [
        ("num", True), ("cur", False), ("word", True),
    ]  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_any_text_tokenizes_the_same(text: str) -> None:
    assert fast_items(text) == reference_items(text)
