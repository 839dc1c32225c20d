"""The default rule set applied to plain facts: each rule at its threshold."""
from datetime import date, timedelta

import pytest

from rules import judge_unit, load_ruleset
from rules.facts import ColumnFacts, LinkFacts, UnitFacts

AS_OF = date(2026, 11, 27)
RULES = load_ruleset("national-2019")
FULL_GUIDE = ("本机关政府信息分类、编排体系、获取方式。工作机构：县教育局办公室；办公地址：人民路1号；"
              "办公时间：周一至周五；联系电话：0311-1234567；传真：0311-7654321；电子邮箱：jyj@example.gov.cn")


def unit(*columns, links=(), guide=FULL_GUIDE, kind="department", reachable=True, **kw):
    reports = ColumnFacts(name="政府信息公开年报", url="http://x/nb/", state="list", item_count=1,
                          newest_date=date(2026, 1, 20),
                          report_years=frozenset({2025}))
    return UnitFacts(name="清河县教育局", kind=kind, url="http://x/", crawled_at="2026-11-27T01:00:00+00:00",
                     reachable=reachable, columns=tuple(columns) + (reports,), links=tuple(links),
                     guide_text=guide, guide_url=kw.pop("guide_url", "http://x/zn/" if guide is not None else None), **kw)


def col(name, age_days=None, state="list", items=5):
    newest = AS_OF - timedelta(days=age_days) if age_days is not None else None
    return ColumnFacts(name=name, url=f"http://x/{name}/", state=state, newest_date=newest,
                       item_count=items if state == "list" else 0)


def rules_of(u, as_of=AS_OF):
    return sorted((f.rule, f.column, f.element) for f in judge_unit(u, RULES, as_of))


@pytest.mark.parametrize("name, age, stale", [
    ("工作动态", 13, False), ("工作动态", 14, False), ("工作动态", 15, True),
    ("乡镇动态", 30, True), ("部门动态", 2, False), ("要闻", 15, True),
    ("通知公告", 182, False), ("通知公告", 183, False), ("通知公告", 184, True),
    ("政策文件", 300, True), ("规范性文件", 100, False),
    ("机构职能", 900, False), ("财政预决算", 400, False), ("领导信息", 1000, False),
], ids=lambda v: str(v))
def test_column_stale_threshold_by_category(name, age, stale):
    found = rules_of(unit(col(name, age)))
    assert (("column_stale", name, None) in found) is stale


def test_undated_items_count_as_not_updated():
    found = judge_unit(unit(col("工作动态", None, items=8)), RULES, AS_OF)
    stale = [f for f in found if f.rule == "column_stale"]
    assert len(stale) == 1 and "未注明发布日期" in stale[0].message


def test_stale_message_says_age_and_newest_date():
    (f,) = [f for f in judge_unit(unit(col("工作动态", 30)), RULES, AS_OF) if f.rule == "column_stale"]
    assert "30天" in f.message and "2026-10-28" in f.message
    assert f.newest_date == date(2026, 10, 28)


def test_empty_unreachable_and_unverifiable_columns():
    found = rules_of(unit(col("人事信息", state="empty"), col("通知公告", state="unreachable"),
                          col("政策解读", state="unverifiable")))
    assert ("column_empty", "人事信息", None) in found
    assert ("column_unreachable", "通知公告", None) in found
    assert ("column_unverifiable", "政策解读", None) in found
    # An empty or unreadable column is not also called stale.
    assert not any(r == "column_stale" for r, _, _ in found)


def test_unreachable_site_is_one_finding_and_nothing_else():
    found = rules_of(unit(col("工作动态", 100), reachable=False, error="连接被拒绝"))
    assert found == [("site_unreachable", None, None)]


def test_dead_links():
    links = [LinkFacts("http://x/a", "政策解读", 404), LinkFacts("http://x/b", "办事指南", 200),
             LinkFacts("http://x/c", "互动", None, "连接超时")]
    found = [f for f in judge_unit(unit(links=links), RULES, AS_OF) if f.rule == "dead_link"]
    assert sorted(f.url for f in found) == ["http://x/a", "http://x/c"]


