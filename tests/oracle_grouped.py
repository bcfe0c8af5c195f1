"""A brute-force reference for the grouped checks, written apart from the engine.

It compares every pair of quotes, with no state, no windows closing and no
spill: slow, and obviously right. Tests hold the engine's findings against it.

Quotes are plain dicts: ``channel``, ``at`` (aware datetime), ``product``,
``amount`` (Decimal, VAT-inclusive, in the list's currency), ``customer``, ``id``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo


def cross_channel_gaps(quotes, tz: ZoneInfo, channel_order, tolerance=Decimal("0.01")) -> set:
    """``{(product, local date, high channel, low channel, high, low)}``, one per product-day."""
    days: dict = {}
    for q in quotes:
        days.setdefault((q["product"], q["at"].astimezone(tz).date()), []).append(q)
    rank = {c: i for i, c in enumerate(channel_order)}
    found = set()
    for (product, day), group in days.items():
        channels = sorted({q["channel"] for q in group}, key=lambda c: (rank.get(c, 99), c))
        best = None
        for high_ch in channels:
            for low_ch in channels:
                if high_ch == low_ch:
                    continue
                high = max(q["amount"] for q in group if q["channel"] == high_ch)
                low = min(q["amount"] for q in group if q["channel"] == low_ch)
                if best is None or high - low > best[0]:
                    best = (high - low, high_ch, low_ch, high, low)
        if best is not None and best[0] > tolerance:
            found.add((product, day.isoformat(), *best[1:]))
    return found


def customer_conflicts(
    quotes, window: timedelta, tz: ZoneInfo, tolerance=Decimal("0.01"), percent=None
) -> set:
    """``{(customer, product, high, low, high id, low id)}``: per local day, its widest pair.

    Every pair of one customer's quotes for one product at most ``window`` apart is
    compared; a pair counts on the local day of its later quote. Per day the widest
    pair wins; ties go to the pair whose later quote comes first, then whose earlier does.
    The pair conflicts when its gap is over ``tolerance`` (an amount, or None) and over
    ``percent`` of its higher quote (when given).
    """
    groups: dict = {}
    for q in quotes:
        if q.get("customer"):
            groups.setdefault((q["customer"], q["product"]), []).append(q)
    found = set()
    for (customer, product), group in groups.items():
        group.sort(key=lambda q: (q["at"], q["id"]))
        best_of_day: dict = {}
        for j, b in enumerate(group):
            for a in group[:j]:
                if b["at"] - a["at"] > window:
                    continue
                gap = abs(a["amount"] - b["amount"])
                day = b["at"].astimezone(tz).date()
                if day not in best_of_day or gap > best_of_day[day][0]:
                    best_of_day[day] = (gap, a, b)
        for gap, a, b in best_of_day.values():
            high, low = (a, b) if a["amount"] > b["amount"] else (b, a)
            if tolerance is not None and gap <= tolerance:
                continue
            if percent is not None and high["amount"] and gap * 100 / high["amount"] <= percent:
                continue
            found.add((customer, product, high["amount"], low["amount"], high["id"], low["id"]))
    return found
