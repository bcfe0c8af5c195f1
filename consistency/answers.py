"""Approved answers (SPEC 3.2): sandboxed templates bound to the price list, and their facts.

``consistency.inputs.answers.load_answers(path, book, tz)`` reads ``answers.yaml`` into an :class:`AnswerBook`.
Every ``answer`` text and every string fact value is a jinja2 template run in a
``SandboxedEnvironment`` (no autoescape: this is plain text; ``StrictUndefined``).
The one name a template may use is ``price(id, at=None)``: the list price in
effect at the reply's time (or at the date ``at``), written ``₪99.90``.

Declared facts are bound to the price list at the reply's time, so
``{money: {price: cancel-fee}}`` means "what cancel-fee costs when the reply was
given". Without declared facts, the facts found in the rendered answer are the
expected ones.

The loader is :mod:`consistency.inputs.answers`; when a reply's fact agrees with an
expected one is :mod:`consistency.checks._agreement`; phrases and prices named in free
text are :mod:`consistency.text.phrases`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from .errors import LoadError
from .inputs.dates import at_time
from .model import Fact, Location
from .text.display import money_text
from .text.mentions import ProductMatcher

if TYPE_CHECKING:  # jinja2 loads with the first template (consistency.sandbox)
    import jinja2

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


class NoPrice(LookupError):
    """A template asked for a price that is not in effect at that time."""


@dataclass(frozen=True, slots=True)
class ExpectedFact:
    """A fact an approved answer states, bound to a time: kind, value, unit.

    ``product`` is the price-list product a money fact is the price of, when known;
    ``period`` is a money fact's billing period (month, year, week, day) when it has one.
    """

    kind: str
    value: Decimal
    unit: str | None = None
    raw: str = ""
    product: str | None = None
    where: Location | None = None
    period: str | None = None


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
            from jinja2 import TemplateError  # loaded already: the answer is a template

            from .text.facts import extract_facts

            try:
                text = answer.template.render(price=self.price_function(at))
            except NoPrice:
                cached = (None, ())
            except TemplateError as exc:  # over budget on a branch the trial did not take
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
            period = _billing(self.book.product(spec.price))
            return ExpectedFact(
                "money", amount, self.book.currency, raw, spec.price, spec.where, period
            )
        if spec.template is not None:
            return self._bind_template(spec, at)
        unit = self.book.currency if spec.kind == "money" and spec.unit is None else spec.unit
        return ExpectedFact(
            spec.kind, spec.value, unit, fact_text(spec.kind, spec.value, unit), None, spec.where
        )

    def _bind_template(self, spec: FactSpec, at: datetime) -> ExpectedFact | None:
        from jinja2 import TemplateError  # loaded already: the fact is a template

        try:
            text = spec.template.render(price=self.price_function(at))
        except NoPrice:
            return None
        except TemplateError as exc:
            self._failed(f"{spec.kind} fact", spec.where, exc)
            return None
        fact = first_fact(text, spec.kind, self.book.currency)
        if fact is None:
            return None
        product = spec.products[0] if len(spec.products) == 1 else None
        return ExpectedFact(
            spec.kind, fact.value, fact.unit, text, product, spec.where, fact.period
        )

    def _failed(self, what: str, where: Location | None, exc: jinja2.TemplateError) -> None:
        """Remember a template that failed when rendered for real (audit and lint report it)."""
        where = where or Location("answers.yaml")
        message = f"{what}: {template_problem(exc)}"
        self.failures.setdefault(message, LoadError(where.file, where.line, where.col, "", message))

    def _from_text(self, fact: Fact, answer: Answer) -> ExpectedFact:
        product = answer.products[0] if fact.kind == "money" and len(answer.products) == 1 else None
        return ExpectedFact(
            fact.kind, fact.value, fact.unit, fact.raw, product, answer.where, fact.period
        )


def _billing(product) -> str | None:
    """A product's billing period, when its ``unit`` is one (``unit: month``)."""
    unit = getattr(product, "unit", None)
    return unit if unit in ("day", "week", "month", "year") else None


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
    from .text.facts import extract_facts

    for fact in extract_facts(text):
        if fact.kind == kind:
            return fact
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    unit = currency if kind == "money" else None
    return Fact(kind, value, 0, len(text), text, unit)


def template_problem(exc: jinja2.TemplateError) -> str:
    """A template failure in words, with the template's own line when it has more than one.

    >>> from consistency.sandbox import OverBudget
    >>> template_problem(OverBudget("range() of 10 numbers; the limit is 5"))
    'template over budget: range() of 10 numbers; the limit is 5'
    """
    import jinja2

    from .sandbox import OverBudget, template_line

    line = template_line(exc)
    note = f" (template line {line})" if line and line > 1 else ""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return f"template syntax error: {exc.message}{note}"
    if isinstance(exc, OverBudget):
        return f"template over budget: {exc}{note}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"template not allowed by the sandbox: {exc}{note}"
    return f"template error: {getattr(exc, 'message', None) or exc}{note}"
