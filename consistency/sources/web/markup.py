"""Offers in a page's markup: microdata, Open Graph, a CSS selector, a regex over shown text.

``css_to_xpath`` reads the small CSS subset a price selector needs (tags, classes,
ids, attributes, descendant and child combinators), so lxml needs no cssselect.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import lxml.etree
import lxml.html

from .offers import GTIN_KEYS, Offer, amount_in, currency_of, shown_text, to_amount


def microdata_offers(doc, _arg=None) -> Iterator[Offer]:
    tree = doc.getroottree()
    for el in doc.xpath("//*[@itemprop]"):
        if "price" not in el.get("itemprop").split():
            continue
        content = el.get("content", el.get("value"))
        text = shown_text(el)
        found = to_amount(content) if content is not None else amount_in(text)
        if found is None:
            continue
        shown = amount_in(text) if content is not None and text else None
        scope = _scope(el)
        product = _product_scope(el)
        ids = {}
        for owner in (product, scope):
            ids.update(_microdata_ids(owner))
        currency = currency_of(_prop(scope, "priceCurrency")) or found[1]
        visible = shown[0] if shown and shown[0] != found[0] else None
        yield Offer(found[0], currency, tree.getpath(el), **ids, visible=visible)


def _scope(el):
    for parent in el.iterancestors():
        if parent.get("itemscope") is not None:
            return parent
    return None


def _product_scope(el):
    for parent in el.iterancestors():
        if parent.get("itemscope") is not None and "Product" in (parent.get("itemtype") or ""):
            return parent
    return None


def _microdata_ids(scope) -> dict:
    if scope is None:
        return {}
    ids = {"sku": _prop(scope, "sku"), "name": _prop(scope, "name")}
    ids["gtin"] = next(filter(None, (_prop(scope, key) for key in GTIN_KEYS)), None)
    return {key: value for key, value in ids.items() if value}


def _prop(scope, name: str) -> str | None:
    """The value of ``itemprop=name`` that belongs to ``scope`` itself (not a nested item)."""
    if scope is None:
        return None
    for el in scope.iterdescendants():
        if name in (el.get("itemprop") or "").split() and _scope(el) is scope:
            value = el.get("content", el.get("value"))
            return (value if value is not None else " ".join(el.text_content().split())) or None
    return None


def opengraph_offers(doc, _arg=None) -> Iterator[Offer]:
    meta = {}
    for el in doc.iter("meta"):
        key = el.get("property") or el.get("name")
        if key and key not in meta:
            meta[key.lower()] = el.get("content")
    for prefix in ("product:price", "og:price"):
        found = to_amount(meta.get(f"{prefix}:amount"))
        if found is not None:
            currency = currency_of(meta.get(f"{prefix}:currency")) or found[1]
            ids = {"sku": meta.get("product:retailer_item_id"), "name": meta.get("og:title")}
            path = f"meta[property={prefix}:amount]"
            yield Offer(found[0], currency, path, **{k: v for k, v in ids.items() if v})
            return


# -- css, regex -----------------------------------------------------------------------


def css_offers(doc, selector: str) -> Iterator[Offer]:
    """One offer per matching element that shows an amount."""
    for i, el in enumerate(css_select(selector)(doc)):
        found = amount_in(" ".join(el.text_content().split()))
        if found is not None:
            yield Offer(found[0], found[1], f"{selector}[{i}]")


def regex_offers(doc, pattern: str) -> Iterator[Offer]:
    text = visible_text(doc)
    for match in re.finditer(pattern, text):
        group = "amount" if "amount" in match.re.groupindex else (1 if match.re.groups else 0)
        found = amount_in(match.group(group) or "")
        if found is not None:
            yield Offer(found[0], found[1], f"regex@{match.start(group)}")


def visible_text(doc) -> str:
    """The page's text without scripts, styles and templates, whitespace collapsed."""
    parts = doc.xpath(
        "//body//text()[not(ancestor::script or ancestor::style or ancestor::template)]"
    )
    return " ".join(" ".join(parts).split())


