"""A county portal nobody on the crawler side wrote (青山县, tests/fixtures/portal_unseen):
ten units, each in another vendor's markup. The crawl must see what its truth
file says and find exactly its planted problems — the check a new user's
portal would put govfresh to.
"""
import json
import subprocess
import sys
from datetime import date

import pytest

from unseen_portal import UnseenPortal

TODAY = date(2026, 11, 27)


def key(f):
    rule = f["rule"]
    column = f.get("url") if rule == "dead_link" and "url" in f else f.get("column")
    if rule in ("guide_missing_element", "annual_report_missing", "site_unreachable"):
        column = None
    return (f["unit"], rule, column, f.get("element"))


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unseen")
    with UnseenPortal(TODAY) as portal:
        sites = portal.sites(tmp / "sites.yaml")
        result = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(sites), "--db",
                                 str(tmp / "u.db"), "--crawl-date", TODAY.isoformat()],
                                capture_output=True, text=True, timeout=600)
        assert result.returncode == 0, result.stderr
        truth = portal.truth()
    out = subprocess.run([sys.executable, "-m", "cli", "export", "--db", str(tmp / "u.db"), "--as-of",
                          TODAY.isoformat()], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return truth, json.loads(out.stdout)


def found_keys(export):
    return {key({**f, "unit": u["name"]}) for u in export["units"] for f in u["findings"]
            if f["state"] != "rectified"}


def test_every_planted_problem_is_found(crawled):
    truth, export = crawled
    expected = {key(f) for f in truth["findings"]}
    assert expected - found_keys(export) == set()


def test_no_false_findings(crawled):
    truth, export = crawled
    allowed = {key(f) for f in truth["findings"] + truth.get("optional_findings", [])}
    assert found_keys(export) - allowed == set()


def test_traps_are_not_reported(crawled):
    truth, export = crawled
    found = {(u, r, c) for u, r, c, _ in found_keys(export)}
    traps = {(t["unit"], t["rule"], t.get("column") if t["rule"] not in ("guide_missing_element",
              "annual_report_missing", "site_unreachable") else None) for t in truth["must_not_report"]}
    assert found & traps == set()


def test_every_column_fact_matches(crawled):
    truth, export = crawled
    units = {u["name"]: u for u in export["units"]}
    wrong = []
    for unit in truth["units"]:
        got_unit = units[unit["name"]]
        assert got_unit["reachable"] is unit["reachable"], unit["name"]
        cols = {c["url"]: c for c in got_unit["columns"]}
        for col in unit.get("columns", []):
            got = cols.get(col["url"])
            where = f"{unit['name']} / {col['name']}"
            if got is None:
                wrong.append(f"{where}: not discovered")
                continue
            if got["name"] != col["name"]:
                wrong.append(f"{where}: named {got['name']!r}")
            if col["state"] == "error":
                if got["state"] != "unreachable":
                    wrong.append(f"{where}: state {got['state']}")
            elif col["state"] in ("list", "empty"):
                newest = col.get("newest_date")
                newest = newest.isoformat() if isinstance(newest, date) else newest
                if (got["state"], got["newest_date"], got["item_count"]) != (col["state"], newest, col["item_count"]):
                    wrong.append(f"{where}: got {got['state']} {got['newest_date']} {got['item_count']}, "
                                 f"want {col['state']} {newest} {col['item_count']}")
    assert wrong == []


@pytest.mark.parametrize("period", ["week", "month"])
def test_every_form_is_produced_for_the_unseen_county(crawled, period, tmp_path):
    from openpyxl import load_workbook

    from reports import build_period, chat_parts, render

    _, export = crawled
    model = build_period(export, period)
    formats = ["html", "md", "xlsx", "docx", "chat"]
    try:
        from reports.renderers.png import find_cjk_font
        find_cjk_font()
        formats.append("png")
    except Exception:  # noqa: BLE001 — the picture has its own tests that require the font in CI
        pass
    paths = render(model, formats, tmp_path)
    assert [p.suffix for p in paths] == [".html", ".md", ".xlsx", ".docx", ".txt"] + ([".png"] if "png" in formats else [])
    open_findings = sum(1 for u in export["units"] for f in u["findings"] if f["state"] in ("new", "open"))
    sheet = load_workbook(paths[2])["问题清单"]
    numbered = [row for row in sheet.iter_rows(values_only=True) if isinstance(row[0], int)]
    assert len(numbered) == open_findings  # one numbered row per open finding
    for limit, kind in ((2048, "text"), (4096, "markdown")):
        assert all(len(part.encode("utf-8")) <= limit for part in chat_parts(model, limit, kind))
