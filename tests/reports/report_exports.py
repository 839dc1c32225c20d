"""Small export dicts for the report tests, built in code so each test shows
only the facts it is about. (Not a conftest: imported by name.)"""
from __future__ import annotations

import json
import os
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


# Text that a spreadsheet would evaluate if it were not stored as a string.
FORMULA_STARTS = ("=1+1", "+1+1", "-1+1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "＝1+1")
# Invisible characters a site could hide in a title (bidi override, zero-width, tag, bell).
INVISIBLE = "\u202e\u200b\U000e0041\x07"


def states_export() -> dict:
    """Three units: open problems of every state, one clean unit with progress, one down."""
    return export(
        unit("清河县教育局",
             finding("column_stale", "veto", state="open", first_seen="2026-11-20",
                     deadline="2026-12-04", newest_date="2026-10-28", newest_title="秋季学期安全工作会议"),
             finding("column_empty", "deduction", column="人事信息", state="new", first_seen="2026-11-27"),
             finding("dead_link", "deduction", column="通知公告", state="rectified"),
             finding("column_empty", "deduction", column="规划计划", state="waived")),
        unit("城关镇人民政府",
             finding("site_unreachable", "veto", column=None, state="new"), reachable=False,
             error="连接超时"),
        unit("清河县文化和旅游局", finding("column_stale", "veto", state="rectified")),
    )


def generated_export(seed: int, units: int = 12, most_findings: int = 8, long: bool = False) -> dict:
    """A random but reproducible county: names, messages and URLs of every length
    up to the model's limits (300 characters of text, 2048 of URL) when `long`."""
    import random
    rng = random.Random(seed)
    alphabet = "县政府信息公开栏目工作动态通知公告人事财政预决算乡镇街道办事处ABCxyz0123-_=+@[]<>*#`|~!&\\（）"

    def text(most: int) -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(1, most)))

    def url() -> str:
        if rng.random() < 0.15:
            return rng.choice([JS_URL, "data:text/html,x", "/relative/path"])
        path = "/".join(text(8) for _ in range(rng.randint(1, 6 if not long else 120)))
        return f"http://www.qinghe.gov.cn/{path}"

    rules = [("column_stale", "veto"), ("column_empty", "deduction"), ("dead_link", "deduction"),
             ("site_unreachable", "veto"), ("guide_missing_element", "deduction"), ("homepage_stale", "warning")]
    made = []
    for n in range(units):
        findings = []
        for _ in range(rng.randint(0, most_findings)):
            rule, severity = rng.choice(rules)
            findings.append(finding(rule, severity, column=text(30 if not long else 300),
                                    url=url(), message=text(60 if not long else 300),
                                    newest_title=text(40 if not long else 300),
                                    newest_date="2026-10-28",
                                    state=rng.choice(["new", "open", "open", "rectified", "waived"])))
        made.append(unit(f"{text(20 if not long else 300)}{n}", *findings))
    return export(*made)


def letterhead_docx(path, marker: bool = True):
    """An office letterhead (红头) as Word would hold it: a red 发文机关 line, a
    rule, the {{正文}} marker and a closing 抄送 line, with a footer."""
    from docx import Document
    from docx.shared import Pt, RGBColor
    doc = Document()
    head = doc.add_paragraph().add_run("清河县电子政务办公室文件")
    head.font.size, head.font.color.rgb, head.font.bold = Pt(36), RGBColor(0xFF, 0, 0), True
    doc.add_paragraph("━" * 20)
    if marker:
        doc.add_paragraph("{{正文}}")
    doc.add_paragraph("抄送：县政府办公室。")
    doc.sections[0].footer.paragraphs[0].text = "清河县电子政务办公室印发"
    doc.save(path)
    return path


# Payloads that, if a browser ever ran them, would leave a mark a test can read.
TITLE_IMG = "<img src=x onerror=\"document.title='PWNED-img'\">"
TITLE_SCRIPT = "<script>document.title='PWNED-script'</script>"
TITLE_SVG = "<svg onload=\"document.title='PWNED-svg'\"></svg>"


def browser_hostile_export() -> dict:
    """Every crawled field of two units tries to run script in the reader's browser."""
    return export(
        unit(f"清河县安全局{TITLE_SVG}",
             finding("column_stale", "veto", column=f"工作动态{TITLE_IMG}", url=JS_URL,
                     message=f"栏目已 30 天未更新 {TITLE_SCRIPT}", newest_title=f"{FORMULA} {TITLE_IMG}",
                     newest_date="2026-10-28"),
             finding("dead_link", "deduction", column="通知公告", url="http://ok.example/\"><img src=x>",
                     message=f"链接无法打开 {TITLE_SVG}")),
        unit("清河县教育局", finding("column_empty", "deduction", column="人事信息")),
        unit("清河县文化和旅游局"),
    )


def require(available: bool, what: str) -> None:
    """Skip on a developer's machine without `what`; fail in CI (CI=true), where
    `make test` has installed it and a skip would hide a missing install step."""
    if available:
        return
    import pytest
    message = f"{what} is not installed (`make test` installs it)"
    if os.environ.get("CI") == "true":
        pytest.fail(message + "; CI must run this test")
    pytest.skip(message)


def has_cjk_font() -> bool:
    from reports import MissingFontError
    from reports.renderers.png import find_cjk_font
    try:
        find_cjk_font()
    except MissingFontError:
        return False
    return True


def with_verdicts(report, verdicts: dict):
    """The report with the rules' verdict set per unit name: (score, verdict) or
    (score, verdict, veto labels) for a unit a veto item (单项否决) failed."""
    from dataclasses import replace

    def verdict_of(name):
        score, verdict, *vetoes = verdicts.get(name, (None, None))
        return dict(score=score, verdict=verdict, vetoes=tuple(vetoes[0]) if vetoes else ())

    return replace(report, units=tuple(replace(u, **verdict_of(u.name)) for u in report.units))