def css_select(selector: str):
    """A function ``doc -> elements`` for a CSS selector.

    Uses ``cssselect`` when installed; otherwise a small translator that reads type,
    ``#id``, ``.class``, ``[attr]``, ``[attr=v]`` (also ``~=``, ``^=``, ``*=``), the
    descendant and ``>`` combinators and ``,``. A selector it cannot read is a ValueError.
    """
    try:
        from lxml.cssselect import CSSSelector, SelectorError
    except ImportError:
        return lxml.etree.XPath(css_to_xpath(selector))
    try:
        return CSSSelector(selector, translator="html")
    except SelectorError as exc:
        raise ValueError(f"bad CSS selector {selector!r}: {exc}") from None


CSS_TOKEN = re.compile(
    r"""
      \s* (?P<comma> , ) \s*                      # a new selector in a group
    | \s* (?P<child> > ) \s*                      # child combinator
    | (?P<space> \s+ )                            # descendant combinator
    | (?P<tag> [^\W\d][\w-]* | \* )               # element name, or any element
    | \# (?P<id> [\w-]+ )                         # #id
    | \. (?P<cls> [\w-]+ )                        # .class
    | \[ \s* (?P<attr> [\w:-]+ ) \s*              # [attr
      (?: (?P<op> [~^*]?= ) \s*                   #   an operator
          (?P<val> "[^"]*" | '[^']*' | [^\]\s]+ ) #   and a value, quoted or not
      \s* )? \]                                   # ]
    """,
    re.VERBOSE,
)


def css_to_xpath(selector: str) -> str:
    """Translate a simple CSS selector to XPath 1.0.

    >>> css_to_xpath("div.product > span.price")
    "descendant-or-self::div[contains(concat(' ', normalize-space(@class), ' '), ' product ')]\
/span[contains(concat(' ', normalize-space(@class), ' '), ' price ')]"
    >>> css_to_xpath("#main [data-price]")
    "descendant-or-self::*[@id='main']/descendant::*[@data-price]"
    >>> css_to_xpath("a:hover")
    Traceback (most recent call last):
    ...
    ValueError: cannot read CSS selector 'a:hover' at ':hover' (supported: tag #id .class [attr=v] > ,)
    """
    groups, steps, axis, pos = [], [], "descendant-or-self::", 0
    text = selector.strip()
    tag, preds = None, []
    while pos < len(text):
        match = CSS_TOKEN.match(text, pos)
        if match is None:
            raise ValueError(
                f"cannot read CSS selector {selector!r} at {text[pos:]!r} "
                "(supported: tag #id .class [attr=v] > ,)"
            )
        pos = match.end()
        kind = match.lastgroup if match.lastgroup != "val" else "attr"
        if kind in ("comma", "child", "space"):
            if tag is None and not preds:
                raise ValueError(
                    f"cannot read CSS selector {selector!r}: a combinator needs a step"
                )
            steps.append(axis + (tag or "*") + "".join(preds))
            tag, preds = None, []
            axis = {"comma": "descendant-or-self::", "child": "", "space": "descendant::"}[kind]
            if kind == "comma":
                groups.append("/".join(steps))
                steps = []
            continue
        tag, preds = _css_step(match, kind, tag, preds)
    if tag is None and not preds:
        raise ValueError(f"cannot read CSS selector {selector!r}: it ends without a step")
    steps.append(axis + (tag or "*") + "".join(preds))
    groups.append("/".join(steps))
    return " | ".join(groups)


def _css_step(match: re.Match, kind: str, tag, preds):
    if kind == "tag":
        return match.group("tag"), preds
    if kind == "id":
        return tag, [*preds, f"[@id={_literal(match.group('id'))}]"]
    if kind == "cls":
        word = _literal(f" {match.group('cls')} ")
        return tag, [*preds, f"[contains(concat(' ', normalize-space(@class), ' '), {word})]"]
    name, op, value = match.group("attr", "op", "val")
    if op is None:
        return tag, [*preds, f"[@{name}]"]
    value = _literal(value.strip("'\"") if value[0] in "'\"" else value)
    test = {
        "=": f"@{name}={value}",
        "~=": f"contains(concat(' ', normalize-space(@{name}), ' '), concat(' ', {value}, ' '))",
        "^=": f"starts-with(@{name}, {value})",
        "*=": f"contains(@{name}, {value})",
    }[op]
    return tag, [*preds, f"[{test}]"]


def _literal(text: str) -> str:
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    return "concat(" + ', "\'", '.join(f"'{part}'" for part in text.split("'")) + ")"
