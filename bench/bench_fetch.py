"""How much the HTTP client's concurrency buys: 2,000 pages from a server that takes 20 ms each.

Runs a loopback server in a subprocess (so it does not share our GIL), fetches
every page through ``fetch_web`` with the default settings, then one page at a
time (``per_host=1, total=1``), and prints pages/second for each and the ratio.

    python bench/bench_fetch.py [--pages 2000] [--delay 0.02]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from consistency.inputs.config import SourceConfig
from consistency.model import Observation
from consistency.sources.http import HttpClient
from consistency.sources.web import fetch_web

PAGE = (
    '<html><head><script type="application/ld+json">{"@type": "Product", "name": "סיב 500",'
    ' "offers": {"@type": "Offer", "price": "99.90", "priceCurrency": "ILS"}}</script>'
    "</head><body><span class=price>₪99.90</span></body></html>"
).encode()


def serve(delay: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        wbufsize = 64 * 1024  # headers and body leave in one segment: no delayed-ACK stall
        disable_nagle_algorithm = True

        def do_GET(self):  # noqa: N802 (http.server's name)
            time.sleep(delay)
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(PAGE)))
            self.end_headers()
            self.wfile.write(PAGE)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    server.request_queue_size = 128
    print(server.server_address[1], flush=True)
    server.serve_forever()


def measure(port: int, pages: int, **client_kw) -> float:
    """Pages per second fetching ``pages`` pages through fetch_web."""
    urls = [{"url": f"http://127.0.0.1:{port}/p/{i}", "product": "p"} for i in range(pages)]
    source = SourceConfig("web", fetch="web", options={"allow_hosts": ["127.0.0.1"], "pages": urls})
    started = time.perf_counter()
    with HttpClient(["127.0.0.1"], **client_kw) as client:
        results = list(fetch_web(source, client))
    seconds = time.perf_counter() - started
    assert all(isinstance(r, Observation) for r in results), "a page failed"
    assert len(results) == pages
    return pages / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--delay", type=float, default=0.02)
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.delay)
        return
    cmd = [sys.executable, __file__, "--serve", "--delay", str(args.delay)]
    server = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())
        defaults = HttpClient(["127.0.0.1"])
        default_rate = measure(port, args.pages)
        serial_rate = measure(port, args.pages, per_host=1, total=1)
    finally:
        server.terminate()
        server.wait()
    print(f"pages: {args.pages}, server delay: {args.delay * 1000:.0f} ms")
    print(
        f"default (per_host={defaults.per_host}, total={defaults.total}): "
        f"{default_rate:8.1f} pages/s"
    )
    print(f"one at a time (per_host=1, total=1): {serial_rate:8.1f} pages/s")
    print(f"speed-up: {default_rate / serial_rate:.1f}x")


if __name__ == "__main__":
    main()
