"""A crawl as a user runs it: sites.yaml written, `govfresh crawl` and `export` in child processes."""
import json
import subprocess
import sys
from datetime import date
from pathlib import Path


def govfresh(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=timeout)


def crawl_and_export(tmp: Path, units: dict[str, str], crawl_date: date, crawl: tuple[str, ...] = (),
                     timeout: float = 10) -> tuple[dict, Path, subprocess.CompletedProcess]:
    """Export of one crawl of `units` (name → URL) by unit name, the database, the crawl's process.

    `crawl`: extra lines of the `crawl:` section, e.g. "  browser: false".
    """
    sites = tmp / "sites.yaml"
    lines = ["county: 测试县", "crawl:", f"  timeout: {timeout}", *crawl, "units:"]
    for name, url in units.items():
        lines += [f"  - name: {name}", f"    url: {url}"]
    sites.write_text("\n".join(lines) + "\n", encoding="utf-8")
    db = tmp / "t.db"
    run = govfresh("crawl", "--config", str(sites), "--db", str(db), "--crawl-date", crawl_date.isoformat())
    assert run.returncode == 0, run.stderr
    export = govfresh("export", "--db", str(db), "--as-of", crawl_date.isoformat())
    assert export.returncode == 0, export.stderr
    return {u["name"]: u for u in json.loads(export.stdout)["units"]}, db, run


def comparable(data: dict) -> dict:
    """An export without what differs between any two crawls: run id, timestamps, write order."""
    for key in ("id", "started", "finished"):
        data["run"].pop(key)
    for unit in data["units"]:
        unit.pop("crawled_at")
        unit["columns"].sort(key=lambda c: c["url"])
        unit["findings"].sort(key=lambda f: json.dumps(f, sort_keys=True, ensure_ascii=False))
    return data
