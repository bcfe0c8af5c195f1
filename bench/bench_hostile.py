"""Issue 12's hostile inputs through the real command line: exit code, time and peak memory.

Each row runs ``python -m consistency ...`` in a fresh process under
``prlimit --as=2G`` and prints its exit code, wall time, peak resident memory
(from ``wait4``) and the first line it printed on stderr. Run from the repository:

    python bench/bench_hostile.py            # every row
    python bench/bench_hostile.py yaml       # only rows whose kind starts with "yaml"

The figures go into docs/limits.md and the issue's table.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import PRICES  # noqa: E402
from tests.test_hardening_leftovers import BIG_OUTPUTS  # noqa: E402
from tests.test_hardening_templates import ATTACKS  # noqa: E402

LIMIT = ["prlimit", "--as=2147483648", "--cpu=300"]


def run(args: list[str], cwd: Path) -> tuple[int, float, float, str]:
    """(exit code, seconds, peak MB, first stderr line) of one command-line run."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    with subprocess.Popen(
        [*LIMIT, sys.executable, "-m", "consistency", *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as child:
        stderr = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.monotonic() - started
    first = next((line for line in stderr.splitlines() if line.strip()), "")
    return child.returncode, seconds, usage.ru_maxrss / 1024, first


def template_rows(folder: Path, attacks=ATTACKS, kind: str = "template"):
    (folder / "prices.yaml").write_text(PRICES, encoding="utf-8")
    (folder / "consistency.yaml").write_text(
        "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\nsources: []\n",
        encoding="utf-8",
    )
    for attack in attacks:
        text = f"answers:\n  - id: a\n    answer: {json.dumps(attack.template)}\n"
        (folder / "answers.yaml").write_text(text, encoding="utf-8")
        yield kind, attack.name, ["lint", "--config", "consistency.yaml"]


def output_rows(folder: Path):
    """What a filter or a format writes (tryout 12 F2: tojson(indent=99999), 3.95 GB)."""
    yield from template_rows(folder, BIG_OUTPUTS, "output")


def laughs(levels: int, width: int) -> str:
    lines = ["l0: &l0 [" + ", ".join(["lol"] * width) + "]"]
    lines += [f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


MB = 1024 * 1024
# name -> (head, repeated piece, times, tail): big files are written piece by piece, so this
# process stays small (a child's peak memory includes its parent's at the fork).
YAML_FILES = {
    "nested-anchors-1.3KB": (laughs(9, 9), "#", 1300 - len(laughs(9, 9)), "\n"),
    "aliases-50MB": ("a: &a [x]\nb: [", "*a, ", 50 * MB // 4, "*a]\n"),
    "aliases-15MB": ("a: &a [x]\nb: [", "*a, ", 15 * MB // 4, "*a]\n"),
    "items-15MB": ("b: [", "xx, ", 15 * MB // 4, "x]\n"),
    "int-4301-digits": ("products:\n  - {id: a, price: ", "9", 4301, "}\n"),
    "exponent-1E+999999999": ("tolerance: {amount: 1.0e+999999999}\nproducts: []\n", "", 0, ""),
}


def write_repeated(path: Path, head: str, piece: str, times: int, tail: str) -> None:
    with open(path, "w", encoding="utf-8") as out:
        out.write(head)
        for done in range(0, times, 65536):
            out.write(piece * min(65536, times - done))
        out.write(tail)


def yaml_rows(folder: Path):
    for name, parts in YAML_FILES.items():
        path = folder / f"{name}.yaml"
        write_repeated(path, *parts)
        yield "yaml", name, ["lint", str(path)]


def result_rows(folder: Path):
    write_repeated(folder / "deep.json", "", "[", 100_000, "]" * 100_000)
    yield "result", "json-nested-100000", ["report", str(folder / "deep.json")]
    (folder / "huge.json").write_text('{"a": ' + "9" * 5000 + "}", encoding="utf-8")
    yield "result", "json-int-5000-digits", ["report", str(folder / "huge.json")]


def flag_rows(folder: Path):
    demo = str(ROOT / "fixtures" / "demo" / "consistency.yaml")
    for flag in (["--until", "9999-12-31"], ["--since", "0001-01-01T00:00+14:00"]):
        yield "flag", " ".join(flag), ["audit", "--config", demo, "--no-fetch", "-q", *flag]


def main(only: str = "") -> None:
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        print(f"{'kind':9} {'row':28} {'exit':>4} {'s':>6} {'MB':>6}  first line on stderr")
        for rows in (template_rows, output_rows, yaml_rows, result_rows, flag_rows):
            for kind, name, args in rows(folder):
                if not kind.startswith(only):
                    continue
                code, seconds, megabytes, first = run(args, folder)
                print(f"{kind:9} {name:28} {code:>4} {seconds:6.2f} {megabytes:6.0f}  {first[:90]}")


if __name__ == "__main__":
    main(*sys.argv[1:2])
