"""Offline-first: a crawl asks nothing of any address but the configured sites.

County offices often run on a government intranet. The crawl runs in a child
process in which every other address is refused (tests/netguard.py), against a
site that sets a domain cookie (what made Scrapy's cookie handling download the
public-suffix list through tldextract); the log must be clean.
"""
import os
import subprocess
import sys
from pathlib import Path

from mockserver import MockServer, html
from test_spider import listing, nav, page

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent


def test_a_crawl_contacts_only_the_configured_sites(tmp_path):
    cookie = {"Set-Cookie": "JSESSIONID=1; Domain=127.0.0.1; Path=/"}
    routes = {"/o/xxgk/": html(page("信息公开", nav(("工作动态", "/o/gzdt/"))), extra=cookie),
              "/o/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/o/a/1.html", "2026-11-25"))),
                               extra=cookie)}
    attempts = tmp_path / "attempts.log"
    with MockServer(routes) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"county: 测试县\nunits:\n  - name: 内网局\n    url: {server.url}/o/xxgk/\n", encoding="utf-8")
        env = {**os.environ, "GOVFRESH_NETGUARD_LOG": str(attempts), "HOME": str(tmp_path),
               "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": os.pathsep.join([str(TESTS), str(ROOT)])}
        env.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
        result = subprocess.run(
            [sys.executable, "-c", "import netguard, sys; from cli import main; sys.exit(main(sys.argv[1:]))",
             "crawl", "--config", str(sites), "--db", str(tmp_path / "o.db"), "--crawl-date", "2026-11-27"],
            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert not attempts.exists(), attempts.read_text()
    assert "Traceback" not in result.stderr and "ERROR" not in result.stderr, result.stderr
    assert ("GET", "/o/gzdt/") in server.hits
