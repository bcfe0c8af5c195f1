"""Why a record or a source could not be read, in the reader's language.

``invalid-record`` and ``channel-unreachable`` carry the engine's reason in English
(``consistency/sources/records.py``, ``consistency/sources/http.py``): ``unknown channel
'fax' (known: chat, phone, web)``, ``connection failed: … (after 4 attempts)``. The
reasons people meet most are matched here and said from the catalog, their values (the
field's text, a host, a count) kept as they are; any other reason stays as the engine
wrote it.

>>> from consistency.report.i18n import Formatter
>>> reason_text("cannot read 'תשעים' as an amount", Formatter("he"))
"לא ניתן לקרוא את 'תשעים' כסכום"
>>> reason_text("connection failed: [Errno 111] Connection refused (after 4 attempts)",
...             Formatter("he"))
'החיבור נכשל: [Errno 111] Connection refused (אחרי 4 ניסיונות)'
>>> reason_text("something new", Formatter("he"))
'something new'
"""

from __future__ import annotations

import re

from .i18n import Formatter


def N_(message: str) -> str:  # noqa: N802 - the gettext convention: marks a message for extraction
    return message


QUOTED = r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\""  # a value as Python's repr writes it
REASONS = [
    (rf"missing field (?P<field>{QUOTED})", N_("missing field %(field)s")),
    (
        rf"unknown channel (?P<value>{QUOTED}) \(known: (?P<known>.*)\)",
        N_("unknown channel %(value)s (known: %(known)s)"),
    ),
    (
        rf"cannot read (?P<value>{QUOTED}) as an ISO 8601 date or time",
        N_("cannot read %(value)s as an ISO 8601 date or time"),
    ),
    (rf"cannot read (?P<value>{QUOTED}) as an amount", N_("cannot read %(value)s as an amount")),
    (
        rf"(?P<value>{QUOTED}) mixes the digits of two scripts",
        N_("%(value)s mixes the digits of two scripts"),
    ),
    (rf"(?P<value>{QUOTED}) is not an ISO 4217 code", N_("%(value)s is not an ISO 4217 code")),
    (r"a record must be a JSON object", N_("a record must be a JSON object")),
    (r"a record needs an 'amount' or a 'text'", N_("a record needs an 'amount' or a 'text'")),
    (r"connection failed: (?P<detail>.+)", N_("connection failed: %(detail)s")),
    (
        rf"cannot resolve (?P<host>{QUOTED}): (?P<detail>.+)",
        N_("cannot resolve %(host)s: %(detail)s"),
    ),
    (r"no connection within (?P<num>[\d.]+) s", N_("no connection within %(num)s s")),
    (r"no response within (?P<num>[\d.]+) s", N_("no response within %(num)s s")),
    (rf"host (?P<host>{QUOTED}) is not in allow_hosts", N_("host %(host)s is not in allow_hosts")),
]
MATCHERS = [(re.compile(pattern + r"\Z", re.DOTALL), message) for pattern, message in REASONS]
ATTEMPTS = re.compile(r"(?P<rest>.+) \(after (?P<num>\d+) attempts?\)\Z", re.DOTALL)


def reason_text(reason: str, fmt: Formatter) -> str:
    """``reason`` said in ``fmt``'s locale when it is one the engine gives often, else as is."""
    retried = ATTEMPTS.match(reason)
    if retried:
        num = int(retried["num"])
        said = fmt.ngettext(
            "%(rest)s (after %(num)s attempt)", "%(rest)s (after %(num)s attempts)", num
        )
        return said % {"rest": reason_text(retried["rest"], fmt), "num": num}
    for matcher, message in MATCHERS:
        found = matcher.match(reason)
        if found:
            return fmt.gettext(message) % found.groupdict()
    return reason
