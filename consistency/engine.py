"""Runs the configured rules over the observation stream and stamps the findings.

The engine, not the check, gives each finding its rule id, severity (graded by
the rule's ``warn``/``error`` thresholds) and fingerprint. Observations stream
through once; only findings and small per-window state are kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from itertools import islice

from . import checks
from .checks import ENGINE, GROUPED, OBSERVATION, Context
from .checks._quotes import consumer_quote, display
from .model import (
    CENT,
    Evidence,
    Finding,
    InvalidRecord,
    Observation,
    Problem,
    Rule,
    SourceFailure,
    Threshold,
)
from .result import QuoteStats, Result
from .values import Difference, as_difference

ROUTE_AHEAD = 256  # items read ahead, their replies routed in one batch (<= routing.ROUTE_CACHE)


@dataclass
class Filters:
    """Which observations a run looks at: ``--channel``, ``--since``, ``--until``."""

    channels: frozenset[str] = field(default_factory=frozenset)
    since: datetime | None = None
    until: datetime | None = None

    def admit(self, obs: Observation) -> bool:
        if self.channels and obs.channel not in self.channels:
            return False
        if self.since is not None and obs.at < self.since:
            return False
        return self.until is None or obs.at < self.until

    @property
    def narrowed(self) -> bool:
        """Whether the run looks at less than every observation (--channel/--since/--until)."""
        return bool(self.channels) or self.since is not None or self.until is not None

    def admit_channel(self, channel: str | None) -> bool:
        """Unreadable records and failed sources are kept only for the channels asked for."""
        return not self.channels or channel in self.channels


class Engine:
    """Feed it observations, invalid records and source failures; ``finish()`` gives the Result."""

    def __init__(self, ctx: Context, rules: Iterable[Rule], result: Result, *, resolver=None):
        self.ctx = ctx
        self.result = result
        self.resolver = resolver  # text -> product id or None, for quotes that name no product
        answers = getattr(ctx, "answers", None)
        self.router = answers.router() if answers is not None else None
        # (rule, check function, the Observation field it needs, or None)
        self.per_observation: list[tuple[Rule, object, str | None]] = []
        self.grouped: list[tuple[Rule, object]] = []
        self.raised: dict[str, Rule] = {}
        rules = list(rules)
        for rule in rules:
            self._add_rule(rule)
        result.rules = len(self.per_observation) + len(self.grouped) + len(self.raised)
        result.rule_ids = [rule.id for rule in rules]

    def _add_rule(self, rule: Rule) -> None:
        module = checks.get(rule.check)
        if module.KIND == OBSERVATION:
            self.per_observation.append((rule, module.check, getattr(module, "NEEDS", None)))
        elif module.KIND == GROUPED:
            self.grouped.append((rule, module.State(self.ctx, rule)))
        elif module.KIND == ENGINE:
            self.raised[rule.check] = rule

    def feed(self, items: Iterable, filters: Filters | None = None) -> None:
        items = iter(items)
        while chunk := list(islice(items, ROUTE_AHEAD)):
            self._route_ahead(chunk, filters)
            for item in chunk:
                self._feed_one(item, filters)

    def _feed_one(self, item, filters: Filters | None) -> None:
        if isinstance(item, Observation):
            if filters is None or filters.admit(item):
                self.observe(item)
        elif not self._admits(item, filters):
            return
        elif isinstance(item, InvalidRecord):
            self.raise_engine("invalid-record", item)
        elif isinstance(item, SourceFailure):
            self.raise_engine("channel-unreachable", item)

    def _route_ahead(self, items: list, filters: Filters | None) -> None:
        """Route the replies among ``items`` in one batch (the router remembers them), so
        :meth:`observe` finds each one routed: a batch costs a reply some 15 µs, one
        reply alone some 100 µs."""
        if self.router is None:
            return
        texts = [
            item.text
            for item in items
            if isinstance(item, Observation)
            and item.answer is None
            and (item.text or "").strip()
            and (filters is None or filters.admit(item))
        ]
        if texts:
            self.router.route_many(texts)

    def _admits(self, item, filters: Filters | None) -> bool:
        """Whether this run reports an unreadable record or a failed source.

        Outside ``--channel`` it does not. Split over workers, an unreadable record is
        reported by the owner of the product it names (worker 0 when none), and a failed
        source by worker 0.
        """
        return filters is None or filters.admit_channel(item.channel)

    def observe(self, obs: Observation) -> None:
        if obs.product is None and self.resolver is not None:
            obs = self._resolve(obs)
        if obs.answer is None and self.router is not None and (obs.text or "").strip():
            obs = self._route(obs)
        self.result.observations += 1
        self.result.channels.add(obs.channel)
        self._count_quote(obs)
        ctx, channel = self.ctx, obs.channel
        for rule, check, needs in self.per_observation:
            if needs is not None and getattr(obs, needs) is None:
                continue  # the check cannot apply: skip the call on the hot path
            if rule.channels is None or channel in rule.channels:
                try:
                    for problem in check(obs, ctx, rule):
                        self._add(rule, problem)
                except Exception as err:  # a bug in one check must not sink the run
                    self.internal_error(rule, err, obs)
        for rule, state in self.grouped:
            if rule.channels is None or channel in rule.channels:
                try:
                    state.add(obs)
                except Exception as err:
                    self.internal_error(rule, err, obs)

    def raise_engine(self, check_id: str, item) -> None:
        """An unreadable record or a failed source as its check's finding (a crash in the
        check is an ``internal-error`` finding naming it, as for every other check)."""
        rule = self.raised.get(check_id)
        if rule is not None:
            try:
                problem = checks.get(check_id).problem(item)
            except Exception as err:  # a bug in one check must not sink the run
                self.internal_error(rule, err, item)
                return
            self._emit(rule, [problem])

    def finish(self) -> Result:
        for rule, state in self.grouped:
            try:
                self._emit(rule, state.finish())
            except Exception as err:
                self.internal_error(rule, err, None)
        return self.result

    def internal_error(self, rule: Rule, err: Exception, obs=None) -> None:
        """Record a check's crash as an ``internal-error`` finding; the run goes on (exit 2).

        ``obs``: the Observation, InvalidRecord or SourceFailure it failed on, or None
        (when finishing, or merging what the columnar path gathered)."""
        where = f" on {obs.source}" if obs is not None else " when finishing"
        message = f"check {rule.check} failed{where}: {type(err).__name__}: {err}"
        self.result.findings.append(_crash_finding(rule, message, obs))
        error = f"internal error in check {rule.check}: {type(err).__name__}: {err} (a bug: please report it)"
        if type(err).__name__ == "OutOfMemoryException":  # DuckDB's: a setting, not a bug
            error = (
                f"check {rule.check} ran out of the store's memory: raise --memory-limit ({err})"
            )
        if error not in self.result.errors:
            self.result.errors.append(error)

    def _resolve(self, obs: Observation) -> Observation:
        for text in (obs.name, obs.text):
            product = self.resolver(text) if text else None
            if product is not None:
                return replace(obs, product=product)
        return obs

    def _route(self, obs: Observation) -> Observation:
        """A reply naming no answer goes to the one routing is sure of; else it is counted."""
        answer, _confidence = self.router.route(obs.text)
        if answer is None:
            self.result.unrouted += 1
            return obs
        return replace(obs, answer=answer)

    def _count_quote(self, obs: Observation) -> None:
        if obs.product is None:
            return
        quote = consumer_quote(obs, self.ctx.book)
        if quote is None:
            if obs.amount is not None:
                self.result.other_currency += 1
            return
        key = (obs.channel, obs.product)
        stats = self.result.quotes.get(key)
        if stats is None:
            stats = self.result.quotes[key] = QuoteStats()
        stats.add(quote, self.ctx.book.price_at(obs.product, obs.at), obs.at)

    def _emit(self, rule: Rule, problems: Iterable[Problem] | None) -> None:
        for problem in problems or ():
            self._add(rule, problem)

    def _add(self, rule: Rule, problem: Problem) -> None:
        finding = stamp(rule, problem)
        if finding is not None:
            self.result.findings.append(finding)


def _crash_finding(rule: Rule, message: str, item) -> Finding:
    """The ``internal-error`` finding of a check that failed on ``item`` (or when finishing)."""
    obs = item if isinstance(item, Observation) else None
    source = str(item.source) if item is not None else None
    return Finding(
        fingerprint=fingerprint("internal-error", Problem(message, key=(rule.id,))),
        rule="internal-error",
        severity="error",
        message=message,
        channel=getattr(item, "channel", None),
        product=getattr(item, "product", None),
        at=obs.at if obs is not None else None,
        cause=rule.check,
        evidence=Evidence(ref=obs.ref if obs else None, source=source) if source else None,
        related=(obs.id,) if obs is not None else (),
    )


def stamp(rule: Rule, problem: Problem) -> Finding | None:
    """A Problem becomes a Finding; None when the rule's thresholds say it is too small."""
    severity = grade(rule, problem)
    if severity is None:
        return None
    return Finding(
        fingerprint=fingerprint(rule.id, problem),
        rule=rule.id,
        severity=severity,
        message=problem.message,
        channel=problem.channel,
        product=problem.product,
        answer=problem.answer,
        at=problem.at,
        expected=problem.expected,
        observed=problem.observed,
        difference=display(problem.difference),
        cause=problem.cause,
        evidence=problem.evidence,
        related=problem.related,
    )


