"""Price lists and rule sets: YAML files -> model objects, with every problem reported at once.

Each loader reads the file with line marks, validates it against its JSON Schema,
then checks what a schema cannot (overlapping price windows, duplicate and
unknown ids ...) and raises ``InputError`` carrying every ``LoadError`` found,
each with file, line, column and field path.

Dates follow SPEC 3: a date alone means the whole day in the configured time
zone, so ``from: 2026-11-01`` starts at 00:00 and ``to: 2026-11-30`` ends when
the 1st of December starts (windows are half-open ``[start, end)``). A
date-time without an offset is in the configured zone; a date-time ``to`` is
inclusive, so the window ends one microsecond after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from . import checks
from .config import DEFAULT_CHANNELS
from .errors import InputError, LoadError
from .model import (
    ChannelPolicy,
    Discount,
    ExchangeRate,
    Location,
    PriceList,
    PriceWindow,
    Product,
    Promotion,
    Rule,
    Threshold,
    VatRate,
)
from .yamlio import Marks, Validator, load_yaml, path_text, show, validate, validate_with

DEFAULT_TOLERANCE = Threshold(amount=Decimal("0.01"))
MAX_AMOUNT = Decimal("1e12")  # beyond this an amount is a typo, and money arithmetic would overflow
ONE_MICROSECOND = timedelta(microseconds=1)


def read_checked(path: Path, schema: str) -> tuple[object, Marks]:
    """Load ``path`` and validate it against ``schema``; raise ``InputError`` on any problem."""
    data, marks = load_yaml(path)
    errors = validate(data, marks, schema, str(path))
    if errors:
        raise InputError(errors)
    return data, marks


class Problems:
    """Collects LoadErrors for one file, placed by JSON path."""

    def __init__(self, file: str, marks: Marks):
        self.file, self.marks, self.errors = file, marks, []

    def add(self, path: tuple, message: str) -> None:
        line, col = self.marks.at(path)
        self.errors.append(LoadError(self.file, line, col, path_text(path), message))

    def where(self, path: tuple) -> Location:
        line, col = self.marks.at(path)
        return Location(self.file, line, col)

    def raise_if_any(self) -> None:
        if self.errors:
            raise InputError(sorted(self.errors, key=lambda e: (e.line or 0, e.col or 0)))


# --- time -------------------------------------------------------------------------------


def parse_when(value: object, tz: ZoneInfo, *, end: bool = False) -> datetime:
    """A ``from`` (``end=False``) or ``to`` (``end=True``) value as an aware window bound.

    >>> tz = ZoneInfo("Asia/Jerusalem")
    >>> parse_when(date(2026, 11, 30), tz, end=True).isoformat()
    '2026-12-01T00:00:00+02:00'
    >>> parse_when("2026-11-30T10:00", tz).isoformat()
    '2026-11-30T10:00:00+02:00'
    """
    try:
        return _bound(_parse_iso(value) if isinstance(value, str) else value, tz, end)
    except OverflowError:
        raise ValueError(f"{show(value)} is out of the range of dates") from None


def _bound(value: object, tz: ZoneInfo, end: bool) -> datetime:
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=tz)
        return moment + ONE_MICROSECOND if end else moment
    if isinstance(value, date):
        day = value + timedelta(days=1) if end else value
        return datetime.combine(day, time(), tzinfo=tz)
    raise ValueError(f"{show(value)} is not a date or date-time")


def _parse_iso(text: str) -> date | datetime:
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date or time") from None


_DURATION = re.compile(
    r"""
    ^P(?!$)                              # P, and something after it
    (?:(?P<weeks>\d+)W)?                 # weeks
    (?:(?P<days>\d+)D)?                  # days
    (?:T(?=\d)                           # T starts the time part, which is not empty
       (?:(?P<hours>\d+)H)?              # hours
       (?:(?P<minutes>\d+)M)?            # minutes
       (?:(?P<seconds>\d+(?:\.\d+)?)S)?  # seconds, maybe with a fraction
    )?$
    """,
    re.VERBOSE,
)


def parse_duration(text: str) -> timedelta:
    """An ISO 8601 duration of fixed length (weeks, days, hours, minutes, seconds).

    >>> parse_duration("P1D"), parse_duration("PT12H"), parse_duration("P1W")
    (datetime.timedelta(days=1), datetime.timedelta(seconds=43200), datetime.timedelta(days=7))
    >>> parse_duration("P1DT30M")
    datetime.timedelta(days=1, seconds=1800)
    """
    match = _DURATION.match(text)
    if not match:
        if re.match(r"^P(\d+Y)?(\d+M)?", text) and re.search(r"\d[YM]", text.split("T")[0]):
            raise ValueError(f"{text!r}: months and years have no fixed length; use days (P30D)")
        raise ValueError(f"{text!r} is not an ISO 8601 duration such as P1D, PT12H or P1W")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    span = timedelta(**parts)
    if not span:
        raise ValueError(f"{text!r} is an empty duration")
    return span


def money(value: object) -> Decimal:
    """A YAML number as Decimal (floats are already Decimal, see yamlio)."""
    return value if isinstance(value, Decimal) else Decimal(value)


def threshold(spec: dict | None) -> Threshold | None:
    if spec is None:
        return None
    return Threshold(
        amount=money(spec["amount"]) if "amount" in spec else None,
        percent=money(spec["percent"]) if "percent" in spec else None,
    )


# --- price list -------------------------------------------------------------------------


def load_price_list(
    path: Path | str, tz: ZoneInfo, known_channels: Iterable[str] = ()
) -> PriceList:
    """Read a price list (SPEC 3.1). Raises ``InputError`` with every problem found."""
    data, marks = read_checked(Path(path), "prices")
    problems = Problems(str(path), marks)
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
        if amount < 0:
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
        for index, entry in enumerate(entries):
            at = ("products", index)
            if entry["id"] in products:
                first = products[entry["id"]].where
                self.problems.add((*at, "id"), f"duplicate product id {entry['id']!r} ({first})")
                continue
            products[entry["id"]] = self.product(entry, at)
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
                        path_text(at) + ".prices",
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
        for i, channel in enumerate(channels or ()):
            if channel not in self.known_channels:
                known = ", ".join(dict.fromkeys(self.known_channels))
                self.problems.add(
                    (*at, "channels", i), f"unknown channel {channel!r}; known: {known}"
                )
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


# --- rules ------------------------------------------------------------------------------

COMMON_RULE_KEYS = {"id", "check", "severity", "warn", "error", "window", "channels", "enabled"}


def load_rules(
    paths: Iterable[Path | str], known_channels: Iterable[str] | None = None
) -> list[Rule]:
    """Read rule sets (SPEC 3.4); ids are unique across files. ``enabled: false`` drops a rule."""
    rules: list[Rule] = []
    errors: list[LoadError] = []
    seen: dict[str, Location] = {}
    known = tuple(known_channels) if known_channels is not None else None
    for path in paths:
        try:
            data, marks = read_checked(Path(path), "rules")
        except InputError as exc:
            errors.extend(exc.errors)
            continue
        problems = Problems(str(path), marks)
        for index, entry in enumerate(data["rules"]):
            rule = _rule(entry, ("rules", index), problems, seen, known)
            if rule is not None and entry.get("enabled", True):
                rules.append(rule)
        errors.extend(problems.errors)
    if errors:
        raise InputError(errors)
    return rules


def _rule(entry: dict, at: tuple, problems: Problems, seen: dict, known) -> Rule | None:
    where = problems.where(at)
    if entry["id"] in seen:
        problems.add(
            (*at, "id"), f"duplicate rule id {entry['id']!r} (first at {seen[entry['id']]})"
        )
        return None
    seen[entry["id"]] = where
    check = entry.get("check", entry["id"])
    module = _check_module(check, (*at, "check" if "check" in entry else "id"), problems)
    options = {k: v for k, v in entry.items() if k not in COMMON_RULE_KEYS}
    if module is not None:
        _validate_options(module, options, at, problems)
    for i, channel in enumerate(entry.get("channels", ())):
        if known is not None and channel not in known:
            problems.add(
                (*at, "channels", i), f"unknown channel {channel!r}; known: {', '.join(known)}"
            )
    defaults = getattr(module, "DEFAULTS", {}) or {}
    window = _rule_window(entry.get("window", defaults.get("window")), (*at, "window"), problems)
    return Rule(
        id=entry["id"],
        check=check,
        severity=entry.get("severity", defaults.get("severity", "error")),
        warn=threshold(entry.get("warn")),
        error=threshold(entry.get("error")),
        window=window,
        channels=tuple(entry["channels"]) if "channels" in entry else None,
        options=options,
        where=where,
    )


def _rule_window(value, path: tuple, problems: Problems) -> timedelta | None:
    """The rule's ``window`` (or its check's default) as a timedelta."""
    if value is None or isinstance(value, timedelta):
        return value
    try:
        return parse_duration(value)
    except ValueError as exc:
        problems.add(path, str(exc))
        return None


def _check_module(check: str, path: tuple, problems: Problems):
    try:
        return checks.get(check)
    except checks.UnknownCheck as exc:
        problems.add(path, str(exc))
    except ImportError as exc:
        problems.add(path, f"check {check!r} is registered but cannot be loaded: {exc}")
    return None


def _validate_options(module, options: dict, at: tuple, problems: Problems) -> None:
    schema = getattr(module, "OPTIONS", None)
    if not schema:
        return
    if not {"type", "properties", "$ref", "allOf", "anyOf", "oneOf"} & set(schema):
        # a bare {key: schema} map: the keys a check adds, nothing else
        schema = {"type": "object", "properties": schema}
    if "properties" in schema and not {"additionalProperties", "patternProperties"} & set(schema):
        schema = {**schema, "additionalProperties": False}  # a misspelt option is an error
    validator = Validator(schema)
    problems.errors.extend(validate_with(validator, options, problems.marks, problems.file, at))
