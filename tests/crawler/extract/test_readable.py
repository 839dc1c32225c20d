"""Can an answer be read as a page? Challenges, unfollowed redirects, binary, empty, files."""
import random
import re

import pytest
from hypothesis import given, settings, strategies as st

from crawler.extract import readable
from crawler.extract.readable import BLOCKED, READ, UNREACHABLE, UNVERIFIABLE, is_challenge, judge_answer, page_redirect

PAGE = '<html><head><meta charset="utf-8"><title>信息公开</title></head><body>' + "<p>工作动态 通知公告</p>" * 40 + "</body></html>"
CHALLENGES = {
    "yunsuo": '<html><body><script>function YunSuoAutoJump(){document.cookie="security_session_verify=x";'
              'self.location=location.href}setTimeout(YunSuoAutoJump,100)</script></body></html>',
    "jiasule": '<html><script>document.cookie=("_")+("_jsl_clearance_s")+"=1";location.href=location.pathname</script></html>',
    "safedog": '<html><head><script>window.location.href="/?WebShieldSessionVerify=abc"</script></head>'
               '<body>安全狗 正在验证</body></html>',
    "obfuscated": '<html><script>var _0x4e2b=["\\x63\\x6f"];eval(_0x4e2b[0])</script></html>',
}


@pytest.mark.parametrize("name", list(CHALLENGES))
def test_a_200_page_that_is_only_a_cookie_script_is_a_challenge(name):
    assert judge_answer(200, CHALLENGES[name].encode(), "text/html").state == BLOCKED


def test_a_real_page_with_a_script_is_not_a_challenge():
    body = PAGE.replace("</body>", '<script>document.cookie="lang=zh";location.href="#top"</script></body>')
    assert judge_answer(200, body.encode(), "text/html; charset=utf-8").state == READ


@pytest.mark.parametrize("status,body,state", [
    (412, b"<html><script>x()</script></html>", BLOCKED),
    (403, b"<html><script>verify()</script></html>", BLOCKED),
    (403, b"<h1>Forbidden</h1>", UNREACHABLE),
    (404, b"<h1>Not found</h1>", UNREACHABLE),
    (503, "<p>系统维护中</p>".encode(), UNREACHABLE),
    (302, b"", UNVERIFIABLE),            # a redirect Scrapy did not follow (file://, no Location)
    (200, b"", UNVERIFIABLE),
    (200, b"   \n", UNVERIFIABLE),
    (200, PAGE.encode(), READ),
])
def test_status_and_body(status, body, state):
    assert judge_answer(status, body, "text/html").state == state


@pytest.mark.parametrize("body,ctype,words", [
    (random.Random(1).randbytes(5000), "text/html; charset=utf-8", "二进制"),
    (b"%PDF-1.7\n...", "text/html", "PDF"),
    (b"\x1f\x8b\x08\x00garbage", "text/html", "gzip"),
    (b"\x89PNG\r\n\x1a\n....", "image/png", "图片"),
    (b"col1,col2\n1,2\n", "application/vnd.ms-excel", "文件"),
])
def test_binary_and_files_are_not_pages(body, ctype, words):
    verdict = judge_answer(200, body, ctype)
    assert verdict.state == UNVERIFIABLE and words in verdict.reason


def test_utf16_pages_are_pages():
    body = "\ufeff<html><body><p>信息公开</p></body></html>".encode("utf-16")
    assert judge_answer(200, body, "text/html").state == READ



# ---- a 200 that is not the page asked for --------------------------------------------------------

def small(title, body):
    return (f'<html><head><meta charset="utf-8"><title>{title}</title></head><body>'
            f'<div class="top">今天是2026年11月27日 星期五</div>{body}<div class="foot">版权所有</div></body></html>').encode()


