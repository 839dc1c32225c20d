"""Recognising annual reports among list titles: the year, and what is only about a report."""
import time

import pytest

from crawler.extract.annual_titles import report_year


@pytest.mark.parametrize("title, year", [
    ("清河县教育局2025年政府信息公开工作年度报告", 2025),
    ("新兴镇2025年度政府信息公开工作报告", 2025),
    ("2024年政府信息公开年报", 2024),
    ("清河县人民政府2023年度政府信息公开工作报告（更正版）", 2023),
    ("关于做好2025年政府信息公开工作年度报告编制工作的通知", None),   # about a report, not the report
    ("2025年工作总结", None),                                          # no report word
    ("清河县政府信息公开年度报告", None),                               # no year
    ("索引号 11130100/2026-00012 年度报告", None),                     # an index number is not a year
], ids=["standard", "town-variant", "nianbao", "corrected", "compiling-notice", "no-report-word", "no-year",
        "index-number"])
def test_report_year(title, year):
    assert report_year(title) == year


def test_a_hostile_title_takes_no_time():
    title = "2024" * 50_000 + "年度"   # 200 KB of years and no report word
    start = time.process_time()
    assert report_year(title) is None
    assert time.process_time() - start < 0.5
