"""Was this answer a page govfresh can read? Pure: (status, headers, body) → a verdict.

The spider asks this once for every page before reading it, so nothing is ever
judged on content that was not seen: an anti-bot challenge (HTTP 412, or a 200
whose page is only a script that sets a cookie and reloads, 云锁/安全狗/加速乐
style), a redirect that was not followed (to file://, off the unit's site), a
binary or undecodable body, an empty answer, and a 200 that is not the page asked
for: a "page not found" (soft 404), a login wall, a parked or closed domain, a
server's error or maintenance page, a page that only redirects by script or meta
refresh, a page whose content is only in frames.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from .encoding import decode, detect

READ = "read"
UNREACHABLE = "unreachable"
BLOCKED = "blocked"
UNVERIFIABLE = "unverifiable"

_HEAD = 20_000   # a challenge page is small; its markers sit near the top

# Markers of bot-challenge scripts and WAF pages (all ASCII or UTF-8 bytes).
_CHALLENGE_MARK = re.compile(
    rb"<script|challenge|captcha|verify|" + "验证".encode() + rb"|" + "安全".encode(), re.I)
_WAF_MARK = re.compile(
    rb"yunsuo|safedog|jsl_clearance|__jsluid|_0x[0-9a-f]{4}|\$_ts|waf|cf-chl|"
    rb"security_verify|anti-?bot|" + "云锁".encode() + rb"|" + "安全狗".encode() + rb"|"
    + "创宇盾".encode() + rb"|" + "加速乐".encode(), re.I)
_SETS_COOKIE = re.compile(rb"document\s*\.\s*cookie\s*=", re.I)
# Every pattern here starts on a literal and never nests repeats: linear on any input.
_RELOADS = re.compile(
    rb"location\s*\.\s*(?:reload|replace|assign)|location\s*(?:\.\s*href\s*)?=(?!=)|setTimeout\s*\(", re.I)
_BLOCK_START = re.compile(rb"<(script|style|noscript)\b|<!--")
_TAG = re.compile(rb"<[^<>]*>")
_SPACE = re.compile(rb"(?:\s|&nbsp;)+")
_SPACE_BYTES = b" \t\n\r\x0b\x0c"   # what \s matches in a bytes pattern
_PIECE = 2048   # bytes of a page counted at a time when a threshold may decide early

# Signatures of files that are not pages (a PDF, an image, an archive, a compressed body
# whose Content-Encoding was lost or broken).
_MAGIC = (
    (b"%PDF", "PDF 文件"), (b"PK\x03\x04", "压缩包或 Office 文件"), (b"\xd0\xcf\x11\xe0", "Office 文件"),
    (b"\x89PNG", "图片"), (b"GIF8", "图片"), (b"\xff\xd8\xff", "图片"), (b"\x1f\x8b", "未解压的 gzip 数据"),
    (b"Rar!", "压缩包"), (b"7z\xbc\xaf", "压缩包"), (b"BZh", "压缩包"),
)
_TEXT_TYPES = re.compile(r"^\s*(?:text/|application/(?:xhtml\+xml|xml)|$)", re.I)
_CONTROL = bytes([*range(0x00, 0x09), *range(0x0e, 0x1b), *range(0x1c, 0x20)])

# ---- a 200 that is not the page asked for ---------------------------------------------------
# Judged on the <title> (anchored at its start: "页面不存在 - 某某县人民政府", never "关于系统
#维护的通知") and, when the page shows next to nothing, on its visible text. No pattern nests
# repeats: linear on any input.
_SMALL_PAGE = 600        # visible bytes (~200 Chinese characters): a list or an article shows more
_CHALLENGE_SHOWN = 300   # a challenge shows less
_TITLE = re.compile(rb"<title\b[^<>]*>([^<]{0,300})", re.I)
_NOT_FOUND = (r"页面不存在|页面未找到|找不到(?:该|您要访问的|您所访问的|您访问的|您请求的)?页面|您(?:所)?访问的页面"
              r"(?:不存在|已删除|已被删除)|(?:信息|文章|栏目|内容|文件)(?:已被删除|不存在)|404\s*(?:not|错误|页面|error)|"
              r"(?:错误|error)\s*(?:代码)?[:：]?\s*404|not\s+found")
_LOGIN = r"(?:用户|会员|统一身份认证|系统)?(?:登录|登陆)|log\s*in|sign\s*in|身份认证"
_PARKED = (r"域名(?:正在|已经|已|可)?(?:出售|转让|停放|过期|到期)|(?:domain|this\s+site)[^<]{0,40}(?:for\s+sale|parked|"
           r"expired)|(?:网站|站点)(?:已|已经|暂时|暂)?(?:关闭|停止访问|暂停访问|停止服务|暂停服务)|未备案")
_ERROR = (r"系统(?:繁忙|错误|异常|出错)|服务器(?:内部)?错误|(?:系统|网站)?正在维护|维护中(?!心)|出错了|访问出错|错误提示|"
          r"internal\s+server\s+error|service\s+(?:temporarily\s+)?unavailable|bad\s+gateway|gateway\s+time-?out|"
          r"runtime\s+error|server\s+error|数据库(?:连接)?(?:错误|失败|异常)")
_DENIED = r"访问被(?:拒绝|拦截|阻断)|(?:请求|访问)已被(?:网站)?(?:防火墙|安全防护)?拦截|access\s+denied|forbidden"
_NOT_THE_PAGE = (   # (state, why, pattern), first match wins
    (BLOCKED, "网站拒绝访问（防火墙拦截页）", _DENIED),
    (UNVERIFIABLE, "页面显示“页面不存在”", _NOT_FOUND),
    (UNVERIFIABLE, "页面是域名停放或网站关闭的提示", _PARKED),
    (UNVERIFIABLE, "页面是服务器错误或维护提示", _ERROR),
)
# A title may be just "404" (in a text, a bare 404 may be a document number: 〔2026〕404号).
_TITLE_KINDS = tuple((state, why, re.compile(r"^[\s\W_]{0,5}(?:" + ("404(?![0-9])|" if pattern is _NOT_FOUND else "")
                                             + pattern + ")", re.I))
                     for state, why, pattern in _NOT_THE_PAGE)
_TEXT_KINDS = tuple((state, why, re.compile(pattern, re.I)) for state, why, pattern in _NOT_THE_PAGE)
_LOGIN_TITLE = re.compile(r"^[\s\W_]{0,5}(?:" + _LOGIN + ")|(?:" + _LOGIN + r")[\s\W_]{0,5}$", re.I)
_PASSWORD = re.compile(rb"type\s*=\s*[\"']?password", re.I)
# A page that only moves the visitor on: a meta refresh, or a script assigning a literal address.
_META_REFRESH = re.compile(rb"<meta\b[^<>]{0,200}http-equiv\s*=\s*[\"']?refresh", re.I)
_SCRIPT_GO = re.compile(
    r"""(?:window\s*\.\s*|self\s*\.\s*|top\s*\.\s*|document\s*\.\s*)?location\s*(?:\.\s*href\s*)?=\s*(["'])([^"'<>\s]{1,500})\1|"""
    r"""location\s*\.\s*(?:replace|assign)\s*\(\s*(["'])([^"'<>\s]{1,500})\3""", re.I)
_FRAME_SRC = re.compile(rb"<i?frame\b[^<>]{0,500}?\bsrc\s*=\s*[\"']?([^\"'<>\s]{1,500})", re.I)
_FRAME_NAME = re.compile(rb"\b(?:name|id)\s*=\s*[\"']?(?:main|content|mainframe|contentframe|right|body)\b", re.I)
_FRAME_TAG = re.compile(rb"<i?frame\b[^<>]{0,500}", re.I)
# A page that only moves the visitor on has next to no links of its own; a short list page whose
# header has a search box (location.href="/search?q="+…) has its items and menu.
_LINK = re.compile(rb"<a\b[^<>]{0,500}?\bhref\s*=", re.I)
_MOVER_LINKS = 3
_SAMPLE = 8192


@dataclass(frozen=True)
class Verdict:
    """READ, or the state a page that could not be read is recorded in, and why (for a clerk)."""
    state: str
    reason: str | None = None

    @property
    def read(self) -> bool:
        return self.state == READ


def _without_blocks(head: bytes) -> bytes:
    """`head` without scripts, styles and comments (an unclosed one runs to the end)."""
    low = head.lower()
    out, i = [], 0
    while (m := _BLOCK_START.search(low, i)) is not None:
        out.append(head[i:m.start()])
        end = b"-->" if m.group(0) == b"<!--" else b"</" + m.group(1)
        j = low.find(end, m.end())
        if j < 0:
            return b"".join(out)
        i = j + len(end)
    out.append(head[i:])
    return b"".join(out)


def _shown_bytes(text: bytes) -> int:
    """Bytes of `text` (scripts and styles already out) left once tags, spaces and &nbsp; go.

    The same count as ``len(_SPACE.sub(b"", shown))``: bytes.translate deletes the spaces
    and no "&nbsp;" holds one, so each of them takes away 6 bytes (a tenth of the time).
    """
    shown = _TAG.sub(b"", text)
    return len(shown.translate(None, _SPACE_BYTES)) - 6 * shown.count(b"&nbsp;")


def _visible_bytes(head: bytes, enough: int | None = None) -> int:
    """Roughly how much text a person would see: markup, scripts and styles removed.

    With `enough`, counting stops once more than `enough` is certain (the count returned is
    then only known to exceed it): a page's first few kilobytes decide a small-page test.
    The text is counted in pieces cut just before a "<", so no tag spans two pieces; an
    "&nbsp;" cut in two is taken off each piece's count in case.
    """
    text = _without_blocks(head)
    if enough is not None:
        seen, start = 0, 0
        while (cut := text.find(b"<", start + _PIECE)) >= 0:
            seen += _shown_bytes(text[start:cut]) - 6
            if seen > enough:
                return seen
            start = cut
    return _shown_bytes(text)


class _Head:
    """A body's first bytes, and what they show: counted once for every question asked."""

    def __init__(self, body: bytes):
        self.bytes = body[:_HEAD]
        self._counts: dict[int, int] = {}

    @cached_property
    def low(self) -> bytes:
        return self.bytes.lower()

    def shows_more_than(self, limit: int) -> bool:
        """Whether the visible bytes exceed `limit` (counting stops once they do for certain)."""
        if limit not in self._counts:
            self._counts[limit] = _visible_bytes(self.bytes, enough=limit)
        return self._counts[limit] > limit

    @cached_property
    def few_links(self) -> bool:
        """At most _MOVER_LINKS links (counting stops at the one past it)."""
        links = _LINK.finditer(self.bytes)
        return sum(1 for _ in zip(links, range(_MOVER_LINKS + 1))) <= _MOVER_LINKS


def is_challenge(status: int, body: bytes) -> bool:
    """An anti-bot challenge instead of the page: the site is up, but holds us back.

    HTTP 412 (瑞数 and others) is one whatever it says; 403/503/521 when a script or a
    WAF's words are on the page; a 200 only when the page shows next to nothing and
    its script sets a cookie and reloads, or names a known WAF.
    """
    return _challenge(status, body, _Head(body))


def _challenge(status: int, body: bytes, shows: _Head) -> bool:
    if status == 412:
        return True
    head = shows.bytes
    if status in (403, 503, 521):
        return bool(_CHALLENGE_MARK.search(head))
    if status != 200 or len(body) > 64 * 1024 or b"<script" not in shows.low:
        return False
    if shows.shows_more_than(_CHALLENGE_SHOWN):
        return False
    return bool(_SETS_COOKIE.search(head) and _RELOADS.search(head)) or bool(_WAF_MARK.search(head))


def _title(head: bytes) -> str:
    m = _TITLE.search(head)
    return decode(m.group(1)).strip() if m else ""


def _visible_text(head: bytes) -> str:
    return decode(_SPACE.sub(b" ", _TAG.sub(b" ", _without_blocks(head)))).strip()


def page_redirect(body: bytes) -> str | None:
    """Where a page that shows next to nothing sends the visitor: a script's literal address,
    or its one frame (a frameset's main frame); None for a page with content, or a challenge."""
    shows = _Head(body)
    head = shows.bytes
    # Cheapest test first: a page with links (most pages) is no mover, whatever it shows.
    if len(body) > 64 * 1024 or not shows.few_links or shows.shows_more_than(_SMALL_PAGE) \
            or _challenge(200, body, shows):
        return None
    text = decode(head)
    for m in _SCRIPT_GO.finditer(text):
        target = m.group(2) or m.group(4)
        if not target.lower().startswith(("javascript:", "#")):
            return target
    frames = _FRAME_TAG.findall(head)
    if len(frames) > 1:
        frames = [f for f in frames if _FRAME_NAME.search(f)]
    if len(frames) == 1 and (m := _FRAME_SRC.search(frames[0])) is not None:
        target = m.group(1).decode("latin-1")
        if not target.lower().startswith(("javascript:", "about:", "#")):
            return target
    return None


def not_the_page(body: bytes) -> Verdict | None:
    """A 200 that is not the page asked for (soft 404, login wall, parked domain, error page,
    a redirect or frame not followed): the state to record and why; None for a real page."""
    return _not_the_page(body, _Head(body))


def _not_the_page(body: bytes, shows: _Head) -> Verdict | None:
    head = shows.bytes
    title = _title(head)
    # A page showing next to nothing, with next to no links: a short list page (a few items, a
    # menu) is not one, whatever its items say (关于网站关闭的公告, 关于未备案网站的通知).
    bare = shows.few_links and not shows.shows_more_than(_SMALL_PAGE)
    for state, why, pattern in _TITLE_KINDS:
        if pattern.search(title):
            return Verdict(state, f"{why}（标题：{title[:40]}）")
    # re.I keeps the regex engine from searching for its literal: a plain search first.
    if b"password" in shows.low and _PASSWORD.search(head) and (bare or _LOGIN_TITLE.search(title)):
        return Verdict(UNVERIFIABLE, "页面是登录页，需要账号才能查看")
    if not bare:
        return None
    text = _visible_text(head)
    for state, why, pattern in _TEXT_KINDS:
        if (m := pattern.search(text)) is not None:
            return Verdict(state, f"{why}（“{m.group(0)[:20]}”）")
    if _META_REFRESH.search(head) or _SCRIPT_GO.search(decode(head)):
        return Verdict(UNVERIFIABLE, "页面只是跳转到别处，未跟随")
    if _FRAME_TAG.search(head):
        return Verdict(UNVERIFIABLE, "页面内容在框架（frame）中，未能读取")
    return None


def not_a_page(body: bytes, content_type: str | None) -> str | None:
    """Why `body` is no readable page (binary, a file, undecodable text); None when it is one."""
    if not body.strip():
        return "页面内容为空"
    for magic, what in _MAGIC:
        if body.startswith(magic):
            return f"返回的是{what}，不是网页"
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype and not _TEXT_TYPES.match(ctype) and b"<" not in body[:1024]:
        return f"返回的是文件（{ctype}），不是网页"
    encoding = detect(body, content_type)
    if not encoding.startswith(("utf-16", "utf-32")):
        sample = body[:_SAMPLE]
        # HTML has no NUL and hardly any other control bytes; random binary has ~1 in 10.
        controls = len(sample) - len(sample.translate(None, _CONTROL))   # bytes.translate: no regex scan
        if b"\x00" in sample or controls * 100 > len(sample):
            return "返回的是二进制数据，不是网页"
    text = decode(body[:_SAMPLE * 4], content_type)
    if text.count("\ufffd") * 10 > len(text):
        return "页面编码无法识别（乱码）"
    return None


def judge_answer(status: int, body: bytes, content_type: str | None, location: str | None = None) -> Verdict:
    """Can this answer be read as a page? The one question every callback asks first."""
    shows = _Head(body)   # what the page shows is counted once, for both questions
    if _challenge(status, body, shows):
        return Verdict(BLOCKED, f"反爬虫验证页（HTTP {status}）")
    if status >= 400:
        return Verdict(UNREACHABLE, f"HTTP {status}")
    if status == 304:
        return Verdict(READ)    # Not Modified: the last reading still holds
    if 300 <= status < 400:
        # Scrapy follows http(s) redirects; one that reaches us pointed elsewhere (file://, nowhere).
        where = (location or "").strip()[:200]
        return Verdict(UNVERIFIABLE, f"重定向到不支持的地址（{where or '无目标'}），未跟随")
    reason = not_a_page(body, content_type)
    if reason:
        return Verdict(UNVERIFIABLE, reason)
    return _not_the_page(body, shows) or Verdict(READ)
