"""`govfresh worker`: take requests of a distributed crawl from Redis, answer them, commit each answer.

A worker runs the same spider as a single-process crawl, with four differences:

* its scheduler (`LeasedScheduler`, scrapy-redis's with leased pops) takes requests from
  the shared queue; a retry or redirect of a leased request stays on this worker under
  the original lease;
* the outermost spider middleware (`CommitMiddleware`) collects everything a callback
  produced — after Scrapy's own middlewares, as a single process would see it — and
  commits it with the lease in one step (crawler/distributed/queue.py); errbacks are
  committed the same way;
* no start requests (the coordinator seeded them) and no item pipeline (facts travel
  to the coordinator, the crawl's one writer);
* `WorkerLoop` renews the heartbeat that keeps its leases, pops as soon as there is
  room, and ends the worker's part when the coordinator says the crawl is over or is gone.

Every request carries its unit's scope in its meta, so the scope guard
(crawler/middlewares.py) holds on every worker whatever its own sites.yaml says.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from collections import deque
from datetime import date
from typing import Any

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy_redis.scheduler import Scheduler

from crawler.distributed.queue import LEASE, Keys, LeasedQueue, new_worker_id
from crawler.distributed.redis_url import connect, redacted
from crawler.distributed.state import RedisClaims, RedisPreviousCrawl
from crawler.spiders.disclosure import DisclosureSpider

POLL_SECONDS = 0.5      # how often a waiting worker looks for a crawl
FEED_SECONDS = 0.1      # how often an idle worker looks for requests
ENV_REDIS = "GOVFRESH_REDIS_URL"   # how `serve` hands the URL (it may hold a password) to its children


class WorkerSpider(DisclosureSpider):
    """The disclosure spider on a worker: requests leased from Redis, per-unit state shared there."""

    def __init__(self, redis_url: str, keys: Keys, worker: str, lease_seconds: float, **kwargs: Any):
        server = connect(redis_url)
        super().__init__(claims=RedisClaims(server, keys), previous=RedisPreviousCrawl(server, keys), **kwargs)
        self.keys = keys
        self.queue = LeasedQueue(server, self, keys, worker, lease_seconds)

    async def start(self) -> Any:
        return
        yield

    def _link_check(self, unit: str, url: str, text: str):
        """As in one process, but never waiting on a check another request made: its answer would
        carry this unit's fact under that request's lease, lost if that worker died in between.
        Finished results are still shared (the fact is then this request's own)."""
        yield from super()._link_check(unit, url, text)
        self.links_waiting.clear()


class LeasedScheduler(Scheduler):
    """scrapy-redis's scheduler over the leased queue."""

    def open(self, spider):
        self.spider = spider
        self.queue = spider.queue
        if not self.df:
            from scrapy.utils.misc import load_object
            self.df = load_object(self.dupefilter_cls).from_spider(spider)
        self.held: deque = deque()

    def close(self, reason):
        # Whatever this worker still holds (a stop, a crash of the engine) goes back at once.
        self.spider.queue.give_back()

    def enqueue_request(self, request) -> bool:
        if LEASE in request.meta:   # a retry or redirect of a request this worker leased
            self.held.append(request)
            return True
        if not request.dont_filter and self.df.request_seen(request):
            return False
        self.queue.seed([request])
        return True

    def next_request(self):
        if self.held:
            return self.held.popleft()
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.held) or len(self.queue) > 0


