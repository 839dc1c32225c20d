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


COLUMN = "http://x/jyj/gzdt/"


def read_column(store, run, titles):
    """Run `run` reads 工作动态 and finds these items on its list."""
    uid = store.unit_id("教育局", "department", "http://x/jyj/")
    store.record_column(run, uid, "工作动态", COLUMN, {"state": "list", "item_count": len(titles)},
                        [{"url": f"{COLUMN}{t}.html", "title": t, "date": "2026-11-01"} for t in titles])


def listed(store, run):
    return sorted(i["title"] for i in store.run_items(run))


def items_table(store):
    return list(store.db.execute("SELECT * FROM items ORDER BY column, url"))


def test_a_column_that_answered_304_lists_the_items_of_the_run_it_carries(store):
    uid = store.unit_id("教育局", "department", "http://x/jyj/")
    first = store.start_run("crawl", date(2026, 11, 6))
    read_column(store, first, ["甲", "乙"])
    store.finish_run(first)
    killed = store.start_run("crawl", date(2026, 11, 13))   # read the list anew, then died
    read_column(store, killed, ["甲", "丙"])
    before = items_table(store)
    carried = []
    for day in (20, 27):
        run = store.start_run("crawl", date(2026, 11, day))
        store.carry_forward(run, [(uid, COLUMN, f"2026-11-{day}T01:00:00+00:00", None)])
        store.finish_run(run)
        carried.append(run)
    assert items_table(store) == before, "a 304 writes no item"
    # the finished crawl's list, not the killed one's, through a chain of two 304s
    assert [listed(store, run) for run in carried] == [["乙", "甲"], ["乙", "甲"]]
    last = store.start_run("crawl", date(2026, 12, 4))
    read_column(store, last, ["甲", "丁"])
    store.finish_run(last)
    assert listed(store, last) == ["丁", "甲"]
    assert [listed(store, run) for run in (first, *carried)] == [["乙", "甲"]] * 3, "history does not move"


def test_an_old_database_keeps_the_items_its_304s_carried(tmp_path):
    """Before observations.items_run, a 304 extended its items' last_seen_run, and an index on
    that column found a run's items: those rows read the same, and the index goes."""
    path = tmp_path / "old.db"
    with Store(path) as s:
        uid = s.unit_id("教育局", "department", "http://x/jyj/")
        first = s.start_run("crawl", date(2026, 11, 6))
        read_column(s, first, ["甲", "乙"])
        s.finish_run(first)
        second = s.start_run("crawl", date(2026, 11, 13))
        s.carry_forward(second, [(uid, COLUMN, "2026-11-13T01:00:00+00:00", None)])
        s.finish_run(second)
        # as the older version wrote them
        s.db.execute("UPDATE observations SET items_run=NULL")
        s.db.execute("UPDATE items SET last_seen_run=?", [second])
        s.db.execute("CREATE INDEX idx_items_last_seen_run ON items (last_seen_run)")
        s.db.conn.commit()
    with Store(path) as s:
        assert "idx_items_last_seen_run" not in {r[0] for r in s.db.execute(
            "SELECT name FROM sqlite_master WHERE type='index'")}
        assert listed(s, first) == listed(s, second) == ["乙", "甲"]
        third = s.start_run("crawl", date(2026, 11, 20))
        s.carry_forward(third, [(uid, COLUMN, "2026-11-20T01:00:00+00:00", None)])
        s.finish_run(third)
        assert listed(s, third) == ["乙", "甲"]


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
