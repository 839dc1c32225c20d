"""The simulated county 清河县: its units, their columns and items, computed from `today`.

Pure data and functions, no I/O. `build_county(today)` resolves the unit table
below into dated items and URL paths; the page renderer (`demo.pages`) draws
the pages from that model and `expected()` derives the crawl's correct answer
from the very same model, so the two cannot drift apart.

Planted problems keep wide margins around the thresholds, so a rule set that
differs by a few days still agrees on them: a dynamic column is fresh at ≤ 5
days and stale at ≥ 25 days (threshold 14); a notice/policy column is fresh at
≤ 60 days and stale at ≥ 220 days (threshold 183).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import cycle, islice
from typing import NamedTuple

from rules import load_ruleset

COUNTY = "清河县"
REGION_CODE = "130534"          # 6-digit region code, first part of every 网站标识码
FIRST_SITE_YEAR = 2019          # copyright ranges start here ("2019-2026")

# Unit kinds (sites.yaml `kind`); the annual-report deadline depends on it.
GOVERNMENT, DEPARTMENT, TOWN = "government", "department", "town"

# Page styles: the CMS families whose markup the demo imitates.
TRS, HANWEB, CATALOGUE = "trs", "hanweb", "catalogue"

# How list dates are written: 2026-11-20 | 2026年11月20日 | 2026/11/3 | [11-20]
YMD, CN, SLASH, SHORT = "ymd", "cn", "slash", "short"

# How a column's list reaches the page (None: in its HTML, as served). JPAGE: a Hanweb page
# without its recordset, the records only from dataproxy.jsp; XHR: a JSON API its $.ajax names
# (dates as epoch milliseconds); SCRIPT: an address its script builds at run time, so only a
# browser reads it. LIST_SOURCES: what a correct crawl records as the column's list_source.
JPAGE, XHR, SCRIPT = "jpage", "xhr", "script"
LIST_SOURCES = {None: "static", JPAGE: "hanweb_dataproxy", XHR: "json_api", SCRIPT: "browser"}
LIST_API = "/api/xxgk/list"          # a unit's JSON list API, under its own prefix
# A web application firewall's cookie (瑞数/云锁 style): a unit with `challenge` answers every
# request without it with a page whose script sets it and reloads.
CHALLENGE_COOKIE = ("wzws_cid", "qinghe-2026")

# Column categories. Only dynamic and notice columns can go stale.
DYNAMIC, NOTICE, OTHER, GUIDE = "dynamic", "notice", "other", "guide"
NOTICE_NAMES = ("通知公告", "公示公告", "政策文件", "规范性文件")
# Thresholds and deadlines are the rule file's: the demo plants problems well clear of them.
RULES = load_ruleset("national-2019")

GUIDE_NAME = "政府信息公开指南"
REPORTS_NAME = "政府信息公开年报"

# The nine elements 条例 Art.12 requires in a guide, with every wording the
# demo's guides use for them. A guide that lacks an element contains none of
# its words anywhere on the page (tests check this), so the answer is clear.
GUIDE_ELEMENT_WORDS: dict[str, tuple[str, ...]] = {
    "classification": ("分类",),
    "catalogue_system": ("编排体系", "编排", "目录"),
    "access_method": ("获取方式",),
    "agency_name": ("工作机构", "受理机构", "机构名称"),
    "address": ("办公地址", "通信地址", "地址", "办公地点"),
    "office_hours": ("办公时间", "工作时间", "受理时间", "咨询时间", "接待时间"),
    "phone": ("联系电话", "咨询电话", "电话"),
    "fax": ("传真",),
    "online_contact": ("电子邮箱", "互联网联系方式", "邮箱", "网址", "@"),
}
GUIDE_ELEMENTS = tuple(GUIDE_ELEMENT_WORDS)


def category_of(column_name: str) -> str:
    """The demo's column categories, as the rules should see them."""
    if column_name == GUIDE_NAME:
        return GUIDE
    if "动态" in column_name or "要闻" in column_name:
        return DYNAMIC
    if column_name in NOTICE_NAMES:
        return NOTICE
    return OTHER


def stale_after(column_name: str) -> int | None:
    """Days after which the rule file calls this column stale; None when it is not judged for age."""
    category = RULES.category_of(column_name)
    judged = RULES.rule("column_stale").params.get("categories", ())
    return RULES.categories[category].max_age_days if category in judged else None


def report_deadline(kind: str, year: int) -> date:
    """Last day to publish the annual report on `year` (条例 Art.49), as the rule file says."""
    month, day = map(int, str(RULES.rule("annual_report_missing").params["deadlines"][kind]).split("-"))
    return date(year + 1, month, day)


def required_report_year(kind: str, today: date) -> int:
    """The newest year whose annual report must be online by `today`."""
    year = today.year - 1
    return year if today > report_deadline(kind, year) else year - 1


def format_date(d: date, fmt: str) -> str:
    if fmt == CN:
        return f"{d.year}年{d.month}月{d.day}日"
    if fmt == SLASH:
        return f"{d.year}/{d.month}/{d.day}"
    if fmt == SHORT:
        return f"[{d.month:02d}-{d.day:02d}]"
    return d.isoformat()


def run(first: int, count: int, gaps: tuple[int, ...] = (2, 3, 1, 4, 3)) -> tuple[int, ...]:
    """Item ages (days before today), newest first: `first`, then growing by `gaps` in turn."""
    ages, age = [], first
    for gap in islice(cycle(gaps), count):
        ages.append(age)
        age += gap
    return tuple(ages)


