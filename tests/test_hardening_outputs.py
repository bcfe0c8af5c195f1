"""Hostile places to write (issue 12, item 4): a clear message naming the path, exit 2, and
nothing half-written left behind.

Real file systems play the hostile parts: a read-only tmpfs, a 64 KB tmpfs filled
to the brim, a path through a file. Mounting needs root; without it those rows skip.
Each row names its class (CWE).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from consistency.errors import OutputError
from consistency.outputs import write_atomic, write_bytes_atomic

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "fixtures" / "demo" / "consistency.yaml"


def mounted(path: Path, options: str):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {done.stderr.decode().strip()}")
    return path


@pytest.fixture
def read_only(tmp_path):
    path = mounted(tmp_path / "ro", "size=64k,ro")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


@pytest.fixture
def full_disk(tmp_path):
    path = mounted(tmp_path / "full", "size=64k")
    try:
        fill_up(path)
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=True)


def fill_up(folder: Path) -> None:
    """Take every block of the file system ``folder`` is on."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(fd, b"x" * 4096):
            pass
    except OSError as exc:
        assert exc.errno == errno.ENOSPC
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Place:
    id: str
    target: Callable[[Path, Path, Path], Path]  # (tmp_path, read_only, full_disk) -> target
    reason: str
    cls: str


def _through_a_file(tmp: Path, ro: Path, full: Path) -> Path:
    (tmp / "a-file").write_text("not a folder", encoding="utf-8")
    return tmp / "a-file" / "report.json"


def _onto_a_folder(tmp: Path, ro: Path, full: Path) -> Path:
    (tmp / "report.json").mkdir()
    return tmp / "report.json"


PLACES = [
    Place("read-only-folder", lambda tmp, ro, full: ro / "reports" / "report.json",
          "read-only file system", "CWE-755 improper handling of exceptional conditions"),
    Place("read-only-file", lambda tmp, ro, full: ro / "report.json",
          "read-only file system", "CWE-755 improper handling of exceptional conditions"),
    Place("full-disk", lambda tmp, ro, full: full / "report.json",
          "the disk is full", "CWE-400 resource exhaustion (storage)"),
    Place("path-through-a-file", _through_a_file,
          "a part of the path is a file, not a folder", "CWE-755 improper handling"),
    Place("target-is-a-folder", _onto_a_folder, "it is a folder", "CWE-755 improper handling"),
]  # fmt: skip


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*.tmp")) if folder.is_dir() else []


@pytest.mark.parametrize("place", PLACES, ids=lambda p: p.id)
def test_a_write_that_cannot_happen_names_the_path_and_leaves_nothing(
    tmp_path, read_only, full_disk, place
):
    target = place.target(tmp_path, read_only, full_disk)
    with pytest.raises(OutputError) as caught:
        write_bytes_atomic(target, b"{}" * 40_000)
    assert place.reason in caught.value.reason, place.cls
    assert str(target.parent) in caught.value.path
    assert str(caught.value).startswith(f"cannot write {caught.value.path}: ")
    for folder in (tmp_path, read_only, full_disk):
        assert leftovers(folder) == []


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "consistency", *args],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("where", ["read-only", "full", "through-a-file"])
def test_audit_to_a_place_it_cannot_write_exits_2_with_the_path(
    tmp_path, read_only, full_disk, where
):
    output = {
        "read-only": read_only / "out",
        "full": full_disk / "out",
        "through-a-file": _through_a_file(tmp_path, read_only, full_disk).parent / "out",
    }[where]
    done = run_cli(
        "audit", "--config", str(DEMO), "--no-fetch", "--format", "json", "--format", "html",
        "--output", str(output), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    assert "consistency: cannot write " in done.stderr and "out" in done.stderr
    assert leftovers(output.parent) == []


def test_a_disk_that_fills_up_keeps_the_reports_already_written_whole(tmp_path):
    """The JSON report fits, the HTML one does not: JSON is whole, no HTML, no .tmp."""
    small = mounted(tmp_path / "small", "size=96k")
    try:
        done = run_cli(
            "audit", "--config", str(DEMO), "--no-fetch", "--format", "json",
            "--format", "html", "--output", str(small), cwd=tmp_path,
        )  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert f"cannot write {small / 'consistency.html'}: the disk is full" in done.stderr
        report = json.loads((small / "consistency.json").read_text(encoding="utf-8"))
        assert report["summary"]["observations"] > 0
        assert not (small / "consistency.html").exists()
        assert leftovers(small) == []
    finally:
        subprocess.run(["umount", str(small)], check=True)


# --- a run stopped part way leaves no temporary file -----------------------------------------

SLOW_WRITER = """
import sys, time
from pathlib import Path
from consistency.outputs import exit_on_sigterm, write_atomic

exit_on_sigterm()

def slow(stream):
    stream.write("half a report")
    stream.flush()
    print("writing", flush=True)
    time.sleep(60)

write_atomic(Path(sys.argv[1]), slow)
"""


def slow_writer(target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_stopped_run_removes_its_temporary_file(tmp_path, how):
    target = tmp_path / "report.txt"
    with slow_writer(target) as child:
        assert child.stdout.readline().strip() == "writing"
        assert len(leftovers(tmp_path)) == 1
        child.send_signal(how)
        child.wait(timeout=30)
    assert leftovers(tmp_path) == [] and not target.exists()


def test_a_killed_runs_temporary_file_is_removed_by_the_next_write(tmp_path):
    target = tmp_path / "report.txt"
    with slow_writer(target) as child:
        assert child.stdout.readline().strip() == "writing"
        child.kill()  # SIGKILL: no handler runs
        child.wait(timeout=30)
    assert len(leftovers(tmp_path)) == 1
    live = tmp_path / f".report.txt.consistency-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
    mine = tmp_path / ".notes.1.old.tmp"  # a user's own file that looks a little like one
    mine.write_text("keep", encoding="utf-8")
    live.write_text("a write of this very process, still going", encoding="utf-8")
    write_atomic(target, lambda stream: stream.write("whole"))
    assert target.read_text(encoding="utf-8") == "whole"
    assert leftovers(tmp_path) == sorted([mine.name, live.name])  # only the orphan went


def test_an_unusable_history_still_writes_the_report(tmp_path, read_only):
    """issue 12: a read-only history folder lost the whole run; no report was written."""
    demo = DEMO.parent
    config = tmp_path / "consistency.yaml"
    config.write_text(
        f"timezone: Asia/Jerusalem\nprice_list: {demo / 'prices.yaml'}\n"
        f"answers: {demo / 'answers.yaml'}\nhistory: {read_only / 'history.sqlite'}\n"
        f"sources:\n  - channel: phone\n    files: ['{demo}/exports/phone/*.csv']\n",
        encoding="utf-8",
    )
    done = run_cli(
        "audit", "--config", str(config), "--format", "json", "--output", str(tmp_path / "r.json"),
        cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "ro/history.sqlite" in done.stderr  # shown relative to the working directory
    assert "internal error" not in done.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["summary"]["observations"] > 0
