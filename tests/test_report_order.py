"""Every report lists findings in one order, whatever the order the files were read in and
whichever engine read them (tryout10 finding 8).

The same quotes in several files give findings alike but for their evidence's source
(d_dupfiles): their order followed the order the files were read, so two runs of one audit,
or the duckdb and python engines, wrote reports that differed. ``Result.sorted_findings``
now ends its key with the evidence (file, then line number), and every reporter starts
from that order (``report.safe.safe_result``).
"""

from __future__ import annotations

import io
import json

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config
from consistency.report import get
from tests.helpers import PRICES, write

QUOTES = (
    "id,at,customer,product,amount,ref\n"
    "q1,2026-03-01T10:00,hh-1,fiber-500,99.90,r1\n"
    "q2,2026-03-01T11:00,hh-1,fiber-500,89.90,r2\n"
)
NO_IDS = (  # no id: the id is the content's hash, the same in each file
    "at,customer,product,amount,ref\n"
    "2026-03-01T10:00,hh-2,fiber-500,79.90,r3\n"
    "2026-03-01T10:00,hh-2,fiber-500,79.90,r3\n"
)
FILES = {
    "a.csv": QUOTES,
    "b.csv": QUOTES,
    "c.csv": "\ufeff" + QUOTES,  # a BOM: read by Python on the duckdb engine
    "d.csv": NO_IDS,
    "e.csv": "\ufeff" + NO_IDS,
    "f.jsonl": '{"id":"q1","at":"2026-03-01T10:00","product":"fiber-500","amount":"89.90"}\n'
    '{"id":"q9","at":"2026-03-01T09:00","product":"fiber-500","amount":"bad"}\n',
    "g.csv": "id,at,product,amount\nq9,2026-03-01T09:00,fiber-500,bad\n",
}
# (the order the config lists the files in, where it came from)
ORDERS = [
    (["a.csv", "b.csv", "c.csv", "d.csv", "e.csv", "f.jsonl", "g.csv"], "alphabetical"),
    (["g.csv", "e.csv", "c.csv", "f.jsonl", "a.csv", "d.csv", "b.csv"], "tryout10 d_dupfiles"),
    (["c.csv", "b.csv", "a.csv", "g.csv", "f.jsonl", "e.csv", "d.csv"], "reversed"),
]


def _reports(folder, order: list[str], engine: str) -> tuple[str, str]:
    """The JSON report's findings array and the text report, for the files in ``order``."""
    for name, text in FILES.items():
        write(folder / "ex" / name, text)
    write(folder / "prices.yaml", PRICES)
    sources = "".join(f"  - {{channel: web, files: [ex/{name}]}}\n" for name in order)
    write(
        folder / "consistency.yaml",
        f"timezone: Asia/Jerusalem\nprice_list: prices.yaml\nsources:\n{sources}",
    )
    result = audit(
        load_config(folder / "consistency.yaml"), AuditOptions(fetch=False, engine=engine, jobs=1)
    )
    assert not result.errors
    shown = {}
    for name in ("json", "text"):
        stream = io.StringIO()
        get(name)(stream).run(result)
        shown[name] = stream.getvalue()
    findings = json.loads(shown["json"])["findings"]
    return json.dumps(findings, ensure_ascii=False, indent=2), shown["text"]


def test_findings_are_in_one_order_whatever_the_file_order_and_engine(tmp_path):
    seen = {}
    for i, (order, _origin) in enumerate(ORDERS):
        for engine in ("duckdb", "python"):
            seen[(i, engine)] = _reports(tmp_path, order, engine)  # one folder: one path
    findings = {key: json_text for key, (json_text, _) in seen.items()}
    texts = {key: text for key, (_, text) in seen.items()}
    reference = findings[(0, "python")]
    assert all(text == reference for text in findings.values()), [
        key for key, text in findings.items() if text != reference
    ]
    assert len(set(texts.values())) == 1
    fingerprints = [f["fingerprint"] for f in json.loads(reference)]
    assert len(fingerprints) > len(set(fingerprints))  # findings alike but for their source
