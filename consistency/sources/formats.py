"""The registry of file formats a source's ``format:`` may name: format -> reader.

A reader is ``read(path, ctx: RecordContext) -> Iterator[Observation | InvalidRecord |
SourceFailure]``. ``records`` is the plain layout of SPEC 3.3 (JSON Lines, a JSON
array, CSV or a spreadsheet); the others are platform exports (docs/platforms.md).
The table is written out in :mod:`consistency.registry`; nothing registers itself on import.

>>> names()
['amazon-connect-contact-lens', 'genesys-cloud', 'intercom', 'records', 'zendesk']
"""

from __future__ import annotations

from ..registry import FORMATS, UnknownName

UnknownFormat = UnknownName


def names() -> list[str]:
    """Every format name, sorted."""
    return FORMATS.names()


def get(name: str):
    """The reader of format ``name``; :class:`UnknownFormat` names the known ones."""
    return FORMATS.get(name)
