"""Judging an as-of date from the store: a pure function of the crawls and the waivers known then."""
import json
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from rules.ledger import RECURRED
from timeline import crawl, fresh, judged, unit

SHANGHAI = ZoneInfo("Asia/Shanghai")
W1, W2, W3, W4 = date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27), date(2026, 12, 4)


def export(store, day, **settings):
    return judged(store, day, **settings).export(day - timedelta(days=6))


def findings(data, unit_name="教育局", rule="column_stale"):
    (u,) = [u for u in data["units"] if u["name"] == unit_name]
    return [f for f in u["findings"] if f["rule"] == rule]


def test_new_then_open_then_rectified_across_three_crawls(store):
    crawl(store, W1, {"教育局": unit({"工作动态": "2026-10-01"}), "新兴镇": fresh(W1)})
    assert [f["state"] for f in findings(export(store, W1))] == ["new"]
    crawl(store, W2, {"教育局": unit({"工作动态": "2026-10-01"}), "新兴镇": fresh(W2)})
    (f,) = findings(export(store, W2))
    assert (f["state"], f["first_seen"], f["deadline"], f["age_days"], f["overdue"]) == \
           ("open", "2026-11-13", "2026-11-27", 7, False)
    assert f["label"] == "栏目更新不及时"
    crawl(store, W3, {"教育局": unit({"工作动态": "2026-11-25"}), "新兴镇": fresh(W3)})
    (f,) = findings(export(store, W3))
    assert (f["state"], f["rectified_at"]) == ("rectified", "2026-11-27")


def timeline(store):
    """Four weeks: a fix, a new fault, a site that moves, a problem that comes back, an outage week."""
    weeks = [
        (W1, {"教育局": unit({"工作动态": "2026-10-01", "通知公告": "2026-11-10"}),
              "新兴镇": unit({"乡镇动态": "2026-11-12", "人事信息": "empty"})}),
        (W2, {"教育局": unit({"工作动态": "2026-10-01", "通知公告": "2026-10-01"}, base="https://new.gov.cn:8443/jyj"),
              "新兴镇": unit({"乡镇动态": "2026-11-19", "人事信息": "2026-11-18"})}),
        (W3, {"教育局": unit({"工作动态": "2026-11-26", "通知公告": "2026-10-01"}, base="https://new.gov.cn:8443/jyj"),
              "新兴镇": unit(reachable=False)}),
        (W4, {"教育局": unit({"工作动态": "2026-10-01", "通知公告": "2026-12-01"}, base="https://new.gov.cn:8443/jyj"),
              "新兴镇": unit({"乡镇动态": "2026-12-03", "人事信息": "empty"})}),
    ]
    return weeks


def as_json(data):
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def test_any_date_says_the_same_whenever_and_in_whatever_order_it_is_asked(store, tmp_path):
    days = [W1, W2, W2 + timedelta(days=3), W3, W4]
    then = {}
    for day, units in timeline(store):
        crawl(store, day, units)
        then[day] = as_json(export(store, day))       # the export the office sent that week
    order = days * 2
    random.Random(7).shuffle(order)
    for day in order:                                 # asked again after every later crawl, in any order
        again = as_json(export(store, day))
        if day in then:
            assert again == then[day], day
        then.setdefault(day, again)
    assert then[W2 + timedelta(days=3)] != then[W2]   # a mid-week date has its own period


def test_nothing_dated_after_the_as_of_date_appears(store):
    for day, units in timeline(store):
        crawl(store, day, units)
    for day in (W1, W2, W3):
        data = export(store, day)
        for u in data["units"]:
            for f in u["findings"]:
                for key in ("first_seen", "last_seen", "rectified_at"):
                    assert f[key] is None or f[key] <= day.isoformat(), (day, f)
                assert f["age_days"] is None or f["age_days"] >= 0


def test_a_site_that_moves_keeps_its_problems_and_their_deadlines(store):
    for day, units in timeline(store)[:2]:
        crawl(store, day, units)
    (f,) = findings(export(store, W2))                # 工作动态, seen on http://x.gov.cn then https://new…:8443
    assert (f["state"], f["first_seen"]) == ("open", W1.isoformat())
    assert f["url"].startswith("https://new.gov.cn:8443/")


