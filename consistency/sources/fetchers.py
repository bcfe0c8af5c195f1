"""The registry of live fetchers a source's ``fetch:`` may name: fetcher -> function.

A fetcher is ``fetch(source: SourceConfig, *, tz, evidence_store, **extra) ->
Iterator[Observation | SourceFailure]``: ``web`` reads product pages (SPEC 3.4),
``http-chat`` asks a chat endpoint the approved questions (docs/chat.md).
The table is written out in :mod:`consistency.registry`; nothing registers itself on import.

>>> names()
['http-chat', 'web']
"""

from __future__ import annotations

from ..registry import FETCHERS, UnknownName

UnknownFetcher = UnknownName


def names() -> list[str]:
    """Every fetcher name, sorted."""
    return FETCHERS.names()


def get(name: str):
    """The fetch function named ``name``; :class:`UnknownFetcher` names the known ones."""
    return FETCHERS.get(name)
