"""``consistency demo``: the whole pipeline on the bundled demo company, נטלינק.

The demo serves the company's web shop (``site/*.html``: JSON-LD, microdata, Open
Graph and a visible ``.price``) and its scripted chat bot (``bot.yaml``) on
127.0.0.1 at a free port, in this process. It writes a config that adds a
``fetch: web`` source and a ``fetch: http-chat`` source (``ask: answers``,
``repeat: 2``) to the company's file exports, and runs the full audit.

The company's files are found beside the package (``fixtures/demo`` in a
checkout) or inside it (``consistency/demo_company`` when installed).
"""

from __future__ import annotations

import itertools
import json
import re
import threading
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from jinja2.sandbox import SandboxedEnvironment

from .inputs.config import Config, load_config
from .inputs.yamlio import load_yaml
from .result import Result
from .text.display import money_text

PAGE_NAME = re.compile(
    r"""
    \A /shop/            # the shop's folder
    ( [a-z0-9][a-z0-9-]* # a page name: lower-case letters, digits, hyphens
      \.html )           # an HTML file
    \Z
    """,
    re.VERBOSE,
)
EXTRACT = ["jsonld", "microdata", "opengraph", {"css": ".price"}]


def demo_folder() -> Path:
    """The demo company's files: ``fixtures/demo`` in a checkout, else the packaged copy."""
    package = Path(__file__).resolve().parent
    for candidate in (package.parent / "fixtures" / "demo", package / "demo_company"):
        if (candidate / "prices.yaml").is_file():
            return candidate
    raise FileNotFoundError(
        f"the demo company is missing: neither {package.parent / 'fixtures' / 'demo'} "
        f"nor {package / 'demo_company'} holds prices.yaml"
    )


# -- the chat bot ---------------------------------------------------------------------


class Bot:
    """The scripted bot: each answer id's replies in turn, prices from the price list now."""

    def __init__(self, folder: Path, price) -> None:
        script = _read_yaml(folder / "bot.yaml")
        self.fallback = str(script.get("fallback", ""))
        self.replies = {key: list(value) for key, value in script.get("replies", {}).items()}
        self.routes = _questions(folder / "answers.yaml")
        self.turns: dict[str, itertools.count] = {key: itertools.count() for key in self.replies}
        self.sessions = itertools.count(1)
        self.lock = threading.Lock()
        env = SandboxedEnvironment(autoescape=False)
        env.globals["price"] = price
        self.env = env

    def answer(self, question: str, session: str) -> dict:
        """The bot's JSON reply to one message."""
        answer_id = self.routes.get(" ".join(question.split()))
        with self.lock:
            session = session or f"demo-{next(self.sessions)}"
            if answer_id in self.replies and self.replies[answer_id]:
                script = self.replies[answer_id]
                reply = script[next(self.turns[answer_id]) % len(script)]
            else:
                reply = self.fallback
        messages = reply if isinstance(reply, list) else [reply]
        texts = [self.env.from_string(str(m)).render() for m in messages]
        return {"session_id": session, "messages": [{"text": t} for t in texts if t]}


def _questions(path: Path) -> dict[str, str]:
    """question text -> approved answer id, from answers.yaml."""
    if not path.is_file():
        return {}
    routes = {}
    for answer in _read_yaml(path).get("answers", []):
        for question in answer.get("questions", []):
            routes[" ".join(str(question).split())] = str(answer["id"])
    return routes


def _read_yaml(path: Path) -> dict:
    """A demo file through the one YAML reader (errors at file:line:col, numbers Decimal)."""
    data, _ = load_yaml(path)
    return data or {}


class _Dumper(yaml.SafeDumper):
    """Writes the Decimals the reader made back as the YAML numbers they were."""


_Dumper.add_representer(
    Decimal, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:float", str(value))
)


def price_function(book, tz):
    """``price("id")``: the list price in effect now, as ``₪99.90``."""

    def price(product_id: str) -> str:
        amount = book.price_at(product_id, datetime.now(tz))
        return "" if amount is None else money_text(amount, book.currency)

    return price


# -- the server -----------------------------------------------------------------------


