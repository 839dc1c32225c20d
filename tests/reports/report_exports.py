"""Small export dicts for the report tests, built in code so each test shows
only the facts it is about. (Not a conftest: imported by name.)"""
from __future__ import annotations

import json
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"

# What a hostile or broken site could put into a title, a column name or a URL.
SCRIPT = "<script>alert(1)</script>"
IMG_ONERROR = "<img src=x onerror=alert(1)>"
JS_URL = "javascript:alert(1)"
MD_JS_LINK = "[点此查看](javascript:alert(1))"
MD_IMAGE = "![x](http://evil.example/x.png)"
FORMULA = '=HYPERLINK("http://evil","x")'


def load(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def finding(rule: str = "column_stale", severity: str = "veto", column: str | None = "工作动态",
            **extra) -> dict:
    base = {"rule": rule, "severity": severity, "column": column,
            "url": "http://www.qinghe.gov.cn/x/", "element": None,
            "message": f"{column or ''}{rule}"}
    base.update(extra)
    return base


def unit(name: str, *findings: dict, reachable: bool = True, **extra) -> dict:
    base = {"name": name, "kind": "department", "url": f"http://www.qinghe.gov.cn/{name}/",
            "reachable": reachable, "error": None, "columns": [], "findings": list(findings)}
    base.update(extra)
    return base


def export(*units: dict, as_of: str = "2026-11-27", county: str = "清河县") -> dict:
    return {"as_of": as_of, "county": county, "ruleset": "national-2019", "units": list(units)}


def hostile_export() -> dict:
    """One unit whose every crawled field tries to become markup or a link."""
    return export(
        unit("清河县安全局",
             finding("column_stale", "veto", column=f"工作动态{IMG_ONERROR}",
                     url=JS_URL, message=f"栏目已 30 天未更新 {SCRIPT} {MD_JS_LINK}",
                     newest_date="2026-10-28", newest_title=f"{FORMULA} {MD_IMAGE}"),
             finding("dead_link", "deduction", column=f"通知公告{MD_JS_LINK}",
                     url="  JaVaScRiPt:alert(2)", message=f"链接无法打开 {IMG_ONERROR}\n# 标题\n- 列表"),
             finding("column_empty", "deduction", column="<b onmouseover=alert(3)>人事</b>",
                     url="http://ok.example/a b<c>\"d", message="www.evil.example 与 http://evil.example"),
             url="data:text/html,<script>alert(4)</script>"),
    )
