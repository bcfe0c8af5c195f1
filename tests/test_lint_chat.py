"""lint checks http-chat sources as audit does before it asks anything (issue 12 item 3):
a template over budget, or a bad option, is a file:line:col problem, and exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consistency.cli import main
from tests.helpers import PRICES, write

CHAT = """\
timezone: Asia/Jerusalem
price_list: prices.yaml
sources:
  - channel: chat
    fetch: http-chat
    url: http://127.0.0.1:9/chat
    allow_hosts: ["127.0.0.1"]
    ask: ["כמה עולה סיב 500?"]
    body: {{text: "{body}"}}
"""


@pytest.mark.parametrize(
    "body, says",
    [
        ("{{ range(10**9)|list }}", "range() of 1000000000 numbers"),  # CWE-400
        ("{{ 'a'|center(10**9) }}", "center"),  # CWE-400
        ("{{ question }}", None),  # a fine template: no problem
    ],
    ids=["range", "center", "fine"],
)
def test_lint_checks_chat_templates(tmp_path, body, says):
    write(tmp_path / "prices.yaml", PRICES)
    config = write(tmp_path / "consistency.yaml", CHAT.format(body=body))
    done = CliRunner().invoke(main, ["lint", "--config", str(config)])
    if says is None:
        assert done.exit_code == 0, done.output
        return
    assert done.exit_code == 2, done.output
    # at the template's own line, with its path (tryout 12 F6: was the source entry's line 4)
    assert "consistency.yaml:9:" in done.output and "sources[0].body.text" in done.output
    assert says in done.output
    assert "internal error" not in done.output
