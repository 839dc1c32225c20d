"""JSON list APIs a page's script calls: ``$.ajax``, ``$.get/$.post/$.getJSON``, ``fetch``, ``axios``.

Consolidated platforms often ship an empty list container and a script such as ::

    $.ajax({url: '/api/xxgk/list', type: 'post', data: {channelId: '1204', pageNo: 1, pageSize: 15},
            success: function (res) { … res.data.list … }})

The call is rebuilt from the script as written (the address, the method, the parameters; a
parameter given by a variable takes that variable's literal value when the script sets one,
a page number its first page). The answer's records are read like inline script data
(hidden_lists.best_items): titles, links and dates, dates also as epoch milliseconds.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from ..dom import script_blocks
from ..encoding import decode
from ..hidden_lists import best_items
from ..jsdata import dict_lists, parse_literal
from .base import Batch, DataCall, ListSource

# A call that fetches data; group 1 names the jQuery method or axios verb, if any.
_CALL = re.compile(r"(?:\$|jQuery)\s*\.\s*(ajax|getJSON|get|post)\s*\(|\bfetch\s*\(|\baxios\s*(?:\.\s*(get|post)\s*)?\(")
_STRING_ARG = re.compile(r"""\s*(["'`])([^"'`\s<>]{1,500})\1""")
_URL_KEY = re.compile(r"""(?<![\w$])["']?url["']?\s*:\s*(["'`])([^"'`\s<>]{1,500})\1""")
_DATA_KEY = re.compile(r"""(?<![\w$])["']?(?:data|params|body)["']?\s*:\s*(?:JSON\.stringify\(\s*)?(?=\{)""")
_METHOD_KEY = re.compile(r"""(?<![\w$])["']?(?:type|method)["']?\s*:\s*["'](\w+)["']""")
_SCALAR_VAR = re.compile(r"""(?<![\w$.])(?:var|let|const)\s+([A-Za-z_$][\w$]*)\s*=\s*(?:(["'])([^"'\\\n]{0,200})\2|(-?\d{1,12}))\s*[;,\n]""")
_NOT_DATA = re.compile(r"\.(?:js|css|png|jpe?g|gif|svg|ico|woff2?|ttf|html?|shtml|jsp\?.*\bview)(?:[?#]|$)", re.I)
_NOISE = re.compile(r"count|visit|click|hits|tongji|statis|weather|captcha|login|logout|token|share|vote|favou?r"
                    r"|comment|search|suggest|menu|nav|banner|ad[sv]?/|user", re.I)
_LISTISH = re.compile(r"list|page|article|doc|info|news|content|column|channel|xxgk|gk|notice|data|query", re.I)
_PAGE_KEYS = {"page", "pageno", "pagenum", "pageindex", "currentpage", "curpage", "pn", "pagenumber", "current"}
_TOTAL_KEYS = {"total", "totalcount", "totalrecord", "totalrecords", "recordcount", "totalelements", "totalnum",
               "totalsize", "count", "rowcount"}
_MAX_SCAN = 3000   # characters after a call's '(' read for its options


def _options(script: str, start: int, verb: str | None) -> tuple[str, str, dict] | None:
    """(url, method, data) of the call whose '(' ends at ``start``."""
    if verb in ("ajax", None):        # $.ajax({…}), axios({…}); fetch('…') falls through
        head = script[start:start + _MAX_SCAN]
        if head.lstrip().startswith("{"):
            try:
                opts, _ = parse_literal(head)
            except ValueError:
                opts = None   # `url: base + "list"` and friends: read the keys one by one
            if isinstance(opts, dict) and isinstance(opts.get("url"), str):
                data = opts.get("data") or opts.get("params") or {}
                method = str(opts.get("type") or opts.get("method") or "GET")
                return opts["url"], method.upper(), data if isinstance(data, dict) else {}
            m = _URL_KEY.search(head)
            if m is None:
                return None
            method = _METHOD_KEY.search(head)
            return m.group(2), (method.group(1) if method else "GET").upper(), _data_at(head)
    m = _STRING_ARG.match(script, start)
    if m is None:
        return None
    rest = script[m.end():m.end() + _MAX_SCAN]
    if rest.lstrip().startswith("+"):
        return None   # `"/data/" + name`: an address built at run time, not one to rebuild here
    data: dict = {}
    if rest.lstrip().startswith(","):
        try:
            value, _ = parse_literal(rest.lstrip()[1:])
            data = value if isinstance(value, dict) else {}
        except ValueError:
            pass
    if verb is None and not data:   # fetch(url, {method, body})
        method = _METHOD_KEY.search(rest[:500])
        return m.group(2), (method.group(1) if method else "GET").upper(), {}
    if isinstance(data.get("params"), dict):          # axios.get(url, {params: {…}})
        data = data["params"]
    return m.group(2), ("POST" if verb == "post" else "GET"), data


def _data_at(head: str) -> dict:
    m = _DATA_KEY.search(head)
    if m is None:
        return {}
    try:
        value, _ = parse_literal(head, m.end())
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _resolve(data: dict, variables: dict[str, str]) -> list[tuple[str, str]]:
    """The call's parameters as the page would send them on its first load."""
    out = []
    for key, value in data.items():
        if isinstance(value, (dict, list)) or value is None:
            continue
        text = str(value).lower() if isinstance(value, bool) else str(value)
        # chompjs reads a bare identifier (`pageNo: cur`) as its name: take the variable's value.
        if re.fullmatch(r"[A-Za-z_$][\w$.]*", text) and text not in ("true", "false"):
            if str(key).lower() in _PAGE_KEYS:
                text = "1"
            elif text in variables:
                text = variables[text]
        out.append((str(key), text))
    return out


class JsonApi(ListSource):
    """A JSON list API the page's own script calls ($.ajax, $.get/post/getJSON, fetch, axios)."""
    kind = "json_api"
    label = "页面脚本调用的 JSON 列表接口"

    def find(self, html: str, url: str) -> DataCall | None:
        best: tuple[int, DataCall] | None = None
        scripts = [body for _, _, attrs, body in script_blocks(html) if "src=" not in attrs.lower()]
        joined = "\n".join(scripts)
        variables = {m.group(1): m.group(3) if m.group(3) is not None else m.group(4)
                     for m in _SCALAR_VAR.finditer(joined)}
        for m in _CALL.finditer(joined):
            found = _options(joined, m.end(), m.group(1) or m.group(2))
            if found is None:
                continue
            target, method, data = found
            target = target.replace("&amp;", "&")
            if target.startswith(("javascript:", "#", "data:")) or _NOT_DATA.search(target) \
                    or "dataproxy" in target.lower():   # Hanweb's own source reads that one
                continue
            absolute = urljoin(url, target)
            if urlsplit(absolute).scheme not in ("http", "https"):
                continue
            path = urlsplit(absolute).path
            if _NOISE.search(path):
                continue
            params = _resolve(data, variables)
            if method == "POST":
                call = DataCall(url=absolute, method="POST", form=tuple(params), referer=url)
            else:
                parts = urlsplit(absolute)
                query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), *params])
                call = DataCall(url=parts._replace(query=query).geturl(), referer=url)
            score = 1 if _LISTISH.search(absolute) else 0
            if best is None or score > best[0]:
                best = (score, call)
        return best[1] if best else None

    def read(self, body: bytes, call: DataCall, crawl_date: date, content_type: str | None = None) -> Batch:
        value = _json(decode(body, content_type))
        if value is None:
            return Batch(readable=False)
        items = best_items(dict_lists(value), call.referer or call.url, crawl_date)
        total = _total(value)
        if not items and total != 0:
            return Batch(readable=False)   # no dated records: not an answer govfresh can vouch for
        return Batch(items=items, total=total, next_call=_next_page(call, len(items), total))


