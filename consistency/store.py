"""The run's embedded columnar store: one DuckDB database in a temporary folder.

Grouped checks keep their per-record state here (customer-quote-conflict's
quotes), and the columnar path (``consistency.columnar``) reads plain exports
into it. DuckDB spills to the same folder past its memory limit, so a run's
memory is bounded whatever the number of records (``--memory-limit``, default
``DEFAULT_MEMORY``). The folder is removed when the store is closed.

Why DuckDB: it reads CSV, JSON and Parquet with its own parallel readers, sorts,
joins and groups out of core, and runs in the process with no server; SQLite
(tried first) took 10 s to insert and sort a million quotes, DuckDB 0.4 s.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from itertools import count
from pathlib import Path

import duckdb

from .outputs import interruptible, released

DEFAULT_MEMORY = "256MB"
MIN_MEMORY = ("128", "MB")  # below it DuckDB cannot pin the blocks it needs while spilling
MAX_MEMORY = ("1", "PB")  # far above any machine; DuckDB refuses some values beyond it
_UNITS = {"kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12, "pb": 10**15}
_UNITS |= {"kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}
_names = count()


def size_bytes(number: str, unit: str) -> float:
    """``("512", "MB")`` as bytes, as DuckDB reads its memory settings.

    >>> size_bytes("1.5", "GiB")
    1610612736.0
    """
    return float(number) * _UNITS[unit.lower()]


class Store:
    """One DuckDB connection with a memory limit, spilling to its own temporary folder.

    ``memory_limit`` is DuckDB's syntax (``"512MB"``, ``"2GB"``); ``threads`` None
    means every core.
    """

    def __init__(self, memory_limit: str = DEFAULT_MEMORY, threads: int | None = None):
        self.folder = Path(tempfile.mkdtemp(prefix="consistency-"))
        config = {
            "memory_limit": memory_limit,
            "temp_directory": str(self.folder / "spill"),
            "threads": threads or os.cpu_count() or 1,
            "preserve_insertion_order": True,
        }
        # In memory, spilling to temp_directory past memory_limit: no file to checkpoint.
        self.con = interruptible(duckdb.connect(":memory:", config=config))

    @property
    def threads(self) -> int:
        """The threads DuckDB runs a statement on now (``SET threads`` changes it)."""
        return int(self.con.execute("SELECT current_setting('threads')").fetchone()[0])

    def name(self, prefix: str) -> str:
        """A fresh table name, unique in this store."""
        return f"{prefix}_{next(_names)}"

    def path(self, name: str) -> Path:
        """A file path in the store's folder (removed with it)."""
        return self.folder / name

    def close(self) -> None:
        if self.con is not None:
            released(self.con)
            self.con.close()
            self.con = None
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
