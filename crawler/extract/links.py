"""Links on a page, and which of them are the unit's columns (栏目). Pure."""
from __future__ import annotations

import re
from posixpath import dirname
from urllib.parse import SplitResult, urlsplit, urlunsplit

from crawler.extract.dom import Element, Page, Texts, as_page, has_descendant, join_url
from crawler.extract.types import Link

# Site-wide chrome, pagers and actions: never columns.
_NOT_COLUMNS = {
    "首页", "网站首页", "返回首页", "主页", "网站地图", "无障碍", "无障碍浏览", "长者模式", "关怀版", "联系我们",
    "关于我们", "english", "繁体", "繁體", "简体", "登录", "注册", "设为首页", "加入收藏", "收藏本站", "打印",
    "关闭", "关闭窗口", "返回", "返回顶部", "更多", "更多>>", "more", "上一页", "下一页", "尾页", "末页", "跳转",
    "网站声明", "隐私声明", "纠错", "我要纠错", "政府网站找错", "网站纠错", "站点地图", "当前位置",
    # A portal's top bar: sections of the whole site, not columns of a unit's disclosure page.
    "政务公开", "办事服务", "政务服务", "互动交流", "公众参与", "网上办事", "数据开放", "新闻中心",
    "政民互动", "在线服务", "便民服务",
}
_MORE = re.compile(r"^(?:更多|查看更多|more|更多>+|>>|»|\+)", re.I)
_FILE_TEXT = re.compile(r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|7z|jpe?g|png)$", re.I)
_DOWNLOAD_URL = re.compile(r"download|downfile|/attach", re.I)
# Words that column names of a disclosure catalogue use; a link elsewhere on the
# host with one of these in its text is still a column (集约化 sites put columns at /col/colNNN/).
_COLUMN_WORDS = re.compile(
    "公开|指南|制度|年报|年度报告|动态|要闻|新闻|公告|公示|通知|文件|政策|法规|职能|机构|领导|预决算|预算|决算|"
    "三公|人事|规划|计划|统计|财政|采购|项目|资金|应急|监督|建议提案|解读|服务|信息")
_FIRST_LEVEL = re.compile("公开指南|公开制度|公开年报|年度报告")
# Article and file links: an item, not a column.
_ITEM_URL = re.compile(
    r"/t\d{8}_\d+|/art/\d{4}/|art_\d+_\d+|/\d{6}/[^/]*\d+\.s?html?$|/\d{4}-\d{2}/\d{2}/|/content_\d+|"
    r"\.(?:pdf|docx?|xlsx?|wps|zip|rar|7z|jpe?g|png|gif|mp4)$", re.I)
_HAS_DATE = re.compile(r"(?:19|20)\d{2}\s*[-/.年]\s*\d{1,2}|\b\d{1,2}-\d{1,2}\b")
_MAX_COLUMNS = 80


def clean_url(href: str, base_url: str) -> str | None:
    """Absolute http(s) URL without its fragment; None for javascript:, mailto: and the like."""
    target = _target(href, base_url)
    return target[0] if target else None


def _target(href: str, base_url: str) -> tuple[str, str, int | None] | None:
    """`clean_url`'s URL with its host and port: urllib parses the netloc anew on every read
    of either, and a column link needs both three times."""
    href = (href or "").strip()
    if not href or href.startswith("#"):
        return None
    url = join_url(base_url, href)
    try:
        parts = urlsplit(url)
        port = parts.port   # a port that cannot be (":99999", ":x") raises here
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme not in ("http", "https") or not host:
        return None
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, "")), host, port


def _text(a: Element, texts: Texts) -> str:
    text = " ".join(texts.spaced(a).split())
    if not text:
        text = (a.get("title") or "").strip()
    if not text:
        img = next(a.iterdescendants("img"), None)
        text = (img.get("alt") or "").strip() if img is not None else ""
    return text


_BOX_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "span", "em", "p", "div", "dt")


def _box_title(a: Element, texts: Texts) -> str:
    """The heading of the box a "更多" link belongs to (<h3>机构职能</h3><a>更多>></a>)."""
    around = list(a.iterancestors())
    related = {*around, *a.iter()}   # the link itself, what it holds, what holds it
    for parent in around[:3]:
        for el in parent.iterdescendants(*_BOX_HEADINGS):
            if el in related or has_descendant(el, "a"):
                continue
            text = " ".join(texts.spaced(el).split())
            if 2 <= len(text) <= 20 and not _HAS_DATE.search(text) and text.lower() not in _NOT_COLUMNS:
                return text
    return ""


