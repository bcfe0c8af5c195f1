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


# --- F8: one sign convention per card ------------------------------------------------------

SIGN_SIDES = """() => {
  // For every isolate holding a signed number on the contradiction cards: is the minus
  // drawn right of the first digit?  (true: right, false: left)
  const sides = [];
  for (const b of document.querySelectorAll('.contradiction bdi, table.card bdi')) {
    const text = b.textContent;
    if (!/^[\u200f\u200e]?-[0-9]/.test(text) || b.querySelector('bdi')) continue;
    const minus = text.indexOf('-'), digit = text.search(/[0-9]/);
    const node = b.firstChild;
    const at = (i) => { const r = document.createRange(); r.setStart(node, i); r.setEnd(node, i + 1);
                        return r.getBoundingClientRect().left; };
    sides.push([text, at(minus) > at(digit)]);
  }
  return sides;
}"""


@pytest.mark.parametrize("kind", ("page", "email"))
def test_money_and_percent_show_their_minus_on_the_same_side(browser, tmp_path, kind):  # noqa: F811
    """tryout 13b F8: in Hebrew, ‏-269.00 ‏₪ showed its minus right of the number and -10.0%
    left of it, in one card; and the sentence held both in one isolate."""
    import io

    from consistency.report import render

    result = five_channel_morning()
    if kind == "page":
        out = io.StringIO()
        render(result, "html", out, options={"locale": "he", "names": NAMES})
        body = out.getvalue()
    else:
        body = email_html(result, locale="he", names=NAMES)
    money = "\u200f-50.00&nbsp;\u200f₪" if kind == "email" else "\u200f-50.00\xa0\u200f₪"
    assert f"<bdi>{money}</bdi>, <bdi>\u200f-16.7%</bdi>" in body  # apart, in the sentence
    path = tmp_path / f"{kind}.html"
    path.write_text(body, encoding="utf-8")
    page, _problems = open_page(browser, path, 1400)
    sides = page.evaluate(SIGN_SIDES)
    page.close()
    assert any("%" in text for text, _ in sides) and any("₪" in text for text, _ in sides)
    assert {right for _text, right in sides} == {True}, sides  # the reading start, in Hebrew


def test_the_channel_column_never_breaks_a_short_channel_id(browser, tmp_path):  # noqa: F811
    """tryout 13b F9: at 1400 px the grouped table broke `phone` into `phon` / `e`."""
    import io

    from consistency.report import render
    from consistency.report.sample import sample_findings

    result = five_channel_morning()
    result.findings += [f for f in sample_findings() if f.channel in ("phone", "chat")]
    out = io.StringIO()
    render(result, "html", out, options={"locale": "he", "names": NAMES})
    path = tmp_path / "page.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    for width in (1400, 400):
        page, _ = open_page(browser, path, width)
        lines = page.evaluate(
            "Array.from(document.querySelectorAll('table.grouped td.channel bdi'))"
            ".map(b => [b.textContent, b.getClientRects().length])"
        )
        page.close()
        assert ["phone", 1] in lines and all(n == 1 for _text, n in lines), (width, lines)
