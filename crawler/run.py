"""Run a crawl: open a run in the store, let Scrapy walk every unit, close the run.

Twisted's reactor starts once per process, so long-lived callers (the
scheduler, `govfresh run`, the demo) use `crawl()`, which crawls in a child
process; `govfresh crawl` itself calls `crawl_here()`.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from config import Config, load_config
from store import FAILED, FINISHED, Store


class CrawlError(Exception):
    """The crawl itself could not run (not: a site was down — that is a finding)."""


def today_in(tz: str) -> date:
    return datetime.now(ZoneInfo(tz)).date()


def crawl_here(config: Config, db_path: str | Path, crawl_date: date | None = None) -> int:
    """Crawl every unit in this process and return the finished run's id."""
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    from crawler import settings as defaults
    from crawler.spiders.disclosure import DisclosureSpider

    crawl_date = crawl_date or today_in(config.timezone)
    units = [u.model_dump() for u in config.units]
    from crawler.previous import PreviousCrawl
    previous = PreviousCrawl(db_path)   # read before this run starts: the last finished crawl
    with Store(db_path) as store:
        run_id = store.start_run("crawl", crawl_date, config.county, os.getpid())
    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.update(defaults.settings_for(config.crawl), priority="project")
    settings.update({"GOVFRESH_DB": str(db_path), "GOVFRESH_RUN_ID": run_id, "GOVFRESH_UNITS": units,
                     "GOVFRESH_PROGRESS": sys.stderr.isatty()}, priority="project")
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(DisclosureSpider)
    process.crawl(crawler, units=units, crawl_date=crawl_date,
                  max_column_depth=config.crawl.max_column_depth,
                  max_links_checked=config.crawl.max_links_checked, previous=previous,
                  max_list_pages=config.crawl.max_pages_per_column if config.crawl.count_all_pages else 1)
    process.start()
    reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
    store_error = crawler.stats.get_value("govfresh/store_error") if crawler.stats else None
    if store_error:
        reason = f"facts not written ({store_error})"
    with Store(db_path) as store:
        outage = _outage(config, store.run_units(run_id)) if reason == "finished" else None
        if outage:
            store.finish_run(run_id, FAILED, note=outage)
            raise CrawlError(f"{outage}; run {run_id} is not counted")
        if reason == "finished":
            store.finish_run(run_id, FINISHED)
        else:
            store.finish_run(run_id, FAILED, note=f"crawl ended: {reason}")
            raise CrawlError(f"crawl ended early ({reason}); run {run_id} is not counted")
    return run_id


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


def crawl(config_path: str | Path, db_path: str | Path, crawl_date: date | None = None) -> int:
    """Crawl in a child process (a fresh reactor each time); return the finished run's id."""
    cmd = [sys.executable, "-m", "crawler.run", "--config", str(config_path), "--db", str(db_path)]
    if crawl_date:
        cmd += ["--crawl-date", crawl_date.isoformat()]
    result = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        with Store(db_path) as store:
            last = store.recent_runs(1)
        note = last[0]["note"] if last and last[0]["kind"] == "crawl" and last[0]["note"] else None
        raise CrawlError(note or f"crawl process exited with {result.returncode}")
    return int(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--config", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--crawl-date", type=date.fromisoformat)
    args = parser.parse_args(argv)
    run_id = crawl_here(load_config(args.config), args.db, args.crawl_date)
    print(run_id)
    return 0


if __name__ == "__main__":
    sys.exit(main())
