"""crawler.request: the crawl's Request takes a safe URL as it is, and is otherwise scrapy.Request."""
import re

import pytest
import scrapy
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy.http import Headers
from w3lib.url import safe_url_string

from crawler.request import _PLAIN, Request, copied

_SCHEMES = st.sampled_from(["http", "https", "HTTP", "ftp", "javascript"])
_HOSTS = st.one_of(
    st.from_regex(r"[a-z0-9.-]{1,20}", fullmatch=True),
    st.sampled_from(["www.qh.gov.cn", "127.0.0.1", "Example.GOV.cn", "a..b", "xn--fiqs8s.cn", "政府.cn",
                     "-a-.cn", "a" * 64 + ".cn", "[::1]", "user:pw@h.cn", "h.cn."]))
_PORTS = st.sampled_from(["", ":80", ":8080", ":0", ":0080", ":56399", ":65535", ":65536", ":99999", ":", ":x"])
# Characters a crawled href carries: the plain ones, and every kind safe_url_string changes.
_ODD = ["?", "#", "'", '"', "[", "]", "|", "\\", " ", "^", "`", "{", "<", "\t", "\n", "%2F", "%zz", "中", "é",
        "\x00", "\x7f"]
_PLAIN_TEXT = st.text(alphabet="abcXYZ019/-._~!$&()*+,;=:@%?", max_size=12)
_RESTS = st.one_of(
    st.lists(st.sampled_from(list("abcXYZ019/-._~!$&()*+,;=:@%?") + _ODD), max_size=30).map("".join),
    # a plain path with at most one odd character somewhere in it, or at its end
    st.tuples(st.sampled_from(["", "/", "/a/"]), _PLAIN_TEXT, st.sampled_from([""] + _ODD),
              _PLAIN_TEXT | st.just("")).map("".join))


@settings(max_examples=3000, deadline=None)
@given(scheme=_SCHEMES, host=_HOSTS, port=_PORTS, rest=_RESTS)
def test_every_url_comes_out_as_scrapy_makes_it(scheme, host, port, rest):
    url = f"{scheme}://{host}{port}{rest}"
    try:
        expected = scrapy.Request(url).url
    except ValueError as exc:
        with pytest.raises(ValueError, match=re.escape(str(exc))):
            Request(url)
        return
    assert Request(url).url == expected
    plain = _PLAIN.fullmatch(url)
    if plain and int(plain["port"] or 0) <= 65535:
        assert safe_url_string(url) == url


@pytest.mark.parametrize("url", [
    "http://www.qh.gov.cn/xxgk/index.html",
    "https://a.gov.cn:8443/col/col123/index.html?uid=4&pageNum=2",
    "http://127.0.0.1:8081/a/b;jsessionid=1?x=%E4%B8%AD",
    "http://127.0.0.1:56399/u0/xxgk/gknb/index.html",
])
def test_the_common_addresses_take_the_fast_path(url):
    assert _PLAIN.fullmatch(url)
    assert Request(url).url == scrapy.Request(url).url == url


def test_a_redirect_or_retry_keeps_the_class_and_quotes_what_needs_it():
    request = Request("http://a.gov.cn/x")
    hop = request.replace(url="http://a.gov.cn/公开 目录/")
    assert type(hop) is Request
    assert hop.url == "http://a.gov.cn/%E5%85%AC%E5%BC%80%20%E7%9B%AE%E5%BD%95/"


def test_copied_headers_are_equal_and_independent():
    headers = Headers({"User-Agent": "govfresh", "accept-language": ["zh-CN", "zh"], "Cookie": "a=1"})
    copy = copied(headers)
    assert copy == headers.copy() and copy.encoding == headers.encoding
    copy[b"If-None-Match"] = '"e1"'
    copy.appendlist("Accept-Language", "en")
    copy.pop(b"Cookie")
    assert headers.getlist("Accept-Language") == [b"zh-CN", b"zh"]
    assert b"If-None-Match" not in headers and headers[b"Cookie"] == b"a=1"
