"""An audit split over processes by product finds exactly what one process finds.

The data mixes what partitioning could get wrong: quotes of every product in CSV
and JSON Lines, replies that name no product (worker 0's, resolved by alias),
unreadable rows that name a product (its owner's), and a file that is missing.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config
from consistency.partition import Partition, merge

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gen_quotes import write  # noqa: E402

EXTRA = [
    {"channel": "phone", "at": "2026-11-03T10:00:00", "name": "סיבים 200", "amount": "74.90"},
    {"channel": "chat", "at": "2026-11-03T11:00:00", "text": 'סיב 500 עולה 89.91 ש"ח לחודש'},
    {"channel": "chat", "at": "2026-11-03T12:00:00", "text": "שלום, איך אפשר לעזור?"},
    {"channel": "web", "at": "not a date", "product": "fiber-500", "amount": "99.90"},
    {"channel": "web", "at": "2026-11-03T13:00:00", "product": "tv-basic", "amount": "abc"},
    {"channel": "fax", "at": "2026-11-03T14:00:00", "product": "static-ip", "amount": "25"},
]


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("partition")
    path = write(3000, folder, "csv")
    with (folder / "more.jsonl").open("w", encoding="utf-8") as fh:
        for record in EXTRA:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    text = path.read_text(encoding="utf-8").replace(
        "    files: [", f"    files: [{folder / 'more.jsonl'}, {folder / 'missing-*.csv'}, "
    )
    path.write_text(text, encoding="utf-8")
    return path


def summary(result):
    return (
        Counter((f.fingerprint, f.message) for f in result.findings),
        result.observations,
        result.unrouted,
        sorted(result.errors),
        {key: vars(stats) for key, stats in result.quotes.items()},
    )


@pytest.mark.parametrize("jobs", [2, 3])
def test_split_runs_equal_the_whole(config, jobs):
    cfg = load_config(config)
    whole = audit(cfg, AuditOptions(jobs=1))
    split = audit(cfg, AuditOptions(jobs=jobs))
    assert summary(split) == summary(whole)
    rules = {f.rule for f in whole.findings}
    assert {"invalid-record", "channel-unreachable", "price-mismatch"} <= rules
    assert whole.errors, "the missing export file is an error in both"


def test_every_product_has_exactly_one_owner():
    products = [f"p-{i}" for i in range(200)]
    for count in (1, 2, 3, 4):
        owners = Counter(i for p in products for i in range(count) if Partition(i, count).owns(p))
        assert sum(owners.values()) == len(products) and len(owners) == count
    assert all(Partition(0, n).owns(None) and not Partition(1, n).owns(None) for n in (2, 3))


def test_merge_adds_counts_and_keeps_errors_once(config):
    cfg = load_config(config)
    from consistency.audit import audit_part

    parts = [audit_part(cfg, AuditOptions(), Partition(i, 2)) for i in range(2)]
    merged = merge(parts)
    assert merged.observations == sum(p.observations for p in parts)
    assert len(merged.findings) == sum(len(p.findings) for p in parts)
    assert len(merged.errors) == len(set(merged.errors)) == 1
