"""One registry shape for checks, file formats and fetchers: name -> object, lookup fails clearly.

The three registries are literal dicts written out here, in one place, from a
name to where its object lives: ``"module"`` or ``"module:attribute"``, relative
to the registry's package. Nothing registers itself on import; the target is
imported on the first :meth:`Registry.get`, so a run loads only the checks,
formats and fetchers its configuration names (a web fetcher brings in lxml and an
HTTP client), and this module imports nothing of ours: a loader checking names
(``names()``, ``in``) reaches no check, source or fetcher. ``checks``,
``sources.formats`` and ``sources.fetchers`` hand them out with ``get`` and ``names``.

>>> CHECKS.names()[:3], FORMATS.names()[:2], FETCHERS.names()
(['ambiguous-page', 'answer-contradicts-approved', 'answer-missing-fact'], ['amazon-connect-contact-lens', 'genesys-cloud'], ['http-chat', 'web'])

>>> colors = Registry("color", "colorsys", {"hls": ":rgb_to_hls", "yiq": ":rgb_to_yiq"})
>>> colors.names()
['hls', 'yiq']
>>> colors.get("hls")(1.0, 0.0, 0.0)
(0.0, 0.5, 1.0)
>>> colors.get("hsl")
Traceback (most recent call last):
...
consistency.registry.UnknownName: unknown color 'hsl'; known colors: hls, yiq; did you mean 'hls'?
"""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Mapping


class UnknownName(KeyError):
    """A name a registry does not hold: ``kind``, ``name`` and the ``known`` names."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.kind, self.name, self.known = kind, name, known

    def __str__(self) -> str:
        message = f"unknown {self.kind} {self.name!r}; known {self.kind}s: {', '.join(self.known)}"
        if close := suggest(self.name, self.known):
            message += f"; did you mean {close!r}?"
        return message


def suggest(name: str, known: list[str]) -> str | None:
    """The known name closest to ``name`` (difflib ratio 0.6 or more), else None."""
    close = difflib.get_close_matches(str(name), known, n=1)
    return close[0] if close else None


class Registry:
    """Names -> objects of one ``kind``; ``entries`` maps a name to ``"module[:attribute]"``.

    A module path starting with ``:`` or a bare name is relative to ``package``.
    """

    def __init__(self, kind: str, package: str, entries: Mapping[str, str]) -> None:
        self.kind, self.package, self.entries = kind, package, entries

    def names(self) -> list[str]:
        """The registered names, sorted."""
        return sorted(self.entries)

    def __contains__(self, name: object) -> bool:
        return name in self.entries

    def get(self, name: str):
        """The object registered as ``name``; :class:`UnknownName` when there is none."""
        try:
            target = self.entries[name]
        except (KeyError, TypeError):
            raise UnknownName(self.kind, name, self.names()) from None
        module, _, attribute = target.partition(":")
        path = f"{self.package}.{module}" if module else self.package
        loaded = importlib.import_module(path)
        return getattr(loaded, attribute) if attribute else loaded


CHECKS = Registry(
    "check",
    "consistency.checks",
    {
        "price-mismatch": "price_mismatch",
        "cross-channel-gap": "cross_channel_gap",
        "customer-quote-conflict": "customer_quote_conflict",
        "promotion-misuse": "promotion_misuse",
        "unknown-product": "unknown_product",
        "vat-excluded-price": "vat_excluded_price",
        "structured-data-mismatch": "structured_data_mismatch",
        "ambiguous-page": "ambiguous_page",
        "invalid-record": "invalid_record",
        "channel-unreachable": "channel_unreachable",
        "answer-contradicts-approved": "answer_contradicts_approved",
        "answer-missing-fact": "answer_missing_fact",
        "forbidden-phrase": "forbidden_phrase",
        "price-in-reply-mismatch": "price_in_reply_mismatch",
        "no-reply": "no_reply",
    },
)
# format: of a file source -> read(path, ctx: RecordContext) (sources/formats.py)
FORMATS = Registry(
    "format",
    "consistency.sources",
    {
        "records": "files:read_records",
        "amazon-connect-contact-lens": "platforms.amazon_connect:read",
        "intercom": "platforms.intercom:read",
        "zendesk": "platforms.zendesk:read",
        "genesys-cloud": "platforms.genesys:read",
    },
)
# fetch: of a live source -> fetch(source, *, tz, evidence_store, **extra) (sources/fetchers.py)
FETCHERS = Registry(
    "fetcher",
    "consistency.sources",
    {"web": "web:fetch_web", "http-chat": "chat:fetch_chat"},
)
# fetch: of a live source -> option_problems(source, questions) -> list[LoadError]: what the
# fetcher checks before it fetches, checked when the inputs load (inputs.setup), so every
# command accepts and rejects the same options (questions: None when the answers named by
# the config could not be read)
FETCH_OPTIONS = Registry(
    "fetcher",
    "consistency.sources",
    {"web": "web.options:option_problems", "http-chat": "chat:option_problems"},
)
