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
compared rather than the first; nor when its one price is another offer's amount
on the page (a variant page showing its default variant).

This module fetches; the reading is spread by job: :mod:`.options` (pages and
methods), :mod:`.jsonld` and :mod:`.markup` (the methods), :mod:`.offers` (an
offer's amount, currency and shown text) and :mod:`.choose` (which offer is ours).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, tzinfo

import lxml.etree
import lxml.html

from ...errors import InputError, bug_report_hint
from ...inputs.config import SourceConfig
from ...model import Location, Observation, Product, SourceFailure
from ..evidence import EvidenceStore
from ..http import (
    RUN_DNS,
    FetchError,
    HttpClient,
    MissingEnvError,
    expand_env,
    header_problem,
    host_allowed,
    redact,
    redact_bytes,
)
from .choose import Ambiguous, extract
from .markup import css_to_xpath
from .options import Page, option_error, parse_methods, parse_pages

__all__ = ["client_for", "css_to_xpath", "fetch_web", "parse_html", "parse_methods", "parse_pages"]


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


def _headers(source: SourceConfig) -> dict[str, str]:
    """The source's ``headers:``, sent with every page (``${VAR}`` filled in by the client;
    checked when the config loads; never sent to another origin on a redirect)."""
    headers = source.options.get("headers") or {}
    return {str(name): str(value) for name, value in headers.items()}


def client_for(source: SourceConfig) -> HttpClient:
    """An ``HttpClient`` for one source: ``allow_hosts``, ``concurrency``, ``timeout``,
    ``retries``, ``max_bytes``, ``delay`` and ``user_agent`` from its options (see
    docs/fetching.md). A ``user_agent`` that cannot be sent is an ``InputError``."""
    opts = source.options
    kw = {}
    if "user_agent" in opts:
        problem = header_problem("User-Agent", str(opts["user_agent"]))
        if problem:
            raise InputError([option_error(source, "user_agent", problem)])
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
    return HttpClient(opts.get("allow_hosts") or (), dns=RUN_DNS, **kw)


def _run(source, pages, methods, allow, client, tz, store, products):
    own = client is None
    client = client or client_for(source)
    try:
        headers = _headers(source)

        def fetch(page: Page):
            try:
                product = products.get(page.product)
                return _fetch_page(
                    source.channel, page, methods, allow, client, tz, store, product, headers
                )
            except Exception as exc:  # a bug: this page's failure, never a lost run
                reason = (
                    f"internal error reading the page ({type(exc).__name__}); {bug_report_hint()}"
                )
                return SourceFailure(source.channel, redact(page.url), reason)

        yield from client.map(fetch, pages)
    finally:
        if own:
            client.close()


# -- one page -------------------------------------------------------------------------


def _fetch_page(channel, page, methods, allow, client, tz, store, product=None, headers=None):
    try:
        url = expand_env(page.url)
    except MissingEnvError as exc:
        return SourceFailure(channel, page.url, str(exc))
    if allow and not host_allowed(url, allow):
        return SourceFailure(channel, redact(url), "host is not in this source's allow_hosts")
    try:
        response = client.get(url, headers=headers)
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
