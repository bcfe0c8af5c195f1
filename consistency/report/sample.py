"""A synthetic run for previewing report formats, testing them and benchmarking them.

The findings cover what the formats must survive: Hebrew product names, shekels
and dollars, answer facts, findings with and without evidence, and evidence that
tries to inject markup (``<script>``, quotes, ampersands).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal

from ..model import Evidence, Finding, Location
from ..result import QuoteStats, Result
from ..text.display import money_text
from ..values import Difference, MoneyValue

IL = timezone(timedelta(hours=2))
STARTED = datetime(2026, 11, 21, 9, 0, tzinfo=IL)
HOSTILE = 'אמרו לי <script>document.title="pwned";alert(1)</script> "&<> ₪89.91'


def sample_findings() -> list[Finding]:
    """Six findings, one of every shape the formats must render."""
    return [
        Finding(
            fingerprint="fp-phone-price",
            rule="price-mismatch",
            severity="error",
            message="phone quoted ₪89.91 for סיב 500 מגה; the list price is ₪99.90 (-10.0%)",
            channel="phone",
            product="fiber-500",
            at=datetime(2026, 11, 21, 10, 15, tzinfo=IL),
            expected={"amount": Decimal("99.90"), "currency": "ILS"},
            observed={"amount": Decimal("89.91"), "currency": "ILS"},
            difference=Difference(Decimal("-9.99"), Decimal("-10.0")),
            cause="over-authority-discount",
            evidence=Evidence(
                ref="call-123",
                source="exports/phone/2026-11-21.csv:14",
                excerpt=HOSTILE,
                span=(HOSTILE.index("₪89.91"), len(HOSTILE)),
                where=Location("prices.yaml", 12, 9),
            ),
            related=("obs-1", "obs-2"),
            status="new",
        ),
        Finding(
            fingerprint="fp-web-usd",
            rule="price-mismatch",
            severity="warning",
            message="web quoted $27.50 for router | mesh; the list price is $29.90",
            channel="web",
            product="router-mesh",
            at=datetime(2026, 11, 21, 11, 0, tzinfo=IL),
            expected={"amount": Decimal("29.90"), "currency": "USD"},
            observed={"amount": Decimal("27.50"), "currency": "USD"},
            difference=Difference(Decimal("-2.40"), Decimal("-8.0")),
            cause="stale-price",
            evidence=Evidence(
                ref="https://shop.example.co.il/router?a=1&b=2",
                source="https://shop.example.co.il/router?a=1&b=2",
                excerpt="Price: $27.50",
                span=(7, 13),
            ),
            status="recurring",
        ),
        Finding(
            fingerprint="fp-chat-duration",
            rule="answer-contradicts-approved",
            severity="error",
            message="chat said ביטול ללא עלות בתוך 7 ימים; the approved answer says 14 יום",
            channel="chat",
            answer="cancellation-fee",
            at=datetime(2026, 11, 21, 12, 30, tzinfo=IL),
            expected={"fact": "duration", "value": 14, "unit": "day"},
            observed={"fact": "duration", "value": 7, "unit": "day"},
            evidence=Evidence(
                ref="javascript:alert(1)",
                source="exports/chat/2026-11-21.jsonl:3",
                excerpt="ביטול ללא עלות בתוך 7 ימים מההצטרפות",
                span=(20, 26),
                where=Location("answers.yaml", 7, 7),
            ),
        ),
        Finding(
            fingerprint="fp-gap",
            rule="cross-channel-gap",
            severity="error",
            message="סיב 500 מגה: web ₪99.90, phone ₪89.91 (10.0% apart)",
            channel="phone",
            product="fiber-500",
            expected={"amount": Decimal("99.90"), "currency": "ILS", "channel": "web"},
            observed={"amount": Decimal("89.91"), "currency": "ILS", "channel": "phone"},
            difference=Difference(Decimal("-9.99"), Decimal("-10.0")),
        ),
        Finding(
            fingerprint="fp-forbidden",
            rule="forbidden-phrase",
            severity="info",
            message='chat said the forbidden phrase "אין מה לעשות"',
            channel="chat",
            observed={"phrase": "אין מה לעשות"},
            evidence=Evidence(source="exports/chat/2026-11-21.jsonl:9"),
        ),
        Finding(
            fingerprint="fp-unreachable",
            rule="channel-unreachable",
            severity="warning",
            message="web: shop.example.co.il did not answer after 3 tries, connection refused",
            channel="web",
        ),
    ]


def sample_result(extra: int = 0) -> Result:
    """The sample findings, plus ``extra`` generated price mismatches (for benchmarks)."""
    findings = sample_findings() + [generated(i) for i in range(extra)]
    result = Result(
        started=STARTED,
        finished=STARTED + timedelta(seconds=42),
        config="consistency.yaml",
        price_list_version="2026-11",
        observations=1234 + extra,
        rules=12,
        findings=findings,
    )
    result.quotes = {
        ("phone", "fiber-500"): QuoteStats(
            40, Decimal("89.91"), Decimal("99.90"), Decimal("99.90")
        ),
        ("web", "fiber-500"): QuoteStats(12, Decimal("99.90"), Decimal("99.90"), Decimal("99.90")),
        ("chat", "fiber-500"): QuoteStats(5, Decimal("97.90"), Decimal("99.90"), Decimal("99.90")),
        ("web", "router-mesh"): QuoteStats(3, Decimal("27.50"), Decimal("29.90"), Decimal("29.90")),
    }
    return result


CHANNELS = ("web", "phone", "chat", "store", "email")
CAUSES = ("stale-price", "overcharge", "rounding", "vat-excluded", "unknown")


def generated(i: int) -> Finding:
    """One synthetic price mismatch, varied by ``i`` across channels, products and causes."""
    listed = Decimal("99.90") + i % 7
    quoted = listed - Decimal(i % 13) - Decimal("0.09")
    return Finding(
        fingerprint=f"gen-{i:06d}",
        rule=("price-mismatch", "cross-channel-gap", "vat-excluded-price")[i % 3],
        severity=("error", "warning", "info")[i % 3],
        message=(
            f"quoted {money_text(quoted, 'ILS')} for מוצר {i % 40}; "
            f"the list price is {money_text(listed, 'ILS')}"
        ),
        channel=CHANNELS[i % len(CHANNELS)],
        product=f"product-{i % 40}",
        at=STARTED + timedelta(minutes=i),
        expected=MoneyValue(listed, "ILS"),
        observed=MoneyValue(quoted, "ILS"),
        difference=Difference(quoted - listed, (quoted - listed) * 100 / listed),
        cause=CAUSES[i % len(CAUSES)],
        evidence=Evidence(
            ref=f"call-{i}",
            source=f"exports/phone/day-{i % 30}.csv:{i + 2}",
            excerpt=f'הנציג אמר {quoted} ש"ח לחודש <b>',
            span=(10, 10 + len(str(quoted))),
        ),
    )
