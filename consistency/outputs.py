"""Atomic output files: written to a temporary file beside the target, then renamed over it.

A reader never sees a half-written report, and a failed write leaves the old file.
Every file the tool writes (reports, baselines, .eml files, evidence) goes through here.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO


def write_atomic(target: Path, write: Callable[[TextIO], None]) -> Path:
    """Call ``write(stream)`` on a UTF-8 text file that replaces ``target`` when done."""

    def fill(out: BinaryIO) -> None:
        with open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False) as stream:
            write(stream)

    return _replace(Path(target), fill)


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to a file that replaces ``target`` when done."""
    return _replace(Path(target), lambda out: out.write(data))


def _replace(target: Path, fill: Callable[[BinaryIO], object]) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for others too
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