@pytest.mark.parametrize("missing, synonym_text", [
    ("fax", FULL_GUIDE.replace("传真：0311-7654321；", "")),
    ("office_hours", FULL_GUIDE.replace("办公时间", "上班")),
    ("online_contact", FULL_GUIDE.replace("电子邮箱：jyj@example.gov.cn", "")),
    ("address", FULL_GUIDE.replace("办公地址：人民路1号；", "")),
])
def test_guide_missing_element(missing, synonym_text):
    found = rules_of(unit(guide=synonym_text))
    assert [e for r, _, e in found if r == "guide_missing_element"] == [missing]


def test_guide_synonyms_real_guides_use():
    guide = ("信息分类与编排体系；获取方式；受理机构：县政府办公室；通信地址：金井湾7号楼；受理时间：工作日；"
             "咨询电话：0591-23165385；传真：0591-23165386；电子邮箱：pzxxgkb＠163.com")
    assert not [f for f in rules_of(unit(guide=guide)) if f[0].startswith("guide")]


def test_no_guide_found():
    assert ("guide_missing", None, None) in rules_of(unit(guide=None))


@pytest.mark.parametrize("kind, as_of, years, missing", [
    ("department", date(2026, 1, 31), {2024}, False),       # deadline day: 2024 report needed only
    ("department", date(2026, 2, 1), {2024}, True),         # a day late for 2025
    ("department", date(2026, 2, 1), {2024, 2025}, False),
    ("government", date(2026, 3, 31), {2024}, False),
    ("government", date(2026, 4, 1), {2024}, True),
    ("town", date(2026, 11, 27), {2025}, False),
], ids=["dept-on-deadline", "dept-day-late", "dept-published", "gov-on-deadline", "gov-day-late", "town-published"])
def test_annual_report_deadline_by_kind(kind, as_of, years, missing):
    reports = ColumnFacts(name="政府信息公开年报", url="http://x/nb/", state="list", report_years=frozenset(years))
    u = UnitFacts(name="u", kind=kind, url="http://x/", crawled_at=None, reachable=True,
                  columns=(reports,), guide_text=FULL_GUIDE)
    assert any(f.rule == "annual_report_missing" for f in judge_unit(u, RULES, as_of)) is missing


def test_fresh_complete_unit_has_no_findings():
    assert rules_of(unit(col("工作动态", 3), col("通知公告", 40), col("机构职能", 800))) == []


# ---- nothing is said about what was not read (rules/facts.py was_read) ------------------------

@pytest.mark.parametrize("state, rules", [
    ("unreachable", ["site_unreachable"]), ("blocked", ["site_blocked"]),
    ("unverifiable", ["site_unverifiable"]), ("not_checked", ["site_unverifiable"]),
])
def test_a_page_not_read_gets_only_its_state(state, rules):
    # Columns from an older crawl of the same unit must not be judged either.
    u = unit(col("工作动态", 400), col("通知公告", state="empty"), guide=None, state=state)
    assert [r for r, _, _ in rules_of(u)] == rules


def test_homepage_is_not_stale_while_a_column_that_may_hold_the_news_was_not_read():
    old = col("通知公告", 300)
    for unread in (col("工作动态", state="unverifiable"), col("工作动态", state="unreachable")):
        assert "homepage_stale" not in [r for r, _, _ in rules_of(unit(old, unread))]
    # A column that is gone (404) hides nothing: the read ones decide.
    gone = ColumnFacts(name="工作动态", url="http://x/gzdt/", state="unreachable", http_status=404)
    assert "homepage_stale" in [r for r, _, _ in rules_of(unit(old, gone))]
    # …and so does a walk the crawl's deadline cut short: no claim.
    assert "homepage_stale" not in [r for r, _, _ in rules_of(unit(old, complete=False))]


def test_a_guide_found_but_not_read_is_not_missing():
    assert not {"guide_missing", "guide_missing_element"} & {r for r, _, _ in rules_of(unit(guide=None, guide_url="http://x/zn/"))}
    unread_column = col("政府信息公开指南", state="unverifiable")
    assert "guide_missing" not in [r for r, _, _ in rules_of(unit(unread_column, guide=None))]


def test_an_unread_report_column_is_not_a_missing_report():
    u = UnitFacts(name="乙局", kind="department", url="http://x/", crawled_at="2026-11-27T01:00:00+00:00",
                  reachable=True, guide_text=FULL_GUIDE, guide_url="http://x/zn/",
                  columns=(col("工作动态", 2), col("政府信息公开年报", state="unverifiable")))
    assert "annual_report_missing" not in [r for r, _, _ in rules_of(u)]