# ---------------------------------------------------------------------------
# The specification: what the county designer writes down.
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnSpec:
    name: str
    slug: str
    ages: tuple[int, ...] = ()        # item ages in days, newest first
    content: str = "items"            # items | guide | reports | finance
    pinned_age: int | None = None     # an old item pinned (置顶) above the newer ones
    ascending: bool = False           # list shown oldest first
    show_dates: bool = True           # False: dates only on the detail pages
    empty: str | None = None          # an empty column shows "placeholder" (暂无信息) or a "bare" list
    status: int = 200                 # HTTP status the column page answers
    sidebar_from: str | None = None   # slug of a column whose newest items fill a 热点信息 box
    future_title: bool = False        # newest item's title names a date next year
    loader: str | None = None         # JPAGE | XHR | SCRIPT: the list is not in the page's HTML


@dataclass(frozen=True)
class UnitSpec:
    slug: str                         # path prefix: /<slug>/xxgk/
    name: str
    kind: str
    style: str
    columns: tuple[ColumnSpec, ...]
    date_format: str = YMD
    encoding: str = "utf-8"           # "gbk": bytes are GBK while the page declares gb2312
    charset_header: bool = True       # False: Content-Type "text/html" without a charset
    leaders: tuple[str, str] = ("张建军", "李国华")
    guide_missing: frozenset[str] = frozenset()
    guide_synonyms: bool = False      # guide words it the other common way (受理机构, 咨询电话…)
    annual_report_gap: bool = False   # the report due last is not published
    outage: str | None = None         # "refused": nothing listens; "503": answers 503 everywhere
    dead_link: bool = False           # disclosure page links a 政策解读 page that does not exist
    challenge: int | None = None      # 412 or 200: a cookie challenge guards every page (passed in a browser)


def _columns(kind: str, v: int, drop: tuple[str, ...] = (), **changes: dict) -> tuple[ColumnSpec, ...]:
    """A unit's usual column set; `v` varies the ages a little between units,
    `changes` maps a column slug to field changes, `drop` removes columns."""
    news = {GOVERNMENT: ("政务要闻", "zwyw"), DEPARTMENT: ("工作动态", "gzdt"),
            TOWN: ("乡镇动态", "xzdt")}[kind]
    policy = ("规范性文件", "gfxwj") if kind == GOVERNMENT else ("政策文件", "zcwj")
    cols = [
        ColumnSpec(GUIDE_NAME, "xxgkzn", content="guide"),
        ColumnSpec("政府信息公开制度", "xxgkzd", ages=(700 + v, 1100 + v, 1800 + v)),
        ColumnSpec(REPORTS_NAME, "xxgknb", content="reports"),
        ColumnSpec("机构职能", "jgzn", ages=(820 + v, 830 + v, 1460 + v)),
        ColumnSpec("领导信息", "ldxx", ages=(150 + v, 700 + v)),
        ColumnSpec(*policy, ages=run(18 + (v * 7) % 30, 8, (25, 40, 33))),
        ColumnSpec("规划计划", "ghjh", ages=(95 + v, 330 + v, 700 + v)),
        ColumnSpec("财政预决算", "czyjs", content="finance"),
        ColumnSpec("人事信息", "rsxx", ages=run(40 + (v * 2) % 20, 4, (90, 120))),
        ColumnSpec("通知公告", "tzgg", ages=run(2 + v % 3, 10, (6, 9, 13, 8))),
        ColumnSpec(*news, ages=run(1 + v % 4, 14)),
    ]
    if kind == GOVERNMENT:
        cols.insert(6, ColumnSpec("政策文件", "zcwj", ages=run(12 + v, 10, (20, 31, 17))))
        cols.append(ColumnSpec("部门动态", "bmdt", ages=run(1, 12, (1, 2, 3))))
    unknown = (set(changes) | set(drop)) - {c.slug for c in cols}
    assert not unknown, f"no such column: {unknown}"
    return tuple(replace(c, **changes.get(c.slug, {})) for c in cols if c.slug not in drop)


EMPTY = dict(ages=())

