"""A price-list diff in words: Markdown for a pull-request comment, or JSON (``consistency/diff@1``)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TextIO

from ..inputs.dates import bound_text as day
from ..model import (
    Discount,
    PriceWindow,
    Product,
    Threshold,
)
from ..report.markdown import cell
from ..text.display import money_text as money
from ..text.display import percent_text, plural
from .changes import (
    FieldChange,
    Impact,
    PriceChange,
    PriceListDiff,
    price_at,
)

SCHEMA = "consistency/diff@1"
FORMATS = ("markdown", "json")


# --- words -------------------------------------------------------------------------------


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
            parts.append(percent_text(value.percent))
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
    pct = f" ({percent_text(change.percent, signed=True)})" if change.percent is not None else ""
    return money(change.amount, currency, signed=True) + pct


def summary(diff: PriceListDiff) -> str:
    """One line: what changed and what to re-check."""
    n = diff.counts()
    parts = [
        plural(n["prices"], "price change") if n["prices"] else "",
        plural(n["windows"], "window change") if n["windows"] else "",
        plural(n["products_added"], "product") + " added" if n["products_added"] else "",
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