class CommitMiddleware:
    """A response's whole output, committed with its request's lease."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_spider_input(self, response, spider=None):
        self.crawler.spider.adopt(response.meta)

    def process_spider_output(self, response, result, spider=None):
        outputs: list[Any] = []
        try:
            outputs.extend(result)
        finally:
            self.crawler.spider.queue.commit(response.meta, outputs)   # on an exception too: what came before
        yield from ()

    async def process_spider_output_async(self, response, result, spider=None):
        outputs: list[Any] = []
        try:
            async for output in result:
                outputs.append(output)
        finally:
            self.crawler.spider.queue.commit(response.meta, outputs)
        return
        yield

    def process_spider_exception(self, response, exception, spider=None):
        self.crawler.spider.queue.commit(response.meta, [])   # the callback failed before any output
        return None


class WorkerLoop:
    """Heartbeat, prompt pops, and the end of this worker's part in the crawl."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.closing: str | None = None
        self.last_check = 0.0
        crawler.signals.connect(self.opened, signals.spider_opened)
        crawler.signals.connect(self.idle, signals.spider_idle)
        crawler.signals.connect(self.closed, signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def opened(self, spider) -> None:
        from twisted.internet import task
        self.spider = spider
        self.queue: LeasedQueue = spider.queue
        self.queue.heartbeat()
        self.heart = task.LoopingCall(self.queue.heartbeat)
        self.heart.start(self.queue.lease_ms / 3000, now=False)
        self.feeder = task.LoopingCall(self.feed)
        self.feeder.start(FEED_SECONDS)

    def feed(self) -> None:
        if self.closing:
            return
        now = time.monotonic()
        if now - self.last_check >= POLL_SECONDS:
            self.last_check = now
            why = crawl_over(self.queue.server, self.spider.keys)
            if why:
                self.close(why)
                return
        engine = self.crawler.engine
        if not engine.needs_backout():
            request = self.queue.pop()
            if request is not None:
                engine.crawl(request)

    def idle(self, spider) -> None:
        if not self.closing:
            raise DontCloseSpider   # the queue may fill again: other workers are still answering

    def close(self, reason: str) -> None:
        self.closing = reason
        engine = self.crawler.engine
        if hasattr(engine, "close_spider_async"):
            from scrapy.utils.defer import deferred_from_coro
            deferred_from_coro(engine.close_spider_async(reason=reason))
        else:   # Scrapy < 2.14
            engine.close_spider(self.spider, reason)

    def closed(self, spider) -> None:
        for loop in (self.heart, self.feeder):
            if loop.running:
                loop.stop()


def crawl_over(server, keys: Keys) -> str | None:
    """Why this worker's crawl is over (finished, stopped, replaced, coordinator gone), or None."""
    token, state = server.hmget(keys.announcement, "token", "state")
    if token is None or token.decode() != keys.token:
        return "replaced"
    if state.decode() != "crawling":
        return state.decode()
    if not server.exists(keys.coordinator):
        return "coordinator gone"
    return None


def wait_for_crawl(server, county: str, skip: str | None) -> tuple[Keys, dict]:
    """Block until a crawl of `county` (other than `skip`) is announced and its coordinator is alive."""
    keys = Keys(county)
    while True:
        found = {k.decode(): v.decode() for k, v in server.hgetall(keys.announcement).items()}
        if found.get("state") == "crawling" and found.get("token") != skip and server.exists(keys.coordinator):
            return Keys(county, found["token"]), json.loads(found["spec"])
        time.sleep(POLL_SECONDS)


def worker_settings(spec: dict, redis_url: str, keys: Keys):
    from scrapy.settings import Settings

    from crawler import settings as defaults
    settings = Settings()
    settings.setmodule(defaults, priority="project")
    settings.update(spec["settings"], priority="project")
    settings.update({
        "SCHEDULER": "crawler.distributed.worker.LeasedScheduler",
        "SCHEDULER_PERSIST": True,            # the queue is shared: a worker never clears it
        "SCHEDULER_QUEUE_KEY": keys.queue,
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": redis_url,
        "ITEM_PIPELINES": {},                 # facts go to Redis with each answer
        "SPIDER_MIDDLEWARES": {**settings.getdict("SPIDER_MIDDLEWARES"),
                               "crawler.distributed.worker.CommitMiddleware": 10},
        "EXTENSIONS": {**settings.getdict("EXTENSIONS"), "crawler.progress.CrawlProgress": None,
                       "crawler.distributed.worker.WorkerLoop": 500},
        "CLOSESPIDER_TIMEOUT": 0,             # the coordinator keeps the crawl's deadline
    }, priority="project")
    return settings


def work_once(redis_url: str, county: str, skip: str | None = None) -> str:
    """Wait for a crawl of `county`, work on it until it ends, return its token."""
    from scrapy.crawler import CrawlerProcess

    from crawler.run import STOP_GRACE, _stop_watchdog, offline_suffix_list

    offline_suffix_list()   # a worker, too, contacts nothing but Redis and the units' sites
    keys, spec = wait_for_crawl(connect(redis_url), county, skip)
    worker = new_worker_id()
    print(f"govfresh worker {worker}: crawl run {spec['run']} of {county} on {redacted(redis_url)}",
          file=sys.stderr, flush=True)
    process = CrawlerProcess(worker_settings(spec, redis_url, keys))
    crawler = process.create_crawler(WorkerSpider)
    kwargs = dict(spec["spider"], crawl_date=date.fromisoformat(spec["spider"]["crawl_date"]))
    process.crawl(crawler, redis_url=redis_url, keys=keys, worker=worker, lease_seconds=spec["lease"], **kwargs)
    # As in one process: SIGTERM ends the worker within seconds even while a page is parsed.
    from twisted.internet import reactor
    reactor.callWhenRunning(reactor.callLater, 0, _stop_watchdog, STOP_GRACE)
    process.start()
    return keys.token


def serve(redis_url: str, county: str, once: bool = False) -> None:
    """Work on every crawl of `county` as it comes (each in a fresh child process), or on one."""
    if once:
        work_once(redis_url, county)
        return
    connect(redis_url).ping()   # a wrong URL is said now, not in a child's log
    last = None
    while True:
        # The URL goes by environment, not argv: `ps` would show a password.
        child = subprocess.run([sys.executable, "-m", "crawler.distributed.worker", "--county", county,
                                *(["--skip", last] if last else [])],
                               env={**os.environ, ENV_REDIS: redis_url}, stdout=subprocess.PIPE, text=True)
        if child.returncode != 0:
            time.sleep(POLL_SECONDS)   # the crawl failed here; the coordinator requeues what we held
        elif child.stdout.strip():
            last = child.stdout.strip().splitlines()[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed.worker")
    parser.add_argument("--county", required=True)
    parser.add_argument("--skip", help="the token of a crawl already worked on")
    args = parser.parse_args(argv)
    print(work_once(os.environ[ENV_REDIS], args.county, args.skip))
    return 0


if __name__ == "__main__":
    sys.exit(main())
