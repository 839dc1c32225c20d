"""A synthetic county portal on loopback for the crawl benchmark: pages made on the fly.

    with SyntheticPortal(units=200, hosts=8, today=date(2026, 11, 27)) as portal:
        portal.sites("/tmp/sites.yaml", concurrency_per_host=16)
        ...  # crawl it
        print(portal.served())   # {"GET": ..., "HEAD": ..., "bytes": ..., "404": ...}

Unit ``i`` lives on 127.0.0.<1 + i % hosts> (all of 127.0.0.0/8 is loopback on Linux), one
loopback server (demo/loopback.py) per address, HTTP/1.1 keep-alive. Nothing is stored:
every page is a pure function of (unit, path, today, generation), so a portal of 100,000
pages costs no memory on the server side. Pages carry ETag and Last-Modified and answer a
matching If-None-Match with 304, as the static servers of TRS/Hanweb sites do. Raising
``generation`` (a later day) gives one new item to about one list column in ten; the others
stay byte-identical, so a re-crawl sees mostly 304 Not Modified.

What one unit holds (TRS WCM style, utf-8, ~8-12 KB pages with a shared layout):

* ``/u<i>/xxgk/index.html`` — the disclosure page: a left navigation of 10 columns, a
  最新信息 list of 5 dated items, 3 专题 links, the site map, the portal's home page and
  one dead link (404);
* 6 dated list columns (``ul/li`` of 20 items, ``<span>YYYY-MM-DD</span>``, a TRS pager);
* 规划计划: a list without dates, so the crawler opens its newest item's page (发布时间);
* 法定主动公开内容: a parent column (navigation only) with 2 dated sub-columns;
* 政府信息公开指南: the guide itself (an article of ~2,000 characters);
* 政府信息公开年报: a dated list of 20 annual reports (2025 back to 2006); the two newest
  report pages (~15 KB, with tables) are fetched and kept.

The real crawler fetches 1 + 10 + 2 + 1 + 2 = 16 pages (GET) and checks the other 12 links
of the disclosure page (one of them dead): 28 requests per unit, fewer since a link to the
page itself needs no request and the portal's home page, linked by every unit, is checked
once per crawl (26 and a few).
"""
from __future__ import annotations

import os
import re
import socket
import subprocess
import threading
import time
import zlib
from datetime import date, datetime, timedelta
from email.utils import formatdate
from pathlib import Path

import yaml

from demo.loopback import LoopbackServer, Request

REQUESTS_PER_UNIT = 28
LIST_PAGES_PER_UNIT = 12   # column pages: 10 columns and 2 sub-columns (what bare fetchers are given)
PAGES = 5                  # pages of every dated list (createPageHTML(5, …): index.html, index_1 … index_4)
ON = ' class="on"'

# (slug, name, kind): kind is list / undated / parent / guide
COLUMNS = [
    ("jgzn", "机构职能", "list"),
    ("zcwj", "政策文件", "list"),
    ("tzgg", "通知公告", "list"),
    ("czyjs", "财政预决算", "list"),
    ("rsxx", "人事信息", "list"),
    ("tjxx", "统计信息", "list"),
    ("ghjh", "规划计划", "undated"),
    ("fdzdgknr", "法定主动公开内容", "parent"),
    ("gkzn", "政府信息公开指南", "guide"),
    ("gknb", "政府信息公开年报", "annual"),
]
SUB_COLUMNS = [("zdjsxm", "重大建设项目"), ("ggzypz", "公共资源配置")]
ZTZL = [("zt1", "优化营商环境专题"), ("zt2", "乡村振兴专题"), ("zt3", "安全生产专题")]
TITLE_WORDS = ["关于", "印发", "开展", "做好", "进一步", "加强", "全县", "年度", "工作", "实施方案",
               "的通知", "情况", "公示", "结果", "管理办法", "专项", "检查", "意见", "报告", "计划"]

