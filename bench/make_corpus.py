"""Write the generated part of the extraction benchmark corpus (fixed seed, reproducible).

    .venv/bin/python bench/make_corpus.py      # → bench/corpus/generated/*.html + labels.json

Each page is a column list page in one of the markups govfresh meets (TRS tables, li/span
lists, dl/dd rows, three sibling <ul>, Hanweb recordsets, catalogue tables, div rows with
labels, flat <a><br> lists, yearless [MM-DD] lists, inline JSON, commented-out lists), plus
empty/placeholder pages and script-loaded pages, then the shapes of issue 15 (blocks of five in
bare avalon wrappers, one-item columns, undated directories of units), with traps mixed in at random: header clocks,
footer "last updated" stamps, copyright ranges, newer sidebar boxes, pinned old items,
ascending order, future dates in titles, URL dates unlike the shown ones, page-generation
metas, GBK pages declared gb2312 with GBK-only characters.  labels.json holds the truth.
"""
from __future__ import annotations

import json
import random
import shutil
from datetime import date, timedelta
from pathlib import Path

SEED = 20261127
OUT = Path(__file__).resolve().parent / "corpus" / "generated"

MARKUPS = ["trs_table", "ul_span", "dl_dd", "split_ul", "hanweb", "catalogue", "div_rows",
           "flat_br", "yearless", "inline_json", "commented"]
NON_LISTS = ["placeholder", "empty_container", "js_loaded", "hanweb_empty"]
# Shapes a reader reads as lists without thinking (issue 15), generated after the pages above
# from their own random stream, so the older pages stay byte for byte what they were.
SHAPES = ["split_wrappers", "one_item", "directory"]
_UNITS = ["县发展和改革局", "县教育局", "县科学技术局", "县公安局", "县民政局", "县司法局", "县财政局",
          "县人力资源和社会保障局", "县自然资源局", "县住房和城乡建设局", "县交通运输局", "县水利局", "县农业农村局",
          "县商务局", "县文化和旅游局", "县卫生健康委员会", "县应急管理局", "县审计局", "县市场监督管理局",
          "县统计局", "县医疗保障局", "县林业局", "县信访局", "县行政审批局", "县融媒体中心", "县档案馆",
          "城关镇人民政府", "东关镇人民政府", "西河镇人民政府", "北岭乡人民政府", "石门乡人民政府",
          "城东街道办事处", "城西街道办事处", "县机关事务服务中心", "县数据资源管理局", "县乡村振兴局"]

_SUBJECTS = ["冬季安全生产", "森林防火", "城乡居民医疗保险缴费", "农村人居环境整治", "高标准农田建设",
             "消防安全隐患排查", "营商环境优化", "政府信息公开", "防汛抗旱", "秋粮收购", "义务教育招生",
             "老旧小区改造", "食品安全抽检", "耕地保护", "就业创业补贴", "重点项目建设", "文明城市创建"]
_FORMS = ["关于做好{s}工作的通知", "关于开展{s}专项行动的通知", "{s}工作情况通报", "县政府召开{s}推进会",
          "关于印发《{s}实施方案》的通知", "{s}政策解读", "关于{s}有关事项的公告"]
_NAMES = ["王堃", "李玥", "张堃", "刘玥"]  # GBK-only characters (not in GB2312)


def _title(rng: random.Random, gbk: bool) -> str:
    t = rng.choice(_FORMS).format(s=rng.choice(_SUBJECTS))
    if gbk and rng.random() < 0.4:
        t = f"{rng.choice(_NAMES)}同志任职前公示"
    return t


def _dates(rng: random.Random, crawl: date, n: int, yearless: bool) -> list[date]:
    stale = rng.random() < 0.3
    newest = crawl - timedelta(days=rng.randint(200, 900) if stale and not yearless else rng.randint(0, 60))
    out = [newest]
    span = 300 if yearless else 2000
    for _ in range(n - 1):
        nxt = out[-1] - timedelta(days=rng.randint(0, 25))
        out.append(max(nxt, crawl - timedelta(days=span)))
    return out


