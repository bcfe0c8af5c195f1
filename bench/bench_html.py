"""How big and how fast the HTML report is for 50,000 findings, and how long Chromium takes.

Run: python bench/bench_html.py [--findings N] [--page-size N]
Prints the render time, the page size in MB and Chromium's --dump-dom wall time.
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from consistency.report import render
from consistency.report.sample import sample_result

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=500)
    args = parser.parse_args()
    result = sample_result(extra=args.findings - 6)
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        began = time.perf_counter()
        with page.open("w", encoding="utf-8") as out:
            render(result, "html", out, options={"page_size": args.page_size})
        rendered = time.perf_counter() - began
        print(f"findings        {len(result.findings):,}")
        print(f"render          {rendered:.2f} s")
        print(f"size            {page.stat().st_size / 1e6:.1f} MB")
        if not Path(CHROMIUM).exists():
            print(f"chromium        not measured: {CHROMIUM} is not installed")
            return
        command = [CHROMIUM, *FLAGS, f"--user-data-dir={tmp}/profile", "--dump-dom", page.as_uri()]
        began = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
        loaded = time.perf_counter() - began
        print(
            f"chromium load   {loaded:.2f} s (--dump-dom wall time, {len(done.stdout) / 1e6:.1f} MB DOM)"
        )


if __name__ == "__main__":
    main()