_STYLE = """<style type="text/css">
body{margin:0;font:14px/1.8 "Microsoft YaHei",SimSun,sans-serif;color:#333;background:#f2f5f9}
a{color:#333;text-decoration:none} .w{width:1100px;margin:0 auto}
.topbar{height:32px;line-height:32px;background:#e9eef5;font-size:12px} .topbar .links{float:right}
.header{height:110px;background:#1d5ca8;color:#fff} .header h1{margin:0;line-height:110px;font-size:32px}
.menu ul,.left_nav,.list_ul,.new_list,.side ul{list-style:none;margin:0;padding:0}
.menu{background:#164a87} .menu li{display:inline-block} .menu a{color:#fff;padding:0 22px;line-height:44px}
.main{background:#fff;overflow:hidden;margin-top:10px} .left{float:left;width:230px;background:#eaf2fb}
.left h2{margin:0;background:#1d5ca8;color:#fff;font-size:18px;line-height:44px;text-align:center}
.left_nav li{border-bottom:1px dashed #c7d6e8;line-height:40px;padding-left:28px} .left_nav li.on a{color:#c00}
.right{float:right;width:840px;padding:10px 15px} .pos{border-bottom:1px solid #dde;line-height:36px}
.list_ul li{line-height:36px;border-bottom:1px dashed #ddd} .list_ul li span{float:right;color:#888}
.footer{text-align:center;font-size:12px;color:#666;padding:20px 0}
</style>
<script type="text/javascript">
function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
    if(_nPageCount == null || _nPageCount <= 1){ return; }
    var nCurrIndex = _nCurrIndex || 0;
    document.write("共" + _nPageCount + "页&nbsp;&nbsp;");
    if(nCurrIndex + 1 != _nPageCount){
        document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a>");
    }
}
</script>"""


_INDEX = re.compile(r"index(?:_[1-9]\d*)?\.html")


def _page(name: str) -> int:
    """index.html → 0, index_3.html → 3."""
    return int(name[6:-5]) if name != "index.html" else 0


def _h(*parts) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode())


def _title(*key) -> str:
    h = _h(*key)
    words = [TITLE_WORDS[(h >> (3 * k)) % len(TITLE_WORDS)] for k in range(5)]
    return "".join(words) + f"（第{h % 97 + 1}号）"


class Pages:
    """Every page of the portal as a pure function of (unit, path)."""

    def __init__(self, today: date):
        self.today = today
        self.generation = 0     # days after `today`: each adds a new item to ~1 list column in 10

    def _changed(self, i: int, slug: str, g: int) -> bool:
        return _h(i, slug, "gen", g) % 10 == 0

    def unit_name(self, i: int) -> str:
        return f"合成县第{i}局"

    # -- dates ----------------------------------------------------------------
    def _dates(self, i: int, slug: str, n: int = 20) -> list[date]:
        newest = self.today - timedelta(days=_h(i, slug) % 90)
        dates = [newest - timedelta(days=3 * k + (_h(i, slug, k) % 3)) for k in range(n)]
        new = [self.today + timedelta(days=g) for g in range(1, self.generation + 1) if self._changed(i, slug, g)]
        return (new[::-1] + dates)[:n]

    # -- pieces ---------------------------------------------------------------
    def _layout(self, i: int, title: str, content: str, column: str | None = None, meta: str = "") -> str:
        name = self.unit_name(i)
        nav = "\n".join(
            f'<li{ON if slug == column else ""}><a href="/u{i}/xxgk/{slug}/index.html" '
            f'target="_self">{cname}</a></li>' for slug, cname, _ in COLUMNS)
        colmeta = f'<meta name="ColumnName" content="{title}">\n' if column else ""
        return f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="SiteName" content="{name}">
