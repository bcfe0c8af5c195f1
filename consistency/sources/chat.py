"""The chat fetcher (``fetch: http-chat``): ask a chat bot's HTTP API questions, keep its replies.

A generic connector for any bot with a JSON API. ``url``, ``method``, ``headers``
and ``body`` are jinja2 templates, rendered in a sandbox with ``question``,
``session`` and ``answer_id``. ``${VAR}`` comes from the environment only and is
never parsed as a template (it becomes a template variable holding the value),
and every value used is a secret that ``redact`` hides from errors and evidence.

``params`` (name: template) are rendered the same way and added, URL-encoded,
to the URL's query.

The reply is read with a JSONPath (``reply: $.messages[*].text``; several
matches are joined with a new line). A reply that is HTML
(``<p>…<b>89.90&nbsp;&#8362;</b></p>``) becomes the plain text a customer saw
(``text.html.html_to_text``) before anything reads it. A session id the bot
returns is carried to the next turn of the same conversation
(``session: $.session_id``; by default the response's ``session``,
``session_id`` or ``conversation_id``).

``ask: answers`` asks every approved answer's questions (the ``questions``
argument: ``(answer_id, question)`` pairs), each ``repeat: N`` times to catch a
bot that answers the same question differently. ``conversation: each`` (the
default) asks every question in a new conversation, concurrently;
``conversation: one`` asks them in order in one conversation, per repeat.

Each reply becomes an ``Observation`` with ``answer`` set and ``meta["fetched"]``;
an empty reply is an observation with ``text=""`` (the ``no-reply`` check). A
request that fails after retries, or a reply that is not JSON, is a
``SourceFailure`` naming the question.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from urllib.parse import urlsplit

from jinja2 import TemplateError
from jsonpath_ng.exceptions import JSONPathError
from jsonpath_ng.ext import parse as parse_jsonpath

from ..errors import InputError, LoadError, bug_report_hint
from ..inputs.config import SourceConfig, option_error
from ..inputs.schema import path_text
from ..model import Location, Observation, SourceFailure
from ..sandbox import template_line, trial_render  # with budgets
from ..text.html import html_to_text
from .chat_templates import ENV, env_to_vars, render, render_value, with_params
from .evidence import EvidenceStore
from .http import (
    FetchError,
    HttpClient,
    MissingEnvError,
    UrlRefused,
    parse_target,
    redact,
)
from .web import client_for

DEFAULT_REPLY = "$.messages[*].text"
SESSION_KEYS = ("session", "session_id", "conversation_id")
METHODS = ("GET", "POST", "PUT")


@dataclass(frozen=True)
class Turn:
    """One question to ask, and the approved answer it belongs to (None for a free question)."""

    question: str
    answer: str | None = None


@dataclass(frozen=True)
class ChatOptions:
    """A ``fetch: http-chat`` source's options, checked."""

    url: str
    method: str
    headers: Mapping
    body: object
    reply: object  # a compiled JSONPath
    reply_text: str
    session: object | None  # a compiled JSONPath, or None for the default keys
    turns: tuple[Turn, ...]
    repeat: int
    one_conversation: bool
    allow_hosts: tuple[str, ...]
    params: Mapping = field(default_factory=dict)  # query parameters, values are templates


def fetch_chat(
    source: SourceConfig,
    *,
    tz: tzinfo | None = None,
    evidence_store: EvidenceStore | None = None,
    questions=(),
    client: HttpClient | None = None,
) -> Iterator[Observation | SourceFailure]:
    """Ask every question of a ``fetch: http-chat`` source; yield replies as they complete.

    The options are checked first (``InputError`` naming the field). Without a
    ``client`` one is made from the source's options and closed at the end.
    """
    options = parse_options(source, questions)
    return _run(source, options, client, tz, evidence_store)


def option_problems(source: SourceConfig, questions=()) -> list[LoadError]:
    """:func:`parse_options`' problems, for the inputs' door (``registry.FETCH_OPTIONS``):
    every command rejects what ``fetch`` would; ``questions`` None: the answers named by
    the config could not be read (their own problems say why)."""
    try:
        parse_options(source, questions)
    except InputError as exc:
        return exc.errors
    return []


