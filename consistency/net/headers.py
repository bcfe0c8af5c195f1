"""HTTP header checks and the ``${VAR}`` pattern, importing nothing of ours.

Both the config loader (``inputs``, which reports a bad header at its YAML line)
and the HTTP gate (``sources.http``, which refuses to send it) use these, so the
rule is written once. A header name is an RFC 9110 token; a value may hold no
line break or control character and only Latin-1 (RFC 9110 section 5.5).
"""

from __future__ import annotations

import re

ENV_VAR = re.compile(
    r"""
    \$\{                         # opening ${
    ( [A-Za-z_][A-Za-z0-9_]* )   # the variable name
    \}                           # closing }
    """,
    re.VERBOSE,
)
HEADER_NAME = re.compile(r"\A [!#$%&'*+.^_`|~0-9A-Za-z-]+ \Z", re.VERBOSE)  # RFC 9110 token
HEADER_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")


def header_problem(name: str, value: str) -> str | None:
    """Why a header cannot be sent as written, or None. The message never quotes the value.

    >>> header_problem("Authorization", "Bearer abc")
    >>> header_problem("Authorization", "Bearer abc\\n")
    'its value ends with whitespace or a line break'
    >>> header_problem("X-Question", "כמה עולה?")
    'its value has characters outside Latin-1 (such as Hebrew or €), which HTTP headers cannot carry; send them in the body or URL-encode them'
    >>> header_problem("Bad Name", "x")
    "'Bad Name' is not a valid header name"
    """
    if not HEADER_NAME.match(name):
        return f"{name!r} is not a valid header name"
    if value != value.lstrip(" \t"):
        return "its value starts with whitespace"
    if value != value.rstrip():
        return "its value ends with whitespace or a line break"
    if HEADER_CONTROL.search(value):
        return "its value holds a line break or a control character"
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        return (
            "its value has characters outside Latin-1 (such as Hebrew or €), which HTTP headers"
            " cannot carry; send them in the body or URL-encode them"
        )
    return None
