"""Approved answers (SPEC 3.2): sandboxed templates bound to the price list, and their facts.

``load_answers(path, book, tz)`` reads ``answers.yaml`` into an :class:`AnswerBook`.
Every ``answer`` text and every string fact value is a jinja2 template run in a
``SandboxedEnvironment`` (no autoescape: this is plain text; ``StrictUndefined``).
The one name a template may use is ``price(id, at=None)``: the list price in
effect at the reply's time (or at the date ``at``), written ``₪99.90``.

Declared facts are bound to the price list at the reply's time, so
``{money: {price: cancel-fee}}`` means "what cancel-fee costs when the reply was
given". Without declared facts, the facts found in the rendered answer are the
expected ones.

This module also holds what the answer checks share: when a fact in a reply agrees
with an expected one (:func:`agrees`), and which product a money fact in free text
prices (:func:`priced_mentions`). Similarity never decides agreement: facts do.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import meta, nodes

from .checks._quotes import money_text
from .errors import InputError, LoadError
from .loaders import Problems, parse_when, read_checked
from .model import Fact, Location
from .sandbox import OverBudget, SandboxedEnvironment, template_line
from .text.facts import extract_facts, facts_in
from .text.mentions import Mention, ProductMatcher, name_key
from .text.normalize import fold_finals, normalize_map

FACT_KINDS = ("money", "percent", "duration", "count")
TEMPLATE_NAMES = frozenset({"price"})
# Duration unit -> (family, size in the family's base unit). Units of different
# families never agree: 3 business days are not 3 days.
DURATION_SCALE = {
    "day": ("day", 1),
    "week": ("day", 7),
    "month": ("month", 1),
    "year": ("month", 12),
    "minute": ("minute", 1),
    "hour": ("minute", 60),
    "business_day": ("business_day", 1),
}
PRICE_BEFORE_GAP = 60  # a product named up to this many characters before its price
PRICE_AFTER_GAP = 25  # or a price right before the product's name
AGORA = Decimal("0.01")


class NoPrice(LookupError):
    """A template asked for a price that is not in effect at that time."""


@dataclass(frozen=True, slots=True)
class ExpectedFact:
    """A fact an approved answer states, bound to a time: kind, value, unit.

    ``product`` is the price-list product a money fact is the price of, when known.
    """

    kind: str
    value: Decimal
    unit: str | None = None
    raw: str = ""
    product: str | None = None
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class FactSpec:
    """A declared fact as written: a fixed value, a price, or a template string."""

    kind: str
    value: Decimal | None = None
    unit: str | None = None
    price: str | None = None
    price_at: datetime | None = None
    template: jinja2.Template | None = None
    products: tuple[str, ...] = ()  # products the template prices
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class Phrase:
    """A forbidden phrase and its compiled pattern on normalized, final-folded text."""

    text: str
    pattern: re.Pattern[str]
    where: Location | None = None


@dataclass(frozen=True, slots=True)
class Answer:
    id: str
    questions: tuple[str, ...]
    keywords: tuple[str, ...]
    template: jinja2.Template
    source: str  # the template text as written
    facts: tuple[FactSpec, ...]
    forbidden: tuple[Phrase, ...]
    channels: tuple[str, ...] | None
    where: Location
    products: tuple[str, ...] = ()  # products its text prices

    def applies_to(self, channel: str) -> bool:
        return self.channels is None or channel in self.channels


class AnswerBook:
    """The approved answers, answering: what should a reply on this topic state, then?"""

    def __init__(self, answers: Iterable[Answer], policy_forbidden: Iterable[Phrase], book, tz):
        self.answers = {a.id: a for a in answers}
        self.policy_forbidden = tuple(policy_forbidden)
        self.book = book
        self.tz = tz
        self._cache: dict[tuple, tuple[str | None, tuple[Fact, ...]]] = {}
        self.failures: dict[str, LoadError] = {}  # answer id -> its template's render failure
        self._matcher: ProductMatcher | None = None
        self._router = None

    def get(self, answer_id: str | None) -> Answer | None:
        return self.answers.get(answer_id) if answer_id else None

    def questions(self) -> list[tuple[str, str]]:
        """(answer id, question) for every question of every answer, in file order."""
        return [(a.id, q) for a in self.answers.values() for q in a.questions]

    def rendered(self, answer_id: str, at: datetime) -> str | None:
        """The answer's text at ``at``; None when a price it names is not in effect then."""
        return self._rendered(self.answers[answer_id], at)[0]

    def text_facts(self, answer_id: str, at: datetime) -> tuple[Fact, ...]:
        """The facts found in the answer's text rendered at ``at``."""
        return self._rendered(self.answers[answer_id], at)[1]

    def expected_facts(self, answer_id: str, at: datetime) -> list[ExpectedFact]:
        """The declared facts bound at ``at``, else the facts found in the rendered answer."""
        answer = self.answers[answer_id]
        if answer.facts:
            bound = (self._bind(spec, at) for spec in answer.facts)
            return [fact for fact in bound if fact is not None]
        return [self._from_text(f, answer) for f in self.text_facts(answer_id, at)]

    def accepted_facts(self, answer_id: str, at: datetime) -> list[ExpectedFact]:
        """Every value a reply may state: the expected facts and those of the answer's text.

        "ביטול ללא עלות בתוך 14 יום, ולאחר מכן ₪100": both 0 and 100 are right.
        """
        answer = self.answers[answer_id]
        found = [self._from_text(f, answer) for f in self.text_facts(answer_id, at)]
        return [*self.expected_facts(answer_id, at), *found]

    def forbidden_for(self, answer_id: str | None, channel: str) -> list[tuple[Phrase, str]]:
        """(phrase, scope) pairs a reply must not contain; scope is the answer id or 'policy'."""
        phrases = [(p, "policy") for p in self.policy_forbidden]
        answer = self.get(answer_id)
        if answer is not None and answer.applies_to(channel):
            phrases += [(p, answer.id) for p in answer.forbidden]
        return phrases

    def matcher(self) -> ProductMatcher:
        if self._matcher is None:
            self._matcher = ProductMatcher(self.book.list.products.values())
        return self._matcher

    def router(self):
        """The shared Router over these answers (built on first use)."""
        if self._router is None:
            from .routing import Router

            self._router = Router(self)
        return self._router

    # -- rendering -------------------------------------------------------------------

    def _rendered(self, answer: Answer, at: datetime) -> tuple[str | None, tuple[Fact, ...]]:
        key = (answer.id, *(self.book.price_at(p, at) for p in answer.products))
        cached = self._cache.get(key)
        if cached is None:
            try:
                text = answer.template.render(price=self.price_function(at))
            except NoPrice:
                cached = (None, ())
            except jinja2.TemplateError as exc:  # over budget on a branch the trial did not take
                self._failed(f"answer {answer.id}", answer.where, exc)
                cached = (None, ())
            else:
                cached = (text, tuple(extract_facts(text)))
            self._cache[key] = cached
        return cached

    def price_function(self, at: datetime):
        """``price(id, at=None)`` for templates: the list price as ``₪99.90``."""

        def price(product_id: str, at: str | None = None) -> str:
            when = at_time(at, self.tz) if at is not None else default_at
            amount = self.book.price_at(product_id, when)
            if amount is None:
                raise NoPrice(f"no price of {product_id!r} is in effect at {when.isoformat()}")
            return money_text(amount, self.book.currency)

        default_at = at
        return price

    def _bind(self, spec: FactSpec, at: datetime) -> ExpectedFact | None:
        if spec.price is not None:
            when = spec.price_at or at
            amount = self.book.price_at(spec.price, when)
            if amount is None:
                return None
            raw = money_text(amount, self.book.currency)
            return ExpectedFact("money", amount, self.book.currency, raw, spec.price, spec.where)
        if spec.template is not None:
            return self._bind_template(spec, at)
        unit = self.book.currency if spec.kind == "money" and spec.unit is None else spec.unit
        return ExpectedFact(
            spec.kind, spec.value, unit, fact_text(spec.kind, spec.value, unit), None, spec.where
        )

    def _bind_template(self, spec: FactSpec, at: datetime) -> ExpectedFact | None:
        try:
            text = spec.template.render(price=self.price_function(at))
        except NoPrice:
            return None
        except jinja2.TemplateError as exc:
            self._failed(f"{spec.kind} fact", spec.where, exc)
            return None
        fact = first_fact(text, spec.kind, self.book.currency)
        if fact is None:
            return None
        product = spec.products[0] if len(spec.products) == 1 else None
        return ExpectedFact(spec.kind, fact.value, fact.unit, text, product, spec.where)

    def _failed(self, what: str, where: Location | None, exc: jinja2.TemplateError) -> None:
        """Remember a template that failed when rendered for real (audit and lint report it)."""
        where = where or Location("answers.yaml")
        message = f"{what}: {template_problem(exc)}"
        self.failures.setdefault(message, LoadError(where.file, where.line, where.col, "", message))

    def _from_text(self, fact: Fact, answer: Answer) -> ExpectedFact:
        product = answer.products[0] if fact.kind == "money" and len(answer.products) == 1 else None
        return ExpectedFact(fact.kind, fact.value, fact.unit, fact.raw, product, answer.where)


