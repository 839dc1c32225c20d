"""The simulated county's model and pages agree with what expected() promises.

These tests render pages in-process (no sockets); tests/demo/test_demo_server.py
covers the HTTP side.
"""
from __future__ import annotations

import re
from collections import Counter
from datetime import date
from urllib.parse import urljoin, urlsplit

import pytest

from demo import county as cm
from demo.pages import Site

TODAY = date(2026, 11, 27)
BASE = "http://127.0.0.1:8000"
# Dates the margins are checked on: a normal day, January (last year's reports not yet due),
# a leap-year spring day.
TODAYS = [TODAY, date(2027, 1, 15), date(2028, 3, 1)]


class PassedSite(Site):
    """The portal as a visitor sees it once the challenged unit's cookie is set (a browser passed it)."""

    def respond(self, path: str, query: str = "", form: bytes = b"", cookie: str = "=".join(cm.CHALLENGE_COOKIE)):
        return super().respond(path, query, form, cookie)


@pytest.fixture(scope="module")
def site() -> Site:
    return PassedSite(TODAY)


@pytest.fixture(scope="module")
def exp() -> dict:
    return cm.expected(TODAY, BASE, "http://127.0.0.1:9")


def text(response) -> str:
    """Page text: the GBK units declare gb2312 in a meta, everything else is UTF-8."""
    gbk = b'<meta charset="gb2312">' in response.body[:300]
    return response.body.decode("gb18030" if gbk else "utf-8")


def facts_of(exp: dict, unit_name: str) -> dict:
    return next(u for u in exp["facts"] if u["name"] == unit_name)


def column_fact(exp: dict, unit_name: str, column_name: str) -> dict:
    return next(c for c in facts_of(exp, unit_name)["columns"] if c["name"] == column_name)


# --- shape of the county --------------------------------------------------------

def test_county_size_styles_and_kinds(exp):
    units = exp["facts"]
    assert len(units) >= 20
    reachable_styles = Counter(u["style"] for u in units if u["reachable"])
    assert set(reachable_styles) == {cm.TRS, cm.HANWEB, cm.CATALOGUE}
    assert all(n >= 5 for n in reachable_styles.values()), reachable_styles
    kinds = Counter(u["kind"] for u in units)
    assert kinds[cm.GOVERNMENT] == 1 and kinds[cm.DEPARTMENT] >= 5 and kinds[cm.TOWN] >= 5
    assert len({u["name"] for u in units}) == len(units)
    date_formats = {u.spec.date_format for u in cm.build_county(TODAY).units}
    assert date_formats == {cm.YMD, cm.CN, cm.SLASH, cm.SHORT}


def test_every_planted_problem_is_expected(exp):
    f = exp["findings"]
    rules = Counter(rule for _, rule, _, _ in f)
    assert set(rules) == {"site_unreachable", "column_stale", "column_empty", "column_unreachable",
                          "dead_link", "guide_missing_element", "annual_report_missing"}
    assert {
        ("清河县医疗保障局", "site_unreachable", None, None),
        ("清河县文化广电和旅游局", "site_unreachable", None, None),
        ("清河县民政局", "column_stale", "工作动态", None),
        ("东湖镇", "column_stale", "乡镇动态", None),
        ("清河县住房和城乡建设局", "column_stale", "通知公告", None),
        ("清河县农业农村局", "column_stale", "政策文件", None),
        ("清河县统计局", "column_empty", "人事信息", None),
        ("杏园乡", "column_empty", "规划计划", None),
        ("柳林镇", "column_empty", "规划计划", None),
        ("清河县市场监督管理局", "column_unreachable", "规划计划", None),
        ("清河县交通运输局", "guide_missing_element", None, "fax"),
        ("清河县交通运输局", "guide_missing_element", None, "office_hours"),
        ("石桥镇", "guide_missing_element", None, "address"),
        ("石桥镇", "guide_missing_element", None, "catalogue_system"),
        ("邢台市生态环境局清河县分局", "annual_report_missing", None, None),
    } <= f
    dead = [x for x in f if x[1] == "dead_link"]
    assert len(dead) == 1 and dead[0][0] == "清河县自然资源局"
    assert dead[0][2].startswith(BASE + "/zrzyj/")
    assert all(e in cm.GUIDE_ELEMENTS for _, r, _, e in f if r == "guide_missing_element")
    # Several units have nothing wrong at all.
    clean = {u["name"] for u in exp["facts"]} - {x[0] for x in f}
    assert len(clean) >= 5