<meta name="SiteIDCode" content="13{i:08d}">
{colmeta}{meta}<title>{title}_{name}</title>
{_STYLE}
</head>
<body>
<div class="topbar"><div class="w">
<span class="today">今天是{self.today.year}年{self.today.month}月{self.today.day}日</span>
<span class="links"><a href="/">首页</a> | <a href="/u{i}/sitemap.html">网站地图</a> | <a href="javascript:void(0);">无障碍</a></span>
</div></div>
<div class="header"><div class="w"><h1>{name}</h1></div></div>
<div class="menu"><div class="w"><ul>
<li><a href="/">首页</a></li>
<li><a href="/u{i}/xxgk/index.html">政府信息公开</a></li>
<li><a href="/u{i}/sitemap.html">网站地图</a></li>
</ul></div></div>
<div class="w main">
<div class="left">
<h2>政府信息公开</h2>
<ul class="left_nav">
{nav}
</ul>
</div>
<div class="right">
{content}
</div>
</div>
<div class="footer">
<p>主办单位：{name}　　版权所有 2015-{self.today.year}</p>
<p>网站标识码：13{i:08d}　　冀ICP备{10000000 + i * 1301}号　　最后更新：{self.today.isoformat()} 08:00:00</p>
</div>
</body>
</html>
"""

    def _pos(self, i: int, *trail: tuple[str, str]) -> str:
        links = "".join(f'&nbsp;&gt;&gt;&nbsp;<a href="{href}" class="CurrChnlCls">{text}</a>' for text, href in trail)
        return (f'<div class="pos">您现在的位置：<a href="/" title="首页" class="CurrChnlCls">首页</a>'
                f'&nbsp;&gt;&gt;&nbsp;<a href="/u{i}/xxgk/index.html" class="CurrChnlCls">政府信息公开</a>{links}</div>')

    def _list(self, i: int, slug: str, base: str, dated: bool = True, n: int = 20, page: int = 0) -> str:
        rows = []
        for d in self._dates(i, slug, n * PAGES)[n * page:n * (page + 1)]:
            k = d.toordinal()
            href = f"{base}t{d:%Y%m%d}_{_h(i, slug, k) % 900000 + 100000}.html"
            title = _title(i, slug, k)
            span = f"<span>{d.isoformat()}</span>" if dated else ""
            rows.append(f'<li><a href="{href}" title="{title}" target="_blank">{title}</a>{span}</li>')
        return ('<div class="list_box">\n<ul class="list_ul">\n' + "\n".join(rows) + "\n</ul>\n"
                f'<div class="page"><script type="text/javascript">createPageHTML({PAGES}, {page}, "index", "html");'
                "</script></div>\n</div>")

    # -- pages ----------------------------------------------------------------
    def disclosure(self, i: int) -> str:
        latest = []
        for slug in ("tzgg", "zcwj", "jgzn", "czyjs", "rsxx"):
            d = self._dates(i, slug, 1)[0]
            k = d.toordinal()
            title = _title(i, slug, k)
            latest.append(f'<li><a href="/u{i}/xxgk/{slug}/t{d:%Y%m%d}_{_h(i, slug, k) % 900000 + 100000}.html" '
                          f'title="{title}" target="_blank">{title}</a><span>{d.isoformat()}</span></li>')
        zt = "\n".join(f'<p><a href="/u{i}/ztzl/{slug}/index.html" target="_blank">{text}</a></p>'
                       for slug, text in ZTZL)
        content = (self._pos(i) + f"""
