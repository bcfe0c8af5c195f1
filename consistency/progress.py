"""Progress on stderr for long fetches and audits; silent when nobody is watching.

It shows only when stderr is a terminal, ``CI`` is not set and ``--quiet`` was
not given, so logs, pipes and CI output stay clean. ``track`` counts the items of
a stream as they pass, with a total when one is known (``fetch``); ``Reading``
counts the records an audit reads, per source, with the rate:

    >>> import io
    >>> list(track(range(3), total=3, stream=io.StringIO()))  # not a TTY: nothing shown
    [0, 1, 2]
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import TextIO

WIDTH = 28
EVERY = 0.1  # seconds between redraws


def enabled(
    stream: TextIO | None = None, *, quiet: bool = False, env: Mapping[str, str] | None = None
) -> bool:
    """True when a bar should be drawn on ``stream``: a terminal, not CI, not quiet.

    >>> import io
    >>> enabled(io.StringIO())
    False
    """
    stream = stream if stream is not None else sys.stderr
    env = os.environ if env is None else env
    if quiet or env.get("CI"):
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def bar(done: int, total: int | None, label: str, failed: int = 0) -> str:
    """One line of progress.

    >>> bar(3, 12, "fetching")
    'fetching [#######.....................]  3/12'
    >>> bar(5, None, "fetching", failed=1)
    'fetching 5 done, 1 failed'
    """
    if not total:
        tail = f", {failed} failed" if failed else ""
        return f"{label} {done} done{tail}"
    filled = min(WIDTH, WIDTH * done // total)
    width = len(str(total))
    tail = f", {failed} failed" if failed else ""
    return f"{label} [{'#' * filled}{'.' * (WIDTH - filled)}] {done:>{width}}/{total}{tail}"


def track(
    items: Iterable,
    *,
    total: int | None = None,
    label: str = "fetching",
    stream: TextIO | None = None,
    quiet: bool = False,
    env: Mapping[str, str] | None = None,
    failed=lambda item: False,
) -> Iterator:
    """Yield every item unchanged, drawing a bar on ``stream`` when ``enabled``.

    ``failed(item)`` tells which items count as failures in the bar.
    """
    stream = stream if stream is not None else sys.stderr
    if not enabled(stream, quiet=quiet, env=env):
        yield from items
        return
    done = bad = 0
    last = 0.0
    try:
        for item in items:
            done += 1
            bad += bool(failed(item))
            now = time.monotonic()
            if now - last >= EVERY:
                _draw(stream, bar(done, total, label, bad))
                last = now
            yield item
    finally:
        _draw(stream, bar(done, total, label, bad))
        stream.write("\n")
        stream.flush()


class Reading:
    """Wraps the records an audit gathers: ``reading 12,345 records, 8,210/s · file (n)``.

    Picklable (plain attributes), so a worker process of a split audit can draw it;
    ``audit`` gives it to the first worker only, which reads every source.
    """

    def __init__(self, *, quiet: bool = False, finish_later: bool = False):
        self.quiet = quiet
        self.finish_later = finish_later  # the caller ends the line: finish(result)

    def __call__(self, items: Iterable, stream: TextIO | None = None, env=None) -> Iterator:
        stream = stream if stream is not None else sys.stderr
        if not enabled(stream, quiet=self.quiet, env=env):
            return iter(items)
        return self._drawn(items, stream)

    def _drawn(self, items: Iterable, stream: TextIO) -> Iterator:
        per_source: dict[str, int] = {}
        done, started, last, source = 0, time.monotonic(), 0.0, ""
        self._stream, self._seen, self._started = stream, 0, started
        try:
            for item in items:
                done += 1
                self._seen += _is_observation(item)
                source = source_of(item)
                per_source[source] = per_source.get(source, 0) + 1
                now = time.monotonic()
                if now - last >= EVERY:
                    _draw(stream, reading(done, now - started, source, per_source[source]))
                    last = now
                yield item
        finally:
            self._done, self._sources = done, len(per_source)
            self._elapsed = time.monotonic() - started
            _draw(stream, read_line(done, self._elapsed, len(per_source)))
            self._open = True  # the line ends in finish(): the engine may add records
            if not self.finish_later:
                self.finish()

    def finish(self, result=None) -> None:
        """End the bar's line. With the run's ``result``, the last line counts every
        observation, those the duckdb engine read straight from a file (never passing
        through the iterator) included; the sources are then the ones seen here, and the
        line says that others were read by the engine.

        >>> import io
        >>> class Tty(io.StringIO):
        ...     def isatty(self): return True
        >>> class Run: observations = 25  # and 2 items (bad records) passed here
        >>> shown, bar = Tty(), Reading(finish_later=True)
        >>> list(bar(iter([1, 2]), stream=shown, env={}))
        [1, 2]
        >>> bar.finish(Run())
        >>> shown.getvalue().rsplit("\x1b[2K", 1)[-1].replace("0.0 s", "T").split(" (")[0]
        'read 27 records from 1 source and files the engine read in T'
        """
        if not getattr(self, "_open", False):
            return
        self._open = False
        stream = self._stream
        claimed = max(0, (getattr(result, "observations", 0) or 0) - self._seen)
        if claimed:
            done = self._done + claimed
            _draw(stream, read_line(done, self._elapsed, self._sources, engine=True))
        stream.write("\n")
        stream.flush()


def _is_observation(item) -> bool:
    from .model import Observation

    return isinstance(item, Observation)


def source_of(item) -> str:
    """The file (or URL) a gathered item came from: an observation's, a bad record's, a
    failed source's.

    >>> from consistency.model import Location, SourceFailure
    >>> class Item:
    ...     source = Location("exports/a.csv", 3)
    >>> source_of(Item()), source_of(SourceFailure("web", "https://x", "timed out"))
    ('exports/a.csv', 'https://x')
    """
    where = getattr(item, "source", None)
    return str(getattr(where, "file", where) or "")


def reading(done: int, seconds: float, source: str, in_source: int) -> str:
    """The line drawn while reading.

    >>> reading(12345, 1.5, "exports/phone/calls.csv", 4000)
    'reading 12,345 records, 8,230/s · exports/phone/calls.csv 4,000'
    """
    rate = done / seconds if seconds > 0 else 0
    shown = source if len(source) <= 48 else "…" + source[-47:]
    return f"reading {done:,} records, {rate:,.0f}/s · {shown} {in_source:,}"


def read_line(done: int, seconds: float, sources: int, *, engine: bool = False) -> str:
    """The line left when reading is done; ``engine``: some files were read by the duckdb
    engine itself, so the sources counted here are not all of them.

    >>> read_line(500000, 62.5, 3)
    'read 500,000 records from 3 sources in 62.5 s (8,000/s)'
    >>> read_line(27, 1.0, 4, engine=True)
    'read 27 records from 4 sources and files the engine read in 1.0 s (27/s)'
    """
    rate = done / seconds if seconds > 0 else 0
    many = "source" if sources == 1 else "sources"
    more = " and files the engine read" if engine else ""
    return f"read {done:,} records from {sources} {many}{more} in {seconds:.1f} s ({rate:,.0f}/s)"


def _draw(stream: TextIO, line: str) -> None:
    stream.write("\r\x1b[2K" + line)
    stream.flush()