def test_a_problem_that_comes_back_reopens_with_its_first_deadline(store):
    for day, units in timeline(store):
        crawl(store, day, units)
    (back,) = findings(export(store, W4), "新兴镇", "column_empty")
    assert (back["state"], back["first_seen"], back["recurrences"]) == (RECURRED, W1.isoformat(), 1)
    (fixed,) = findings(export(store, W2), "新兴镇", "column_empty")
    assert (fixed["state"], fixed["rectified_at"]) == ("rectified", W2.isoformat())
    (first,) = findings(export(store, W1), "新兴镇", "column_empty")
    assert first["state"] == "new" and first["recurrences"] == 0


def test_a_site_that_cannot_be_read_fixes_nothing_and_claims_nothing(store):
    for day, units in timeline(store)[:3]:
        crawl(store, day, units)
    data = export(store, W3)
    (town,) = [u for u in data["units"] if u["name"] == "新兴镇"]
    assert [f["rule"] for f in town["findings"]] == ["site_unreachable"]
    assert not findings(data, "新兴镇", "column_empty")


def test_a_waiver_counts_from_the_moment_it_was_recorded(store):
    crawl(store, W1, {"教育局": unit({"工作动态": "2026-10-01"})})
    crawl(store, W2, {"教育局": unit({"工作动态": "2026-10-01"})})
    before = as_json(export(store, W2))
    recorded = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc).isoformat()   # 11-23 10:00 in Beijing
    store.add_waiver("教育局", "column_stale", None, "机构改革", date(2026, 12, 31), created=recorded)
    crawl(store, W3, {"教育局": unit({"工作动态": "2026-10-01"})})
    assert as_json(export(store, W2)) == before
    (f,) = findings(export(store, W3))
    assert f["state"] == "waived" and f["waiver"]["reason"] == "机构改革"


def test_a_config_waiver_holds_from_its_from_date(store):
    for day in (W1, W2, W3):
        crawl(store, day, {"教育局": unit({"工作动态": "2026-10-01"})})
    waiver = {"unit": "教育局", "rule": "column_stale", "column": None, "reason": "改版", "from": W2,
              "until": date(2027, 1, 31)}
    assert [f["state"] for f in findings(export(store, W1, waivers=(waiver,)))] == ["new"]
    assert [f["state"] for f in findings(export(store, W3, waivers=(waiver,)))] == ["waived"]


def test_a_report_with_no_crawl_in_its_period_says_how_old_the_data_is(store):
    crawl(store, W1, {"教育局": fresh(W1)})
    assert export(store, W1)["data_note"] is None
    note = export(store, W3)["data_note"]
    assert note.startswith("本期未检查，数据截至2026-11-13 09:05")
    assert judged(store, W1 - timedelta(days=1)).export(W1)["data_note"].startswith("尚无")


def test_a_crawl_that_did_not_finish_is_named(store):
    crawl(store, W1, {"教育局": fresh(W1)})
    crawl(store, W2, {"教育局": fresh(W2)}, status="failed", note="本机网络故障：20个单位中20个无法访问")
    data = export(store, W2)
    assert data["run"]["crawl_date"] == W1.isoformat()
    assert data["unfinished_runs"] == [{"crawl_date": "2026-11-20", "status": "failed",
                                        "note": "本机网络故障：20个单位中20个无法访问"}]


def test_vetoed_units_rank_after_every_unit_without_a_veto(store):
    stale5 = unit({f"动态{i}": "2026-01-01" for i in range(5)})     # five stale news columns: a veto
    many_deductions = unit({"工作动态": W3.isoformat()}, links={f"/dead{i}": 404 for i in range(10)}, guide=None)
    crawl(store, W3, {"甲局": stale5, "乙局": many_deductions, "丙局": fresh(W3)})
    data = export(store, W3)
    ranking = [(r["name"], r["vetoed"]) for r in data["ranking"]]
    assert ranking == [("丙局", False), ("乙局", False), ("甲局", True)]
    scores = {u["name"]: (u["score"], u["verdict"]) for u in data["units"]}
    assert scores["甲局"][1] == "不合格" and scores["乙局"][0] < scores["甲局"][0]