def _fmt(d: date, style: str) -> str:
    return {
        "iso": d.isoformat(),
        "slash": f"{d.year}/{d.month}/{d.day}",
        "dots": f"{d.year}.{d.month:02d}.{d.day:02d}",
        "cn": f"{d.year}年{d.month:02d}月{d.day:02d}日",
        "paren": f"({d.isoformat()})",
        "time": f"{d.isoformat()} {d.day % 24:02d}:{d.month * 3:02d}",
        "label": f"发布时间：{d.isoformat()}",
        "md": f"[{d.month:02d}-{d.day:02d}]",
    }[style]


def _url(rng: random.Random, d: date, i: int, traps: set[str], kind: str = "trs") -> str:
    # URL dates are upload dates: with the trap on, they are later than the shown date.
    ud = d + timedelta(days=rng.randint(3, 300)) if "url_date_mismatch" in traps else d
    if kind == "hanweb":
        return f"/art/{ud.year}/{ud.month}/{ud.day}/art_1203_{100000 + i}.html"
    if kind == "plain":
        return f"/xxgk/show.jsp?id={80000 + i}"
    return f"./{ud.year}{ud.month:02d}/t{ud:%Y%m%d}_{500000 + i}.html"


def _list_html(markup: str, items: list[dict], rng: random.Random) -> tuple[str, str]:
    """(body html of the list region, extra <head> html)."""
    style = rng.choice(["iso", "slash", "dots", "cn", "time"])
    head = ""
    if markup == "trs_table":
        rows = "".join(
            f'<tr><td><img src="/images/{"zd.gif" if it["pinned"] else "ico2.jpg"}"></td>'
            f'<td><a href="{it["url"]}">{"[置顶] " if it["pinned"] else ""}{it["title"]}</a></td>'
            f'<td>{_fmt(it["date"], style)}</td></tr>' for it in items)
        pages = rng.randint(1, 9)
        return (f'<table class="gl_list">{rows}</table>'
                f'<div class="page"><script>createPageHTML({pages}, 0, "index", "html");</script></div>'), head
    if markup == "ul_span":
        lis = "".join(f'<li><a href="{it["url"]}" title="{it["title"]}">{it["title"]}</a>'
                      f'<span class="date">{_fmt(it["date"], style)}</span></li>' for it in items)
        return f'<div class="list-con"><ul class="news-list">{lis}</ul></div>', head
    if markup == "dl_dd":
        rows = "".join(f'<dl><dd><a href="{it["url"]}">{it["title"]}</a></dd><dd>{it["date"].isoformat()}</dd></dl>'
                       for it in items)
        return f'<div class="rules_tabs"><dl><dt>标题</dt><dt>发布日期</dt></dl>{rows}</div>', head
    if markup == "split_ul":
        chunks = [items[i:i + 5] for i in range(0, len(items), 5)]
        uls = "".join('<ul class="pad_b">' + "".join(
            f'<li><a href="{it["url"]}">{it["title"]}</a><span class="bf-pass">{it["date"].isoformat()}</span></li>'
            for it in ch) + "</ul>" for ch in chunks)
        return f'<div class="list_base">{uls}</div>', head
    if markup == "hanweb":
        recs = "".join(f'<record><![CDATA[\n<li><a href="{it["url"]}" target="_blank">{it["title"]}</a>'
                       f'<span>{_fmt(it["date"], style)}</span></li>]]></record>\n' for it in items)
        total = len(items) + rng.randint(0, 60)
        return (f'<div id="9981"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&webid=1&columnid=1203&unitid=9981"></a>]]></nextgroup>'
                f'<recordset>{recs}</recordset></datastore></script></div>'
                f'<script src="/module/web/jpage/jpage.js"></script>'
                f"<script>$('#9981').jpage({{proxyUrl:'/module/web/jpage/dataproxy.jsp', perPage: 15, totalRecord: {total}}});</script>"), head
    if markup == "catalogue":
        rows = "".join(
            f'<tr><td>000014349/{it["date"].year}-{rng.randint(1, 99999):05d}</td><td><a href="{it["url"]}">{it["title"]}</a></td>'
            f'<td>{(it["date"] - timedelta(days=rng.randint(0, 20))).isoformat()}</td><td>{it["date"].isoformat()}</td></tr>'
            for it in items)
        return (f'<table class="gkml-table"><tr><th>索引号</th><th>名称</th><th>成文日期</th><th>发布日期</th></tr>{rows}</table>'), head
    if markup == "div_rows":
        rows = "".join(f'<div class="item"><h3><a href="{it["url"]}">{it["title"]}</a></h3>'
                       f'<p class="meta">来源：县政府办　{_fmt(it["date"], "label")}</p></div>' for it in items)
        return f'<div class="article-list">{rows}</div>', head
    if markup == "flat_br":
        rows = "".join(f'<a href="{it["url"]}">{it["title"]}</a> <font color="#999">{_fmt(it["date"], "paren")}</font><br>'
                       for it in items)
        return f'<div class="content">{rows}</div>', head
    if markup == "yearless":
        lis = "".join(f'<li><a href="{it["url"]}">{it["title"]}</a><span>{_fmt(it["date"], "md")}</span></li>' for it in items)
        return f'<div class="news"><ul class="list">{lis}</ul></div>', head
    if markup == "inline_json":
        arr = ",\n".join(
            "{title: %s, url: %s, pubDate: '%s 09:%02d', topStatus: %d}"
            % (json.dumps(it["title"], ensure_ascii=False), json.dumps(it["url"]), it["date"].isoformat(),
               rng.randint(0, 59), 1 if it["pinned"] else 0) for it in items)
        head = f"<script>var listData = {{ articleList: [\n{arr}\n], perPage: 15 }};</script>"
        body = ('<div id="unit1"></div><script id="tpl1" type="text/x-handlebars-template"><ul class="List_list">'
                '{{#each data}}<li><a href="{{url}}">{{title}}</a><span>{{pubDate}}</span></li>{{/each}}</ul></script>'
                "<script>loadPageData({perPage: '15'}, 'unit1');</script>")
        return body, head
    if markup == "split_wrappers":
        # TRS trt/avalon: each block of five in a bare <div ms-visible> with its own <ul> and an
        # empty separator; a hidden avalon template repeats the list with no items.
        blocks = "".join(
            f'<div ms-visible="$showStatic({i + 1})"><ul>' + "".join(
                f'<li><a href="{it["url"]}" target="_blank" title="{it["title"]}">{it["title"]}</a>'
                f'<em id="rel_{i + k}"></em><span class="bf-pass">{it["date"].isoformat()}</span></li>'
                for k, it in enumerate(items[i:i + 5])) + '</ul><div class="border_b_dashed"></div></div>'
            for i in range(0, len(items), 5))
        return (f'<div class="list_base list_base_date_01" ms-controller="list" role="viewlist">'
                f'<div ms-visible="showStatic">{blocks}</div>'
                '<div ms-visible="!showStatic" style="display:none"><ul><li ms-repeat="list">'
                '<a ms-attr-href="el.docpuburl" ms-text="el.doctitle"></a><span ms-text="el.docreltime"></span>'
                f'</li></ul></div></div><script>var cfg = {{recordCount: "{len(items)}", prepage: 20}};</script>'), head
    if markup == "one_item":
        it = items[0]
        return (f'<div class="col-title"><h3>机构职能</h3></div><div class="col-body"><div class="item">'
                f'<a href="{it["url"]}" target="_blank" title="{it["title"]}">{it["title"]}</a>'
                f'<em>{_fmt(it["date"], style)}</em></div></div>'), head
    if markup == "directory":
        lis = "".join(f'<li><a href="{it["url"]}" target="_blank">{it["title"]}</a></li>' for it in items)
        return f'<div class="zn-box"><div class="zn-title">各部门政府信息公开指南</div><ul class="zn-dept">{lis}</ul></div>', head
    if markup == "commented":
        lis = "".join(f'<li><a href="{it["url"]}" title="{it["title"]}">{it["title"]}</a><b>{it["date"].isoformat()}</b></li>'
                      for it in items)
        return (f'<div class="zfxxgk_zdgkc"><ul class="xxgklist"><!--{lis}'
                f"<script>createPageHTML('page_div',3, 1,'zwgklist','shtml',45);</script>--></ul></div>"), head
    raise ValueError(markup)


