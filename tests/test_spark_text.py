"""Text records on the spark engine: read and checked on Spark's executors, findings as DuckDB's.

Issue 10, item 5: "Text checks run as Python functions over partitions
(mapInArrow or mapInPandas) with the same extraction code" and "On the test
datasets Spark's findings equal DuckDB's". The datasets: the demo company's
exports (fixtures/demo: chat transcripts, replies with prices, forbidden phrases,
answers to route), and random replies built from the demo's texts, written as
JSON Lines or CSV files split at random, with unreadable lines among them, read by Spark
in 2 KB splits so that every line number is computed across splits.
"""

from __future__ import annotations

import json
import random
import shutil
from datetime import timedelta
from pathlib import Path

import pytest

from consistency.audit import AuditOptions, audit
from consistency.engine import Engine, Filters
from consistency.inputs.config import load_config
from consistency.spark_engine import SparkColumnar
from tests.helpers import local, write
from tests.test_columnar import comparable
from tests.test_spark import MASTER, both, spark  # noqa: F401 - the Spark session fixture

DEMO = Path(__file__).parent.parent / "fixtures" / "demo"


def claims_text(monkeypatch) -> list[str]:
    """The names of the files the spark engine claims as text exports, as it claims them."""
    claimed: list[str] = []
    original = SparkColumnar._claim_text

    def spy(self, path, *args):
        taken = original(self, path, *args)
        if taken:
            claimed.append(path.name)
        return taken

    monkeypatch.setattr(SparkColumnar, "_claim_text", spy)
    return claimed


def observed_on_driver(monkeypatch) -> list:
    """Where every Observation the driver's engine observes comes from (the executors' are
    other processes: a spy here does not see them)."""
    seen: list = []
    original = Engine.observe

    def spy(self, obs):
        seen.append(obs.source.file)
        return original(self, obs)

    monkeypatch.setattr(Engine, "observe", spy)
    return seen


def test_the_demo_exports_give_the_same_findings(spark, monkeypatch):  # noqa: F811
    """The demo company (routing, templates, Hebrew prices in replies, forbidden phrases):
    the JSON Lines exports that are not plain quotes are checked on the executors, and no
    record of theirs is observed on the driver."""
    config = load_config(DEMO / "consistency.yaml")
    duck = audit(config, AuditOptions(fetch=False, engine="duckdb", jobs=1))
    claimed = claims_text(monkeypatch)
    observed = observed_on_driver(monkeypatch)
    options = AuditOptions(fetch=False, engine="spark", jobs=1, spark_master=MASTER)
    spark_result = audit(config, options)
    assert "transcripts-2026-11.jsonl" in claimed
    assert comparable(spark_result) == comparable(duck)
    text_rules = {"answer-contradicts-approved", "forbidden-phrase", "price-in-reply-mismatch"}
    from_texts = [
        f
        for f in spark_result.findings
        if f.rule in text_rules and Path(f.evidence.source.split(":")[0]).name in claimed
    ]
    assert len(from_texts) >= 3  # the transcripts' contradictions and forbidden phrases
    assert observed  # the spy works: the CSV exports are still read on the driver
    assert not [s for s in observed if Path(s).name in claimed]


BROKEN = {  # layout: [(a line among the replies, what Python's reader makes of it)]
    "jsonl": [
        ("{not json}", "an invalid-record: not JSON"),
        ('{"channel": "chat", "at": "yesterday", "text": "שלום"}', "an invalid-record: the time"),
        ('{"channel": "chat", "at": "2026-11-20T10:00", "text": "a", "text": "b"}', "a key twice"),
        ("", "a blank line: skipped, counted in the line numbers"),
        ("[1, 2]", "an invalid-record: not an object"),
    ],
    "csv": [
        (
            "x1,chat,2026-11-20T10:00,a,b,c,d,e,f,g",
            "an invalid-record: more columns than the header",
        ),
        ("x2,chat,yesterday,שלום,,,,,", "an invalid-record: the time"),
        ("", "a blank line: skipped, counted in the line numbers"),
        ('x3,chat,2026-11-20T10:00,100 ש"ח לחודש,,,,,', "a quote inside a field: literal"),
    ],
}
CSV_COLUMNS = ["id", "channel", "at", "text", "ref", "answer", "product", "amount", "customer"]


def replies(rng: random.Random, n: int, layout: str) -> list[str]:
    """``n`` records (JSON Lines, or CSV lines under a header) built from the demo's texts:
    its transcripts and call notes, prices said in words and digits (right and wrong),
    forbidden phrases; some name an answer, some a product and an amount, some on a channel
    the rules leave out. A CSV's texts lose their commas (no field is quoted)."""
    texts = [
        json.loads(line)["text"]
        for line in (DEMO / "exports/chat/transcripts-2026-11.jsonl").read_text().splitlines()
    ]
    texts += [
        "אמרתי ללקוח שסיב 500 עולה תשעים ותשע תשעים לחודש",
        "אמרתי ללקוח שסיב 500 עולה שמונים ותשע תשעים לחודש",
        "סיב 1000 עולה 129.90 ₪ לחודש",
        "סיב 1000 עולה 119.90 ₪ לחודש",
        "מצטערים, ואין מה לעשות",
        "זה לא באחריותנו, זה מה שרכשת",
        "התקנת הנתב עולה ₪149.00, בתשלום חד פעמי.",
        "   ",
    ]
    lines = [",".join(CSV_COLUMNS)] if layout == "csv" else []
    for i in range(n):
        if rng.random() < 0.06:
            lines.append(rng.choice(BROKEN[layout])[0])
            continue
        at = local("2026-11-15T08:00") + timedelta(minutes=rng.randrange(10 * 24 * 60))
        record = {
            "id": f"t{i}",
            "channel": rng.choice(["chat", "chat", "web", "phone"]),
            "at": at.strftime("%Y-%m-%dT%H:%M:%S"),
            "text": rng.choice(texts),
            "ref": f"r{i}",
        }
        if rng.random() < 0.2:
            record["answer"] = rng.choice(["cancellation-fee", "install-time", "refund-time"])
        if rng.random() < 0.2:
            record |= {"product": "fiber-500", "amount": rng.choice(["99.90", "89.90", "94.90"])}
            record["customer"] = rng.choice(["hh-1", "hh-2"])
        if layout == "csv":
            record["text"] = record["text"].replace(",", "")
            lines.append(",".join(record.get(c, "") for c in CSV_COLUMNS))
        else:
            lines.append(json.dumps(record, ensure_ascii=rng.random() < 0.5))
    return lines


