"""No crawled string can stop a renderer, a sender or the store.

A loopback site serves titles and column names carrying what broke govfresh before
(U+FFFE made `report` exit 2 and `notify` send nothing; a lone surrogate in a JSON
list title made the store drop the column, so a stale column went unreported) and
more: C0/C1 controls, bidi overrides, zero-width characters, emoji, a 20,000-character
title. It is crawled as a user crawls it, every report form is written, and every
channel sends to its fake platform (tests/delivery/platforms.py).
"""
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import yaml

from config import load_config
from jobs import notify
from mockserver import MockServer

AS_OF = date(2026, 11, 27)
NASTY = ["非字符\ufffe\uffff标题", "控制\x00\x07\x1b\x7f\x85\x9b字符", "方向\u202e覆盖\u202dtxt.exe", "零宽\u200b\u200d\ufeff",
         "表情🎉👨‍👩‍👧", "=HYPERLINK(\"http://evil\")", "<script>alert(1)</script>", "长" * 20_000]
FORMATS = "html,md,xlsx,docx,chat,png"


def page(title: str, body: str) -> str:
    return f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>{body}</body></html>'


def served(text: str) -> tuple[int, dict, bytes]:
    # Raw surrogates become the invalid UTF-8 bytes a broken CMS would send.
    return 200, {"Content-Type": "text/html; charset=utf-8"}, text.encode("utf-8", "surrogatepass")


def portal() -> dict:
    rows = "".join(f'<li><a href="/n/a/{i}.html">{t}</a><span>2026-0{1 + i % 9}-05</span></li>'
                   for i, t in enumerate(NASTY))
    # A script-carried list whose JSON title holds a lone surrogate (an escape JSON allows).
    data = json.dumps({"articleList": [{"title": "孤\\ud800代理项标题", "pubDate": "2026-01-10",
                                        "url": "/n/b/1.html"},
                                       {"title": "第二条旧信息", "pubDate": "2025-12-01", "url": "/n/b/2.html"}]})
    data = data.replace("\\\\ud800", "\\ud800")
    nav = ('<ul class="nav"><li><a href="/n/gzdt/">工作动态\ufffe</a></li><li><a href="/n/tzgg/">通知公告</a></li>'
           '<li><a href="/n/zcwj/">政策文件</a></li></ul>')
    return {
        "/n/xxgk/": served(page("信息公开\ufffe", nav)),
        "/n/gzdt/": served(page("工作动态", f'<ul class="list">{rows}</ul>')),
        "/n/tzgg/": served(page("通知公告", f"<div id='list'></div><script>var listData = {data};</script>")),
        "/n/zcwj/": served(page("政策文件", '<ul class="list"><li><a href="/n/c/1.html">关于\ud83d\ude00印发\u0000'
                                        '《办法》的通知</a><span>2025-01-05</span></li>'
                                        '<li><a href="/n/c/2.html">旧文件</a><span>2024-12-05</span></li></ul>')),
    }


def test_nasty_strings_are_stored_rendered_and_sent(tmp_path, wecom, onebot, dingtalk, smtp):
    with MockServer(portal()) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(yaml.safe_dump({
            "county": "测试县", "units": [{"name": "怪字局", "url": f"{server.url}/n/xxgk/"}],
            "notify": [{"type": "wecom", "webhook": wecom.url()},
                       {"type": "onebot", "url": onebot.base, "group_id": 123456789, "token": onebot.token},
                       {"type": "dingtalk", "webhook": dingtalk.url(), "secret": dingtalk.secret},
                       {"type": "email", "smtp": smtp.address, "security": "none", "username": "notice@example.gov.cn",
                        "password": smtp.password, "from": "notice@example.gov.cn", "to": ["a@b.cn"]}],
        }, allow_unicode=True), encoding="utf-8")
        db = tmp_path / "n.db"
        crawl = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(sites), "--db", str(db),
                                "--crawl-date", AS_OF.isoformat()], capture_output=True, text=True, timeout=120)
        assert crawl.returncode == 0, crawl.stderr

    export = subprocess.run([sys.executable, "-m", "cli", "export", "--db", str(db), "--as-of", AS_OF.isoformat()],
                            capture_output=True, text=True, timeout=120)
    assert export.returncode == 0, export.stderr
    (unit,) = json.loads(export.stdout)["units"]
    columns = {c["name"]: c for c in unit["columns"]}
    # Every column is in the store: the lone surrogate no longer makes one vanish…
    assert {"工作动态", "通知公告", "政策文件"} <= set(columns)
    assert columns["通知公告"]["newest_date"] == "2026-01-10"
    # …so the stale column it tried to hide is reported.
    assert ("column_stale", "通知公告") in {(f["rule"], f["column"]) for f in unit["findings"]}
    stored = json.dumps(json.loads(export.stdout), ensure_ascii=False)
    assert not any(ch in stored for ch in "\ufffe\uffff\x00\x07\x1b\x85\ud800")

    report = subprocess.run([sys.executable, "-m", "cli", "report", "--db", str(db), "--period", "week",
                             "--as-of", AS_OF.isoformat(), "--format", FORMATS, "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=300)
    assert report.returncode == 0, report.stderr
    written = {Path(line).suffix for line in report.stdout.split() if line.startswith(str(tmp_path))}
    assert {".html", ".md", ".xlsx", ".docx", ".txt", ".png"} <= written, report.stdout

    result = notify(load_config(sites), db, "week", AS_OF, out=tmp_path / "out")
    assert result.ok, result.summary()
    assert wecom.accepted and onebot.accepted and dingtalk.accepted and smtp.messages