UNITS: tuple[UnitSpec, ...] = (
    # --- TRS WCM -----------------------------------------------------------
    UnitSpec("xzf", "清河县人民政府", GOVERNMENT, TRS, leaders=("刘建国", "陈晓东"),
             guide_synonyms=True,
             columns=_columns(GOVERNMENT, 1, zwyw=dict(ages=run(1, 20, (1, 2, 2))),
                              zcwj=dict(future_title=True))),
    UnitSpec("jyj", "清河县教育局", DEPARTMENT, TRS, encoding="gbk", charset_header=False,
             leaders=("王堃", "张玥"),
             columns=_columns(DEPARTMENT, 2, gzdt=dict(ages=run(2, 22)))),
    UnitSpec("gaj", "清河县公安局", DEPARTMENT, TRS, date_format=SLASH,
             columns=_columns(DEPARTMENT, 3, drop=("ghjh",), tzgg=dict(pinned_age=420))),
    UnitSpec("mzj", "清河县民政局", DEPARTMENT, TRS, encoding="gbk", leaders=("李玥", "赵堃"),
             columns=_columns(DEPARTMENT, 4, gzdt=dict(ages=run(40, 12), sidebar_from="tzgg"))),
    UnitSpec("zrzyj", "清河县自然资源局", DEPARTMENT, TRS, dead_link=True, guide_synonyms=True,
             columns=_columns(DEPARTMENT, 5)),
    UnitSpec("zjj", "清河县住房和城乡建设局", DEPARTMENT, TRS,
             columns=_columns(DEPARTMENT, 6,
                              tzgg=dict(ages=run(250, 6, (30, 45)), future_title=True),
                              gzdt=dict(show_dates=False))),
    UnitSpec("jtysj", "清河县交通运输局", DEPARTMENT, TRS, date_format=SLASH,
             guide_missing=frozenset({"fax", "office_hours"}),
             columns=_columns(DEPARTMENT, 7, drop=("rsxx",))),
    UnitSpec("ybj", "清河县医疗保障局", DEPARTMENT, TRS, outage="refused",
             columns=_columns(DEPARTMENT, 8)),
    UnitSpec("xyx", "杏园乡", TOWN, TRS, columns=_columns(TOWN, 9, ghjh=dict(EMPTY, empty="bare"))),
    # --- Hanweb JCMS ---------------------------------------------------------
    UnitSpec("nyncj", "清河县农业农村局", DEPARTMENT, HANWEB,
             columns=_columns(DEPARTMENT, 10, zcwj=dict(ages=run(300, 6, (40, 70))))),
    UnitSpec("wjj", "清河县卫生健康局", DEPARTMENT, HANWEB, date_format=CN, guide_synonyms=True,
             columns=_columns(DEPARTMENT, 11, gzdt=dict(ascending=True))),
    UnitSpec("scjgj", "清河县市场监督管理局", DEPARTMENT, HANWEB,
             columns=_columns(DEPARTMENT, 12, ghjh=dict(status=500))),
    UnitSpec("wlj", "清河县文化广电和旅游局", DEPARTMENT, HANWEB, outage="503",
             columns=_columns(DEPARTMENT, 13)),
    UnitSpec("xxz", "新兴镇", TOWN, HANWEB, date_format=SHORT, columns=_columns(TOWN, 14)),
    UnitSpec("dhz", "东湖镇", TOWN, HANWEB, date_format=SHORT,
             columns=_columns(TOWN, 15, xzdt=dict(ages=run(31, 10, (5, 8, 6))))),
    UnitSpec("llz", "柳林镇", TOWN, HANWEB, date_format=CN,
             columns=_columns(TOWN, 16, drop=("rsxx",), ghjh=dict(EMPTY, empty="bare"))),
    # --- disclosure-catalogue platform (集约化) --------------------------------
    UnitSpec("czj", "清河县财政局", DEPARTMENT, CATALOGUE, columns=_columns(DEPARTMENT, 17)),
    UnitSpec("rsj", "清河县人力资源和社会保障局", DEPARTMENT, CATALOGUE, date_format=CN,
             guide_synonyms=True, columns=_columns(DEPARTMENT, 18)),
    UnitSpec("sthjj", "邢台市生态环境局清河县分局", DEPARTMENT, CATALOGUE, annual_report_gap=True,
             columns=_columns(DEPARTMENT, 19)),
    UnitSpec("tjj", "清河县统计局", DEPARTMENT, CATALOGUE,
             columns=_columns(DEPARTMENT, 20, rsxx=dict(EMPTY, empty="placeholder"))),
    UnitSpec("yjglj", "清河县应急管理局", DEPARTMENT, CATALOGUE, date_format=SLASH,
             columns=_columns(DEPARTMENT, 21, drop=("ghjh",))),
    UnitSpec("sqz", "石桥镇", TOWN, CATALOGUE, date_format=CN,
             guide_missing=frozenset({"address", "catalogue_system"}),
             columns=_columns(TOWN, 22)),
    UnitSpec("btz", "白塔镇", TOWN, CATALOGUE, columns=_columns(TOWN, 23)),
    # --- lists only a data call or a browser reads (issue 13) ----------------------------
    UnitSpec("fgj", "清河县发展和改革局", DEPARTMENT, HANWEB,
             columns=_columns(DEPARTMENT, 24, gzdt=dict(loader=JPAGE), tzgg=dict(loader=JPAGE))),
    UnitSpec("slj", "清河县水利局", DEPARTMENT, CATALOGUE, challenge=412,
             columns=_columns(DEPARTMENT, 25, gzdt=dict(loader=SCRIPT, ages=run(33, 10)),
                              tzgg=dict(loader=XHR))),
)


# ---------------------------------------------------------------------------
# The resolved county for one `today`: dated items and URL paths.
# ---------------------------------------------------------------------------

@dataclass(eq=False)
class Item:
    title: str
    date: date
    time: str                          # "09:30", shown on the detail page
    doc_id: int
    path: str                          # root-relative path of the detail page
    href: str                          # the link as written in the column's list
    column: Column = field(repr=False)
    pinned: bool = False
    written: date | None = None        # 成文日期 (catalogue style), before the publication date
    index_no: str | None = None        # 索引号 (catalogue style): …/2026-00012
    report_year: int | None = None     # annual reports: the year reported on


@dataclass
class Guide:
    title: str
    date: date
    time: str
    doc_id: int
    intro: str
    sections: list[tuple[str, list[tuple[str, list[str]]]]]   # 一、… → [(（一）…, paragraphs)]
    missing: frozenset[str]


