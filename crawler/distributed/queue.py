"""The request queue on Redis: scrapy-redis's priority queue, with leases so a killed worker loses nothing.

scrapy-redis pops a request by deleting it from the queue; a worker killed then
(kill -9, a power cut) takes the request with it. Here a pop *moves* the request,
in one Lua step, into the worker's own processing set and renews the worker's
heartbeat key. The request leaves that set only when the worker commits its answer:
the facts it produced (a list the coordinator drains) and the requests it led to
(back into the queue) are added in the same Lua step that removes it, and only if
it is still there. A worker whose heartbeat key expired has its processing set put
back into the queue whole (`requeue`); should it wake up later, its commits find
their requests gone and add nothing, so every request's answer is committed once.

Keys live under `govfresh:<county>` and, per crawl, under a token the coordinator
draws, so a new crawl never mixes with the leftovers of a killed one.
"""
from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Iterable

from scrapy import Request
from scrapy_redis.queue import PriorityQueue

# Request meta keys: the request's identity (kept when it is requeued, new for every
# request a callback yields), the queue entry its worker leased, and whether that
# lease was already committed.
REQUEST_ID = "govfresh_id"
LEASE = "govfresh_lease"
COMMITTED = "govfresh_committed"


@dataclass(frozen=True)
class Keys:
    """The Redis key names of one county, and of one crawl of it (`token`)."""
    county: str
    token: str = ""

    @property
    def prefix(self) -> str:
        return f"govfresh:{self.county}"

    @property
    def announcement(self) -> str:   # hash: token, run, spec, state — what workers look for
        return f"{self.prefix}:run"

    @property
    def coordinator(self) -> str:    # the coordinator's lock and heartbeat (its token, with a TTL)
        return f"{self.prefix}:coordinator"

    def _run(self, name: str) -> str:
        return f"{self.prefix}:{self.token}:{name}"

    queue = property(lambda self: self._run("requests"))
    dupefilter = property(lambda self: self._run("dupefilter"))
    facts = property(lambda self: self._run("facts"))
    workers = property(lambda self: self._run("workers"))
    claims = property(lambda self: self._run("claims"))
    previous = property(lambda self: self._run("previous"))
    stats = property(lambda self: self._run("stats"))

    def processing(self, worker: str) -> str:
        return self._run(f"processing:{worker}")

    def alive(self, worker: str) -> str:
        return self._run(f"alive:{worker}")


_POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return false end
redis.call('ZREM', KEYS[1], found[1])
redis.call('ZADD', KEYS[2], found[2], found[1])
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
redis.call('SADD', KEYS[4], ARGV[1])
return found[1]
"""

# ARGV: the lease, the worker, the number of requests, (score, request) per request, then the facts.
_COMMIT = """
if redis.call('ZREM', KEYS[1], ARGV[1]) == 0 then return 0 end
local n = tonumber(ARGV[3])
for i = 0, n - 1 do redis.call('ZADD', KEYS[2], ARGV[4 + 2 * i], ARGV[5 + 2 * i]) end
for i = 4 + 2 * n, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
redis.call('HINCRBY', KEYS[4], 'answers:' .. ARGV[2], 1)
return 1
"""

# ARGV[2] == '1': the worker gives its own requests back (closing); else only when its heartbeat stopped.
_REQUEUE = """
if ARGV[2] ~= '1' and redis.call('EXISTS', KEYS[3]) == 1 then return -1 end
local held = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #held, 2 do redis.call('ZADD', KEYS[2], held[i + 1], held[i]) end
redis.call('DEL', KEYS[1])
redis.call('SREM', KEYS[4], ARGV[1])
if #held > 0 then redis.call('HINCRBY', KEYS[5], 'requeued', #held / 2) end
return #held / 2
"""

_DRAINED = """
if redis.call('ZCARD', KEYS[1]) > 0 or redis.call('LLEN', KEYS[2]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('ZCARD', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""


def new_worker_id() -> str:
    import os
    import socket
    return f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class LeasedQueue(PriorityQueue):
    """A scrapy-redis PriorityQueue whose pops are leases, committed with the answer.

    Requests are encoded as scrapy-redis encodes them (Request.to_dict, pickled): the
    Redis server must be one only the office's crawl machines can reach.
    """

    def __init__(self, server, spider, keys: Keys, worker: str = "", lease_seconds: float = 15.0):
        super().__init__(server, spider, keys.queue)
        self.keys = keys
        self.worker = worker
        self.lease_ms = int(lease_seconds * 1000)
        self._pop = server.register_script(_POP)
        self._commit = server.register_script(_COMMIT)
        self._requeue = server.register_script(_REQUEUE)
        self._drained = server.register_script(_DRAINED)

    # ---- the coordinator's side ------------------------------------------------

    def seed(self, requests: Iterable[Request]) -> int:
        """Put new requests (each unit's disclosure page) in the queue."""
        entries = [(-r.priority, self.encode_new(r)) for r in requests]
        with self.server.pipeline() as pipe:
            for score, data in entries:
                pipe.execute_command("ZADD", self.key, score, data)
            pipe.execute()
        return len(entries)

    def requeue_dead(self) -> int:
        """Give the requests of every worker whose heartbeat stopped back to the queue."""
        moved = 0
        for worker in self.server.smembers(self.keys.workers):
            worker = worker.decode() if isinstance(worker, bytes) else worker
            moved += max(0, self._requeue_worker(worker, force=False))
        return moved

    def stats(self) -> dict[str, int]:
        """Answers committed per worker ('answers:<worker>') and requests requeued ('requeued')."""
        return {k.decode(): int(v) for k, v in self.server.hgetall(self.keys.stats).items()}

    def units_left(self) -> set[str]:
        """The units of the requests still queued or leased (a crawl cut short by its deadline)."""
        entries = list(self.server.zrange(self.key, 0, -1))
        for worker in self.server.smembers(self.keys.workers):
            entries += self.server.zrange(self.keys.processing(worker.decode()), 0, -1)
        return {self.serializer.loads(e)["meta"]["unit"] for e in entries}

    def drained(self) -> bool:
        """Nothing queued, nothing leased, no fact waiting: the crawl is complete."""
        return bool(self._drained(keys=[self.keys.queue, self.keys.facts, self.keys.workers],
                           args=[self.keys.processing("")]))

    # ---- the worker's side ------------------------------------------------------

    def pop(self, timeout: int = 0) -> Request | None:
        """The next request, leased to this worker until its answer is committed."""
        data = self._pop(keys=[self.key, self.keys.processing(self.worker), self.keys.alive(self.worker),
                               self.keys.workers], args=[self.worker, self.lease_ms])
        if data is None:
            return None
        request = self._decode_request(data)
        request.meta[LEASE] = data
        if "started" in request.meta:
            request.meta["started"] = time.monotonic()   # timed on this worker's clock, from now
        # A download that fails still answers: the errback (or, without one, a plain
        # commit of nothing) releases the lease.
        request.errback = CommittingErrback(self, request.errback)
        return request

    def heartbeat(self) -> None:
        self.server.set(self.keys.alive(self.worker), "1", px=self.lease_ms)

    def give_back(self) -> int:
        """A closing worker returns every request it still holds."""
        return self._requeue_worker(self.worker, force=True)

    def commit(self, meta: dict, outputs: list[Any]) -> bool:
        """Release the lease of the request `meta` belongs to, adding its facts and new requests.

        False when the lease was lost (this worker's heartbeat stopped and the request went
        back to the queue): another worker answers it, and these outputs are dropped.
        """
        if LEASE not in meta or meta.get(COMMITTED):
            return False
        meta[COMMITTED] = True
        requests = [o for o in outputs if isinstance(o, Request)]
        facts = [json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in outputs
                 if not isinstance(o, Request)]
        args: list[Any] = [meta[LEASE], self.worker, len(requests)]
        for request in requests:
            args += [-request.priority, self.encode_new(request)]
        return bool(self._commit(keys=[self.keys.processing(self.worker), self.key, self.keys.facts,
                                       self.keys.stats], args=args + facts))

    # ---- both ------------------------------------------------------------------

    def encode_new(self, request: Request) -> bytes:
        """Encode a request that enters the queue for the first time: it gets its own identity."""
        meta = request.meta
        for key in (LEASE, COMMITTED):
            meta.pop(key, None)
        meta[REQUEST_ID] = uuid.uuid4().hex
        if isinstance(request.errback, CommittingErrback):   # a copy of a leased request (HEAD → GET)
            request = request.replace(errback=request.errback.errback)
        return self._encode_request(request)

    def _requeue_worker(self, worker: str, force: bool) -> int:
        return int(self._requeue(keys=[self.keys.processing(worker), self.key, self.keys.alive(worker),
                                       self.keys.workers, self.keys.stats], args=[worker, "1" if force else "0"]))


class CommittingErrback:
    """A leased request's errback: the spider's own (if any), its output committed with the lease."""

    def __init__(self, queue: LeasedQueue, errback):
        self.queue = queue
        self.errback = errback

    def __call__(self, failure):
        meta = failure.request.meta
        self.queue.spider.adopt(meta)
        if self.errback is None:
            self.queue.commit(meta, [])
            failure.raiseException()   # Scrapy logs the failure as for a request without errback
        outputs: list[Any] = []
        try:
            outputs.extend(self.errback(failure) or ())
        finally:
            self.queue.commit(meta, outputs)
        return []
