"""The web fetcher (``fetch: web``): fetch product pages and read the price each one shows.

Every configured page is fetched through the shared ``HttpClient`` and parsed
with lxml (no script ever runs). The ``extract`` methods are tried in order and
the first that yields a price wins:

- ``jsonld``: schema.org ``Product`` / ``Offer`` / ``AggregateOffer`` in
  ``<script type="application/ld+json">`` (``@graph``, lists, nested ``offers``,
  ``priceSpecification``);
- ``microdata``: ``itemprop="price"`` (its ``content``, else its text);
- ``opengraph``: ``product:price:amount`` / ``og:price:amount``;
- ``{css: ".price"}``: the text of the first matching element;
- ``{regex: "..."}``: the group ``amount`` (or the first group) in the page's visible text.

A page with several offers is matched to its product by ``sku``, ``gtin`` or
``name``. When structured data wins and a visible method (css, regex, or the text of
a microdata element) finds a price too, both go into ``meta`` as ``structured`` and
``visible`` for the ``structured-data-mismatch`` check.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

import lxml.etree
import lxml.html

from ..config import SourceConfig
from ..errors import InputError, LoadError
from ..model import Location, Observation, SourceFailure
from ..text.money import parse_amount
from .evidence import EvidenceStore
from .http import FetchError, HttpClient, MissingEnvError, expand_env, host_allowed, redact

DEFAULT_EXTRACT = ("jsonld", "microdata", "opengraph")
STRUCTURED = frozenset(DEFAULT_EXTRACT)
GTIN_KEYS = ("gtin", "gtin13", "gtin14", "gtin12", "gtin8")
NUMBER = re.compile(
    r"""
    (?P<pre> [^\d\s]{1,4} \s? )?              # an optional currency word or sign before
    (?P<num> \d (?: [\d,.\u00a0\u202f' ]* \d )? )  # digits with separators
    (?P<post> \s? [^\d\s]{1,4} )?             # an optional currency word or sign after
    """,
    re.VERBOSE,
)


@dataclass(frozen=True)
class Page:
    url: str
    product: str
    sku: str | None = None
    gtin: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class Method:
    """One entry of ``extract``: a kind and, for css and regex, its argument."""

    kind: str
    arg: str | None = None

    @property
    def label(self) -> str:
        return self.kind if self.arg is None else f"{self.kind} {self.arg}"

    @property
    def structured(self) -> bool:
        return self.kind in STRUCTURED


@dataclass(frozen=True)
class Offer:
    """One price found on a page, with what identifies its product and where it was."""

    amount: Decimal
    currency: str | None
    path: str
    sku: str | None = None
    gtin: str | None = None
    name: str | None = None
    visible: Decimal | None = None  # the element's text, when it differs from its content


def fetch_web(
    source: SourceConfig,
    client: HttpClient | None = None,
    tz: tzinfo | None = None,
    evidence_store: EvidenceStore | None = None,
) -> Iterator[Observation | SourceFailure]:
    """Fetch every page of a ``fetch: web`` source; yield results as pages complete.

    The options are checked first (``InputError`` naming the field); a page that
    cannot be fetched or holds no price becomes a ``SourceFailure``. Without a
    ``client`` one is made from the source's options and closed at the end.
    """
    methods = parse_methods(source)
    pages = parse_pages(source)
    allow = tuple(source.options.get("allow_hosts") or ())
    return _run(source, pages, methods, allow, client, tz, evidence_store)


def client_for(source: SourceConfig) -> HttpClient:
    """An ``HttpClient`` for one source: ``allow_hosts``, ``concurrency``, ``timeout``,
    ``retries``, ``max_bytes`` from its options (see docs/fetching.md)."""
    opts = source.options
    kw = {}
    if "concurrency" in opts:
        kw["per_host"] = int(opts["concurrency"])
        kw["total"] = max(int(opts["concurrency"]), 1)
    if "timeout" in opts:
        kw["timeout"] = (3.05, float(opts["timeout"]))
    for key in ("retries", "max_bytes"):
        if key in opts:
            kw[key] = int(opts[key])
    return HttpClient(opts.get("allow_hosts") or (), **kw)


def _run(source, pages, methods, allow, client, tz, store):
    own = client is None
    client = client or client_for(source)
    try:
        fetch = lambda page: _fetch_page(source.channel, page, methods, allow, client, tz, store)  # noqa: E731
        yield from client.map(fetch, pages)
    finally:
        if own:
            client.close()


# -- options --------------------------------------------------------------------------


def parse_methods(source: SourceConfig) -> tuple[Method, ...]:
    """The ``extract`` list as methods; a bad entry is an ``InputError`` naming it."""
    raw = source.options.get("extract") or DEFAULT_EXTRACT
    methods, errors = [], []
    for i, entry in enumerate(raw if isinstance(raw, list | tuple) else [raw]):
        try:
            methods.append(_method(entry))
        except ValueError as exc:
            errors.append(_error(source, f"extract[{i}]", str(exc)))
    if errors:
        raise InputError(errors)
    return tuple(methods)


def _method(entry) -> Method:
    if isinstance(entry, str) and entry in STRUCTURED:
        return Method(entry)
    if isinstance(entry, Mapping) and len(entry) == 1:
        ((kind, arg),) = entry.items()
        if kind == "css" and isinstance(arg, str):
            css_select(arg)  # raises ValueError when the selector cannot be read
            return Method("css", arg)
        if kind == "regex" and isinstance(arg, str):
            try:
                re.compile(arg)
            except re.error as exc:
                raise ValueError(f"bad regex {arg!r}: {exc}") from None
            return Method("regex", arg)
    raise ValueError(
        f"unknown extract method {entry!r}; use jsonld, microdata, opengraph, "
        "{css: SELECTOR} or {regex: PATTERN}"
    )


def parse_pages(source: SourceConfig) -> tuple[Page, ...]:
    """The ``pages`` list; each needs ``url`` and ``product``."""
    raw = source.options.get("pages")
    if not isinstance(raw, list | tuple) or not raw:
        raise InputError([_error(source, "pages", "a web source needs a list of pages")])
    pages, errors = [], []
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            errors.append(_error(source, f"pages[{i}]", "expected {url: ..., product: ...}"))
            continue
        missing = [key for key in ("url", "product") if not entry.get(key)]
        for key in missing:
            errors.append(_error(source, f"pages[{i}].{key}", f"{key} is required"))
        if not missing:
            ids = {k: str(entry[k]) for k in ("sku", "gtin", "name") if entry.get(k) is not None}
            pages.append(Page(str(entry["url"]), str(entry["product"]), **ids))
    if errors:
        raise InputError(errors)
    return tuple(pages)


def _error(source: SourceConfig, path: str, message: str) -> LoadError:
    where = source.where or Location("consistency.yaml")
    return LoadError(where.file, where.line, where.col, f"sources.{path}", message)


# -- one page -------------------------------------------------------------------------


def _fetch_page(channel, page, methods, allow, client, tz, store):
    try:
        url = expand_env(page.url)
    except MissingEnvError as exc:
        return SourceFailure(channel, page.url, str(exc))
    if allow and not host_allowed(url, allow):
        return SourceFailure(channel, redact(url), "host is not in this source's allow_hosts")
    try:
        response = client.get(url)
    except FetchError as exc:
        return SourceFailure(channel, exc.url, exc.reason)
    at = datetime.now(tz).astimezone(tz) if tz else datetime.now().astimezone()
    evidence = store.put(response.body, "html") if store else None
    try:
        doc = parse_html(response.body, response.encoding)
    except (lxml.etree.ParserError, ValueError) as exc:
        return SourceFailure(channel, redact(url), f"not a readable HTML page: {exc}")
    found = extract(doc, page, methods)
    if isinstance(found, str):
        return SourceFailure(channel, redact(url), found)
    method, offer, visible = found
    meta = {"method": method.label, "path": offer.path, "evidence": evidence,
            "url": redact(response.url)}  # fmt: skip
    if visible is not None:
        meta.update(
            structured=str(offer.amount), visible=str(visible[1]), visible_method=visible[0]
        )
    ref = redact(page.url)
    return Observation(
        id=_observation_id(channel, ref, at), channel=channel, at=at, source=Location(ref),
        product=page.product, amount=offer.amount, currency=offer.currency, ref=ref,
        name=offer.name or page.name, meta=meta,
    )  # fmt: skip


def _observation_id(channel: str, ref: str, at: datetime) -> str:
    return hashlib.sha256(f"{channel}\0{ref}\0{at.isoformat()}".encode()).hexdigest()[:16]


def parse_html(body: bytes, encoding: str | None = None) -> lxml.html.HtmlElement:
    """Parse a page; without a declared charset, UTF-8 is assumed when the bytes are UTF-8."""
    encoding = encoding or _sniff_encoding(body)
    try:
        parser = lxml.html.HTMLParser(encoding=encoding) if encoding else None
    except LookupError:
        parser = None
    return lxml.html.document_fromstring(body, parser=parser)


def _sniff_encoding(body: bytes) -> str | None:
    if re.search(rb"<meta[^>]+charset", body[:2048], re.IGNORECASE):
        return None  # the page says; lxml reads it
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "utf-8"


def extract(doc, page: Page, methods: tuple[Method, ...]):
    """``(method, offer, visible)`` from the first method that finds this page's price,
    where ``visible`` is ``(label, amount)`` of the visible price or None; else a reason."""
    notes = []
    for method in methods:
        offers = list(OFFERS[method.kind](doc, method.arg))
        chosen = _pick(offers, page) if method.structured else (offers[:1] or [None])[0]
        if chosen is None:
            if offers:
                notes.append(f"{method.label} found {len(offers)} offers, none for {_ids(page)}")
            continue
        return method, chosen, _visible(doc, method, chosen, methods)
    tried = ", ".join(m.label for m in methods)
    detail = f"; {'; '.join(notes)}" if notes else ""
    return f"no price found (tried {tried}){detail}"


def _visible(doc, method: Method, offer: Offer, methods) -> tuple[str, Decimal] | None:
    if not method.structured:
        return None
    for other in methods:
        if not other.structured:
            offers = list(OFFERS[other.kind](doc, other.arg))
            if offers:
                return other.label, offers[0].amount
    if offer.visible is not None:
        return "microdata text", offer.visible
    return None


def _pick(offers: list[Offer], page: Page) -> Offer | None:
    if page.sku:
        offers = [o for o in offers if o.sku == page.sku]
    elif page.gtin:
        offers = [o for o in offers if o.gtin and o.gtin.lstrip("0") == page.gtin.lstrip("0")]
    elif page.name:
        want = page.name.casefold()
        offers = [o for o in offers if o.name and want in o.name.casefold()]
    return offers[0] if offers else None


def _ids(page: Page) -> str:
    if page.sku:
        return f"sku {page.sku}"
    return f"gtin {page.gtin}" if page.gtin else f"name {page.name}"


def to_amount(value) -> tuple[Decimal, str | None] | None:
    """A price as written in structured data: a number, or a string such as "99,90".

    >>> to_amount("99,90"), to_amount(129)
    ((Decimal('99.90'), None), (Decimal('129'), None))
    >>> to_amount("₪1,299.00")
    (Decimal('1299.00'), 'ILS')
    >>> to_amount(True) is None, to_amount("call us") is None
    (True, True)
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return Decimal(str(value)), None
    if isinstance(value, Mapping):
        return to_amount(value.get("@value"))
    money = parse_amount(str(value), "")
    if money is None:
        return None
    return money.amount, money.currency or None


def amount_in(text: str) -> tuple[Decimal, str | None] | None:
    """The first amount in a piece of visible text.

    >>> amount_in("מחיר: ₪99.90 לחודש")
    (Decimal('99.90'), 'ILS')
    >>> amount_in("no price here") is None
    True
    """
    whole = to_amount(text.strip())
    if whole is not None:
        return whole
    for match in NUMBER.finditer(text):
        pre, num, post = (match.group(g) or "" for g in ("pre", "num", "post"))
        for candidate in (pre + num + post, pre + num, num + post, num):
            found = to_amount(candidate.strip())
            if found is not None:
                return found
    return None


# -- JSON-LD --------------------------------------------------------------------------


def jsonld_offers(doc, _arg=None) -> Iterator[Offer]:
    scripts = [s for s in doc.iter("script") if _is_jsonld(s.get("type"))]
    for i, script in enumerate(scripts):
        data = _load_json(script.text or "")
        if data is not None:
            yield from _walk(data, f"script[{i}]" if len(scripts) > 1 else "")


def _is_jsonld(kind: str | None) -> bool:
    return (kind or "").split(";")[0].strip().lower() == "application/ld+json"


def _load_json(text: str):
    text = text.strip()
    for wrapper in ("<!--", "-->", "//<![CDATA[", "//]]>", "<![CDATA[", "]]>"):
        text = text.replace(wrapper, "")
    try:
        return json.loads(text)
    except ValueError:
        return None  # search engines skip a broken block too; other methods may still work


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
            currency = node.get("priceCurrency") or found[1]
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
            currency = item.get("priceCurrency") or node.get("priceCurrency") or found[1]
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


# -- microdata, Open Graph ------------------------------------------------------------


def microdata_offers(doc, _arg=None) -> Iterator[Offer]:
    tree = doc.getroottree()
    for el in doc.xpath("//*[@itemprop]"):
        if "price" not in el.get("itemprop").split():
            continue
        content = el.get("content", el.get("value"))
        text = " ".join(el.text_content().split())
        found = to_amount(content) if content is not None else amount_in(text)
        if found is None:
            continue
        shown = amount_in(text) if content is not None and text else None
        scope = _scope(el)
        product = _product_scope(el)
        ids = {}
        for owner in (product, scope):
            ids.update(_microdata_ids(owner))
        currency = _prop(scope, "priceCurrency") or found[1]
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
            currency = meta.get(f"{prefix}:currency") or found[1]
            ids = {"sku": meta.get("product:retailer_item_id"), "name": meta.get("og:title")}
            path = f"meta[property={prefix}:amount]"
            yield Offer(found[0], currency, path, **{k: v for k, v in ids.items() if v})
            return


# -- css, regex -----------------------------------------------------------------------


def css_offers(doc, selector: str) -> Iterator[Offer]:
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


OFFERS = {
    "jsonld": jsonld_offers,
    "microdata": microdata_offers,
    "opengraph": opengraph_offers,
    "css": css_offers,
    "regex": regex_offers,
}