def test_traps_are_not_problems(exp):
    f = exp["findings"]
    for unit, column in [("清河县公安局", "通知公告"),        # pinned old item
                         ("清河县卫生健康局", "工作动态"),     # ascending list
                         ("清河县人民政府", "政策文件"),       # future date in a title
                         ("清河县住房和城乡建设局", "工作动态")]:  # undated list
        assert not [x for x in f if x[0] == unit and x[2] == column]
    static = [(u["name"], c) for u in exp["facts"] for c in u["columns"]
              if c["category"] == cm.OTHER and c["state"] == "list"]
    # 机构职能, 财政预决算 … hold items years old, and that is never a problem.
    assert any(c["name"] == "机构职能" and (TODAY - c["newest_date"]).days > 700 for _, c in static)
    assert any(c["name"] == "财政预决算" and (TODAY - c["newest_date"]).days > 60 for _, c in static)
    for unit, c in static:
        assert not [x for x in f if x[0] == unit and x[2] == c["name"]]
    undated = column_fact(exp, "清河县住房和城乡建设局", "工作动态")
    assert undated["date_source"] == "detail" and undated["newest_date"] >= TODAY.replace(day=20)


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_thresholds_have_wide_margins(today):
    """Fresh and stale sit far from the thresholds, so rule sets a few days apart agree."""
    county = cm.build_county(today)
    for unit in county.units:
        newest_any = []
        for c in unit.columns:
            if c.state != "list":
                continue
            age = (today - c.newest_date).days
            newest_any.append(age)
            if c.category == cm.DYNAMIC:
                assert age <= 5 or age >= 25, (unit.name, c.name, age)
            elif c.category == cm.NOTICE:
                assert age <= 60 or age >= 220, (unit.name, c.name, age)
            assert all(i.date <= today for i in c.items)
            if c.date_format == cm.SHORT:        # [MM-DD]: the year must be inferable
                assert all((today - i.date).days < 330 for i in c.items), (unit.name, c.name)
        if unit.reachable:
            # Every reachable unit has something new, so no homepage_stale is planted.
            assert min(newest_any) <= 5, unit.name


@pytest.mark.parametrize("today", TODAYS, ids=str)
def test_annual_report_gap_follows_the_deadline(today):
    county = cm.build_county(today)
    missing = {x[0] for x in cm.findings(county, BASE) if x[1] == "annual_report_missing"}
    assert missing == {u.name for u in county.units if u.spec.annual_report_gap}
    gov = next(u for u in county.units if u.kind == cm.GOVERNMENT)
    assert cm.report_deadline(gov.kind, 2025) == date(2026, 3, 31)
    assert cm.report_deadline(cm.DEPARTMENT, 2025) == date(2026, 1, 31)


def test_required_report_year():
    assert cm.required_report_year(cm.DEPARTMENT, TODAY) == 2025
    assert cm.required_report_year(cm.DEPARTMENT, date(2027, 1, 31)) == 2025
    assert cm.required_report_year(cm.DEPARTMENT, date(2027, 2, 1)) == 2026
    assert cm.required_report_year(cm.GOVERNMENT, date(2027, 3, 1)) == 2025


def test_only_trs_columns_have_several_pages():
    county = cm.build_county(TODAY)
    paged = [(u.style, c.name) for u in county.units for c in u.columns if len(c.pages) > 1]
    assert paged and all(style == cm.TRS for style, _ in paged)


