"""Atomic output files: written to a temporary file beside the target, then renamed over it.

A reader never sees a half-written report, and a failed write leaves the old file.
Every file the tool writes (reports, baselines, .eml files, evidence) goes through here.

A write that fails because of the place (a read-only folder, a full disk, a path
through a file, no permission) raises ``OutputError`` naming the path and why; the
temporary file is removed first. A run stopped by SIGTERM or Ctrl-C removes its
temporary file too (see :func:`exit_on_sigterm`), and one killed outright (SIGKILL)
leaves ``.<name>.<pid>.<random>.tmp``, which the next write to the same target
removes once that process is gone.
"""

from __future__ import annotations

import errno
import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO, TextIO

from .errors import OutputError

# errno -> what it means for a file the tool writes
REASONS = {
    errno.EROFS: "the folder is on a read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EISDIR: "it is a folder",
    errno.ENAMETOOLONG: "the name is too long",
    errno.ENOENT: "the folder does not exist",
}


def write_atomic(target: Path, write: Callable[[TextIO], None]) -> Path:
    """Call ``write(stream)`` on a UTF-8 text file that replaces ``target`` when done."""

    def fill(out: BinaryIO) -> None:
        with open(out.fileno(), "w", encoding="utf-8", newline="", closefd=False) as stream:
            write(stream)

    return _replace(Path(target), fill)


def write_bytes_atomic(target: Path, data: bytes) -> Path:
    """Write ``data`` to a file that replaces ``target`` when done."""
    return _replace(Path(target), lambda out: out.write(data))


def reason(exc: OSError) -> str:
    """An OSError in words for a person.

    >>> reason(OSError(errno.ENOSPC, "No space left on device"))
    'the disk is full'
    """
    return REASONS.get(exc.errno, exc.strerror or str(exc))


def _replace(target: Path, fill: Callable[[BinaryIO], object]) -> Path:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # the folder's name, or one above it, is taken by a file
        raise OutputError(target.parent, REASONS[errno.ENOTDIR]) from None
    except OSError as exc:
        raise OutputError(target.parent, reason(exc)) from None
    _remove_orphans(target)
    try:
        fd, temp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise OutputError(target, reason(exc)) from None
    try:
        with os.fdopen(fd, "wb") as out:
            fill(out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temp, 0o666 & ~_umask())  # mkstemp makes 0600; a report is for others too
        os.replace(temp, target)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise OutputError(target, reason(exc)) from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def _remove_orphans(target: Path) -> None:
    """Remove temporary files of ``target`` left by processes that no longer run."""
    for temp in target.parent.glob(f".{_glob_escape(target.name)}.*.tmp"):
        pid = temp.name[len(target.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _running(int(pid)):
            temp.unlink(missing_ok=True)


def _glob_escape(name: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in name)


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


def exit_on_sigterm() -> None:
    """Make SIGTERM end the program like Ctrl-C does, so half-written files are removed.

    Only when SIGTERM still has its default action (a host program's handler stays).
    """
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)


def _terminated(signum, frame) -> None:
    sys.exit(128 + signum)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