def test_the_readme_worked_example(store):
    """README's ledger example, crawl by crawl (工作动态 of 清河县教育局, crawled every Friday)."""
    def week(day, newest=None, down=False):
        other = {"通知公告": day.isoformat()}
        crawl(store, date.fromisoformat(day) if isinstance(day, str) else day,
              {"清河县教育局": unit(reachable=False) if down else unit({"工作动态": newest, **other})})
    days = {"09-25": "2026-08-10", "10-02": None, "10-09": "2026-08-10", "10-16": "2026-10-15",
            "10-23": "2026-10-15", "10-30": "2026-10-15"}
    seen = {}
    for md, newest in days.items():
        day = date.fromisoformat(f"2026-{md}")
        week(day, newest, down=newest is None)
        rows = findings(export(store, day), "清河县教育局")
        seen[md] = [(f["state"], f["first_seen"], f["deadline"], f["recurrences"], f["overdue"]) for f in rows]
    assert seen == {
        "09-25": [("new", "2026-09-25", "2026-10-15", 0, False)],
        "10-02": [],                                              # not read: neither fixed nor repeated
        "10-09": [("open", "2026-09-25", "2026-10-15", 0, False)],
        "10-16": [("rectified", "2026-09-25", "2026-10-15", 0, False)],
        "10-23": [],
        "10-30": [("recurred", "2026-09-25", "2026-10-15", 1, True)],
    }


def test_a_kept_judgement_says_what_judging_again_says(store):
    for day, units in timeline(store):
        crawl(store, day, units)
    fresh_exports = {day: as_json(export(store, day)) for day in (W1, W2, W3, W4)}   # keeps the judgements
    today = datetime.now(SHANGHAI).date()
    assert store.db["judged_crawls"].count == sum(day < today for day in (W1, W2, W3, W4))   # past days' crawls
    assert {day: as_json(export(store, day)) for day in (W1, W2, W3, W4)} == fresh_exports
    store.db["judged_crawls"].delete_where()               # derived data: dropping it changes nothing
    assert {day: as_json(export(store, day)) for day in (W1, W2, W3, W4)} == fresh_exports


def test_a_judgement_kept_under_other_rules_is_not_used(store, tmp_path):
    from rules import load_ruleset
    from rules.period import judge_as_of, judgement_key

    for day in (W1, W2):
        crawl(store, day, {"教育局": unit({"工作动态": "2026-11-01", "通知公告": day.isoformat()})})
    export(store, W2)
    strict = tmp_path / "strict.yaml"
    strict.write_text("id: strict\nextends: national-2019\ncategories:\n  dynamic:\n    max_age_days: 7\n",
                      encoding="utf-8")
    rules = load_ruleset(strict)
    assert judgement_key(rules) != judgement_key(load_ruleset("national-2019"))
    first = judge_as_of(store, W2, rules).crawls[0]           # 11-01 is 12 days before W1: stale only at 7 days
    assert [f.rule for f in first.findings] == ["column_stale"]


def test_a_problem_a_crawl_could_not_judge_is_neither_seen_nor_rectified(store):
    """首页不更新 cannot be judged while a column is unread, guide elements while no guide is read:
    such a crawl shows them neither open nor fixed, and the next crawl that sees them finds them open."""
    old = {"工作动态": "2026-09-01", "通知公告": "2026-09-01"}
    thin_guide = "本机关政府信息分类、编排体系、获取方式。"
    crawl(store, W1, {"教育局": unit(old, guide=thin_guide)})
    crawl(store, W2, {"教育局": unit({**old, "通知公告": "unverifiable"}, guide=None)})
    crawl(store, W3, {"教育局": unit(old, guide=thin_guide)})
    first = {f["rule"] for u in export(store, W1)["units"] for f in u["findings"]}
    assert {"homepage_stale", "guide_missing_element"} <= first
    w2 = [f for u in export(store, W2)["units"] for f in u["findings"]]
    assert not [f for f in w2 if f["rule"] in ("homepage_stale", "guide_missing_element")], w2
    w3 = [f for u in export(store, W3)["units"] for f in u["findings"]
          if f["rule"] in ("homepage_stale", "guide_missing_element")]
    assert w3 and all((f["state"], f["first_seen"], f["recurrences"]) == ("open", W1.isoformat(), 0) for f in w3)


