"""CSV and TSV records: the delimiter, Excel's habits, one bad record never sinking the file.

The delimiter is the source's ``delimiter``, else Excel's ``sep=`` first line, else
tab for ``.tsv``, else what ``csv.Sniffer`` and the header line agree on
(:func:`sniff_delimiter`). A record over ``limits.record_size`` or that is not CSV
is an ``invalid-record``, and reading starts again at its second line.
"""

from __future__ import annotations

import csv
import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..model import InvalidRecord, Location
from .records import RecordContext, to_observation
from .textfiles import OVER, SAMPLE, UNDECODED, Undecoded, bounded_lines, over_limit

DELIMITERS = ",;\t|"


class _RecordTooBig(Exception):
    pass


@dataclass
class _Feed:
    """The lines handed to ``csv.reader``: it keeps the current record's lines (at most the
    record limit), so that after a bad record reading starts again at its second line."""

    lines: Iterator
    limit: int
    tally: Undecoded
    replay: deque = field(default_factory=deque)
    record: list = field(default_factory=list)
    size: int = 0
    tainted: bool = False

    def __iter__(self):
        return self

    def __next__(self) -> str:
        number, line = self.replay.popleft() if self.replay else next(self.lines)
        self.record.append((number, line))
        if line is OVER:
            raise _RecordTooBig
        self.size += len(line)
        if self.size > self.limit:
            raise _RecordTooBig
        if UNDECODED.search(line):
            self.tainted = True
        return line

    def start(self) -> None:
        self.record, self.size, self.tainted = [], 0, False

    @property
    def first(self) -> int | None:
        return self.record[0][0] if self.record else None

    def restart_after_first(self) -> None:
        """Give back the record's lines after its first (an over-long line is dropped)."""
        self.replay.extendleft(reversed([(n, x) for n, x in self.record[1:] if x is not OVER]))
        self.start()


def read_csv(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    name, opts = str(path), ctx.file
    limit = opts.limits.record_size
    sample = text.read(SAMPLE)
    hint = _SEP_HINT.match(sample.lstrip("\ufeff"))
    delimiter = opts.delimiter or (hint and hint[1]) or sniff_delimiter(sample, path.suffix.lower())
    text.seek(0)
    if csv.field_size_limit() < limit:
        csv.field_size_limit(limit)  # a long transcript in one field is a record, not an error
    feed = _Feed(bounded_lines(text, limit), limit, tally)
    if hint:
        next(feed, None)  # Excel's "sep=;" line names the delimiter; it is not the header
    header = _csv_header(feed, delimiter, opts.columns)
    if header is None:
        return
    width = len(header)
    reader = csv.reader(feed, delimiter=delimiter, strict=True)
    while True:
        feed.start()
        try:
            row = next(reader)
        except StopIteration:
            return
        except (_RecordTooBig, csv.Error) as err:
            where = Location(name, feed.first)
            if isinstance(err, csv.Error):
                yield InvalidRecord(where, f"not CSV: {err}", None, ctx.default_channel)
            else:
                yield over_limit(where, f"the record at line {feed.first}", limit, ctx)
            feed.restart_after_first()
            reader = csv.reader(feed, delimiter=delimiter, strict=True)
            continue
        if feed.tainted:
            tally.add(feed.first)
            continue
        if item := _csv_row(row, header, width, Location(name, feed.first), ctx):
            yield item


# Excel reads (and some exports write) a first line "sep=;" naming the delimiter.
_SEP_HINT = re.compile(r"sep=([^\r\n])\r?\n", re.IGNORECASE)
# Excel's way to keep leading zeros in a CSV cell: ="0501234567".
_TEXT_FORMULA = re.compile(r'="(.*)"', re.DOTALL)


def _csv_header(feed: _Feed, delimiter: str, columns) -> list[str] | None:
    """The header's field names, renamed by ``columns``; ``OSError`` (a source error for
    the file) when one name is there twice, since either column could hold the value."""
    try:
        header = next(csv.reader(feed, delimiter=delimiter, strict=True), None)
    except (_RecordTooBig, csv.Error):
        raise OSError(0, "the CSV header line cannot be read") from None
    if header is None:
        return None
    if feed.tainted:
        feed.tally.add(feed.first)
    names = [columns.get(n, n) for n in (h.strip().lstrip("\ufeff").strip() for h in header)]
    twice = next((n for i, n in enumerate(names) if n and n in names[:i]), None)
    if twice is not None:  # which one holds the value would be a guess (CWE-436)
        renamed = " (after renaming by columns)" if twice not in header else ""
        raise OSError(0, f"the CSV header names the column {twice!r} twice{renamed}")
    return names


def _csv_row(row, header, width, where: Location, ctx: RecordContext):
    if not row or (len(row) == 1 and not row[0].strip()):
        return None
    if len(row) > width:
        return InvalidRecord(
            where, f"{len(row)} columns, the header has {width}", None, ctx.default_channel
        )
    cells = (m[1] if (m := _TEXT_FORMULA.fullmatch(cell)) else cell for cell in row)
    return to_observation(dict(zip(header, cells, strict=False)), where, ctx)


def sniff_delimiter(sample: str, suffix: str = ".csv") -> str:
    """The CSV delimiter of ``sample``: tab for ``.tsv``, else ``csv.Sniffer``'s choice when the
    header line holds it, else the candidate (``, ; tab |``) the header holds most, else ``,``.

    >>> sniff_delimiter("channel;at;amount\\nphone;15/12/2026;99,90\\n")
    ';'
    >>> sniff_delimiter("channel,at,amount\\nweb,2026-11-21,99.90\\n")
    ','
    """
    if suffix == ".tsv":
        return "\t"
    lines = sample.splitlines()[:50]
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut its last line
    header = next((line for line in lines if line.strip()), "")
    counts = {d: _count_outside_quotes(header, d) for d in DELIMITERS}
    try:
        found = csv.Sniffer().sniff("\n".join(lines), delimiters=DELIMITERS).delimiter
    except csv.Error:
        found = None
    if found and counts.get(found):
        return found
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _count_outside_quotes(line: str, char: str) -> int:
    return sum(part.count(char) for part in line.split('"')[::2])
