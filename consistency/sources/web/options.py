"""A web source's options: its ``pages`` and its ``extract`` methods, checked before any fetch.

A bad entry is an ``InputError`` naming the field (``sources.extract[1]``) at the
line of the source in the config; ``extract`` defaults to the structured methods.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from ...errors import InputError, LoadError
from ...inputs.config import SourceConfig, option_error
from ...net.urls import host_allowed
from ...registry import suggest
from .markup import css_select

DEFAULT_EXTRACT = ("jsonld", "microdata", "opengraph")
STRUCTURED = frozenset(DEFAULT_EXTRACT)


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


def parse_methods(source: SourceConfig) -> tuple[Method, ...]:
    """The ``extract`` list as methods; a bad entry is an ``InputError`` naming it."""
    raw = source.options.get("extract") or DEFAULT_EXTRACT
    methods, errors = [], []
    for i, entry in enumerate(raw if isinstance(raw, list | tuple) else [raw]):
        try:
            methods.append(_method(entry))
        except ValueError as exc:
            errors.append(option_error(source, f"extract[{i}]", str(exc)))
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
    close = suggest(entry, [*DEFAULT_EXTRACT, "css", "regex"]) if isinstance(entry, str) else None
    hint = f"; did you mean {close!r}?" if close else ""
    raise ValueError(
        f"unknown extract method {entry!r}; use jsonld, microdata, opengraph, "
        f"{{css: SELECTOR}} or {{regex: PATTERN}}{hint}"
    )


def parse_pages(source: SourceConfig) -> tuple[Page, ...]:
    """The ``pages`` list; each needs ``url`` and ``product``."""
    raw = source.options.get("pages")
    if not isinstance(raw, list | tuple) or not raw:
        raise InputError([option_error(source, "pages", "a web source needs a list of pages")])
    pages, errors = [], []
    for i, entry in enumerate(raw):
        if not isinstance(entry, Mapping):
            errors.append(option_error(source, f"pages[{i}]", "expected {url: ..., product: ...}"))
            continue
        missing = [key for key in ("url", "product") if not entry.get(key)]
        for key in missing:
            errors.append(option_error(source, f"pages[{i}].{key}", f"{key} is required"))
        if not missing:
            ids = {k: str(entry[k]) for k in ("sku", "gtin", "name") if entry.get(k) is not None}
            pages.append(Page(str(entry["url"]), str(entry["product"]), **ids))
    if errors:
        raise InputError(errors)
    return tuple(pages)


def option_problems(source: SourceConfig, questions=None) -> list[LoadError]:
    """The ``extract`` methods' and ``pages``' problems, as :func:`parse_methods` and
    :func:`parse_pages` find them before a fetch; every command checks them when the inputs
    load (``registry.FETCH_OPTIONS``). ``questions`` is unused (the chat fetcher's need)."""
    errors: list[LoadError] = []
    for parse in (parse_methods, parse_pages):
        try:
            parse(source)
        except InputError as exc:
            errors += exc.errors
    return errors


def static_problems(source: SourceConfig, products=None) -> list[LoadError]:
    """What ``lint`` alone sees of a web source without fetching: a page whose host is not
    in ``allow_hosts`` (``fetch`` reports it as ``channel-unreachable``) and, given the
    price list's product ids, a page product not on it (``audit``'s ``unknown-product``
    warning). A templated URL (``${VAR}``) waits for fetch."""
    errors: list[LoadError] = []
    allow = tuple(source.options.get("allow_hosts") or ())
    raw = source.options.get("pages")
    for i, page in enumerate(raw if isinstance(raw, list | tuple) else ()):
        if not isinstance(page, Mapping):
            continue
        url, product = page.get("url"), page.get("product")
        if allow and isinstance(url, str) and "$" not in url and not host_allowed(url, allow):
            hosts = ", ".join(map(str, allow))
            message = f"the host of {url!r} is not in this source's allow_hosts ({hosts})"
            errors.append(option_error(source, f"pages[{i}].url", message))
        if products is not None and product is not None and str(product) not in products:
            close = suggest(str(product), list(products))
            hint = f"; did you mean {close!r}?" if close else ""
            message = f"product {product!r} is not on the price list{hint}"
            errors.append(option_error(source, f"pages[{i}].product", message))
    return errors
