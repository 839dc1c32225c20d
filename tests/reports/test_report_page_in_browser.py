"""The HTML report driven in headless Chromium through Playwright: what a reader's
browser does with it — no dialog, no console error, Chinese drawn with a CJK font."""
import shutil
import subprocess

import pytest

from reports import build_period, render_bytes
from report_exports import TITLE_IMG, TITLE_SCRIPT, TITLE_SVG, browser_hostile_export, require

ALERTS = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "<svg onload=alert(3)>",
          "javascript:alert(4)", "<iframe src=javascript:alert(5)>"]


@pytest.fixture
def report_page(tmp_path):
    export = browser_hostile_export()
    unit = export["units"][0]
    for i, payload in enumerate(ALERTS):
        unit["findings"].append({"rule": "column_stale", "severity": "deduction", "column": payload,
                                 "url": payload if payload.startswith("javascript") else f"http://x/{i}",
                                 "message": payload, "newest_title": payload, "state": "new"})
    path = tmp_path / "weekly.html"
    path.write_bytes(render_bytes(build_period(export, "week"), "html"))
    return path


def test_no_dialog_no_console_error_and_the_reader_sees_the_text(browser, report_page, tmp_path):
    page = browser.new_page(viewport={"width": 1280, "height": 1600})
    events = []
    page.on("console", lambda m: events.append(("console", m.type, m.text)) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: events.append(("pageerror", str(e))))
    page.on("dialog", lambda d: (events.append(("dialog", d.message)), d.dismiss()))
    page.goto(report_page.as_uri())
    page.wait_for_load_state("load")
    assert events == []
    text = page.inner_text("body")
    assert "清河县政府信息公开检查周问题清单" in page.title()
    for payload in ALERTS + [TITLE_IMG, TITLE_SCRIPT, TITLE_SVG]:
        assert payload in text
    shot = tmp_path / "weekly.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    require(bool(shutil.which("tesseract")), "tesseract-ocr (reads the screenshot back)")
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout
    require("chi_sim" in langs, "tesseract-ocr-chi-sim")
    # Read the screenshot back: tofu boxes would not OCR as 汉字.
    ocr = subprocess.run(["tesseract", str(shot), "-", "-l", "chi_sim"], capture_output=True, text=True,
                         timeout=300).stdout.replace(" ", "")
    assert "清河县" in ocr and "问题清单" in ocr
