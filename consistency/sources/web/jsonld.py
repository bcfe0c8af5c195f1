"""Offers in schema.org JSON-LD: ``Product``, ``Offer``, ``AggregateOffer``, read leniently.

``@graph``, lists, nested ``offers`` and ``priceSpecification`` are walked; JSON-LD
that is not strict JSON (HTML entities, a trailing ``;`` or comma, comments, raw
line breaks) is read as search engines do, ``json.loads(strict=False)`` then
chompjs. A block that still cannot be read is named (``JSON-LD block 2 of 3, line 14``).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Mapping

import chompjs

from .offers import GTIN_KEYS, Offer, currency_of, to_amount

ENTITY = re.compile(r"&(?:[a-zA-Z]+|\#[0-9]+|\#x[0-9a-fA-F]+);")


def jsonld_offers(doc, _arg=None) -> Iterator[Offer]:
    yield from jsonld_read(doc)[0]


def jsonld_read(doc) -> tuple[list[Offer], list[str]]:
    """The offers in every JSON-LD block, and a description of each block that cannot be
    read (``JSON-LD block 2 of 3 (line 14): Expecting ',' delimiter``)."""
    scripts = [s for s in doc.iter("script") if _is_jsonld(s.get("type"))]
    offers, errors = [], []
    for i, script in enumerate(scripts):
        data, error = load_jsonld(script.text or "")
        where = f"JSON-LD block {i + 1} of {len(scripts)}" + (
            f" (line {script.sourceline})" if script.sourceline else ""
        )
        if error is not None:
            errors.append(f"{where}: {error}")
            continue
        try:
            offers.extend(_walk(data, f"script[{i}]" if len(scripts) > 1 else ""))
        except RecursionError:
            errors.append(f"{where}: nested too deep")
    return offers, errors


def _is_jsonld(kind: str | None) -> bool:
    return (kind or "").split(";")[0].strip().lower() == "application/ld+json"


def load_jsonld(text: str) -> tuple[object, str | None]:
    """One JSON-LD block read leniently: ``(data, None)``, or ``(None, why not)``.

    >>> load_jsonld('{"price": "99.90",}; // sale')
    ({'price': '99.90'}, None)
    >>> load_jsonld('{&quot;price&quot;: &quot;99.90&quot;}')
    ({'price': '99.90'}, None)
    >>> load_jsonld('{"name": "S &quot;x&quot;", "price": "99.90",}')
    ({'name': 'S "x"', 'price': '99.90'}, None)
    >>> load_jsonld('{"name": "two' + chr(10) + 'lines"}')
    ({'name': 'two\\nlines'}, None)
    >>> load_jsonld('{"price": 99.90')
    (None, "Expecting ',' delimiter at line 1 column 16")
    """
    text = text.strip()
    for wrapper in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        text = text.replace(wrapper, "")
    text = text.strip()
    if not text:
        return None, "the block is empty"
    lenient = unescape_entities(text) if ENTITY.search(text) else text
    try:
        return json.loads(lenient, strict=False), None
    except RecursionError:
        return None, "nested too deep"
    except ValueError:
        pass
    try:
        return chompjs.parse_js_object(lenient, loader_kwargs={"strict": False}), None
    except RecursionError:
        return None, "nested too deep"
    except (ValueError, TypeError):
        return None, _strict_error(text)


def _strict_error(text: str) -> str:
    """Where strict JSON stops reading the block as written (line and column in it)."""
    try:
        json.loads(text, strict=False)
    except ValueError as exc:
        return f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    return "not JSON"


_TOKEN = re.compile(r'\\.|"|' + ENTITY.pattern, re.DOTALL)
_ESCAPE = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def unescape_entities(text: str) -> str:
    """``text`` with its HTML character references decoded so that the JSON stays JSON.

    A page's template may HTML-escape the whole block (``{&quot;price&quot;: ...}``:
    no literal ``"`` at all), then every reference is decoded. Otherwise a reference
    inside a ``"``-quoted string is decoded *escaped* (``&quot;`` -> ``\\"``), so a quote in
    a product's name does not end its string; one outside strings is decoded as is.

    >>> print(unescape_entities('{"name": "S &quot;x&quot; &amp; co"}'))
    {"name": "S \\"x\\" & co"}
    >>> print(unescape_entities('{&quot;price&quot;: &quot;99&quot;}'))
    {"price": "99"}
    """
    if '"' not in text:
        return html.unescape(text)
    out, inside, pos = [], False, 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        token, pos = match.group(), match.end()
        if token == '"':
            inside = not inside
        elif token[0] == "&":
            decoded = html.unescape(token)
            token = "".join(_ESCAPE.get(ch, ch) for ch in decoded) if inside else decoded
        out.append(token)
    out.append(text[pos:])
    return "".join(out)


def _walk(node, path: str) -> Iterator[Offer]:
    if isinstance(node, list):
        for i, item in enumerate(node):
            yield from _walk(item, f"{path}[{i}]")
        return
    if not isinstance(node, Mapping):
        return
    types = _types(node)
    if types & {"Offer", "AggregateOffer"}:
        yield from _offer(node, path, {})
        return
    if types & {"Product", "ProductGroup", "IndividualProduct", "ProductModel"}:
        yield from _offers(node.get("offers"), _join(path, "offers"), _identity(node, {}))
    for key, value in node.items():
        if key != "offers" and isinstance(value, list | Mapping):
            yield from _walk(value, _join(path, key))


def _offers(value, path: str, ids: dict) -> Iterator[Offer]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            yield from _offers(item, f"{path}[{i}]", ids)
    elif isinstance(value, Mapping):
        yield from _offer(value, path, ids)


def _offer(node: Mapping, path: str, ids: dict) -> Iterator[Offer]:
    ids = _identity(node, ids)
    keys = ("lowPrice", "price") if "AggregateOffer" in _types(node) else ("price",)
    for key in keys:
        found = to_amount(node.get(key))
        if found is not None:
            currency = currency_of(node.get("priceCurrency")) or found[1]
            yield Offer(found[0], currency, _join(path, key), **ids)
            return
    yield from _specification(node, path, ids)
    if "offers" in node:
        yield from _offers(node["offers"], _join(path, "offers"), ids)


def _specification(node: Mapping, path: str, ids: dict) -> Iterator[Offer]:
    spec = node.get("priceSpecification")
    specs = list(enumerate(spec)) if isinstance(spec, list) else [(None, spec)]
    specs.sort(key=lambda pair: _is_list_price(pair[1]))  # the sale price before a list price
    for i, item in specs:
        if isinstance(item, Mapping) and (found := to_amount(item.get("price"))) is not None:
            where = _join(path, "priceSpecification") + ("" if i is None else f"[{i}]")
            declared = item.get("priceCurrency") or node.get("priceCurrency")
            currency = currency_of(declared) or found[1]
            yield Offer(found[0], currency, _join(where, "price"), **ids)
            return


def _is_list_price(spec) -> bool:
    kind = str(spec.get("priceType", "")) if isinstance(spec, Mapping) else ""
    return kind.rsplit("/", 1)[-1] in ("ListPrice", "StrikethroughPrice", "MSRP", "SRP")


def _identity(node: Mapping, inherited: dict) -> dict:
    ids = dict(inherited)
    if node.get("sku") is not None:
        ids["sku"] = str(node["sku"])
    for key in GTIN_KEYS:
        if node.get(key) is not None:
            ids["gtin"] = str(node[key])
            break
    if isinstance(node.get("name"), str):
        ids["name"] = node["name"]
    return ids


def _types(node: Mapping) -> set[str]:
    kinds = node.get("@type") or ()
    kinds = [kinds] if isinstance(kinds, str) else kinds
    return {str(k).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for k in kinds}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
