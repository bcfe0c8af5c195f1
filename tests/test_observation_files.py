"""Observation files (SPEC 3.3): JSON Lines, JSON arrays and CSV, read record by record.

Every record keeps its file:line; a bad record is an InvalidRecord naming the field; a file
that cannot be read is a SourceFailure after the records already read. Streaming is shown
structurally: records appended to a file after reading began are still read.
"""

from __future__ import annotations

import json
import types
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.inputs.files import FileOptions
from consistency.model import InvalidRecord, Observation, SourceFailure
from consistency.sources import textfiles
from consistency.sources.files import read_pattern, read_records
from consistency.sources.records import RecordContext
from tests.helpers import CHANNELS, TZ, local, write, write_csv, write_jsonl

CTX = RecordContext(TZ, "ILS", frozenset(CHANNELS))
GOOD = {"channel": "web", "at": "2026-11-21T10:00", "product": "fiber-500", "amount": 99.9}


def read(path: Path, ctx: RecordContext = CTX) -> list:
    return list(read_records(path, ctx))


def observations(items) -> list[Observation]:
    return [i for i in items if isinstance(i, Observation)]


# --- JSON Lines -------------------------------------------------------------------------


def test_json_lines_keep_their_line_numbers(tmp_path):
    path = write(
        tmp_path / "q.jsonl",
        json.dumps(GOOD) + "\n\n   \n" + json.dumps(GOOD | {"amount": "95"}) + "\n",
    )
    first, second = read(path)
    assert (str(first.source), str(second.source)) == (f"{path}:1", f"{path}:4")
    assert (first.amount, second.amount) == (Decimal("99.9"), Decimal("95"))
    assert first.at == local("2026-11-21T10:00")
    assert first.currency == "ILS" and first.vat_included is True


def test_a_json_float_is_read_as_its_exact_decimal(tmp_path):
    path = write(tmp_path / "q.jsonl", '{"channel": "web", "at": "2026-11-21", "amount": 0.1}\n')
    [obs] = read(path)
    assert obs.amount == Decimal("0.1") and obs.at == local("2026-11-21T00:00")


def test_ids_are_stable_hashes_of_content_not_position(tmp_path):
    a = write_jsonl(tmp_path / "a.jsonl", [GOOD, GOOD | {"amount": 95}])
    b = write_jsonl(tmp_path / "b.jsonl", [{"x": 1}, GOOD | {"amount": 95}, GOOD])
    ids_a = sorted(o.id for o in observations(read(a)))
    ids_b = sorted(o.id for o in observations(read(b)))
    assert ids_a == ids_b and len(set(ids_a)) == 2


# --- JSON arrays ------------------------------------------------------------------------


def test_json_array_elements_over_many_lines_are_placed_at_their_first_line(tmp_path):
    text = "[\n" + ",\n".join(json.dumps(GOOD | {"ref": str(i)}, indent=2) for i in range(3))
    path = write(tmp_path / "q.json", text + "\n]\n")
    items = read(path)
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.startswith("{")]
    assert [o.source.line for o in items] == starts == [2, 9, 16]
    assert [o.ref for o in items] == ["0", "1", "2"]


def _element(i: int, amount: str) -> str:
    body = json.dumps(GOOD | {"ref": f"r{i}", "text": "x" * 40}, indent=2)
    return body.replace('"amount": 99.9', f'"amount": {amount}')


