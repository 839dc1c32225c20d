"""A crawl past one machine: the request queue in Redis, workers anywhere, one writer.

`govfresh crawl` with `crawl.redis` (or `--redis`) becomes the coordinator
(coordinator.py): it opens the run in SQLite, puts each unit's disclosure page in
the Redis queue and is the only process that writes the store. `govfresh worker`
processes (worker.py), on any number of machines, take requests from the queue
under a lease (queue.py) and commit each answer — the facts it produced and the
requests it led to — in one atomic step. Per-unit state that a single process
keeps in memory travels with the requests or lives in Redis (state.py).
"""
