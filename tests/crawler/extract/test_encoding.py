"""Decoding: declared charsets in every place, GBK-only characters, never raising."""
from pathlib import Path

import pytest

from crawler.extract.encoding import decode, detect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "extract"
GBK_ONLY = "堃玥"


def test_gbk_only_characters_are_not_gb2312():
    # The fixtures exercise what they claim: these characters are outside GB2312.
    for ch in GBK_ONLY:
        with pytest.raises(UnicodeEncodeError):
            ch.encode("gb2312")


@pytest.mark.parametrize(
    "fixture,content_type",
    [
        ("trs_gbk_pinned_item.html", None),                          # meta says gb2312
        ("trs_gbk_pinned_item.html", "text/html; charset=gb2312"),
        ("trs_gbk_pinned_item.html", "text/html; charset=x-gbk"),
        ("trs_gbk_pinned_item.html", "text/html; charset=GBK"),
        ("gbk_undeclared.html", None),                               # no header, no meta
        ("gbk_undeclared.html", "text/html; charset=gb2312"),
        ("gbk_undeclared.html", "text/html"),
    ],
    ids=["meta-gb2312", "header-gb2312", "header-x-gbk", "header-GBK", "undeclared",
         "undeclared-header-gb2312", "header-without-charset"],
)
def test_gbk_only_characters_survive(fixture, content_type):
    text = decode((FIXTURES / fixture).read_bytes(), content_type)
    assert "堃" in text and "玥" in text
    assert "\ufffd" not in text


@pytest.mark.parametrize(
    "head,expected",
    [
        (b'<meta charset="utf-8" name="viewport" content="width=device-width">', "utf-8"),
        (b'<meta name="viewport" charset="gbk">', "gb18030"),
        (b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">', "gb18030"),
        (b"<meta http-equiv='content-type' content='text/html;charset=GB2312'/>", "gb18030"),
        (b'<meta charset=x-gbk>', "gb18030"),
        (b"<p>plain ascii, nothing declared</p>", "utf-8"),
    ],
    ids=["charset-before-name", "charset-after-name", "http-equiv", "http-equiv-quotes", "x-gbk", "undeclared-ascii"],
)
def test_meta_forms(head, expected):
    assert detect(b"<html><head>" + head + b"</head><body>x</body></html>") == expected


def test_header_beats_meta():
    body = '<meta charset="utf-8"><p>中文</p>'.encode("gbk")
    assert decode(body, "text/html; charset=gbk").endswith("<p>中文</p>")


def test_bom_wins_and_is_stripped():
    body = b"\xef\xbb\xbf" + '<meta charset="gbk"><p>中文</p>'.encode("utf-8")
    text = decode(body)
    assert text.startswith("<meta") and "中文" in text


def test_western_header_on_utf8_page():
    # Tomcat's default ISO-8859-1 header on a UTF-8 page: the bytes and the meta win.
    body = '<meta charset="utf-8"><p>政府信息公开</p>'.encode("utf-8")
    assert "政府信息公开" in decode(body, "text/html; charset=ISO-8859-1")


@pytest.mark.parametrize("content_type", [None, "text/html; charset=utf-8", "text/html; charset=gb2312", "text/html; charset=bogus-9"])
def test_bad_bytes_never_raise(content_type):
    text = decode(b"<p>\xff\xfe\xfa\x80 ok \xe4\xb8</p>", content_type)
    assert "ok" in text


@pytest.mark.parametrize("label", ["rot13", "base64", "hex", "idna", "punycode", "undefined", "zlib", "uu",
                                   "utf-7", "x-user-defined", "iso-2022-kr", "nonsense", "'gbk'"])
@pytest.mark.parametrize("where", ["header", "meta"])
def test_labels_browsers_do_not_know_never_raise_and_are_sniffed(label, where):
    # Python's codec registry knows rot13, base64, hex, idna…: a page declaring one made decoding raise.
    body = "<p>王堃同志调研教育工作</p>".encode("gb18030") + b"\xff\x80"
    if where == "meta":
        body = f'<meta charset="{label}">'.encode() + body
    text = decode(body, f"text/html; charset={label}" if where == "header" else "text/html")
    assert "王堃同志调研教育工作" in text


@pytest.mark.parametrize("label,codec", [("latin1", "cp1252"), ("ISO-8859-1", "cp1252"), ("x-gbk", "gb18030"),
                                         ("chinese", "gb18030"), ("utf8", "utf-8"), ("big5", "big5hkscs")])
def test_whatwg_labels_resolve_as_browsers_do(label, codec):
    from crawler.extract.encoding import normalize_label
    assert normalize_label(label) == codec


def test_a_meta_that_says_utf16_means_utf8():
    body = '<meta charset="utf-16"><p>信息公开</p>'.encode("utf-8")
    assert "信息公开" in decode(body, "text/html")


def test_a_body_asked_again_is_answered_as_the_first_time_whatever_else_was_asked_between():
    # Answers are kept per body object and Content-Type (encoding._recent): asking about the
    # same body under another label, or about other bodies, never gets a kept answer wrong.
    page = ("<html><body>" + "政府信息公开" * 400 + "</body></html>").encode("gb18030")
    assert decode(page, "text/html; charset=gbk") == page.decode("gb18030")
    assert detect(page, "text/html; charset=utf-8") == "gb18030"   # mislabelled: the bytes win
    assert decode(page.decode("gb18030").encode("utf-8"), "text/html; charset=utf-8").startswith("<html>")
    for i in range(10):
        other = b"<p>%d</p>" % i * 300
        assert decode(other, "text/html") == other.decode()
    assert decode(page, "text/html; charset=gbk") == page.decode("gb18030")


def test_a_bytearray_changed_between_two_asks_is_read_anew():
    body = bytearray(("<p>" + "公开" * 600 + "</p>").encode("utf-8"))
    assert decode(body, "text/html; charset=utf-8").startswith("<p>公开")
    body[3:6] = b"abc"
    assert decode(body, "text/html; charset=utf-8").startswith("<p>abc")
