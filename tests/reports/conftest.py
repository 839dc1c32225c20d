"""Headless Debian Chromium through Playwright, shared by the in-browser report tests."""
import pytest

from browsers import chromium_path, launch
from report_exports import require


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    require(bool(chromium_path()), "Debian's chromium")
    with playwright.sync_playwright() as p:
        b = launch(p)
        yield b
        b.close()
