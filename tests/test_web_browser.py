"""``newsgrep serve`` in a real headless browser: what a reader does, with screenshots to look at.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright's Python
package (Playwright's own browser download is never used). A real
``newsgrep serve`` process on a free port, on the web fixture index and, when
``../shared/data`` is there, on the shared Taiwanese news corpora. The
screenshots go under the test's own folder, printed at the start.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import shared_data
from served import build_web_index, serving

CHROMIUM = Path("/usr/bin/chromium")
SHARED = shared_data()

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no Chromium at /usr/bin/chromium (Debian package chromium)"),
]


@pytest.fixture(scope="module", params=["fixtures", "shared corpora"])
def served_index(request, tmp_path_factory, dictionary_folder) -> Path:
    folder = tmp_path_factory.mktemp("browser-index")
    index_path = folder / "index"
    index_path.mkdir()
    (index_path / "dictionary").symlink_to(dictionary_folder, target_is_directory=True)
    if request.param == "fixtures":
        return build_web_index(index_path, folder / "corpus")
    if SHARED is None:
        pytest.skip("../shared/data is absent")
    from newsgrep.ingest import ingest_paths

    ingest_paths([SHARED / "corpora" / "tw-news-2025", SHARED / "corpora" / "pts-2025"], index_path)
    return index_path


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield chromium
        chromium.close()


class Reader:
    """A browser tab that keeps what the page complained about and saves numbered screenshots."""

    def __init__(self, page, folder: Path) -> None:
        self.page = page
        self.folder = folder
        self.complaints: list[str] = []
        page.on("console", lambda message: message.type in ("error", "warning") and self.complaints.append(message.text))
        page.on("pageerror", lambda error: self.complaints.append(str(error)))
        self.shots = 0

    def shot(self, name: str) -> Path:
        self.shots += 1
        path = self.folder / f"{self.shots:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


def test_a_reader_searches_narrows_reads_and_follows(served_index, browser, tmp_path):
    print(f"\nscreenshots: {tmp_path}")
    page = browser.new_page(viewport={"width": 1200, "height": 860}, locale="zh-TW")
    reader = Reader(page, tmp_path)
    with serving(served_index) as (url, _):
        page.goto(url)
        assert "articles stored, newest first" in page.locator(".count").inner_text()

        # Results as you type: Simplified typed, Traditional found and highlighted as written.
        page.locator("input[name=q]").click()
        page.keyboard.type("台湾 军售", delay=40)
        page.wait_for_url(re.compile(r"q=%E5%8F%B0%E6%B9%BE"))
        page.wait_for_selector("ol.hits mark")
        marked = set(page.locator("ol.hits mark").all_inner_texts())
        assert {"台灣", "軍售"} <= marked, marked
        bars = page.locator("svg a.bar-link")
        assert bars.count() >= 2
        assert page.locator(".histogram figcaption").inner_text().startswith("Articles per ")
        reader.shot("results")

        # A click on the tallest bar applies its range.
        tallest = max(range(bars.count()), key=lambda i: float(bars.nth(i).locator("rect.bar").get_attribute("height")))
        bar = bars.nth(tallest)
        start, end = bar.get_attribute("data-start"), bar.get_attribute("data-end")
        bar.click()
        page.wait_for_url(re.compile(f"since={start}&until={end}"))
        assert page.locator("input[name=since]").input_value() == start
        assert page.locator("input[name=until]").input_value() == end
        assert f"{start} – {end}" in page.locator(".chip").first.inner_text()
        assert page.locator("ol.hits li.hit").count() >= 1
        reader.shot("range")

        # Open the first hit: the query's matches are highlighted in the article.
        first = page.locator("ol.hits h3 a").first
        title = first.inner_text()
        first.click()
        page.wait_for_selector("article.article h1")
        assert page.locator("article.article h1").inner_text() == title
        assert page.locator("article.article mark").count() >= 1
        assert "back to the results for 台湾 军售" in page.locator(".back").inner_text()
        reader.shot("article")

        # Follow a related article.
        related = page.locator("section.related h3 a").first
        related_title = related.inner_text()
        related.click()
        page.wait_for_selector("article.article h1")
        assert page.locator("article.article h1").inner_text() == related_title != title
        reader.shot("related")
    assert reader.complaints == []  # no script error, no Content-Security-Policy violation, no missing file


def test_the_pages_work_without_javascript(served_index, browser, tmp_path):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1000, "height": 800})
    page = context.new_page()
    with serving(served_index) as (url, _):
        page.goto(url)
        page.locator("input[name=q]").fill("台灣 軍售")
        page.locator("input[name=q]").press("Enter")
        page.wait_for_url(re.compile(r"\?q=%E5%8F%B0%E7%81%A3"))
        assert page.locator("ol.hits mark").count() >= 2
        page.locator("svg a.bar-link").first.click()
        page.wait_for_url(re.compile(r"since=\d{4}-\d\d-\d\d&until="))
        page.locator("ol.hits h3 a").first.click()
        page.wait_for_selector("article.article h1")
        page.screenshot(path=str(tmp_path / "no-javascript.png"), full_page=True)
    context.close()