@dataclass(eq=False)
class Column:
    spec: ColumnSpec
    unit: Unit = field(repr=False)
    no: int                            # position in the unit's navigation, from 1
    href: str                          # the link as written on the disclosure page
    path: str                          # root-relative path that link resolves to
    items: list[Item] = field(default_factory=list)   # in display order
    guide: Guide | None = None
    unread: bool = False               # a crawl without a browser cannot read this list (SCRIPT)

    PAGE_SIZE = 15

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def category(self) -> str:
        return category_of(self.name)

    @property
    def status(self) -> int:
        return self.spec.status

    @property
    def cms_id(self) -> int:
        """Column id as JCMS and the catalogue platform number it (col1234, c1234)."""
        return 1000 + self.unit.no * 20 + self.no

    @property
    def date_format(self) -> str:
        # Short [MM-DD] dates only appear in news and notice lists, whose items
        # are all well under a year old, so the year inference stays unambiguous.
        if self.unit.spec.date_format == SHORT and self.category not in (DYNAMIC, NOTICE):
            return YMD
        return self.unit.spec.date_format

    @property
    def pages(self) -> list[list[Item]]:
        """The list split into pages as the CMS publishes it (index.html, index_1.html…)."""
        size = self.PAGE_SIZE
        return [self.items[i:i + size] for i in range(0, len(self.items), size)] or [[]]

    @property
    def sidebar(self) -> list[Item]:
        """Items shown in a 热点信息 box: newer, but from another column."""
        if not self.spec.sidebar_from:
            return []
        other = self.unit.column(self.spec.sidebar_from)
        return sorted(other.items, key=lambda i: i.date, reverse=True)[:5]

    # --- the facts a correct crawl reports -------------------------------
    @property
    def state(self) -> str:
        if self.status != 200:
            return "error"
        if self.unread:
            return "unverifiable"
        if self.guide is not None:
            return "not_list"
        return "list" if self.items else "empty"

    @property
    def newest_date(self) -> date | None:
        if self.state != "list":
            return None
        return max(i.date for i in self.items)

    @property
    def item_count(self) -> int:
        """Items on the first list page."""
        return len(self.pages[0]) if self.state == "list" else 0

    @property
    def date_source(self) -> str | None:
        if self.state != "list":
            return None
        if self.spec.loader == SCRIPT:
            return "browser"
        return "list" if self.spec.show_dates else "detail"

    @property
    def list_source(self) -> str:
        """How a correct crawl reads the list: as served, through its data call, or in a browser."""
        return LIST_SOURCES[self.spec.loader]


@dataclass(eq=False)
class Unit:
    spec: UnitSpec
    no: int
    columns: list[Column] = field(default_factory=list)
    related_links: list[tuple[str, str]] = field(default_factory=list)  # (text, path) in a 专题专栏 box

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def kind(self) -> str:
        return self.spec.kind

    @property
    def style(self) -> str:
        return self.spec.style

    @property
    def slug(self) -> str:
        return self.spec.slug

    @property
    def prefix(self) -> str:
        return f"/{self.slug}/"

    @property
    def url_path(self) -> str:
        """The disclosure page as sites.yaml names it."""
        return f"/{self.slug}/xxgk/"

    @property
    def disclosure_path(self) -> str:
        return f"/{self.slug}/xxgk/index.html"

    @property
    def sitemap_path(self) -> str:
        return f"/{self.slug}/wzdt/index.html"

    @property
    def site_code(self) -> str:
        return f"{REGION_CODE}{self.no:04d}"

    @property
    def credit_code(self) -> str:
        """统一社会信用代码-like prefix of the catalogue index numbers."""
        return f"11{REGION_CODE}MB{(self.no * 7919) % 10**7:07d}X"

    @property
    def short_name(self) -> str:
        return self.name.removeprefix(COUNTY) if self.kind != TOWN else self.name

    @property
    def reachable(self) -> bool:
        return self.spec.outage is None

    def column(self, slug: str) -> Column:
        return next(c for c in self.columns if c.slug == slug)

    @property
    def traps(self) -> list[str]:
        """The planted traps of this unit, in words (none of them is a problem)."""
        out = []
        if self.spec.encoding == "gbk":
            out.append("GBK bytes declared gb2312" + ("" if self.spec.charset_header
                                                     else ", no charset in Content-Type"))
        for c in self.columns:
            s = c.spec
            if s.pinned_age is not None:
                out.append(f"{c.name}: pinned old item")
            if s.ascending:
                out.append(f"{c.name}: ascending list")
            if s.sidebar_from:
                out.append(f"{c.name}: 热点信息 sidebar with newer items")
            if not s.show_dates:
                out.append(f"{c.name}: no dates in list (detail pages have them)")
            if s.future_title:
                out.append(f"{c.name}: future date in a title")
            if len(c.pages) > 1:
                out.append(f"{c.name}: {len(c.pages)} list pages")
            if s.loader:
                out.append(f"{c.name}: list read {LIST_SOURCES[s.loader]}")
        if self.spec.challenge:
            out.append(f"HTTP {self.spec.challenge} cookie challenge on every page")
        return out


@dataclass
class County:
    today: date
    units: list[Unit]
    routes: dict[str, tuple]           # path → (page kind, unit, target, page number)

    name = COUNTY

    def lookup(self, path: str) -> tuple | None:
        """What a path shows; a directory path shows its index.html."""
        if path.endswith("/"):
            path += "index.html"
        return self.routes.get(path)

    def unit_for_path(self, path: str) -> Unit | None:
        return next((u for u in self.units if path.startswith(u.prefix)), None)

    def unit(self, slug: str) -> Unit:
        return next(u for u in self.units if u.slug == slug)

    def column_by_cms_id(self, cms_id: int) -> Column | None:
        return next((c for u in self.units for c in u.columns if c.cms_id == cms_id), None)


