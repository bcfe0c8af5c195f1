"""Run history in SQLite: which findings are new, which recur and since when, which resolved.

- :mod:`~consistency.history.store`: the :class:`History` file, recording runs and answering
  "since when" and "what resolved";
- :mod:`~consistency.history.schema`: its tables, one migration a version, and stored times;
- :mod:`~consistency.history.table`: ``consistency history``'s table and JSON.
"""

from __future__ import annotations

from .schema import MIGRATIONS, from_utc_text, utc_text
from .store import BASELINED, History, SummaryRow
from .table import history_json, history_rows, history_table

__all__ = [
    "BASELINED",
    "MIGRATIONS",
    "History",
    "SummaryRow",
    "from_utc_text",
    "history_json",
    "history_rows",
    "history_table",
    "utc_text",
]
