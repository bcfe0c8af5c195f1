"""The web fetcher (``fetch: web``): fetch product pages and read the price each one shows.

Every configured page is fetched through the shared ``HttpClient`` and parsed
with lxml (no script ever runs). The ``extract`` methods are tried in order and
the first that yields a price wins:

- ``jsonld``: schema.org ``Product`` / ``Offer`` / ``AggregateOffer`` in
  ``<script type="application/ld+json">`` (``@graph``, lists, nested ``offers``,
  ``priceSpecification``);
- ``microdata``: ``itemprop="price"`` (its ``content``, else its text);
- ``opengraph``: ``product:price:amount`` / ``og:price:amount``;
- ``{css: ".price"}``: the text of each matching element;
- ``{regex: "..."}``: the group ``amount`` (or the first group) in the page's visible text.

Struck-out amounts are the old price, not the quote: for ``css`` and ``regex`` the
text inside ``del``, ``s``, ``strike``, ``text-decoration: line-through`` and
elements whose class (or Magento's ``data-price-type``) names a regular, was, old,
original or compare-at price is left out, as is screen-reader-only text
(``screen-reader-text``, ``sr-only``, ``visually-hidden``). When nothing is left,
the whole text is read (a theme that marks its only price "regular").

JSON-LD that is not strict JSON (HTML entities, a trailing ``;`` or comma,
comments, raw line breaks in strings) is read leniently, as search engines do:
``json.loads(strict=False)``, then chompjs (a maintained parser for JavaScript
object literals). A block that still cannot be read is named (``JSON-LD block 2 of
3, line 14``): in the failure when no method finds a price, else in
``meta["structured_error"]`` for the ``structured-data-mismatch`` check.

A page with several offers (variants, bundles, related products) is matched to
its product by ``sku``, then ``gtin`` (from the page entry, else from the
product in prices.yaml), then the product id, then its name and aliases. Offers
that all give one amount are one offer. When several amounts remain, the result
is an observation without an amount and ``meta["ambiguous"]`` listing the offers
(the ``ambiguous-page`` check): the first price on a page is never taken silently.
When structured data wins and a visible method (css, regex, or the text of the
chosen microdata element) shows that offer's price too, both go into ``meta`` as
``structured`` and ``visible`` for the ``structured-data-mismatch`` check; when the
visible method shows several prices and none is the chosen offer's, nothing is
compared rather than the first.
"""

from __future__ import annotations

import copy
import hashlib
import html
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal

import chompjs
import lxml.etree
import lxml.html

from ..errors import InputError, LoadError, bug_report_hint
from ..inputs.config import SourceConfig
from ..model import Location, Observation, Product, SourceFailure
from ..text.money import currency_code, parse_amount
from ..text.normalize import normalize
from .evidence import EvidenceStore
from .http import (
    FetchError,
    HttpClient,
    MissingEnvError,
    expand_env,
    header_problem,
    host_allowed,
    redact,
    redact_bytes,
)

DEFAULT_EXTRACT = ("jsonld", "microdata", "opengraph")
STRUCTURED = frozenset(DEFAULT_EXTRACT)
GTIN_KEYS = ("gtin", "gtin13", "gtin14", "gtin12", "gtin8")
STRUCK_TAGS = frozenset({"del", "s", "strike"})
STRUCK_WORDS = frozenset(
    {"regular", "was", "old", "compare", "original", "strikethrough", "rrp", "msrp"}
)
HIDDEN_CLASSES = frozenset({"screen-reader-text", "sr-only", "visually-hidden", "visuallyhidden"})
CLASS_WORD = re.compile(
    r"""
    [A-Z]?[a-z]+     # a word, or a camelCase part (oldPrice -> old, Price)
    | [A-Z]+(?![a-z])  # an acronym
    """,
    re.VERBOSE,
)
ENTITY = re.compile(r"&(?:[a-zA-Z]+|\#[0-9]+|\#x[0-9a-fA-F]+);")
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

    def listing(self) -> dict:
        """The offer as ``meta["ambiguous"]`` lists it (JSON-safe)."""
        found = {"amount": str(self.amount), "currency": self.currency, "path": self.path}
        ids = {"sku": self.sku, "gtin": self.gtin, "name": self.name}
        return found | {key: value for key, value in ids.items() if value is not None}