def build_county(today: date) -> County:
    units = [_build_unit(spec, no, today) for no, spec in enumerate(UNITS, start=1)]
    return County(today=today, units=units, routes=_routes(units))


def _build_unit(spec: UnitSpec, no: int, today: date) -> Unit:
    unit = Unit(spec=spec, no=no)
    for col_no, cspec in enumerate(spec.columns, start=1):
        column = Column(spec=cspec, unit=unit, no=col_no, href="", path="")
        column.href, column.path = _column_link(column)
        if cspec.content == "guide":
            column.guide = _guide(unit, column, today)
        else:
            column.items = _items(column, today)
        unit.columns.append(column)
    if spec.dead_link:
        # A 专题专栏 box: one working link, one to a 政策解读 page never published.
        notice = unit.column("tzgg").items[0]
        gone = today - timedelta(days=60)
        unit.related_links = [
            (notice.title, notice.path),
            (f"《{COUNTY}国土空间总体规划（2021—2035年）》政策解读",
             f"/{spec.slug}/xxgk/zcjd/{gone:%Y%m}/t{gone:%Y%m%d}_{3_999_000 + no}.html"),
        ]
    return unit


def _column_link(column: Column) -> tuple[str, str]:
    """(href on the disclosure page, resolved root-relative path) for a column."""
    u = column.unit
    if u.style == TRS:                       # TRS links its channels as relative folders
        return f"./{column.slug}/", f"/{u.slug}/xxgk/{column.slug}/"
    if u.style == HANWEB:
        path = f"/{u.slug}/col/col{column.cms_id}/index.html"
        return path, path
    page = "xxgkzn" if column.spec.content == "guide" else "zwgklist"   # the guide is one article
    path = f"/{u.slug}/xxgk/c{column.cms_id}/{page}.shtml"
    return path, path


def _doc_id(column: Column, i: int) -> int:
    return 3_000_000 + column.unit.no * 10_000 + column.no * 300 + i


def _time(column: Column, i: int) -> str:
    return f"{8 + (i + column.no) % 9:02d}:{(i * 17 + column.no * 7) % 60:02d}"


def _item_link(column: Column, d: date, doc_id: int) -> tuple[str, str]:
    """(href as written in the list, root-relative path) of an item's detail page."""
    u = column.unit
    if u.style == TRS:
        name = f"{d:%Y%m}/t{d:%Y%m%d}_{doc_id}.html"
        return f"./{name}", f"/{u.slug}/xxgk/{column.slug}/{name}"
    if u.style == HANWEB:
        path = f"/{u.slug}/art/{d.year}/{d.month}/{d.day}/art_{column.cms_id}_{doc_id}.html"
        return path, path
    path = f"/{u.slug}/xxgk/c{column.cms_id}/{d:%Y%m}/{doc_id}.shtml"
    return path, path


def _items(column: Column, today: date) -> list[Item]:
    """The column's items in display order, each with its date and links."""
    spec, unit = column.spec, column.unit
    if spec.content == "reports":
        entries = _report_entries(unit, today)
    elif spec.content == "finance":
        entries = _finance_entries(unit, today)
    else:
        titles = _titles(column, today)
        entries = [_Entry(t, today - timedelta(days=a)) for t, a in zip(titles, spec.ages)]
        if spec.pinned_age is not None:
            entries.insert(0, _Entry(f"关于进一步规范{unit.short_name}办事窗口服务的公告",
                                     today - timedelta(days=spec.pinned_age), pinned=True))
    items = []
    for i, entry in enumerate(entries):
        doc_id = _doc_id(column, i)
        href, path = _item_link(column, entry.date, doc_id)
        written = entry.date - timedelta(days=7 + (i * 11 + column.no * 3) % 25)
        catalogue = unit.style == CATALOGUE      # only the catalogue shows 成文日期 and 索引号
        items.append(Item(
            title=entry.title, date=entry.date, time=_time(column, i), doc_id=doc_id,
            path=path, href=href, column=column, pinned=entry.pinned,
            written=written if catalogue else None,
            index_no=f"{unit.credit_code}/{written.year}-{column.no * 40 + i + 1:05d}" if catalogue else None,
            report_year=entry.report_year,
        ))
    if spec.ascending:
        items.reverse()
    return items


class _Entry(NamedTuple):
    """An item before it gets ids and links."""
    title: str
    date: date
    pinned: bool = False
    report_year: int | None = None


def _report_entries(unit: Unit, today: date) -> list[_Entry]:
    """Annual reports published so far, newest first; a unit with a gap lacks the one due last."""
    due = required_report_year(unit.kind, today)
    entries = []
    for year in range(today.year - 1, today.year - 6, -1):
        if unit.spec.annual_report_gap and year >= due:
            continue
        published = (date(year + 1, 3, 20) if unit.kind == GOVERNMENT
                     else date(year + 1, 1, 8 + unit.no % 18))
        if published <= today:
            entries.append(_Entry(f"{unit.name}{year}年政府信息公开工作年度报告", published,
                                  report_year=year))
    return entries


