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
ask the approved answers' questions. The answers are scanned as raw YAML, so
this works whatever else the answers file holds.

Output: Markdown for a pull-request comment, or JSON (``consistency/diff@1``).
"""

from __future__ import annotations

import json
import re
import subprocess
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

import yaml

from .errors import InputError
from .inputs.config import SourceConfig
from .inputs.prices import load_price_list
from .model import (
    HUNDRED,
    ChannelPolicy,
    Discount,
    PriceList,
    PriceWindow,
    Product,
    Promotion,
    Threshold,
)
from .report.base import money, percent, plural
from .report.markdown import cell

SCHEMA = "consistency/diff@1"
FORMATS = ("markdown", "json")
TENTH = Decimal("0.1")
PRICE_CALL = re.compile(
    r"""\bprice \s* \( \s*     # the template helper price(
        (?P<quote>["'])         # an opening quote
        (?P<id>[^"']+)          # the product id
        (?P=quote)              # the same closing quote
    """,
    re.VERBOSE,
)


class DiffError(Exception):
    """The diff could not be made (a git ref or path that does not exist, no git)."""


# --- what changed ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PriceChange:
    """The price of one product in effect from ``start`` (None: from now) differs."""

    product: str
    name: str
    old: Decimal | None
    new: Decimal | None
    start: datetime | None

    @property
    def amount(self) -> Decimal | None:
        if self.old is None or self.new is None:
            return None
        return self.new - self.old

    @property
    def percent(self) -> Decimal | None:
        """The change in percent of the old price, to 0.1.

        >>> PriceChange("p", "p", Decimal("99.90"), Decimal("109.90"), None).percent
        Decimal('10.0')
        """
        if self.amount is None or not self.old:
            return None
        return (self.amount * HUNDRED / self.old).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class WindowChange:
    """A price window added, removed, or with its ``from``, ``to`` or amount changed."""

    product: str
    old: PriceWindow | None
    new: PriceWindow | None

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        moved = [
            word
            for word, a, b in (
                ("from", self.old.start, self.new.start),
                ("to", self.old.end, self.new.end),
                ("amount", self.old.amount, self.new.amount),
            )
            if a != b
        ]
        return " ".join(moved)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one keyed thing (product, promotion, channel, VAT, the list) changed."""

    subject: str
    field: str
    old: object
    new: object


@dataclass(frozen=True, slots=True)
class AnswerImpact:
    answer: str
    products: tuple[str, ...]
    where: str  # file:line of the answer
    old_text: str | None = None  # rendered with the old list when the price changes
    new_text: str | None = None  # ... and with the new one
    note: str | None = None  # why a text could not be rendered


@dataclass(frozen=True, slots=True)
class PageImpact:
    channel: str
    url: str
    product: str


@dataclass(frozen=True, slots=True)
class ChatImpact:
    channel: str
    url: str
    answers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Impact:
    answers: tuple[AnswerImpact, ...] = ()
    pages: tuple[PageImpact, ...] = ()
    chats: tuple[ChatImpact, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.answers or self.pages or self.chats)


@dataclass(frozen=True, slots=True)
class PriceListDiff:
    old: PriceList
    new: PriceList
    at: datetime
    added: tuple[Product, ...] = ()
    removed: tuple[Product, ...] = ()
    renamed: tuple[FieldChange, ...] = ()
    prices: tuple[PriceChange, ...] = ()
    windows: tuple[WindowChange, ...] = ()
    vat: tuple[FieldChange, ...] = ()
    settings: tuple[FieldChange, ...] = ()
    promotions_added: tuple[Promotion, ...] = ()
    promotions_removed: tuple[Promotion, ...] = ()
    promotions_changed: tuple[FieldChange, ...] = ()
    channels: tuple[FieldChange, ...] = ()
    impact: Impact = field(default_factory=Impact)

    def counts(self) -> dict[str, int]:
        return {
            "products_added": len(self.added),
            "products_removed": len(self.removed),
            "products_renamed": len({c.subject for c in self.renamed}),
            "prices": len(self.prices),
            "windows": len(self.windows),
            "vat": len(self.vat),
            "settings": len(self.settings),
            "promotions_added": len(self.promotions_added),
            "promotions_removed": len(self.promotions_removed),
            "promotions_changed": len({c.subject for c in self.promotions_changed}),
            "channels": len(self.channels),
        }

    def changed(self) -> bool:
        return any(self.counts().values())

    def priced_products(self) -> set[str]:
        """Products whose rendered price may differ: price or window changes, added, removed."""
        ids = {c.product for c in self.prices} | {c.product for c in self.windows}
        return ids | {p.id for p in self.added} | {p.id for p in self.removed}

    def touched_products(self) -> set[str]:
        """Everything a channel might now show differently: prices, names, promotions."""
        ids = self.priced_products() | {c.subject for c in self.renamed}
        promos = {c.subject for c in self.promotions_changed}
        for promo in (*self.old.promotions, *self.new.promotions):
            if promo.id in promos or promo in (*self.promotions_added, *self.promotions_removed):
                ids |= set(promo.products or self.old.products) | set(
                    promo.products or self.new.products
                )
        return ids


def diff_price_lists(old: PriceList, new: PriceList, at: datetime | None = None) -> PriceListDiff:
    """Compare two price lists by id. ``at`` is "now" (default: the current time)."""
    at = at or datetime.now(ZoneInfo("UTC"))
    kept = [pid for pid in new.products if pid in old.products]
    promos_old = {p.id: p for p in old.promotions}
    promos_new = {p.id: p for p in new.promotions}
    return PriceListDiff(
        old=old,
        new=new,
        at=at,
        added=tuple(p for pid, p in new.products.items() if pid not in old.products),
        removed=tuple(p for pid, p in old.products.items() if pid not in new.products),
        renamed=tuple(
            c for pid in kept for c in product_changes(old.products[pid], new.products[pid])
        ),
        prices=tuple(
            c for pid in kept for c in price_changes(old.products[pid], new.products[pid], at)
        ),
        windows=tuple(
            c for pid in kept for c in window_changes(old.products[pid], new.products[pid], at)
        ),
        vat=tuple(vat_changes(old, new)),
        settings=tuple(setting_changes(old, new)),
        promotions_added=tuple(p for k, p in promos_new.items() if k not in promos_old),
        promotions_removed=tuple(p for k, p in promos_old.items() if k not in promos_new),
        promotions_changed=tuple(
            c
            for k in promos_new
            if k in promos_old
            for c in promotion_changes(promos_old[k], promos_new[k])
        ),
        channels=tuple(channel_changes(old, new)),
    )


def product_changes(old: Product, new: Product) -> Iterable[FieldChange]:
    """Name, aliases or unit changed: what people call the product."""
    for name in ("name", "aliases", "unit"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield FieldChange(new.id, name, a, b)


def price_at(product: Product, at: datetime) -> Decimal | None:
    return next((w.amount for w in product.prices if w.covers(at)), None)


def price_changes(old: Product, new: Product, at: datetime) -> Iterable[PriceChange]:
    """The prices in effect now and at each later window boundary of either list, where
    they differ; one change per run of equal (old, new) pairs."""
    bounds = {b for w in (*old.prices, *new.prices) for b in (w.start, w.end) if b is not None}
    moments = [at, *sorted(b for b in bounds if b > at)]
    previous = None
    for moment in moments:
        pair = (price_at(old, moment), price_at(new, moment))
        if pair != previous and pair[0] != pair[1]:
            start = None if moment is at else moment
            yield PriceChange(new.id, new.name, pair[0], pair[1], start)
        previous = pair


def window_changes(old: Product, new: Product, at: datetime) -> Iterable[WindowChange]:
    """Windows matched by ``from``, then by ``to``, then by overlap (both ends moved);
    what is left was added or removed.

    A new amount alone is a price change, listed here only for a window already over
    at ``at`` (a rewrite of the past, which the price changes from now do not show).
    """
    olds, news = list(old.prices), list(new.prices)
    pairs = []
    for matches in (same_from, same_to, overlaps):
        for window in list(olds):
            match = next((n for n in news if matches(window, n)), None)
            if match is not None:
                pairs.append((window, match))
                olds.remove(window)
                news.remove(match)
    for a, b in pairs:
        change = WindowChange(new.id, a, b)
        past = b.end is not None and b.end <= at
        if (a.start, a.end, a.amount) != (b.start, b.end, b.amount) and (
            change.kind != "amount" or past
        ):
            yield change
    yield from (WindowChange(new.id, w, None) for w in olds)
    yield from (WindowChange(new.id, None, w) for w in news)


def same_from(a: PriceWindow, b: PriceWindow) -> bool:
    return a.start == b.start


def same_to(a: PriceWindow, b: PriceWindow) -> bool:
    return a.end == b.end


def overlaps(a: PriceWindow, b: PriceWindow) -> bool:
    """Whether two half-open windows share a moment (None: open on that side)."""
    a_before_b = a.end is not None and b.start is not None and a.end <= b.start
    b_before_a = b.end is not None and a.start is not None and b.end <= a.start
    return not (a_before_b or b_before_a)


def vat_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    """VAT rates keyed by their start; ``included`` is a change of its own."""
    if old.vat_included != new.vat_included:
        yield FieldChange("vat", "included", old.vat_included, new.vat_included)
    rates_old = {r.start: r.rate for r in old.vat_rates}
    rates_new = {r.start: r.rate for r in new.vat_rates}
    for start in sorted(rates_old.keys() | rates_new.keys(), key=_time_key):
        a, b = rates_old.get(start), rates_new.get(start)
        if a != b:
            yield FieldChange("vat", f"rate from {day(start)}", a, b)


def setting_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    for name in ("currency", "tolerance"):
        a, b = getattr(old, name), getattr(new, name)
        if a != b:
            yield FieldChange("price list", name, a, b)


def promotion_changes(old: Promotion, new: Promotion) -> Iterable[FieldChange]:
    fields = {
        "discount": (old.discount, new.discount),
        "products": (old.products, new.products),
        "channels": (old.channels, new.channels),
        "from": (old.start, new.start),
        "to": (old.end, new.end),
    }
    for name, (a, b) in fields.items():
        if a != b:
            yield FieldChange(new.id, name, a, b)


def channel_changes(old: PriceList, new: PriceList) -> Iterable[FieldChange]:
    """Channel policies keyed by channel name; an absent policy is the defaults."""
    for name in sorted(old.channels.keys() | new.channels.keys()):
        default = ChannelPolicy(name)
        a, b = old.channels.get(name, default), new.channels.get(name, default)
        for attr in ("max_discount", "tolerance", "consumer"):
            before, after = getattr(a, attr), getattr(b, attr)
            if before != after:
                yield FieldChange(name, attr, before, after)


def _time_key(moment: datetime | None) -> float:
    return moment.timestamp() if moment else float("-inf")


# --- impact ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerRefs:
    """One approved answer and the products its text and facts take prices from."""

    id: str
    products: frozenset[str]
    where: str


def answer_refs(text: str, label: str) -> list[AnswerRefs]:
    """The approved answers in an answers YAML text, and the products each one prices.

    >>> doc = 'answers:\\n  - id: a\\n    answer: "{{ price(\\'fiber-500\\') }}"\\n    facts: [{money: {price: cancel-fee}}]'
    >>> [(r.id, sorted(r.products), r.where) for r in answer_refs(doc, "answers.yaml")]
    [('a', ['cancel-fee', 'fiber-500'], 'answers.yaml:2')]
    """
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as err:
        raise DiffError(f"{label}: not YAML ({err})") from None
    answers = _child(root, "answers")
    if not isinstance(answers, yaml.SequenceNode):
        return []
    found = []
    for node in answers.value:
        ident = _child(node, "id")
        if not isinstance(ident, yaml.ScalarNode):
            continue
        products = set()
        answer = _child(node, "answer")
        if isinstance(answer, yaml.ScalarNode):
            products |= {m["id"] for m in PRICE_CALL.finditer(answer.value)}
        products |= set(_price_keys(_child(node, "facts")))
        where = f"{label}:{node.start_mark.line + 1}"
        found.append(AnswerRefs(ident.value, frozenset(products), where))
    return found


def _child(node, key: str):
    if not isinstance(node, yaml.MappingNode):
        return None
    return next(
        (v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None
    )


def _price_keys(node) -> Iterable[str]:
    """Every scalar under a ``price:`` key, at any depth."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if getattr(key, "value", None) == "price" and isinstance(value, yaml.ScalarNode):
                yield value.value
            else:
                yield from _price_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _price_keys(item)


def find_impact(
    diff: PriceListDiff, answer_docs: Sequence[tuple[str, str]], sources: Sequence[SourceConfig]
) -> Impact:
    """What to re-check. ``answer_docs`` are (label, YAML text) of the old and new answers."""
    priced = diff.priced_products()
    answers: dict[str, AnswerImpact] = {}
    for label, text in answer_docs:
        for ref in answer_refs(text, label):
            hit = tuple(sorted(ref.products & priced))
            if hit and ref.id not in answers:
                answers[ref.id] = AnswerImpact(ref.id, hit, ref.where)
    touched = diff.touched_products()
    pages = tuple(
        PageImpact(s.channel, str(page.get("url", "")), page["product"])
        for s in sources
        if s.fetch == "web"
        for page in s.options.get("pages") or ()
        if isinstance(page, dict) and page.get("product") in touched
    )
    chats = tuple(
        ChatImpact(s.channel, str(s.options.get("url", "")), tuple(answers))
        for s in sources
        if s.options.get("ask") == "answers" and answers
    )
    return Impact(tuple(answers.values()), pages, chats)


# --- words -------------------------------------------------------------------------------


def day(moment: datetime | None, *, end: bool = False) -> str:
    """A window bound as written in the price list: a date when it falls on a day boundary.

    >>> tz = ZoneInfo("Asia/Jerusalem")
    >>> day(datetime(2026, 12, 1, tzinfo=tz)), day(datetime(2026, 12, 1, tzinfo=tz), end=True)
    ('2026-12-01', '2026-11-30')
    >>> day(datetime(2026, 12, 1, 10, 30, tzinfo=tz)), day(None)
    ('2026-12-01T10:30:00+02:00', '')
    """
    if moment is None:
        return ""
    if moment.time() == time():
        return (moment.date() - timedelta(days=1) if end else moment.date()).isoformat()
    return (moment - timedelta(microseconds=1) if end else moment).isoformat()


def show(value: object, currency: str | None = None) -> str:
    """Any changed value as a short phrase for the Markdown table."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, datetime):
        return day(value)
    if isinstance(value, tuple | list):
        return ", ".join(str(v) for v in value) or "—"
    if isinstance(value, Threshold | Discount):
        parts = []
        if getattr(value, "price", None) is not None:
            parts.append(f"price {money(value.price, currency)}")
        if value.percent is not None:
            parts.append(percent(value.percent))
        if value.amount is not None:
            parts.append(money(value.amount, currency))
        return " or ".join(parts) or "—"
    return str(value)


def window_text(window: PriceWindow | None, currency: str) -> str:
    if window is None:
        return "—"
    span = f"{day(window.start) or '…'} – {day(window.end, end=True) or '…'}"
    return f"{money(window.amount, currency)} ({span})"


def change_text(change: PriceChange, currency: str) -> str:
    if change.old is None:
        return "new price"
    if change.new is None:
        return "no price"
    pct = f" ({percent(change.percent, signed=True)})" if change.percent is not None else ""
    return money(change.amount, currency, signed=True) + pct


def summary(diff: PriceListDiff) -> str:
    """One line: what changed and what to re-check."""
    n = diff.counts()
    parts = [
        plural(n["prices"], "price change") if n["prices"] else "",
        plural(n["windows"], "window change") if n["windows"] else "",
        f"{n['products_added']} product{'s' if n['products_added'] != 1 else ''} added"
        if n["products_added"]
        else "",
        f"{n['products_removed']} removed" if n["products_removed"] else "",
        f"{n['products_renamed']} renamed" if n["products_renamed"] else "",
        "VAT changed" if n["vat"] else "",
        plural(
            n["promotions_added"] + n["promotions_removed"] + n["promotions_changed"],
            "promotion change",
        )
        if n["promotions_added"] + n["promotions_removed"] + n["promotions_changed"]
        else "",
        plural(n["channels"], "channel policy change") if n["channels"] else "",
        plural(n["settings"], "setting change") if n["settings"] else "",
    ]
    text = ", ".join(p for p in parts if p) or "No changes"
    impact = diff.impact
    if impact:
        text += (
            f"; re-check {plural(len(impact.answers), 'answer')}, "
            f"{plural(len(impact.pages), 'page')}, {plural(len(impact.chats), 'chat probe')}"
        )
    return text


# --- Markdown ----------------------------------------------------------------------------


def render_markdown(diff: PriceListDiff, stream: TextIO) -> None:
    cur = diff.new.currency
    out = [
        f"## Price list diff: {_code(diff.old.version)} → {_code(diff.new.version)}",
        "",
        f"**{cell(summary(diff))}**",
        "",
    ]
    out += _table(
        "Prices",
        ("product", "old", "new", "change", "from"),
        [
            (
                f"{c.name} ({c.product})",
                money(c.old, cur) if c.old is not None else "—",
                money(c.new, cur) if c.new is not None else "—",
                change_text(c, cur),
                day(c.start) or "now",
            )
            for c in diff.prices
        ],
    )
    out += _table(
        "Price windows",
        ("product", "old", "new", "change"),
        [
            (c.product, window_text(c.old, cur), window_text(c.new, cur), c.kind)
            for c in diff.windows
        ],
    )
    out += _table(
        "Products added and removed",
        ("product", "name", "price now", "change"),
        [(p.id, p.name, _price_now(p, diff.at, cur), "added") for p in diff.added]
        + [(p.id, p.name, _price_now(p, diff.at, cur), "removed") for p in diff.removed],
    )
    out += _fields("Products renamed", "product", diff.renamed, cur)
    out += _fields("VAT", "", diff.vat, cur)
    out += _table(
        "Promotions",
        ("promotion", "field", "old", "new"),
        [(p.id, "promotion", "—", "added") for p in diff.promotions_added]
        + [(p.id, "promotion", "removed", "—") for p in diff.promotions_removed]
        + [
            (c.subject, c.field, show(c.old, cur), show(c.new, cur))
            for c in diff.promotions_changed
        ],
    )
    out += _fields("Channel policies", "channel", diff.channels, cur)
    out += _fields("Price list settings", "", diff.settings, cur)
    out += _impact_md(diff.impact)
    stream.write("\n".join(out).rstrip() + "\n")


def _code(text: str) -> str:
    return f"`{text.replace('`', '')}`" if text else "(no version)"


def _price_now(product: Product, at: datetime, currency: str) -> str:
    amount = price_at(product, at)
    return money(amount, currency) if amount is not None else "—"


def _fields(title: str, what: str, changes: Sequence[FieldChange], cur: str) -> list[str]:
    rows = [(c.subject, c.field, show(c.old, cur), show(c.new, cur)) for c in changes]
    columns = (what, "field", "old", "new") if what else ("field", "old", "new")
    return _table(title, columns, [r if what else r[1:] for r in rows])


def _table(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    head = "| " + " | ".join(columns) + " |"
    rule = "|" + "---|" * len(columns)
    body = ["| " + " | ".join(cell(str(v)) or " " for v in row) + " |" for row in rows]
    return [f"### {title}", "", head, rule, *body, ""]


def _impact_md(impact: Impact) -> list[str]:
    if not impact:
        return []
    out = ["### To re-check", ""]
    for a in impact.answers:
        out.append(
            f"- answer {cell(a.answer)} ({cell(a.where)}): prices {cell(', '.join(a.products))}"
        )
        if a.old_text != a.new_text:
            out += [f"  - was: {cell(a.old_text) or '—'}", f"  - now: {cell(a.new_text) or '—'}"]
        if a.note:
            out.append(f"  - not rendered: {cell(a.note)}")
    out += [f"- page {cell(p.url)} ({cell(p.channel)}, {cell(p.product)})" for p in impact.pages]
    out += [
        f"- chat {cell(c.url)} ({cell(c.channel)}): questions of {cell(', '.join(c.answers))}"
        for c in impact.chats
    ]
    return [*out, ""]


# --- JSON --------------------------------------------------------------------------------


def to_dict(diff: PriceListDiff) -> dict:
    """The diff as ``consistency/diff@1`` JSON data (amounts as numbers, times ISO 8601)."""
    cur = diff.new.currency
    return {
        "schema": SCHEMA,
        "at": diff.at.isoformat(),
        "old": {"version": diff.old.version, "path": diff.old.path},
        "new": {"version": diff.new.version, "path": diff.new.path},
        "changed": diff.changed(),
        "summary": diff.counts(),
        "products": {
            "added": [_product(p, diff.at, cur) for p in diff.added],
            "removed": [_product(p, diff.at, cur) for p in diff.removed],
            "renamed": [_field(c) for c in diff.renamed],
        },
        "prices": [
            {
                "product": c.product,
                "name": c.name,
                "old": _money(c.old, cur),
                "new": _money(c.new, cur),
                "change": {"amount": _num(c.amount), "percent": _num(c.percent)},
                "from": c.start.isoformat() if c.start else None,
            }
            for c in diff.prices
        ],
        "windows": [
            {"product": c.product, "change": c.kind, "old": _window(c.old), "new": _window(c.new)}
            for c in diff.windows
        ],
        "vat": [_field(c) for c in diff.vat],
        "settings": [_field(c) for c in diff.settings],
        "promotions": {
            "added": [p.id for p in diff.promotions_added],
            "removed": [p.id for p in diff.promotions_removed],
            "changed": [_field(c) for c in diff.promotions_changed],
        },
        "channels": [_field(c) for c in diff.channels],
        "impact": {
            "answers": [
                {
                    "answer": a.answer,
                    "products": list(a.products),
                    "where": a.where,
                    "old_text": a.old_text,
                    "new_text": a.new_text,
                    "note": a.note,
                }
                for a in diff.impact.answers
            ],
            "pages": [
                {"channel": p.channel, "url": p.url, "product": p.product}
                for p in diff.impact.pages
            ],
            "chats": [
                {"channel": c.channel, "url": c.url, "answers": list(c.answers)}
                for c in diff.impact.chats
            ],
        },
    }


def render_json(diff: PriceListDiff, stream: TextIO) -> None:
    json.dump(to_dict(diff), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def render(diff: PriceListDiff, fmt: str, stream: TextIO) -> None:
    {"markdown": render_markdown, "json": render_json}[fmt](diff, stream)


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def _money(amount: Decimal | None, currency: str) -> dict | None:
    return None if amount is None else {"amount": _num(amount), "currency": currency}


def _window(window: PriceWindow | None) -> dict | None:
    if window is None:
        return None
    return {
        "amount": _num(window.amount),
        "from": window.start.isoformat() if window.start else None,
        "to": window.end.isoformat() if window.end else None,  # exclusive
    }


def _product(product: Product, at: datetime, currency: str) -> dict:
    return {
        "id": product.id,
        "name": product.name,
        "price": _money(price_at(product, at), currency),
    }


def _field(change: FieldChange) -> dict:
    return {
        "subject": change.subject,
        "field": change.field,
        "old": _plain(change.old),
        "new": _plain(change.new),
    }


def _plain(value):
    if isinstance(value, Decimal):
        return _num(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, Threshold | Discount):
        return {
            k: _num(getattr(value, k))
            for k in ("amount", "percent", "price")
            if getattr(value, k, None) is not None
        }
    return value


# --- loading -----------------------------------------------------------------------------


def load_from_text(text: str, label: str, tz: ZoneInfo, channels: Iterable[str] = ()) -> PriceList:
    """A price list from YAML text; problems and locations name ``label`` (e.g. ``HEAD:prices.yaml``)."""
    with tempfile.TemporaryDirectory(prefix="consistency-diff-") as folder:
        path = Path(folder) / Path(label.split(":")[-1]).name
        path.write_text(text, encoding="utf-8")
        try:
            price_list = load_price_list(path, tz, channels)
        except InputError as err:
            raise InputError([replace(e, file=label) for e in err.errors]) from None
    return replace(price_list, path=label)


def git_root(near: Path) -> Path:
    """The top of the git work tree holding ``near`` (a file or folder)."""
    folder = near if near.is_dir() else near.parent
    out = _git(
        ["rev-parse", "--show-toplevel"], folder or Path("."), f"{near} is not in a git repository"
    )
    return Path(out.strip())


def git_show(ref: str, path: Path) -> tuple[str, str]:
    """``(text, label)`` of ``path`` as it was at ``ref``; label is ``REF:relative/path``."""
    path = path.resolve()
    root = git_root(path).resolve()
    try:
        relative = path.relative_to(root).as_posix()
    except ValueError:
        raise DiffError(f"{path} is outside the git repository {root}") from None
    label = f"{ref}:{relative}"
    text = _git(["show", label], root, f"cannot read {relative} at {ref!r}")
    return text, label


def git_has(ref: str, path: Path) -> bool:
    """Whether ``path`` existed at ``ref`` (an answers file may be newer than the base)."""
    path = path.resolve()
    root = git_root(path).resolve()
    if not path.is_relative_to(root):
        return False
    spec = f"{ref}:{path.relative_to(root).as_posix()}"
    done = subprocess.run(
        ["git", "cat-file", "-e", spec], cwd=root, capture_output=True, check=False
    )
    return done.returncode == 0


def _git(args: list[str], cwd: Path, what: str) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", check=False
        )
    except FileNotFoundError:
        raise DiffError("git is not installed (needed for --base)") from None
    except NotADirectoryError:
        raise DiffError(f"{cwd}: no such folder") from None
    if done.returncode != 0:
        detail = done.stderr.strip().splitlines()[-1:] or ["git failed"]
        raise DiffError(f"{what}: {detail[0]}")
    return done.stdout


# --- the command -------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffRequest:
    """What `consistency diff` was asked: two files, or one file and a git ref."""

    new: Path
    old: Path | None = None
    base: str | None = None
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Jerusalem"))
    answers: tuple[Path, ...] = ()
    sources: tuple[SourceConfig, ...] = ()
    channels: tuple[str, ...] = ()
    at: datetime | None = None


def run_diff(request: DiffRequest) -> PriceListDiff:
    """Load both lists, diff them and find the impact. Raises InputError or DiffError."""
    if request.base is not None:
        text, label = git_show(request.base, request.new)
        old = load_from_text(text, label, request.tz, request.channels)
    else:
        old = load_price_list(request.old, request.tz, request.channels)
    new = load_price_list(request.new, request.tz, request.channels)
    at = request.at or datetime.now(request.tz)
    diff = diff_price_lists(old, new, at)
    impact = find_impact(diff, _answer_docs(request), request.sources)
    if request.answers and impact.answers:
        texts = rendered_answers(diff, impact.answers, request.answers[0], request)
        impact = replace(impact, answers=texts)
    return replace(diff, impact=impact)


def rendered_answers(
    diff: PriceListDiff, impacts: Sequence[AnswerImpact], path: Path, request: DiffRequest
) -> tuple[AnswerImpact, ...]:
    """Each impacted answer as rendered with the old and the new list, when its price
    first changes. A side whose answers do not load against its list gets a note."""
    from .inputs.answers import load_answers
    from .pricebook import PriceBook

    books, notes = {}, []
    for side, price_list in (("old", diff.old), ("new", diff.new)):
        try:
            books[side] = load_answers(path, PriceBook(price_list), request.tz, request.channels)
        except InputError as err:
            notes.append(f"{side} list: {err.errors[0]}")
    note = "; ".join(notes) or None
    return tuple(
        replace(
            impact,
            old_text=_render(books.get("old"), impact, diff),
            new_text=_render(books.get("new"), impact, diff),
            note=note,
        )
        for impact in impacts
    )


def _render(answer_book, impact: AnswerImpact, diff: PriceListDiff) -> str | None:
    if answer_book is None or answer_book.get(impact.answer) is None:
        return None
    return answer_book.rendered(impact.answer, first_change(diff, impact.products))


def first_change(diff: PriceListDiff, products: Iterable[str]) -> datetime:
    """When the price of any of ``products`` first changes: now, or a later window start."""
    wanted = set(products)
    starts = [c.start or diff.at for c in diff.prices if c.product in wanted]
    return min(starts, default=diff.at)


def _answer_docs(request: DiffRequest) -> list[tuple[str, str]]:
    """The answers files as they are now and, with ``--base``, as they were at the base."""
    docs = []
    for path in request.answers:
        try:
            docs.append((shown_path(path), path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as err:
            raise DiffError(f"{path}: cannot read the answers ({err})") from None
        if request.base is not None and git_has(request.base, path):
            text, label = git_show(request.base, path)
            docs.append((label, text))
    return docs


def shown_path(path: Path) -> str:
    """``path`` relative to the working directory when it is below it (for a PR comment)."""
    resolved, here = path.resolve(), Path.cwd().resolve()
    return resolved.relative_to(here).as_posix() if resolved.is_relative_to(here) else str(path)
