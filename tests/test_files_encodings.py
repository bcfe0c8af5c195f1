"""Excel and platform exports as they really are (issue 11, item 6): encodings, delimiters,
column names, day-first dates and .xlsx, each honored when given and detected when not.

Rows say where their case comes from. Files are written the way the named program writes
them (its encoding, byte-order mark, delimiter and decimal mark).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.inputs.files import FileOptions
from consistency.model import InvalidRecord, Observation, SourceFailure
from consistency.sources.csvfile import sniff_delimiter
from consistency.sources.files import read_pattern
from consistency.sources.records import RecordContext
from consistency.sources.textfiles import detect_encoding
from tests.helpers import CHANNELS, PRICES, ROOT, TZ, local, write

CTX = RecordContext(TZ, "ILS", frozenset(CHANNELS), default_channel="phone")
HEBREW_ROWS = [
    ("phone", "2026-11-21T10:00", "fiber-500", "99.90", 'אמרתי ללקוח 99.90 ש"ח לחודש'),
    ("phone", "2026-11-21T11:30", "fiber-1000", "129.90", 'סיב גיגה במחיר מלא, כולל מע"מ'),
]


def read(path: Path, **options) -> list:
    ctx = replace(CTX, file=FileOptions(**options))
    return list(read_pattern(str(path), "records", ctx))


def observations(items) -> list[Observation]:
    return [i for i in items if isinstance(i, Observation)]


def csv_text(delimiter: str = ",", rows=HEBREW_ROWS, header=("channel", "at", "product")) -> str:
    head = [*header, "amount", "text"]
    lines = [delimiter.join(head)]
    lines += [delimiter.join(f'"{v}"' if delimiter in v or '"' in v else v for v in row)
              for row in ((*r[:4], r[4].replace('"', '""')) for r in rows)]  # fmt: skip
    return "\r\n".join(lines) + "\r\n"


# --- encodings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class EncodingRow:
    id: str
    encoding: str  # what the program wrote
    suffix: str
    delimiter: str
    source: str  # where the case comes from


ENCODING_ROWS = [
    EncodingRow("excel-csv-hebrew-windows", "cp1255", ".csv", ",",
                "Excel 'CSV (Comma delimited)' on Hebrew Windows writes the ANSI code page 1255"),
    EncodingRow("excel-csv-utf8", "utf-8-sig", ".csv", ",",
                "Excel 'CSV UTF-8 (Comma delimited)' writes a UTF-8 byte-order mark"),
    EncodingRow("excel-unicode-text", "utf-16", ".txt", "\t",
                "Excel 'Unicode Text (*.txt)': UTF-16 LE with a BOM, tab-separated"),
    EncodingRow("iso-8859-8-legacy", "iso-8859-8", ".csv", ",",
                "legacy Unix and IVR exports in ISO 8859-8 (Hebrew, logical order)"),
    EncodingRow("utf8-plain", "utf-8", ".csv", ",", "Google Sheets 'Download as CSV': UTF-8, no BOM"),
]  # fmt: skip


@pytest.mark.parametrize("row", ENCODING_ROWS, ids=lambda r: r.id)
def test_the_encoding_is_detected_when_not_given(tmp_path, row):
    path = tmp_path / f"calls{row.suffix}"
    path.write_bytes(csv_text(row.delimiter).encode(row.encoding))
    items = read(path)
    assert [o.text for o in items] == [r[4] for r in HEBREW_ROWS], row.source
    assert [o.amount for o in items] == [Decimal("99.90"), Decimal("129.90")]


@pytest.mark.parametrize("row", ENCODING_ROWS, ids=lambda r: r.id)
def test_a_declared_encoding_is_honored(tmp_path, row):
    path = tmp_path / f"calls{row.suffix}"
    path.write_bytes(csv_text(row.delimiter).encode(row.encoding))
    declared = {"utf-8-sig": "utf-8-sig", "utf-16": "utf-16"}.get(row.encoding, row.encoding)
    assert [o.text for o in read(path, encoding=declared)] == [r[4] for r in HEBREW_ROWS]


def test_a_short_windows_1255_file_is_read_as_hebrew_not_cyrillic(tmp_path):
    """charset-normalizer alone calls this sample cp1125 (Ukrainian): Hebrew is preferred
    among equally good readings."""
    path = tmp_path / "one.csv"
    path.write_bytes("channel,at,amount,text\nphone,2026-11-21,99.9,המחיר הוא\n".encode("cp1255"))
    with path.open("rb") as raw:
        assert detect_encoding(raw) == "cp1255"
    [obs] = read(path)
    assert obs.text == "המחיר הוא"


def test_hebrew_after_a_long_ascii_start_is_still_detected(tmp_path):
    """The first non-ASCII byte may come late: the guess is made from where it is."""
    ascii_rows = [("phone", "2026-11-20T09:00", "fiber-500", "99.90", "ok")] * 5000
    path = tmp_path / "late.csv"
    path.write_bytes(csv_text(rows=ascii_rows + HEBREW_ROWS).encode("cp1255"))
    items = read(path)
    assert len(items) == 5002 and items[-1].text == HEBREW_ROWS[-1][4]


def test_a_whole_file_in_the_wrong_declared_encoding_is_one_source_failure(tmp_path):
    """Issue 11: 'a whole unread phone export passes CI' (thousands of per-row warnings)."""
    rows = HEBREW_ROWS * 2000
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_text(rows=rows).encode("cp1255"))
    items = read(path, encoding="utf-8")
    assert not [i for i in items if isinstance(i, InvalidRecord)]
    [failure] = [i for i in items if isinstance(i, SourceFailure)]
    assert failure.source == str(path)
    assert (
        "4,000 lines are not utf-8 text" in failure.reason and "first at line 2" in failure.reason
    )


def test_an_unknown_encoding_name_is_a_source_failure(tmp_path):
    path = write(tmp_path / "calls.csv", csv_text())
    [failure] = read(path, encoding="windows-9999")
    assert isinstance(failure, SourceFailure) and "windows-9999" in failure.reason


# --- delimiters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DelimiterRow:
    id: str
    delimiter: str
    decimal: str
    source: str


DELIMITER_ROWS = [
    DelimiterRow("semicolon-european-excel", ";", ",",
                 "Excel in a locale whose list separator is ';' and decimal mark ',' (de, fr, it, ru)"),
    DelimiterRow("comma", ",", ".", "Excel and Sheets in he-IL and en-US"),
    DelimiterRow("tab", "\t", ".", "Excel 'Text (Tab delimited)' saved as .csv"),
    DelimiterRow("pipe", "|", ".", "contact-center data exports (Genesys, NICE) often use '|'"),
]  # fmt: skip


@pytest.mark.parametrize("row", DELIMITER_ROWS, ids=lambda r: r.id)
def test_the_delimiter_is_detected_when_not_given(tmp_path, row):
    rows = [(*r[:3], r[3].replace(".", row.decimal), r[4]) for r in HEBREW_ROWS]
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_text(row.delimiter, rows).encode("cp1255"))
    items = read(path)
    assert [o.amount for o in items] == [Decimal("99.90"), Decimal("129.90")], row.source
    assert [o.product for o in items] == ["fiber-500", "fiber-1000"]


def test_a_declared_delimiter_is_honored_even_when_the_sniffer_would_differ(tmp_path):
    # One column whose text holds many commas: only the declared ';' splits it right.
    path = write(tmp_path / "calls.csv", "at;amount;text\n2026-11-21;99.90;a,b,c,d,e\n")
    [obs] = read(path, delimiter=";")
    assert obs.text == "a,b,c,d,e" and obs.amount == Decimal("99.90")


def test_sniffing_prefers_what_the_header_holds():
    assert sniff_delimiter("channel;at;amount\nphone;2026-11-21;99,90\n") == ";"
    assert sniff_delimiter("a\tb\n1\t2\n", ".tsv") == "\t"
    assert sniff_delimiter("only\nvalue\n") == ","


# --- column names -------------------------------------------------------------------------


def test_columns_rename_an_exports_headers_to_spec_fields(tmp_path):
    """A Hebrew Excel export names its columns in Hebrew."""
    header = ("ערוץ", "תאריך", "מוצר")
    path = tmp_path / "calls.csv"
    path.write_bytes(csv_text(";", HEBREW_ROWS, header).encode("cp1255"))
    renames = {"ערוץ": "channel", "תאריך": "at", "מוצר": "product"}
    items = read(path, columns=renames)
    assert [o.product for o in items] == ["fiber-500", "fiber-1000"]
    assert items[0].at == local("2026-11-21T10:00")


def test_columns_rename_json_keys_too(tmp_path):
    path = write(tmp_path / "q.jsonl", '{"time": "2026-11-21T10:00", "price": "99.90"}\n')
    [obs] = read(path, columns={"time": "at", "price": "amount"})
    assert obs.amount == Decimal("99.90") and obs.channel == "phone"


def test_without_columns_an_unknown_header_is_an_invalid_record_naming_the_field(tmp_path):
    path = write(tmp_path / "q.csv", "תאריך,מחיר\n2026-11-21,99.90\n")
    [bad] = read(path)
    assert isinstance(bad, InvalidRecord) and bad.field == "at" and bad.source.line == 2


# --- day-first dates ----------------------------------------------------------------------


@dataclass(frozen=True)
class DateRow:
    id: str
    written: str
    formats: tuple[str, ...]
    expected: str | None  # None: an invalid record naming `at`
    source: str


DATE_ROWS = [
    DateRow("day-first-date", "15/12/2026", ("%d/%m/%Y",), "2026-12-15T00:00",
            "Excel in he-IL writes dates d/m/yyyy"),
    DateRow("day-first-time", "15/12/2026 09:30", ("%d/%m/%Y %H:%M",), "2026-12-15T09:30",
            "Excel in he-IL, a date-time cell saved as CSV"),
    DateRow("dotted-european", "15.12.2026 09:30", ("%d/%m/%Y", "%d.%m.%Y %H:%M"),
            "2026-12-15T09:30", "Excel in de-DE and ru-RU: d.m.yyyy; several formats tried in order"),
    DateRow("iso-still-read", "2026-12-15T09:30", ("%d/%m/%Y",), "2026-12-15T09:30",
            "ISO 8601 is always read first"),
    DateRow("no-format-given", "15/12/2026", (), None, "SPEC 3.3: ISO 8601 unless told"),
    DateRow("month-first-refused", "12/15/2026", ("%d/%m/%Y",), None,
            "a US month-first date under a day-first format is not guessed"),
]  # fmt: skip


@pytest.mark.parametrize("row", DATE_ROWS, ids=lambda r: r.id)
def test_date_formats(tmp_path, row):
    path = write(tmp_path / "q.csv", f"at,amount\n{row.written},99.90\n")
    [item] = read(path, date_formats=row.formats)
    if row.expected is None:
        assert isinstance(item, InvalidRecord) and item.field == "at", row.source
        assert row.written in item.reason
    else:
        assert isinstance(item, Observation) and item.at == local(row.expected), row.source


def test_a_bad_date_format_is_a_source_failure(tmp_path):
    path = write(tmp_path / "q.csv", "at,amount\n15/12/2026,99.90\n")
    [failure] = read(path, date_formats=("%d/%m/%Y %Q",))
    assert isinstance(failure, SourceFailure) and "%Q" in failure.reason


# --- spreadsheets -------------------------------------------------------------------------

XLSX = Path(__file__).resolve().parent / "data" / "files" / "calls-he.xlsx"


def test_xlsx_rows_are_records_with_their_excel_row_numbers():
    """tests/data/files/calls-he.xlsx: written by tests/data/files/make_xlsx.py (openpyxl-free:
    a minimal OOXML package), Hebrew headers, a typed date cell, a text day-first date,
    a number cell and an integral id."""
    items = read(XLSX, columns={"ערוץ": "channel", "תאריך": "at", "מחיר": "amount",
                                "מוצר": "product", "הערה": "text", "לקוח": "customer"},
                 date_formats=("%d/%m/%Y",))  # fmt: skip
    good = observations(items)
    assert [o.source.line for o in good] == [2, 3]
    assert good[0].at == local("2026-11-21T10:15") and good[0].amount == Decimal("99.9")
    assert good[0].customer == "1001" and good[0].text == 'אמרתי 99.90 ש"ח'
    assert good[1].at == local("2026-12-15T00:00") and good[1].product == "fiber-1000"
    [bad] = [i for i in items if isinstance(i, InvalidRecord)]
    assert bad.source.line == 5 and bad.field == "amount"


def test_a_file_that_is_not_a_spreadsheet_is_a_source_failure(tmp_path):
    path = write(tmp_path / "calls.xlsx", "channel,at\n")
    [failure] = read(path)
    assert isinstance(failure, SourceFailure) and "spreadsheet" in failure.reason


# --- the whole run ------------------------------------------------------------------------


def _project(folder: Path, source: str) -> Path:
    write(folder / "prices.yaml", PRICES)
    config = f"timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n  - {source}\n"
    return write(folder / "consistency.yaml", config)


def audit(config: Path) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "consistency", "audit", "--config", str(config)]
    return subprocess.run(command + ["--format", "json"], capture_output=True, text=True)


def test_an_export_in_the_wrong_encoding_fails_the_run_with_one_message(tmp_path):
    (tmp_path / "exports").mkdir()
    path = tmp_path / "exports" / "calls.csv"
    path.write_bytes(csv_text(rows=HEBREW_ROWS * 500).encode("cp1255"))
    config = _project(tmp_path, "{channel: phone, files: [exports/*.csv], encoding: utf-8}")
    result = audit(config)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("not utf-8 text") == 1 and "calls.csv" in result.stderr
    report = json.loads(result.stdout)
    assert [f["rule"] for f in report["findings"]].count("invalid-record") == 0


def test_the_same_export_with_options_honored_audits_cleanly(tmp_path):
    (tmp_path / "exports").mkdir()
    rows = [(*r[:3], r[3].replace(".", ","), r[4]) for r in HEBREW_ROWS]
    rows = [(r[0], "21/11/2026 10:00", *r[2:]) for r in rows]
    header = ("ערוץ", "תאריך", "מוצר")
    path = tmp_path / "exports" / "calls.csv"
    path.write_bytes(csv_text(";", rows, header).encode("cp1255"))
    source = ('{channel: phone, files: [exports/*.csv], date_format: "%d/%m/%Y %H:%M", '
              "columns: {ערוץ: channel, תאריך: at, מוצר: product}}")  # fmt: skip
    result = audit(_project(tmp_path, source))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["summary"]["observations"] == 2


# --- the documented example -----------------------------------------------------------------


def test_the_documented_file_source_example_is_valid_and_honored():
    """docs/platforms.md, 'Export files as they really are': its YAML passes the config
    schema, and every option in it reaches the reader."""
    import jsonschema
    import yaml

    doc = (ROOT / "docs" / "platforms.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Export files as they really are") :]
    block = section[
        section.index("```yaml") + 7 : section.index("```", section.index("```yaml") + 7)
    ]
    config = {"price_list": "prices.yaml"} | yaml.safe_load(block)
    schema = json.loads((ROOT / "consistency" / "schemas" / "config.schema.json").read_text())
    jsonschema.validate(config, schema)
    options = FileOptions.from_source(config["sources"][0])
    assert options.problems() == []
    assert (options.encoding, options.delimiter) == ("windows-1255", ";")
    assert options.columns["מחיר"] == "amount" and len(options.date_formats) == 2
    assert options.limits.record_size == 1048576
    assert FileOptions.from_source(config["sources"][1]).sheet == "מכירות"


def test_a_delimiter_makes_any_file_csv(tmp_path):
    """An option the schema accepts is honored: `delimiter` on a `.dat` export."""
    path = write(tmp_path / "calls.dat", "at|amount\n2026-11-21|99.90\n")
    [obs] = read(path, delimiter="|")
    assert obs.amount == Decimal("99.90")


@pytest.mark.parametrize(
    "option, says",
    [("encoding: windows-9999", "sources[0].encoding: unknown encoding 'windows-9999'"),
     ('date_format: "%d/%m/%Y %Q"', "sources[0].date_format: '%d/%m/%Y %Q' is not a strptime")],
    ids=["encoding", "date-format"],
)  # fmt: skip
def test_a_bad_file_option_is_a_config_error_at_its_line(tmp_path, option, says):
    write(tmp_path / "exports" / "calls.csv", csv_text())
    config = _project(tmp_path, "channel: phone\n    files: [exports/*.csv]\n    " + option)
    for command in ("lint", "audit"):
        done = subprocess.run(
            [sys.executable, "-m", "consistency", command, "--config", str(config)],
            capture_output=True,
            text=True,
        )
        said = done.stdout + done.stderr  # lint lists problems on stdout (issue 9, item 5)
        assert done.returncode == 2, said
        assert f"{config}:6:" in said and says in said, said


def test_excels_sep_line_names_the_delimiter_and_is_not_the_header(tmp_path):
    """Excel reads a first line 'sep=;' as the delimiter (and exports for Excel write it)."""
    path = write(tmp_path / "calls.csv", "sep=;\nat;amount;customer\n15/12/2026;99,90;7\n")
    [obs] = read(path, date_formats=("%d/%m/%Y",))
    assert (obs.amount, obs.customer, obs.source.line) == (Decimal("99.90"), "7", 3)


def test_excels_text_formula_cells_are_their_text(tmp_path):
    """Exports made for Excel keep leading zeros as ="0501234567" (a formula giving text)."""
    path = write(tmp_path / "calls.csv", 'at,amount,customer\n2026-11-21,99.90,="0501234567"\n')
    [obs] = read(path)
    assert obs.customer == "0501234567"
