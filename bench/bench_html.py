"""How big and how fast the HTML report is for 50,000 findings, and how long Chromium takes.

Run: python bench/bench_html.py [--findings N] [--page-size N] [--inline-rows N] [--no-embed]
Prints the render time, the page size in MB, how many findings are HTML rows, and
Chromium's wall times: for an empty page (the browser's own start-up), for the report,
and for the report opened at its last page (``#page=N``: that page drawn from its JSON
by the script). ``--dump-dom`` also serializes the whole DOM (the JSON blocks' text
included) to stdout; ``--screenshot`` loads, lays out and paints the first screen, which
is closer to what a reader waits for.
"""

from __future__ import annotations

import argparse
import re
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
PAGE_ID = re.compile(r'id="page-(\d+)"')  # a page of findings, numbered in report order
ROW = re.compile(r"<tr class=\"sev-")  # one finding drawn as an HTML row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=50_000)
    parser.add_argument("--page-size", type=int, default=500)
    parser.add_argument("--inline-rows", type=int, default=2000)
    parser.add_argument("--no-embed", action="store_true", help="leave later pages out (email)")
    args = parser.parse_args()
    result = sample_result(extra=args.findings - 6)
    options = {
        "page_size": args.page_size,
        "inline_rows": args.inline_rows,
        "embed_rest": not args.no_embed,
    }
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        began = time.perf_counter()
        with page.open("w", encoding="utf-8") as out:
            render(result, "html", out, options=options)
        rendered = time.perf_counter() - began
        text = page.read_text(encoding="utf-8")
        print(f"findings        {len(result.findings):,}")
        print(f"render          {rendered:.2f} s")
        print(f"size            {page.stat().st_size / 1e6:.1f} MB")
        print(f"HTML rows       {len(ROW.findall(text)):,}")
        if not Path(CHROMIUM).exists():
            print(f"chromium        not measured: {CHROMIUM} is not installed")
            return
        empty = Path(tmp) / "empty.html"
        empty.write_text("<!DOCTYPE html><title>empty</title>", encoding="utf-8")
        last = max(int(n) for n in PAGE_ID.findall(text))
        for label, url in (
            ("chromium empty", empty.as_uri()),
            ("chromium load", page.as_uri()),
            (f"chromium #page={last}", f"{page.as_uri()}#page={last}"),
        ):
            profile = Path(tmp) / f"profile-{len(label)}"
            dumped, dom = load(url, profile, "--dump-dom")
            painted, _ = load(url, profile, f"--screenshot={tmp}/shot.png")
            print(
                f"{label:<19} --dump-dom {dumped:.2f} s ({dom / 1e6:.1f} MB DOM),"
                f" --screenshot {painted:.2f} s"
            )


def load(url: str, profile: Path, *extra: str) -> tuple[float, int]:
    """Wall time of one headless Chromium run, and the length of what it printed."""
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    began = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=True)
    return time.perf_counter() - began, len(done.stdout)


if __name__ == "__main__":
    main()