def test_facts_shape(exp):
    assert exp["today"] == TODAY and exp["county"] == "清河县"
    for u in exp["facts"]:
        assert set(u) >= {"name", "kind", "url", "reachable", "columns"}
        assert u["url"].endswith("/xxgk/")
        if not u["reachable"]:
            assert u["columns"] == []
        for c in u["columns"]:
            assert set(c) >= {"name", "url", "newest_date", "item_count", "state"}
            assert c["state"] in {"list", "empty", "not_list", "error"}
            assert (c["newest_date"] is None) == (c["state"] != "list")
            assert c["url"].startswith(BASE + "/")
    unreachable = {u["name"]: u["url"] for u in exp["facts"] if not u["reachable"]}
    assert unreachable["清河县医疗保障局"].startswith("http://127.0.0.1:9/")
    assert unreachable["清河县文化广电和旅游局"].startswith(BASE)


# --- pages agree with the facts ---------------------------------------------------

def hrefs(html: str) -> list[str]:
    """<a href> targets outside scripts, without javascript:/mailto:/# links."""
    html = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
    return [h for h in re.findall(r'<a\s[^>]*?href="([^"]*)"', html)
            if not h.startswith(("javascript:", "mailto:", "#"))]


def test_links_resolve_except_the_planted_ones(site, exp):
    """Every <a href> answers 200, except the dead link and the 500/503 ones.

    All pages but articles are checked; articles share one layout, so the first
    item of each column stands for the rest (keeps the test fast)."""
    county = site.county
    dead = {x[2].removeprefix(BASE) for x in exp["findings"] if x[1] == "dead_link"}
    broken = {c.path for u in county.units for c in u.columns if c.status != 200}
    outage = [u.prefix for u in county.units if u.spec.outage == "503"]
    assert all(site.status(p) == site.respond(p).status for p in list(county.routes)[::50])
    seen_dead, status_of = set(), {}
    for path, (kind, unit, obj, _n) in county.routes.items():
        if kind == "home" or unit.spec.outage or (kind == "article" and obj is not obj.column.items[0]):
            continue
        for href in hrefs(text(site.respond(path))):
            target = urlsplit(urljoin(path, href))
            assert not target.netloc, (path, href)           # bodies hold no host
            if target.path not in status_of:
                status_of[target.path] = site.status(target.path)
            status = status_of[target.path]
            if target.path in dead:
                assert status == 404 and kind == "disclosure"
                seen_dead.add(target.path)
            elif target.path in broken:
                assert status == 500
            elif any(target.path.startswith(p) for p in outage):
                assert status == 503
            else:
                assert status == 200, (path, href, status)
    assert seen_dead == dead


def test_disclosure_nav_lists_exactly_the_fact_columns(site, exp):
    for u in exp["facts"]:
        if not u["reachable"]:
            continue
        path = urlsplit(u["url"]).path
        linked = {urljoin(u["url"], h) for h in hrefs(text(site.respond(path)))}
        assert {c["url"] for c in u["columns"]} <= linked, u["name"]


def _first_page(site, fact) -> str:
    return text(site.respond(urlsplit(fact["url"]).path))


def test_list_pages_show_the_fact_item_counts_and_dates(site, exp):
    county = site.county
    for unit in county.units:
        if not unit.reachable:
            continue
        for col in unit.columns:
            if col.state not in ("list", "empty") or col.spec.loader:
                continue   # (a loader's list is not in the page: test_loader_columns_ship_no_list)
            html = _first_page(site, {"url": BASE + col.path})
            if unit.style == cm.HANWEB:
                count = html.count("<record>")
            elif unit.style == cm.CATALOGUE:
                count = len(re.findall(r"<tr><td>[0-9A-Z]{18}/\d{4}-\d{5}</td>", html))
            else:
                main = html.split('<ul class="list_ul">', 1)[1].split("</ul>", 1)[0]
                count = main.count("<li>")
            assert count == col.item_count, (unit.name, col.name)
            if col.state == "list" and col.spec.show_dates:
                assert cm.format_date(col.newest_date, col.date_format) in html


