"""Was this answer a page govfresh can read? Pure: (status, headers, body) → a verdict.

The spider asks this once for every page before reading it, so nothing is ever
judged on content that was not seen: an anti-bot challenge (HTTP 412, or a 200
whose page is only a script that sets a cookie and reloads, 云锁/安全狗/加速乐
style), a redirect that was not followed (to file://, off the unit's site), a
binary or undecodable body, an empty answer.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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

# Signatures of files that are not pages (a PDF, an image, an archive, a compressed body
# whose Content-Encoding was lost or broken).
_MAGIC = (
    (b"%PDF", "PDF 文件"), (b"PK\x03\x04", "压缩包或 Office 文件"), (b"\xd0\xcf\x11\xe0", "Office 文件"),
    (b"\x89PNG", "图片"), (b"GIF8", "图片"), (b"\xff\xd8\xff", "图片"), (b"\x1f\x8b", "未解压的 gzip 数据"),
    (b"Rar!", "压缩包"), (b"7z\xbc\xaf", "压缩包"), (b"BZh", "压缩包"),
)
_TEXT_TYPES = re.compile(r"^\s*(?:text/|application/(?:xhtml\+xml|xml)|$)", re.I)
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
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


def _visible_bytes(head: bytes) -> int:
    """Roughly how much text a person would see: markup, scripts and styles removed."""
    return len(_SPACE.sub(b"", _TAG.sub(b"", _without_blocks(head))))


def is_challenge(status: int, body: bytes) -> bool:
    """An anti-bot challenge instead of the page: the site is up, but holds us back.

    HTTP 412 (瑞数 and others) is one whatever it says; 403/503/521 when a script or a
    WAF's words are on the page; a 200 only when the page shows next to nothing and
    its script sets a cookie and reloads, or names a known WAF.
    """
    if status == 412:
        return True
    head = body[:_HEAD]
    if status in (403, 503, 521):
        return bool(_CHALLENGE_MARK.search(head))
    if status != 200 or len(body) > 64 * 1024 or b"<script" not in head.lower():
        return False
    if _visible_bytes(head) > 300:
        return False
    return bool(_SETS_COOKIE.search(head) and _RELOADS.search(head)) or bool(_WAF_MARK.search(head))


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
        if b"\x00" in sample or len(_CONTROL.findall(sample)) * 100 > len(sample):
            return "返回的是二进制数据，不是网页"
    text = decode(body[:_SAMPLE * 4], content_type)
    if text.count("\ufffd") * 10 > len(text):
        return "页面编码无法识别（乱码）"
    return None


def judge_answer(status: int, body: bytes, content_type: str | None, location: str | None = None) -> Verdict:
    """Can this answer be read as a page? The one question every callback asks first."""
    if is_challenge(status, body):
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
    return Verdict(READ)
