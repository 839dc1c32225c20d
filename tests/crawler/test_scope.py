"""Scope: scheme + host + port of the unit's configured URLs, for every request the crawl makes."""
from urllib.parse import urlsplit

import pytest

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.scope import Scope, _split_origin, host, origin, why_not
from mockserver import MockServer, html, redirect
from test_spider import listing, nav, page, run_crawl


@pytest.mark.parametrize("url,expected", [
    ("http://Example.gov.cn/xxgk/", "http://example.gov.cn:80"),
    ("https://example.gov.cn:443/a", "https://example.gov.cn:443"),
    ("http://example.gov.cn:8081/", "http://example.gov.cn:8081"),
    ("file:///etc/passwd", None),
    ("javascript:alert(1)", None),
    ("http://example.gov.cn:99999/", None),     # a port that cannot be
    ("http://[::1", None),                       # a malformed IPv6 literal
])
def test_origin(url, expected):
    assert origin(url) == expected


def test_scope_is_scheme_host_and_port():
    scope = Scope(["http://www.qh.gov.cn/xxgk/", "http://www.qh.gov.cn:8081/col/"])
    assert scope.allows("http://www.qh.gov.cn/other/page.html")
    assert scope.allows("http://WWW.QH.GOV.CN:80/x")
    assert scope.allows("http://www.qh.gov.cn:8081/x")
    assert not scope.allows("http://www.qh.gov.cn:8099/x")      # another service on the same host
    assert not scope.allows("http://qh.gov.cn/x")               # another host
    assert not scope.allows("ftp://www.qh.gov.cn/x")
    # The same site upgraded to https on its default port is still the unit's site.
    assert scope.allows("https://www.qh.gov.cn/xxgk/")
    assert not scope.allows("https://www.qh.gov.cn:8443/xxgk/")
    assert scope.hosts == {"www.qh.gov.cn"}


def test_why_not_names_the_reason():
    scope = Scope(["http://a.gov.cn/"])
    assert why_not("http://a.gov.cn/x", scope) is None
    assert "file" in why_not("file:///etc/passwd", scope)
    assert "不在该单位的站点范围内" in why_not("http://a.gov.cn:8099/x", scope)


def test_a_link_to_another_port_of_the_same_host_is_never_requested(tmp_path):
    with MockServer({}) as other:
        elsewhere = f"http://127.0.0.1:{other.port}"
        routes = {
            "/p/xxgk/": html(page("信息公开", nav(("工作动态", "/p/gzdt/"), ("通知公告", f"{elsewhere}/tzgg/"))
                                  + f'<p><a href="{elsewhere}/secret.html">内部系统</a></p>')),
            "/p/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/p/a/1.html", "2026-11-25")))),
        }
        with MockServer(routes) as server:
            units, _ = run_crawl(tmp_path, [("端口局", f"{server.url}/p/xxgk/")])
    assert other.hits == []
    assert [c["name"] for c in units["端口局"]["columns"]] == ["工作动态"]
    assert not any(f["url"] and elsewhere in f["url"] for f in units["端口局"]["findings"])


def test_robots_txt_and_its_redirects_stay_in_scope(tmp_path):
    with MockServer({}, host="127.0.0.2") as other:
        routes = {
            "/robots.txt": redirect(f"http://127.0.0.2:{other.port}/robots.txt"),
            "/r/xxgk/": html(page("信息公开", nav(("工作动态", "/r/gzdt/")))),
            "/r/gzdt/": html(page("工作动态", listing(("全县教育工作会议召开", "/r/a/1.html", "2026-11-25")))),
        }
        with MockServer(routes) as server:
            sites = tmp_path / "sites.yaml"
            sites.write_text(f"county: 测试县\ncrawl:\n  obey_robots_txt: true\nunits:\n"
                             f"  - name: 守规局\n    url: {server.url}/r/xxgk/\n", encoding="utf-8")
            from test_spider import govfresh
            result = govfresh("crawl", "--config", str(sites), "--db", str(tmp_path / "r.db"))
            assert result.returncode == 0, result.stderr
            assert ("GET", "/robots.txt") in server.hits
    assert other.hits == []


_SCHEMES = st.sampled_from(["http", "HTTP", "https", "HtTpS", "ftp", "file", "javascript", ""])
_HOSTS = st.one_of(st.text(st.sampled_from("aZ09.-"), min_size=1, max_size=12),
                   st.text(st.sampled_from("aZ09.-_[]:@ \t\n%é政"), max_size=12))
_PORTS = st.one_of(st.just(""), st.text(st.sampled_from("0123456789x "), max_size=7).map(lambda p: ":" + p))
_RESTS = st.sampled_from(["", "/", "/xxgk/index.html", "?a=1", "#top", ";jsessionid=1", "\\x", " x", "/a b"])


@settings(max_examples=500)
@given(scheme=_SCHEMES, sep=st.sampled_from(["://", "://", "://", ":/", "//"]), host=_HOSTS, port=_PORTS,
       rest=_RESTS, pad=st.sampled_from(["", " ", "\t"]))
def test_origin_reads_every_address_as_urlsplit_does(scheme, sep, host, port, rest, pad):
    # The common address is read without urlsplit: the reading must not differ on any address.
    url = f"{pad}{scheme}{sep}{host}{port}{rest}{pad}"
    assert origin(url) == _split_origin(url.strip())


def _why_not_by_urlsplit(url, scope):
    """why_not as it read every address before its short cut: urlsplit's scheme first."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return "地址无法解析"
    if scheme not in ("http", "https"):
        return f"不支持的协议 {scheme or '(无)'}"
    where = origin(url)
    if where is None:
        return "地址无法解析"
    return f"{where} 不在该单位的站点范围内" if where not in scope.origins else None


@settings(max_examples=500)
@given(scheme=_SCHEMES, sep=st.sampled_from(["://", "://", ":/", "//"]),
       host=st.one_of(_HOSTS, st.sampled_from(["a.gov.cn", "A.Gov.CN", "aZ09"])), port=_PORTS,
       rest=_RESTS, pad=st.sampled_from(["", " ", "\t", "\u3000", "\x00", "\x1f"]))
def test_why_not_answers_every_address_as_urlsplit_reads_it(scheme, sep, host, port, rest, pad):
    scope = Scope(["http://a.gov.cn/", "https://aZ09:8443/"])
    url = f"{pad}{scheme}{sep}{host}{port}{rest}{pad}"
    assert why_not(url, scope) == _why_not_by_urlsplit(url, scope)


@settings(max_examples=500)
@given(scheme=_SCHEMES, sep=st.sampled_from(["://", "://", ":/", "//"]), host_=_HOSTS, port=_PORTS, rest=_RESTS)
def test_host_is_urlsplits_hostname(scheme, sep, host_, port, rest):
    # Batches group pages by it as Scrapy's downloader slots group requests.
    url = f"{scheme}{sep}{host_}{port}{rest}"
    try:
        expected = urlsplit(url.strip()).hostname or ""
    except ValueError:
        expected = ""
    assert host(url) == expected