def planned_requests(source: SourceConfig, questions=()) -> int:
    """How many requests a source will send: questions times ``repeat`` (for progress)."""
    return len(_turns(source, questions, [])) * _repeat(source, [])


def _run(source, options: ChatOptions, client, tz, store) -> Iterator:
    own = client is None
    if own:
        client = client_for(_with_hosts(source, options.allow_hosts))
    try:
        conversations = _conversations(options)
        ask = lambda conv: _converse(source.channel, options, conv, client, tz, store)  # noqa: E731
        for results in client.map(ask, conversations):
            yield from results
    finally:
        if own:
            client.close()


def _with_hosts(source: SourceConfig, hosts: tuple[str, ...]) -> SourceConfig:
    from dataclasses import replace

    return replace(source, options={**source.options, "allow_hosts": list(hosts)})


def _conversations(options: ChatOptions) -> list[tuple[int, tuple[Turn, ...]]]:
    """(repeat number, turns) per conversation: one turn each, or every turn in one."""
    if options.one_conversation:
        return [(n, options.turns) for n in range(options.repeat)]
    return [(n, (turn,)) for n in range(options.repeat) for turn in options.turns]


# -- options --------------------------------------------------------------------------


def parse_options(source: SourceConfig, questions=()) -> ChatOptions:
    """Check a source's options; every problem is a ``LoadError`` naming the field."""
    opts, errors = source.options, []
    url = opts.get("url")
    if not isinstance(url, str) or not url:
        errors.append(_error(source, "url", "an http-chat source needs a url"))
        url = ""
    method = str(opts.get("method", "POST")).upper()
    if method not in METHODS:
        errors.append(_error(source, "method", f"{method!r} is not one of {', '.join(METHODS)}"))
    reply_text = str(opts.get("reply", DEFAULT_REPLY))
    reply = _jsonpath(source, "reply", reply_text, errors)
    session = _jsonpath(source, "session", opts["session"], errors) if "session" in opts else None
    turns = _turns(source, questions, errors)
    repeat = _repeat(source, errors)
    mode = opts.get("conversation", "each")
    if mode not in ("each", "one"):
        errors.append(_error(source, "conversation", f"{mode!r} is not 'each' or 'one'"))
    headers = opts.get("headers") or {}
    if not isinstance(headers, Mapping):
        errors.append(_error(source, "headers", "headers must be a mapping of name: value"))
        headers = {}
    params = opts.get("params") or {}
    if not isinstance(params, Mapping):
        errors.append(_error(source, "params", "params must be a mapping of name: value"))
        params = {}
    for path, text in _template_texts(source, headers, opts.get("body")):
        _check_template(source, path, text, errors)
    for name, value in params.items():
        _check_template(source, ("params", name), str(value), errors)
    _check_template(source, ("url",), url, errors)
    if errors:
        raise InputError(errors)
    hosts = tuple(opts.get("allow_hosts") or _default_hosts(url))
    return ChatOptions(
        url, method, dict(headers), opts.get("body"), reply, reply_text, session,
        turns, repeat, mode == "one", hosts, dict(params),
    )  # fmt: skip


def _jsonpath(source, field: str, text, errors: list):
    try:
        return parse_jsonpath(str(text))
    except (JSONPathError, Exception) as exc:  # ply raises plain Exceptions for some input
        errors.append(_error(source, field, f"bad JSONPath {text!r}: {exc}"))
        return None


