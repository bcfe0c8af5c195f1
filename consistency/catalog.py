"""The check catalog, docs/checks.md, generated from the check modules' docstrings.

Run ``python -m consistency.catalog > docs/checks.md``; a test fails when the
committed file is not what this prints.
"""

from __future__ import annotations

import inspect
import json

from . import checks

HEADER = """\
# Check catalog

Generated from the check modules' docstrings by `python -m consistency.catalog`;
do not edit by hand. Every check is on in `rules/default.yaml`; a rule set
turns checks on by id, with `severity`, optional `warn`/`error` thresholds,
`window` and `channels` (see the README).

| check | kind | default severity |
| --- | --- | --- |
"""


def catalog() -> str:
    modules = [checks.get(name) for name in checks.names()]
    rows = [
        f"| [`{m.ID}`](#{m.ID}) | {m.KIND} | {m.DEFAULTS.get('severity', 'error')} |"
        for m in modules
    ]
    sections = [_section(m) for m in modules]
    return HEADER + "\n".join(rows) + "\n\n" + "\n\n".join(sections) + "\n"


def _section(module) -> str:
    doc = inspect.cleandoc(module.__doc__ or "")
    title, _, body = doc.partition("\n")
    summary = title.split(":", 1)[-1].strip()
    options = module.OPTIONS.get("properties") or {}
    lines = [f"## {module.ID}", "", summary, "", body.strip()]
    if options:
        lines += ["", "Option schema:", "", "```json", json.dumps(module.OPTIONS, indent=2), "```"]
    return "\n".join(lines).rstrip()


if __name__ == "__main__":  # pragma: no cover
    print(catalog(), end="")
