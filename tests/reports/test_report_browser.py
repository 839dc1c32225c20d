"""The HTML report as a real browser shows it: headless Debian chromium.

Parsing the HTML with BeautifulSoup (test_report_html.py) shows what the
markup says; this shows what a browser makes of it: the text a reader sees,
that nothing crawled ran, and a screenshot to look at.
"""
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from reports import build_period, render_bytes
from report_exports import TITLE_IMG, TITLE_SCRIPT, TITLE_SVG, browser_hostile_export, require

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
TITLE = "清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）"


@pytest.fixture(scope="module")
def chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    require(bool(path), "Debian's chromium")
    return path


def run(chromium, tmp_path: Path, page: Path, *extra: str) -> str:
    profile = tmp_path / "profile"
    done = subprocess.run([chromium, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dump_dom(chromium, tmp_path, page) -> BeautifulSoup:
    return BeautifulSoup(run(chromium, tmp_path, page, "--dump-dom"), "lxml")


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("browser") / "weekly.html"
    path.write_bytes(render_bytes(build_period(browser_hostile_export(), "week"), "html"))
    return path


def test_the_harness_would_see_a_script_run(chromium, tmp_path):
    """Control: an unescaped payload on a page without CSP does change the title."""
    control = tmp_path / "control.html"
    control.write_text(f"<!DOCTYPE html><title>unchanged</title><p>{TITLE_IMG}</p>", encoding="utf-8")
    assert dump_dom(chromium, tmp_path, control).title.get_text() == "PWNED-img"


def test_reader_sees_the_title_units_and_hostile_text_as_text(chromium, tmp_path, page):
    dom = dump_dom(chromium, tmp_path, page)
    assert dom.title.get_text() == TITLE
    text = dom.body.get_text(" ")
    assert TITLE in text
    for name in ("清河县安全局", "清河县教育局", "清河县文化和旅游局"):
        assert name in text
    for payload in (TITLE_IMG, TITLE_SCRIPT, TITLE_SVG):
        assert payload in text                 # shown to the reader, as words


def test_nothing_crawled_became_an_element(chromium, tmp_path, page):
    dom = dump_dom(chromium, tmp_path, page)
    assert not dom.find_all(["img", "script", "svg", "iframe", "object", "embed"])
    for tag in dom.find_all(True):
        assert not [a for a in tag.attrs if a.lower().startswith("on")], tag
    hrefs = [a["href"] for a in dom.find_all("a")]
    assert hrefs and all(re.match(r"https?://", h) for h in hrefs)


def test_escaping_holds_without_the_csp_too(chromium, tmp_path, page):
    """The page's CSP would block inline script anyway; strip it to show the
    escaping alone keeps every payload from running."""
    html = page.read_text(encoding="utf-8")
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    assert without_csp != html
    bare = tmp_path / "no-csp.html"
    bare.write_text(without_csp, encoding="utf-8")
    dom = dump_dom(chromium, tmp_path, bare)
    assert dom.title.get_text() == TITLE
    assert not dom.find_all(["img", "script", "svg"])


def test_screenshot_is_a_non_blank_png(chromium, tmp_path, page):
    Image = pytest.importorskip("PIL.Image")
    shot = tmp_path / "weekly.png"
    run(chromium, tmp_path, page, f"--screenshot={shot}", "--window-size=1280,2000",
        "--hide-scrollbars")
    image = Image.open(shot)
    assert image.size == (1280, 2000)
    grey = image.convert("L")
    dark = sum(grey.histogram()[:100])
    assert dark > 5000, "text should put dark pixels on the page"
    assert len(grey.getcolors(256)) > 30                  # anti-aliased text, not a flat fill
    # the title row at the top is drawn, not left white
    assert sum(grey.crop((0, 0, 1280, 120)).histogram()[:100]) > 500
