"""Spreadsheet exports (``.xlsx``, ``.xlsm``, ``.xlsb``, ``.xls``, ``.ods``) as observation records.

Read with python-calamine (Rust's calamine: a maintained reader of every Excel
and OpenDocument format, fast and without formulas being run). The first sheet,
or the source's ``sheet`` (a name, or a 0-based index), holds a header row of
SPEC 3.3 field names (renamed by ``columns``) and one record per row; a record's
location is ``file:row`` as Excel numbers rows. A workbook bigger than
``limits.file_size`` once unpacked is refused before it is read. Cells typed as dates are read as
local date-times; a text date needs ``date_format``; integral numbers (ids,
whole prices) lose Excel's ``.0``.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from ..model import InvalidRecord, Location, SourceFailure
from .records import RecordContext, to_observation


def read_spreadsheet(path: Path, ctx: RecordContext) -> Iterator:
    """Every row of one sheet as an Observation or an InvalidRecord naming ``file:row``."""
    import python_calamine

    channel, limits = ctx.default_channel or "?", ctx.file.limits
    try:
        size = _unpacked_size(path)
        if size > limits.file_size:
            reason = f"{size:,} bytes unpacked, over the limit of {limits.file_size:,}"
            yield SourceFailure(channel, str(path), reason + " (limits.file_size)")
            return
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        sheet = _sheet(book, ctx.file.sheet)
    except OSError as err:
        yield SourceFailure(channel, str(path), err.strerror or str(err))
        return
    except (python_calamine.CalamineError, zipfile.BadZipFile, IndexError, ValueError) as err:
        yield SourceFailure(channel, str(path), f"cannot read it as a spreadsheet: {err}")
        return
    yield from _rows(sheet, str(path), ctx)


def _unpacked_size(path: Path) -> int:
    """The bytes a spreadsheet takes once read: the sum of its parts' unpacked sizes for the
    zipped formats (.xlsx, .xlsm, .xlsb, .ods: a zip bomb is refused before it is opened),
    else the file's size (.xls)."""
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as package:
            return sum(info.file_size for info in package.infolist())
    return os.path.getsize(path)


def _sheet(book, wanted):
    if wanted is None:
        return book.get_sheet_by_index(0)
    if isinstance(wanted, int):
        return book.get_sheet_by_index(wanted)
    return book.get_sheet_by_name(str(wanted))


def _rows(sheet, name: str, ctx: RecordContext) -> Iterator:
    first_row = (sheet.start or (0, 0))[0] + 1  # Excel's 1-based row number of the first row
    header, width = None, 0
    columns = ctx.file.columns
    for offset, cells in enumerate(sheet.iter_rows()):
        values = [_value(c) for c in cells]
        if not any(v not in (None, "") for v in values):
            continue
        where = Location(name, first_row + offset)
        if header is None:
            header = [columns.get(str(v).strip(), str(v).strip()) for v in values]
            width = len(header) - next(i for i, v in enumerate(reversed(values)) if v != "")
            continue
        extra = [v for v in values[width:] if v not in (None, "")]
        if extra:
            yield InvalidRecord(
                where, f"a cell right of the header's {width} columns", None, ctx.default_channel
            )
            continue
        record = {k: v for k, v in zip(header[:width], values, strict=False) if k}
        yield to_observation(record, where, ctx)


def _value(cell):
    """A cell as a record value: text stripped, integral floats as int, dates as ISO 8601."""
    if isinstance(cell, str):
        return cell.strip()
    if isinstance(cell, bool):
        return cell
    if isinstance(cell, float):
        return int(cell) if cell.is_integer() else Decimal(repr(cell))
    if isinstance(cell, datetime | date | time):
        return cell.isoformat()
    return cell