@pytest.mark.parametrize("layout, seed", [("jsonl", 3), ("jsonl", 11), ("csv", 5)])
def test_random_replies_split_across_files_and_splits(spark, tmp_path, monkeypatch, layout, seed):  # noqa: F811
    """Random replies in 1 to 3 files, read in 2 KB splits; the findings (their
    ``file:line`` included) equal the duckdb engine's, with and without filters."""
    rng = random.Random(seed)
    for name in ("prices.yaml", "answers.yaml"):
        shutil.copy(DEMO / name, tmp_path / name)
    lines = replies(rng, 160, layout)
    head = lines[:1] if layout == "csv" else []
    body = lines[len(head) :]
    parts = rng.randint(1, 3)
    names = []
    for part in range(parts):
        name = f"replies-{part}.{layout}"
        chunk = head + body[part::parts]
        if not chunk[0].startswith("{") and layout == "jsonl":
            chunk[0] = '{"id": "x"}'  # a JSON Lines file starts with an object
        write(tmp_path / name, "\n".join(chunk) + ("\n" if rng.random() < 0.7 else ""))
        names.append(name)
    config = load_config(
        write(
            tmp_path / "consistency.yaml",
            "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
            f"sources:\n  - {{channel: chat, files: [{', '.join(names)}]}}\n",
        )
    )
    filters = rng.choice(
        [Filters(), Filters(frozenset({"chat"})), Filters(since=local("2026-11-19T00:00"))]
    )
    claimed = claims_text(monkeypatch)
    spark.conf.set("spark.sql.files.maxPartitionBytes", "2048")
    try:
        duck, spark_result = both(config, filters)
    finally:
        spark.conf.unset("spark.sql.files.maxPartitionBytes")
    assert sorted(claimed) == names
    assert any(f.rule == "invalid-record" for f in duck.findings)
    assert any(f.rule == "price-in-reply-mismatch" for f in duck.findings)
    assert comparable(spark_result) == comparable(duck)


def test_a_template_that_fails_on_an_executor_is_reported_by_the_run(spark, tmp_path):  # noqa: F811
    """An answer's template over budget on a branch the load did not take
    (tests/test_hardening_templates.py) fails when a reply is checked, on an executor: the
    run still reports it, as the duckdb engine does."""
    template = "{% if price('fiber-500') != '₪1.00' %}{{ 'a' * 10**9 }}{% endif %}ok"
    shutil.copy(DEMO / "prices.yaml", tmp_path / "prices.yaml")
    write(
        tmp_path / "answers.yaml", f"answers:\n  - id: trap\n    answer: {json.dumps(template)}\n"
    )
    record = {"channel": "chat", "at": "2026-11-20T10:00:00", "text": "ok", "answer": "trap"}
    write(tmp_path / "replies.jsonl", json.dumps(record) + "\n")
    config = load_config(
        write(
            tmp_path / "consistency.yaml",
            "timezone: Asia/Jerusalem\nprice_list: prices.yaml\nanswers: answers.yaml\n"
            "sources:\n  - {channel: chat, files: [replies.jsonl]}\n",
        )
    )
    duck, spark_result = both(config)
    said = [e for e in spark_result.errors if "answer trap: template over budget" in e]
    assert said and said == [e for e in duck.errors if "template over budget" in e]
    assert comparable(spark_result) == comparable(duck)


def test_a_line_over_the_record_size_is_refused_as_python_refuses_it(spark, tmp_path):  # noqa: F811
    """A reply over ``limits.record_size`` (1 MiB) is an invalid-record on both engines, at its
    line; the executors refuse it (Spark's line reader holds it whole: docs/engine.md)."""
    shutil.copy(DEMO / "prices.yaml", tmp_path / "prices.yaml")
    ok = {"channel": "chat", "at": "2026-11-20T10:00:00", "text": "סיב 500 עולה 89.90 ₪ לחודש"}
    huge = dict(ok, text="א" * (3 << 19))  # 1.5 M letters, 3 MiB in UTF-8
    lines = [json.dumps(r, ensure_ascii=False) for r in (ok, huge, ok)]
    write(tmp_path / "long.jsonl", "\n".join(lines))
    config = load_config(
        write(
            tmp_path / "consistency.yaml",
            "timezone: Asia/Jerusalem\nprice_list: prices.yaml\n"
            "sources:\n  - {channel: chat, files: [long.jsonl]}\n",
        )
    )
    duck, spark_result = both(config)
    refused = [f for f in spark_result.findings if f.rule == "invalid-record"]
    assert [Path(f.evidence.source).name for f in refused] == ["long.jsonl:2"]
    assert comparable(spark_result) == comparable(duck)
