"""The registry of file formats a source's ``format:`` may name: format -> reader.

A reader is ``read(path, ctx: RecordContext) -> Iterator[Observation | InvalidRecord |
SourceFailure]``. ``records`` is the plain layout of SPEC 3.3 (JSON Lines, a JSON
array, CSV or a spreadsheet); the others are platform exports (docs/platforms.md).
Written out here, nothing registers itself on import; see :mod:`consistency.registry`.

>>> names()
['amazon-connect-contact-lens', 'genesys-cloud', 'intercom', 'records', 'zendesk']
"""

from __future__ import annotations

from ..registry import Registry, UnknownName

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
UnknownFormat = UnknownName


def names() -> list[str]:
    """Every format name, sorted."""
    return FORMATS.names()


def get(name: str):
    """The reader of format ``name``; :class:`UnknownFormat` names the known ones."""
    return FORMATS.get(name)
