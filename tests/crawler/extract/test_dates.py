"""Date recognition: formats, traps and the yearless-date rule."""
from datetime import date

import pytest

from crawler.extract import dates

CRAWL = date(2026, 11, 27)


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2026-11-20", date(2026, 11, 20)),
        ("2026-11-20 09:30:12", date(2026, 11, 20)),
        ("2026/11/3", date(2026, 11, 3)),
        ("2026.11.03", date(2026, 11, 3)),
        ("2026年11月20日", date(2026, 11, 20)),
        ("2026年 11月 3日", date(2026, 11, 3)),
        ("(2026-11-20)", date(2026, 11, 20)),
        ("（2026-11-20）", date(2026, 11, 20)),
        ("[11-20]", date(2026, 11, 20)),
        ("11-20", date(2026, 11, 20)),
        ("[1-20]", date(2026, 1, 20)),
        ("11/20", date(2026, 11, 20)),
        ("11月20日", date(2026, 11, 20)),
        ("发布时间:2026-11-20", date(2026, 11, 20)),
        ("发布日期：2026-11-20", date(2026, 11, 20)),
        ("２０２６－１１－２０", date(2026, 11, 20)),
        ("２０２６／１１／２０", date(2026, 11, 20)),
        ("(１１．２０)", date(2026, 11, 20)),
        ("来源：县政府办　发布时间：2026-11-20", date(2026, 11, 20)),
        ("2026-11-20 星期五", date(2026, 11, 20)),
    ],
    ids=["iso", "iso-time", "slash", "dots", "cn", "cn-spaces", "parens", "fullwidth-parens",
         "brackets-yearless", "yearless", "yearless-short-month", "yearless-slash", "cn-yearless", "label-colon", "label-fullwidth-colon",
         "fullwidth-digits", "fullwidth-slashes", "fullwidth-yearless-dots", "metadata-line", "weekday"],
)
def test_node_date_formats(text, expected):
    assert dates.best_date(dates.node_dates(text, CRAWL)) == expected


@pytest.mark.parametrize(
    "text",
    [
        "关于2027年3月1日起施行《某某办法》的通知",  # a date inside a title is not the item date
        "000014349/2026-00012",                      # index number
        "0591-24337112",                             # phone number
        "0731-8401-1234",
        "www.gov.cn/xinwen/2018-06/22/content_1.htm",  # URL fragment, mixed separators
        "/2026-11-20/index.html",
        "今天是2026年11月27日 星期五",              # header clock
        "Copyright © 2005-2026 某某县人民政府",       # copyright year range
        "2026-13-01",                                # invalid month
        "2026-02-30",                                # invalid day
        "[13-40]",
        "第3-5期",                                   # yearless-looking range inside words
        "2026年11月",                                # month only
        "价格11.20元",
        "1.5",                                       # file size, version
        "1/3",                                       # pager
        "1-5",
    ],
    ids=["date-in-title", "index-number", "phone", "phone-dashes", "url-fragment", "url-path",
         "header-clock", "copyright-range", "bad-month", "bad-day", "bad-yearless",
         "range-in-words", "month-only", "price", "decimal", "pager", "short-range"],
)
def test_not_item_dates(text):
    assert dates.node_dates(text, CRAWL) == []


def test_future_full_date_dropped():
    assert dates.node_dates("2026-11-28", CRAWL) == []
    assert dates.node_dates("2026-11-27", CRAWL)[0].date == CRAWL


@pytest.mark.parametrize(
    "text,crawl,expected",
    [
        ("[12-28]", date(2026, 1, 5), date(2025, 12, 28)),   # year boundary: never in the future
        ("[11-20]", date(2026, 11, 27), date(2026, 11, 20)),
        ("[01-03]", date(2026, 1, 5), date(2026, 1, 3)),
        ("11-28", date(2026, 11, 27), date(2025, 11, 28)),   # one day ahead → last year
        ("02-29", date(2026, 3, 1), date(2024, 2, 29)),      # leap day goes back to a leap year
    ],
    ids=["dec-seen-in-jan", "same-year", "jan-seen-in-jan", "tomorrow-is-last-year", "leap-day"],
)
def test_yearless_year_rule(text, crawl, expected):
    assert dates.best_date(dates.node_dates(text, crawl)) == expected


def test_yearless_year_pulled_back_by_item_url():
    # yichun_home: "10-09" whose URL sits in /202310/, crawled years later.
    hint = dates.url_date_hint("/ycsrmzf/zwyw/202310/ce17f2d6.shtml")
    assert hint == date(2023, 10, 31)
    assert dates.resolve_year(10, 9, CRAWL, hint) == date(2023, 10, 9)
    # A URL date never pushes a yearless date forward, nor past the crawl date.
    assert dates.resolve_year(11, 20, CRAWL, date(2026, 11, 30)) == date(2026, 11, 20)
    # December draft published in January: slack keeps the later year.
    assert dates.resolve_year(1, 5, date(2026, 11, 27), date(2025, 12, 20)) == date(2026, 1, 5)


@pytest.mark.parametrize(
    "url,expected",
    [
        ("./202603/t20260313_105587.htm", date(2026, 3, 13)),
        ("/art/2026/1/5/art_1_2.html", date(2026, 1, 5)),
        ("/jyt/c110634/202511/174240943.shtml", date(2025, 11, 30)),
        ("/gzdt/show.jsp?id=8841", None),
    ],
    ids=["trs-t-date", "hanweb-art", "month-folder", "no-date"],
)
def test_url_date_hint(url, expected):
    assert dates.url_date_hint(url) == expected


def test_label_priority_publication_beats_written():
    found = dates.node_dates("成文日期：2026-11-20 发布日期：2026-11-02", CRAWL)
    assert dates.best_date(found) == date(2026, 11, 2)


def test_effective_dates_are_ignored():
    assert dates.node_dates("施行日期：2026-01-01", CRAWL) == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2025-03-27 09:36:38", date(2025, 3, 27)),
        ("2007-08-20-23:59:59", date(2007, 8, 20)),  # govcn meta firstpublishedtime
        ("20260313", date(2026, 3, 13)),
        ("页面生成时间 2025-11-24 15:09:57", date(2025, 11, 24)),
        ("no date", None),
    ],
    ids=["meta-pubdate", "dash-before-time", "compact", "generation-label", "none"],
)
def test_parse_date(text, expected):
    assert dates.parse_date(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("日期：2025-02-26 11:54 来源：", ("日期", date(2025, 2, 26))),
        ("时间：2024-03-23 16:23", ("时间", date(2024, 3, 23))),
        ("发布时间：2026年11月20日", ("发布时间", date(2026, 11, 20))),
        ("页面生成时间：2025-03-27", None),
        ("成文日期：2026-01-01", None),
        ("最后更新时间：2026-11-27", None),
        ("咨询时间：周一至周五", None),
    ],
    ids=["generic-date-label", "generic-time-label", "publication-label", "generation-time",
         "written-date", "last-updated", "office-hours"],
)
def test_labelled_date(text, expected):
    assert dates.labelled_date(text) == expected
