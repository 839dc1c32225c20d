"""Run a crawl: open a run in the store, let Scrapy walk every unit, close the run.

Twisted's reactor starts once per process, so long-lived callers (the
scheduler, `govfresh run`, the demo) use `crawl()`, which crawls in a child
process; `govfresh crawl` itself calls `crawl_here()`.

Deadlines: `crawl.max_duration` ends a crawl cleanly with what it has (units not
reached are recorded as not checked); SIGTERM/SIGINT stop it, and if Scrapy has
not stopped within STOP_GRACE seconds (a download hanging, a reactor busy) the
process exits at once — the run then stays uncounted, exactly as after kill -9;
`crawl()` never waits on its child longer than max_duration plus a margin.
"""
from __future__ import annotations

import argparse
import gc
import json
import logging
import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config import Config, load_config
from store import FAILED, FINISHED, Store

LOG = logging.getLogger("govfresh.crawl")

NOT_CHECKED = "not_checked"
# Seconds Scrapy gets to stop after SIGTERM before the process exits regardless.
STOP_GRACE = 7.0
# Beyond max_duration, how long `crawl()` waits for its child to finish writing.
CHILD_MARGIN = 600.0
# Reasons Scrapy closes a spider for that still make a complete, countable run.
_COUNTED = {"finished", "closespider_timeout"}


class CrawlError(Exception):
    """The crawl itself could not run (not: a site was down — that is a finding)."""


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def offline_suffix_list() -> None:
    """Keep Scrapy's cookie handling off the network.

    Scrapy's cookie middleware asks tldextract whether a cookie's domain is a public
    suffix; on first use tldextract downloads the public-suffix list (and prints a
    traceback where there is no internet: county offices often run on an intranet).
    Its bundled snapshot answers the same question without a download.
    """
    from scrapy.downloadermiddlewares import cookies
    from tldextract import TLDExtract

    if hasattr(cookies, "_split_domain"):
        cookies._split_domain = TLDExtract(suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True)


def _stop_watchdog(grace: float) -> None:
    """Wrap Scrapy's SIGTERM/SIGINT handlers: stop gracefully, or exit after `grace` seconds."""
    def wrap(previous):
        def handler(signum, frame):
            def expire() -> None:
                LOG.warning("crawl did not stop within %.0f s of %s: exiting; the run is not counted",
                            grace, signal.Signals(signum).name)
                logging.shutdown()
                os._exit(128 + signum)
            timer = threading.Timer(grace, expire)
            timer.daemon = True
            timer.start()
            if callable(previous):
                previous(signum, frame)
        return handler

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, wrap(signal.getsignal(sig)))


def spider_kwargs(config: Config, crawl_date: date) -> dict:
    """What the spider is built with (besides the previous crawl): the same in one process and on workers."""
    return dict(units=[u.model_dump() for u in config.units], crawl_date=crawl_date,
                max_column_depth=config.crawl.max_column_depth, max_links_checked=config.crawl.max_links_checked,
                max_list_pages=config.crawl.max_pages_per_column if config.crawl.count_all_pages else 1,
                page_budget=config.crawl.page_cpu_budget)


