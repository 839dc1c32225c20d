"""The extraction CPU bench still runs (a smoke test: two units, no figures judged)."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_extract_cpu_bench_runs_and_prints_every_reader():
    out = subprocess.run([sys.executable, "bench/extract_cpu.py", "--units", "2"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-3000:]
    for reader in ("extract_list, column pages", "disclosure page: list + columns + links",
                   "extract_article_date, articles", "extract_text, articles"):
        assert reader in out.stdout, out.stdout
