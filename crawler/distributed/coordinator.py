"""The coordinator of a distributed crawl: seeds the queue, writes every fact, says when it is over.

`crawler/run.py` opens the run and closes it exactly as for a single-process crawl;
between the two, this process (and no worker) writes the store: it drains the facts
the workers committed through the same StorePipeline a single process uses, in
batches. It also requeues the requests of workers whose heartbeat stopped, and ends
the crawl only when nothing is queued, nothing is leased and every fact is written.
Killed (kill -9), it leaves a run that never counts, and its workers stop once its
own heartbeat key expires.
"""
from __future__ import annotations

import asyncio
import json
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

from crawler.bundle import facts_of
from crawler.distributed.queue import Keys, LeasedQueue
from crawler.distributed.redis_url import RedisUnavailable, connect, redacted
from crawler.distributed.state import publish_previous
from crawler.pipelines import StorePipeline

FACTS_PER_POP = 500
REQUEUE_EVERY = 0.5      # seconds between looks for stopped workers
STATUS_EVERY = 10.0      # seconds between status lines on a terminal


class LostCoordination(Exception):
    """Another coordinator took over this county's crawl (ours stalled past its lease)."""


def coordinate(county: str, db_path: str | Path, run_id: int, redis_url: str, spider_kwargs: dict,
               scrapy_settings: dict, previous, lease_seconds: float, max_duration: float
               ) -> tuple[str, str | None, tuple[list[str], list[str]]]:
    """Run the crawl on Redis workers: (finish reason as Scrapy would give it, store error or None,
    units not reached and units incomplete when max_duration cut the crawl short)."""
    from crawler.spiders.disclosure import DisclosureSpider

    try:
        server = connect(redis_url)
    except RedisUnavailable as exc:
        return str(exc), None, ([], [])
    keys = Keys(county, uuid.uuid4().hex[:12])
    lease_ms = int(lease_seconds * 1000)
    if not server.set(keys.coordinator, keys.token, nx=True, px=lease_ms):
        return f"another crawl of {county} is already coordinating on Redis {redacted(redis_url)}", None, ([], [])
    pipeline = None
    reason, unfinished = "finished", ([], [])
    restore = _interrupt_on_sigterm()
    try:
        _forget_other_crawls(server, keys)
        publish_previous(server, keys, db_path)
        spider = DisclosureSpider(previous=previous, **spider_kwargs)
        queue = LeasedQueue(server, spider, keys)
        queue.seed(asyncio.run(_start_requests(spider)))
        spec = {"run": run_id, "lease": lease_seconds, "settings": scrapy_settings,
                "spider": dict(spider_kwargs, crawl_date=spider_kwargs["crawl_date"].isoformat())}
        server.hset(keys.announcement, mapping={"token": keys.token, "run": run_id, "state": "crawling",
                                                "spec": json.dumps(spec, ensure_ascii=False)})
        print(f"crawl run {run_id} of {county} queued on Redis {redacted(redis_url)}: waiting for workers "
              f"(govfresh worker --config …)", file=sys.stderr, flush=True)
        pipeline = StorePipeline(str(db_path), run_id, spider_kwargs["units"], flush_seconds=0)
        pipeline.open_spider()
        unfinished = _drain(server, keys, queue, pipeline, lease_ms, time.monotonic() + max_duration)
        if unfinished is not None:
            reason = "closespider_timeout"   # as Scrapy names a crawl cut short by its deadline
        else:
            unfinished = ([], [])
        stats = queue.stats()
        answers = {k.partition(":")[2]: v for k, v in stats.items() if k.startswith("answers:")}
        print(f"crawl run {run_id}: {sum(answers.values())} pages answered by {len(answers)} workers "
              f"({', '.join(f'{w} {n}' for w, n in sorted(answers.items()))}); "
              f"{stats.get('requeued', 0)} requests requeued from stopped workers", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        reason = "shutdown"
    except Exception as exc:   # Redis lost, a fact the store refused: the run is not counted, and says why
        reason = f"coordinator failed ({type(exc).__name__}: {exc})"
    finally:
        restore()
        _end(server, keys, "finished" if reason == "finished" else "stopped")
    store_error = None
    if pipeline is not None and pipeline.store is not None:
        try:
            pipeline.close_spider()
        except Exception as exc:   # noqa: BLE001 — reported as the single-process crawl reports it
            store_error = f"{type(exc).__name__}: {exc}"
    return reason, store_error, unfinished


async def _start_requests(spider) -> list:
    return [request async for request in spider.start()]


def _drain(server, keys: Keys, queue: LeasedQueue, pipeline: StorePipeline, lease_ms: int,
           deadline: float) -> tuple[list[str], list[str]] | None:
    """Write facts as they come until the crawl is drained (None), or until the deadline:
    then the units never reached and those still incomplete."""
    last_flush = last_requeue = last_status = time.monotonic()
    reached: set[str] = set()
    while True:
        if server.get(keys.coordinator) != keys.token.encode():
            raise LostCoordination("the coordinator's lease expired and another crawl took over")
        server.pexpire(keys.coordinator, lease_ms)
        facts = server.lpop(keys.facts, FACTS_PER_POP)
        for item in facts or ():
            item = json.loads(item)
            reached.update(fact["unit"] for fact in facts_of(item) if fact["type"] in ("unit", "unit_unchanged"))
            pipeline.process_item(item)
        now = time.monotonic()
        if now >= deadline and not facts:
            server.hset(keys.announcement, "state", "stopped")   # workers stop taking requests
            pipeline.flush()
            left = queue.units_left()
            units = [u["name"] for u in pipeline.units]
            return [u for u in units if u not in reached], [u for u in units if u in reached and u in left]
        if now - last_flush >= 1.0:
            pipeline.flush()
            last_flush = now
        if now - last_requeue >= REQUEUE_EVERY:
            queue.requeue_dead()
            last_requeue = now
        if sys.stderr.isatty() and now - last_status >= STATUS_EVERY:
            _status(server, keys, pipeline)
            last_status = now
        if not facts:
            if queue.drained():
                pipeline.flush()
                return
            time.sleep(0.05)


def _status(server, keys: Keys, pipeline: StorePipeline) -> None:
    workers = [w.decode() for w in server.smembers(keys.workers)]
    leased = sum(server.zcard(keys.processing(w)) for w in workers)
    print(f"  {sum(pipeline.counts.values())} facts written, {server.zcard(keys.queue)} requests queued, "
          f"{leased} in progress on {len(workers)} workers", file=sys.stderr, flush=True)


def _end(server, keys: Keys, state: str) -> None:
    """Tell the workers the crawl is over and drop its keys (the announcement stays, saying so)."""
    try:
        server.hset(keys.announcement, "state", state)
        run_keys = list(server.scan_iter(match=f"{keys.prefix}:{keys.token}:*", count=1000))
        if run_keys:
            server.delete(*run_keys)
        if server.get(keys.coordinator) == keys.token.encode():
            server.delete(keys.coordinator)
    except Exception:   # noqa: BLE001 — Redis gone: the workers stop when our heartbeat expires
        pass


def _forget_other_crawls(server, keys: Keys) -> None:
    """Drop what killed crawls of this county left in Redis (we hold the county's lock)."""
    keep = {keys.announcement.encode(), keys.coordinator.encode()}
    stale = [k for k in server.scan_iter(match=f"{keys.prefix}:*", count=1000) if k not in keep]
    if stale:
        server.delete(*stale)


def _interrupt_on_sigterm():
    """SIGTERM ends the coordinator like Ctrl-C: the workers are told, the run is not counted."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)