@dataclass(frozen=True)
class Ambiguous:
    """A method found several offers with different amounts and nothing says which is ours."""

    method: Method
    offers: tuple[Offer, ...]


def fetch_web(
    source: SourceConfig,
    client: HttpClient | None = None,
    tz: tzinfo | None = None,
    evidence_store: EvidenceStore | None = None,
    products: Mapping[str, Product] | None = None,
) -> Iterator[Observation | SourceFailure]:
    """Fetch every page of a ``fetch: web`` source; yield results as pages complete.

    The options are checked first (``InputError`` naming the field); a page that
    cannot be fetched or holds no price becomes a ``SourceFailure``. Without a
    ``client`` one is made from the source's options and closed at the end.
    ``products`` (id -> Product, from the price list) gives each page's product's
    sku, gtin, name and aliases for pages with several offers.
    """
    methods = parse_methods(source)
    pages = parse_pages(source)
    allow = tuple(source.options.get("allow_hosts") or ())
    return _run(source, pages, methods, allow, client, tz, evidence_store, products or {})


def client_for(source: SourceConfig) -> HttpClient:
    """An ``HttpClient`` for one source: ``allow_hosts``, ``concurrency``, ``timeout``,
    ``retries``, ``max_bytes``, ``delay`` and ``user_agent`` from its options (see
    docs/fetching.md). A ``user_agent`` that cannot be sent is an ``InputError``."""
    opts = source.options
    kw = {}
    if "user_agent" in opts:
        problem = header_problem("User-Agent", str(opts["user_agent"]))
        if problem:
            raise InputError([_error(source, "user_agent", problem)])
        kw["user_agent"] = str(opts["user_agent"])
    if "delay" in opts:
        kw["delay"] = float(opts["delay"])
    if "concurrency" in opts:
        kw["per_host"] = int(opts["concurrency"])
        kw["total"] = max(int(opts["concurrency"]), 1)
    if "timeout" in opts:
        kw["timeout"] = (3.05, float(opts["timeout"]))
    for key in ("retries", "max_bytes"):
        if key in opts:
            kw[key] = int(opts[key])
    return HttpClient(opts.get("allow_hosts") or (), **kw)


def _run(source, pages, methods, allow, client, tz, store, products):
    own = client is None
    client = client or client_for(source)
    try:

        def fetch(page: Page):
            try:
                product = products.get(page.product)
                return _fetch_page(source.channel, page, methods, allow, client, tz, store, product)
            except Exception as exc:  # a bug: this page's failure, never a lost run
                reason = (
                    f"internal error reading the page ({type(exc).__name__}); {bug_report_hint()}"
                )
                return SourceFailure(source.channel, redact(page.url), reason)

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


