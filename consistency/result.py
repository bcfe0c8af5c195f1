"""The outcome of a run, kept apart from how it is rendered, and its JSON round trip.

``Result.to_dict()`` is the SPEC 6 report (``consistency/report@1``);
``Result.from_dict()`` reads one back for ``consistency report`` and ``consistency email``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from datetime import datetime
from decimal import Decimal

from . import __version__
from .model import SEVERITIES, SEVERITY_RANK, Evidence, Finding, Location
from .values import as_difference, plain, value_from_json

SCHEMA = "consistency/report@1"
FAIL_ON = ("error", "warning", "never")


@dataclass
class QuoteStats:
    """Quotes of one product on one channel: how many, lowest, highest, and the list price."""

    count: int = 0
    low: Decimal | None = None
    high: Decimal | None = None
    list_price: Decimal | None = None  # in effect at the latest quote, whatever the order
    latest: datetime | None = field(default=None, compare=False, repr=False)

    def add(self, amount: Decimal, list_price: Decimal | None, at: datetime | None = None) -> None:
        self.count += 1
        self.low = amount if self.low is None else min(self.low, amount)
        self.high = amount if self.high is None else max(self.high, amount)
        self._list(list_price, at)

    def merge(self, other: QuoteStats) -> None:
        """Fold another part's statistics in (a worker's, or the columnar path's)."""
        self.count += other.count
        for amount in (other.low, other.high):
            if amount is not None:
                self.low = amount if self.low is None else min(self.low, amount)
                self.high = amount if self.high is None else max(self.high, amount)
        self._list(other.list_price, other.latest)

    def _list(self, list_price: Decimal | None, at: datetime | None) -> None:
        if list_price is None:
            return
        if self.list_price is None or at is None or self.latest is None or at >= self.latest:
            self.list_price, self.latest = list_price, at


@dataclass
class Result:
    started: datetime
    finished: datetime | None = None
    config: str | None = None
    price_list_version: str | None = None
    tool_version: str = __version__
    observations: int = 0
    rules: int = 0
    unrouted: int = 0
    other_currency: int = 0  # quotes in a currency the price list has no exchange rate for
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # the tool could not do its job
    quotes: dict[tuple[str, str], QuoteStats] = field(default_factory=dict)
    rule_ids: list[str] = field(default_factory=list)  # the rules that ran
    channels: set[str] = field(default_factory=set)  # the channels observations came from
    resolved: list[dict] = field(default_factory=list)  # the previous run's, gone now (history)
    read_by_python: list[str] = field(default_factory=list)  # exports the engine left to
    # Python's reader (not plain quotes): --verbose names them; not part of the report

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for finding in self.findings:
            counts[finding.severity] += 1
        return counts

    def exit_code(self, fail_on: str = "error") -> int:
        """0 nothing at or above ``fail_on``; 1 findings at or above it; 2 the tool failed."""
        if self.errors:
            return 2
        if fail_on == "never":
            return 0
        floor = SEVERITY_RANK[fail_on]
        return 1 if any(self._counts_against(f, floor) for f in self.findings) else 0

    @staticmethod
    def _counts_against(finding: Finding, floor: int) -> bool:
        """A baselined finding is accepted: it is reported but does not fail the run."""
        return finding.status != "baselined" and SEVERITY_RANK[finding.severity] >= floor

    def sorted_findings(self) -> list[Finding]:
        """Worst first, then channel, rule, time (:func:`finding_order`): one order whatever
        the order the files were read in or the engine that read them."""
        return sorted(self.findings, key=finding_order)

    def to_dict(self) -> dict:
        return {
            "schema": SCHEMA,
            "run": {
                "started": _iso(self.started),
                "finished": _iso(self.finished),
                "tool_version": self.tool_version,
                "price_list_version": self.price_list_version,
                "config": self.config,
                "rule_ids": list(self.rule_ids),
                "channels": sorted(self.channels),
            },
            "summary": {
                "observations": self.observations,
                "rules": self.rules,
                "unrouted": self.unrouted,
                "other_currency": self.other_currency,
                "findings": self.counts(),
            },
            "findings": [finding_to_dict(f) for f in self.sorted_findings()],
            "errors": list(self.errors),
            "resolved": [plain(row) for row in self.resolved],
            "quotes": [
                {
                    "channel": ch,
                    "product": pr,
                    "count": s.count,
                    "low": _num(s.low),
                    "high": _num(s.high),
                    "list_price": _num(s.list_price),
                }
                for (ch, pr), s in sorted(self.quotes.items())
            ],
        }

    @classmethod
    def from_dict(cls, data: dict) -> Result:
        run, summary = data.get("run", {}), data.get("summary", {})
        result = cls(
            started=_parse_time(run.get("started")),
            finished=_parse_time(run.get("finished")),
            config=run.get("config"),
            price_list_version=run.get("price_list_version"),
            tool_version=run.get("tool_version") or __version__,
            observations=summary.get("observations", 0),
            rules=summary.get("rules", 0),
            unrouted=summary.get("unrouted", 0),
            other_currency=summary.get("other_currency", 0),
            findings=[finding_from_dict(f) for f in data.get("findings", [])],
            errors=list(data.get("errors", [])),
            rule_ids=list(run.get("rule_ids", [])),
            channels=set(run.get("channels", [])),
            resolved=list(data.get("resolved", [])),
        )
        for row in data.get("quotes", []):
            result.quotes[(row["channel"], row["product"])] = QuoteStats(
                row["count"], _dec(row["low"]), _dec(row["high"]), _dec(row["list_price"])
            )
        return result


