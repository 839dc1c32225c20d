"""Bytes to text for government pages; never raises, whatever the bytes or the labels.

Order: BOM, HTTP header charset, ``<meta charset>`` / ``<meta http-equiv>`` (any attribute
order, e.g. ``<meta charset="utf-8" name="viewport">``), then sniffing (UTF-8, else GB18030).
gb2312/gbk/x-gbk are decoded as GB18030: pages declared gb2312 carry GBK-only characters
such as 堃 and 玥, which a strict gb2312 decoder would turn into garbage.

A declared label counts only if a browser would honour it: labels are resolved through
the WHATWG Encoding Standard's label list (the ``webencodings`` package), not through
Python's codec registry, which also knows ``rot13``, ``base64``, ``hex``, ``idna`` and
``undefined`` — declared by a hostile or broken page, those made decoding raise.
"""
from __future__ import annotations

import re

import webencodings
from w3lib.encoding import read_bom

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
    rb"<meta\b[^<>]*?charset\s*=\s*[\"']?\s*([a-zA-Z0-9_:.+\-]+)", re.IGNORECASE
)
_SNIFF_BYTES = 64 * 1024
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


# WHATWG encodings with no Python codec behind them: x-user-defined, and "replacement"
# (iso-2022-kr, hz-gb-2312…: a browser shows one U+FFFD). Treated as undeclared: sniffed.
_NO_CODEC = {"replacement", "x-user-defined"}


def normalize_label(label: str | None) -> str | None:
    """Python codec name for a declared charset (WHATWG labels), GB family → gb18030; None if unknown."""
    if not label:
        return None
    name = label.strip().strip("\"'").lower()
    if name in _GB_ALIASES:
        return "gb18030"
    encoding = webencodings.lookup(name)
    if encoding is None or encoding.name in _NO_CODEC:
        return None
    if encoding.name in ("gbk", "gb18030"):   # WHATWG: the gbk decoder is the gb18030 decoder
        return "gb18030"
    return encoding.codec_info.name


def _meta_charset(body: bytes) -> str | None:
    head = body[:_SNIFF_BYTES]
    for m in _META_CHARSET.finditer(head):
        enc = normalize_label(m.group(1).decode("ascii", "ignore"))
        if enc:
            # WHATWG: a <meta> read as ASCII cannot mean UTF-16; it means UTF-8.
            return "utf-8" if enc.startswith("utf-16") else enc
    return None


def _strict(body: bytes, enc: str) -> str | None:
    try:
        return body.decode(enc)
    except (UnicodeDecodeError, LookupError):
        return None


def sniff(body: bytes) -> str:
    """Encoding of an undeclared page: UTF-8 if it decodes cleanly, else GB18030 (Chinese sites)."""
    return _sniffed(body)[0]


def _sniffed(body: bytes) -> tuple[str, str | None]:
    for enc in ("utf-8", "gb18030"):
        text = _strict(body, enc)
        if text is not None:
            return enc, text
    # Both fail: keep the one with fewer replacement characters.
    u = body.decode("utf-8", "replace").count("\ufffd")
    g = body.decode("gb18030", "replace").count("\ufffd")
    return "utf-8" if u <= g else "gb18030", None


def detect(body: bytes, content_type: str | None = None) -> str:
    """The codec name ``decode`` would use."""
    return _detected(body, content_type)[0]


# A page's body is asked about several times on its way in, a few calls apart (readable.py's
# check detects and decodes a sample, the reader decodes it all): the last few answers are kept
# with the body object they are for (held, so another body never takes its place) and the
# Content-Type. Only bytes (immutable); none for tiny bodies (a title: nothing to save) or huge
# ones (4 of those, and their texts, would hold tens of megabytes). A tuple, replaced whole:
# a thread reading it never sees it half changed.
_RECENT = 4
_KEPT_SIZES = range(1024, 1024 * 1024 + 1)
_recent: tuple[tuple[bytes, str | None, tuple[str, str | None]], ...] = ()


def _detected(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """The codec, and the text when checking the codec already decoded the whole body cleanly
    (so `decode` does not decode it twice)."""
    global _recent
    if type(body) is not bytes or len(body) not in _KEPT_SIZES:
        return _detected_anew(body, content_type)
    for kept_body, kept_type, answer in _recent:
        if kept_body is body and kept_type == content_type:
            return answer
    answer = _detected_anew(body, content_type)
    _recent = ((body, content_type, answer), *_recent[:_RECENT - 1])
    return answer


def _detected_anew(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    bom_enc, _ = read_bom(body)
    if bom_enc:
        return normalize_label(bom_enc) or bom_enc, None
    declared = None
    if content_type:
        declared = normalize_label(_ct_charset(content_type))
    if not declared:
        declared = _meta_charset(body)
    if not declared:
        return _sniffed(body)
    if declared in _WESTERN and _HIGH_BYTE.search(body, 0, _SNIFF_BYTES):
        # A Western label on a page with high bytes: trust the bytes (and the meta) instead.
        meta = _meta_charset(body)
        if meta and meta not in _WESTERN:
            return meta, None
        return _sniffed(body)
    text = _strict(body, declared)
    if text is None:
        # Mislabelled page (header says gbk, body is UTF-8, or the reverse): if another
        # candidate decodes cleanly, it is the truth.
        for alt in (_meta_charset(body), "utf-8", "gb18030"):
            if alt and alt != declared:
                text = _strict(body, alt)
                if text is not None:
                    return alt, text
    return declared, text


_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\s;\"']+)", re.IGNORECASE)


def _ct_charset(content_type: str) -> str | None:
    m = _CT_CHARSET.search(content_type)
    return m.group(1) if m else None


def decode(body: bytes, content_type: str | None = None) -> str:
    """Decode a page body to text (see module doc for the order); bad bytes become U+FFFD."""
    if isinstance(body, str):
        return body
    encoding, text = _detected(body, content_type)
    if text is None:
        try:
            text = body.decode(encoding, "replace")
        except (LookupError, UnicodeError):   # not expected (labels are vetted); never fatal
            text = body.decode("utf-8", "replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
