"""Tryout 13b F5: the email of a five-channel project fits a phone (400 px) in real headless
Chromium: the counts wrap, a five-channel gap card's quotes stack, nothing scrolls sideways.
Screenshots go where tests/test_report_browser.py puts them (CI keeps them)."""

from __future__ import annotations

import pytest

from consistency.report.email import email_html
from tests.test_issue13b_reports import NAMES, gap, morning
from tests.test_report_browser import browser, open_page, screenshots  # noqa: F401 (fixture)

FIVE = ("web", "phone", "chat", "store", "app")  # the tryout project's channels
LONG_NAME = "מזגן Tornado 3000 אינוורטר עם שלט חכם, התקנה סטנדרטית ופירוק המזגן הישן"


def five_channel_morning():
    """The tryout's morning run plus a gap across all five channels on a long-named product,
    every count box shown (errors, warnings, info, baselined, new, resolved)."""
    result = morning()
    result.findings.append(gap("fp-gap5", "long", "new", channels=FIVE))
    result.resolved = [{"rule": "price-mismatch", "channel": "chat", "product": "long"}]
    return result


@pytest.mark.parametrize("width", (400, 1400))
def test_a_five_channel_email_fits_without_sideways_scrolling(browser, tmp_path, width):  # noqa: F811
    body = email_html(five_channel_morning(), locale="he", names={**NAMES, "long": LONG_NAME})
    assert body.count('class="quote"') >= 6  # five channels and the list price on one card
    assert "נפתרו מאז ההרצה הקודמת" in body and "מאושרים (בקובץ הבסיס)" in body
    path = tmp_path / "email.html"
    path.write_text(body, encoding="utf-8")
    page, problems = open_page(browser, path, width)
    scroll, client = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    page.screenshot(path=str(screenshots(tmp_path) / f"email-five-channels-{width}.png"))
    assert scroll <= client, f"{scroll} > {client}: the email scrolls sideways at {width} px"
    # every quote box is on screen (RTL: nothing pushed off to the left either)
    boxes = page.evaluate(
        "Array.from(document.querySelectorAll('.quote, .count'))"
        ".map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })"
    )
    assert boxes and all(left >= 0 and right <= client + 0.5 for left, right in boxes)
    if width == 400:  # the five quotes cannot sit in one row: they stack
        tops = page.evaluate(
            "new Set(Array.from(document.querySelectorAll('.quote'))"
            ".map(e => Math.round(e.getBoundingClientRect().top))).size"
        )
        assert tops > len(FIVE) // 2
    assert problems == []
    page.close()