def test_hanweb_list_is_only_inside_the_script(site):
    for unit in site.county.units:
        if unit.style != cm.HANWEB or not unit.reachable:
            continue
        for col in unit.columns:
            if col.state != "list" or col.spec.loader:
                continue
            html = _first_page(site, {"url": BASE + col.path})
            outside = re.sub(r"<script\b.*?</script>", "", html, flags=re.S)
            assert "<li" not in outside
            assert '<script type="text/xml"><datastore>' in html and "<recordset>" in html


def test_catalogue_table_has_two_dates_and_index_numbers(site):
    col = site.county.unit("rsj").column("gzdt")
    html = _first_page(site, {"url": BASE + col.path})
    assert "<th width=\"24%\">索引号</th><th>名称</th><th width=\"13%\">成文日期</th><th width=\"13%\">发布日期</th>" in html
    first = col.items[0]
    assert first.written < first.date
    assert re.search(r"/20\d\d-\d{5}</td>", html)
    row = html.split(first.index_no, 1)[1].split("</tr>", 1)[0]
    assert row.index(cm.format_date(first.written, cm.CN)) < row.index(cm.format_date(first.date, cm.CN))


def test_trs_traps_render(site):
    county = site.county
    gaj = county.unit("gaj").column("tzgg")
    html = _first_page(site, {"url": BASE + gaj.path})
    assert html.index("[置顶]") < html.index(cm.format_date(gaj.newest_date, cm.SLASH))
    assert gaj.items[0].pinned and gaj.items[0].date < gaj.newest_date

    mzj = county.unit("mzj").column("gzdt")
    html = _first_page(site, {"url": BASE + mzj.path})
    sidebar = html.split("热点信息", 1)[1]
    assert max(i.date for i in mzj.sidebar) > mzj.newest_date
    assert cm.format_date(mzj.sidebar[0].date, cm.YMD) in sidebar

    zwyw = county.unit("xzf").column("zwyw")
    assert 'createPageHTML(2, 0, "index", "html")' in _first_page(site, {"url": BASE + zwyw.path})
    assert 'createPageHTML(2, 1, "index", "html")' in site.respond(zwyw.path + "index_1.html").body.decode()

    policy = county.unit("xzf").column("zcwj")
    assert f"关于{TODAY.year + 1}年3月1日起施行" in policy.items[0].title


def test_undated_list_has_dates_on_detail_pages(site):
    col = site.county.unit("zjj").column("gzdt")
    html = _first_page(site, {"url": BASE + col.path})
    main = html.split('<ul class="list_ul">', 1)[1].split("</ul>", 1)[0]
    assert not re.search(r"\d{4}-\d{2}-\d{2}|\d{4}/\d", main)
    newest = col.items[0]
    assert newest.date == col.newest_date
    detail = site.respond(newest.path).body.decode()
    assert f"发布时间：{newest.date.isoformat()}" in detail
    assert f'<meta name="PubDate" content="{newest.date.isoformat()} {newest.time}">' in detail
    assert re.fullmatch(r"\d\d:\d\d", newest.time)


def test_every_page_has_the_header_and_footer_traps(site):
    for path in ["/jyj/xxgk/", "/nyncj/xxgk/index.html", "/czj/xxgk/index.html"]:
        html = text(site.respond(path))
        assert "今天是2026年11月27日 星期五" in html
        assert "最后更新：2026-11-27 09:00" in html and "2019-2026" in html
        assert '<meta name="SiteIDCode" content="130534' in html
        for link in ("首页", "网站地图", "无障碍"):
            assert f">{link}</a>" in html


def test_guides_hold_exactly_their_elements(site):
    for unit in site.county.units:
        if not unit.reachable:
            continue
        guide = unit.column("xxgkzn")
        plain = re.sub(r"<[^>]+>", "", text(site.respond(guide.path)))
        for element, words in cm.GUIDE_ELEMENT_WORDS.items():
            if element in guide.guide.missing:
                assert not any(w in plain for w in words), (unit.name, element)
            else:
                assert any(w in plain for w in words), (unit.name, element)


