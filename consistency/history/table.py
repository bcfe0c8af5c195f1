"""``consistency history``: the last days of an existing history file as a table or JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from ..errors import InputError, LoadError
from .store import History, SummaryRow


def _open_existing(path: Path | str) -> History:
    if not Path(path).is_file():
        message = "no history yet: run `consistency audit` with `history:` set in the config"
        raise InputError([LoadError(str(path), None, None, "history", message)])
    return History(path)


def history_rows(path: Path | str, days: int = 30, now: datetime | None = None) -> list[SummaryRow]:
    """The summary rows of an existing history file (InputError if there is none)."""
    return _open_existing(path).summary(days, now)


def history_table(path: Path | str, days: int = 30, now: datetime | None = None) -> str:
    """A plain-text table: one line per run, channel and rule, with counts and new ones."""
    rows = history_rows(path, days, now)
    header = ("run", "started (UTC)", "price list", "channel", "rule", "findings", "new")
    lines = [header]
    for row in rows:
        version = row.price_list_version or "-"
        if row.failed:
            version += " (failed)"
        lines.append(
            (
                str(row.run),
                row.started.strftime("%Y-%m-%d %H:%M"),
                version,
                row.channel or "-",
                row.rule or "-",
                str(row.findings),
                str(row.new),
            )
        )
    if len(lines) == 1:
        return f"no runs in the last {days} days\n"
    return _columns(lines)


def _columns(lines: list[tuple[str, ...]]) -> str:
    """Left-aligned text columns; the last two (numbers) right-aligned.

    >>> print(_columns([("a", "bb", "n", "m"), ("ccc", "d", "10", "2")]), end="")
    a    bb   n  m
    ccc  d   10  2
    """
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    out = []
    for line in lines:
        cells = [
            cell.rjust(width) if i >= len(line) - 2 else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        out.append("  ".join(cells).rstrip())
    return "\n".join(out) + "\n"


def history_json(path: Path | str, days: int = 30, now: datetime | None = None) -> str:
    """The same rows as ``history_table``, as a JSON document."""
    rows = []
    for row in history_rows(path, days, now):
        data = asdict(row)
        data["started"] = row.started.isoformat()
        data["channel"] = row.channel or None
        data["rule"] = row.rule or None
        rows.append(data)
    return json.dumps({"days": days, "rows": rows}, ensure_ascii=False, indent=2) + "\n"
