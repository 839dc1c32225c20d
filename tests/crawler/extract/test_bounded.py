"""Every extractor finishes within its CPU budget on pathological input (Hypothesis).

The inputs are built from the fragments that once made a parser or a pattern
backtrack — unclosed recordsets, `{x=[/*`, unterminated strings and comments,
long digit runs in URLs, repeated years in titles — repeated to page size
(~100 KB), shuffled and spliced by Hypothesis. Linear work on that much text
takes well under a second; the budget (crawler/budget.py, CPU time, as in the
crawl) is what the spider gives each parse of a page. An extractor over it would
have made the page unverifiable in a crawl; here it fails the test.
"""
import time
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from crawler.budget import DEFAULT_SECONDS, cpu_budget
from crawler.extract import dates
from crawler.extract.annual_titles import report_year
from crawler.extract.dom import TooDeep
from crawler.extract.article import extract_article_date, extract_text
from crawler.extract.encoding import decode
from crawler.extract.jsdata import script_literals
from crawler.extract.links import discover_columns, extract_links
from crawler.extract.listpage import extract_list
from crawler.extract.readable import judge_answer

CRAWL_DATE = date(2026, 11, 27)
# Big enough that anything worse than linear blows far past the budget (a quadratic
# pass over 100 KB is ~10^10 steps), small enough that linear work leaves the budget
# room to spare on a loaded machine (a 300 KB page took 2.0 s there: a flaky test).
PAGE_SIZE = 100_000

FRAGMENTS = [
    '<script type="text/xml">', "<recordset>", "<record>", "<![CDATA[", "]]>", "</record>", "<nextgroup>",
    "</script>", "<script>", "var listData = ", "{x=[/*", "/*", "*/", "[", "{", '"', "'", "`", "${", ":\"",
    "\\u12", "\\", "title:", "pubDate:", "2026-11-20", "2020", "年度报告", "年报", "11-20", "[11-20]",
    '<a href="/art/2026/1/5/art_1_', "11111111111111111111", ".html", '">', "</a>", "<li>", "</li>",
    "<ul class=\"list\">", "<div>", "<table><tr><td>", "<!--", "-->", "<meta name=\"PubDate\" content=\"",
    "发布时间：", "暂无信息", "document.cookie=", "location.reload()", "&nbsp;", "　", "\n", " ", "<<", ">>",
    '<a href="http://h.gov.cn/', "/202611/t20261120_", "createPageHTML(", "totalRecord:", "指南",
]


def pathological(parts: list[str], size: int = PAGE_SIZE) -> str:
    unit = "".join(parts) or "<"
    return (unit * (size // len(unit) + 1))[:size]


pages = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map(pathological)
bounded = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def within_budget(work, *args):
    """`work(*args)` done, or cleanly refused (TooDeep: the crawl records the page unverifiable), in budget.

    The budget is the crawl's (2 s), counted as this thread's CPU time; the crawl's own
    timer (process CPU time) stops a runaway at three times that, so a test never hangs.
    """
    started = time.thread_time()
    with cpu_budget(3 * DEFAULT_SECONDS):
        try:
            work(*args)
        except TooDeep:
            pass
    used = time.thread_time() - started
    assert used < DEFAULT_SECONDS, f"{getattr(work, '__name__', work)} used {used:.2f} s of CPU"


@bounded
@given(pages)
def test_list_pages(text):
    within_budget(extract_list, text.encode(), "http://h.gov.cn/xxgk/", CRAWL_DATE, "text/html; charset=utf-8")


@bounded
@given(pages)
def test_article_dates_and_text(text):
    body = text.encode()
    within_budget(extract_article_date, body, "http://h.gov.cn/a.html", "text/html")
    within_budget(extract_text, body, "http://h.gov.cn/a.html", "text/html")


@bounded
@given(pages)
def test_links_and_columns(text):
    within_budget(extract_links, text, "http://h.gov.cn/xxgk/")
    within_budget(discover_columns, text, "http://h.gov.cn/xxgk/", {"h.gov.cn"})


@bounded
@given(pages)
def test_inline_script_data(text):
    within_budget(lambda: list(script_literals(text)))


@bounded
@given(pages)
def test_answers_and_decoding(text):
    body = text.encode("utf-8", "surrogatepass")
    within_budget(judge_answer, 200, body, "text/html")
    within_budget(decode, body, "text/html; charset=gbk")


@bounded
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map(lambda p: pathological(p, 20_000)))
def test_titles_and_date_labels(text):
    within_budget(report_year, text)
    within_budget(dates.parse_date, text)
    within_budget(dates.labelled_date, text)
    within_budget(dates.node_dates, text, CRAWL_DATE)
    within_budget(dates.all_dates, text)


@pytest.mark.parametrize("text", [
    pathological(['<script type="text/xml"><recordset>', '<record><![CDATA[<li><a href="/a">标题</a></li>]]>'],
                 1_000_000),                                              # Hanweb recordsets, never closed
    pathological(['<script type="text/xml">'], 1_000_000),
    "<script>" + pathological(["{x=[/*"], 512_000) + "</script>",        # inline JSON reader
    "<script>var a = " + pathological(["`", "x=["], 512_000) + "</script>",
    '<a href="/' + "1" * 500_000 + '">' + "长标题" * 1000 + "</a>",        # a megabyte-long URL
    pathological(['pubDate:<a href="/art/2026/1/5/art_1_'], 300_000),     # tags that never close
    pathological(['<meta name="x" '], 64_000) + '<meta charset="gbk">',   # the charset sniffer's openers
    pathological(["<script>$.ajax({url:'/api/list',"], 300_000),          # unclosed scripts (data calls)
], ids=["recordsets", "xml-openers", "json-comments", "json-backticks", "long-url", "unclosed-tags",
        "meta-openers", "unclosed-scripts"])
def test_known_offenders(text):
    from crawler.extract.sources import find_data_call
    within_budget(extract_list, text.encode(), "http://h.gov.cn/xxgk/", CRAWL_DATE, "text/html")
    within_budget(find_data_call, text, "http://h.gov.cn/xxgk/")