def _finance_entries(unit: Unit, today: date) -> list[_Entry]:
    """Budgets (February) and final accounts (August): a yearly column, old is normal."""
    entries = []
    for year in range(today.year, today.year - 3, -1):
        entries.append(_Entry(f"{unit.name}{year - 1}年部门决算", date(year, 8, 12 + unit.no % 15)))
        entries.append(_Entry(f"{unit.name}{year}年部门预算及“三公”经费预算说明",
                              date(year, 2, 6 + unit.no % 15)))
    return [e for e in entries if e.date <= today]


# Title patterns per column; {u} unit short name, {l0}/{l1} leaders, {m} month, {y} year.
_TITLES: dict[str, tuple[str, ...]] = {
    "news": (
        "{u}召开{m}月份工作例会", "{l0}带队督导检查安全生产工作", "{u}开展“学习强国”主题党日活动",
        "{u}组织开展业务能力提升培训", "{l1}到基层调研重点项目推进情况", "{u}召开党风廉政建设工作会议",
        "{u}扎实开展冬季安全隐患排查整治", "{l0}主持召开专题会议研究重点工作",
        "{u}开展“法律进社区”宣传活动", "{u}召开优化营商环境工作推进会", "{l1}带队走访慰问困难群众",
        "{u}组织收看全县经济工作会议", "{u}开展消防应急疏散演练", "{u}召开意识形态工作专题会议",
        "{l0}参加县委理论学习中心组集体学习", "{u}开展节前廉政提醒谈话",
    ),
    "town": (
        "{u}召开村“两委”干部工作会议", "{l0}调研人居环境整治工作", "{u}开展秋冬季森林防火宣传",
        "{u}组织开展秸秆禁烧巡查", "{l1}走访辖区重点企业", "{u}召开{m}月份安全生产例会",
        "{u}开展防范电信网络诈骗宣传", "{u}推进高标准农田建设", "{l0}带队检查冬季供暖保障",
        "{u}召开乡村振兴重点工作推进会", "{u}组织开展应急演练", "{u}开展退役军人走访慰问",
        "{u}举办农业实用技术培训班", "{l1}督导农村道路养护工作",
    ),
    "tzgg": (
        "关于做好{y}年度安全生产大检查工作的通知", "{u}关于公开招聘公益性岗位人员的公告",
        "关于开展政务服务满意度调查的通知", "关于{y}年第二批拟补助对象的公示",
        "关于征求《{u}工作规则（修订稿）》意见的公告", "关于组织开展业务培训的通知",
        "关于{y}年度工作目标考核结果的公示", "关于做好节假日值班工作的通知",
        "关于开展行风评议工作的通知", "关于调整部分服务事项的公告",
        "关于开展专项整治行动的通知", "关于做好信息报送工作的通知",
    ),
    "policy": (
        "{u}关于印发《{y}年工作要点》的通知", "{u}关于印发《行政执法公示制度》的通知",
        "{u}关于印发《重大行政决策程序规定》的通知", "关于进一步加强内部控制管理的实施意见",
        "{u}关于印发《财务管理办法》的通知", "{u}关于印发《公文处理实施细则》的通知",
        "关于深化“放管服”改革优化营商环境的实施方案", "{u}关于印发《应急预案》的通知",
        "{u}关于印发《档案管理办法》的通知", "关于推进政务公开标准化规范化工作的实施意见",
    ),
    "xxgkzd": ("{u}政府信息公开工作制度", "{u}政府信息公开保密审查制度", "{u}政府信息公开申请办理规程"),
    "jgzn": ("{u}主要职责", "{u}内设机构", "{u}下属单位"),
    "ldxx": ("{l0}（主要负责人）", "{l1}（班子成员）"),
    "ghjh": ("{u}{y}年工作计划", "{u}“十四五”发展规划", "{u}{y}年工作要点"),
    "rsxx": ("关于{l1}等同志拟任职的公示", "{u}{y}年公开招聘工作人员拟聘用人员公示",
             "关于{l0}同志任职的通知", "{u}{y}年度考核优秀等次人员公示"),
}


def _titles(column: Column, today: date) -> list[str]:
    unit, spec = column.unit, column.spec
    if spec.slug in _TITLES:
        pool = _TITLES[spec.slug]
    elif column.category == DYNAMIC:
        pool = _TITLES["town" if unit.kind == TOWN else "news"]
    else:
        pool = _TITLES["policy"]
    titles, seen = [], set()
    for i, age in enumerate(spec.ages):
        d = today - timedelta(days=age)
        pattern = pool[(i + unit.no) % len(pool)]
        title = pattern.format(u=unit.short_name, l0=unit.spec.leaders[0],
                               l1=unit.spec.leaders[1], m=d.month, y=d.year)
        while title in seen:                    # long lists reuse patterns: keep titles distinct
            title += "（续）"
        seen.add(title)
        titles.append(title)
    if spec.future_title and titles:
        # A date inside a title that lies in the future: not the item's date.
        titles[0] = (f"关于{today.year + 1}年3月1日起施行《{COUNTY}城市绿化管理办法》"
                     "有关事项的通知")
    return titles