def crawl_here(config: Config, db_path: str | Path, crawl_date: date | None = None,
               redis_url: str | None = None) -> int:
    """Crawl every unit and return the finished run's id: in this process, or with `redis_url`
    (else the config's crawl.redis) on `govfresh worker` processes, this one writing the store."""
    from crawler import settings as defaults
    from crawler.previous import PreviousCrawl

    offline_suffix_list()
    crawl_date = crawl_date or today_in(config.timezone)
    redis_url = redis_url or config.crawl.redis
    kwargs = spider_kwargs(config, crawl_date)
    previous = PreviousCrawl(db_path)   # read before this run starts: the last finished crawl
    with Store(db_path) as store:
        run_id = store.start_run("crawl", crawl_date, config.county, os.getpid())
    if redis_url:
        from crawler.distributed.coordinator import coordinate
        reason, store_error, unfinished = coordinate(
            config.county, db_path, run_id, redis_url, kwargs, defaults.settings_for(config.crawl), previous,
            config.crawl.redis_lease, config.crawl.max_duration)
    elif config.crawl.processes > 1 and len(config.units) > 1:
        from crawler.parallel import crawl_in_processes
        reason, store_error, unfinished = crawl_in_processes(config, db_path, run_id, crawl_date,
                                                             config.crawl.processes)
    else:
        reason, store_error, unfinished = _crawl_in_process(config, db_path, run_id, kwargs, previous)
    if store_error:
        reason = f"facts not written ({store_error})"
    with Store(db_path) as store:
        outage = _outage(config, store.run_units(run_id)) if reason in _COUNTED else None
        if outage:
            store.finish_run(run_id, FAILED, note=outage)
            raise CrawlError(f"{outage}; run {run_id} is not counted")
        if reason not in _COUNTED:
            store.finish_run(run_id, FAILED, note=f"crawl ended: {reason}")
            raise CrawlError(f"crawl ended early ({reason}); run {run_id} is not counted")
        note = None
        if reason == "closespider_timeout":
            note = _record_unfinished(store, run_id, *unfinished, config)
        store.finish_run(run_id, FINISHED, note=note)
    return run_id


def _record_unfinished(store: Store, run_id: int, not_reached: list[str], incomplete: list[str],
                       config: Config) -> str:
    """After max_duration: units never reached are 'not checked', half-done ones incomplete."""
    ids = store.unit_ids()
    for name in not_reached:
        store.record_unit_check(run_id, ids[name], url=config.unit(name).url, reachable=None,
                                state=NOT_CHECKED, error="巡检时限已到，本次未检查", blocked=0)
    store.mark_incomplete(run_id, [ids[n] for n in incomplete])
    return (f"max_duration ({config.crawl.max_duration:g} s) reached: "
            f"{len(not_reached)} units not checked, {len(incomplete)} incomplete")


def crawl_share(spec: str, db_path: str | Path, run_id: int, share: str, crawl_date: date, parent: int) -> dict:
    """One share of a crawl in several processes (crawler/parallel.py): its outcome."""
    from crawler.parallel import exit_with_parent, split_config
    from crawler.previous import PreviousCrawl

    exit_with_parent(parent)
    k, n = (int(x) for x in share.split("/"))
    config = split_config(Config.model_validate_json(Path(spec).read_text(encoding="utf-8")), k, n)
    offline_suffix_list()
    reason, store_error, (not_reached, incomplete) = _crawl_in_process(
        config, db_path, run_id, spider_kwargs(config, crawl_date), PreviousCrawl(db_path), progress=False)
    return {"reason": reason, "store_error": store_error, "not_reached": not_reached, "incomplete": incomplete}


