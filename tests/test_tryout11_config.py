"""The chat source's ``ask`` as docs/platforms.md shows it (/tmp/notes/tryout11.md, P9):
objects ``{question, answer}`` are accepted by the schema as the fetcher reads them, and a
wrong item gets a message that says what an item may be, not "a list is not text"."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from consistency.cli import main
from tests.helpers import write
from tests.test_tryout11_html import ANSWERS, PRICES

SOURCE = """\
timezone: Asia/Jerusalem
price_list: prices.yaml
answers: answers.yaml
sources:
  - channel: chat
    fetch: http-chat
    url: http://127.0.0.1:18711/api
    allow_hosts: ["127.0.0.1:18711"]
    body: {{text: "{{{{ question }}}}"}}
    reply: $.text
    ask: {ask}
"""

# (id, where it came from, the ask value, exit code, words the message must hold)
ROWS = [
    ("objects", "tryout 11 P9: docs/platforms.md's object form",
     '[{question: "כמה עולה?", answer: tv-price}, "free question"]', 0, "no problems"),
    ("object-without-answer", "tryout 11 P9: a free question as an object",
     '[{question: "כמה עולה?"}]', 0, "no problems"),
    ("strings", "tryout 11 P9 (held): plain question texts", '["כמה עולה?"]', 0, "no problems"),
    ("answers", "tryout 11 P9 (held): every approved answer's questions", "answers", 0,
     "no problems"),
    ("number-item", "tryout 11 P9: an item that is neither", '["ok", 42]', 2,
     "each a question text or {question: text, answer: id}"),
    ("unknown-key", "tryout 11 P9: an object with a key the fetcher ignores",
     '[{question: "q", extra: 1}]', 2, "each a question text or {question: text, answer: id}"),
    ("object-without-question", "tryout 11 P9: an object with no question",
     "[{answer: tv-price}]", 2, "each a question text or {question: text, answer: id}"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "where", "ask", "code", "words"), ROWS, ids=[r[0] for r in ROWS])
def test_ask_accepts_what_the_docs_show(name, where, ask, code, words, tmp_path):
    write(tmp_path / "prices.yaml", PRICES)
    write(tmp_path / "answers.yaml", ANSWERS)
    config = write(tmp_path / "consistency.yaml", SOURCE.format(ask=ask))
    result = CliRunner().invoke(main, ["lint", str(config)])
    assert result.exit_code == code, (where, result.output)
    assert words in result.output, (where, result.output)
    assert "a list is not text" not in result.output
