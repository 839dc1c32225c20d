"""`kill -9` in the middle of a crawl: the half-written run never counts, and the next one works."""
import os
import signal
import subprocess
import sys
import time
from datetime import date

from mockserver import MockServer, hang, html
from rules.facts import latest_facts
from store import ABORTED, Store


def test_a_killed_crawl_leaves_nothing_half_counted(tmp_path):
    nav = "".join(f'<li><a href="c{i}/">栏目{i}动态</a></li>' for i in range(6))
    listing = '<ul class="list"><li><a href="/k/a/1.html">全县工作会议召开</a><span>2026-11-25</span></li></ul>'
    routes = {}
    for unit in ("quick", "hangs"):
        routes[f"/{unit}/xxgk/"] = html(f"<html><body><ul>{nav}</ul></body></html>")
        for i in range(6):
            # One unit's columns answer at once, the other's hang: the kill lands mid-crawl.
            routes[f"/{unit}/xxgk/c{i}/"] = html(f"<html><body>{listing}</body></html>") if unit == "quick" else hang(30)
    with MockServer(routes) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"county: 测试县\nunits:\n  - name: 测试局\n    url: {server.url}/hangs/xxgk/\n"
                         f"  - name: 快局\n    url: {server.url}/quick/xxgk/\n", encoding="utf-8")
        db = tmp_path / "k.db"
        child = subprocess.Popen([sys.executable, "-m", "crawler.run", "--config", str(sites), "--db", str(db),
                                  "--crawl-date", "2026-11-27"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until some facts are on disk
            if db.exists():
                with Store(db) as store:
                    if store.db["observations"].count >= 3:
                        break
            time.sleep(0.2)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        with Store(db) as store:
            assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            assert store.db["observations"].count >= 3      # facts were written...
            assert store.latest_run() is None               # ...but the run never counts
            assert latest_facts(store, date(2026, 11, 27)) == (None, [])
            killed = store.recent_runs(1)[0]["id"]
            # The next crawl marks the dead run aborted and stands on its own.
            store.start_run("crawl", date(2026, 11, 28))
            assert store.run(killed)["status"] == ABORTED