def _empty_html(kind: str, rng: random.Random) -> str:
    if kind == "placeholder":
        word = rng.choice(["暂无信息", "暂无数据", "暂无相关信息", "暂无内容"])
        return f'<div class="list"><ul class="news-list"><li class="none">{word}</li></ul></div>'
    if kind == "empty_container":
        return '<div class="list"><ul class="news-list">\n</ul></div>'
    if kind == "js_loaded":
        return ('<div class="main"><ul id="dataList" class="list"></ul></div><script src="/js/jquery.min.js"></script>'
                "<script>$.ajax({url:'/api/list',success:function(r){var h='';"
                "r.data.forEach(function(x){h+='<li><a href=\"'+x.url+'\">'+x.title+'</a></li>'});$('#dataList').html(h);}});</script>")
    if kind == "hanweb_empty":
        return ('<div id="9982"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&columnid=9"></a>]]></nextgroup>'
                '<recordset></recordset></datastore></script></div><script src="/module/web/jpage/jpage.js"></script>')
    raise ValueError(kind)


def _frame(body: str, head: str, crawl: date, traps: set[str], rng: random.Random, charset: str | None, column: str) -> str:
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset={charset}">' if charset else ""
    if "generate_meta" in traps:
        meta += f'<meta name="HtmlGenerateTime" content="{crawl.isoformat()} 0{rng.randint(0, 9)}:30:00">'
    top = '<div class="nav"><ul><li><a href="/">网站首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/bsfw/">办事服务</a></li></ul></div>'
    if "header_clock" in traps:
        wk = "一二三四五六日"[crawl.weekday()]
        top = f'<div class="top-bar"><span>今天是{crawl.year}年{crawl.month}月{crawl.day}日 星期{wk}</span></div>' + top
    side = ""
    if "sidebar_hot" in traps:
        lis = "".join(f'<li><a href="/rdxx/{crawl:%Y%m}/t{crawl:%Y%m%d}_{9000 + k}.html">{_title(rng, False)}</a>'
                      f'<span>{(crawl - timedelta(days=k)).isoformat()}</span></li>' for k in range(rng.randint(3, 6)))
        side = f'<div class="side-box"><div class="tit">热点信息</div><ul>{lis}</ul></div>'
    foot = '<div class="footer"><p><a href="/about/">关于我们</a> | <a href="/map/">网站地图</a></p>'
    if "footer_update" in traps:
        foot += f"<p>最后更新：{crawl.isoformat()} 08:00 联系电话：0731-84011234</p>"
    if "copyright" in traps:
        foot += f"<p>Copyright © 2005-{crawl.year} 某某县人民政府 版权所有</p>"
    if "friend_links" in traps:
        foot += (f'<ul class="yqlj"><li><a href="http://www.gov.cn/xinwen/{crawl:%Y-%m}/{crawl:%d}/content_1.htm">'
                 f"中国政府网 {crawl.isoformat()}</a></li></ul>")
    foot += "</div>"
    return (f"<!DOCTYPE html><html><head>{meta}<title>{column}</title><meta name=\"ColumnName\" content=\"{column}\">{head}</head>"
            f'<body>{top}<div class="wrap"><div class="main-col">{body}</div>{side}</div>{foot}</body></html>')