def finding_order(f: Finding) -> tuple:
    """A total sort key: worst first, then channel, rule, time, fingerprint, related ids and
    message, and last what tells apart findings alike in all those (the same quote in two
    files): product, cause, status and the evidence, its source by file then line number.

    >>> a, b = (Finding("f", "r", "error", "m", evidence=Evidence(source=s))
    ...         for s in ("b.csv:3", "a.csv:10"))
    >>> [f.evidence.source for f in sorted([a, b], key=finding_order)]
    ['a.csv:10', 'b.csv:3']
    """
    ev = f.evidence or _NO_EVIDENCE
    return (
        -SEVERITY_RANK[f.severity],
        f.channel or "",
        f.rule,
        f.at.isoformat() if f.at else "",
        f.fingerprint,
        tuple(f.related),
        f.message,
        f.product or "",
        f.cause or "",
        f.status or "",
        _place(ev.source),
        ev.ref or "",
        str(ev.where or ""),
        ev.excerpt or "",
        ev.span or (),
    )


_NO_EVIDENCE = Evidence()
_LINE = re.compile(r"(.*?)((?::[0-9]+)*)")


def _place(source: str | None) -> tuple[str, tuple[int, ...]]:
    """``"ex/a.csv:10"`` as ``("ex/a.csv", (10,))``, so that line 9 comes before line 10.

    >>> _place("ex/a.csv:10"), _place("https://example.com:8080/p"), _place(None)
    (('ex/a.csv', (10,)), ('https://example.com:8080/p', ()), ('', ()))
    """
    name, numbers = _LINE.fullmatch(source or "").groups()
    return name, tuple(int(n) for n in numbers.split(":")[1:])


def finding_to_dict(finding: Finding) -> dict:
    """A finding as the JSON report carries it (SPEC 6); values by their ``to_json``."""
    ev = finding.evidence
    return {
        "fingerprint": finding.fingerprint,
        "rule": finding.rule,
        "severity": finding.severity,
        "channel": finding.channel,
        "product": finding.product,
        "answer": finding.answer,
        "at": _iso(finding.at),
        "expected": plain(finding.expected),
        "observed": plain(finding.observed),
        "difference": plain(finding.difference),
        "cause": finding.cause,
        "message": finding.message,
        "evidence": None
        if ev is None
        else {
            "ref": ev.ref,
            "source": ev.source,
            "excerpt": ev.excerpt,
            "span": list(ev.span) if ev.span else None,
            "where": str(ev.where) if ev.where else None,
        },
        "related": list(finding.related),
        "status": finding.status,
    }


def finding_from_dict(data: dict) -> Finding:
    """The finding of a JSON report row, ``expected``/``observed`` typed again
    (:func:`~consistency.values.value_from_json`; result files of older versions too)."""
    ev = data.get("evidence")
    evidence = None
    if ev is not None:
        evidence = Evidence(
            ref=ev.get("ref"),
            source=ev.get("source"),
            excerpt=ev.get("excerpt"),
            span=tuple(ev["span"]) if ev.get("span") else None,
            where=_parse_location(ev.get("where")),
        )
    names = {f.name for f in fields(Finding)} - {"evidence", "at", "related"}
    values = {name: data.get(name) for name in names}
    for key in ("expected", "observed"):
        values[key] = value_from_json(values[key])
    values["difference"] = as_difference(_decimals(values["difference"]))
    return Finding(
        **values,
        at=_parse_time(data.get("at")),
        evidence=evidence,
        related=tuple(data.get("related") or ()),
    )


def _decimals(value):
    if isinstance(value, float | int) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _decimals(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decimals(v) for v in value]
    return value


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() and abs(value) < 2**53 else float(value)


def _dec(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _parse_location(value: str | None) -> Location | None:
    if not value:
        return None
    file, _, rest = value.partition(":")
    parts = [int(p) for p in rest.split(":") if p.isdigit()]
    return Location(file, *parts[:2])