def test_annual_reports_have_the_2021_sections(site):
    reports = site.county.unit("czj").column("xxgknb")
    assert [i.report_year for i in reports.items] == [2025, 2024, 2023, 2022, 2021]
    html = site.respond(reports.items[0].path).body.decode()
    assert "清河县财政局2025年政府信息公开工作年度报告" in html
    positions = [html.index(h) for h in ("一、总体情况", "二、主动公开政府信息情况",
                                         "三、收到和处理政府信息公开申请情况",
                                         "四、政府信息公开行政复议、行政诉讼情况",
                                         "五、存在的主要问题及改进情况", "六、其他需要报告的事项")]
    assert positions == sorted(positions)
    gap = site.county.unit("sthjj").column("xxgknb")
    assert 2025 not in [i.report_year for i in gap.items] and 2024 in [i.report_year for i in gap.items]


def test_empty_columns_render_their_way(site):
    county = site.county
    assert "暂无信息" in _first_page(site, {"url": BASE + county.unit("tjj").column("rsxx").path})
    bare = _first_page(site, {"url": BASE + county.unit("xyx").column("ghjh").path})
    assert re.search(r'<ul class="list_ul">\s*</ul>', bare)
    hanweb = _first_page(site, {"url": BASE + county.unit("llz").column("ghjh").path})
    assert re.search(r"<recordset>\s*</recordset>", hanweb)


def test_same_today_same_bytes():
    a, b = Site(TODAY), Site(TODAY)
    paths = list(a.county.routes)[::37]
    assert [a.respond(p).body for p in paths] == [b.respond(p).body for p in paths]
    later = Site(date(2026, 12, 4))
    assert later.respond("/jyj/xxgk/").body != a.respond("/jyj/xxgk/").body


def test_hanweb_dataproxy_pages_records(site):
    col = site.county.unit("xxz").column("xzdt")
    r = site.respond("/module/web/jpage/dataproxy.jsp", "startrecord=1&endrecord=5&perpage=15",
                     f"col=1&webid=14&columnid={col.cms_id}".encode())
    assert r.status == 200 and r.content_type.startswith("text/xml")
    body = r.body.decode()
    assert body.count("<record>") == 5 and f"<totalrecord>{len(col.items)}</totalrecord>" in body
    assert site.respond("/module/web/jpage/dataproxy.jsp", "columnid=1").status == 404



def test_loader_columns_ship_no_list_and_say_how_it_is_read(site, exp):
    """A loader column's page holds no item (its list comes by data call or in a browser);
    each loader kind is planted, and expected() names the list_source a correct crawl records."""
    loaders = {}
    for unit in site.county.units:
        for col in unit.columns:
            if not col.spec.loader:
                continue
            loaders[col.spec.loader] = col
            html = _first_page(site, {"url": BASE + col.path})
            assert not any(i.title in html for i in col.items), (unit.name, col.name)
            fact = column_fact(exp, unit.name, col.name)
            assert fact["list_source"] == cm.LIST_SOURCES[col.spec.loader]
            assert fact["date_source"] == ("browser" if col.spec.loader == cm.SCRIPT else "list")
    assert set(loaders) == {cm.JPAGE, cm.XHR, cm.SCRIPT}
    # The jpage column's records come from the proxy in full.
    jpage = loaders[cm.JPAGE]
    proxy = text(site.respond("/module/web/jpage/dataproxy.jsp", "startrecord=1&endrecord=45",
                              f"columnid={jpage.cms_id}".encode()))
    assert proxy.count("<record>") == len(jpage.items)


def test_without_a_browser_the_challenged_unit_is_blocked_and_script_lists_unverifiable():
    exp = cm.expected(TODAY, BASE, "http://127.0.0.1:9", browser=False)
    slj = next(u for u in exp["facts"] if u["name"] == "清河县水利局")
    assert slj["blocked"] and slj["columns"] == []
    assert ("清河县水利局", "site_blocked", None, None) in exp["findings"]
    with_browser = cm.expected(TODAY, BASE, "http://127.0.0.1:9")
    # What only the browser sees: the script-filled 工作动态 is stale (a planted problem).
    assert ("清河县水利局", "column_stale", "工作动态", None) in with_browser["findings"]