def make(n_lists: int = 88, n_empty: int = 16) -> list[dict]:
    rng = random.Random(SEED)
    labels = []
    if OUT.exists():
        shutil.rmtree(OUT)
    OUT.mkdir(parents=True)
    columns = ["通知公告", "工作动态", "政策文件", "人事信息", "财政预决算", "乡镇动态"]
    for i in range(n_lists + n_empty):
        is_list = i < n_lists
        kind = MARKUPS[i % len(MARKUPS)] if is_list else NON_LISTS[i % len(NON_LISTS)]
        crawl = rng.choice([date(2026, 11, 27)] * 4 + [date(2026, 1, 5), date(2025, 6, 30)])
        traps = {t for t in ("header_clock", "footer_update", "copyright", "sidebar_hot", "pinned_old",
                             "ascending", "future_title", "url_date_mismatch", "generate_meta",
                             "friend_links", "future_item") if rng.random() < 0.3}
        if kind == "inline_json":
            traps.discard("ascending")
        gbk = is_list and kind in ("trs_table", "ul_span", "yearless") and rng.random() < 0.5
        charset = "gb2312" if gbk and rng.random() < 0.7 else (None if gbk else rng.choice(["utf-8", "UTF-8", None]))
        column = rng.choice(columns)
        label: dict = {"file": f"{i:03d}_{kind}.html", "markup": kind, "crawl_date": crawl.isoformat(),
                       "traps": sorted(traps), "encoding": "gbk" if gbk else "utf-8", "charset_declared": charset}
        head = ""
        if is_list:
            n = rng.randint(1 if kind in ("trs_table", "ul_span") else 3, 24)
            yearless = kind == "yearless"
            ds = _dates(rng, crawl, n, yearless)
            url_kind = "hanweb" if kind == "hanweb" else ("plain" if yearless and rng.random() < 0.5 else "trs")
            items = []
            for k, d in enumerate(ds):
                t = _title(rng, gbk)
                if "future_title" in traps and k % 3 == 0:
                    fut = crawl + timedelta(days=rng.randint(30, 400))
                    t = f"关于{fut.year}年{fut.month}月{fut.day}日起施行《{rng.choice(_SUBJECTS)}管理办法》的公告"
                items.append({"title": t, "url": _url(rng, d, i * 100 + k, traps, url_kind), "date": d, "pinned": False})
            truth = [it["date"] for it in items]
            if "pinned_old" in traps and not yearless:
                for k in range(rng.randint(1, 2)):
                    d = crawl - timedelta(days=rng.randint(800, 2500))
                    items.insert(0, {"title": _title(rng, gbk), "url": _url(rng, d, i * 100 + 90 + k, set()), "date": d, "pinned": True})
                    truth.append(d)
            if "future_item" in traps and not yearless:
                d = crawl + timedelta(days=rng.randint(2, 40))  # a typo'd future date: ignored
                items.insert(rng.randint(0, len(items)), {"title": _title(rng, gbk), "url": _url(rng, d, i * 100 + 95, set()),
                                                          "date": d, "pinned": False})
            if "ascending" in traps:
                items.reverse()
            body, head = _list_html(kind, items, rng)
            label.update(state="list", newest_date=max(truth).isoformat(), item_count=len(items))
        else:
            body = _empty_html(kind, rng)
            label.update(state="unverifiable" if kind == "js_loaded" else "empty", newest_date=None, item_count=0)
        html = _frame(body, head, crawl, traps, rng, charset, column)
        (OUT / label["file"]).write_bytes(html.encode("gbk" if gbk else "utf-8"))
        labels.append(label)
    labels += _shapes(len(labels))
    (OUT / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1), encoding="utf-8")
    return labels


