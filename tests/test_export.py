"""The export over several crawls: ledger states, waivers, verdicts and ranking."""
from datetime import date

import pytest

from export import build_export
from store import Store

W1, W2, W3 = date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)


def crawl(store, day, dynamic_newest, units=("教育局", "新兴镇")):
    run = store.start_run("crawl", day, "清河县")
    for name in units:
        uid = store.unit_id(name, "department", f"http://x/{name}/")
        store.record_unit_check(run, uid, fetched_at=f"{day}T01:00:00+00:00", url=f"http://x/{name}/",
                                final_url=None, http_status=200, reachable=1, error=None, elapsed_ms=3,
                                newest_date=str(day))
        store.record_column(run, uid, "工作动态", f"http://x/{name}/gzdt/",
                            {"state": "list", "item_count": 3, "newest_date": dynamic_newest[name]}, [])
        store.record_column(run, uid, "政府信息公开年报", f"http://x/{name}/nb/", {"state": "list", "item_count": 1},
                            [{"url": f"http://x/{name}/nb/1", "title": "2025年政府信息公开工作年度报告",
                              "report_year": 2025}])
        store.record_page(run, uid, "guide", f"http://x/{name}/zn/", "",
                          "信息分类；编排体系；获取方式；工作机构：县政府办公室；办公地址：人民路1号；办公时间：周一至周五；"
                          "联系电话：0311-1234567；传真：0311-7654321；电子邮箱：zfb@example.gov.cn")
    store.finish_run(run)


def stale_states(export):
    return {u["name"]: [f["state"] for f in u["findings"] if f["rule"] == "column_stale"] for u in export["units"]}


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "e.db") as s:
        yield s


def test_new_then_open_then_rectified_across_three_crawls(store):
    crawl(store, W1, {"教育局": "2026-10-01", "新兴镇": "2026-11-12"})
    e1 = build_export(store, W1)
    assert stale_states(e1) == {"教育局": ["new"], "新兴镇": []}
    crawl(store, W2, {"教育局": "2026-10-01", "新兴镇": "2026-11-19"})
    e2 = build_export(store, W2)
    assert stale_states(e2) == {"教育局": ["open"], "新兴镇": []}
    (f,) = [f for f in e2["units"][0]["findings"] if f["rule"] == "column_stale"]
    assert f["first_seen"] == "2026-11-13" and f["deadline"] == "2026-11-27" and not f["overdue"]
    assert f["age_days"] == 7
    crawl(store, W3, {"教育局": "2026-11-25", "新兴镇": "2026-11-26"})
    e3 = build_export(store, W3)
    assert stale_states(e3) == {"教育局": ["rectified"], "新兴镇": []}
    assert e3["units"][0]["findings"][0]["rectified_at"] == "2026-11-27"


def test_rebuilding_a_past_week_reads_the_ledger_without_changing_it(store):
    crawl(store, W1, {"教育局": "2026-10-01", "新兴镇": "2026-11-12"})
    build_export(store, W1)
    crawl(store, W2, {"教育局": "2026-11-19", "新兴镇": "2026-11-19"})
    build_export(store, W2)
    before = store.ledger_rows()
    again = build_export(store, W1)
    assert store.ledger_rows() == before
    assert stale_states(again)["教育局"] == ["new"]
    assert build_export(store, W2) == build_export(store, W2)  # idempotent


def test_waived_findings_stay_visible_but_cost_nothing(store):
    crawl(store, W1, {"教育局": "2026-05-01", "新兴镇": "2026-11-12"})
    store.add_waiver("教育局", "column_stale", "工作动态", "栏目整合中，经批准暂停更新", date(2026, 12, 31))
    unit = build_export(store, W1)["units"][0]
    (f,) = [f for f in unit["findings"] if f["rule"] == "column_stale"]
    assert f["state"] == "waived" and f["waiver"]["reason"].startswith("栏目整合")
    assert unit["score"] == 100 and unit["verdict"] == "合格"
    # Once the waiver expires the finding counts again, still dated from when it was first seen.
    after = build_export(store, date(2027, 1, 1))["units"][0]
    (f,) = [f for f in after["findings"] if f["rule"] == "column_stale"]
    assert f["state"] == "open" and f["first_seen"] == "2026-11-13"
    assert after["score"] < 100


def test_config_waivers_apply_too_and_ranking_orders_by_score(store):
    crawl(store, W1, {"教育局": "2026-05-01", "新兴镇": "2026-11-12"})
    export = build_export(store, W1, waivers=[{"unit": "新兴镇", "rule": None, "column": None,
                                               "reason": "机构改革", "until": "2026-12-31"}])
    assert [r["name"] for r in export["ranking"]] == ["新兴镇", "教育局"]
    assert export["ranking"][0]["score"] > export["ranking"][1]["score"]
