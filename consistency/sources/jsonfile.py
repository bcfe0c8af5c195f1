"""JSON records with limits: JSON Lines, and a JSON array decoded one element at a time.

Numbers are read as exact values (Decimal), and absurd ones, records over
``limits.record_size`` and nesting over ``limits.depth`` are refused as
``invalid-record`` without holding them in memory (SPEC 3.3; docs/limits.md).
Platform adapters (``sources/platforms``) use the same decoder and array reader.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..inputs.files import Limits
from ..model import InvalidRecord, Location, SourceFailure
from .records import RecordContext, to_observation
from .textfiles import CHUNK, OVER, UNDECODED, Undecoded, bounded_lines, over_limit


class OverLimit(ValueError):
    """A record over one of the :class:`Limits` (raised from inside the JSON decoder)."""


def json_decoder(limits: Limits) -> json.JSONDecoder:
    """A decoder that reads numbers as exact values and refuses absurd ones (a 4,301-digit
    integer, ``1E+999999999``) with :class:`OverLimit`, instead of stalling or failing later.
    ``-0`` stays a signed Decimal so that it can be refused as an amount."""
    digits = limits.number_digits

    def integer(token: str):
        if len(token) - token.startswith("-") > digits:
            raise OverLimit(f"a number of {len(token):,} digits (limits.number_digits: {digits})")
        return Decimal(token) if token == "-0" else int(token)

    def real(token: str) -> Decimal:
        if len(token) <= 20 and "e" not in token and "E" not in token:
            return Decimal(token)  # the common case: a plain decimal, within every limit
        mantissa, _, exponent = token.lower().partition("e")
        size = sum(c.isdigit() for c in mantissa)
        if size > digits or len(exponent) > 12:
            raise OverLimit(f"a number of {size:,} digits (limits.number_digits: {digits})")
        try:
            value = Decimal(token)
        except InvalidOperation:
            raise OverLimit(f"{token[:40]!r} is not a number") from None
        if value and abs(value.adjusted()) > digits:
            raise OverLimit(f"{token[:40]} is out of range (exponent over {digits})")
        return value

    return json.JSONDecoder(parse_int=integer, parse_float=real, object_pairs_hook=_one_per_key)


def _one_per_key(pairs: list[tuple[str, object]]) -> dict:
    """An object's members as a dict; a key written twice is refused (:class:`OverLimit`),
    since JSON readers keep either the first or the last value (RFC 8259 4; CWE-436)."""
    found = dict(pairs)
    if len(found) < len(pairs):
        seen: set[str] = set()
        twice = next(key for key, _ in pairs if key in seen or seen.add(key))
        raise OverLimit(f"the key {twice[:80]!r} appears twice in one object")
    return found


def decode_json(decoder: json.JSONDecoder, text: str, limits: Limits):
    """(value, None) or (None, reason) for one JSON text, depth and numbers checked."""
    try:
        value = decoder.decode(text)
    except OverLimit as err:
        return None, str(err)
    except json.JSONDecodeError as err:
        return None, f"not JSON: {err.msg}"
    except RecursionError:
        return None, too_deep_reason(limits)
    if text.count("[") + text.count("{") <= limits.depth:
        return value, None  # fewer brackets than the limit: it cannot nest deeper
    return checked_depth(value, limits)


def checked_depth(value, limits: Limits):
    return (None, too_deep_reason(limits)) if too_deep(value, limits.depth) else (value, None)


def too_deep_reason(limits: Limits) -> str:
    return f"nested deeper than the limit of {limits.depth} (limits.depth)"


def too_deep(value, limit: int) -> bool:
    """Whether ``value`` nests objects and arrays more than ``limit`` deep (no recursion).

    >>> too_deep({"a": [{"b": 1}]}, 3), too_deep({"a": [{"b": []}]}, 3)
    (False, True)
    """
    stack = [(value, 1)] if isinstance(value, dict | list) else []
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return True
        children = node.values() if isinstance(node, dict) else node
        stack.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def read_json_lines(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    name, limits = str(path), ctx.file.limits
    decoder = json_decoder(limits)
    for number, line in bounded_lines(text, limits.record_size):
        where = Location(name, number)
        if line is OVER:
            yield over_limit(where, f"line {number}", limits.record_size, ctx)
            continue
        if UNDECODED.search(line):
            tally.add(number)
            continue
        if not line.strip() or (number == 1 and not line.lstrip("\ufeff").strip()):
            continue
        yield from_json_line(line.lstrip("\ufeff"), where, ctx, decoder)


def from_json_line(line: str, where: Location, ctx: RecordContext, decoder=None):
    """One JSON Lines record as an Observation or InvalidRecord."""
    limits = ctx.file.limits
    record, problem = decode_json(decoder or json_decoder(limits), line, limits)
    if problem:
        return InvalidRecord(where, problem, None, ctx.default_channel, line[:200])
    return _from_object(record, where, ctx)


def _from_object(record, where: Location, ctx: RecordContext):
    """The record's Observation or InvalidRecord."""
    if not isinstance(record, dict):
        return InvalidRecord(where, "a record must be a JSON object", None, ctx.default_channel)
    if ctx.file.columns:
        record = {ctx.file.columns.get(k, k): v for k, v in record.items()}
    return to_observation(record, where, ctx)


