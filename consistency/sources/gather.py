"""Every configured source as one stream: file exports read record by record, fetchers run live.

A file source that cannot be read is a tool error (exit 2) as well as a
``channel-unreachable`` finding; a fetcher that fails is a finding only, and the
run goes on with everything else either way.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..inputs.config import Config, SourceConfig
from ..inputs.files import FileOptions
from ..model import SourceFailure
from . import fetchers
from .files import read_pattern
from .records import RecordContext


@dataclass
class Gathering:
    """What a run gathers from: the sources, and whether fetchers run."""

    config: Config
    records: RecordContext
    fetch: bool = True
    evidence_dir: Path | None = None
    extra: dict = field(default_factory=dict)  # passed to fetchers (e.g. the answers)
    unreadable: list[str] = field(default_factory=list)  # file sources that failed


def gather(g: Gathering, observation_files: list[Path] = ()) -> Iterator:
    for path in observation_files:
        yield from _files(g, None, [str(path)], "records", FileOptions())
    for source in g.config.sources:
        if source.files:
            options = FileOptions.from_source(source.options)
            yield from _files(g, source.channel, source.files, source.format, options)
        elif source.fetch and g.fetch:
            yield from _fetch(g, source)


def _files(g: Gathering, channel, patterns, fmt, options: FileOptions) -> Iterator:
    """Every file of one source, each read once however many of its patterns name it."""
    ctx = replace(g.records, default_channel=channel, file=options)
    seen: set[str] = set()
    for pattern in patterns:
        for item in read_pattern(pattern, fmt, ctx, seen):
            if isinstance(item, SourceFailure):
                g.unreadable.append(f"{item.source}: {item.reason}")
            yield item


def _fetch(g: Gathering, source: SourceConfig) -> Iterator:
    try:
        fetcher = fetchers.get(source.fetch)
    except fetchers.UnknownFetcher as err:
        yield SourceFailure(source.channel, str(source.where), str(err))
        return
    store = None
    if g.evidence_dir is not None:
        from .evidence import EvidenceStore

        store = EvidenceStore(g.evidence_dir)
    yield from fetcher(
        source, tz=g.config.timezone, evidence_store=store, **g.extra.get(source.fetch, {})
    )
