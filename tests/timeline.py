"""Crawl histories written straight into a store, for judging and report tests. (Not a conftest.)

    crawl(store, date(2026, 11, 13), {"教育局": unit(columns={"工作动态": "2026-10-01"})})

records one finished crawl as the spider would: a unit check, each column's
observation and items, the disclosure page's links, the guide and the report list.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from rules import load_ruleset
from rules.period import Settings, judge_as_of
from store import FAILED, Store

FULL_GUIDE = ("本机关政府信息分类、编排体系、获取方式。工作机构：县教育局办公室；办公地址：人民路1号；"
              "办公时间：周一至周五；联系电话：0311-1234567；传真：0311-7654321；电子邮箱：jyj@example.gov.cn")
RULES = load_ruleset("national-2019")
AS_OF = date(2026, 11, 27)      # a Friday; the weeks end on 11-20, 11-13, 11-06, 10-30 …


def unit(columns: dict[str, Any] | None = None, *, reachable: bool = True, blocked: bool = False,
         kind: str = "department", links: dict[str, int] | None = None, guide: str | None = FULL_GUIDE,
         report_years: tuple[int, ...] = (2025,), base: str | None = None) -> dict:
    """One unit as a crawl saw it. A column's value: its newest date (ISO), "empty", "unreachable",
    "unverifiable", or None for a list without dates."""
    return dict(columns=columns or {}, reachable=reachable, blocked=blocked, kind=kind, links=links or {},
                guide=guide, report_years=report_years, base=base)


def fresh(day: date) -> dict:
    """A unit with nothing wrong on `day`."""
    return unit({"工作动态": day.isoformat(), "通知公告": day.isoformat()})


def crawl(store: Store, day: date, units: dict[str, dict], *, status: str = "finished", note: str | None = None,
          finished_at: datetime | None = None) -> int:
    """Record one crawl of these units on `day`; returns the run id."""
    run = store.start_run("crawl", day, "清河县")
    stamp = (finished_at or datetime.combine(day, time(1, 5), timezone.utc)).isoformat(timespec="seconds")
    for name, spec in units.items():
        base = spec["base"] or f"http://x.gov.cn/{name}"
        uid = store.unit_id(name, spec["kind"], f"{base}/xxgk/")
        store.record_unit_check(run, uid, kind=spec["kind"], fetched_at=stamp, url=f"{base}/xxgk/", final_url=f"{base}/xxgk/",
                                http_status=(412 if spec["blocked"] else 200) if spec["reachable"] else None,
                                reachable=int(spec["reachable"]), blocked=int(spec["blocked"]),
                                error=None if spec["reachable"] else "连接被拒绝", elapsed_ms=5,
                                newest_date=None)
        if not spec["reachable"] or spec["blocked"]:
            continue
        for i, (column, value) in enumerate(spec["columns"].items()):
            url = f"{base}/xxgk/c{i}/"
            state = value if value in ("empty", "unreachable", "unverifiable") else "list"
            newest = value if state == "list" else None
            items = [{"url": f"{url}{day:%Y%m%d}.html", "title": f"{column}信息", "date": newest}] if state == "list" else []
            store.record_column(run, uid, column, url, {"state": state, "item_count": len(items),
                                                        "newest_date": newest, "date_source": "list",
                                                        "http_status": 404 if state == "unreachable" else 200},
                                items)
        years = spec["report_years"]
        store.record_column(run, uid, "政府信息公开年报", f"{base}/xxgk/nb/",
                            {"state": "list", "item_count": len(years), "newest_date": "2026-01-20"},
                            [{"url": f"{base}/xxgk/nb/{y}.html", "title": f"{y}年政府信息公开工作年度报告",
                              "date": "2026-01-20", "report_year": y} for y in years])
        for path, http_status in spec["links"].items():   # "unchecked": shown, not checked this crawl
            store.record_link(run, uid, f"{base}{path}", "链接", None if http_status == "unchecked" else http_status,
                              None, checked=http_status != "unchecked")
        if spec["guide"] is not None:
            store.record_page(run, uid, "guide", f"{base}/xxgk/zn/", "", spec["guide"])
    if status == "finished":
        store.finish_run(run)
        store.db["runs"].update(run, {"finished": stamp})
    else:
        store.finish_run(run, FAILED if status == "failed" else status, note=note)
    return run


def judged(store: Store, as_of: date, **settings: Any):
    return judge_as_of(store, as_of, RULES, Settings(**settings))


def week(n: int) -> date:
    return AS_OF - timedelta(days=7 * n)


def five_weeks(store) -> None:
    """Two units over five weekly crawls (10-30 … 11-27):

        甲局 工作动态  column_stale  first 10-30, still open
        甲局 人事信息  column_empty  first 11-06, rectified 11-20
        乙局 /dead     dead_link     first 11-13, rectified 11-27
        乙局 通知公告  column_stale  first 11-27
    """
    for n in range(4, -1, -1):
        day = week(n)
        jia = {"工作动态": "2026-09-01", "通知公告": day.isoformat()}
        if n in (3, 2):
            jia["人事信息"] = "empty"
        elif n < 2:
            jia["人事信息"] = "2026-11-19"
        yi = {"工作动态": day.isoformat(), "通知公告": "2026-01-01" if n == 0 else day.isoformat()}
        crawl(store, day, {"甲局": unit(jia), "乙局": unit(yi, links={"/dead": 404} if n in (2, 1) else {}),
                           "丙局": fresh(day)})


def stale(day: date, newest: str = "2026-09-01", **kw: Any) -> dict:
    """A unit whose 工作动态 is stale on `day` and nothing else is wrong (its 通知公告 is fresh)."""
    return unit({"工作动态": newest, "通知公告": day.isoformat()}, **kw)
