"""The crawl bench still runs end to end (a smoke test: tiny sizes, no figures judged)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_crawl_bench_runs_and_prints_every_target(tmp_path):
    out = subprocess.run([sys.executable, "bench/crawl.py", "--server", "python", "--pages", "56", "--big", "0",
                          "--rounds", "2", "--keep", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    assert "WARNING" not in out.stdout, out.stdout
    for line in ("bare Scrapy spider, fetch only", "govfresh crawl, day 1", "govfresh crawl, day 2",
                 "govfresh crawl, day 3 (nothing changed)", "round 2/2",
                 "CPU per list page, govfresh day 1 / bare Scrapy", "CPU, nothing changed / day 1",
                 "~1 list in 10 changed / day 1", "peak RSS at"):
        assert line in out.stdout, out.stdout
