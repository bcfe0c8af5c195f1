"""The HTML report: self-contained, escaped, right to left for Hebrew, checked in real Chromium."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import re
import subprocess
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import lxml.html
import pytest

from consistency.report import render
from consistency.report.i18n import Formatter
from consistency.report.sample import HOSTILE, sample_result
from consistency.report.wording import cause_title

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TITLE = "consistency report 2026-11"
CONSOLE = re.compile(r":CONSOLE[:(]\d+\)?\]\s*(?P<message>.*)")  # a page's console message


def html(result, **options) -> str:
    out = io.StringIO()
    render(result, "html", out, options=options or None)
    return out.getvalue()


def hebrew_result():
    result = sample_result()
    result.findings[:] = [
        replace(f, message="הנציג ציטט מחיר שונה ממחירון החברה עבור סיב 500 מגה")
        for f in result.findings
    ]
    return result


def tree(page: str):
    return lxml.html.document_fromstring(page)


def chromium(tmp_path: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CONSISTENCY_REQUIRE_CHROMIUM"):  # set by .ci/run: never skip in CI
            pytest.fail(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install -y chromium)")
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    command = [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    return [m["message"] for m in map(CONSOLE.search, stderr.splitlines()) if m]


@pytest.fixture
def report_file(tmp_path) -> Path:
    path = tmp_path / "דוח report.html"
    path.write_text(html(sample_result()), encoding="utf-8")
    return path


# --- the page itself ---------------------------------------------------------------------------


def test_evidence_is_escaped_text_with_its_span_marked():
    page = html(sample_result())
    assert page.count("<script") == 1  # ours, at the end
    assert "&lt;script&gt;document.title=&quot;pwned&quot;;alert(1)&lt;/script&gt;" in page
    assert "<mark>₪89.91</mark>" in page
    excerpts = tree(page).xpath("//q[contains(., 'pwned')]")
    assert len(excerpts) == 2  # once among the grouped findings, once in every finding
    assert all(q.text_content() == HOSTILE and q.get("dir") == "auto" for q in excerpts)


def test_needs_no_network():
    doc = tree(html(sample_result()))
    assert doc.xpath("//@src") == []
    assert doc.xpath("//link") == []
    assert doc.xpath("//@style") == []  # styling only by the hashed stylesheet
    hrefs = set(doc.xpath("//@href"))
    assert hrefs == {"https://shop.example.co.il/router?a=1&b=2"}  # evidence links only
    assert "javascript:alert(1)" in doc.text_content()  # shown, never linked


def test_content_security_policy_allows_only_our_inline_code():
    page = html(sample_result())
    doc = tree(page)
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    script = doc.xpath("//script")[0].text
    style = doc.xpath("//style")[0].text
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in csp
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp
    assert csp.startswith("default-src 'none';")


def test_hebrew_page_is_right_to_left_and_numbers_are_isolated():
    doc = tree(html(hebrew_result()))
    root = doc.getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == ("he", "rtl")
    he = Formatter("he")
    cause = cause_title("over-authority-discount", he)
    row = doc.xpath(f"//table[@class='findings']//tr[td[contains(., '{cause}')]]")[0]
    cells = row.xpath("./td")
    assert [b.text for b in cells[3].xpath(".//bdi")] == [he.money(Decimal("99.90"), "ILS")]
    # a signed percent starts with RLM as the money does: one sign side (tryout 13b F8)
    signed = [he.money(Decimal("-9.99"), "ILS", signed=True), "\u200f-10.0%"]
    assert [b.text for b in cells[5].xpath(".//bdi")] == signed
    assert cells[7].get("dir") == "auto"
    assert doc.xpath("(//div[@class='card'])[1]/span[@class='n']/bdi")[0].text == "1,234"
    assert doc.xpath("//h2")[0].text == "איפה אמרנו ללקוחות דברים שונים?"


def test_every_mixed_run_in_a_sentence_is_isolated():
    """Channel, product name, amounts and gap each sit in their own <bdi> in a Hebrew sentence."""
    doc = tree(html(hebrew_result(), names={"fiber-500": "סיב 500 מגה"}))
    (gap,) = doc.xpath("//section[@id='contradictions']//article")
    isolated = [b.text for b in gap.xpath(".//p[@class='sentence']/bdi")]
    he = Formatter("he")
    assert isolated == [
        "סיב 500 מגה",
        "phone",
        he.money(Decimal("89.91"), "ILS"),
        he.money(Decimal("-9.99"), "ILS", signed=True),  # the gap's amount and percent
        "\u200f-10.0%",  # each in its own isolate (tryout 13b F8)
        he.money(Decimal("99.90"), "ILS"),
    ]


def test_english_page_is_left_to_right():
    root = tree(html(sample_result())).getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == ("en", "ltr")


def test_status_markers():
    doc = tree(html(sample_result(), locale="en"))
    every = doc.xpath("//section[@id='findings']//span[contains(@class, 'status')]")
    assert [s.text for s in every] == ["new", "recurring"]
    hebrew = tree(html(sample_result(), locale="he"))
    every = hebrew.xpath("//section[@id='findings']//span[contains(@class, 'status')]")
    assert [s.text for s in every] == ["חדש", "חוזר"]


def test_quote_matrix_is_colored_by_what_the_checks_found():
    """Red where a pricing finding is an error, amber for a warning; a price off the list that
    no check objected to (chat's 97.90: a promotion or an allowed discount) is not red."""
    doc = tree(html(sample_result(), locale="en"))
    tones = {}
    for row in doc.xpath("//table[@class='matrix']/tbody/tr"):
        product = row.xpath("./th")[0].text
        for channel, td in zip(("chat", "phone", "web"), row.xpath("./td"), strict=True):
            tones[(channel, product)] = td.get("class")
    assert tones == {
        ("chat", "fiber-500"): "gap-ok",
        ("phone", "fiber-500"): "gap-bad",
        ("web", "fiber-500"): "gap-ok",
        ("chat", "router-mesh"): "gap-none",
        ("phone", "router-mesh"): "gap-none",
        ("web", "router-mesh"): "gap-warn",
    }
    chat, phone = doc.xpath("//table[@class='matrix']/tbody/tr[1]/td")[:2]
    assert phone.text_content() == "₪89.91–₪99.90list ₪99.90-10.0%"  # the gap is signed
    assert chat.text_content() == "₪97.90–₪99.90list ₪99.90-2.0%allowed (promotion or discount)"


def test_chart_has_a_bar_per_channel_and_a_segment_per_rule_and_cause():
    doc = tree(html(sample_result()))
    titles = sorted(t.text for t in doc.xpath("//svg//rect/title"))
    assert titles == [  # rule and cause in words (the reader's language), sorted
        "chat · Forbidden phrase: 1",
        "chat · Reply contradicts the approved answer: 1",
        "phone · Channels quoted different prices: 1",
        "phone · Price differs from the list · a discount beyond the channel's authority: 1",
        "web · Price differs from the list · an earlier list price: 1",
        "web · Source that could not be read: 1",
    ]
    # one colour per rule: the two price-mismatch segments share one, the legend lists rules
    fills = {
        t.text.split(":")[0]: t.getparent().get("fill") for t in doc.xpath("//svg//rect/title")
    }
    assert (
        fills["phone · Price differs from the list · a discount beyond the channel's authority"]
        == fills["web · Price differs from the list · an earlier list price"]
    )
    assert len(set(fills.values())) == 5


def test_many_findings_are_grouped_and_paged():
    doc = tree(html(sample_result(extra=3000), page_size=50))
    groups = doc.xpath("//details[@class='group']")
    # the generated findings cover 3 rules x 5 channels; the sample adds 3 more pairs
    assert len(groups) == 18
    opened = [g for g in groups if g.get("open") is not None]
    assert 0 < len(opened) < len(groups)  # only the worst few rows are unfolded
    assert sum(len(g.xpath(".//tbody/tr")) for g in opened) <= 50
    biggest = max(groups, key=lambda g: len(g.xpath(".//tbody/tr")))
    pages = biggest.xpath("./details[@class='page']")
    rows = len(biggest.xpath(".//tbody/tr"))
    assert len(pages) == (rows - 1) // 50
    assert len(biggest.xpath("./table/tbody/tr")) == 50
    assert pages[0].xpath("./summary/bdi")[0].text == "51–100"


def test_few_findings_are_unfolded():
    groups = tree(html(sample_result())).xpath("//details[@class='group']")
    assert [g.get("open") is not None for g in groups] == [True] * 6


# --- in a real browser -------------------------------------------------------------------------


def test_screenshot_renders(tmp_path, report_file):
    shot = tmp_path / "shot.png"
    done = chromium(
        tmp_path, report_file.as_uri(), f"--screenshot={shot}", "--window-size=1280,2000"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 30_000  # a blank 1280x2000 page is a few kilobytes


def test_browser_shows_the_script_as_text_and_runs_only_ours(tmp_path, report_file):
    done = chromium(
        tmp_path, report_file.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    dom = tree(done.stdout)
    assert dom.xpath("//title")[0].text == TITLE  # the evidence's document.title never ran
    assert HOSTILE in [q.text_content() for q in dom.xpath("//q")]
    assert dom.xpath("//div[@class='filters']")[0].get("hidden") is None  # our script ran
    assert console_messages(done.stderr) == []


def test_the_console_probe_sees_page_errors(tmp_path):
    """The check above is only worth something if a page error would show up."""
    page = tmp_path / "broken.html"
    page.write_text("<title>x</title><script>console.error('boom'); missing();</script>")
    done = chromium(tmp_path, page.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
    messages = console_messages(done.stderr)
    assert messages[0].startswith('"boom"')
    assert "missing is not defined" in messages[1]


def test_large_report_loads_in_the_browser(tmp_path):
    path = tmp_path / "large.html"
    # every row inline: the layout of any report up to inline_rows findings
    path.write_text(html(sample_result(extra=5000), inline_rows=10_000), encoding="utf-8")
    done = chromium(tmp_path, path.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(tree(done.stdout).xpath("//table[@class='findings']/tbody/tr")) == 5006
    assert console_messages(done.stderr) == []


# --- large reports: the first pages as rows, the rest as JSON drawn on demand ------------------

JSON_BLOCK = re.compile(
    r'<script type="application/json" id="(?P<id>rows-\d+)">(?P<data>.*?)</script>'
)
ESCAPE = "</script><script>document.title='pwned'</script> <!-- "  # tries to leave the JSON
SPOKEN = "₪92.81"


def hostile_result(extra: int):
    """The sample plus ``extra`` generated findings whose message and evidence try to end the
    script element their JSON sits in."""
    result = sample_result(extra=extra)
    excerpt = f"{ESCAPE}הנציג אמר {SPOKEN} -->"
    span = (excerpt.index(SPOKEN), excerpt.index(SPOKEN) + len(SPOKEN))
    result.findings[6:] = [
        replace(
            f,
            message=f"{f.message} {ESCAPE}",
            evidence=replace(f.evidence, excerpt=excerpt, span=span),
        )
        for f in result.findings[6:]
    ]
    return result


def json_rows(page: str) -> dict[str, list]:
    return {m["id"]: json.loads(m["data"]) for m in JSON_BLOCK.finditer(page)}


def page_numbers(doc) -> list[int]:
    return [int(i.removeprefix("page-")) for i in doc.xpath("//@id") if i.startswith("page-")]


def test_small_reports_are_all_rows():
    page = html(sample_result(extra=1994))
    doc = tree(page)
    assert len(doc.xpath("//table[@class='findings']/tbody/tr")) == 2000
    assert json_rows(page) == {}
    assert page.count("<script") == 1
    assert doc.xpath("//p[@class='offline-note']") == []


def test_large_report_keeps_the_first_pages_as_rows_and_the_rest_as_json():
    page = html(sample_result(extra=5000))
    doc = tree(page)
    inline = len(doc.xpath("//table[@class='findings']/tbody/tr"))
    lazy = json_rows(page)
    assert 0 < inline <= 2000
    assert inline + sum(len(rows) for rows in lazy.values()) == 5006
    assert page.count("<script") == 1 + len(lazy)
    numbers = page_numbers(doc)
    assert numbers == list(range(1, len(numbers) + 1))  # pages numbered in report order
    for number in numbers[numbers.index(min(int(i[5:]) for i in lazy)) :]:  # all later: lazy
        (holder,) = doc.xpath(f"//*[@id='page-{number}']")
        assert holder.get("data-rows") == f"rows-{number}"
        assert holder.xpath(".//tr") == []
    (note,) = doc.xpath("//p[@class='offline-note']")
    assert note.text_content() == (
        f"This page shows the first {inline:,} of 5,006 findings. The other {5006 - inline:,}"
        " are in the attached CSV and in the JSON report (--format json); in a browser with"
        " scripts on, each page of them is drawn here when you open it."
    )


def test_json_rows_cannot_close_their_script_element():
    page = html(hostile_result(extra=5000))
    assert "</script><script>" not in page
    assert "<!--" not in page
    lazy = json_rows(page)
    assert page.count("<script") == 1 + len(lazy)
    rows = [row for rows in lazy.values() for row in rows if row[2].startswith("product-")]
    assert len(rows) > 3000  # generated findings; the six of the sample may fall here too
    assert all(row[9][0].startswith(ESCAPE) and row[9][1] == SPOKEN for row in rows)


def test_email_layout_leaves_the_rest_out():
    page = html(sample_result(extra=5000), embed_rest=False)
    doc = tree(page)
    assert json_rows(page) == {}
    assert page.count("<script") == 1
    assert doc.xpath("//*[@data-rows]") == []
    note = doc.xpath("//p[@class='offline-note']")[0].text_content()
    assert note.endswith("are in the attached CSV and in the JSON report (--format json).")
    placeholders = doc.xpath("//p[@class='offline']")
    assert placeholders
    assert all("attached CSV" in p.text_content() for p in placeholders)
    embedded = html(sample_result(extra=5000))
    data = sum(len(m["data"]) for m in JSON_BLOCK.finditer(embedded))
    assert data > 500_000  # 3,000-odd rows of JSON
    assert len(page) <= len(embedded) - data


def test_hostile_rows_drawn_on_demand_stay_text(tmp_path):
    page = html(hostile_result(extra=5000), page_size=200, inline_rows=250)
    lazy = json_rows(page)
    assert "rows-2" not in lazy  # pages 1 and 2 are rows (a one-row group, then 200 rows);
    assert "rows-3" in lazy and "rows-4" in lazy  # page 3, folded in its group, and 4 are JSON
    assert '<details class="page" id="page-3" data-rows="rows-3">' in page
    path = tmp_path / "hostile.html"
    path.write_text(page, encoding="utf-8")
    done = chromium(
        tmp_path, path.as_uri() + "#page=3", "--dump-dom", "--enable-logging=stderr", "--v=0"
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    dom = tree(done.stdout)
    assert dom.xpath("//title")[0].text == TITLE
    (drawn,) = dom.xpath("//*[@id='page-3']")
    rows = drawn.xpath("./table[@class='findings']/tbody/tr")
    assert len(rows) == len(lazy["rows-3"]) > 100
    assert drawn.tag == "details" and drawn.get("open") is not None
    assert drawn.getparent().get("open") is not None  # its group unfolded too
    assert drawn.get("data-rows") is None and drawn.xpath(".//p[@class='offline']") == []
    for tr, data in zip(rows, lazy["rows-3"], strict=True):
        cells = tr.xpath("./td")
        assert cells[7].text_content() == data[8]  # the message, hostile text as text
        (q,) = cells[8].xpath("./q")
        assert q.text_content() == "".join(data[9])
        assert [m.text for m in q.xpath("./mark")] == [SPOKEN]
    assert ESCAPE in dom.text_content()
    (waiting,) = dom.xpath("//*[@id='page-4']")
    assert waiting.get("data-rows") == "rows-4" and waiting.xpath(".//tr") == []
    assert [s.get("type") for s in dom.xpath("//script")].count(None) == 1  # only ours runs
    (matches,) = dom.xpath("//output[@class='matches']")
    assert matches.text == "5,006 of 5,006 findings match"  # counted over every finding


@pytest.mark.parametrize("make", [sample_result, hebrew_result], ids=["english", "hebrew"])
def test_rows_drawn_by_the_script_equal_the_server_rows(tmp_path, make):
    """The same findings as server rows and as JSON rows drawn in the browser (the sample's
    groups are all open, so the script draws every one on load)."""
    dumped = []
    for name, options in (("server", {}), ("script", {"inline_rows": 0})):
        path = tmp_path / f"{name}.html"
        page = html(make(), **options)
        assert len(json_rows(page)) == (6 if options else 0)
        path.write_text(page, encoding="utf-8")
        done = chromium(tmp_path, path.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
        assert done.returncode == 0, done.stderr[-2000:]
        assert console_messages(done.stderr) == []
        rows = tree(done.stdout).xpath("//table[@class='findings']/tbody/tr")
        dumped.append([lxml.html.tostring(tr, encoding="unicode", with_tail=False) for tr in rows])
    server, script = dumped
    assert len(server) == 6
    assert script == server
    he = make is hebrew_result
    gap = Formatter("he" if he else "en").money(Decimal("-9.99"), "ILS", signed=True)
    assert any("<mark>₪89.91</mark>" in r and f"<bdi>{gap}</bdi>" in r for r in script)
    assert any('<a href="https://shop.example.co.il/router?a=1&amp;b=2"' in r for r in script)
    assert any("javascript:alert(1)</span>" in r for r in script)
