"""The leased queue on a real Redis: a request's answer is committed once, whoever dies when."""
import json
from datetime import date

import scrapy

from crawler.distributed.queue import REQUEST_ID, Keys, LeasedQueue
from crawler.distributed.state import RedisClaims
from crawler.spiders.disclosure import DisclosureSpider

UNIT = {"name": "测试局", "kind": "department", "url": "http://127.0.0.1:9/xxgk/", "columns": []}


def queue_for(client, worker, lease_seconds=5.0):
    spider = DisclosureSpider(units=[UNIT], crawl_date=date(2026, 11, 27))
    return LeasedQueue(client, spider, Keys("测试县", "t1"), worker, lease_seconds)


def column_request(spider, url):
    return scrapy.Request(url, callback=spider.parse_column, errback=spider.column_failed, dont_filter=True,
                          meta={"unit": UNIT["name"], "column": "工作动态", "depth": 1})


def facts(client):
    return [json.loads(f) for f in client.lrange(Keys("测试县", "t1").facts, 0, -1)]


def test_a_request_taken_by_a_worker_that_dies_is_answered_once_by_another(redis_client):
    a, b = queue_for(redis_client, "a"), queue_for(redis_client, "b")
    a.seed([column_request(a.spider, "http://127.0.0.1:9/xxgk/gzdt/")])
    taken = a.pop()
    assert taken is not None and a.pop() is None and len(a) == 0   # leased: nobody else can take it
    assert not a.drained()                                           # ...and the crawl is not over
    assert a.requeue_dead() == 0                                     # a's heartbeat is alive
    redis_client.delete(a.keys.alive("a"))                           # a stops (kill -9): its key expires
    assert b.requeue_dead() == 1
    again = b.pop()
    assert again.url == taken.url and again.meta[REQUEST_ID] == taken.meta[REQUEST_ID]
    assert again.callback == b.spider.parse_column
    # a wakes up and commits late: dropped, b's answer is the one that counts.
    assert a.commit(taken.meta, [{"type": "column", "unit": UNIT["name"], "by": "a"}]) is False
    child = column_request(b.spider, "http://127.0.0.1:9/xxgk/gzdt/sub/")
    assert b.commit(again.meta, [{"type": "column", "unit": UNIT["name"], "by": "b"}, child]) is True
    assert [f["by"] for f in facts(redis_client)] == ["b"]
    assert b.commit(again.meta, [{"type": "column", "by": "b twice"}]) is False   # one commit per lease
    assert len(b) == 1 and not b.drained()                         # the child waits in the queue
    redis_client.delete(b.keys.facts)
    grandchild = b.pop()
    assert grandchild.url.endswith("/sub/") and grandchild.meta[REQUEST_ID] != again.meta[REQUEST_ID]
    b.commit(grandchild.meta, [])
    assert b.drained()
    assert b.stats() == {"answers:b": 2, "requeued": 1}


def test_a_closing_worker_gives_its_requests_back(redis_client):
    a = queue_for(redis_client, "a")
    a.seed([column_request(a.spider, f"http://127.0.0.1:9/xxgk/c{i}/") for i in range(3)])
    a.pop(), a.pop()
    assert len(a) == 1
    assert a.give_back() == 2
    assert len(a) == 3


def test_columns_are_claimed_once_per_unit_and_again_by_the_same_request(redis_client):
    claims = RedisClaims(redis_client, Keys("测试县", "t1"))
    first = {"unit": UNIT["name"], REQUEST_ID: "r1"}
    assert claims.take(first, ["/a", "/b", "/a"]) == {"/a", "/b"}
    # The same request answered again (its worker was killed before committing) yields them again.
    assert claims.take(first, ["/a", "/b"]) == {"/a", "/b"}
    assert claims.take({"unit": UNIT["name"], REQUEST_ID: "r2"}, ["/a", "/c"]) == {"/c"}
    assert claims.take({"unit": "另一局", REQUEST_ID: "r3"}, ["/a"]) == {"/a"}   # another unit's column
