"""Atomic output files: written to a temporary file beside the target, then renamed over it.

A reader never sees a half-written report, and a failed write leaves the old file.
Every file the tool writes (reports, baselines, .eml files, evidence) goes through here.

A write that fails because of the place (a read-only folder, a full disk, a path
through a file, no permission) raises ``OutputError`` naming the path and why; the
temporary file is removed first. A run stopped by SIGTERM or Ctrl-C removes its
temporary file too (see :func:`exit_on_sigterm`), and one killed outright (SIGKILL)
leaves ``.<name>.consistency-<pid>-<random>.tmp``, which the first write of a later run into
the same folder removes (the folder is swept once per process, so writing thousands
of evidence files does not list it thousands of times).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import signal
import sys
import tempfile
import threading
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
    _sweep_once(target.parent)
    try:
        fd, temp = tempfile.mkstemp(
            prefix=f".{target.name}.consistency-{os.getpid()}-", suffix=".tmp", dir=target.parent
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


# .<name>.consistency-<pid>-<random>.tmp: mkstemp's random part is 8 of [a-z0-9_]
_TEMP = re.compile(r"\A\..+\.consistency-(?P<pid>[0-9]+)-[a-z0-9_]{8}\.tmp\Z")
_swept: set[Path] = set()
_sweeping = threading.Lock()


def _sweep_once(folder: Path) -> None:
    """Remove temporary files in ``folder`` left by processes that no longer run (once)."""
    with _sweeping:
        if folder in _swept:
            return
        _swept.add(folder)
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return  # the write itself will say what is wrong with the folder
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and not _running(int(match["pid"])):
            with contextlib.suppress(OSError):  # another user's, or gone already: leave it
                Path(entry.path).unlink()


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


# Connections (DuckDB's) running queries a stopped run interrupts: Python runs a signal
# handler only between bytecodes, and a query can run for minutes without returning.
_INTERRUPTIBLE: set = set()
_STOPPED: list[int] = []  # the signal that stopped the run, once one has


def interruptible(connection):
    """Register ``connection`` (anything with ``interrupt()``) to be interrupted when the run
    is stopped; :func:`released` when it is closed. Returns it."""
    _INTERRUPTIBLE.add(connection)
    return connection


def released(connection) -> None:
    _INTERRUPTIBLE.discard(connection)


def stopped() -> int | None:
    """The exit code of a run stopped by SIGTERM or Ctrl-C (143, 130), else None: an error
    raised because a query was interrupted is then no bug."""
    return 128 + _STOPPED[0] if _STOPPED else None


def exit_on_sigterm() -> None:
    """Make SIGTERM end the program like Ctrl-C does, so half-written files are removed.

    Only when SIGTERM still has its default action (a host program's handler stays).
    A watcher thread learns of the signal at once (``signal.set_wakeup_fd``) and
    interrupts the running queries, so the handler gets to run.
    """
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
        signal.signal(signal.SIGTERM, _terminated)
        _watch_signals()


def _terminated(signum, frame) -> None:
    _STOPPED.append(signum)
    sys.exit(128 + signum)


def _watch_signals() -> None:
    try:
        read, write = os.pipe()
        os.set_blocking(write, False)
        previous = signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    except ValueError:  # not the main thread: leave signals as they are
        return
    if previous != -1:  # the host program listens already: give it back
        signal.set_wakeup_fd(previous)
        os.close(read)
        os.close(write)
        return
    threading.Thread(target=_interrupt_on_signal, args=(read,), daemon=True).start()


def _interrupt_on_signal(read: int) -> None:
    stopping = {signal.SIGTERM, signal.SIGINT}
    while data := os.read(read, 64):
        if stopping & set(data):
            if signal.SIGINT in data and not _STOPPED:
                _STOPPED.append(signal.SIGINT)
            for connection in list(_INTERRUPTIBLE):
                connection.interrupt()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