def read_json_array(text, path: Path, ctx: RecordContext, tally: Undecoded) -> Iterator:
    """Decode ``[{...}, {...}]`` one element at a time, counting lines as it goes."""
    name = str(path)
    for where, value in json_array_values(text, name, ctx, tally):
        if isinstance(value, InvalidRecord | SourceFailure):
            yield value
        else:
            yield _from_object(value, where, ctx)


@dataclass
class _Cursor:
    """Where the array decoder stands: its text buffer, position and line."""

    chunks: Iterator[str]
    buffer: str = ""
    pos: int = 0
    line: int = 1
    started: bool = False
    ended: bool = False

    def more(self) -> bool:
        """Append the next chunk (dropping what was read); False at the end of the file."""
        chunk = next(self.chunks, "")
        if not chunk:
            self.ended = True
            return False
        self.buffer, self.pos = self.buffer[self.pos :] + chunk, 0
        return True

    def advance(self, end: int) -> None:
        self.line += self.buffer.count("\n", self.pos, end)
        self.pos = end


def json_array_values(text, name: str, ctx: RecordContext, tally: Undecoded) -> Iterator:
    """(Location, element) for each element of a top-level JSON array, streamed; an element
    that cannot be read is (Location, InvalidRecord). An element over ``record_size``,
    too deep or with an absurd number is skipped without holding it in memory."""
    limits = ctx.file.limits
    decoder = json_decoder(limits)
    cur = _Cursor(iter(lambda: text.read(CHUNK), ""))
    while True:
        _skip_between(cur)
        if cur.pos >= len(cur.buffer) and not cur.more():
            return
        if cur.buffer[cur.pos] == "]":
            return
        where = Location(name, cur.line)
        value, end, problem = _decode_element(decoder, cur, limits)
        if end is None:  # not JSON, or cut off: the structure is unknown from here on
            reason = problem or "not JSON: the file ends inside an element"
            yield where, InvalidRecord(where, reason, None, ctx.default_channel)
            return
        undecoded = UNDECODED.search(cur.buffer, cur.pos, end) if end > cur.pos else None
        cur.advance(end)
        if undecoded:
            tally.add(where.line)
        elif problem:
            yield where, InvalidRecord(where, problem, None, ctx.default_channel)
        else:
            value, problem = checked_depth(value, limits)
            yield (
                where,
                value
                if problem is None
                else InvalidRecord(where, problem, None, ctx.default_channel),
            )


