"""The store: facts round-trip, and a run that died never counts."""
from datetime import date

import pytest

from rules.facts import latest_facts
from store import ABORTED, FINISHED, Store


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "t.db") as s:
        yield s


def crawl_once(store, day, newest, finish=True):
    run = store.start_run("crawl", day, "清河县")
    uid = store.unit_id("教育局", "department", "http://x/jyj/")
    store.record_unit_check(run, uid, fetched_at=f"{day}T01:00:00+00:00", url="http://x/jyj/",
                            final_url="http://x/jyj/", http_status=200, reachable=1, error=None, elapsed_ms=5)
    store.record_column(run, uid, "工作动态", "http://x/jyj/gzdt/",
                        {"state": "list", "item_count": 1, "newest_date": newest, "date_source": "list"},
                        [{"url": "http://x/jyj/gzdt/1.html", "title": "动态一", "date": newest}])
    store.record_link(run, uid, "http://x/jyj/dead", "政策解读", 404, None)
    store.record_page(run, uid, "guide", "http://x/jyj/zn/", "", "办公地址：人民路1号")
    if finish:
        store.finish_run(run)
    return run


def test_facts_round_trip(store):
    crawl_once(store, date(2026, 11, 20), "2026-11-18")
    run, facts = latest_facts(store, date(2026, 11, 27))
    assert run["status"] == FINISHED
    (unit,) = facts
    assert unit.reachable and unit.name == "教育局"
    assert unit.columns[0].newest_date == date(2026, 11, 18)
    assert [i["title"] for i in store.run_items(run["id"])] == ["动态一"]
    assert unit.links[0].broken
    assert unit.guide_text == "办公地址：人民路1号"


def test_as_of_picks_the_newest_finished_run_not_after_it(store):
    crawl_once(store, date(2026, 11, 13), "2026-11-10")
    crawl_once(store, date(2026, 11, 20), "2026-11-19")
    assert latest_facts(store, date(2026, 11, 15))[1][0].columns[0].newest_date == date(2026, 11, 10)
    assert latest_facts(store, date(2026, 11, 27))[1][0].columns[0].newest_date == date(2026, 11, 19)
    assert latest_facts(store, date(2026, 11, 1)) == (None, [])


def test_unfinished_run_never_counts_and_is_marked_aborted(store, tmp_path):
    crawl_once(store, date(2026, 11, 13), "2026-11-10")
    dead = crawl_once(store, date(2026, 11, 20), "2026-11-19", finish=False)  # killed halfway
    assert latest_facts(store, date(2026, 11, 27))[1][0].columns[0].newest_date == date(2026, 11, 10)
    crawl_once(store, date(2026, 11, 27), "2026-11-26")
    assert store.run(dead)["status"] == ABORTED


def test_reopening_an_old_database_adds_new_columns(tmp_path):
    path = tmp_path / "old.db"
    with Store(path) as s:
        s.db["observations"].transform(drop={"meta_name"})
    with Store(path) as s:
        assert "meta_name" in {c.name for c in s.db["observations"].columns}


def test_delivery_log(store):
    one = store.begin_delivery("weekly-2026-11-27", "wecom#1", 1, "c1")
    store.end_delivery(one, True, {"errcode": 0})
    two = store.begin_delivery("weekly-2026-11-27", "wecom#1", 2, "c2")
    store.end_delivery(two, False, {"errcode": 45009})
    store.begin_delivery("weekly-2026-11-27", "wecom#1", 3, "c3")      # sent, then the process died
    assert store.delivered_contents("weekly-2026-11-27", "wecom#1") == {"c1"}
    assert store.unconfirmed_contents("weekly-2026-11-27", "wecom#1") == {"c3"}


def test_processes_opening_a_new_database_at_once_all_succeed(tmp_path):
    """A crawl creating its database while a report (or a test) opens it: both wait, neither fails."""
    import subprocess
    import sys

    code = "import sys; from store import Store; Store(sys.argv[1]).close()"
    for attempt in range(4):
        path = tmp_path / f"race{attempt}.db"
        children = [subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.PIPE)
                    for _ in range(6)]
        errors = [c.communicate(timeout=60)[1].decode() for c in children]
        assert [c.returncode for c in children] == [0] * 6, errors
