"""Which offer is this page's price: methods tried in order, offers matched to the product.

The first method that yields an offer wins. Several offers are matched to the
product by ``sku``, then ``gtin``, then the product id, then its name and aliases;
offers that all give one amount are one. When several amounts remain the result is
:class:`Ambiguous` (the ``ambiguous-page`` check): the first price on a page is
never taken silently. A visible price beside a structured one is kept for the
``structured-data-mismatch`` check, unless it is another offer's amount on the page
(a variant page shows its default variant).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ...model import Product
from ...text.normalize import normalize
from .jsonld import jsonld_offers, jsonld_read
from .markup import css_offers, microdata_offers, opengraph_offers, regex_offers
from .offers import Offer, without_struck
from .options import Method, Page


@dataclass(frozen=True)
class Ambiguous:
    """A method found several offers with different amounts and nothing says which is ours."""

    method: Method
    offers: tuple[Offer, ...]


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
            copies.append(without_struck(doc))
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
        result = (method, chosen, _visible(doc, clean, method, chosen, methods, offers))
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


def _visible(
    doc, clean, method: Method, offer: Offer, methods, offers=()
) -> tuple[str, Decimal] | None:
    """``(label, amount)`` of the price the page shows beside the chosen structured
    ``offer``, or None when nothing says which shown price is that offer's: several
    shown prices none of which is the offer's, or one that is another of the page's
    ``offers`` (a variant page showing its default variant)."""
    if not method.structured:
        return None
    others = {o.amount for o in offers} - {offer.amount}
    for other in methods:
        if not other.structured:
            amounts = list(dict.fromkeys(o.amount for o in _method_offers(other, doc, clean)))
            if len(amounts) == 1 and amounts[0] in others:
                return None  # another offer's price: the default variant, not a mismatch
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


OFFERS = {
    "jsonld": jsonld_offers,
    "microdata": microdata_offers,
    "opengraph": opengraph_offers,
    "css": css_offers,
    "regex": regex_offers,
}
