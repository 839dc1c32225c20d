"""A CPU-time budget for the work on one page.

Extraction runs in the spider's callbacks, on the reactor's thread. One hostile
page (a megabyte of repeated recordsets, a script built to make a parser
backtrack) could hold that thread for minutes: nothing else is crawled and even
SIGTERM waits. `cpu_budget` arms a CPU-time timer (SIGPROF); when it expires, a
`PageTooCostly` is raised inside the work at the next bytecode. Regex matching
checks for signals too, and lxml's parser is linear on the capped bodies Scrapy
hands over (DOWNLOAD_MAXSIZE), so no single step outlives the budget by much.
The timer repeats every 50 ms, so code that swallows the exception gets it again.

Why not a worker process: pages, soups and results would have to cross a pipe
for every page, and a killed worker must be replaced; the timer needs neither,
and what it cannot stop (a C call that never returns) SIGTERM's watchdog
(crawler/run.py) still ends.
"""
from __future__ import annotations

import signal
import threading
from contextlib import contextmanager
from typing import Iterator

DEFAULT_SECONDS = 2.0
_REPEAT = 0.05


class PageTooCostly(Exception):
    """The work on one page used more CPU time than its budget."""


_armed: list[float] = []      # the budget of the block running now, if any
_installed = False


def _expired(signum, frame) -> None:
    if _armed:
        raise PageTooCostly(f"超过单页处理时限（CPU {_armed[0]:g} 秒）")


@contextmanager
def cpu_budget(seconds: float | None = DEFAULT_SECONDS) -> Iterator[None]:
    """Raise PageTooCostly inside the block once it has used `seconds` of CPU time.

    Only in the main thread (where signals are delivered); elsewhere, or with no
    budget, the block runs unbounded. Blocks do not nest.
    """
    global _installed
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread():
        yield
        return
    if not _installed:
        # Installed once and left: a late tick after a block ends finds nothing armed.
        signal.signal(signal.SIGPROF, _expired)
        _installed = True
    _armed[:] = [seconds]
    signal.setitimer(signal.ITIMER_PROF, seconds, _REPEAT)
    try:
        yield
    finally:
        _armed.clear()
        signal.setitimer(signal.ITIMER_PROF, 0)
