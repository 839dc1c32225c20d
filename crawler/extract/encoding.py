"""Bytes to text for government pages; never raises on bad bytes.

Order: BOM, HTTP header charset, ``<meta charset>`` / ``<meta http-equiv>`` (any attribute
order, e.g. ``<meta charset="utf-8" name="viewport">``), then sniffing (UTF-8, else GB18030).
gb2312/gbk/x-gbk are decoded as GB18030: pages declared gb2312 carry GBK-only characters
such as 堃 and 玥, which a strict gb2312 decoder would turn into garbage.
"""
from __future__ import annotations

import codecs
import re

from w3lib.encoding import http_content_type_encoding, read_bom

# Labels browsers treat as GBK; GB18030 is a superset of all of them.
_GB_ALIASES = {
    "gb2312", "gb_2312", "gb_2312-80", "gb2312-80", "csgb2312", "x-gbk", "gbk", "cp936",
    "ms936", "windows-936", "chinese", "iso-ir-58", "x-gb2312", "euc-cn", "euccn", "gb18030",
}
# Single-byte Western labels that servers send by default (Tomcat's ISO-8859-1) on pages
# that are really UTF-8 or GBK; they never fail to decode, so they get a second look.
_WESTERN = {"iso-8859-1", "latin-1", "latin1", "windows-1252", "cp1252", "ascii", "us-ascii"}

# <meta ... charset=xxx ...> in any attribute order, also inside http-equiv content.
_META_CHARSET = re.compile(
    rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_:.+\-]+)", re.IGNORECASE
)
_SNIFF_BYTES = 64 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def normalize_label(label: str | None) -> str | None:
    """Canonical Python codec name for a declared charset, GB family → gb18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_ALIASES:
        return "gb18030"
    if name in ("utf8", "unicode-1-1-utf-8", "unicode11utf8", "x-unicode20utf8"):
        return "utf-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _meta_charset(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    for m in _META_CHARSET.finditer(head):
        enc = normalize_label(m.group(1).decode("ascii", "ignore"))
        if enc:
            return enc
    return None


def _strict(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def sniff(body: bytes) -> str:
    """Encoding of an undeclared page: UTF-8 if it decodes cleanly, else GB18030 (Chinese sites)."""
    if _strict(body, "utf-8") is not None:
        return "utf-8"
    if _strict(body, "gb18030") is not None:
        return "gb18030"
    # Both fail: keep the one with fewer replacement characters.
    u = body.decode("utf-8", "replace").count("\ufffd")
    g = body.decode("gb18030", "replace").count("\ufffd")
    return "utf-8" if u <= g else "gb18030"


def detect(body: bytes, content_type: str | None = None) -> str:
    """The codec name ``decode`` would use."""
    bom_enc, _ = read_bom(body)
    if bom_enc:
        return normalize_label(bom_enc) or bom_enc
    declared = None
    if content_type:
        declared = normalize_label(http_content_type_encoding(content_type) or _ct_charset(content_type))
    if not declared:
        declared = _meta_charset(body)
    if not declared:
        return sniff(body)
    if declared in _WESTERN and _HIGH_BYTE.search(body, 0, _SNIFF_BYTES):
        # A Western label on a page with high bytes: trust the bytes (and the meta) instead.
        meta = _meta_charset(body)
        if meta and meta not in _WESTERN:
            return meta
        return sniff(body)
    if _strict(body, declared) is None:
        # Mislabelled page (header says gbk, body is UTF-8, or the reverse): if another
        # candidate decodes cleanly, it is the truth.
        for alt in (_meta_charset(body), "utf-8", "gb18030"):
            if alt and alt != declared and _strict(body, alt) is not None:
                return alt
    return declared


_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)


def _ct_charset(content_type: str) -> str | None:
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def decode(body: bytes, content_type: str | None = None) -> str:
    """Decode a page body to text (see module doc for the order); bad bytes become U+FFFD."""
    if isinstance(body, str):
        return body
    enc = detect(body, content_type)
    text = body.decode(enc, "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
