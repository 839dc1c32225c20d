"""The spider fetches the newest two annual reports of a 年报 column; the report-content rules judge them."""
from pathlib import Path

from mockserver import MockServer, html
from test_spider import listing, nav, page, run_crawl

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "annual_report"


def test_newest_two_reports_are_fetched_and_judged(tmp_path):
    def report(name):
        return html((FIXTURES / name).read_text(encoding="utf-8"))
    routes = {
        "/r/xxgk/": html(page("信息公开", nav(("政府信息公开年报", "/r/xxgk/nb/"), ("工作动态", "/r/gzdt/")))),
        "/r/gzdt/": html(page("工作动态", listing(("会议", "/r/a/1.html", "2026-11-25")))),
        "/r/xxgk/nb/": html(page("政府信息公开年报", listing(
            ("清河县教育局2025年政府信息公开工作年度报告", "/r/nb/2025.html", "2026-01-20"),
            ("清河县教育局2024年政府信息公开工作年度报告", "/r/nb/2024.html", "2025-01-20"),
            ("清河县教育局2023年政府信息公开工作年度报告", "/r/nb/2023.html", "2024-01-20")))),
        "/r/nb/2025.html": report("table3_row_total.html"),
        "/r/nb/2024.html": report("ok_2021.html"),
        "/r/nb/2023.html": report("missing_section_5.html"),   # third newest: not fetched
    }
    with MockServer(routes) as server:
        units, _ = run_crawl(tmp_path, [("年报局", f"{server.url}/r/xxgk/")])
    found = sorted((f["rule"], f["element"]) for f in units["年报局"]["findings"]
                   if f["rule"].startswith("annual_report_"))
    assert found == [("annual_report_table_mismatch", "2025:表三:new:行合计"),
                     ("annual_report_table_mismatch", "2025:表三:total:一+二=七+四"),
                     ("annual_report_table_mismatch", "2025:表三:二=上年四"),
                     ("annual_report_text_mismatch", "2025:正文:applications:20")]
