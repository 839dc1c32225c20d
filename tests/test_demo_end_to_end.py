"""The whole job on the demo county, as `make demo` runs it: the real spider,
the store, the rules and the report.

The demo portal says what it contains (demo.county.expected); the crawl must
find exactly that — every planted problem and no false finding.
"""
import json
import subprocess
import sys
from datetime import date

import pytest
import yaml

from crawler.browser import chromium_path
from demo.county import compare, expected

TODAY = date(2026, 11, 27)


def govfresh(*args):
    result = subprocess.run([sys.executable, "-m", "cli", *args], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    printed = govfresh("demo", "--today", TODAY.isoformat(), "--out", str(out))
    export = json.loads(govfresh("export", "--db", str(out / "demo.db"), "--as-of", TODAY.isoformat()))
    # The portal's port was chosen at run time: read it back from the sites.yaml the demo wrote.
    urls = {u["name"]: u["url"] for u in yaml.safe_load((out / "sites.yaml").read_text(encoding="utf-8"))["units"]}
    base = urls["清河县教育局"].split("/jyj/")[0]
    refused = urls["清河县医疗保障局"].split("/ybj/")[0]
    # Without Chromium the crawl reads as before: the portal's answer key says what that sees.
    return out, printed, export, expected(TODAY, base, refused, browser=chromium_path() is not None)


def test_every_planted_problem_is_found_and_nothing_else(demo_run):
    _, _, export, truth = demo_run
    missed, false = compare(export, truth["findings"])
    assert false == set(), "false findings"
    assert missed == set(), "missed findings"
    assert len(truth["findings"]) >= 10


def test_every_unit_and_column_fact_matches_the_portal(demo_run):
    _, _, export, truth = demo_run
    units = {u["name"]: u for u in export["units"]}
    assert set(units) == {u["name"] for u in truth["facts"]}
    for unit_truth in truth["facts"]:
        unit = units[unit_truth["name"]]
        assert unit["reachable"] is unit_truth["reachable"], unit_truth["name"]
        crawled_cols = {c["url"]: c for c in unit["columns"]}
        for col in unit_truth["columns"]:
            where = f"{unit_truth['name']} / {col['name']}"
            got = crawled_cols.get(col["url"])
            assert got is not None, f"{where}: not discovered"
            assert got["name"] == col["name"], where
            if col["state"] in ("list", "empty"):
                assert got["state"] == col["state"], where
                assert got["newest_date"] == (col["newest_date"].isoformat() if col["newest_date"] else None), where
                assert got["item_count"] == col["item_count"], where
                if col["date_source"]:
                    assert got["date_source"] == col["date_source"], where
                # As served, through the page's own data call, or in the browser.
                assert got["list_source"] == col["list_source"], where


def test_demo_prints_summary_self_check_and_report_path(demo_run):
    out, printed, _, truth = demo_run
    assert "个单位" in printed and "存在问题" in printed
    # What it took: the lists read through their data calls and in the browser.
    assert "3 个栏目列表通过数据接口读取（hanweb_dataproxy 2，json_api 1）" in printed
    if chromium_path() is not None:
        assert "1 个栏目列表用浏览器读取" in printed and "1 个信息公开页在浏览器中通过反爬虫验证后读取" in printed
    n = len(truth["findings"])
    assert f"模拟县预设问题 {n} 个：发现 {n} 个，漏报 0 个，误报 0 个" in printed
    report = next(line for line in printed.splitlines() if line.startswith("周问题清单："))
    html_path = out / f"weekly-{TODAY.isoformat()}.html"
    assert report.endswith(str(html_path.resolve()))
    html = html_path.read_text(encoding="utf-8")
    for unit, _, _, _ in truth["findings"]:
        assert unit in html
    assert "栏目更新不及时" in html


def test_report_command_rebuilds_the_week_from_the_store(demo_run, tmp_path):
    out, _, _, _ = demo_run
    printed = govfresh("report", "--db", str(out / "demo.db"), "--period", "month", "--as-of", TODAY.isoformat(),
                       "--out", str(tmp_path))
    assert (tmp_path / "monthly-2026-11.html").exists() and (tmp_path / "monthly-2026-11.md").exists()
    assert "monthly-2026-11.html" in printed