def _skip_between(cur: _Cursor) -> None:
    """Step over white space, the opening bracket and the commas between elements."""
    while True:
        match = _BETWEEN.match(cur.buffer, cur.pos)
        cur.advance(match.end())
        if cur.pos < len(cur.buffer) and cur.buffer[cur.pos] == "[" and not cur.started:
            cur.started = True
            cur.pos += 1
            continue
        if cur.pos < len(cur.buffer) or not cur.more():
            return


_BETWEEN = re.compile(r"[\s,]*")


def _decode_element(decoder, cur: _Cursor, limits: Limits):
    """(value, end, problem): the element at the cursor, reading more text while it is cut off.
    ``end`` None means the text is not JSON (problem says why) or ends inside the element
    (problem None)."""
    while True:
        try:
            value, end = decoder.raw_decode(cur.buffer, cur.pos)
        except (OverLimit, RecursionError) as err:
            reason = str(err) if isinstance(err, OverLimit) else None
            end = _skip_value(cur)
            return None, end, reason or too_deep_reason(limits)
        except json.JSONDecodeError as err:
            if len(cur.buffer) - cur.pos > limits.record_size:
                end = _skip_value(cur)
                return None, end, _element_over(limits)
            if cur.more():
                continue
            return None, None, f"not JSON: {err.msg}" if err.pos < len(cur.buffer) else None
        if end < len(cur.buffer) or cur.ended or not cur.more():  # a number may go on
            if end - cur.pos > limits.record_size:
                return None, end, _element_over(limits)
            return value, end, None


def _element_over(limits: Limits) -> str:
    return f"an element over the limit of {limits.record_size:,} characters (limits.record_size)"


_OUTSIDE = re.compile(r'["\[\]{},]')


def _next_special(buffer: str, pos: int, in_string: bool) -> tuple[str, int] | None:
    """The next character that matters to :func:`_skip_value`, and its index (``str.find`` in
    strings: a long string is skipped at memory speed)."""
    if not in_string:
        match = _OUTSIDE.search(buffer, pos)
        return (match.group(), match.start()) if match else None
    quote = buffer.find('"', pos)
    escape = buffer.find("\\", pos, len(buffer) if quote == -1 else quote)
    if escape != -1:
        return "\\", escape
    return ('"', quote) if quote != -1 else None


def _cannot_close(buffer: str, pos: int, depth: int) -> bool:
    """Whether the rest of ``buffer`` holds no string and too few closing brackets to get back
    to depth 0 (so it can be stepped over with counts instead of one step per bracket)."""
    if buffer.find('"', pos) != -1:
        return False
    return buffer.count("]", pos) + buffer.count("}", pos) < depth


def _depth_change(buffer: str, pos: int) -> int:
    opened = buffer.count("[", pos) + buffer.count("{", pos)
    return opened - buffer.count("]", pos) - buffer.count("}", pos)


def _skip_value(cur: _Cursor) -> int | None:
    """The end of the JSON value at the cursor, found without decoding it (strings, brackets and
    escapes tracked), reading and dropping text as it goes; None at the end of the file."""
    depth, in_string, pos = 0, False, cur.pos
    while True:
        if depth and not in_string and _cannot_close(cur.buffer, pos, depth):
            depth += _depth_change(cur.buffer, pos)  # a run of brackets: skip it whole
            cur.advance(len(cur.buffer))
            if not cur.more():
                return None
            pos = cur.pos
            continue
        found = _next_special(cur.buffer, pos, in_string)
        if found is None or (found[0] == "\\" and found[1] + 1 >= len(cur.buffer)):
            cur.advance(found[1] if found else len(cur.buffer))
            if not cur.more():
                return None
            pos = cur.pos
            continue
        char, at = found
        pos = at + 1
        if char == "\\":
            pos += 1
        elif char == '"':
            in_string = not in_string
            if not in_string and depth == 0:
                return pos
        elif char in "[{":
            depth += 1
        elif depth == 0:  # "," or a closing bracket ends a scalar at this level
            return at
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return pos
