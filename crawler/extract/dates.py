"""Date recognition for Chinese government pages: pure, regex-only, compiled once.

Two questions are answered here:

* ``parse_date(text)``: the first full date (with a year) in a free text, e.g. a meta value.
* ``node_date(text, crawl_date)``: is this short text node *a date label* (``[11-20]``,
  ``2026-11-20 09:30``, ``发布时间：2026-11-20``)?  A title that merely mentions a date
  (``关于2027年3月1日起施行…``) is not, and neither is an index number (``…/2026-00012``),
  a phone number or a URL fragment.

Dates without a year take the crawl date's year, or the year before when that would lie in
the future; an item URL's date (``t20231104``, ``/202310/``) may only pull that year further
back, never forward (see ``resolve_year``).  Nothing here returns a date after ``crawl_date``.
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date, timedelta
from typing import NamedTuple

# Full-width digits and separators appear in hand-typed dates ("２０２６－１１－２０").
_FULLWIDTH = str.maketrans("０１２３４５６７８９－／．：　", "0123456789-/.: ")

_MIN_YEAR = 1990
_MAX_YEAR = 2100

# YYYY-MM-DD / YYYY/MM/DD / YYYY.MM.DD with the same separator twice.  The guards keep out
# path pieces (gov.cn/2018-06/22: mixed separators; /2026-11-20/ inside a URL), index numbers
# (000014349/2026-00012: only one separator) and longer digit runs.
_YMD = re.compile(
    r"(?<![0-9A-Za-z/_%.\-])"
    r"((?:19|20)\d\d)\s?([-/.])\s?(\d{1,2})\s?\2\s?(\d{1,2})"
    r"(?![0-9A-Za-z/_%]|[-.]\d)"
)
# Lenient variant for machine values such as meta firstpublishedtime "2007-08-20-23:59:59".
_YMD_LENIENT = re.compile(r"((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?!\d)")
# 2026年11月20日 (spaces tolerated: "2026年 11月 3日").
_CN_YMD = re.compile(r"((?:19|20)\d\d)\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
# Compact 20261120 only as a whole machine value (meta), never inside text: ids look alike.
_COMPACT = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)(?:\d{4,6})?$")
# Yearless MM-DD / MM/DD / MM.DD and 11月20日 - accepted only when they are the whole node.
# Day always two digits ("1-5", "1.5" MB or a "1/3" pager are not dates); with "." and "/"
# the month too ("11.20", "01/05").
_MD = re.compile(
    r"(?<![0-9A-Za-z/_%.:\-])(\d{1,2}(?=-)|\d{2})([-/.])(\d{2})(?![0-9A-Za-z/_%:]|[-./]\d)"
)
_CN_MD = re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]")
# Any digit at all (every date pattern below needs one): most text nodes have none.
_DIGIT = re.compile(r"\d")
# A separator or 月, full-width too (every pattern of node_dates needs one): most titles with
# digits (第52号, 2026年工作要点) have none, and are told so before any other work.
_DATE_MARK = re.compile(r"[-/.月－／．]")
# A clock time after a date is part of the date label, not a "rest" that makes it a title.
_TIME = re.compile(r"\d{1,2}[:：]\d{2}(?:[:：]\d{2})?(?:\.\d+)?")

# Labels in front of a date.  Publication labels beat generic ones; a written/effective date
# (成文日期, 施行日期) is only a fallback and is never a reason to call an item fresh.
PUB_LABEL = r"发布时间|发布日期|发文日期|公开日期|公开时间|公布日期|公布时间|发表时间|发表日期|上网日期|上网时间|发布|信息时间"
# An update stamp on an item is as good as a bare date for a list, but never an article's date.
GENERIC_LABEL = r"更新时间|更新日期|日期|时间"
WRITTEN_LABEL = r"成文日期|成文时间|印发日期|签发日期|生成日期|制发日期"
IGNORED_LABEL = r"施行日期|实施日期|生效日期|废止日期|失效日期|截止日期|截止时间|有效期|开始时间|结束时间|报名时间|活动时间|会议时间"

_LABELS = re.compile(
    rf"(?P<label>{IGNORED_LABEL}|{WRITTEN_LABEL}|{PUB_LABEL}|{GENERIC_LABEL})\s*[:：]?\s*$"
)
_ANY_LABEL = re.compile(f"{IGNORED_LABEL}|{WRITTEN_LABEL}|{PUB_LABEL}|{GENERIC_LABEL}")
_PUB_RE = re.compile(rf"^(?:{PUB_LABEL})$")
_WRITTEN_RE = re.compile(rf"^(?:{WRITTEN_LABEL})$")
_IGNORED_RE = re.compile(rf"^(?:{IGNORED_LABEL})$")
# What may surround a bare date label without making it prose: brackets, bars, colons, "星期五"
# is NOT here on purpose - "今天是2026年11月27日 星期五" is a header clock, not an item date.
_FILLER = re.compile(r"[\s\[\]()（）【】〔〕<>《》〈〉|｜:：,，;；/\\·•\-—_~'\"“”]+")
# "2026-11-20 星期五" in a list row is still a date label ("今天是…星期五" keeps its 今天是).
_WEEKDAY = re.compile(r"(?:星期|周|礼拜)[一二三四五六日天]")

# Weight of a date by the label in front of it (see pick order in listpage).
PRIO_PUB = 3
PRIO_PLAIN = 2
PRIO_WRITTEN = 1

# Item URL dates: TRS t20231104_…, Hanweb /art/2026/1/5/, month folders /202310/, …
_URL_T = re.compile(r"[/_]t((?:19|20)\d\d)(\d\d)(\d\d)_")
_URL_ART = re.compile(r"/art/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})/")
_URL_YMD_PATH = re.compile(r"/((?:19|20)\d\d)-?(\d\d)-?/?(\d\d)/")
_URL_YM = re.compile(r"/((?:19|20)\d\d)-?(\d\d)/")

# A yearless date may fall this long after its item's URL date (drafts published later).
_URL_SLACK = timedelta(days=62)


class Found(NamedTuple):
    """A date found in a node: the date, how far it can be trusted, and its label.

    A named tuple, not a frozen dataclass: a list page makes one per dated row, and a frozen
    dataclass costs four times as much to make.
    """
    date: date
    priority: int
    label: str | None = None


def _valid(y: int, m: int, d: int) -> date | None:
    if not (_MIN_YEAR <= y <= _MAX_YEAR and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    try:
        return date(y, m, d)
    except ValueError:  # 2026-02-30
        return None


def normalize(text: str) -> str:
    """Full-width digits/separators to ASCII, nbsp to space."""
    return text.translate(_FULLWIDTH).replace("\xa0", " ")


def parse_date(text: str | None) -> date | None:
    """First full date (with a year) in ``text``; for meta values and labelled strings."""
    if not text:
        return None
    t = normalize(text)
    best: tuple[int, date] | None = None
    for rx in (_YMD, _CN_YMD):
        m = rx.search(t)
        if m:
            g = m.groups()
            d = _valid(int(g[0]), int(g[-2]), int(g[-1]))
            if d and (best is None or m.start() < best[0]):
                best = (m.start(), d)
    if best:
        return best[1]
    m = _YMD_LENIENT.search(t)
    if m:
        return _valid(int(m.group(1)), int(m.group(3)), int(m.group(4)))
    m = _COMPACT.match(t.strip())
    if m:
        return _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    return None


def resolve_year(month: int, day: int, crawl_date: date, hint: date | None = None) -> date | None:
    """Year for a yearless MM-DD: the latest one not after the reference date.

    The reference is the crawl date; an item's URL date (plus a little slack) can only lower
    it.  ``[12-28]`` seen on 2026-01-05 is 2025-12-28; ``10-09`` whose URL sits in /202310/
    is 2023-10-09 even when crawled in 2026 (yichun_home trap).
    """
    ref = crawl_date
    if hint is not None and hint + _URL_SLACK < ref:
        ref = hint + _URL_SLACK
    for year in range(ref.year, ref.year - 5, -1):  # -5: a 29 Feb needs a leap year
        d = _valid(year, month, day)
        if d is not None and d <= ref:
            return d
        if d is None and not (month == 2 and day == 29):
            return None
    return None


def url_date_hint(url: str | None) -> date | None:
    """The date an item URL carries, for year inference only: URL dates are not item dates."""
    if not url:
        return None
    for rx in (_URL_T, _URL_ART, _URL_YMD_PATH):
        m = rx.search(url)
        if m:
            d = _valid(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            if d:
                return d
    m = _URL_YM.search(url)
    if m:
        y, mo = int(m.group(1)), int(m.group(2))
        if _valid(y, mo, 1):
            return date(y, mo, calendar.monthrange(y, mo)[1])
    return None


def _label_before(text: str, start: int) -> str | None:
    m = _LABELS.search(text[max(0, start - 12):start])
    return m.group("label") if m else None


def _priority(label: str | None) -> int | None:
    if label is None:
        return PRIO_PLAIN
    if _IGNORED_RE.match(label):
        return None
    if _WRITTEN_RE.match(label):
        return PRIO_WRITTEN
    if _PUB_RE.match(label):
        return PRIO_PUB
    return PRIO_PLAIN


def node_dates(text: str, crawl_date: date, hint: date | None | Callable[[], date | None] = None,
               max_len: int = 80) -> list[Found]:
    """Dates that this text node *states as a date label*; [] for titles and prose.

    A node qualifies when, after removing the date(s), clock times, labels and brackets,
    almost nothing is left (``[11-20]``, ``(2026-11-20)``, ``2026-11-20 09:30:12``), or when
    a date directly follows a label (``发布时间：2026-11-20 来源：县政府办``).  Dates after
    ``crawl_date`` are dropped: a future date is never an update.  ``hint`` (see
    `resolve_year`) may be a function, asked only when a yearless date needs its year.
    """
    # Asked of the text as written: normalize only makes full-width digits and marks ASCII.
    if not _DIGIT.search(text) or not _DATE_MARK.search(text):
        return []
    # An ASCII text (most list dates) has no full-width mark or nbsp to normalise.
    t = (text if text.isascii() else normalize(text)).strip()
    if not t or len(t) > max_len:
        return []
    if (m := _YMD.fullmatch(t)) is not None and (d := _valid(int(m[1]), int(m[3]), int(m[4]))) is not None:
        # The commonest list date, a node that is a full date and nothing else: no label, no rest.
        return [Found(d, PRIO_PLAIN)] if d <= crawl_date else []
    spans: list[tuple[int, int, date, str | None]] = []
    for rx in (_YMD, _CN_YMD):
        for m in rx.finditer(t):
            g = m.groups()
            d = _valid(int(g[0]), int(g[-2]), int(g[-1]))
            if d:
                spans.append((m.start(), m.end(), d, _label_before(t, m.start())))
    has_year = bool(spans)
    if not spans:
        for rx, mi, di in ((_MD, 1, 3), (_CN_MD, 1, 2)):
            for m in rx.finditer(t):
                if callable(hint):
                    hint = hint()
                d = resolve_year(int(m.group(mi)), int(m.group(di)), crawl_date, hint)
                if d:
                    spans.append((m.start(), m.end(), d, _label_before(t, m.start())))
        if len(spans) != 1:  # "3.5-6.8" ranges and the like are not dates
            return []
    spans.sort()
    found: list[Found] = []
    rest = []
    pos = 0
    for s, e, d, label in spans:
        rest.append(t[pos:s])
        pos = e
        prio = _priority(label)
        if prio is not None and d <= crawl_date:
            found.append(Found(d, prio, label))
    rest.append(t[pos:])
    left = "".join(rest)   # most often nothing: the node is the date
    residue = _FILLER.sub("", _WEEKDAY.sub("", _ANY_LABEL.sub("", _TIME.sub("", left)))) if left else ""
    # A yearless "3-5" must stand alone ("第3-5期" is not a date); a full date may carry a
    # word or two ("2026-11-20 发布").
    if len(residue) <= (2 if has_year else 0):
        return found
    # Labelled dates inside a metadata line ("发布时间：2026-11-20  来源：县政府办") still count.
    return [f for f in found if f.label is not None]


def best_date(found: list[Found]) -> date | None:
    """Highest-priority date, newest within that priority."""
    if not found:
        return None
    if len(found) == 1:   # most rows state one date
        return found[0].date
    top = max(f.priority for f in found)
    return max(f.date for f in found if f.priority == top)


_DATE_VALUE = r"(?P<date>(?:19|20)\d\d\s*(?:[-/.]\s*\d{1,2}\s*[-/.]\s*\d{1,2}|年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号]))"
_LABELLED_PUB = re.compile(rf"(?P<label>{PUB_LABEL})\s*[:：]?\s*{_DATE_VALUE}")
_LABELLED_GENERIC = re.compile(rf"(?P<label>{GENERIC_LABEL})\s*[:：]\s*{_DATE_VALUE}")
# "页面生成时间", "咨询时间", "施行日期": a short generic label must not be the tail of a
# longer label that is not about publication (gansu/govcn traps: 页面生成时间 is the server clock).
_NOT_PUB_TAIL = re.compile(
    rf"(?:{IGNORED_LABEL}|{WRITTEN_LABEL}|页面生成时间|生成时间|咨询时间|办公时间|工作时间|受理时间|最后更新时间|最后更新日期|更新时间|更新日期)$"
)


def labelled_date(text: str) -> tuple[str, date] | None:
    """First publication-labelled date in a longer text (发布时间/发布日期 first, then 日期/时间).

    Written, effective and page-generation dates (成文日期, 施行日期, 页面生成时间) never qualify.
    """
    t = normalize(text)
    for rx in (_LABELLED_PUB, _LABELLED_GENERIC):
        for m in rx.finditer(t):
            label = m.group("label")
            before = t[max(0, m.start() - 6):m.start()] + label
            if _NOT_PUB_TAIL.search(before):
                continue
            d = parse_date(m.group("date"))
            if d:
                return label, d
    return None


def all_dates(text: str, crawl_date: date | None = None) -> list[date]:
    """Every full date in a text (naive baseline and diagnostics), optionally not after crawl_date."""
    t = normalize(text)
    out = []
    for rx in (_YMD, _CN_YMD):
        for m in rx.finditer(t):
            g = m.groups()
            d = _valid(int(g[0]), int(g[-2]), int(g[-1]))
            if d and (crawl_date is None or d <= crawl_date):
                out.append(d)
    return out