def at_time(value, tz: ZoneInfo) -> datetime:
    """A template's ``at=`` (a date or date-time string) as an aware time.

    >>> at_time("2026-12-01", ZoneInfo("Asia/Jerusalem")).isoformat()
    '2026-12-01T00:00:00+02:00'
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=tz)
    return parse_when(str(value), tz)


def fact_text(kind: str, value: Decimal, unit: str | None) -> str:
    """A declared fact as a person reads it.

    >>> fact_text("duration", Decimal(3), "business_day"), fact_text("money", Decimal(100), "ILS")
    ('3 business days', '₪100.00')
    >>> fact_text("percent", Decimal(20), None), fact_text("duration", Decimal(1), "day")
    ('20%', '1 day')
    """
    if kind == "money":
        return money_text(value, unit or "ILS")
    if kind == "percent":
        return f"{value}%"
    if kind == "duration":
        words = (unit or "").replace("_", " ")
        return f"{value} {words}{'' if value == 1 else 's'}"
    return f"{value} {unit}" if unit else str(value)


def first_fact(text: str, kind: str, currency: str) -> Fact | None:
    """The first fact of ``kind`` in ``text``; a bare number counts as one.

    >>> first_fact("14 יום", "duration", "ILS").unit
    'day'
    >>> first_fact("3", "count", "ILS").value
    Decimal('3')
    """
    for fact in extract_facts(text):
        if fact.kind == kind:
            return fact
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    unit = currency if kind == "money" else None
    return Fact(kind, value, 0, len(text), text, unit)


# --- agreement ----------------------------------------------------------------------------


def comparable(observed: Fact, expected: ExpectedFact) -> bool:
    """Facts of one kind; counts only of the same thing (routers with routers).

    >>> comparable(Fact("count", Decimal(2), 0, 1, "2", "router"), ExpectedFact("count", Decimal(1), "line"))
    False
    """
    if observed.kind != expected.kind:
        return False
    if observed.kind == "count":
        return observed.unit is None or expected.unit is None or observed.unit == expected.unit
    return True


def agrees(observed: Fact, expected: ExpectedFact, book, channel: str, at: datetime) -> bool:
    """True when a reply's fact says the same as an expected fact.

    Money agrees within the channel's tolerance, or when it is a price the channel
    may give for the expected product (a promotion, an agent's allowed discount).
    Durations agree in one unit family only: 3 business days are not 3 days.
    """
    if not comparable(observed, expected):
        return False
    if observed.kind == "money":
        return _money_agrees(observed, expected, book, channel, at)
    if observed.kind == "duration":
        return duration_days(observed.value, observed.unit) == duration_days(
            expected.value, expected.unit
        )
    return observed.value == expected.value


def _money_agrees(observed: Fact, expected: ExpectedFact, book, channel, at) -> bool:
    if (observed.unit or book.currency) != (expected.unit or book.currency):
        return False
    gap = observed.value - expected.value
    if abs(gap) <= AGORA or book.tolerance(channel).within(gap, expected.value):
        return True
    return expected.product is not None and book.accepts(
        observed.value, expected.product, channel, at
    )


def duration_days(value: Decimal, unit: str | None) -> tuple[str, Decimal]:
    """A duration in its family's base unit.

    >>> duration_days(Decimal(2), "week") == duration_days(Decimal(14), "day")
    True
    >>> duration_days(Decimal(3), "business_day") == duration_days(Decimal(3), "day")
    False
    """
    family, size = DURATION_SCALE.get(unit or "", (unit, 1))
    return family, value * size


# --- prices named in free text ------------------------------------------------------------

_BOUNDARY = re.compile(
    r"""
    [.!?;:](?=\s|$)   # a full stop, question or exclamation mark that ends a sentence
  | \n                # a new line (several chat messages are joined by one)
    """,
    re.VERBOSE,
)


def priced_mentions(text: str, matcher: ProductMatcher) -> Iterator[tuple[Mention, Fact]]:
    """(product mention, money fact) pairs: a price stated for a product in free text.

    A money fact belongs to the nearest product named before it in the same sentence
    (within 60 characters), else to one named right after it (within 25 characters,
    no comma between). Money inside a product's name ("סיב 500") is never a price, nor
    is an old price beside the quote (``role`` ``was``); a lower bound (``from``) is.

    >>> from consistency.model import Product
    >>> m = ProductMatcher([Product("fiber-500", "סיב 500", ())])
    >>> [(p.id, str(f.value)) for p, f in priced_mentions("סיב 500 עולה ₪99.90 לחודש", m)]
    [('fiber-500', '99.90')]
    """
    mentions = matcher.find(text)
    if not mentions:
        return
    for fact in facts_in(text):
        if fact.kind != "money" or fact.role == "was":
            continue  # an old price beside the quote ("במקום 120 ₪") is not what was quoted
        if any(_overlaps(fact, m) for m in mentions):
            continue
        mention = _owner(text, fact, mentions)
        if mention is not None:
            yield mention, fact


def _overlaps(fact: Fact, mention: Mention) -> bool:
    return fact.start < mention.end and mention.start < fact.end


def _owner(text: str, fact: Fact, mentions: list[Mention]) -> Mention | None:
    before = [m for m in mentions if m.end <= fact.start]
    if before:
        last = before[-1]
        gap = text[last.end : fact.start]
        if len(gap) <= PRICE_BEFORE_GAP and not _BOUNDARY.search(gap):
            return last
    after = [m for m in mentions if m.start >= fact.end]
    if after:
        first = after[0]
        gap = text[fact.end : first.start]
        if len(gap) <= PRICE_AFTER_GAP and not _BOUNDARY.search(gap) and "," not in gap:
            return first
    return None


# --- phrases ------------------------------------------------------------------------------


def phrase_pattern(phrase: str) -> re.Pattern[str]:
    """A forbidden phrase as a pattern on normalized, final-folded text.

    >>> bool(phrase_pattern("אין מה לעשות").search(fold_finals("ממש ואין  מה לעשות.")))
    True
    >>> bool(phrase_pattern("לא באחריותנו").search(fold_finals("לא באחריותנוית")))
    False
    """
    words = re.escape(name_key(phrase)).replace(r"\ ", r"\s+")
    return re.compile(
        rf"""
        (?<![\w])                 # a word starts here
        (?:[ובלמשהכ]{{1,2}}-?)?   # up to two Hebrew prefix letters, maybe a hyphen
        {words}                   # the phrase, any run of spaces between its words
        (?![\w])                  # and a word ends with it
        """,
        re.VERBOSE,
    )


def find_phrase(text: str, phrase: Phrase) -> tuple[int, int] | None:
    """The span of ``phrase`` in the original ``text``, or None."""
    mapped = normalize_map(text)
    match = phrase.pattern.search(fold_finals(mapped.text))
    return mapped.span(*match.span()) if match else None


# --- loading ------------------------------------------------------------------------------


def environment() -> SandboxedEnvironment:
    """The sandbox every answer template runs in: plain text, strict, no globals but price.

    Budgets (text, number and output sizes, steps, recursion, time) are those of
    ``consistency.sandbox.Limits``; see docs/limits.md.
    """
    env = SandboxedEnvironment(
        autoescape=False, undefined=jinja2.StrictUndefined, passthrough=(NoPrice,)
    )
    env.globals.clear()
    return env


def template_problem(exc: jinja2.TemplateError) -> str:
    """A template failure in words, with the template's own line when it has more than one.

    >>> template_problem(OverBudget("range() of 10 numbers; the limit is 5"))
    'template over budget: range() of 10 numbers; the limit is 5'
    """
    line = template_line(exc)
    note = f" (template line {line})" if line and line > 1 else ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}{note}"
    if isinstance(exc, OverBudget):
        return f"template over budget: {exc}{note}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"template not allowed by the sandbox: {exc}{note}"
    return f"template error: {getattr(exc, 'message', None) or exc}{note}"


def load_answers(path: Path | str, book, tz: ZoneInfo, channels: Iterable[str] = ()) -> AnswerBook:
    """Read approved answers (SPEC 3.2). Raises ``InputError`` with every problem found.

    ``book`` is the PriceBook the templates and facts name products of; ``channels``,
    when given, are the channel names an answer's ``channels`` may use.
    """
    data, marks = read_checked(Path(path), "answers")
    reader = _AnswerReader(Problems(str(path), marks), book, tz, tuple(channels))
    answers = reader.answers(data["answers"])
    policy = (data.get("policy") or {}).get("forbidden", [])
    phrases = [reader.phrase(p, ("policy", "forbidden", i)) for i, p in enumerate(policy)]
    reader.problems.raise_if_any()
    return AnswerBook(answers, phrases, book, tz)


class _AnswerReader:
    """Builds Answers from schema-valid data, collecting every semantic problem."""

    def __init__(self, problems: Problems, book, tz: ZoneInfo, channels: tuple[str, ...]):
        self.problems, self.book, self.tz, self.channels = problems, book, tz, channels
        self.env = environment()

    def answers(self, entries: list) -> list[Answer]:
        first: dict[str, int | None] = {}
        result = []
        for index, entry in enumerate(entries):
            at = ("answers", index)
            line = self.problems.marks.at((*at, "id"))[0]
            if entry["id"] in first:
                self.problems.add(
                    (*at, "id"),
                    f"duplicate answer id {entry['id']!r} (first on line {first[entry['id']]})",
                )
                continue
            first[entry["id"]] = line
            result.append(self.answer(entry, at))
        return result

    def answer(self, entry: dict, at: tuple) -> Answer:
        source = entry["answer"]
        template, products = self.template(source, (*at, "answer"))
        channels = tuple(entry["channels"]) if "channels" in entry else None
        self.check_channels(channels or (), at)
        facts = [self.fact(f, (*at, "facts", i)) for i, f in enumerate(entry.get("facts", []))]
        forbidden = entry.get("forbidden", [])
        return Answer(
            id=entry["id"],
            questions=tuple(entry.get("questions", ())),
            keywords=tuple(entry.get("keywords", ())),
            template=template,
            source=source,
            facts=tuple(f for f in facts if f is not None),
            forbidden=tuple(self.phrase(p, (*at, "forbidden", i)) for i, p in enumerate(forbidden)),
            channels=channels,
            where=self.problems.where(at),
            products=products,
        )

    def check_channels(self, channels: tuple[str, ...], at: tuple) -> None:
        if not self.channels:
            return
        for i, channel in enumerate(channels):
            if channel not in self.channels:
                known = ", ".join(self.channels)
                self.problems.add(
                    (*at, "channels", i), f"unknown channel {channel!r}; known: {known}"
                )

    def phrase(self, text: str, path: tuple) -> Phrase:
        if not name_key(text):
            self.problems.add(path, "a forbidden phrase needs at least one letter")
        return Phrase(text, phrase_pattern(text), self.problems.where(path))

    # -- templates -------------------------------------------------------------------

    def template(self, source: str, path: tuple) -> tuple[jinja2.Template, tuple[str, ...]]:
        """Compile a template; check its names, the products it prices, and a trial render."""
        try:
            tree = self.env.parse(source)
        except jinja2.TemplateSyntaxError as exc:
            self.problems.add(path, template_problem(exc))
            return self.env.from_string(""), ()
        errors_before = len(self.problems.errors)
        for name in sorted(meta.find_undeclared_variables(tree) - TEMPLATE_NAMES):
            self.problems.add(path, f"unknown template name {name!r}; templates may use: price")
        products = self.price_calls(tree, path)
        try:
            template = self.env.from_string(tree)
        except jinja2.TemplateSyntaxError as exc:  # e.g. a number literal over the limit
            self.problems.add(path, template_problem(exc))
            return self.env.from_string(""), ()
        if len(self.problems.errors) == errors_before:
            self.trial_render(template, path)
        return template, products

    def price_calls(self, tree: nodes.Template, path: tuple) -> tuple[str, ...]:
        """The products named by ``price("id")`` calls; each must be on the price list."""
        products = []
        for call in tree.find_all(nodes.Call):
            if not (isinstance(call.node, nodes.Name) and call.node.name == "price"):
                continue
            first = call.args[0] if call.args else None
            if not (isinstance(first, nodes.Const) and isinstance(first.value, str)):
                self.problems.add(path, 'price() takes a product id in quotes: price("fiber-500")')
                continue
            if self.book is not None and self.book.product(first.value) is None:
                self.problems.add(path, f"price(): unknown product {first.value!r}")
            products.append(first.value)
        return tuple(dict.fromkeys(products))

    def trial_render(self, template: jinja2.Template, path: tuple) -> None:
        """Render once with a stand-in price, so sandbox and runtime errors surface at load."""

        def probe(product_id: str, at: str | None = None) -> str:
            if at is not None:
                at_time(at, self.tz)  # a bad date raises ValueError here
            return "₪1.00"

        try:
            template.render(price=probe)
        except jinja2.TemplateError as exc:  # the sandbox turns every failure into one
            self.problems.add(path, template_problem(exc))

    # -- facts -----------------------------------------------------------------------

    def fact(self, entry: dict, path: tuple) -> FactSpec | None:
        kind, value = next(iter(entry.items()))
        at = (*path, kind)
        where = self.problems.where(path)
        if isinstance(value, dict) and "price" in value:
            return self.price_fact(kind, value, at, where)
        if isinstance(value, dict):
            return self.value_fact(kind, value, at, where)
        if isinstance(value, str):
            return self.template_fact(kind, value, at, where)
        return self.number_fact(kind, Decimal(value), None, at, where)

    def price_fact(self, kind: str, value: dict, at: tuple, where) -> FactSpec | None:
        if kind != "money":
            self.problems.add(at, f"{{price: ...}} is a money value, not a {kind}")
            return None
        if self.book is not None and self.book.product(value["price"]) is None:
            self.problems.add((*at, "price"), f"unknown product {value['price']!r}")
            return None
        when = None
        if "at" in value:
            try:
                when = at_time(value["at"], self.tz)
            except ValueError as exc:
                self.problems.add((*at, "at"), str(exc))
        return FactSpec("money", price=value["price"], price_at=when, where=where)

    def value_fact(self, kind: str, value: dict, at: tuple, where) -> FactSpec | None:
        raw = value["value"]
        if isinstance(raw, str):
            try:
                raw = Decimal(raw.strip())
            except InvalidOperation:
                self.problems.add((*at, "value"), f"{raw!r} is not a number")
                return None
        unit = value.get("currency") or value.get("unit")
        return self.number_fact(kind, Decimal(raw), unit, at, where)

    def number_fact(self, kind: str, value: Decimal, unit, at: tuple, where) -> FactSpec | None:
        if kind == "duration":
            unit = self.duration_unit(unit, at)
            if unit is None:
                return None
        return FactSpec(kind, value=value, unit=unit, where=where)

    def duration_unit(self, unit: str | None, at: tuple) -> str | None:
        key = (unit or "").strip().lower().replace(" ", "_")
        key = key[:-1] if key.endswith("s") else key
        if key in DURATION_SCALE:
            return key
        known = ", ".join(DURATION_SCALE)
        if unit is None:
            self.problems.add(at, f"a duration needs a unit: {{value: 14, unit: day}} ({known})")
        else:
            self.problems.add((*at, "unit"), f"unknown duration unit {unit!r}; known: {known}")
        return None

    def template_fact(self, kind: str, source: str, at: tuple, where) -> FactSpec | None:
        errors_before = len(self.problems.errors)
        template, products = self.template(source, at)
        if len(self.problems.errors) > errors_before:
            return None
        try:
            probe = template.render(price=lambda product_id, at=None: "₪1.00")
        except jinja2.TemplateError as exc:
            self.problems.add(at, template_problem(exc))
            return None
        if first_fact(probe, kind, "ILS") is None:
            self.problems.add(at, f"{source!r} states no {kind}")
            return None
        return FactSpec(kind, template=template, products=products, where=where)


# --- lint ---------------------------------------------------------------------------------


def lint_answers(answers: AnswerBook, at: datetime) -> list[LoadError]:
    """Approved answers whose text at ``at`` disagrees with the price list or their facts."""
    errors = []
    for answer in answers.answers.values():
        errors += _lint_answer(answers, answer, at)
    return errors + list(answers.failures.values())


def _lint_answer(answers: AnswerBook, answer: Answer, at: datetime) -> list[LoadError]:
    text = answers.rendered(answer.id, at)
    if text is None:
        return []
    book, errors = answers.book, []
    for mention, fact in priced_mentions(text, answers.matcher()):
        price = book.price_at(mention.id, at)
        if price is not None and fact.unit == book.currency and abs(fact.value - price) > AGORA:
            errors.append(
                _lint_error(answer, f"states {fact.raw} for {mention.raw}; the list price is "
                            f"{money_text(price, book.currency)} on {at.date().isoformat()}")
            )  # fmt: skip
    found = answers.text_facts(answer.id, at)
    for expected in answers.expected_facts(answer.id, at) if answer.facts else ():
        same_kind = [f for f in found if comparable(f, expected)]
        if same_kind and not any(agrees(f, expected, book, "", at) for f in same_kind):
            stated = ", ".join(f.raw for f in same_kind)
            errors.append(
                _lint_error(answer, f"states {stated} but its facts say {expected.kind} "
                            f"{expected.raw} on {at.date().isoformat()}")
            )  # fmt: skip
    return errors


def _lint_error(answer: Answer, message: str) -> LoadError:
    where = answer.where
    return LoadError(where.file, where.line, where.col, f"answer {answer.id}", message)


def lint_hook(path: Path) -> list[LoadError]:
    """The ``consistency lint`` hook: for a config naming answers, lint them against its list."""
    from .config import load_config
    from .loaders import load_price_list
    from .pricebook import PriceBook
    from .yamlio import load_yaml

    try:
        data, _ = load_yaml(path)
        # A config names its price list; lint.kind_of would call a config that names
        # answers an answers file, as it tries "answers" before "price_list".
        if not isinstance(data, dict) or "price_list" not in data or "answers" not in data:
            return []
        config = load_config(path)
        price_list = load_price_list(config.price_list, config.timezone, config.channels)
        book = PriceBook(price_list)
        answers = load_answers(config.answers, book, config.timezone, config.channels)
    except InputError as exc:
        # Schema and load problems of each file are lint's own findings; the semantic
        # ones of the answers (unknown products, templates) are reported from here.
        return [e for e in exc.errors if _resolve(Path(e.file)) == _resolved_answers(path)]
    return lint_answers(answers, datetime.now(config.timezone))


def _resolved_answers(config_path: Path) -> Path | None:
    from .config import load_config

    try:
        config = load_config(config_path)
    except InputError:
        return None
    return _resolve(config.answers) if config.answers else None


def _resolve(path: Path) -> Path:
    """The path with links resolved; a link loop cannot be, so it stays as written."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path.absolute()
