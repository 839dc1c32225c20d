"""Page rendering: a request path in, the bytes the unit's CMS would send out.

The routing table and every page's content come from `demo.county`; this
module only picks the template (one set per CMS style), fills it, encodes it
the way the unit does (some TRS units send GBK bytes that claim gb2312) and
answers the planted outages (404, 500, 503).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from demo.county import (
    CHALLENGE_COOKIE, DYNAMIC, FIRST_SITE_YEAR, HANWEB, LIST_API, NOTICE, County, Column, Item, Unit,
    build_county, format_date, report_sections,
)

TEMPLATES = Path(__file__).parent / "templates"
WEEKDAYS = "一二三四五六日"
HANWEB_PROXY = "/module/web/jpage/dataproxy.jsp"     # JCMS's list paging endpoint, site-wide
FIRST_LEVEL = ("xxgkzn", "xxgkzd", "xxgknb")           # 指南, 制度, 年报: above 法定主动公开内容


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    content_type: str
    headers: tuple[tuple[str, str], ...] = ()


class Site:
    """The whole portal for one `today`: `respond(path)` answers any request."""

    def __init__(self, today: date):
        self.county: County = build_county(today)
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True, auto_reload=False,
                               trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined)

    @property
    def today(self) -> date:
        return self.county.today

    def status(self, path: str) -> int:
        """The HTTP status `path` answers with, without rendering the page."""
        return self._resolve(path)[0]

    def _resolve(self, path: str) -> tuple[int, tuple | None]:
        """(status, route target) of a path; outages win over the routing table."""
        unit = self.county.unit_for_path(path)
        if unit is not None and unit.spec.outage == "503":
            return 503, None
        target = self.county.lookup(path)
        if target is None:
            return 404, None
        kind, _unit, obj, _page_no = target
        return (obj.status if kind == "list" else 200), target

    def respond(self, path: str, query: str = "", form: bytes = b"", cookie: str = "") -> Response:
        unit = self.county.unit_for_path(path)
        if unit is not None and unit.spec.challenge and "=".join(CHALLENGE_COOKIE) not in cookie:
            return _challenge(unit.spec.challenge)
        if path == HANWEB_PROXY:
            return self._hanweb_proxy(query, form)
        if unit is not None and path == unit.prefix.rstrip("/") + LIST_API:
            return self._list_api(unit, query, form)
        status, target = self._resolve(path)
        if status == 503:
            return _error(503, "Service Unavailable", (("Retry-After", "3600"),))
        if status != 200:
            return _error(status, "Not Found" if status == 404 else "Internal Server Error")
        kind, unit, obj, page_no = target
        if kind == "home":
            return _html(self.env.get_template("home.html").render(
                county=self.county, units=[u for u in self.county.units if u.spec.outage != "refused"]))
        return self._encode(unit, self.render(kind, unit, obj, page_no))

    # --- rendering ---------------------------------------------------------
    def render(self, kind: str, unit: Unit, obj, page_no: int = 0) -> str:
        """HTML text of one page (before encoding); `obj` is the column or item shown."""
        ctx = self._context(unit)
        if kind == "disclosure":
            ctx.update(latest=self._latest(unit), relative_nav=True)
            name = "disclosure"
        elif kind == "sitemap":                      # one template, in each style's layout
            name = "sitemap"
        elif kind == "list":
            ctx.update(column=obj, items=obj.pages[page_no], page_no=page_no,
                       page_count=len(obj.pages), sidebar=obj.sidebar if page_no == 0 else [])
            name = "list"
        elif kind == "guide":
            ctx.update(column=obj, article=_guide_article(obj))
            name = "article"
        else:
            ctx.update(column=obj.column, article=_item_article(obj))
            name = "article"
        ctx["layout"] = f"{unit.style}_layout.html"
        template = "sitemap.html" if name == "sitemap" else f"{unit.style}_{name}.html"
        return self.env.get_template(template).render(ctx)

    def _context(self, unit: Unit) -> dict:
        today = self.today
        return dict(
            county=self.county, unit=unit, column=None, relative_nav=False,
            today_banner=f"今天是{today.year}年{today.month}月{today.day}日 星期{WEEKDAYS[today.weekday()]}",
            updated=f"{today.isoformat()} 09:00",             # the server clock, not an update
            years=f"{FIRST_SITE_YEAR}-{today.year}",
            meta_charset="gb2312" if unit.spec.encoding == "gbk" else "utf-8",
            show=format_date, first_level=FIRST_LEVEL,
        )

    @staticmethod
    def _latest(unit: Unit, count: int = 6) -> list[Item]:
        """A 最新信息 box on the disclosure page: newest items of all the unit's lists."""
        items = [i for c in unit.columns for i in c.items if not i.pinned]
        return sorted(items, key=lambda i: (i.date, i.doc_id), reverse=True)[:count]

    def _encode(self, unit: Unit, html: str) -> Response:
        if unit.spec.encoding == "gbk":
            ctype = "text/html; charset=gb2312" if unit.spec.charset_header else "text/html"
            return Response(200, html.encode("gbk"), ctype)
        return _html(html)

    def _hanweb_proxy(self, query: str, form: bytes) -> Response:
        """JCMS dataproxy.jsp: records startrecord..endrecord (1-based) of a column."""
        params = parse_qs(query)
        params.update(parse_qs(form.decode("utf-8", "replace")))

        def number(key: str, default: int) -> int:
            return int(params.get(key, [default])[0])

        try:
            column = self.county.column_by_cms_id(number("columnid", 0))
            start, end = number("startrecord", 1), number("endrecord", 15)
        except ValueError:
            column = None
        if column is None or column.unit.style != HANWEB or column.guide is not None:
            return _error(404, "Not Found")
        status = self.status(column.path)             # an outage or broken column stays broken here
        if status != 200:
            return _error(status, "Service Unavailable" if status == 503 else "Internal Server Error")
        body = self.env.get_template("hanweb_dataproxy.xml").render(
            column=column, records=column.items[max(start, 1) - 1:end], show=format_date)
        return Response(200, body.encode("utf-8"), "text/xml; charset=utf-8")


    def _list_api(self, unit: Unit, query: str, form: bytes) -> Response:
        """A consolidated platform's JSON list API: one page of a column, dates in epoch milliseconds."""
        params = parse_qs(query)
        params.update(parse_qs(form.decode("utf-8", "replace")))
        try:
            column = self.county.column_by_cms_id(int(params.get("channelId", ["0"])[0]))
            page, size = int(params.get("pageNo", ["1"])[0]), int(params.get("pageSize", ["15"])[0])
        except ValueError:
            column = None
        if column is None or column.unit is not unit or not column.spec.loader or page < 1 or size < 1:
            return Response(200, b'{"code": 404, "msg": "no such channel"}', "application/json; charset=utf-8")
        rows = [{"title": i.title, "url": i.href, "indexNo": i.index_no,
                 "writtenTime": _epoch_ms(i.written or i.date, "09:00"), "publishTime": _epoch_ms(i.date, i.time)}
                for i in column.items[(page - 1) * size:page * size]]
        body = {"code": 0, "msg": "ok", "data": {"total": len(column.items), "pageNo": page, "list": rows}}
        return Response(200, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json; charset=utf-8")


_CN = timezone(timedelta(hours=8))


def _epoch_ms(day: date, clock: str) -> int:
    """Milliseconds since 1970 of a China-time moment, as Java-backed APIs send dates."""
    hour, minute = map(int, clock.split(":"))
    return int(datetime.combine(day, time(hour, minute), _CN).timestamp() * 1000)


def _challenge(status: int) -> Response:
    """A WAF's challenge: the page's script sets the cookie and reloads (412 at once; 200 after a moment)."""
    name, value = CHALLENGE_COOKIE
    set_cookie = f'document.cookie="{name}={value}; path=/";'
    script = (f'var _0x5a1c=["cookie","reload"];{set_cookie}location.reload();' if status == 412
              else f'setTimeout(function(){{{set_cookie}self.location=location.href}},100);')
    body = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><script>{script}</script></body></html>'
    return Response(status, body.encode("utf-8"), "text/html; charset=utf-8")


def _html(text: str) -> Response:
    return Response(200, text.encode("utf-8"), "text/html; charset=utf-8")


def _error(status: int, reason: str, headers: tuple = ()) -> Response:
    body = (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{status} {reason}</title>"
            f"</head><body><h1>HTTP Status {status} - {reason}</h1><hr></body></html>")
    return Response(status, body.encode("utf-8"), "text/html; charset=utf-8", headers)


# --- article bodies --------------------------------------------------------

@dataclass
class Article:
    """What an article template shows, whatever the page is (item, guide, annual report)."""
    title: str
    date: date
    time: str
    doc_id: int
    blocks: list[tuple[str, str]]          # ("h", heading) | ("p", paragraph)
    item: Item | None = None
    index_no: str = ""
    written: date | None = None
    doc_no: str = ""                       # 文号

    @property
    def pub(self) -> str:
        """PubDate as the 2017 guideline writes it: yyyy-MM-dd HH:mm."""
        return f"{self.date.isoformat()} {self.time}"


def _item_article(item: Item) -> Article:
    column, unit = item.column, item.column.unit
    d = item.date
    if item.report_year is not None:
        blocks = [b for head, text in report_sections(item) for b in (("h", head), ("p", text))]
    elif column.category == DYNAMIC:
        blocks = [("p", f"{d.month}月{d.day}日，{item.title}。"),
                  ("p", "会议强调，要进一步提高政治站位，压实工作责任，细化工作措施，确保各项任务按时保质完成。"),
                  ("p", f"（{unit.short_name}供稿）")]
    elif column.category == NOTICE:
        signed = item.written or d
        blocks = [("p", "各有关单位："),
                  ("p", f"为切实做好相关工作，根据上级有关要求，结合{unit.short_name}实际，现将有关事项通知如下。"),
                  ("p", "一、提高思想认识，加强组织领导。二、明确工作任务，落实工作责任。三、强化督导检查，确保工作实效。"),
                  ("p", unit.name),
                  ("p", format_date(signed, "cn"))]
    else:
        blocks = [("p", f"{item.title}。"),
                  ("p", f"本信息由{unit.name}负责解释。")]
    doc_no = ""
    if column.slug in ("zcwj", "gfxwj"):
        doc_no = f"{unit.short_name.removesuffix('局')}〔{(item.written or d).year}〕{item.doc_id % 100 + 1}号"
    return Article(title=item.title, date=d, time=item.time, doc_id=item.doc_id, blocks=blocks,
                   item=item, index_no=item.index_no or "", written=item.written, doc_no=doc_no)


def _guide_article(column: Column) -> Article:
    guide = column.guide
    blocks = [("p", guide.intro)]
    for heading, subsections in guide.sections:
        blocks.append(("h", heading))
        for sub, paragraphs in subsections:
            if sub:
                blocks.append(("p", sub))
            blocks.extend(("p", p) for p in paragraphs)
    unit = column.unit
    return Article(title=guide.title, date=guide.date, time=guide.time, doc_id=guide.doc_id,
                   blocks=blocks, index_no=f"{unit.credit_code}/{guide.date.year}-00001",
                   written=guide.date)

