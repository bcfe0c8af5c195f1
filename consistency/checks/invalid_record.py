"""invalid-record: an observation that cannot be read.

Raised by the engine, not run on observations: a missing field, an amount or
date that cannot be parsed, an unknown channel. The finding names the
``file:line`` and the field; the run goes on with the other records.

Options: none.

Passing::

    {"channel": "web", "at": "2026-11-21T09:00", "product": "fiber-500", "amount": 99.90}

Failing (no ``at``)::

    {"channel": "web", "product": "fiber-500", "amount": 99.90}
"""

from __future__ import annotations

from ..model import Evidence, InvalidRecord, Problem
from . import ENGINE

ID = "invalid-record"
KIND = ENGINE
DEFAULTS = {"severity": "warning"}
OPTIONS = {"type": "object", "properties": {}}


def problem(record: InvalidRecord) -> Problem:
    field = f" ({record.field})" if record.field else ""
    return Problem(
        message=f"{record.source}: cannot read record{field}: {record.reason}",
        channel=record.channel,
        cause=f"bad-{record.field}" if record.field else "unreadable",
        evidence=Evidence(source=str(record.source), excerpt=record.excerpt),
        key=(record.source.file.rsplit("/", 1)[-1], record.field or "", record.reason),
    )
