"""Three weekly crawls of the demo county with a fix, new faults, a waiver and a week nobody exported:
every week's export says the same whenever and in whatever order it is asked.

Each week the portal is served on a new port, so every unit's address changes
between crawls, as when a county moves its sites: the history must not notice.
"""
import json
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
import yaml

import demo.county as county
import jobs
from crawler.run import crawl
from demo.server import DemoPortal
from store import Store

W1, W2, W3 = date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)
UNITS = ("清河县民政局", "杏园乡", "清河县农业农村局", "清河县财政局", "清河县统计局")
ORIGINAL = county.UNITS


def spec(name, **changes):
    return replace(next(u for u in ORIGINAL if u.name == name), **changes)


def column_ages(name, slug, ages):
    unit = next(u for u in ORIGINAL if u.name == name)
    return tuple(replace(c, ages=ages) if c.slug == slug else c for c in unit.columns)


def week_units(day):
    """The county as each week's crawl finds it (only the units this test crawls change)."""
    fresh_news = column_ages("清河县民政局", "gzdt", county.run(1, 12))
    changed = {
        W1: {},
        W2: {"清河县民政局": spec("清河县民政局", columns=fresh_news),      # fixed its stale 工作动态
             "清河县财政局": spec("清河县财政局", outage="503")},             # a new fault: the site is down
        W3: {"清河县财政局": spec("清河县财政局")},                           # back up; 民政局 stale again
    }[day]
    return tuple(changed.get(u.name, u) for u in ORIGINAL)


def crawl_week(tmp_path, monkeypatch, db, day):
    monkeypatch.setattr(county, "UNITS", week_units(day))
    with DemoPortal(day) as portal:
        units = [u for u in portal.units() if u["name"] in UNITS]
        sites = tmp_path / f"sites-{day}.yaml"
        sites.write_text(yaml.safe_dump({"county": county.COUNTY, "units": units}, allow_unicode=True),
                         encoding="utf-8")
        crawl(sites, db, day)
        return portal.base_url


def export(db, day):
    return json.dumps(jobs.export(jobs.judge(db, day)), ensure_ascii=False, sort_keys=True)


def finding(data, unit, rule):
    (u,) = [u for u in json.loads(data)["units"] if u["name"] == unit]
    found = [f for f in u["findings"] if f["rule"] == rule]
    return found[0] if found else None


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("history")
    monkeypatch = pytest.MonkeyPatch()
    db = tmp_path / "demo.db"
    sent, bases = {}, []
    try:
        bases.append(crawl_week(tmp_path, monkeypatch, db, W1))
        sent[W1] = export(db, W1)                       # the office reported week 1 …
        bases.append(crawl_week(tmp_path, monkeypatch, db, W2))   # … but nobody exported week 2
        with Store(db) as store:                         # a waiver granted on Sunday 11-22
            store.add_waiver("杏园乡", "column_empty", None, "栏目调整中", date(2026, 12, 31),
                             created="2026-11-22T02:00:00+00:00")
        bases.append(crawl_week(tmp_path, monkeypatch, db, W3))
        sent[W3] = export(db, W3)
    finally:
        monkeypatch.undo()
    return db, sent, bases


def test_the_portal_moved_every_week(history):
    _, _, bases = history
    assert len(set(bases)) == 3


def test_exports_are_identical_whatever_order_they_run_in(history):
    db, sent, _ = history
    days = [W1, W2, W2 + timedelta(days=2), W3, W3 + timedelta(days=3)]
    first = {day: export(db, day) for day in days}
    for seed in (1, 2):
        order = days[:]
        random.Random(seed).shuffle(order)
        assert {day: export(db, day) for day in order} == first
    assert first[W1] == sent[W1] and first[W3] == sent[W3]   # what was sent then is what it says now


def test_the_fix_the_new_fault_and_the_recurrence(history):
    db, _, _ = history
    w1, w2, w3 = (export(db, d) for d in (W1, W2, W3))
    assert finding(w1, "清河县民政局", "column_stale")["state"] == "new"
    fixed = finding(w2, "清河县民政局", "column_stale")
    assert (fixed["state"], fixed["rectified_at"]) == ("rectified", W2.isoformat())
    back = finding(w3, "清河县民政局", "column_stale")
    assert (back["state"], back["first_seen"], back["recurrences"]) == ("recurred", W1.isoformat(), 1)
    assert back["deadline"] == finding(w1, "清河县民政局", "column_stale")["deadline"]
    down = finding(w2, "清河县财政局", "site_unreachable")
    assert down["state"] == "new" and finding(w1, "清河县财政局", "site_unreachable") is None
    assert finding(w3, "清河县财政局", "site_unreachable")["state"] == "rectified"


def test_a_moved_site_keeps_its_open_problems(history):
    db, _, bases = history
    stale = finding(export(db, W3), "清河县农业农村局", "column_stale")
    assert (stale["state"], stale["first_seen"]) == ("open", W1.isoformat())
    assert stale["url"].startswith(bases[2])


def test_the_waiver_counts_from_when_it_was_granted(history):
    db, _, _ = history
    assert finding(export(db, W2), "杏园乡", "column_empty")["state"] == "open"
    assert finding(export(db, W3), "杏园乡", "column_empty")["state"] == "waived"


def test_nothing_after_the_as_of_date_appears(history):
    db, _, _ = history
    for day in (W1, W2):
        for u in json.loads(export(db, day))["units"]:
            for f in u["findings"]:
                assert all(f[k] is None or f[k] <= day.isoformat() for k in ("first_seen", "last_seen", "rectified_at"))
                assert f["age_days"] is None or f["age_days"] >= 0