def test_a_site_that_moves_to_its_own_host_keeps_its_dead_links(store):
    """From /教育局/ on the county's portal to a host of its own: a dead link is the same problem,
    named by its path relative to the unit's page."""
    crawl(store, W1, {"教育局": unit({"工作动态": W1.isoformat()}, links={"/xxgk/old.html": 404})})
    crawl(store, W2, {"教育局": unit({"工作动态": W2.isoformat()}, links={"/xxgk/old.html": 404},
                                   base="https://jyj.x.gov.cn:8443")})
    (f,) = findings(export(store, W2), rule="dead_link")
    assert (f["state"], f["first_seen"]) == ("open", W1.isoformat())
    assert f["url"] == "https://jyj.x.gov.cn:8443/xxgk/old.html"


def test_a_dead_link_left_unchecked_is_neither_seen_nor_rectified(store):
    """A link check answered by a challenge (412), or a link past max_links_checked, says nothing
    about the link: last week's dead link stays open, and the next check decides."""
    page = {"工作动态": W1.isoformat()}
    crawl(store, W1, {"教育局": unit(page, links={"/xxgk/old.html": 404, "/xxgk/gone.html": 404})})
    crawl(store, W2, {"教育局": unit(page, links={"/xxgk/old.html": "unchecked", "/xxgk/gone.html": "unchecked",
                                                  "/xxgk/new.html": 404})})
    crawl(store, W3, {"教育局": unit(page, links={"/xxgk/old.html": 404, "/xxgk/gone.html": 200})})
    w2 = {f["url"].rsplit("/", 1)[1]: f for f in findings(export(store, W2), rule="dead_link")}
    assert "new.html" in w2 and w2["new.html"]["state"] == "new"     # what was checked is judged
    assert all(f["state"] != "rectified" for f in w2.values()), w2
    w3 = {f["url"].rsplit("/", 1)[1]: f for f in findings(export(store, W3), rule="dead_link")}
    assert (w3["old.html"]["state"], w3["old.html"]["first_seen"], w3["old.html"]["recurrences"]) == \
           ("open", W1.isoformat(), 0)
    assert (w3["gone.html"]["state"], w3["gone.html"]["rectified_at"]) == ("rectified", W3.isoformat())


def cut_short(store, day, read: dict, not_reached: list[str]) -> int:
    """A crawl its deadline stopped: `read` units read, `not_reached` recorded not checked."""
    run = crawl(store, day, read)
    for name in not_reached:
        uid = store.unit_id(name, "department", f"http://x.gov.cn/{name}/xxgk/")
        store.record_unit_check(run, uid, url=f"http://x.gov.cn/{name}/xxgk/", reachable=None,
                                state="not_checked", error="巡检时限已到，本次未检查", blocked=0)
    return run


def test_a_crawl_cut_short_does_not_hide_a_complete_crawl_of_the_same_day(store):
    # The office re-runs the crawl on the same day and stops it early: the complete crawl stands.
    complete = crawl(store, W3, {"教育局": unit({"工作动态": "2026-10-01"}), "新兴镇": fresh(W3)})
    cut_short(store, W3, {"新兴镇": fresh(W3)}, ["教育局"])
    data = export(store, W3)
    assert data["run"]["id"] == complete
    (u,) = [u for u in data["units"] if u["name"] == "教育局"]
    assert u["state"] == "read"
    assert {(f["rule"], f["state"]) for f in u["findings"]} == {("homepage_stale", "new"), ("column_stale", "new")}
    # Alone on its day, a crawl cut short is what there is: the unit is said not checked.
    cut_short(store, W4, {"新兴镇": fresh(W4)}, ["教育局"])
    (u,) = [u for u in export(store, W4)["units"] if u["name"] == "教育局"]
    assert u["state"] == "not_checked"
    assert "column_stale" not in {f["rule"] for f in u["findings"]}