def _shapes(start: int, per_shape: int = 8) -> list[dict]:
    """Split blocks, one-item columns and undated directories, with the same traps as above."""
    rng = random.Random(SEED + 15)
    labels = []
    for j in range(per_shape * len(SHAPES)):
        kind = SHAPES[j % len(SHAPES)]
        i = start + j
        crawl = rng.choice([date(2026, 11, 27)] * 4 + [date(2026, 1, 5), date(2025, 6, 30)])
        traps = {t for t in ("header_clock", "footer_update", "copyright", "sidebar_hot", "url_date_mismatch",
                             "generate_meta", "friend_links") if rng.random() < 0.3}
        if kind == "directory":
            units = rng.sample(_UNITS, rng.randint(9, len(_UNITS)))
            items = [{"title": u, "url": f"/xxgk/xxgkzn/list.jsp?deptCode={k + 100}", "date": None} for k, u in enumerate(units)]
            newest = None
        else:
            n = 1 if kind == "one_item" else rng.randint(6, 24)
            ds = _dates(rng, crawl, n, False)
            if kind == "split_wrappers":
                rng.shuffle(ds)  # shown dates out of order: the newest may sit in any block
            items = [{"title": _title(rng, False), "url": _url(rng, d, i * 100 + k, traps), "date": d, "pinned": False}
                     for k, d in enumerate(ds)]
            newest = max(ds).isoformat()
        body, head = _list_html(kind, items, rng)
        column = {"directory": "政府信息公开指南", "one_item": "机构职能"}.get(kind, "人事信息")
        labels.append({"file": f"{i:03d}_{kind}.html", "markup": kind, "crawl_date": crawl.isoformat(),
                       "traps": sorted(traps), "encoding": "utf-8", "charset_declared": "utf-8",
                       "state": "list", "newest_date": newest, "item_count": len(items)})
        html = _frame(body, head, crawl, traps, rng, "utf-8", column)
        (OUT / labels[-1]["file"]).write_bytes(html.encode("utf-8"))
    return labels


if __name__ == "__main__":
    labels = make()
    print(f"wrote {len(labels)} pages to {OUT}")