<div class="xxgk_intro"><p>根据《中华人民共和国政府信息公开条例》，{self.unit_name(i)}在本专栏主动公开政府信息。</p></div>
<div class="box"><h3>最新信息</h3>
<ul class="new_list">
{chr(10).join(latest)}
</ul></div>
<div class="box ztzl"><h3>专题专栏</h3>
{zt}
<p><a href="/u{i}/old/jdhy.html" target="_blank">政策解读（旧版）</a></p>
</div>""")
        return self._layout(i, "政府信息公开", content)

    def column(self, i: int, slug: str, page: int = 0) -> str | None:
        spec = {s: (n, k) for s, n, k in COLUMNS}.get(slug)
        if spec is None or (page and (spec[1] not in ("list", "undated") or page >= PAGES)):
            return None
        name, kind = spec
        head = self._pos(i, (name, f"/u{i}/xxgk/{slug}/index.html"))
        if kind == "list":
            body = self._list(i, slug, f"/u{i}/xxgk/{slug}/", page=page)
        elif kind == "annual":
            rows = "\n".join(f'<li><a href="{href}" title="{title}" target="_blank">{title}</a>'
                             f'<span>{d.isoformat()}</span></li>' for _, d, href, title in self._reports(i))
            body = f'<div class="list_box">\n<ul class="list_ul">\n{rows}\n</ul>\n</div>'
        elif kind == "undated":
            body = self._list(i, slug, f"/u{i}/xxgk/{slug}/", dated=False, page=page)
        elif kind == "parent":
            body = ('<div class="zlm_box">\n' + "\n".join(
                f'<div class="zlm"><h3><a href="/u{i}/xxgk/{slug}/{sub}/index.html">{sname}</a></h3></div>'
                for sub, sname in SUB_COLUMNS) + "\n</div>")
        else:  # guide
            return self._article(i, slug, name, "政府信息公开指南", self.today - timedelta(days=200), paragraphs=12)
        return self._layout(i, name, head + "\n" + body, column=slug)

    def _reports(self, i: int) -> list[tuple[int, date, str, str]]:
        """(year, published, href, title) of the annual reports, newest first."""
        out = []
        for year in range(self.today.year - 1, self.today.year - 22, -1):
            d = date(year + 1, 1, 15 + _h(i, "gknb", year) % 15)
            if d <= self.today:
                out.append((year, d, f"/u{i}/xxgk/gknb/t{d:%Y%m%d}_{_h(i, year) % 900000 + 100000}.html",
                            f"{self.unit_name(i)}{year}年政府信息公开工作年度报告"))
        return out[:20]

    def report(self, i: int, year: int, pub: date) -> str:
        """An annual report: the sections of the national template, three of them with tables."""
        def table(caption: str, rows: int, cols: int) -> str:
            head = "".join(f"<th>指标{c + 1}</th>" for c in range(cols))
            body = "".join("<tr>" + f"<td>项目{r + 1}</td>" + "".join(
                f"<td>{_h(i, year, caption, r, c) % 200}</td>" for c in range(cols - 1)) + "</tr>"
                for r in range(rows))
            return f'<table border="1"><tr>{head}</tr>{body}</table>\n'
        sections = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                    "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]
        parts = []
        for k, sec in enumerate(sections):
            parts.append(f'<p style="text-indent:2em"><strong>{sec}</strong></p>\n<p style="text-indent:2em">'
                         + "本年度，本机关认真贯彻落实《中华人民共和国政府信息公开条例》，" * 6 + "</p>\n")
            if k in (1, 2, 3):
                parts.append(table(sec, 16 if k == 2 else 8, 9 if k == 2 else 6))
        title = f"{self.unit_name(i)}{year}年政府信息公开工作年度报告"
        content = (self._pos(i, ("政府信息公开年报", f"/u{i}/xxgk/gknb/index.html")) +
                   f'\n<div class="article"><h2 class="title">{title}</h2>\n'
                   f'<div class="info">发布时间：{pub.isoformat()}　　来源：{self.unit_name(i)}</div>\n'
                   f'<div class="TRS_Editor">\n{"".join(parts)}</div>\n</div>')
        return self._layout(i, title, content)

    def sub_column(self, i: int, slug: str, sub: str, page: int = 0) -> str | None:
        names = dict(SUB_COLUMNS)
        if slug != "fdzdgknr" or sub not in names or page >= PAGES:
            return None
        head = self._pos(i, ("法定主动公开内容", f"/u{i}/xxgk/{slug}/index.html"),
                         (names[sub], f"/u{i}/xxgk/{slug}/{sub}/index.html"))
        return self._layout(i, names[sub], head + "\n" + self._list(i, sub, f"/u{i}/xxgk/{slug}/{sub}/", page=page),
                            column=sub)

    def _article(self, i: int, slug: str, cname: str, title: str, pub: date, paragraphs: int = 6) -> str:
        text = "".join(
            f'<p style="text-indent:2em">{"一二三四五六七八九十"[k % 10]}、{_title(i, slug, title, k)}。'
            f"根据《中华人民共和国政府信息公开条例》规定，本机关对主动公开的政府信息及时予以公开，"
            f"公民、法人或者其他组织可以通过本机关门户网站查阅。</p>\n" for k in range(paragraphs))
        meta = (f'<meta name="ArticleTitle" content="{title}">\n<meta name="PubDate" content="{pub.isoformat()} 09:00">\n')
        content = (self._pos(i, (cname, f"/u{i}/xxgk/{slug}/index.html")) +
                   f'\n<div class="article"><h2 class="title">{title}</h2>\n'
                   f'<div class="info">发布时间：{pub.isoformat()}　　来源：{self.unit_name(i)}</div>\n'
                   f'<div class="TRS_Editor">\n{text}</div>\n</div>')
        return self._layout(i, title, content, meta=meta)

    def article(self, i: int, path: list[str]) -> str:
        slug, leaf = path[-2], path[-1]
        try:
            pub = date(int(leaf[1:5]), int(leaf[5:7]), int(leaf[7:9]))
        except ValueError:
            pub = self.today
        if slug == "gknb":
            return self.report(i, pub.year - 1, pub)
        return self._article(i, slug, dict((s, n) for s, n, _ in COLUMNS).get(slug, slug), _title(i, leaf), pub)

    def list_paths(self, i: int) -> list[str]:
        """The unit's column pages (first page of each list, the parent, the guide)."""
        out = [f"/u{i}/xxgk/{slug}/index.html" for slug, _, _ in COLUMNS]
        return out + [f"/u{i}/xxgk/fdzdgknr/{sub}/index.html" for sub, _ in SUB_COLUMNS]

    def paths(self, i: int, all_pages: bool = False) -> list[str]:
        """Every path a crawl of unit ``i`` asks for (with ``all_pages``, every list's later
        pages too): what a static copy of the portal must hold. The portal's home page
        ``/`` is shared by all units and not included."""
        base = f"/u{i}/xxgk/"
        out = [base + "index.html", f"/u{i}/sitemap.html", *(f"/u{i}/ztzl/{slug}/index.html" for slug, _ in ZTZL)]
        out += self.list_paths(i)
        # The newest item of every list (linked from 最新信息, or opened when a list has no dates).
        for slug, _, kind in COLUMNS:
            if kind in ("list", "undated"):
                d = self._dates(i, slug, 1)[0]
                out.append(f"{base}{slug}/t{d:%Y%m%d}_{_h(i, slug, d.toordinal()) % 900000 + 100000}.html")
        out += [href for _, _, href, _ in self._reports(i)[:2]]
        if all_pages:
            out += [f"{base}{slug}/index_{p}.html" for slug, _, kind in COLUMNS if kind in ("list", "undated")
                    for p in range(1, PAGES)]
            out += [f"{base}fdzdgknr/{sub}/index_{p}.html" for sub, _ in SUB_COLUMNS for p in range(1, PAGES)]
        return out

    def respond(self, path: str) -> tuple[int, str]:
        """(status, html) for a path; 404 for anything the portal does not hold."""
        parts = [p for p in path.split("/") if p]
        if not parts:
            return 200, self._layout(0, "合成县人民政府", "<p>合成县人民政府门户网站</p>")
        if not parts[0].startswith("u") or not parts[0][1:].isdigit():
            return 404, "<html><body><h1>404 Not Found</h1></body></html>"
        i, rest = int(parts[0][1:]), parts[1:]
        html: str | None = None
        if rest == ["xxgk", "index.html"]:
            html = self.disclosure(i)
        elif len(rest) == 3 and rest[0] == "xxgk" and _INDEX.fullmatch(rest[2]):
            html = self.column(i, rest[1], _page(rest[2]))
        elif len(rest) == 4 and rest[0] == "xxgk" and _INDEX.fullmatch(rest[3]):
            html = self.sub_column(i, rest[1], rest[2], _page(rest[3]))
        elif len(rest) >= 3 and rest[0] == "xxgk" and rest[-1].startswith("t"):
            html = self.article(i, rest)
        elif rest == ["sitemap.html"] or (len(rest) == 3 and rest[0] == "ztzl"):
            html = self._layout(i, "网站地图" if rest[0] == "sitemap.html" else "专题专栏", "<p>……</p>")
        if html is None:
            return 404, "<html><body><h1>404 Not Found</h1></body></html>"
        return 200, html


