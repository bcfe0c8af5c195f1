"""The reading options of a file source (``encoding``, ``delimiter``, ``columns``, ``limits``...).

Built from the config (``inputs.config`` checks them at load time, each problem at
its YAML line) and handed to the file readers in ``sources``, which import them
from here: the options are inputs, below the readers.
"""

from __future__ import annotations

from codecs import lookup as codecs_lookup
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True)
class Limits:
    """How big one record may be; a record over a limit is an ``invalid-record``.

    Set per file source under ``limits:`` (docs/platforms.md, "Limits"). Sizes
    are in characters of decoded text, except ``file_size`` (bytes).
    """

    record_size: int = 1 << 20  # one JSON line, CSV record or JSON array element
    depth: int = 64  # nesting of JSON objects and arrays in one record
    number_digits: int = 64  # digits of one JSON number, and the largest exponent magnitude
    file_size: int = 64 << 20  # a file read whole: a spreadsheet or a platform export


@dataclass(frozen=True)
class FileOptions:
    """The reading options of one file source (``encoding``, ``delimiter``, ``columns``...).

    ``encoding`` and ``delimiter`` are detected when None; ``columns`` renames an
    export's column or key to a SPEC field; ``date_formats`` are ``strptime``
    formats tried after ISO 8601; ``sheet`` picks a spreadsheet's sheet.
    """

    encoding: str | None = None
    delimiter: str | None = None
    columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    date_formats: tuple[str, ...] = ()
    sheet: str | int | None = None
    limits: Limits = Limits()

    @classmethod
    def from_source(cls, options: Mapping) -> FileOptions:
        """The options as the config schema accepts them on a ``files:`` source."""
        formats = options.get("date_format") or ()
        limits = options.get("limits") or {}
        return cls(
            encoding=options.get("encoding"),
            delimiter=options.get("delimiter"),
            columns=MappingProxyType(dict(options.get("columns") or {})),
            date_formats=(formats,) if isinstance(formats, str) else tuple(formats),
            sheet=options.get("sheet"),
            limits=Limits(**{k: v for k, v in limits.items() if k in Limits.__dataclass_fields__}),
        )

    def problems(self, fmt: str = "records") -> list[tuple[str, str]]:
        """(option, message) for what is wrong: an unknown encoding, a bad date format, or an
        option of plain records set on a platform format (``fmt``), which would be ignored."""
        found = [
            (name, f"applies to format: records only, not {fmt}")
            for name in ("delimiter", "columns", "date_formats", "sheet")
            if fmt != "records" and getattr(self, name)
        ]
        found = [("date_format" if k == "date_formats" else k, m) for k, m in found]
        if self.encoding:
            try:
                codecs_lookup(self.encoding)
            except LookupError:
                found.append(
                    ("encoding", f"unknown encoding {self.encoding!r} (e.g. utf-8, windows-1255)")
                )
        for fmt in self.date_formats:
            try:
                datetime.strptime(datetime(2026, 12, 15, 9, 5).strftime(fmt), fmt)
            except ValueError as err:
                found.append(("date_format", f"{fmt!r} is not a strptime format ({err})"))
        return found
