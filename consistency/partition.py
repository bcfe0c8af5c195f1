"""One audit split over several processes by product, and the parts merged back into one Result.

Every check keys its state by product (cross-channel-gap by product and window,
customer-quote-conflict by customer and product), so a worker that sees every
quote of its products finds exactly what one process would. A product belongs
to the worker ``crc32(product) % count`` (stable across processes, unlike
``hash``). Worker 0 also takes what belongs to no product: replies without one,
unreadable records, failed sources, and the live fetchers.
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass

from .result import QuoteStats, Result

BIG_INPUT = 32 * 1024 * 1024  # bytes of export files from which a run uses every core
MAX_JOBS = 4


@dataclass(frozen=True)
class Partition:
    index: int
    count: int

    @property
    def first(self) -> bool:
        return self.index == 0

    def owns(self, product: str | None) -> bool:
        """Whether this worker audits ``product`` (None: worker 0).

        >>> [Partition(i, 2).owns("fiber-500") for i in (0, 1)].count(True)
        1
        """
        if not product:
            return self.index == 0
        return zlib.crc32(product.encode()) % self.count == self.index


def auto_jobs(input_bytes: int, cpus: int | None = None) -> int:
    """One process for ordinary inputs; every core (up to MAX_JOBS) for big exports.

    >>> auto_jobs(1_000), auto_jobs(100 * 1024 * 1024, cpus=2)
    (1, 2)
    """
    if input_bytes < BIG_INPUT:
        return 1
    return max(1, min(cpus or os.cpu_count() or 1, MAX_JOBS))


def merge(parts: list[Result]) -> Result:
    """The Results of the workers as one: counts added, findings and errors gathered."""
    first = parts[0]
    merged = Result(
        started=min(p.started for p in parts),
        config=first.config,
        price_list_version=first.price_list_version,
        rules=first.rules,
        rule_ids=list(first.rule_ids),
    )
    for part in parts:
        merged.observations += part.observations
        merged.unrouted += part.unrouted
        merged.other_currency += part.other_currency
        merged.findings.extend(part.findings)
        merged.channels |= part.channels
        merged.errors.extend(e for e in part.errors if e not in merged.errors)
        for key, stats in part.quotes.items():
            merged.quotes.setdefault(key, QuoteStats()).merge(stats)
    return merged
