"""The HTML report: self-contained, escaped, right to left for Hebrew, checked in real Chromium."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import lxml.html
import pytest

from consistency.report import render
from consistency.report.sample import HOSTILE, sample_result

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
    (excerpt,) = tree(page).xpath("//q[contains(., 'pwned')]")
    assert excerpt.text_content() == HOSTILE
    assert excerpt.get("dir") == "auto"


def test_needs_no_network():
    doc = tree(html(sample_result()))
    assert doc.xpath("//@src") == []
    assert doc.xpath("//link") == []
    assert doc.xpath("//@style") == []  # styling only by the hashed stylesheet
    hrefs = doc.xpath("//@href")
    assert hrefs == ["https://shop.example.co.il/router?a=1&b=2"] * 2  # evidence links only
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
    row = doc.xpath("//tr[td[contains(., 'over-authority-discount')]]")[0]
    cells = row.xpath("./td")
    assert [b.text for b in cells[3].xpath(".//bdi")] == ["₪99.90"]
    assert [b.text for b in cells[5].xpath(".//bdi")] == ["-₪9.99", "-10.0%"]
    assert cells[7].get("dir") == "auto"
    assert doc.xpath("//div[@class='card'][1]/span[@class='n']/bdi")[0].text == "1,234"


def test_english_page_is_left_to_right():
    root = tree(html(sample_result())).getroottree().getroot()
    assert (root.get("lang"), root.get("dir")) == ("en", "ltr")


def test_status_markers():
    doc = tree(html(sample_result()))
    assert [s.text for s in doc.xpath("//span[contains(@class, 'status')]")] == [
        "new",
        "recurring",
    ]


def test_quote_matrix_is_colored_by_the_gap():
    doc = tree(html(sample_result()))
    tones = {}
    for row in doc.xpath("//table[@class='matrix']/tbody/tr"):
        product = row.xpath("./th")[0].text
        for channel, td in zip(("chat", "phone", "web"), row.xpath("./td"), strict=True):
            tones[(channel, product)] = td.get("class")
    assert tones == {
        ("chat", "fiber-500"): "gap-warn",
        ("phone", "fiber-500"): "gap-bad",
        ("web", "fiber-500"): "gap-ok",
        ("chat", "router-mesh"): "gap-none",
        ("phone", "router-mesh"): "gap-none",
        ("web", "router-mesh"): "gap-bad",
    }
    phone = doc.xpath("//table[@class='matrix']/tbody/tr[1]/td[2]")[0]
    assert phone.text_content() == "₪89.91–₪99.90list ₪99.9010.0%"


def test_chart_has_a_bar_per_channel_and_a_segment_per_cause():
    doc = tree(html(sample_result()))
    titles = sorted(t.text for t in doc.xpath("//svg//rect/title"))
    assert titles == [
        "chat · answer-contradicts-approved: 1",
        "chat · forbidden-phrase: 1",
        "phone · cross-channel-gap: 1",
        "phone · over-authority-discount: 1",
        "web · channel-unreachable: 1",
        "web · stale-price: 1",
    ]


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
    path.write_text(html(sample_result(extra=5000)), encoding="utf-8")
    done = chromium(tmp_path, path.as_uri(), "--dump-dom", "--enable-logging=stderr", "--v=0")
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(tree(done.stdout).xpath("//table[@class='findings']/tbody/tr")) == 5006
    assert console_messages(done.stderr) == []