def grade(rule: Rule, problem: Problem) -> str | None:
    """The rule's severity, or with ``warn``/``error`` thresholds the worst one the gap passes.

    The gap is the problem's exact difference (amount, and percent unrounded): a
    2.04% gap passes ``warn: {percent: 2}`` and 5.04% passes ``error: {percent: 5}``.
    """
    gap = as_difference(problem.gap or problem.difference)
    if rule.warn is None and rule.error is None or not isinstance(gap, Difference):
        return rule.severity
    amount = abs(gap.amount or Decimal(0))
    percent = abs(gap.percent or Decimal(0))
    if rule.error is not None and _passes(rule.error, amount, percent):
        return "error"
    if rule.warn is not None and _passes(rule.warn, amount, percent):
        return "warning"
    return None


def _passes(threshold: Threshold, amount: Decimal, percent: Decimal) -> bool:
    if threshold.amount is not None and amount > threshold.amount:
        return True
    return threshold.percent is not None and percent > threshold.percent


def fingerprint(rule_id: str, problem: Problem) -> str:
    """Stable over runs: rule, channel (unless the finding is about several), subject and the
    kind of discrepancy; never file lines.

    Amounts in the key are normalized first, so ``89.9``, ``89.90`` and ``"₪89.90"``
    as read from an export give one fingerprint:

    >>> a = fingerprint("r", Problem("m", key=("stale-price", Decimal("89.9"))))
    >>> a == fingerprint("r", Problem("m", key=("stale-price", Decimal("89.900"))))
    True
    """
    channel = (problem.channel or "") if problem.per_channel else ""
    parts = [rule_id, channel, problem.product or "", problem.answer or ""]
    parts.extend(_key_part(p) for p in problem.key)
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:20]


def _key_part(value) -> str:
    """A fingerprint part: Decimals in one form (to the agora when they fit), the rest as text."""
    if isinstance(value, Decimal):
        try:
            cents = value.quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:  # too many digits for the context: no agora form
            return str(value.normalize())
        return str(cents) if cents == value else str(value.normalize())
    return "" if value is None else str(value)


def run(
    ctx: Context,
    rules: list[Rule],
    items: Iterator,
    result: Result,
    *,
    filters=None,
    resolver=None,
    columnar=None,
) -> Result:
    """Feed every item through a fresh Engine, then what the columnar path gathered; finish."""
    engine = Engine(ctx, rules, result, resolver=resolver)
    try:
        engine.feed(items, filters)
        if columnar is not None:
            columnar.finish(engine, filters)
    except Exception:
        engine.finish()  # keep the grouped findings gathered so far; the caller reports the error
        raise
    return engine.finish()