def _guide(unit: Unit, column: Column, today: date) -> Guide:
    """The guide text, each Art.12 element in its own line, absent ones left out entirely."""
    spec = unit.spec
    syn = spec.guide_synonyms

    def has(element: str) -> bool:
        return element not in spec.guide_missing

    office = f"{unit.name}{'党政综合办公室' if unit.kind == TOWN else '办公室'}"
    phone = f"0319-81{unit.no:02d}{(unit.no * 37) % 1000:03d}"
    fax = f"0319-81{unit.no:02d}{(unit.no * 53 + 1) % 1000:03d}"
    mail = f"qh{unit.slug}xxgk@163.com"

    active: list[tuple[str, list[str]]] = []
    if has("classification"):
        active.append(("信息分类", [
            "本机关主动公开的政府信息分为机构职能、政策文件、规划计划、财政预决算、人事信息、"
            "通知公告、工作动态等类别。"]))
    if has("catalogue_system"):
        active.append(("编排体系", [
            "本机关政府信息公开目录按信息类别编排，每条信息包括索引号、信息名称、发布机构、"
            "成文日期、发布日期等要素，按发布时间由近及远排列。"]))
    if has("access_method"):
        active.append(("获取方式", [
            f"主动公开的政府信息通过{COUNTY}人民政府门户网站政府信息公开专栏发布，同时通过政务服务中心"
            "政府信息查阅点、政府公报等方式公开，公民、法人和其他组织可以免费获取。"]))

    contact: list[str] = []
    if has("agency_name"):
        contact.append(f"{'受理机构' if syn else '政府信息公开工作机构'}：{office}")
    if has("address"):
        road = ("人民路", "长江大街", "油坊路", "和平街")[unit.no % 4]
        contact.append(f"{'通信地址' if syn else '办公地址'}：{COUNTY}{road}{10 + unit.no * 3}号"
                       "（邮政编码：054800）")
    if has("office_hours"):
        hours_word = ("受理时间", "工作时间")[unit.no % 2] if syn else "办公时间"
        contact.append(f"{hours_word}：周一至周五（法定节假日除外）上午8:30—12:00，下午14:30—17:30")
    if has("phone"):
        contact.append(f"{'咨询电话' if syn else '联系电话'}：{phone}")
    if has("fax"):
        contact.append(f"{'传真号码' if syn else '传真'}：{fax}")
    if has("online_contact"):
        contact.append(f"互联网联系方式：电子邮箱 {mail}" if syn else f"电子邮箱：{mail}")

    ways = ["当面提交", "信函邮寄"] + (["传真"] if has("fax") else []) + \
           (["电子邮件"] if has("online_contact") else [])
    on_request = [
        ("申请受理", contact),
        ("申请方式", [
            f"申请人可以通过{'、'.join(ways)}等方式提出政府信息公开申请，申请时应当提供身份证明，"
            "写明所需政府信息的名称、文号或者便于查询的其他特征性描述。"]),
        ("申请的处理", [
            "本机关收到申请，能够当场答复的，当场予以答复；不能当场答复的，自收到申请之日起20个"
            "工作日内予以答复；需要延长答复期限的，经本机关负责人同意并告知申请人，延长的期限最长"
            "不超过20个工作日。"]),
    ]
    pub = today - timedelta(days=300 + unit.no)
    return Guide(
        title=f"{unit.name}{GUIDE_NAME}", date=pub, time="10:00", doc_id=_doc_id(column, 0),
        intro=(f"为了更好地为公民、法人和其他组织依法获取政府信息提供服务，根据《中华人民共和国"
               f"政府信息公开条例》（以下简称《条例》），编制本指南。本指南每年更新一次。"),
        sections=[
            ("一、主动公开", _numbered(active)),
            ("二、依申请公开", _numbered(on_request)),
            ("三、收费标准", [("", [
                "本机关依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过"
                "合理范围的，可以依法收取信息处理费。"])]),
            ("四、监督和救济", [("", [
                f"公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向{COUNTY}"
                "人民政府办公室投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"])]),
        ],
        missing=frozenset(spec.guide_missing),
    )


def _numbered(subsections: list[tuple[str, list[str]]]) -> list[tuple[str, list[str]]]:
    """Number sub-headings （一）（二）… after absent elements were left out."""
    return [(f"（{'一二三四五六'[n]}）{heading}", paragraphs)
            for n, (heading, paragraphs) in enumerate(subsections)]


def report_sections(item: Item) -> list[tuple[str, str]]:
    """An annual report's text in the 2021 format (国办公开办函〔2021〕30号), kept short."""
    unit, year = item.column.unit, item.report_year
    k = unit.no + (year or 0)
    new = 3 + k % 9
    published, partly = new // 2 + 1, k % 2          # the rest is "other": never negative
    return [
        ("一、总体情况", f"{year}年，{unit.name}认真贯彻落实《中华人民共和国政府信息公开条例》，"
                     f"全年主动公开政府信息{120 + k % 80}条，政府信息公开专栏运行平稳。"),
        ("二、主动公开政府信息情况", f"本年制发规范性文件0件，公开行政许可事项{k % 12}项，"
                              f"行政处罚决定{k % 7}件。"),
        ("三、收到和处理政府信息公开申请情况",
         f"本年新收政府信息公开申请{new}件，上年结转0件；予以公开{published}件，部分公开{partly}件，"
         f"其他处理{new - published - partly}件；结转下年度继续办理0件。"),
        ("四、政府信息公开行政复议、行政诉讼情况", "本年度未发生因政府信息公开引起的行政复议、行政诉讼。"),
        ("五、存在的主要问题及改进情况", "部分栏目更新不够及时，信息发布质量有待提高。下一步将健全"
                                  "信息发布审核机制，加强业务培训。"),
        ("六、其他需要报告的事项", "本年度未收取信息处理费。"),
    ]


