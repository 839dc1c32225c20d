"""The annual-report reader finishes within a CPU budget on pathological pages (Hypothesis).

It reads stored report pages at every judging, outside the crawl's per-page budget,
so its own bounds must hold: hostile tables (huge rowspans, thousands of cells),
repeated section headings and numbers, unclosed markup at page size.
"""
import time

from hypothesis import HealthCheck, given, settings, strategies as st

from crawler.budget import DEFAULT_SECONDS, cpu_budget
from rules.report_content import MAX_TAGS, parse_report

FRAGMENTS = ["<table>", "<tr>", "<td>", "</td>", "</tr>", "<th>", 'rowspan="99999"', 'colspan="99999"', ">",
             "表三", "表四", "本年新收", "上年结转", "总计", "自然人", "一、总体情况", "（七）", "12", "3,456",
             "收到申请", "件", "<p>", "<!--", "<script>", "2025年", "\n", " ", "<<", "&nbsp;"]


def pathological(parts: list[str], size: int = 300_000) -> str:
    unit = "".join(parts) or "<"
    return (unit * (size // len(unit) + 1))[:size]


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=8).map(pathological))
def test_annual_report_pages(text):
    started = time.thread_time()
    with cpu_budget(3 * DEFAULT_SECONDS):      # stops a runaway; the budget is checked below
        parse_report(text)
    assert time.thread_time() - started < DEFAULT_SECONDS


def test_a_report_buried_in_tags_is_read_up_to_where_they_begin():
    """Past MAX_TAGS tags the page is not read (as past MAX_HTML_CHARS): what came before is."""
    from tests.rules.test_annual_report import FIXTURES
    report = (FIXTURES / "ok_2021.html").read_text(encoding="utf-8")
    whole = parse_report(report)
    buried = report.replace("</body>", "<span>" * (MAX_TAGS + 1) + "</body>")
    started = time.thread_time()
    content = parse_report(buried)
    assert time.thread_time() - started < DEFAULT_SECONDS
    assert content.truncated and not whole.truncated
    assert (content.table3, content.table4, dict(content.sections)) == (whole.table3, whole.table4, dict(whole.sections))