def _turns(source: SourceConfig, questions, errors: list) -> tuple[Turn, ...]:
    ask = source.options.get("ask", "answers")
    if ask == "answers":
        turns = tuple(Turn(str(q), str(a) if a is not None else None) for a, q in questions or ())
        if not turns and questions is not None:  # None: answers named but unreadable (lint)
            message = "ask: answers needs approved answers with questions (answers: in the config)"
            errors.append(_error(source, "ask", message))
        return turns
    if not isinstance(ask, list | tuple) or not ask:
        errors.append(_error(source, "ask", "ask is 'answers' or a list of questions"))
        return ()
    turns = []
    for i, entry in enumerate(ask):
        if isinstance(entry, str) and entry.strip():
            turns.append(Turn(entry))
        elif isinstance(entry, Mapping) and isinstance(entry.get("question"), str):
            answer = entry.get("answer")
            turns.append(Turn(entry["question"], str(answer) if answer is not None else None))
        else:
            errors.append(_error(source, f"ask[{i}]", "a question text or {question, answer}"))
    return tuple(turns)


def _repeat(source: SourceConfig, errors: list) -> int:
    value = source.options.get("repeat", 1)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        errors.append(_error(source, "repeat", f"{value!r} is not a whole number of at least 1"))
        return 1
    return value


def _template_texts(source, headers: Mapping, body) -> Iterator[tuple[tuple, str]]:
    for name, value in headers.items():
        yield ("headers", name), str(value)
    yield from _strings(body, ("body",))


