"""Can an answer be read as a page? Challenges, unfollowed redirects, binary, empty, files."""
import random

import pytest

from crawler.extract.readable import BLOCKED, READ, UNREACHABLE, UNVERIFIABLE, is_challenge, judge_answer

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

