"""A progress bar on stderr for long fetches; silent when nobody is watching.

It shows only when stderr is a terminal, ``CI`` is not set and ``--quiet`` was
not given, so logs, pipes and CI output stay clean. It counts the items of a
stream as they pass, with a total when one is known:

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


def _draw(stream: TextIO, line: str) -> None:
    stream.write("\r\x1b[2K" + line)
    stream.flush()
