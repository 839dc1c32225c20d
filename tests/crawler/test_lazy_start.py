"""A province's units enter Scrapy only as it has room for them, not all in the first second."""
import asyncio
from datetime import date
from types import SimpleNamespace

from scrapy import signals
from scrapy.utils.test import get_crawler

from crawler.spiders.disclosure import DisclosureSpider


def test_units_wait_outside_scrapy_until_it_has_room():
    units = [{"name": f"第{i}局", "kind": "department", "url": f"http://127.0.0.{i % 8 + 1}:9/u{i}/xxgk/"}
             for i in range(30)]
    crawler = get_crawler(DisclosureSpider)
    spider = DisclosureSpider.from_crawler(crawler, units=units, crawl_date=date(2026, 11, 27))
    engine = SimpleNamespace(full=False)
    engine.needs_backout = lambda: engine.full
    crawler.engine = engine

    async def start():
        units_in = spider.start().__aiter__()
        first = await units_in.__anext__()
        engine.full = True
        second = asyncio.ensure_future(units_in.__anext__())
        await asyncio.sleep(0.05)
        waited = not second.done()
        engine.full = False
        crawler.signals.send_catch_log(signals.scheduler_empty)
        return waited, [first, await asyncio.wait_for(second, 5)] + [r async for r in units_in]

    waited, requests = asyncio.run(start())
    assert waited, "the next unit went in while Scrapy's downloader was full"
    assert [r.url for r in requests] == [u["url"] for u in units]