def _routes(units: list[Unit]) -> dict[str, tuple]:
    """Every path the portal answers, and what it shows there."""
    routes: dict[str, tuple] = {"/index.html": ("home", None, None, 0)}
    for unit in units:
        if unit.spec.outage == "refused":      # served from a port where nothing listens
            continue
        routes[unit.disclosure_path] = ("disclosure", unit, None, 0)
        routes[unit.sitemap_path] = ("sitemap", unit, None, 0)
        for column in unit.columns:
            list_path = column.path + "index.html" if column.path.endswith("/") else column.path
            if column.guide is not None:
                routes[list_path] = ("guide", unit, column, 0)
                continue
            for page_no in range(len(column.pages)):
                path = list_path if page_no == 0 else list_path.replace("index.", f"index_{page_no}.")
                routes[path] = ("list", unit, column, page_no)
            for item in column.items:
                routes[item.path] = ("article", unit, item, 0)
    return routes


# ---------------------------------------------------------------------------
# The correct answer for a crawl of the portal.
# ---------------------------------------------------------------------------

def unit_url(unit: Unit, base_url: str, refused_base_url: str) -> str:
    base = refused_base_url if unit.spec.outage == "refused" else base_url
    return base.rstrip("/") + unit.url_path


def sites_entries(county: County, base_url: str, refused_base_url: str) -> list[dict]:
    return [{"name": u.name, "kind": u.kind, "url": unit_url(u, base_url, refused_base_url)}
            for u in county.units]


def _seen(county: County, browser: bool) -> County:
    """The county as a crawl without a browser sees it: challenged units blocked, script lists unread."""
    if browser:
        return county
    for unit in county.units:
        for c in unit.columns:
            if c.spec.loader == SCRIPT:
                c.unread = True
    return county


def expected(today: date, base_url: str, refused_base_url: str = "http://127.0.0.1:9",
             browser: bool = True) -> dict:
    """What a correct crawl of the portal at `base_url` on `today` observes and concludes.

    `browser`: whether the crawl has one (crawl.browser and Chromium); without it, the
    challenged unit is blocked and lists only a browser reads are unverifiable.
    Returns {"today", "county", "base_url", "facts": [unit…], "findings": {(unit, rule, column, element)}}.
    """
    county = _seen(build_county(today), browser)
    base = base_url.rstrip("/")
    facts = []
    for unit in county.units:
        blocked = bool(unit.spec.challenge) and not browser
        facts.append({
            "name": unit.name, "kind": unit.kind, "style": unit.style,
            "url": unit_url(unit, base, refused_base_url),
            "reachable": unit.reachable, "blocked": blocked,
            "columns": [] if not unit.reachable or blocked else [{
                "name": c.name, "url": base + c.path, "category": c.category,
                "state": c.state, "status": c.status, "newest_date": c.newest_date,
                "item_count": c.item_count, "date_source": c.date_source,
                "list_source": c.list_source if c.state in ("list", "empty") else None,
            } for c in unit.columns],
        })
    return {"today": today, "county": COUNTY, "base_url": base, "facts": facts,
            "findings": findings(county, base, browser)}


def findings(county: County, base_url: str, browser: bool = True) -> set[tuple[str, str, str | None, str | None]]:
    """Problems a correct rule set finds, as (unit, rule, column or dead URL, guide element)."""
    today, out = county.today, set()
    for unit in county.units:
        if not unit.reachable:
            out.add((unit.name, "site_unreachable", None, None))
            continue
        if unit.spec.challenge and not browser:
            out.add((unit.name, "site_blocked", None, None))
            continue
        for c in unit.columns:
            if c.state == "unverifiable":
                out.add((unit.name, "column_unverifiable", c.name, None))
            elif c.state == "error":
                out.add((unit.name, "column_unreachable", c.name, None))
            elif c.state == "empty":
                out.add((unit.name, "column_empty", c.name, None))
            elif c.guide is not None:
                for element in sorted(c.guide.missing):
                    out.add((unit.name, "guide_missing_element", None, element))
            elif stale_after(c.name) is not None and (today - c.newest_date).days > stale_after(c.name):
                out.add((unit.name, "column_stale", c.name, None))
        for _text, path in unit.related_links:
            if county.lookup(path) is None:          # the same routing table the server answers from
                out.add((unit.name, "dead_link", base_url + path, None))
        reports = next((c for c in unit.columns if c.spec.content == "reports"), None)
        due = required_report_year(unit.kind, today)
        if reports is not None and due not in {i.report_year for i in reports.items}:
            out.add((unit.name, "annual_report_missing", None, None))
    return out


def finding_key(unit: str, finding: dict) -> tuple[str, str, str | None, str | None]:
    """An export finding in the shape of `findings()`, so the two can be compared as sets."""
    rule = finding["rule"]
    column = finding["url"] if rule == "dead_link" else finding.get("column")
    if rule in ("annual_report_missing", "guide_missing_element", "site_unreachable", "site_blocked"):
        column = None
    return (unit, rule, column, finding.get("element"))


def compare(export: dict, planted: set) -> tuple[set, set]:
    """(missed, false) findings of an export against what the portal planted."""
    found = {finding_key(u["name"], f) for u in export["units"] for f in u["findings"]
             if f.get("state") != "rectified"}
    return planted - found, found - planted
