"""A distributed re-crawl asks every page conditionally, as one process does: the last crawl's
validators, found_on and checked links reach the workers through Redis."""
import shutil
import subprocess
import sys

from mockserver import MockServer
from test_recrawl import GUIDE, conditional, county_site, facts
from test_spider import govfresh


def crawl(server, sites, db, day, *extra):
    server.not_modified.clear()
    server.hits.clear()
    result = govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", day, *extra)
    assert result.returncode == 0, result.stderr[-3000:]
    unit = __import__("json").loads(govfresh("export", "--db", str(db), "--as-of", day).stdout)["units"][0]
    return unit, sorted(server.not_modified), sorted(server.hits)


def test_a_recrawl_on_workers_is_as_conditional_as_one_process(tmp_path, redis_server):
    routes = {path: conditional(route) for path, route in county_site(GUIDE).items()}
    with MockServer(routes) as server:
        server.not_modified = []
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"county: 测试县\nunits:\n  - name: 条件局\n    url: {server.url}/q/xxgk/\n",
                         encoding="utf-8")
        crawl(server, sites, tmp_path / "one.db", "2026-11-26")
        shutil.copy(tmp_path / "one.db", tmp_path / "many.db")
        single = crawl(server, sites, tmp_path / "one.db", "2026-11-27")
        worker = subprocess.Popen([sys.executable, "-m", "cli", "worker", "--config", str(sites), "--redis",
                                   redis_server.url, "--once"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            distributed = crawl(server, sites, tmp_path / "many.db", "2026-11-27", "--redis", redis_server.url)
            assert worker.wait(timeout=60) == 0
        finally:
            worker.kill()
    unit, not_modified, hits = distributed
    assert len(not_modified) >= 8 and not_modified == single[1]   # every page kind answered 304, as in one process
    assert hits == single[2]                                      # and nothing else was asked
    assert facts(unit) == facts(single[0])
