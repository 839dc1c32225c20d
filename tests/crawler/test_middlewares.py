"""Downloader middlewares on single responses (crawler/middlewares.py): a page that moves the
visitor on by a meta refresh is followed however the refresh is written."""
import pytest
from scrapy import Request
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from crawler import settings as defaults
from crawler.middlewares import PageRedirectMiddleware, SafeEncodingMiddleware

URL = "http://127.0.0.1/xxgk/"
# Enough of a page (a list in the head's first kilobytes) that only the refresh moves it.
LIST = "".join(f'<li><a href="/doc/{i}.html">通知{i}</a><span>2026-11-{i + 1:02d}</span></li>' for i in range(20))


def answer(body: bytes, encoding: str = "utf-8"):
    mw = PageRedirectMiddleware.from_crawler(get_crawler(settings_dict={
        "REDIRECT_MAX_TIMES": defaults.REDIRECT_MAX_TIMES}))
    request = Request(URL)
    response = HtmlResponse(URL, body=body, encoding=encoding, request=request)
    return mw.process_response(request, response)


@pytest.mark.parametrize("refresh", [
    '<meta http-equiv="refresh" content="0;url=/new/">',
    '<META HTTP-EQUIV="Refresh" CONTENT="0; URL=/new/">',
    "<meta content='0;url=/new/' http-equiv=refresh>",
])
def test_a_meta_refresh_is_followed_however_it_is_written(refresh):
    result = answer(f"<html><head>{refresh}</head><body><ul>{LIST}</ul></body></html>".encode())
    assert isinstance(result, Request) and result.url == "http://127.0.0.1/new/"


def test_a_meta_refresh_in_a_utf16_page_is_followed():
    page = f'<html><head><meta http-equiv="refresh" content="0;url=/new/"></head><body><ul>{LIST}</ul></body></html>'
    result = answer(page.encode("utf-16"), encoding="utf-16")
    # (Scrapy keeps the byte-order mark's two bytes as a query: its own doing, not ours.)
    assert isinstance(result, Request) and result.url.startswith("http://127.0.0.1/new/")


def test_a_page_without_a_refresh_is_the_answer():
    body = f"<html><head><title>通知公告</title></head><body><ul>{LIST}</ul></body></html>".encode()
    result = answer(body)
    assert isinstance(result, HtmlResponse) and result.body == body


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_meta_refresh_after_4096_bytes_of_chinese_is_still_seen(encoding):
    # Scrapy looks at the first 4096 characters: here ~9,000 bytes in UTF-8, ~6,000 in GB18030.
    title = "政府信息公开" * 500
    page = (f'<html><head><title>{title}</title><meta http-equiv="refresh" content="0;url=/new/">'
            f"</head><body><ul>{LIST}</ul></body></html>")
    result = answer(page.encode(encoding), encoding=encoding)
    assert isinstance(result, Request) and result.url == "http://127.0.0.1/new/"


def test_a_meta_refresh_past_the_first_4096_characters_is_left_as_scrapy_leaves_it():
    page = (f'<html><head><title>{"通知" * 2100}</title><meta http-equiv="refresh" content="0;url=/new/">'
            f"</head><body><ul>{LIST}</ul></body></html>").encode()
    result = answer(page)
    assert isinstance(result, HtmlResponse) and result.body == page


@pytest.mark.parametrize("content_type,body,encoding", [
    ("text/html; charset=utf-8", "<p>通知公告</p>".encode(), "utf-8"),                  # as declared
    ("text/html; charset=utf-8", "<p>通知公告</p>".encode("gb18030"), "gb18030"),        # mislabelled
    ("text/html; charset=rot13", "<p>通知公告</p>".encode("gb18030"), "gb18030"),        # no real label
    ("text/html", '<meta charset="gbk"><p>通知公告</p>'.encode("gb18030"), "gb18030"),   # the page's own
    ("text/html; charset=utf-8", b"\xef\xbb\xbf<p>" + "通知".encode() + b"</p>", "utf-8"),  # a BOM
])
def test_every_text_response_leaves_with_an_encoding_that_reads_it(content_type, body, encoding):
    request = Request(URL)
    response = HtmlResponse(URL, body=body, headers={"Content-Type": content_type}, request=request)
    result = SafeEncodingMiddleware().process_response(request, response)
    assert result.encoding == encoding and "通知" in result.text and result.body == body
