"""The HTML report of the demo in real headless Chromium (Debian's), at 1400 and 400 px wide.

Driven through Playwright's API with the system Chromium (``executable_path``); Playwright
downloads no browser. Screenshots go to ``$CONSISTENCY_SCREENSHOTS`` (CI keeps that folder
as an artifact), else to the test's temporary folder.
"""

from __future__ import annotations

import io
import os
from dataclasses import replace
from pathlib import Path

import pytest

from consistency.audit import AuditOptions, audit
from consistency.inputs.config import load_config
from consistency.inputs.prices import load_price_list
from consistency.model import Evidence
from consistency.report import render
from consistency.report.sample import HOSTILE
from tests.helpers import DEMO

CHROMIUM = Path("/usr/bin/chromium")
WIDTHS = (1400, 400)
SCREEN_HEIGHT = 900
SEED_REF = "call-5512"  # the phone quote of the seed case: ₪116.91 to household hh-1001
# The page names the config file; a CI checkout's path is longer than ours and must still fit.
LONG_CONFIG = "/home/runner/work/" + "checkout_folder_" * 6 + "/fixtures/demo/consistency.yaml"


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install -y chromium)"
        if os.environ.get("CONSISTENCY_REQUIRE_CHROMIUM"):  # set by .ci/run: never skip in CI
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def demo():
    config = load_config(DEMO / "consistency.yaml")
    result = replace(audit(config, AuditOptions(fetch=False)), config=LONG_CONFIG)
    book = load_price_list(config.price_list, config.timezone, config.channels)
    names = {product.id: product.name for product in book.products.values()}
    return result, names


def page_file(folder: Path, result, **options) -> Path:
    out = io.StringIO()
    render(result, "html", out, options=options)
    path = folder / "report.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def screenshots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("CONSISTENCY_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def open_page(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": SCREEN_HEIGHT})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(path.as_uri())
    return page, problems


@pytest.mark.parametrize("width", WIDTHS)
def test_the_hebrew_demo_reads_right_to_left_without_sideways_scrolling(
    browser, demo, tmp_path, width
):
    result, names = demo
    path = page_file(tmp_path, result, names=names)  # Hebrew names: Hebrew by default
    page, problems = open_page(browser, path, width)
    shown = page.evaluate(
        """() => ({lang: document.documentElement.lang, dir: document.documentElement.dir,
                   scroll: document.documentElement.scrollWidth,
                   client: document.documentElement.clientWidth,
                   widest: Math.max(...[...document.body.querySelectorAll('*')]
                       .map(e => e.getBoundingClientRect().right))})"""
    )
    page.screenshot(path=str(screenshots(tmp_path) / f"demo-he-{width}.png"), full_page=False)
    page.screenshot(path=str(screenshots(tmp_path) / f"demo-he-{width}-full.png"), full_page=True)
    assert (shown["lang"], shown["dir"]) == ("he", "rtl")
    assert shown["scroll"] <= shown["client"], shown
    assert shown["widest"] <= shown["client"] + 1, shown  # nothing sticks out, scrolled or not
    assert problems == []


@pytest.mark.parametrize("width", WIDTHS)
def test_the_seed_case_is_in_the_first_screen(browser, demo, tmp_path, width):
    result, names = demo
    page, _ = open_page(browser, page_file(tmp_path, result, names=names), width)
    seed = page.locator("section#contradictions article", has_text=SEED_REF).first
    box = seed.bounding_box()
    assert box is not None and box["y"] < SCREEN_HEIGHT, box
    text = seed.inner_text()
    assert "hh-1001" in text and "129.90" in text and "116.91" in text


def test_the_english_page_reads_left_to_right(browser, demo, tmp_path):
    result, names = demo
    page, problems = open_page(browser, page_file(tmp_path, result, names=names, locale="en"), 400)
    shown = page.evaluate("[document.documentElement.lang, document.documentElement.dir]")
    assert shown == ["en", "ltr"]
    assert page.locator("h2").first.inner_text() == "Where did we tell customers different things?"
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    assert problems == []


def test_a_script_in_evidence_shows_as_text(browser, demo, tmp_path):
    result, names = demo
    hostile = replace(
        result,
        findings=[
            replace(f, evidence=replace(f.evidence or Evidence(), excerpt=HOSTILE, span=None))
            for f in result.findings
        ],
    )
    page, problems = open_page(browser, page_file(tmp_path, hostile, names=names), 1400)
    assert page.title().startswith("דוח עקביות")  # the evidence's document.title never ran
    quoted = page.locator("q", has_text="<script>").first.inner_text()
    assert "<script>document.title=" in quoted
    assert problems == []  # no alert, no error: the script did not run


@pytest.mark.parametrize("width", (400, 720))
def test_the_demo_email_fits_a_phone_and_a_mail_pane(browser, demo, tmp_path, width):
    from consistency.report.email import email_html

    result, names = demo
    path = tmp_path / "email.html"
    path.write_text(email_html(result, names=names), encoding="utf-8")
    page, problems = open_page(browser, path, width)
    shown = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    page.screenshot(path=str(screenshots(tmp_path) / f"email-he-{width}.png"))
    assert shown[0] <= shown[1], shown
    assert page.locator("script, form, svg").count() == 0
    assert problems == []
