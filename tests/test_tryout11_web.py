"""Web pages a new user's tryout of issue 11 misread (/tmp/notes/tryout11.md, P1, P5, P6,
P12), served on loopback: a sale written as text, JSON-LD with two defects at once, a
variant page showing its default variant, a billing period after the currency sign."""

from __future__ import annotations

import itertools
import json
from decimal import Decimal

import pytest

from consistency.checks import Context
from consistency.checks import structured_data_mismatch as sdm
from consistency.model import Money, Observation, Rule
from consistency.sources.web.jsonld import load_jsonld
from consistency.text.prices import read_price
from tests.test_web import TZ, page_html, run, source

# -- P1, P12: the quote of a price written as text ------------------------------------

TEXT_ROWS = [
    # (id, where it came from, the element's text, amount, currency)
    ("instead-of-he", "tryout 11 P1, site/textsale.html", "במקום 399 ₪ רק 349 ₪", "349", "ILS"),
    ("was-now-en", "tryout 11 P1, site/sale_was.html", "Was ₪399, now ₪349", "349", "ILS"),
    ("regular-sale-he", "tryout 11 P1, site/sale_he2.html",
     "מחיר רגיל: 399 ₪ מחיר מבצע: 349 ₪", "349", "ILS"),
    ("regular-sale-en", "tryout 11 P1, its English form",
     "Regular price: ₪399 Sale price: ₪349", "349", "ILS"),
    ("instead-of-en", "tryout 11 P1, 'instead of' form", "Instead of ₪399 only ₪349", "349", "ILS"),
    ("from-he", "tryout 11 P1 (held): a lower bound is the quote", "החל מ-349 ₪", "349", "ILS"),
    ("per-month-sign", "tryout 11 P12, site/period.html", "59.90 ₪/חודש", "59.90", "ILS"),
    ("per-month-word", "tryout 11 P12, the word form", "59.90 ₪ לחודש", "59.90", "ILS"),
    ("plain", "tryout 11 P1 (held): one amount stays what it was", "₪1,999", "1999", "ILS"),
    ("list-sale-he", "tryout 11 P1, same kind: price-list label",
     "מחיר מחירון 399 ₪ מחיר מבצע 349 ₪", "349", "ILS"),
    ("before-after-discount-he", "tryout 11 P1, same kind",
     "מחיר לפני הנחה 399 ₪ אחרי הנחה 349 ₪", "349", "ILS"),
    ("price-then-sale-he", "tryout 11 P1, same kind: a bare 'מחיר' beside 'מבצע'",
     "מחיר: 399 ₪ מבצע: 349 ₪", "349", "ILS"),
    ("sale-first-he", "tryout 11 P1, same kind: the sale price written first",
     "מחיר מבצע: 349 ₪ מחיר רגיל: 399 ₪", "349", "ILS"),
    ("reg-sale-en", "tryout 11 P1, same kind: 'Reg.' abbreviation",
     "Reg. price ₪399 Sale price ₪349", "349", "ILS"),
    ("list-our-en", "tryout 11 P1, same kind", "List price ₪399 Our price ₪349", "349", "ILS"),
    ("original-current-en", "tryout 11 P1, same kind",
     "Original price: ₪399 Current price: ₪349", "349", "ILS"),
    ("price-sale-en", "tryout 11 P1, same kind", "Price ₪399 Sale ₪349", "349", "ILS"),
    ("saving-first-en", "tryout 11 P1, same kind: a saving is not the quote",
     "Save ₪50, now ₪349", "349", "ILS"),
    ("saving-first-he", "tryout 11 P1, same kind", "חסכו 50 ₪ רק 349 ₪", "349", "ILS"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "text", "amount", "currency"), TEXT_ROWS,
                         ids=[r[0] for r in TEXT_ROWS])  # fmt: skip
def test_read_price_gives_the_quote(name, where, text, amount, currency):
    assert read_price(text) == Money(Decimal(amount), currency), where


@pytest.mark.parametrize("method", ["css", "regex", "microdata"])
@pytest.mark.parametrize(("name", "where", "text", "amount", "currency"), TEXT_ROWS,
                         ids=[r[0] for r in TEXT_ROWS])  # fmt: skip
def test_a_price_written_as_text_gives_the_quote(
    method, name, where, text, amount, currency, httpserver
):
    body, extract = {
        "css": (f'<div class="cost">{text}</div>', [{"css": ".cost"}]),
        "regex": (f"<div>{text}</div>", [{"regex": r"(?s)(.+)"}]),
        "microdata": (
            f'<div itemscope itemtype="https://schema.org/Offer"><span itemprop="price">'
            f"{text}</span></div>",
            ["microdata"],
        ),
    }[method]
    httpserver.expect_request("/p").respond_with_data(page_html(body=body))
    [obs] = run(source([{"url": httpserver.url_for("/p"), "product": "speaker"}], extract))
    assert isinstance(obs, Observation), obs
    assert (obs.amount, obs.currency) == (Decimal(amount), currency)