class DemoServer:
    """The shop pages and the bot on 127.0.0.1 at a free port, in a daemon thread."""

    def __init__(self, folder: Path, bot: Bot) -> None:
        self.folder = folder
        self.bot = bot
        handler = type("Handler", (_Handler,), {"demo": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def pages(self) -> list[str]:
        return sorted(p.stem for p in (self.folder / "site").glob("*.html"))

    def __enter__(self) -> DemoServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class _Handler(BaseHTTPRequestHandler):
    demo: DemoServer
    server_version = "netlink-demo/1"

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        if self.path in ("/", "/shop/"):
            links = "".join(f'<li><a href="/shop/{p}.html">{p}</a></li>' for p in self.demo.pages())
            self._send(HTTPStatus.OK, "text/html; charset=utf-8", f"<ul>{links}</ul>".encode())
            return
        match = PAGE_NAME.match(self.path)
        page = self.demo.folder / "site" / match.group(1) if match else None
        if page is None or not page.is_file():
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found")
            return
        self._send(HTTPStatus.OK, "text/html; charset=utf-8", page.read_bytes())

    def do_POST(self) -> None:  # noqa: N802 (the http.server API)
        if self.path != "/api/message":
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"not found")
            return
        length = int(self.headers.get("Content-Length") or 0)
        try:
            message = json.loads(self.rfile.read(length) or b"{}")
            text, session = str(message["text"]), str(message.get("session") or "")
        except (ValueError, KeyError, TypeError):
            body = json.dumps({"error": 'expected {"text": ..., "session": ...}'}).encode()
            self._send(HTTPStatus.BAD_REQUEST, "application/json", body)
            return
        reply = json.dumps(self.demo.bot.answer(text, session), ensure_ascii=False)
        self._send(HTTPStatus.OK, "application/json; charset=utf-8", reply.encode("utf-8"))

    def _send(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        """Quiet: the demo's output is the report."""


# -- the run --------------------------------------------------------------------------


def demo_config(folder: Path, server_url: str, pages: list[str], target: Path) -> Path:
    """Write the demo's config to ``target``: the company's sources plus the two fetchers."""
    data = _read_yaml(folder / "consistency.yaml")
    data["price_list"] = str(folder / data.get("price_list", "prices.yaml"))
    if "answers" in data or (folder / "answers.yaml").is_file():
        data["answers"] = str(folder / data.get("answers", "answers.yaml"))
    if "rules" in data:
        data["rules"] = [str(folder / r) for r in data["rules"]]
    for key in ("report", "history", "email"):
        data.pop(key, None)
    sources = [_absolute(s, folder) for s in data.get("sources", [])]
    sources.append(web_source(server_url, pages))
    if "answers" in data:
        sources.append(chat_source(server_url))
    data["sources"] = sources
    target.parent.mkdir(parents=True, exist_ok=True)
    header = "# Written by `consistency demo`; the shop and bot ran at " + server_url + "\n"
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    target.write_text(header + text, encoding="utf-8")
    return target


def _absolute(source: Mapping, folder: Path) -> dict:
    source = dict(source)
    if "files" in source:
        source["files"] = [str(folder / pattern) for pattern in source["files"]]
    return source


def web_source(server_url: str, pages: list[str]) -> dict:
    return {
        "channel": "web",
        "fetch": "web",
        "allow_hosts": ["127.0.0.1"],
        "pages": [{"url": f"{server_url}/shop/{p}.html", "product": p} for p in pages],
        "extract": EXTRACT,
    }


def chat_source(server_url: str) -> dict:
    return {
        "channel": "chat",
        "fetch": "http-chat",
        "allow_hosts": ["127.0.0.1"],
        "url": f"{server_url}/api/message",
        "method": "POST",
        "body": {"text": "{{ question }}", "session": "{{ session }}"},
        "reply": "$.messages[*].text",
        "ask": "answers",
        "repeat": 2,
    }


def serve(folder: Path | None = None) -> DemoServer:
    """The demo server for ``folder`` (default: the bundled company), not yet started."""
    from .inputs import load as load_inputs

    folder = folder or demo_folder()
    setup = load_inputs(load_config(folder / "consistency.yaml"))
    return DemoServer(folder, Bot(folder, price_function(setup.book, setup.timezone)))


def run_demo(output: Path, folder: Path | None = None) -> tuple[Result, Config]:
    """Serve the shop and bot, write the config into ``output``, run the full audit."""
    from .audit import AuditOptions, audit

    folder = folder or demo_folder()
    with serve(folder) as server:
        path = demo_config(folder, server.url, server.pages(), output / "consistency.yaml")
        config = load_config(path)
        result = audit(config, AuditOptions(evidence_dir=output / "evidence"))
    return result, config