def _base(doc: Element, url: str) -> str:
    """The page's <base href>, resolved against its URL (the URL itself when there is none)."""
    base = next((b for b in doc.iter("base") if b.get("href") is not None), None)
    return (join_url(url, base.get("href")) or url) if base is not None else url


def extract_links(html: str | Page, base_url: str) -> list[Link]:
    """Every http(s) link on the page, in page order, one per URL (``html``: the page, or a shared `Page`)."""
    page = as_page(html)
    doc, texts = page.tree(), page.texts()
    base_url = _base(doc, base_url)
    seen: set[str] = set()
    links = []
    for a in doc.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        url = clean_url(href, base_url)
        if url and url not in seen:
            seen.add(url)
            links.append(Link(text=_text(a, texts), url=url))
    return links


def _scope(url: str) -> str:
    """The directory a disclosure page lives in: its columns usually sit below it."""
    path = urlsplit(url).path
    return path if path.endswith("/") else dirname(path) + "/"


_INDEX_PAGE = re.compile(r"/(?:index|default)\.(?:s?html?|jsp|php|aspx?)$")


def _page_key(u: str) -> str:
    """What two addresses of one page share (index.html and its folder are one page)."""
    p = urlsplit(u)
    return _key(p.hostname, p.port, p)


def _key(host: str | None, port: int | None, p: SplitResult) -> str:
    """`_page_key` of the address split into ``p``, its host and port already read."""
    return f"{host}:{port}{_INDEX_PAGE.sub('/', p.path)}?{p.query}"


def discover_columns(html: str | Page, page_url: str, allowed_hosts: set[str] | frozenset[str],
                     exclude: set[str] | frozenset[str] = frozenset()) -> list[Link]:
    """The column links of a disclosure (or parent column) page, names as shown.

    Columns are navigation links on the configured hosts whose text is a short
    name, not an article, a file or site chrome. Links below the page's own
    directory are preferred; elsewhere on the host a link must read like a
    column of a disclosure catalogue.
    """
    page = as_page(html)
    doc, texts = page.tree(), page.texts()
    scope = _scope(page_url)
    in_scope: list[Link] = []
    elsewhere: list[Link] = []
    seen: set[str] = set()
    base_url = _base(doc, page_url)
    not_columns = {_page_key(page_url), *map(_page_key, exclude)}   # the page itself, and what the caller names
    for a in doc.iter("a"):
        href = a.get("href")
        if href is None:
            continue
        target = _target(href, base_url)
        if target is None or target[0] in seen:
            continue
        url, host, port = target
        parts = urlsplit(url)   # (cached by urllib)
        if _key(host, port, parts) in not_columns or host not in allowed_hosts or _ITEM_URL.search(parts.path):
            continue
        text = _text(a, texts)
        if _MORE.match(text):
            # Boxes of column previews: the box's heading names the column, 更多 links to it.
            text = _box_title(a, texts)
        if not 2 <= len(text) <= 20 or text.lower() in _NOT_COLUMNS or _HAS_DATE.search(text) \
                or text.startswith("走进") or _FILE_TEXT.search(text) or _DOWNLOAD_URL.search(url):
            continue
        # A link whose row carries a date is a list item, not a column.
        row = next(a.iterancestors("li", "tr", "dd", "p"), None)
        if row is not None and _HAS_DATE.search(texts.spaced(row).replace(text, "")):
            continue
        seen.add(url)
        link = Link(text=text, url=url)
        if parts.path.startswith(scope) and scope != "/":
            in_scope.append(link)
        elif _COLUMN_WORDS.search(text):
            elsewhere.append(link)
    if len(in_scope) >= 2:
        # Outside the page's directory only the first-level entries that sites often
        # keep centrally (指南, 制度, 年报); "政务公开" in the portal's top bar is not a column.
        columns = in_scope + [l for l in elsewhere if _FIRST_LEVEL.search(l.text)]
    else:
        columns = in_scope + elsewhere
    return columns[:_MAX_COLUMNS]
