"""Hanweb JCMS (大汉) jpage lists: records served by ``/module/web/jpage/dataproxy.jsp``.

A Hanweb column page whose recordset is not in the HTML loads it with a POST its jpage script
builds: the proxy's address with ``startrecord``/``endrecord``/``perpage`` in the query and the
column's parameters (``col, appid, webid, path, columnid, sourceContentType, unitid, webname,
permissiontype``) as the form body, e.g. ::

    $('#4423580').jpage({proxyUrl: '/module/web/jpage/dataproxy.jsp', perPage: 15, groupSize: 3,
                         ajaxParam: {col: 1, webid: 2, path: '/', columnid: 1229, unitid: 4423580, …}})

The answer is a ``<datastore>`` with ``<totalrecord>`` and a ``<recordset>`` of
``<record><![CDATA[<li>…</li>]]></record>``: one group of ``perPage × groupSize`` records; the
next group starts at ``endrecord + 1`` (what the pager's ``nextgroup`` asks for).
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from ..dom import script_blocks
from ..encoding import decode
from ..jsdata import script_literals
from ..types import LIST
from .base import Batch, DataCall, ListSource

_PROXY = re.compile(r"""["']([^"'\s<>]*dataproxy\.jsp[^"'\s<>]*)["']""", re.I)
_PARAMS = ("col", "appid", "webid", "path", "columnid", "sourcecontenttype", "unitid", "webname", "permissiontype")
# `columnid: 1229`, `columnid='1229'`, `"unitid":"4423580"` - a parameter written in any script.
_PARAM = re.compile(r"""(?<![\w$])["']?(""" + "|".join(_PARAMS) + r""")["']?\s*[:=]\s*["']?([^"',;&\s}\)]*)""", re.I)
_PER_PAGE = re.compile(r"""(?<![\w$])["']?perpage["']?\s*[:=]\s*["']?(\d{1,3})\b""", re.I)
_GROUP = re.compile(r"""(?<![\w$])["']?groupsize["']?\s*[:=]\s*["']?(\d{1,2})\b""", re.I)
_TOTAL = re.compile(r"<totalrecord>\s*(\d+)|totalRecord\D{0,3}(\d+)", re.I)
_PAGING = {"startrecord", "endrecord", "perpage", "page"}
_MAX_GROUP = 300   # records asked for at once, at most (a pager never asks for more)


def _settings(scripts: str) -> dict[str, Any] | None:
    """The object literal (jpage settings, ajaxParam, $.ajax data) that names the column id."""
    def walk(value: Any, depth: int = 0) -> dict | None:
        if isinstance(value, dict) and depth < 6:
            if any(str(k).lower() == "columnid" for k in value):
                return value
            for v in value.values():
                found = walk(v, depth + 1)
                if found is not None:
                    return found
        return None
    for literal in script_literals(scripts):
        found = walk(literal)
        if found is not None:
            return found
    return None


class HanwebDataproxy(ListSource):
    """Hanweb JCMS jpage lists: the records POSTed back by /module/web/jpage/dataproxy.jsp."""
    kind = "hanweb_dataproxy"
    label = "大汉 JCMS 列表：dataproxy.jsp 分组返回的记录"

    def find(self, html: str, url: str) -> DataCall | None:
        if "dataproxy" not in html and "jpage" not in html:
            return None
        scripts = "\n".join(body for _, _, _, body in script_blocks(html))
        proxy = _PROXY.search(scripts) or _PROXY.search(html)
        proxy_url = urljoin(url, proxy.group(1).replace("&amp;", "&") if proxy else "/module/web/jpage/dataproxy.jsp")
        query = dict(parse_qsl(urlsplit(proxy_url).query, keep_blank_values=True))
        params = {k.lower(): v for k, v in query.items()}
        settings = _settings(scripts) or {}
        params.update({str(k).lower(): str(v) for k, v in settings.items()
                       if str(k).lower() in _PARAMS and not isinstance(v, (dict, list))})
        for m in _PARAM.finditer(scripts):
            params.setdefault(m.group(1).lower(), m.group(2))
        if not params.get("columnid"):
            return None
        per_page = int(params.get("perpage") or _first(_PER_PAGE, scripts) or 15) or 15
        if params.get("startrecord", "").isdigit() and params.get("endrecord", "").isdigit():
            span = int(params["endrecord"]) - int(params["startrecord"]) + 1
        else:
            span = per_page * (int(_first(_GROUP, scripts) or 3) or 3)
        span = max(1, min(span, _MAX_GROUP))
        # The form keeps the page's own spelling of each parameter (sourceContentType).
        spelled = {k.lower(): k for k in [*query, *map(str, settings)]}
        spelled.update({m.group(1).lower(): m.group(1) for m in _PARAM.finditer(scripts)})
        form = tuple((spelled.get(k, k), params[k]) for k in _PARAMS if k in params)
        return _call(proxy_url, 1, span, per_page, form, url)

    def read(self, body: bytes, call: DataCall, crawl_date: date, content_type: str | None = None) -> Batch:
        from ..listpage import extract_list   # listpage reads Hanweb recordsets; sources sit beside it

        text = decode(body, content_type)
        if "<recordset" not in text.lower() and "<datastore" not in text.lower():
            return Batch(readable=False)
        page = extract_list('<html><body><script type="text/xml">' + text + "</script></body></html>",
                            call.referer or call.url, crawl_date)
        items = page.items if page.state == LIST else []
        m = _TOTAL.search(text)
        total = int(m.group(1) or m.group(2)) if m else None
        query = dict(parse_qsl(urlsplit(call.url).query))
        span = int(query.get("endrecord", 0) or 0) - call.start + 1
        records = text.lower().count("<record")
        more = total > call.start - 1 + span if total is not None else records >= span > 0
        next_call = None
        if more and span > 0 and records:
            next_call = _call(call.url, call.start + span, span, int(query.get("perpage") or span), call.form,
                              call.referer)
        return Batch(items=items, total=total, next_call=next_call)


def _first(pattern: re.Pattern, text: str) -> str | None:
    m = pattern.search(text)
    return m.group(1) if m else None


def _call(proxy_url: str, start: int, span: int, per_page: int, form: tuple, referer: str) -> DataCall:
    parts = urlsplit(proxy_url)
    rest = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
            if k.lower() not in _PAGING and k.lower() not in _PARAMS]
    query = urlencode([("startrecord", start), ("endrecord", start + span - 1), ("perpage", per_page), *rest])
    return DataCall(url=parts._replace(query=query).geturl(), method="POST", form=form, start=start,
                    referer=referer)
