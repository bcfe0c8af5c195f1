"""Approved answers (SPEC 3.2): answers.yaml -> an AnswerBook, with every problem at once.

Templates are compiled in the sandbox, their names and ``price("id")`` calls checked
against the price book, and each rendered once with a stand-in price so sandbox and
runtime errors surface at load. Declared facts, forbidden phrases and channels are
checked too; every problem is raised together in one ``InputError``.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import jinja2
from jinja2 import meta, nodes

from ..answers import (
    DURATION_SCALE,
    TEMPLATE_NAMES,
    Answer,
    AnswerBook,
    FactSpec,
    NoPrice,
    Phrase,
    first_fact,
    template_problem,
)
from ..errors import InputError, LoadError
from ..sandbox import SandboxedEnvironment
from ..text.mentions import name_key
from ..text.phrases import phrase_pattern
from .dates import at_time
from .problems import Problems, read_part
from .yamlio import Source


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


def load_answers(path: Source, book, tz: ZoneInfo, channels: Iterable[str] = ()) -> AnswerBook:
    """Read approved answers (SPEC 3.2). Raises ``InputError`` with every problem found.

    ``book`` is the PriceBook the templates and facts name products of; ``channels``,
    when given, are the channel names an answer's ``channels`` may use.
    """
    answers, errors = read_answers(path, book, tz, channels)
    if errors:
        raise InputError(errors)
    return answers


def read_answers(
    path: Source, book, tz: ZoneInfo, channels: Iterable[str] = (), products=None
) -> tuple[AnswerBook, list[LoadError]]:
    """The answers as far as they load, and every problem (for ``lint``); raises
    ``InputError`` only when the file cannot be read at all. An answer whose template is
    broken renders as empty text; a repeated id is checked but left out of the book.
    ``products``: the product ids that could be read from a price list with problems
    (``book`` None), so ``price("id")`` and ``{price: id}`` are checked against them.
    """
    data, problems = read_part(path, "answers")
    reader = _AnswerReader(problems, book, tz, tuple(channels), products)
    answers = reader.answers(data["answers"])
    policy = (data.get("policy") or {}).get("forbidden", [])
    phrases = [reader.phrase(p, ("policy", "forbidden", i)) for i, p in enumerate(policy)]
    errors = sorted(problems.errors, key=lambda e: (e.line or 0, e.col or 0))
    return AnswerBook(answers, phrases, book, tz), errors


class _AnswerReader:
    """Builds Answers from schema-valid data, collecting every semantic problem."""

    def __init__(self, problems: Problems, book, tz: ZoneInfo, channels: tuple, products=None):
        self.problems, self.book, self.tz, self.channels = problems, book, tz, channels
        self.products = None if products is None else frozenset(products)
        self.env = environment()

    def unknown_product(self, product_id: str) -> bool:
        """Whether the price list (or, when it has problems, what could be read of it)
        lacks ``product_id``; with no price list at all, nothing is unknown."""
        if self.book is not None:
            return self.book.product(product_id) is None
        return self.products is not None and product_id not in self.products

    def answers(self, entries: list) -> list[Answer]:
        repeats = self.problems.duplicate_ids(
            "answers", lambda ident, first: f"duplicate answer id {ident!r} (first on line "
            f"{first.line})"
        )  # fmt: skip
        result = []
        for index, entry in enumerate(entries):
            answer = self.answer(entry, ("answers", index))  # a repeat's template is checked too
            if self.problems.file_index("answers", index) not in repeats:
                result.append(answer)
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
        self.problems.check_channels(channels, self.channels, at)

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
            if self.unknown_product(first.value):
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
        if self.unknown_product(value["price"]):
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