def _crawl_in_process(config: Config, db_path: str | Path, run_id: int, kwargs: dict, previous,
                      progress: bool = True) -> tuple[str | None, str | None, tuple[list[str], list[str]]]:
    """Scrapy in this process; (finish reason, store error or None, units not reached and incomplete)."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler import settings as defaults
    from crawler.spiders.disclosure import DisclosureSpider

    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.update(defaults.settings_for(config.crawl), priority="project")
    settings.update({"GOVFRESH_DB": str(db_path), "GOVFRESH_RUN_ID": run_id, "GOVFRESH_UNIT_COUNT": len(kwargs["units"]),
                     "GOVFRESH_PROGRESS": progress and sys.stderr.isatty()}, priority="project")
    # The browser fallback runs in this process only (distributed workers read statically).
    browser = _browser_settings(config, settings.get("USER_AGENT"))
    settings.update(browser, priority="project")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(crawler, previous=previous, browser=bool(browser), browser_timeout=config.crawl.browser_timeout,
                  **kwargs)
    # Scrapy installs its own signal handlers once the reactor has started; ours wrap them,
    # so they go in on the reactor's first turn, after Scrapy's.
    from twisted.internet import reactor   # only now: CrawlerProcess chose and installed it
    reactor.callWhenRunning(reactor.callLater, 0, _stop_watchdog, STOP_GRACE)
    # What the imports and the set-up made lives as long as the crawl: kept out of the cycle
    # collector's full passes, which otherwise walk it all again (a third of the collector's
    # time, ~2% of a 300-unit crawl's CPU).
    gc.freeze()
    # A crawl makes and drops objects by the million, few of them in cycles: collecting the
    # youngest generation every 700 allocations was ~2.5% of a day 1's CPU, every 20,000 ~0.4%.
    # What a cycle holds waits a little longer; the crawl's memory stays flat (bench/crawl.py).
    gc.set_threshold(20_000, 10, 10)
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    store_error = crawler.stats.get_value("govfresh/store_error") if crawler.stats else None
    return reason, store_error, crawler.spider.unfinished() if reason == "closespider_timeout" else ([], [])


def _browser_settings(config: Config, user_agent: str) -> dict:
    """Scrapy settings for the browser fallback (crawler/browser.py); {} when off or when there is no Chromium."""
    if not config.crawl.browser:
        return {}
    from crawler import browser

    path = browser.chromium_path(config.crawl.browser_path)
    if path is None:
        # Said once per crawl; the crawl then reads statically, as without the browser.
        print(f"govfresh: 未找到 Chromium（{config.crawl.browser_path or '/usr/bin/chromium'}）：需要浏览器才能读取的页面"
              "仍记为无法核实。安装 Debian 的 chromium 软件包，或设置 crawl.browser: false 关闭此提示。",
              file=sys.stderr)
        return {}
    return browser.scrapy_settings(path, config.crawl.browser_pages, config.crawl.browser_timeout,
                                   config.crawl.browser_memory_mb, config.timezone, user_agent)


def _outage(config: Config, checks: list[dict]) -> str | None:
    """Why this crawl must not count (the office's own network looks down), or None."""
    from crawler.outage import suspected_outage
    from crawler.probe import probe_one

    suspicion = suspected_outage(checks, config.crawl.outage_share, config.crawl.outage_min_units)
    if suspicion is None:
        return None
    reference = config.crawl.reference_url
    if reference and probe_one("reference", reference, timeout=config.crawl.timeout).ok:
        return None   # the office can reach the outside: the units really are down
    why = f"参考地址 {reference} 也无法访问" if reference else "未配置参考地址（crawl.reference_url）无法排除"
    return f"疑似本机网络故障：{suspicion.note}，{why}；本次检查不计入结果"


def crawl(config_path: str | Path, db_path: str | Path, crawl_date: date | None = None,
          timeout: float | None = None) -> int:
    """Crawl in a child process (a fresh reactor each time); return the finished run's id.

    The child is never waited on forever: after `timeout` seconds (default: the
    config's max_duration plus a margin) it gets SIGTERM, then SIGKILL.
    """
    if timeout is None:
        timeout = load_config(config_path).crawl.max_duration + CHILD_MARGIN
    cmd = [sys.executable, "-m", "crawler.run", "--config", str(config_path), "--db", str(db_path)]
    if crawl_date:
        cmd += ["--crawl-date", crawl_date.isoformat()]
    with subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True) as child:
        try:
            out, _ = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.terminate()
            try:
                child.communicate(timeout=STOP_GRACE + 5)
            except subprocess.TimeoutExpired:
                child.kill()
                child.communicate()
            raise CrawlError(f"crawl process did not finish within {timeout:g} s and was stopped") from None
    if child.returncode != 0:
        with Store(db_path) as store:
            last = store.recent_runs(1)
        note = last[0]["note"] if last and last[0]["kind"] == "crawl" and last[0]["note"] else None
        raise CrawlError(note or f"crawl process exited with {child.returncode}")
    return int(out.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--config")
    parser.add_argument("--db", required=True)
    parser.add_argument("--crawl-date", type=date.fromisoformat)
    # A share of a crawl in several processes (crawler/parallel.py), started by the crawl itself.
    parser.add_argument("--share-of", help=argparse.SUPPRESS)
    parser.add_argument("--run", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--share", help=argparse.SUPPRESS)
    parser.add_argument("--parent", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.share_of:
        print(json.dumps(crawl_share(args.share_of, args.db, args.run, args.share, args.crawl_date, args.parent),
                         ensure_ascii=False))
        return 0
    if not args.config:
        parser.error("--config is required")
    run_id = crawl_here(load_config(args.config), args.db, args.crawl_date)
    print(run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