def _free_port(hosts: list[str]) -> int:
    """A port free on every one of ``hosts``."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind((hosts[0], 0))
            port = s.getsockname()[1]
        try:
            for h in hosts[1:]:
                with socket.socket() as t:
                    t.bind((h, port))
            return port
        except OSError:
            continue
    raise RuntimeError("no port free on every loopback address")


class SyntheticPortal:
    def __init__(self, units: int, hosts: int = 8, today: date | None = None, latency: float = 0.0):
        if not 1 <= hosts <= 250:
            raise ValueError("hosts must be 1..250 (127.0.0.1 .. 127.0.0.250)")
        self.n_units = units
        self.latency = latency              # seconds each answer waits (0: answer at once)
        self.hosts = [f"127.0.0.{k + 1}" for k in range(hosts)]
        self.pages = Pages(today or date.today())
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._servers: list[LoopbackServer] = []
        self.port: int | None = None
        # One server clock for the whole portal (the day the pages were made); ETags tell pages apart.
        self.last_modified = formatdate(datetime.combine(self.pages.today, datetime.min.time()).timestamp(),
                                        usegmt=True)

    def _answer(self, request: Request) -> None:
        if self.latency:
            time.sleep(self.latency)   # a distant county server, not loopback
        status, html = self.pages.respond(request.url_path)
        body = html.encode("utf-8")
        etag = f'"{zlib.crc32(body):08x}"'
        if status == 200 and request.headers.get("If-None-Match") == etag:
            status, body = 304, b""
        headers = {"ETag": etag, "Last-Modified": self.last_modified} if status in (200, 304) else {}
        if status != 304:
            headers["Content-Type"] = "text/html; charset=utf-8"
        request.reply(status, headers, body)
        self._count(request.command, status, len(body) if request.command != "HEAD" else 0)

    def _count(self, method: str, status: int, nbytes: int) -> None:
        with self._lock:
            c = self._counts
            c[method] = c.get(method, 0) + 1
            c[str(status)] = c.get(str(status), 0) + 1
            c["bytes"] = c.get("bytes", 0) + nbytes

    def served(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    def reset(self) -> None:
        with self._lock:
            self._counts = {}

    def start(self) -> "SyntheticPortal":
        self.port = _free_port(self.hosts)
        # Keep-alive, as county portals serve.
        self._servers = [LoopbackServer(self._answer, host=h, port=self.port, keep_alive=True).start()
                         for h in self.hosts]
        return self

    def stop(self) -> None:
        for srv in self._servers:
            srv.stop()
        self._servers = []

    def __enter__(self) -> "SyntheticPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def unit_url(self, i: int) -> str:
        return f"http://{self.hosts[i % len(self.hosts)]}:{self.port}/u{i}/xxgk/index.html"

    def units(self) -> list[dict]:
        return [{"name": self.pages.unit_name(i), "kind": "department", "url": self.unit_url(i)}
                for i in range(self.n_units)]

    def sites(self, path: str | Path, concurrency_per_host: int = 16, **crawl) -> Path:
        path = Path(path)
        doc = {"county": "合成县", "units": self.units(),
               "crawl": {"concurrency_per_host": concurrency_per_host, "timeout": 60, **crawl}}
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path


_NGINX_CONF = """daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {work}/error.log warn;
events {{ worker_connections 4096; }}
http {{
    types {{ text/html html; }}
    default_type text/html;
    charset utf-8;
    log_format bench '$request_method $status $bytes_sent';
    access_log {work}/access.log bench;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 1000000;
    keepalive_timeout 120s;
    server_tokens off;
    # If-Modified-Since as Apache reads it (not modified since a later time either): urlwatch
    # sends the time of its last check, not the page's Last-Modified.
    if_modified_since before;
    client_body_temp_path {work}/tmp;
    proxy_temp_path {work}/tmp;
    fastcgi_temp_path {work}/tmp;
    uwsgi_temp_path {work}/tmp;
    scgi_temp_path {work}/tmp;
    server {{
{listen}
        root {root};
        location / {{ try_files $uri =404; }}
    }}
}}
"""


class NginxPortal:
    """The same portal as static files served by nginx (Debian package) on 127.0.0.1..N.

    ``prepare(units, generation)`` writes every page a crawl asks for (``Pages.paths``)
    under a temporary root; a file whose content did not change keeps its mtime, so nginx
    answers its If-None-Match / If-Modified-Since with 304 as a static CMS server does, and a
    changed one gets the next day's mtime. nginx serves from its own process, so the portal's
    CPU is not counted against the crawlers (the Python server's is, on a 2-core machine).
    Requests are counted from nginx's access log.
    """

    def __init__(self, units: int, hosts: int = 8, today: date | None = None, work: Path | None = None,
                 all_pages: bool = False):
        import shutil
        import tempfile
        self.nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        if not os.path.exists(self.nginx):
            raise RuntimeError("nginx is not installed (apt-get install nginx-light; `make bench` does it)")
        self.n_units = units
        self.hosts = [f"127.0.0.{k + 1}" for k in range(hosts)]
        self.pages = Pages(today or date.today())
        self.all_pages = all_pages
        self._own_work = work is None
        self.work = Path(work or tempfile.mkdtemp(prefix="govfresh-nginx-"))
        self.root = self.work / "root"
        self._written: dict[str, int] = {}     # path → crc32 of the content on disk
        self._proc: subprocess.Popen | None = None
        self.port: int | None = None
        self._t0 = datetime.combine(self.pages.today, datetime.min.time()).timestamp()

    def prepare(self, units: int | None = None, generation: int | None = None) -> int:
        """Write the pages of the first ``units`` units for day ``generation``; return files written."""
        if units is not None:
            self.n_units = units
        if generation is not None:
            self.pages.generation = generation
        mtime = self._t0 + 86400 * self.pages.generation
        written = 0
        todo = ["/"] + [p for i in range(self.n_units) for p in self.pages.paths(i, self.all_pages)]
        for path in todo:
            status, html = self.pages.respond(path)
            if status != 200:
                continue
            body = html.encode("utf-8")
            crc = zlib.crc32(body)
            if self._written.get(path) == crc:
                continue
            f = self.root / (path.lstrip("/") or "index.html")
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_bytes(body)
            os.utime(f, (mtime, mtime))
            self._written[path] = crc
            written += 1
        return written

    def start(self) -> "NginxPortal":
        self.root.mkdir(parents=True, exist_ok=True)
        (self.work / "tmp").mkdir(exist_ok=True)
        # nginx's workers run as nobody: the tree must be readable by all.
        for p in (self.work, self.root):
            os.chmod(p, 0o755)
        self.port = _free_port(self.hosts)
        listen = "\n".join(f"        listen {h}:{self.port} backlog=1024;" for h in self.hosts)
        conf = self.work / "nginx.conf"
        conf.write_text(_NGINX_CONF.format(work=self.work, root=self.root, listen=listen))
        self._proc = subprocess.Popen([self.nginx, "-c", str(conf), "-p", str(self.work)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for _ in range(100):
            try:
                with socket.create_connection((self.hosts[0], self.port), timeout=0.2):
                    return self
            except OSError:
                if self._proc.poll() is not None:
                    raise RuntimeError("nginx did not start: " + self._proc.stderr.read().decode(errors="replace"))
                time.sleep(0.05)
        raise RuntimeError("nginx did not start listening")

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.terminate()
            self._proc.wait(10)
            self._proc = None
        if self._own_work:
            import shutil
            shutil.rmtree(self.work, ignore_errors=True)

    def __enter__(self) -> "NginxPortal":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def reset(self) -> None:
        (self.work / "access.log").open("w").close()   # nginx appends (O_APPEND): truncating restarts the count

    def served(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        try:
            lines = (self.work / "access.log").read_text().splitlines()
        except FileNotFoundError:
            return counts
        for line in lines:
            method, status, nbytes = line.split()
            counts[method] = counts.get(method, 0) + 1
            counts[status] = counts.get(status, 0) + 1
            counts["bytes"] = counts.get("bytes", 0) + int(nbytes)
        return counts

    unit_url = SyntheticPortal.unit_url
    units = SyntheticPortal.units
    sites = SyntheticPortal.sites

    def list_urls(self, units: int | None = None) -> list[str]:
        """Absolute URLs of the column pages of the first ``units`` units."""
        return _list_urls(self, units)


def _list_urls(portal, units: int | None = None) -> list[str]:
    out = []
    for i in range(portal.n_units if units is None else units):
        origin = f"http://{portal.hosts[i % len(portal.hosts)]}:{portal.port}"
        out += [origin + p for p in portal.pages.list_paths(i)]
    return out


SyntheticPortal.list_urls = lambda self, units=None: _list_urls(self, units)
SyntheticPortal.prepare = lambda self, units=None, generation=None: (
    setattr(self, "n_units", units if units is not None else self.n_units),
    setattr(self.pages, "generation", generation if generation is not None else self.pages.generation), 0)[-1]
