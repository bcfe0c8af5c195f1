"""Price lists (SPEC 3.1): YAML -> a frozen PriceList, with every problem reported at once.

The file is read with line marks and validated against its JSON Schema; then what a
schema cannot check (overlapping price windows, duplicate and unknown ids, dates)
is checked, and every ``LoadError`` found is raised in one ``InputError``. Dates
follow :mod:`consistency.inputs.dates`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.numbers import is_currency

from ..errors import LoadError
from ..model import (
    ChannelPolicy,
    Discount,
    ExchangeRate,
    Location,
    PriceList,
    PriceWindow,
    Product,
    Promotion,
    Threshold,
    VatRate,
)
from .config import DEFAULT_CHANNELS
from .dates import parse_when
from .problems import MAX_AMOUNT, Problems, money, read_part, threshold
from .schema import show
from .yamlio import Source

DEFAULT_TOLERANCE = Threshold(amount=Decimal("0.01"))


def load_price_list(path: Source, tz: ZoneInfo, known_channels: Iterable[str] = ()) -> PriceList:
    """Read a price list (SPEC 3.1). Raises ``InputError`` with every problem found."""
    data, problems = read_part(path, "prices")
    _check_currencies(data, problems)
    channels = _channel_policies(data.get("channels") or {}, problems)
    known = (*DEFAULT_CHANNELS, *channels, *known_channels)
    builder = _PriceListReader(problems, tz, known)
    products = builder.products(data["products"])
    price_list = PriceList(
        version=str(data.get("version", "")),
        currency=data.get("currency", "ILS"),
        vat_included=(data.get("vat") or {}).get("included", True),
        vat_rates=builder.vat_rates(data.get("vat") or {}),
        tolerance=builder.threshold(data.get("tolerance"), ("tolerance",)) or DEFAULT_TOLERANCE,
        products=products,
        promotions=builder.promotions(data.get("promotions") or [], products),
        channels=channels,
        path=str(path),
        exchange_rates=builder.exchange_rates(data.get("exchange_rates") or {}),
    )
    problems.raise_if_any()
    return price_list


def _check_currencies(data: dict, problems: Problems) -> None:
    """``currency`` and each ``exchange_rates`` code must be an ISO 4217 code (Babel's
    CLDR list): ``ILX`` would print as ``-ILX 9.99`` and round to a guessed minor unit."""
    codes = [(("currency",), data.get("currency", "ILS"))]
    codes += [(("exchange_rates", code), code) for code in data.get("exchange_rates") or {}]
    for path, code in codes:
        if isinstance(code, str) and not is_currency(code):
            problems.add(path, f"{code!r} is not an ISO 4217 currency code (ILS, USD, EUR, ...)")


def _channel_policies(spec: dict, problems: Problems) -> dict[str, ChannelPolicy]:
    policies = {}
    for name, policy in spec.items():
        policy = policy or {}
        at = ("channels", name)
        policies[name] = ChannelPolicy(
            name=name,
            max_discount=_checked_threshold(
                policy.get("max_discount"), (*at, "max_discount"), problems
            ),
            tolerance=_checked_threshold(policy.get("tolerance"), (*at, "tolerance"), problems),
            consumer=policy.get("consumer", True),
        )
    return policies


def _checked_threshold(spec, path: tuple, problems: Problems) -> Threshold | None:
    result = threshold(spec)
    if result is None:
        return None
    for key in ("amount", "percent"):
        value = getattr(result, key)
        if value is not None and value < 0:
            problems.add((*path, key), f"{show(value)} is negative")
        elif value is not None and value >= MAX_AMOUNT:
            problems.add((*path, key), f"{show(value)} is too large")
    if result.percent is not None and result.percent > 100:
        problems.add((*path, "percent"), f"{show(result.percent)} is over 100 percent")
    return result


class _PriceListReader:
    """Builds model objects from validated price-list data, collecting semantic problems."""

    def __init__(self, problems: Problems, tz: ZoneInfo, known_channels: tuple[str, ...]):
        self.problems, self.tz, self.known_channels = problems, tz, known_channels

    def threshold(self, spec, path: tuple) -> Threshold | None:
        return _checked_threshold(spec, path, self.problems)

    def when(self, value, path: tuple, *, end: bool = False) -> datetime | None:
        if value is None:
            return None
        try:
            return parse_when(value, self.tz, end=end)
        except (ValueError, OverflowError) as exc:
            self.problems.add(path, str(exc))
            return None

    def amount(self, value, path: tuple) -> Decimal:
        amount = money(value)
        if amount < 0 or amount.is_signed():  # -0.0 too: as the observation reader refuses
            self.problems.add(path, f"{show(amount)} is a negative amount")
        elif amount >= MAX_AMOUNT:
            self.problems.add(path, f"{show(amount)} is too large for an amount")
        return amount

    def vat_rates(self, spec: dict) -> tuple[VatRate, ...]:
        if "rate" in spec:
            entries = [({"rate": spec["rate"]}, ("vat", "rate"))]
        else:
            entries = [(r, ("vat", "rates", i)) for i, r in enumerate(spec.get("rates", []))]
        rates = [self.vat_rate(entry, path) for entry, path in entries]
        return tuple(sorted(rates, key=lambda r: (r.start is not None, r.start or 0)))

    def vat_rate(self, entry: dict, path: tuple) -> VatRate:
        rate_path = path if path[-1] == "rate" else (*path, "rate")
        rate = money(entry["rate"])
        if not 0 <= rate < 1:
            self.problems.add(rate_path, f"VAT rate {show(rate)} is outside [0, 1); 18% is 0.18")
        start = self.when(entry.get("from"), (*path, "from"))
        return VatRate(rate=rate, start=start, where=self.problems.where(rate_path))

    def exchange_rates(self, spec: dict) -> dict[str, tuple[ExchangeRate, ...]]:
        rates = {}
        for code, entries in spec.items():
            rows = []
            for i, entry in enumerate(entries):
                path = ("exchange_rates", code, i)
                start = self.when(entry.get("from"), (*path, "from"))
                where = self.problems.where((*path, "rate"))
                rows.append(ExchangeRate(code, money(entry["rate"]), start, where))
            rates[code] = tuple(sorted(rows, key=_start_key))
        return rates

    def products(self, entries: list) -> dict[str, Product]:
        products: dict[str, Product] = {}
        repeats = self.problems.duplicate_ids(
            "products", lambda ident, first: f"duplicate product id {ident!r} ({first})"
        )  # over the file's items, those that broke the schema too
        for index, entry in enumerate(entries):
            at = ("products", index)
            product = self.product(entry, at)  # a repeat's prices are checked too
            if self.problems.file_index("products", index) not in repeats:
                products.setdefault(entry["id"], product)
        return products

    def product(self, entry: dict, at: tuple) -> Product:
        if "price" in entry:
            path = (*at, "price")
            windows = [
                PriceWindow(self.amount(entry["price"], path), where=self.problems.where(path))
            ]
        else:
            windows = [self.window(w, (*at, "prices", i)) for i, w in enumerate(entry["prices"])]
        self.check_overlaps(windows, at)
        return Product(
            id=entry["id"],
            name=entry.get("name", entry["id"]),
            prices=tuple(sorted(windows, key=_start_key)),
            aliases=tuple(entry.get("aliases", ())),
            unit=entry.get("unit"),
            where=self.problems.where(at),
            sku=str(entry["sku"]) if entry.get("sku") is not None else None,
            gtin=str(entry["gtin"]) if entry.get("gtin") is not None else None,
        )

    def window(self, entry: dict, at: tuple) -> PriceWindow:
        start = self.when(entry.get("from"), (*at, "from"))
        end = self.when(entry.get("to"), (*at, "to"), end=True)
        if start is not None and end is not None and end <= start:
            self.problems.add((*at, "to"), f"'to' {show(entry['to'])} is before 'from'")
        amount_path = (*at, "amount")
        amount = self.amount(entry["amount"], amount_path)
        return PriceWindow(amount, start, end, where=self.problems.where(amount_path))

    def check_overlaps(self, windows: list[PriceWindow], at: tuple) -> None:
        ordered = sorted(windows, key=_start_key)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if before.end is None or after.start is None or before.end > after.start:
                line = before.where.line if before.where else None
                self.problems.errors.append(
                    LoadError(
                        self.problems.file,
                        after.where.line if after.where else None,
                        after.where.col if after.where else None,
                        self.problems.path_text(at) + ".prices",
                        f"price window overlaps the one on line {line}",
                    )
                )

    def promotions(self, entries: list, products: dict) -> tuple[Promotion, ...]:
        seen: dict[str, Location] = {}
        result = []
        for index, entry in enumerate(entries):
            at = ("promotions", index)
            if entry["id"] in seen:
                self.problems.add(
                    (*at, "id"), f"duplicate promotion id {entry['id']!r} ({seen[entry['id']]})"
                )
            seen.setdefault(entry["id"], self.problems.where(at))
            result.append(self.promotion(entry, at, products))
        return tuple(result)

    def promotion(self, entry: dict, at: tuple, products: dict) -> Promotion:
        covered = None if entry["products"] == "*" else tuple(entry["products"])
        for i, product in enumerate(covered or ()):
            if product not in products:
                self.problems.add((*at, "products", i), f"unknown product {product!r}")
        channels = tuple(entry["channels"]) if "channels" in entry else None
        self.problems.check_channels(channels, self.known_channels, at)
        start = self.when(entry.get("from"), (*at, "from"))
        end = self.when(entry.get("to"), (*at, "to"), end=True)
        if start is not None and end is not None and end <= start:
            self.problems.add((*at, "to"), f"'to' {show(entry['to'])} is before 'from'")
        return Promotion(
            id=entry["id"],
            discount=self.discount(entry, at),
            products=covered,
            channels=channels,
            start=start,
            end=end,
            where=self.problems.where(at),
        )

    def discount(self, entry: dict, at: tuple) -> Discount:
        if "price" in entry:
            return Discount(price=self.amount(entry["price"], (*at, "price")))
        spec = entry["discount"]
        if "amount" in spec:
            return Discount(amount=self.amount(spec["amount"], (*at, "discount", "amount")))
        percent = money(spec["percent"])
        if not 0 <= percent <= 100:
            self.problems.add(
                (*at, "discount", "percent"), f"{show(percent)} is not a percent in [0, 100]"
            )
        return Discount(percent=percent)


def _start_key(window: PriceWindow) -> tuple:
    return (window.start is not None, window.start.timestamp() if window.start else 0)