def _array_with_number_across_chunk(count: int) -> tuple[str, list[str]]:
    """An array whose amounts straddle the 64 KiB read boundaries (white space moves them)."""
    amounts = [f"{1000 + i}.{i % 100:02d}" for i in range(count)]
    parts, length = ["[\n"], 2
    for i, amount in enumerate(amounts):
        element = _element(i, amount) + (",\n" if i < count - 1 else "\n")
        boundary = (length // textfiles.CHUNK + 1) * textfiles.CHUNK
        gap = boundary - (length + element.index(amount) + 3)
        if 0 <= gap < 1000:  # the boundary falls after the amount's first three digits
            parts.append(" " * gap)
            length += gap
        parts.append(element)
        length += len(element)
    return "".join(parts) + "]\n", amounts


def test_json_array_bigger_than_the_read_chunk_splits_numbers_cleanly(tmp_path):
    text, amounts = _array_with_number_across_chunk(1500)
    assert len(text) > 3 * textfiles.CHUNK
    split = [
        k
        for k in range(textfiles.CHUNK, len(text), textfiles.CHUNK)
        if text[k - 1].isdigit() and text[k].isdigit()
    ]
    assert split, "the fixture must put a number across a chunk border"
    path = write(tmp_path / "big.json", text)
    items = read(path)
    assert [str(o.amount) for o in items] == amounts
    lines = text.splitlines()
    assert all(lines[o.source.line - 1].lstrip().startswith("{") for o in items)


def test_a_bare_number_across_the_chunk_border_is_one_invalid_record(tmp_path):
    head = "[" + json.dumps(GOOD | {"text": "y" * 50}) + ",\n"
    filler = " " * (textfiles.CHUNK - len(head) - 3)
    path = write(tmp_path / "n.json", head + filler + "123456,\n" + json.dumps(GOOD) + "]")
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Observation", "InvalidRecord", "Observation"]
    assert items[1].source.line == 2 and "JSON object" in items[1].reason


def test_a_broken_array_keeps_the_elements_before_the_break(tmp_path):
    path = write(tmp_path / "b.json", "[\n" + json.dumps(GOOD) + ",\n{oops}\n]")
    first, bad = read(path)
    assert isinstance(first, Observation)
    assert isinstance(bad, InvalidRecord) and bad.source.line == 3


# --- CSV --------------------------------------------------------------------------------


def test_csv_with_bom_quoted_hebrew_gershayim_and_extra_columns(tmp_path):
    rows = [
        {
            "id": "c1",
            "channel": "phone",
            "at": "2026-11-21T18:40",
            "product": "fiber-1000",
            "amount": '116.91 ש"ח',
            "text": 'אמרתי ללקוחה "116.91 ש""ח", כולל מע"מ',
            "notes": "עמודה שלא בתקן",
            "customer": "hh-1001",
        },
        {"id": "c2", "channel": "web", "at": "2026-11-21", "amount": "₪99.90", "text": "a,b"},
    ]
    path = tmp_path / "calls.csv"
    write_csv(path, rows)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    first, second = read(path)
    assert first.id == "c1" and first.amount == Decimal("116.91") and first.currency == "ILS"
    assert first.text == 'אמרתי ללקוחה "116.91 ש""ח", כולל מע"מ'
    assert first.customer == "hh-1001" and first.source.line == 2
    assert second.amount == Decimal("99.90") and second.text == "a,b" and second.source.line == 3


def test_csv_lines_count_quoted_newlines(tmp_path):
    rows = [GOOD | {"text": "שורה\nועוד שורה"}, GOOD | {"text": "אחת"}]
    path = write_csv(tmp_path / "m.csv", rows)
    assert [o.source.line for o in read(path)] == [2, 4]


def test_a_csv_row_wider_than_its_header_is_invalid(tmp_path):
    path = write(tmp_path / "w.csv", "channel,at,amount\nweb,2026-11-21,99.9,surplus\n")
    [bad] = read(path)
    assert isinstance(bad, InvalidRecord) and bad.source.line == 2 and "columns" in bad.reason


# --- amounts ----------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountRow:
    id: str
    raw: object
    amount: Decimal
    currency: str
    shows: str


AMOUNT_ROWS = [
    AmountRow("number", 89.9, Decimal("89.9"), "ILS", "a JSON number"),
    AmountRow("plain-string", "89.90", Decimal("89.90"), "ILS", "digits as text"),
    AmountRow("shekel-sign", "₪89.90", Decimal("89.90"), "ILS", "₪ before"),
    AmountRow("shekel-after", "89.90 ₪", Decimal("89.90"), "ILS", "₪ after"),
    AmountRow("gershayim-ascii", '89.90 ש"ח', Decimal("89.90"), "ILS", 'ASCII ש"ח'),
    AmountRow("gershayim-hebrew", "89.90 ש״ח", Decimal("89.90"), "ILS", "U+05F4 ש״ח"),
    AmountRow("nis", "NIS 89.9", Decimal("89.9"), "ILS", "NIS code"),
    AmountRow("thousands", "₪1,299.90", Decimal("1299.90"), "ILS", "a thousands comma"),
    AmountRow("dollars", "$10.90", Decimal("10.90"), "USD", "another currency"),
    AmountRow("padded", "  99.90 ", Decimal("99.90"), "ILS", "white space around"),
]


@pytest.mark.parametrize("row", AMOUNT_ROWS, ids=lambda r: r.id)
def test_amount_spellings(tmp_path, row):
    path = write_jsonl(tmp_path / "a.jsonl", [GOOD | {"amount": row.raw}])
    [obs] = read(path)
    assert (obs.amount, obs.currency) == (row.amount, row.currency), row.shows


# --- bad records ------------------------------------------------------------------------


@dataclass(frozen=True)
class BadRow:
    id: str
    line: str  # one JSON Lines line
    field: str | None
    says: str
    shows: str


def _j(**changes) -> str:
    record = {k: v for k, v in (GOOD | changes).items() if v is not ...}
    return json.dumps(record, ensure_ascii=False)


BAD_ROWS = [
    BadRow("missing-at", _j(at=...), "at", "missing field 'at'", "`at` is required"),
    BadRow("bad-date", _j(at="21/11/2026"), "at", "'21/11/2026'", "not ISO 8601"),
    BadRow("bad-month", _j(at="2026-13-01"), "at", "2026-13-01", "no 13th month"),
    BadRow("year-9999", _j(at="9999-12-31T23:59:59-14:00"), "at", "out of range", "overflow"),
    BadRow("year-1", _j(at="0001-01-01T00:00:00+14:00"), "at", "out of range", "underflow"),
    BadRow("unknown-channel", _j(channel="fax"), "channel", "'fax'", "not a configured channel"),
    BadRow("missing-channel", _j(channel=...), "channel", "'channel'", "`channel` is required"),
    BadRow("nan-literal", _j().replace("99.9", "NaN"), "amount", "not a price", "JSON NaN"),
    BadRow("nan-string", _j(amount="NaN"), "amount", "not a price", "the text NaN"),
    BadRow("infinity", _j().replace("99.9", "Infinity"), "amount", "not a price", "Infinity"),
    BadRow("negative", _j(amount=-5), "amount", "not a price", "a negative amount"),
    BadRow("words", _j(amount="תשעים"), "amount", "תשעים", "an amount it cannot read"),
    BadRow("no-amount-no-text", _j(amount=...), "amount", "'amount' or a 'text'", "empty"),
    BadRow("bool-amount", _j(amount=True), "amount", "True", "true is not a price"),
    BadRow("bad-vat-flag", _j(vat_included="maybe"), "vat_included", "maybe", "not a bool"),
    BadRow("bad-currency", _j(currency="shekel"), "currency", "ISO 4217", "not a code"),
    BadRow("currency-clash", _j(amount="$10", currency="ILS"), "currency", "USD", "two currencies"),
    BadRow("huge-amount", _j(amount="1e999999"), "amount", "1e999999", "beyond any price"),
    BadRow("array-line", "[1, 2]", None, "JSON object", "a JSON line that is not an object"),
    BadRow("string-line", '"web"', None, "JSON object", "a JSON string"),
    BadRow("not-json", "{channel: web}", None, "not JSON", "broken JSON"),
]


@pytest.mark.parametrize("row", BAD_ROWS, ids=lambda r: r.id)
def test_bad_records_name_file_line_and_field(tmp_path, row):
    path = write(tmp_path / "bad.jsonl", _j(ref="ok-before") + "\n" + row.line + "\n" + _j())
    before, bad, after = read(path)
    assert isinstance(before, Observation) and isinstance(after, Observation), row.shows
    assert isinstance(bad, InvalidRecord), row.shows
    assert str(bad.source) == f"{path}:2"
    assert bad.field == row.field, row.shows
    assert row.says in bad.reason, bad.reason


# --- unreadable files -------------------------------------------------------------------


def test_a_missing_file_is_a_source_failure(tmp_path):
    [failure] = read(tmp_path / "nope.jsonl")
    assert isinstance(failure, SourceFailure) and "nope.jsonl" in failure.source
    ctx = RecordContext(TZ, "ILS", frozenset(CHANNELS), default_channel="phone")
    [none] = list(read_pattern(str(tmp_path / "calls-*.csv"), "records", ctx))
    assert isinstance(none, SourceFailure) and none.channel == "phone"
    assert none.reason == "no file matches"


def test_an_unknown_format_is_a_source_failure(tmp_path):
    write_jsonl(tmp_path / "q.jsonl", [GOOD])
    [failure] = list(read_pattern(str(tmp_path / "q.jsonl"), "zendesk-9", CTX))
    assert isinstance(failure, SourceFailure) and "zendesk-9" in failure.reason


@pytest.mark.parametrize("good_lines", [3, 5000], ids=["small-file", "past-the-read-buffer"])
def test_a_line_the_declared_encoding_cannot_decode_fails_the_file_once(tmp_path, good_lines):
    path = tmp_path / "latin.jsonl"
    good = "".join(_j(ref=str(i)) + "\n" for i in range(good_lines)).encode()
    path.write_bytes(good + b'{"channel": "web", "text": "caf\xe9"}\n' + _j(ref="after").encode())
    items = read(path, replace(CTX, file=FileOptions(encoding="utf-8")))
    assert not [i for i in items if isinstance(i, InvalidRecord)]
    [failure] = [i for i in items if isinstance(i, SourceFailure)]
    assert failure.source == str(path) and f"first at line {good_lines + 1}" in failure.reason
    assert "1 line is not utf-8" in failure.reason and "encoding" in failure.reason
    refs = [o.ref for o in observations(items)]
    assert refs == [str(i) for i in range(good_lines)] + ["after"]


def test_a_latin1_byte_in_an_ascii_file_is_read_by_the_detected_encoding(tmp_path):
    path = tmp_path / "calls.csv"
    rows = [b"channel,at,amount,ref"] + [f"web,2026-11-21,99.90,r{i}".encode() for i in range(4)]
    rows.insert(3, b"web,2026-11-21,99.90,caf\xe9")
    path.write_bytes(b"\n".join(rows) + b"\n")
    items = read(path)
    assert [o.ref for o in observations(items)] == ["r0", "r1", "café", "r2", "r3"]
    assert [o.source.line for o in observations(items)] == [2, 3, 4, 5, 6]


def test_a_bad_byte_in_a_utf8_json_array_fails_the_file_and_keeps_the_rest(tmp_path):
    path = tmp_path / "quotes.json"
    good = ",\n".join(_j(ref=str(i)) for i in range(5000)).encode()
    tail = b',\n{"channel": "web", "text": "caf\xe9"},\n' + _j(ref="after").encode()
    path.write_bytes(b"[\n" + good + tail + b"\n]\n")
    items = read(path, replace(CTX, file=FileOptions(encoding="utf-8")))
    assert isinstance(items[-1], SourceFailure) and "first at line 5002" in items[-1].reason
    assert [o.ref for o in observations(items)] == [str(i) for i in range(5000)] + ["after"]


# --- streaming --------------------------------------------------------------------------


def _big_jsonl(path: Path, lines: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for i in range(lines):
            fh.write(_j(ref=f"r{i}") + "\n")


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "json"])
def test_reading_streams_records_appended_after_it_began_are_read(tmp_path, suffix):
    path = tmp_path / f"big.{suffix}"
    count = 200_000 if suffix == "jsonl" else 20_000
    if suffix == "jsonl":
        _big_jsonl(path, count)
        tail = _j(ref="appended") + "\n"
    elif suffix == "csv":
        write_csv(path, [GOOD | {"ref": f"r{i}"} for i in range(count)])
        tail = "web,2026-11-21T10:00,fiber-500,99.9,appended\n"
    else:
        write(path, "[" + ",\n".join(_j(ref=f"r{i}") for i in range(count)))
        tail = ",\n" + _j(ref="appended") + "]"
    stream = read_pattern(str(path), "records", CTX)
    assert isinstance(stream, types.GeneratorType)
    first = next(stream)
    assert first.ref == "r0"
    with path.open("a", encoding="utf-8") as fh:
        fh.write(tail)
    refs = [o.ref for o in stream]
    assert len(refs) == count and refs[-1] == "appended"