NOT_THE_PAGE = {
    "soft 404, by its title": (small("页面不存在 - 清河县人民政府", "<p>返回首页</p>"), UNVERIFIABLE, "页面不存在"),
    "soft 404, by its text": (small("清河县人民政府", "<h1>404</h1><p>抱歉，您访问的页面不存在或已被删除！</p>"),
                              UNVERIFIABLE, "页面不存在"),
    "bare 404 title": (small("404", ""), UNVERIFIABLE, "页面不存在"),
    "login wall": (small("统一身份认证平台", '<form><input name="u"><input type="password" name="p"></form>'),
                   UNVERIFIABLE, "登录"),
    "login titled page": (small("用户登录", '<form><input name="u"><input type=password name="p"></form>' + "<p>说明</p>" * 200),
                          UNVERIFIABLE, "登录"),
    "parked domain": (small("qhx.gov.cn", "<p>该域名正在出售，欢迎洽谈。</p>"), UNVERIFIABLE, "域名停放"),
    "closed site": (small("提示", "<p>本网站已关闭，请访问新网站。</p>"), UNVERIFIABLE, "网站关闭"),
    "error page": (small("系统错误", "<p>Error 500</p>"), UNVERIFIABLE, "错误或维护"),
    "maintenance": (small("清河县教育局", "<p>网站正在维护，请稍后访问。</p>"), UNVERIFIABLE, "错误或维护"),
    "firewall": (small("提示", "<p>您的访问已被网站防火墙拦截。</p>"), BLOCKED, "防火墙"),
    "redirect not followed": (b'<html><head><meta http-equiv="refresh" content="0;url=ftp://x/"></head></html>',
                              UNVERIFIABLE, "跳转"),
    "script redirect not followed": (b'<html><script>location.href="mailto:a@b.cn"</script></html>',
                                     UNVERIFIABLE, "跳转"),
    "frames": (b'<html><frameset><frame src="top.html"><frame src="left.html"></frameset></html>',
               UNVERIFIABLE, "框架"),
}


@pytest.mark.parametrize("name", list(NOT_THE_PAGE))
def test_a_200_that_is_not_the_page_is_not_read(name):
    body, state, words = NOT_THE_PAGE[name]
    verdict = judge_answer(200, body, "text/html")
    assert verdict.state == state and words in verdict.reason, verdict


@pytest.mark.parametrize("body", [
    # items of a small list that name what the kinds above look for
    small("通知公告", '<ul class="list"><li><a href="/a/1.html">关于网站系统维护的通知</a> 2026-11-20</li>'
                  '<li><a href="/a/2.html">清政发〔2026〕404号文件</a> 2026-11-18</li></ul>'),
    small("关于系统维护的通知", "<p>本站将于11月28日进行系统维护。</p>"),
    small("通知公告", '<a href="/">首页</a><a href="/xxgk/">信息公开</a><ul class="list">'
                  '<li><a href="/a/1.html">关于县林业局网站关闭的公告</a> 2026-11-20</li>'
                  '<li><a href="/a/2.html">关于清理未备案网站的通知</a> 2026-11-18</li></ul>'),
    # a portal with a login box in its sidebar
    PAGE.replace("</body>", '<form><input name="u"><input type="password" name="p">用户登录</form></body>').encode(),
    # an empty column that says so
    small("人事信息", '<ul class="list"></ul><p>暂无信息</p>'),
    # a short list whose header has a search box that moves the visitor on by script
    small("通知公告", '<div class="top"><a href="/">首页</a><a href="/xxgk/">信息公开</a>'
                  '<input id="q"><script>function go(){window.location.href="/search/";}</script></div>'
                  '<ul class="list"><li><a href="/a/1.html">关于冬季供暖的通知</a> 2026-11-20</li>'
                  '<li><a href="/a/2.html">关于调整办公时间的通知</a> 2026-11-18</li></ul>'),
])
def test_pages_that_mention_those_words_are_read(body):
    assert judge_answer(200, body, "text/html").state == READ