def _fetch_page(channel, page, methods, allow, client, tz, store, product=None):
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
    body = redact_bytes(response.body)  # a page that echoes a secret keeps it nowhere
    evidence = store.put(body, "html") if store else None
    try:
        doc = parse_html(body, response.encoding)
    except (lxml.etree.ParserError, ValueError) as exc:
        return SourceFailure(channel, redact(url), f"not a readable HTML page: {exc}")
    found, broken = extract(doc, page, methods, product, with_errors=True)
    if isinstance(found, str):
        return SourceFailure(channel, redact(url), found)
    ref = redact(page.url)
    meta = {"evidence": evidence, "url": redact(response.url)}
    if broken:
        meta["structured_error"] = broken
    fields = {"id": _observation_id(channel, ref, at), "channel": channel, "at": at,
              "source": Location(ref), "product": page.product, "ref": ref}  # fmt: skip
    if isinstance(found, Ambiguous):
        meta |= {"method": found.method.label, "ambiguous": [o.listing() for o in found.offers]}
        return Observation(**fields, name=page.name, meta=meta)
    method, offer, visible = found
    meta |= {"method": method.label, "path": offer.path}
    if visible is not None:
        meta.update(
            structured=str(offer.amount), visible=str(visible[1]), visible_method=visible[0]
        )
    name = redact(offer.name) if offer.name else page.name  # a page may echo a secret
    return Observation(
        **fields, amount=offer.amount, currency=offer.currency, name=name, meta=meta,
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


def extract(doc, page: Page, methods: tuple[Method, ...], product=None, with_errors=False):
    """``(method, offer, visible)`` from the first method that finds this page's price,
    where ``visible`` is ``(label, amount)`` of the visible price or None; an
    ``Ambiguous`` when that method found several offers and nothing picks one; else
    a reason. With ``with_errors`` the result is a pair with the unreadable
    structured data's description (or None).
    """
    notes, broken, result = [], None, None
    copies: list = []

    def clean():  # the page without struck-out text, made once and only for css or regex
        if not copies:
            copies.append(_without_struck(doc))
        return copies[0]

    for method in methods:
        if method.kind == "jsonld":
            offers, errors = jsonld_read(doc)
            broken = "; ".join(errors) or None
        else:
            offers = _method_offers(method, doc, clean)
        chosen = choose(offers, page, product)
        if isinstance(chosen, list):
            result = Ambiguous(method, tuple(chosen))
            break
        if chosen is None:
            if offers:
                notes.append(f"{method.label} found {len(offers)} offers, none for {_ids(page)}")
            continue
        result = (method, chosen, _visible(doc, clean, method, chosen, methods))
        break
    if result is None:
        result = _nothing_found(methods, notes, broken)
    return (result, broken) if with_errors else result


def _nothing_found(methods, notes: list[str], broken: str | None) -> str:
    tried = ", ".join(m.label for m in methods)
    detail = f"; {'; '.join(notes)}" if notes else ""
    if broken:
        return f"structured data is unparsable: {broken} (no other method found a price: {tried})"
    return f"no price found (tried {tried}){detail}"


def _method_offers(method: Method, doc, clean) -> list[Offer]:
    """A method's offers; css and regex read the page without struck-out text first
    (``clean()``), the whole page when that shows no amount."""
    read = OFFERS[method.kind]
    if method.structured:
        return list(read(doc, method.arg))
    return list(read(clean(), method.arg)) or list(read(doc, method.arg))


def _visible(doc, clean, method: Method, offer: Offer, methods) -> tuple[str, Decimal] | None:
    if not method.structured:
        return None
    for other in methods:
        if not other.structured:
            amounts = list(dict.fromkeys(o.amount for o in _method_offers(other, doc, clean)))
            if len(amounts) == 1:
                return other.label, amounts[0]
            if offer.amount in amounts:
                return other.label, offer.amount  # the page shows the chosen offer's price too
            if amounts:
                return None  # several prices, none the chosen offer's: which one is ours?
    if offer.visible is not None:
        return "microdata text", offer.visible
    return None


def choose(offers: list[Offer], page: Page, product: Product | None = None):
    """This page's offer; a list of candidates when several amounts remain; None when
    the page entry names a sku, gtin or name that no offer has.

    Offers are narrowed by sku, gtin, product id, then name and aliases; a test no
    offer passes is skipped, except the page entry's own sku, gtin or name.
    """
    if not offers:
        return None
    candidates = offers
    for test, required in _tests(page, product):
        if not required and len(_distinct(candidates)) == 1:
            continue  # one amount already; only the page entry's own ids still filter
        narrowed = [o for o in candidates if test(o)]
        if not narrowed and required:
            return None
        candidates = narrowed or candidates
    if len(_distinct(candidates)) == 1:
        return candidates[0]
    return candidates


def _distinct(offers: list[Offer]) -> set:
    return {(o.amount, (o.currency or "").upper()) for o in offers}


def _tests(page: Page, product: Product | None):
    """(test, required) in order: sku, gtin, id, name and aliases."""
    skus = [page.sku] if page.sku else []
    gtins = [page.gtin] if page.gtin else []
    names = [page.name] if page.name else []
    if product is not None:
        skus += [s for s in (getattr(product, "sku", None),) if s]
        gtins += [g for g in (getattr(product, "gtin", None),) if g]
        names += [product.name, *product.aliases]
    for sku in skus:
        yield (lambda o, sku=sku: o.sku is not None and o.sku.strip().casefold() == sku.casefold(),
               sku == page.sku)  # fmt: skip
    for gtin in gtins:
        yield (lambda o, gtin=gtin: bool(o.gtin) and _gtin(o.gtin) == _gtin(gtin),
               gtin == page.gtin)  # fmt: skip
    ident = page.product.casefold()
    yield (
        (lambda o: (o.sku or "").strip().casefold() == ident or _same(o.name, page.product)),
        False,
    )
    for name in names:
        yield (lambda o, name=name: _same(o.name, name)), False
    for name in names:
        yield (lambda o, name=name: _within(name, o.name)), name == page.name


def _gtin(value: str) -> str:
    return str(value).strip().lstrip("0")


def _same(found: str | None, name: str) -> bool:
    return found is not None and normalize(found).split() == normalize(name).split()


def _within(name: str, found: str | None) -> bool:
    return found is not None and " ".join(normalize(name).split()) in " ".join(
        normalize(found).split()
    )


def _ids(page: Page) -> str:
    if page.sku:
        return f"sku {page.sku}"
    return f"gtin {page.gtin}" if page.gtin else f"name {page.name}"


# -- struck-out prices ----------------------------------------------------------------


def _without_struck(doc):
    """A copy of the page without struck-out and screen-reader-only elements (tails kept)."""
    clean = copy.deepcopy(doc)
    for el in [el for el in clean.iter() if _is_struck(el) or _is_hidden(el)]:
        if el.getparent() is not None:
            el.drop_tree()
    return clean


def _shown_text(el) -> str:
    """An element's text without its struck-out and screen-reader-only parts, whitespace
    collapsed; all of its text when nothing else is left.

    >>> _shown_text(lxml.html.fragment_fromstring("<span><del>₪120</del> ₪99.90</span>"))
    '₪99.90'
    """
    whole = " ".join(el.text_content().split())
    struck = [d for d in el.iterdescendants() if _is_struck(d) or _is_hidden(d)]
    if not struck:
        return whole
    copy_of = copy.deepcopy(el)
    for child in [d for d in copy_of.iterdescendants() if _is_struck(d) or _is_hidden(d)]:
        if child.getparent() is not None:
            child.drop_tree()
    return " ".join(copy_of.text_content().split()) or whole


def _is_struck(el) -> bool:
    """``del``/``s``/``strike``, a line-through style, or a regular/was/old/compare class.

    >>> el = lxml.html.fragment_fromstring('<span class="price--compare-at">1</span>')
    >>> _is_struck(el), _is_struck(lxml.html.fragment_fromstring('<b class="bold">1</b>'))
    (True, False)
    """
    if not isinstance(el.tag, str):
        return False
    if el.tag.lower() in STRUCK_TAGS:
        return True
    if "line-through" in (el.get("style") or "").replace(" ", "").lower():
        return True
    labels = f"{el.get('class') or ''} {el.get('data-price-type') or ''}"
    return any(word.lower() in STRUCK_WORDS for word in CLASS_WORD.findall(labels))


def _is_hidden(el) -> bool:
    classes = (el.get("class") or "").lower().split() if isinstance(el.tag, str) else ()
    return any(name in HIDDEN_CLASSES for name in classes)


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


def currency_of(value) -> str | None:
    """A structured-data currency (``priceCurrency``, ``product:price:currency``) as an ISO
    4217 code, through the one currency table the text readers use: ``NIS`` and ``₪``
    are ILS. An unknown three-letter code is kept, upper-cased; anything else is None.

    >>> currency_of("NIS"), currency_of(" ils "), currency_of("₪"), currency_of("XTS")
    ('ILS', 'ILS', 'ILS', 'XTS')
    >>> currency_of(""), currency_of(None), currency_of("shekels please")
    (None, None, None)
    """
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return currency_code(text) or (text.upper() if re.fullmatch(r"[A-Za-z]{3}", text) else None)


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
    try:
        return json.loads(text, strict=False), None
    except RecursionError:
        return None, "nested too deep"
    except ValueError as exc:
        strict_error = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
    lenient = html.unescape(text) if ENTITY.search(text) else text
    try:
        return chompjs.parse_js_object(lenient, loader_kwargs={"strict": False}), None
    except RecursionError:
        return None, "nested too deep"
    except (ValueError, TypeError):
        return None, strict_error


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


# -- microdata, Open Graph ------------------------------------------------------------


def microdata_offers(doc, _arg=None) -> Iterator[Offer]:
    tree = doc.getroottree()
    for el in doc.xpath("//*[@itemprop]"):
        if "price" not in el.get("itemprop").split():
            continue
        content = el.get("content", el.get("value"))
        text = _shown_text(el)
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


OFFERS = {
    "jsonld": jsonld_offers,
    "microdata": microdata_offers,
    "opengraph": opengraph_offers,
    "css": css_offers,
    "regex": regex_offers,
}