def _strings(value, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _check_template(source, path: tuple, text: str, errors: list) -> None:
    """Render the template once with stand-ins, so one over budget fails at load, not later;
    the error names the template's own line and column and its path
    (``c.yaml:9:13: sources[0].body.items[1]: bad template ...``)."""
    try:
        trial_render(ENV, env_to_vars(text)[0], question="?", session="?")
    except TemplateError as exc:
        line = template_line(exc) if "\n" in text.strip() else None
        inside = f" (line {line} of the template)" if line else ""
        message = f"bad template {text!r}{inside}: {exc}"
        errors.append(_template_error(source, path, message, line))


def _template_error(source: SourceConfig, path: tuple, message: str, line: int | None = None):
    """A ``LoadError`` at the template option ``path`` (relative to the source's entry): at
    the line and column where it is written when the config recorded them, else at the
    source. ``line``, the template's own line, moves a block scalar's (``|``, ``>``) mark to
    that line of the file."""
    for full, where in source.marks.items():
        if full[2:] == path and where.line is not None:
            at = _block_line(where, line) or (where.line, where.col)
            return LoadError(where.file, *at, path_text(full), message)
    return _error(source, path_text(path), message)


def _block_line(where: Location, line: int | None) -> tuple[int, int] | None:
    """(line, column) in the file of a block scalar's ``line``-th line, when ``where`` marks a
    block scalar's ``|`` or ``>`` (its text starts on the next line); else None."""
    if not line or not where.col:
        return None
    try:
        with open(where.file, encoding="utf-8") as lines:
            written = [text for _, text in zip(range(where.line + line), lines, strict=False)]
    except (OSError, UnicodeError):
        return None
    if len(written) < where.line + line or written[where.line - 1][where.col - 1 :][:1] not in (
        "|",
        ">",
    ):
        return None
    text = written[where.line + line - 1]
    return where.line + line, len(text) - len(text.lstrip(" ")) + 1


def _default_hosts(url: str) -> tuple[str, ...]:
    """The url's own host and port as the URL gate reads them, when the host is written
    out rather than templated; none for a URL the gate refuses (it is refused at fetch).

    >>> _default_hosts("https://Bot.Example.co.il/api"), _default_hosts("http://[::1]:8080/m")
    (('bot.example.co.il:443',), ('[::1]:8080',))
    >>> _default_hosts("http://127.0.0.1:9\\\\@bot.example.co.il/"), _default_hosts("{{ url }}")
    ((), ())
    """
    try:
        netloc = urlsplit(url).netloc
        if not netloc or "{" in netloc or "$" in netloc:
            return ()
        target = parse_target(url)
    except (UrlRefused, ValueError):
        return ()
    host = f"[{target.host}]" if ":" in target.host else target.host
    return (f"{host}:{target.port}",)


def _error(source: SourceConfig, path: str, message: str) -> LoadError:
    return option_error(source, path, message)


# -- one conversation -----------------------------------------------------------------


def _converse(channel, options: ChatOptions, conversation, client, tz, store) -> list:
    repeat, turns = conversation
    session, results = "", []
    for turn in turns:
        try:
            result, session = _ask(channel, options, turn, session, repeat, client, tz, store)
        except Exception as exc:  # a bug: this question's failure, never a lost run
            reason = f"internal error ({type(exc).__name__}); {bug_report_hint()}"
            result = _failure(channel, options.url, turn, reason)
        results.append(result)
    return results


def _ask(channel, options, turn: Turn, session: str, repeat: int, client, tz, store):
    variables = {"question": turn.question, "session": session, "answer_id": turn.answer or ""}
    try:
        url = with_params(render(options.url, variables), options.params, variables)
        headers = {name: render(str(v), variables) for name, v in options.headers.items()}
        body = render_value(options.body, variables)
    except (MissingEnvError, TemplateError) as exc:
        return _failure(channel, options.url, turn, f"cannot render the request: {exc}"), session
    except (ArithmeticError, ValueError, TypeError, RecursionError, MemoryError) as exc:
        reason = f"cannot render the request: {type(exc).__name__}"
        return _failure(channel, options.url, turn, reason), session
    if isinstance(body, str):
        kwargs = {"data": body.encode("utf-8")}
    else:
        kwargs = {"json": body} if isinstance(body, Mapping | list) else {"data": body}
    try:
        response = client.request(options.method, url, headers=headers, **kwargs)
    except FetchError as exc:
        return _failure(channel, exc.url, turn, exc.reason), session
    text = redact(response.text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        _keep(store, text, "txt")
        return _failure(channel, redact(url), turn, f"the reply is not JSON ({exc.msg})"), session
    data = _redacted(data)  # an echo escaped in a form not seen in the raw text
    evidence = _keep(store, json.dumps(data, ensure_ascii=False), "json")
    session = _session(options, data) or session
    reply = "\n".join(_reply_texts(options, data))
    return _observation(channel, options, turn, url, session, reply, repeat, evidence, tz), session


def _redacted(value):
    """The parsed reply with every secret replaced in every string (keys included)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, Mapping):
        return {redact(str(key)): _redacted(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_redacted(item) for item in value]
    return value


def _failure(channel: str, url: str, turn: Turn, reason: str) -> SourceFailure:
    return SourceFailure(channel, redact(url), f"asking {turn.question!r}: {redact(reason)}")


def _keep(store: EvidenceStore | None, text: str, suffix: str) -> str | None:
    return store.put(text.encode("utf-8"), suffix) if store is not None else None


def _reply_texts(options: ChatOptions, data) -> Iterator[str]:
    for match in options.reply.find(data):
        value = match.value
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = html_to_text(str(value)).strip()
            if text:
                yield text


def _session(options: ChatOptions, data) -> str:
    """The session id in a response: the ``session`` JSONPath, else a well-known key."""
    if options.session is not None:
        found = [m.value for m in options.session.find(data) if m.value not in (None, "")]
    elif isinstance(data, Mapping):
        found = [data[key] for key in SESSION_KEYS if data.get(key) not in (None, "")]
    else:
        found = []
    value = str(found[0]) if found and isinstance(found[0], str | int) else ""
    return "" if "${" in value else value  # a session id never reaches the environment


def _observation(channel, options, turn, url, session, reply, repeat, evidence, tz):
    at = datetime.now(tz) if tz else datetime.now().astimezone()
    url = redact(url)
    meta = {
        "fetched": True, "question": turn.question, "session": session or None,
        "method": "http-chat", "path": options.reply_text, "evidence": evidence,
        "url": url, "repeat": repeat + 1,
    }  # fmt: skip
    key = f"{channel}\0{url}\0{turn.question}\0{repeat}\0{session}\0{at.isoformat()}"
    return Observation(
        id=hashlib.sha256(key.encode()).hexdigest()[:16], channel=channel, at=at,
        source=Location(url), text=reply, answer=turn.answer, ref=session or url, meta=meta,
    )  # fmt: skip
