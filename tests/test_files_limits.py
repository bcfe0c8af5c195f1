"""Hostile observation files (issue 12, item 4, the file-reading part): bounded reading.

Every row names its class (CWE) and says what the probe tried. A record over a limit is
an ``invalid-record`` naming file, line and limit, and the records around it are still
read; a file that cannot be read as a file is one source failure. Memory bounds are
asserted by reading in a child process under ``prlimit --as`` (address space) with a
timeout, on files larger than the bound.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

import pytest

from consistency.inputs.files import FileOptions, Limits
from consistency.model import InvalidRecord, Observation, SourceFailure
from consistency.sources.files import read_pattern
from consistency.sources.records import RecordContext
from tests.helpers import PRICES, TZ, write

CTX = RecordContext(TZ, "ILS", frozenset({"web", "phone", "chat"}), default_channel="web")
GOOD = {"channel": "web", "at": "2026-11-21T10:00", "amount": "99.90"}
ROOT = Path(__file__).resolve().parent.parent


def good(ref: str) -> str:
    return json.dumps(GOOD | {"ref": ref})


def read(pattern, ctx: RecordContext = CTX) -> list:
    return list(read_pattern(str(pattern), "records", ctx))


# --- one bad record among good ones -------------------------------------------------------


@dataclass(frozen=True)
class Attack:
    id: str
    cwe: str
    suffix: str
    bad: Callable[[], str]  # the hostile record, as written in a file of that suffix
    says: str | None  # in the InvalidRecord's reason; None: read, as documented
    tried: str  # what the probe of issue 12 did


def _amount(raw: str) -> Callable[[], str]:
    return lambda: '{"channel": "web", "at": "2026-11-21", "amount": ' + raw + "}"


ATTACKS = [
    Attack("json-nested-3000", "CWE-674", ".jsonl", lambda: '{"a": ' + "[" * 3000 + "]" * 3000 + "}",
           "nested deeper than the limit of 64 (limits.depth)", "JSON nested ~2,000 deep aborted the audit"),
    Attack("json-nested-100", "CWE-674", ".jsonl", lambda: '{"a": ' + "[" * 100 + "]" * 100 + "}",
           "limits.depth", "nesting below the interpreter's limit but over ours"),
    Attack("int-4301-digits", "CWE-1284", ".jsonl", _amount("9" * 4301),
           "a number of 4,301 digits (limits.number_digits: 64)", "ended in 'internal error'"),
    Attack("int-4301-digits-in-text-field", "CWE-1284", ".jsonl",
           lambda: '{"channel": "web", "at": "2026-11-21", "text": "x", "customer": ' + "7" * 4301 + "}",
           "limits.number_digits", "a huge number in a field no check reads"),
    Attack("exponent-huge", "CWE-1284", ".jsonl", _amount("1E+999999999"),
           "out of range", "ended in 'internal error'"),
    Attack("exponent-tiny", "CWE-1284", ".jsonl", _amount("1E-999999999"),
           "out of range", "was taken silently as a price"),
    Attack("exponent-huge-string", "CWE-1284", ".jsonl", _amount('"1E+999999999"'),
           "not a price (over 1,000,000,000,000)", "the same number as a string"),
    Attack("exponent-tiny-string", "CWE-1284", ".jsonl", _amount('"1E-999999999"'),
           "not a price (under 0.00000001)", "was taken silently"),
    Attack("negative-zero", "CWE-1284", ".jsonl", _amount("-0"),
           "not a price (a negative sign)", "-0 was taken silently"),
    Attack("negative-zero-string", "CWE-1284", ".jsonl", _amount('"-0.00"'),
           "a negative sign", "-0.00 as text"),
    Attack("nan", "CWE-1284", ".jsonl", _amount("NaN"), "not a finite number", "JSON NaN"),
    Attack("infinity", "CWE-1284", ".jsonl", _amount("-Infinity"), "not a finite number",
           "JSON -Infinity"),
    Attack("arabic-indic-mixed", "CWE-1284", ".jsonl", _amount('"٩9.90"'),
           "mixes the digits of two scripts", "digits of two scripts in one amount"),
    Attack("long-line", "CWE-770", ".jsonl",
           lambda: '{"channel": "web", "at": "2026-11-21", "text": "' + "a" * (1 << 21) + '"}',
           "line 2 is over the limit of 1,048,576 characters (limits.record_size)",
           "one 50 MB JSON Lines record took 1.8 GB"),
    Attack("array-element-over", "CWE-770", ".json",
           lambda: '{"channel": "web", "at": "2026-11-21", "text": "' + "a" * (1 << 21) + '"}',
           "an element over the limit of 1,048,576 characters", "a huge element of a JSON array"),
    Attack("array-nested-3000", "CWE-674", ".json", lambda: "[" * 3000 + "]" * 3000,
           "limits.depth", "deep nesting inside a JSON array"),
    Attack("array-int-4301", "CWE-1284", ".json", _amount("9" * 4301),
           "limits.number_digits", "a huge integer inside a JSON array"),
]  # fmt: skip


def _file(tmp_path: Path, attack: Attack) -> Path:
    bad = attack.bad()
    if attack.suffix == ".json":
        text = "[\n" + good("before") + ",\n" + bad + ",\n" + good("after") + "\n]\n"
    else:
        text = good("before") + "\n" + bad + "\n" + good("after") + "\n"
    return write(tmp_path / f"attack{attack.suffix}", text)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: f"{a.cwe}-{a.id}")
def test_a_hostile_record_is_one_invalid_record_and_the_rest_is_read(tmp_path, attack):
    path = _file(tmp_path, attack)
    items = read(path)
    assert [type(i).__name__ for i in items] == ["Observation", "InvalidRecord", "Observation"], (
        attack.tried
    )
    before, bad, after = items
    assert (before.ref, after.ref) == ("before", "after")
    line = 3 if attack.suffix == ".json" else 2  # an array's elements start on line 2
    assert bad.source.file == str(path) and bad.source.line == line
    assert attack.says in bad.reason, bad.reason


@dataclass(frozen=True)
class Accepted:
    id: str
    raw: str
    amount: Decimal
    why: str


ACCEPTED = [
    Accepted("arabic-indic", '"٩٩٫٩٠"', Decimal("99.90"),
             "Unicode Nd digits of one script are digits (Arabic-Indic, U+0660-0669; ٫ U+066B)"),
    Accepted("extended-arabic-indic", '"۱۲۰"', Decimal("120"), "Persian digits, U+06F0-06F9"),
    Accepted("zero", "0", Decimal("0"), "a free item is a price of zero"),
    Accepted("float-noise", "99.90000000000001", Decimal("99.90000000000001"),
             "a JavaScript float written back: read exactly, compared within the tolerance"),
    Accepted("long-id-number", "12345678901234567890", Decimal("12345678901234567890"),
             "20 digits are within limits.number_digits (then over 1e12: not a price)"),
]  # fmt: skip


@pytest.mark.parametrize("row", ACCEPTED, ids=lambda r: r.id)
def test_documented_acceptances(tmp_path, row):
    path = write(tmp_path / "a.jsonl", _amount(row.raw)() + "\n")
    [item] = read(path)
    if row.amount > Decimal("1e12"):
        assert isinstance(item, InvalidRecord) and "not a price" in item.reason, row.why
    else:
        assert isinstance(item, Observation) and item.amount == row.amount, row.why


# --- CSV ----------------------------------------------------------------------------------

CSV_HEAD = "channel,at,amount,ref,text\n"


def _csv_row(ref: str, text: str = "ok") -> str:
    return f"web,2026-11-21T10:00,99.90,{ref},{text}\n"


def test_a_csv_field_over_128_kib_is_a_record_not_an_abort(tmp_path):
    """CWE-770: a 200 KB transcript field aborted the audit (csv's 131,072 field limit)."""
    transcript = '"' + "שלום " * 40_000 + '"'
    path = write(tmp_path / "calls.csv", CSV_HEAD + _csv_row("r1", transcript) + _csv_row("r2"))
    first, second = read(path)
    assert isinstance(first, Observation) and len(first.text) > 128 * 1024 // 2
    assert second.ref == "r2"


def test_a_csv_record_over_the_configured_limit_is_invalid_and_reading_goes_on(tmp_path):
    ctx = replace(CTX, file=FileOptions(limits=Limits(record_size=1000)))
    rows = _csv_row("r1") + _csv_row("r2", '"' + "x" * 5000 + '"') + _csv_row("r3")
    path = write(tmp_path / "calls.csv", CSV_HEAD + rows)
    items = read(path, ctx)
    assert [type(i).__name__ for i in items] == ["Observation", "InvalidRecord", "Observation"]
    assert items[1].source.line == 3 and "limits.record_size" in items[1].reason


def test_a_stray_quote_costs_its_own_line_not_the_rest_of_the_file(tmp_path):
    """CWE-20: one stray '"' opened a field that swallowed every following row."""
    rows = _csv_row("r1", '"unclosed') + "".join(_csv_row(f"r{i}") for i in range(2, 6))
    items = read(write(tmp_path / "calls.csv", CSV_HEAD + rows))
    assert isinstance(items[0], InvalidRecord) and items[0].source.line == 2
    assert "not CSV" in items[0].reason
    assert [o.ref for o in items[1:]] == ["r2", "r3", "r4", "r5"]
    assert [o.source.line for o in items[1:]] == [3, 4, 5, 6]


# --- the file itself ----------------------------------------------------------------------


def _tree(tmp_path: Path) -> Path:
    exports = tmp_path / "exports"
    (exports / "a" / "b").mkdir(parents=True)
    write(exports / "a" / "b" / "q.jsonl", good("deep") + "\n")
    write(exports / "top.jsonl", good("top") + "\n")
    return exports


@dataclass(frozen=True)
class FileAttack:
    id: str
    cwe: str
    make: Callable[[Path], str]  # builds the tree, returns the pattern
    refs: list[str]  # what is read
    failure: str | None  # in the one SourceFailure's reason
    tried: str


def _loop_dirs(tmp_path: Path) -> str:
    exports = _tree(tmp_path)
    os.symlink("..", exports / "a" / "b" / "up")  # b/up -> a
    os.symlink("../..", exports / "a" / "b" / "root")
    return str(exports / "**" / "*.jsonl")


def _symlink_loop(tmp_path: Path) -> str:
    exports = _tree(tmp_path)
    os.symlink("loop2.jsonl", exports / "loop1.jsonl")
    os.symlink("loop1.jsonl", exports / "loop2.jsonl")
    return str(exports / "loop1.jsonl")


def _dangling(tmp_path: Path) -> str:
    exports = _tree(tmp_path)
    os.symlink("gone.jsonl", exports / "link.jsonl")
    return str(exports / "link.jsonl")


def _folder(tmp_path: Path) -> str:
    return str(_tree(tmp_path) / "a")


def _fifo(tmp_path: Path) -> str:
    exports = _tree(tmp_path)
    os.mkfifo(exports / "pipe.jsonl")
    return str(exports / "*.jsonl")


def _two_names(tmp_path: Path) -> str:
    exports = _tree(tmp_path)
    os.symlink("top.jsonl", exports / "alias.jsonl")
    return str(exports / "*.jsonl")


FILE_ATTACKS = [
    FileAttack("directory-loop-under-globstar", "CWE-835", _loop_dirs, ["deep", "top"], None,
               "a directory loop under ** read each record 41 times"),
    FileAttack("symlink-loop", "CWE-59", _symlink_loop, [], "a loop of symbolic links",
               "a symlink loop aborted the run"),
    FileAttack("dangling-symlink", "CWE-59", _dangling, [], "a symbolic link to nothing",
               "a link to a deleted export"),
    FileAttack("directory-as-file", "CWE-20", _folder, [], "a folder, not a file",
               "a directory given as a file"),
    FileAttack("fifo-among-exports", "CWE-400", _fifo, ["top"], "not a regular file",
               "a named pipe blocks open() forever"),
    FileAttack("one-file-two-names", "CWE-835", _two_names, ["top"], None,
               "a symlink alias read the same records twice"),
]  # fmt: skip


@pytest.mark.parametrize("attack", FILE_ATTACKS, ids=lambda a: f"{a.cwe}-{a.id}")
def test_hostile_files_and_folders(tmp_path, attack):
    pattern = attack.make(tmp_path)
    items = read(pattern)
    assert sorted(o.ref for o in items if isinstance(o, Observation)) == attack.refs, attack.tried
    failures = [i for i in items if isinstance(i, SourceFailure)]
    if attack.failure is None:
        assert failures == []
    else:
        [failure] = failures
        assert attack.failure in failure.reason and str(tmp_path) in failure.source


def test_patterns_of_one_source_read_a_file_once(tmp_path):
    exports = _tree(tmp_path)
    seen: set = set()
    first = read_pattern(str(exports / "*.jsonl"), "records", CTX, seen)
    second = read_pattern(str(exports / "top.jsonl"), "records", CTX, seen)
    assert [o.ref for o in [*first, *second]] == ["top"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_an_unreadable_file_is_a_source_failure(tmp_path):
    path = write(tmp_path / "locked.jsonl", good("x") + "\n")
    path.chmod(0)
    [failure] = read(path)
    assert isinstance(failure, SourceFailure) and "ermission" in failure.reason


# --- memory and time, in a child process ----------------------------------------------------

BIG = 200 << 20  # bytes: bigger than the address space the child is allowed on top of Python
CHILD = """
import resource, sys
from zoneinfo import ZoneInfo
from consistency.sources.files import read_pattern
from consistency.sources.records import RecordContext
ctx = RecordContext(ZoneInfo("UTC"), "ILS", frozenset({"web"}), default_channel="web")
kinds = [type(item).__name__ for item in read_pattern(sys.argv[1], "records", ctx)]
print(" ".join(kinds))
"""


def _huge(path: Path, head: bytes, filler: bytes, tail: bytes) -> Path:
    with path.open("wb") as out:
        out.write(head)
        block = filler * ((1 << 20) // len(filler))
        for _ in range(BIG // len(block)):
            out.write(block)
        out.write(tail)
    return path


@dataclass(frozen=True)
class Huge:
    id: str
    cwe: str
    name: str
    head: bytes
    filler: bytes
    tail: bytes
    kinds: str
    tried: str


_REC = b'{"channel": "web", "at": "2026-11-21", "amount": 1}'
HUGE = [
    Huge("no-newline", "CWE-770", "flat.jsonl", b"", b"a", b"", "InvalidRecord",
         "a 2 GB file with no newline took 4.2 GB"),
    Huge("one-huge-jsonl-record", "CWE-770", "rec.jsonl", b'{"text": "', b"a", b'"}\n' + _REC,
         "InvalidRecord Observation", "one 50 MB JSON Lines record took 1.8 GB"),
    Huge("array-one-huge-string", "CWE-400", "arr.json", b"[" + _REC + b', "', b"a",
         b'", ' + _REC + b"]", "Observation InvalidRecord Observation",
         "a [-prefixed 2 GB JSON array ran past 600 s"),
    Huge("array-deep-brackets", "CWE-674", "deep.json", b"[" + _REC + b", ", b"[", b"",
         "Observation InvalidRecord", "a [-prefixed array of brackets"),
    Huge("csv-open-quote", "CWE-770", "q.csv", b'channel,at,amount,text\nweb,2026-11-21,1,"',
         b"a", b"\n" + b"web,2026-11-21,2,x\n", "InvalidRecord Observation",
         "a stray quote before 200 MB of text"),
]  # fmt: skip


@pytest.mark.skipif(shutil.which("prlimit") is None, reason="needs util-linux prlimit")
@pytest.mark.parametrize("row", HUGE, ids=lambda r: f"{r.cwe}-{r.id}")
def test_huge_files_are_read_in_bounded_memory(tmp_path, row):
    path = _huge(tmp_path / row.name, row.head, row.filler, row.tail)
    limit = 160 << 20  # address space: Python and the package fit, the file does not
    command = ["prlimit", f"--as={limit}", sys.executable, "-c", CHILD, str(path)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == row.kinds.split(), row.tried


# --- the whole run ------------------------------------------------------------------------


def test_an_audit_over_every_hostile_file_exits_2_without_an_internal_error(tmp_path):
    exports = tmp_path / "exports"
    exports.mkdir()
    for attack in ATTACKS:
        _file(exports, attack).rename(exports / f"{attack.id}{attack.suffix}")
    _loop_dirs(tmp_path / "tree")
    os.mkfifo(exports / "pipe.jsonl")
    write(tmp_path / "prices.yaml", PRICES)
    config = write(
        tmp_path / "consistency.yaml",
        "price_list: prices.yaml\nsources:\n"
        "  - {channel: web, files: ['exports/*.json*', 'tree/exports/**/*.jsonl', exports]}\n",
    )
    done = _audit(config, "--jobs", "1")
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    report = json.loads(done.stdout)
    invalid = [f for f in report["findings"] if f["rule"] == "invalid-record"]
    assert len(invalid) == len(ATTACKS)
    assert report["summary"]["observations"] == 2 * len(ATTACKS) + 2
    assert "a folder, not a file" in done.stderr and "not a regular file" in done.stderr


def _audit(config: Path, *options: str, timeout: float = 120) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "consistency", "audit", "--config", str(config), *options]
    return subprocess.run(
        command + ["--format", "json"], capture_output=True, text=True, timeout=timeout
    )


def test_a_directory_loop_does_not_stall_the_automatic_jobs_sizing(tmp_path):
    _loop_dirs(tmp_path)
    write(tmp_path / "prices.yaml", PRICES)
    config = write(
        tmp_path / "consistency.yaml",
        "price_list: prices.yaml\nsources:\n  - {channel: web, files: ['exports/**/*.jsonl']}\n",
    )
    done = _audit(config, timeout=20)
    assert done.returncode == 0, done.stderr


def test_a_spreadsheet_that_unpacks_past_the_limit_is_refused_before_reading(tmp_path):
    """CWE-409: an .xlsx is a zip; a small file can unpack to gigabytes."""
    import zipfile

    source = ROOT / "tests" / "data" / "files" / "calls-he.xlsx"
    path = tmp_path / "bomb.xlsx"
    with (
        zipfile.ZipFile(source) as original,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in original.infolist():
            data = original.read(info)
            if info.filename.endswith("sheet1.xml"):
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (8 << 20))
            out.writestr(info.filename, data)
    assert path.stat().st_size < 100_000
    ctx = replace(CTX, file=FileOptions(limits=Limits(file_size=4 << 20)))
    [failure] = read(path, ctx)
    assert isinstance(failure, SourceFailure) and "unpacked" in failure.reason
    assert "limits.file_size" in failure.reason
    within = read(path)  # the default limit: read (Hebrew headers without columns: bad rows)
    assert len(within) == 3 and not any(isinstance(i, SourceFailure) for i in within)
