"""channel-unreachable: a source could not be read or fetched after retries.

Raised by the engine, not run on observations. The run goes on with every other
source, and what was already gathered is kept.

Options: none.

Failing: an export file that does not exist (or a web page that answers 503 three
times)::

    sources:
      - {channel: phone, files: [exports/phone/calls-missing.csv]}
"""

from __future__ import annotations

from ..model import Evidence, Problem, SourceFailure
from . import ENGINE

ID = "channel-unreachable"
KIND = ENGINE
DEFAULTS = {"severity": "error"}
OPTIONS = {"type": "object", "properties": {}}


def problem(failure: SourceFailure) -> Problem:
    return Problem(
        message=f"{failure.channel}: could not read {failure.source}: {failure.reason}",
        channel=failure.channel,
        cause="unreachable",
        evidence=Evidence(ref=failure.source, source=failure.source),
        key=(failure.source,),
    )