def test_a_sale_written_as_text_is_no_structured_data_mismatch(httpserver):
    """tryout 11 P1: the old price of a text sale made a false mismatch beside JSON-LD."""
    offer = {"@type": "Offer", "price": "349", "priceCurrency": "ILS"}
    block = json.dumps({"@type": "Product", "name": "speaker", "offers": offer})
    head = f'<script type="application/ld+json">{block}</script>'
    httpserver.expect_request("/p").respond_with_data(
        page_html(head, '<div class="cost">במקום 399 ₪ רק 349 ₪</div>')
    )
    entry = {"url": httpserver.url_for("/p"), "product": "speaker"}
    [obs] = run(source([entry], ["jsonld", {"css": ".cost"}]))
    assert (obs.meta["structured"], obs.meta["visible"]) == ("349", "349")
    ctx = Context(book=None, timezone=TZ, channels=("web",))
    assert list(sdm.check(obs, ctx, Rule(id=sdm.ID, check=sdm.ID))) == []


# -- P5: JSON-LD with HTML entities and another defect ----------------------------------

# Each defect as (name, how it changes a strict block); every pair is a row.
DEFECTS = {
    "entity-in-string": lambda b: b.replace('"name": "speaker"', '"name": "S &quot;x&quot;"'),
    "trailing-comma": lambda b: b.replace('"ILS"}', '"ILS",}'),
    "line-comment": lambda b: b.replace("{", "{\n// product data\n", 1),
    "raw-newline": lambda b: b.replace('"@type": "Product"', '"@type": "Product", "d": "a\nb"'),
    "trailing-semicolon": lambda b: b + ";",
    "block-comment": lambda b: b.replace('"offers"', '/* sale */ "offers"'),
    "cdata": lambda b: "//<![CDATA[\n" + b + "\n//]]>",
}
STRICT = (
    '{"@type": "Product", "name": "speaker", "offers": {"price": "349", "priceCurrency": "ILS"}}'
)
PAIRS = list(itertools.combinations(DEFECTS, 2)) + [tuple(DEFECTS)]


@pytest.mark.parametrize("defects", PAIRS, ids=["+".join(p) for p in PAIRS])
def test_jsonld_with_two_defects_is_read(defects):
    """tryout 11 P5 (site/b_ent_trailing.html, site/broken1.html): an entity plus a second
    defect was unparsable, because ``&quot;`` became a bare quote inside a string."""
    block = STRICT
    for name in defects:
        block = DEFECTS[name](block)
    data, error = load_jsonld(block)
    assert error is None, block
    assert data["offers"]["price"] == "349"
    if "entity-in-string" in defects:
        assert data["name"] == 'S "x"'


def test_broken1_from_the_tryout_is_read_over_http(httpserver):
    """tryout 11 P5: site/broken1.html as the tryout served it."""
    block = (
        '{\n  // product data\n  "@context": "https://schema.org",\n  "@type": "Product",\n'
        '  "name": "רמקול &quot;חכם&quot;",\n  "description": "line one\nline two",\n'
        '  "offers": {"@type": "Offer", "price": "349.00", "priceCurrency": "ILS",},\n};'
    )
    head = f'<script type="application/ld+json">{block}</script>'
    httpserver.expect_request("/p").respond_with_data(page_html(head))
    [obs] = run(source([{"url": httpserver.url_for("/p"), "product": "speaker"}], ["jsonld"]))
    assert isinstance(obs, Observation), obs
    assert (obs.amount, obs.currency, obs.name) == (Decimal("349.00"), "ILS", 'רמקול "חכם"')


# -- P6: a variant page showing its default variant ---------------------------------------


def variant_page(shown: str) -> str:
    group = {
        "@type": "ProductGroup",
        "name": "Phones",
        "hasVariant": [
            {"@type": "Product", "sku": sku, "offers": {"price": price, "priceCurrency": "ILS"}}
            for sku, price in (("PZ-64", "1999"), ("PX-128", "2499"), ("PZ-256", "2999"))
        ],
    }
    head = f'<script type="application/ld+json">{json.dumps(group)}</script>'
    return page_html(head, f'<div class="cost">{shown}</div>')


VARIANT_ROWS = [
    # (id, where, shown price, expected visible in meta or None)
    ("default-variant", "tryout 11 P6, site/variants.html", "₪1,999", None),
    ("last-variant", "tryout 11 P6, another variant shown", "₪2,999", None),
    ("chosen-variant", "tryout 11 P6, the chosen offer shown", "₪2,499", "2499"),
    ("no-offer-amount", "tryout 11 P6, a price no offer has is still compared", "₪2,199", "2199"),
]


@pytest.mark.parametrize(("name", "where", "shown", "visible"), VARIANT_ROWS,
                         ids=[r[0] for r in VARIANT_ROWS])  # fmt: skip
def test_a_variant_pages_default_variant_is_no_mismatch(name, where, shown, visible, httpserver):
    httpserver.expect_request("/p").respond_with_data(variant_page(shown))
    entry = {"url": httpserver.url_for("/p"), "product": "phone-x", "sku": "PX-128"}
    [obs] = run(source([entry], ["jsonld", {"css": ".cost"}]))
    assert obs.amount == Decimal("2499")
    assert obs.meta.get("visible") == visible
    ctx = Context(book=None, timezone=TZ, channels=("web",))
    found = list(sdm.check(obs, ctx, Rule(id=sdm.ID, check=sdm.ID)))
    assert bool(found) == (visible not in (None, "2499"))
