"""Which list titles are annual reports (政府信息公开工作年度报告), and of which year. Pure.

The one recognizer: the spider uses it to pick the report pages it fetches and
records each item's year, so the rules read years as facts and never re-parse
titles. Linear time on any title: one search for the year, one for the word.
"""
from __future__ import annotations

import re

# A year not glued to other digits; …/2026-00012 index numbers (索引号) are not years.
_YEAR = re.compile(r"(?<![\d/])((?:19|20)\d{2})(?!\d|-\d{3})")
_REPORT_WORD = re.compile(r"年报|年度报告|工作报告|报告")
# "关于做好2025年政府信息公开工作年度报告编制工作的通知" is about a report, not the report.
_NOT_A_REPORT = re.compile(r"通知|关于|编制|做好|报送|征集|培训|会议")
# Titles longer than this are not list titles; the tail cannot change the answer for a real one.
MAX_TITLE = 300


def report_year(title: str | None) -> int | None:
    """The year of the annual report this title names, or None when it names none."""
    text = (title or "")[:MAX_TITLE]
    if "报" not in text:   # every report word has it: most list titles end here, unsearched
        return None
    if _NOT_A_REPORT.search(text):
        return None
    year = _YEAR.search(text)
    if year is None or _REPORT_WORD.search(text, year.end()) is None:
        return None
    return int(year.group(1))