@pytest.mark.parametrize("body,target", [
    (b'<html><head><script>window.location.href="/xxgk/index.html";</script></head><body></body></html>',
     "/xxgk/index.html"),
    (b"<html><script>location.replace('xxgk/')</script></html>", "xxgk/"),
    (b'<html><body><iframe src="/xxgk/list.html" width="100%"></iframe></body></html>', "/xxgk/list.html"),
    (b'<html><frameset rows="80,*"><frame src="top.html" name="top"><frame src="main.html" name="main">'
     b"</frameset></html>", "main.html"),
    (PAGE.replace("</body>", '<script>location.href="/other/"</script></body>').encode(), None),   # content
    (CHALLENGES["safedog"].encode(), None),      # a challenge is passed, not followed
    (small("通知公告", '<a href="/">首页</a><a href="/xxgk/">信息公开</a><ul><li><a href="/a/1.html">通知</a></li>'
                   '<li><a href="/a/2.html">公告</a></li></ul><script>function go(){location.href="/search/"}</script>'),
     None),                                    # a short list with a search script
])
def test_where_a_page_that_shows_nothing_sends_the_visitor(body, target):
    assert page_redirect(body) == target


# Pieces of the first bytes of a page: mostly markup (a page can run kilobytes before the
# text that decides), spaces, &nbsp; that a tag cuts in two, scripts and comments (some never
# closed), stray "<" and ">", and some text.
_MARKUP = st.sampled_from([
    b"<div class='x'>", b"</div>", b"<a href='/a/1.html'>", b"</a>", b" ", b"\n\t", b"&nbsp;", b"&nb", b"sp;",
    b"<b>", b"<script>", b"var a = '<p>';", b"</script>", b"<style>", b"</style>", b"<!--", b"-->", b"<", b">",
])
_TEXT = st.sampled_from(["通知公告".encode(), b"abc", b"x" * 300, b"<p>" + "文字".encode() * 120])
_PIECES = st.one_of(_MARKUP, _MARKUP, _MARKUP, _MARKUP, _MARKUP, _TEXT)


def _shown(head: bytes) -> int:
    """What a page's first bytes show, by the definition: tags, scripts, styles, comments,
    spaces and &nbsp; taken out."""
    return len(re.sub(rb"(?:\s|&nbsp;)+", b"", re.sub(rb"<[^<>]*>", b"", readable._without_blocks(head))))


def _counted_alike(head: bytes, thresholds: set[int]) -> None:
    full = _shown(head)
    assert readable._visible_bytes(head) == full
    for enough in thresholds | {full, max(0, full - 1)}:
        early = readable._visible_bytes(head, enough=enough)
        assert (early > enough) == (full > enough)
        if full <= enough:
            assert early == full


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=1500))
def test_what_a_page_shows_is_counted_the_same_when_counting_stops_early(pieces):
    # Counting stops once the threshold (300 and 600 in use) is passed for certain: it must
    # say "more" only when the full count does, and otherwise give the full count.
    _counted_alike(b"".join(pieces)[:readable._HEAD], {300, 600})


@pytest.mark.parametrize("head", [
    # an &nbsp; that a tag cuts in two, right where counting is cut in pieces (2 KB)
    b"a" * 2045 + b"&nb<b>sp;" + b"<p>" + b" " * 3000,
    b"a" * 2044 + b"&nbs<b>p;",
    # kilobytes of long tags around a little text: no piece may end inside a tag
    (b"<div class='" + b"x" * 60 + b"'>") * 200 + b"abc" + (b"<span title='" + b"y" * 80 + b"'>") * 100,
    # an unclosed script or comment hides all that follows
    b"<p>" + b"z" * 2500 + b"<script>" + b"w" * 5000,
    b"<p>" + b"z" * 500 + b"<!--" + b"w" * 5000,
])
def test_what_a_page_shows_is_counted_the_same_at_the_edges(head):
    _counted_alike(head, {300, 600})
