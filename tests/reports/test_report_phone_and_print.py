"""The problem list where it is read: on a phone (opened from a chat, 420 px wide)
and on A4 paper. Headless Chromium lays the page out; the tests measure what a
reader sees — one card per problem, unit names and dates on one line, URLs
wrapped only at the card's edge — not what the markup says.

`python tests/reports/test_report_phone_and_print.py docs/phone-view.png`
rewrites the README's screenshot from the same page.
"""
import re
import sys
from pathlib import Path

import pytest

from reports import build_period, render_bytes
from report_exports import export, finding, unit

PHONE = 420
LONG_URL = "http://www.qinghe.gov.cn/sthjj/xxgk/c1383/zwgklist_2026_information_disclosure.shtml"


def county_on_a_phone() -> dict:
    """Long unit names, several problems per unit, long URLs, every date field filled."""
    dated = dict(state="open", first_seen="2026-11-13", deadline="2026-11-27")
    return export(
        unit("邢台市生态环境局清河县分局",
             finding("column_stale", "veto", column="工作动态", url=LONG_URL, newest_date="2026-09-09",
                     newest_title="关于开展2026年秋冬季大气污染防治攻坚行动的通知", **dated,
                     message="工作动态栏目已79天未更新（最新信息发布于2026-09-09，动态要闻类栏目要求14天内更新）"),
             finding("column_empty", "deduction", column="人事信息", url=LONG_URL + "?page=2", state="new",
                     first_seen="2026-11-27", deadline="2026-12-11", message="人事信息栏目为空白栏目，无任何信息"),
             finding("guide_missing_element", "deduction", column=None, element="fax", state="new",
                     first_seen="2026-11-27", deadline="2026-12-11", message="政府信息公开指南缺少“传真号码”")),
        unit("清河县人力资源和社会保障局",
             finding("dead_link", "deduction", column="通知公告", url=LONG_URL.replace("sthjj", "rsj"),
                     message="链接“2026年公开招聘事业单位工作人员公告”无法打开（HTTP 404）", **dated)),
        unit("新兴镇"),
    )


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("phone") / "weekly-2026-11-27.html"
    path.write_bytes(render_bytes(build_period(county_on_a_phone(), "week"), "html"))
    return path


@pytest.fixture
def open_page(browser, report_page):
    pages = []

    def open_(width: int, media: str = "screen"):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.emulate_media(media=media)
        page.goto(report_page.as_uri())
        pages.append(page)
        return page
    yield open_
    for page in pages:
        page.close()


# The lines a piece of text is laid out on: distinct tops of its client rectangles.
LINES = """(el) => { const r = document.createRange(); r.selectNodeContents(el);
  const rects = [...r.getClientRects()].filter(x => x.width > 0);
  return {lines: new Set(rects.map(x => Math.round(x.top))).size,
          widths: rects.map(x => x.width), box: el.closest('td').clientWidth}; }"""


def test_on_a_phone_every_problem_is_a_card_that_names_its_unit(open_page):
    page = open_page(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE, "the page scrolls sideways"
    assert page.eval_on_selector(".problem-list thead", "el => getComputedStyle(el).display") == "none"
    cards = page.eval_on_selector_all(".problem-list tbody tr", """rows => rows.map(tr => {
        const r = tr.getBoundingClientRect();
        const head = tr.querySelector('td.unit');
        return {display: getComputedStyle(tr).display, top: r.top, bottom: r.bottom, width: r.width,
                unit: head ? head.querySelector('.unit-name').innerText
                           : getComputedStyle(tr, '::before').content.replace(/^"|"$/g, '')}; })""")
    assert len(cards) == 4
    assert all(c["display"] == "block" and c["width"] >= 0.9 * (PHONE - 40) for c in cards)
    assert all(later["top"] >= earlier["bottom"] for earlier, later in zip(cards, cards[1:])), "cards overlap"
    assert [c["unit"] for c in cards] == ["邢台市生态环境局清河县分局"] * 3 + ["清河县人力资源和社会保障局"]
    label = page.eval_on_selector(".problem-list td.date", "el => getComputedStyle(el, '::before').content")
    assert "最新更新日期" in label


def test_on_a_phone_names_and_dates_keep_to_one_line(open_page):
    page = open_page(PHONE)
    for name in page.query_selector_all(".problem-list .unit-name"):
        assert name.evaluate(LINES)["lines"] == 1, name.inner_text()
    dates = page.query_selector_all(".problem-list td.date, .problem-list span.date")
    assert len(dates) >= 8
    for cell in dates:
        assert cell.evaluate(LINES)["lines"] == 1, cell.inner_text()


def test_on_a_phone_urls_wrap_only_at_the_edge_of_the_card(open_page):
    page = open_page(PHONE)
    links = page.query_selector_all(".problem-list td.url a")
    assert links
    for link in links:
        laid = link.evaluate(LINES)
        full_lines = laid["widths"][:-1]
        # "chopped" is a URL broken into short pieces; wrapped sensibly, every line but the last is full.
        assert all(w >= 0.8 * laid["box"] for w in full_lines), (link.inner_text(), laid)


def test_on_a_wide_screen_the_list_stays_a_table(open_page):
    page = open_page(1280)
    assert page.eval_on_selector(".problem-list", "el => getComputedStyle(el).display") == "table"
    assert page.eval_on_selector(".problem-list thead", "el => getComputedStyle(el).display") != "none"


def test_it_prints_on_a4_as_a_table_within_the_page(open_page):
    # A4 landscape less the 10 mm margins is 277 mm = 1047 CSS px.
    page = open_page(1047, media="print")
    assert page.eval_on_selector(".problem-list", "el => getComputedStyle(el).display") == "table"
    assert page.evaluate("document.documentElement.scrollWidth") <= 1047
    assert page.eval_on_selector(".problem-list tr", "el => getComputedStyle(el).breakInside") == "avoid"
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    # The page size comes from the page's own @page rule: A4 landscape is 842 × 595 pt.
    boxes = {tuple(round(float(v)) for v in box.split()[2:]) for box in re.findall(rb"/MediaBox\s*\[([^\]]+)\]", pdf)}
    assert boxes == {(842, 595)}


def test_the_phone_screenshot_is_a_picture_of_cards(open_page, tmp_path):
    from PIL import Image

    page = open_page(PHONE)
    shot = tmp_path / "phone.png"
    page.screenshot(path=str(shot), full_page=True)
    image = Image.open(shot)
    assert image.width == PHONE
    assert len(image.convert("L").getcolors(1 << 16)) > 20, "a blank screenshot"


def write_screenshot(target: Path) -> None:
    """The README's phone view: the top of the problem list at 420 px."""
    import tempfile

    from playwright.sync_api import sync_playwright

    from browsers import launch

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        html = Path(tmp) / "weekly.html"
        html.write_bytes(render_bytes(build_period(county_on_a_phone(), "week"), "html"))
        browser = launch(p)
        page = browser.new_page(viewport={"width": PHONE, "height": 900})
        page.goto(html.as_uri())
        top = page.eval_on_selector(".problems", "el => el.getBoundingClientRect().top")
        page.screenshot(path=str(target), full_page=True, clip={"x": 0, "y": top - 8, "width": PHONE, "height": 760})
        browser.close()


if __name__ == "__main__":   # the script's folder is on sys.path: report_exports and browsers import
    write_screenshot(Path(sys.argv[1]))