def _json(text: str) -> Any:
    text = text.strip()
    try:
        return json.loads(text)
    except ValueError:
        pass
    # JSONP (`cb({...})`) or a JS-ish answer: the first literal in it.
    m = re.search(r"[\[{]", text[:2000])
    if m is None:
        return None
    try:
        return parse_literal(text, m.start())[0]
    except ValueError:
        return None


def _total(value: Any, depth: int = 0) -> int | None:
    if not isinstance(value, dict) or depth > 3:
        return None
    for k, v in value.items():
        if str(k).lower() in _TOTAL_KEYS and (isinstance(v, int) or (isinstance(v, str) and v.isdigit())):
            return int(v)
    for v in value.values():
        found = _total(v, depth + 1)
        if found is not None:
            return found
    return None


def _next_page(call: DataCall, got: int, total: int | None) -> DataCall | None:
    """The same call for the following page, when the answer says there are more records."""
    if total is None or call.start - 1 + got >= total or got == 0:
        return None
    pairs = list(call.form) if call.method == "POST" else parse_qsl(urlsplit(call.url).query, keep_blank_values=True)
    for i, (k, v) in enumerate(pairs):
        if k.lower() in _PAGE_KEYS and v.isdigit():
            pairs[i] = (k, str(int(v) + 1))
            start = call.start + got
            if call.method == "POST":
                return DataCall(url=call.url, method="POST", form=tuple(pairs), start=start, referer=call.referer)
            parts = urlsplit(call.url)
            return DataCall(url=parts._replace(query=urlencode(pairs)).geturl(), start=start, referer=call.referer)
    return None
