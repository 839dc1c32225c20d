"""Why a request got no usable answer: the state it is recorded in and a reason a clerk can act on."""
from __future__ import annotations

import zlib

import scrapy.exceptions
from scrapy.exceptions import IgnoreRequest
from twisted.internet.error import ConnectionRefusedError, DNSLookupError, TCPTimedOutError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure
from twisted.web._newclient import ResponseFailed

from crawler.batches import OffScopeHop, TooManyRedirects
from crawler.extract.readable import UNREACHABLE, UNVERIFIABLE, Verdict
from crawler.middlewares import OutOfScope


def _scrapy_errors(*names: str) -> tuple[type, ...]:
    return tuple(getattr(scrapy.exceptions, n) for n in names if hasattr(scrapy.exceptions, n))



def _data_loss(failure: Failure) -> bool:
    if failure.check(*_scrapy_errors("ResponseDataLossError")):
        return True
    if failure.check(ResponseFailed):
        return any("DataLoss" in type(r.value).__name__ for r in getattr(failure.value, "reasons", []))
    return False


def describe_failure(failure: Failure) -> Verdict:
    """The state a request that got no usable answer is recorded in, and a reason a clerk can act on."""
    # Scrapy ≥ 2.13 wraps Twisted's errors in its own Download* exceptions; older ones don't.
    if failure.check(ConnectionRefusedError, *_scrapy_errors("DownloadConnectionRefusedError")):
        return Verdict(UNREACHABLE, "连接被拒绝")
    if failure.check(DNSLookupError, *_scrapy_errors("CannotResolveHostError")):
        return Verdict(UNREACHABLE, "域名无法解析")
    if failure.check(TwistedTimeoutError, TCPTimedOutError, *_scrapy_errors("DownloadTimeoutError")):
        return Verdict(UNREACHABLE, "连接超时")
    if failure.check(OutOfScope, OffScopeHop):
        # The site answered, pointing somewhere govfresh may not go: not an outage.
        return Verdict(UNVERIFIABLE, f"跳转到站点范围外，未跟随（{failure.value}）")
    if failure.check(*_scrapy_errors("DownloadCancelledError")) or "maxsize" in str(failure.value).lower() \
            or "DOWNLOAD_MAXSIZE" in str(failure.value):
        return Verdict(UNVERIFIABLE, "页面过大，未读取")
    if failure.check(zlib.error, EOFError) or "decompress" in str(failure.value).lower():
        return Verdict(UNVERIFIABLE, "页面压缩数据损坏，无法解压")
    if _data_loss(failure):
        return Verdict(UNVERIFIABLE, "页面未完整传输（内容被截断）")
    if failure.check(TooManyRedirects):
        return Verdict(UNREACHABLE, "重定向次数过多（循环跳转）")
    if failure.check(IgnoreRequest):
        if "redirections" in str(failure.value):
            return Verdict(UNREACHABLE, "重定向次数过多（循环跳转）")
        return Verdict(UNVERIFIABLE, f"未访问：{failure.value}")
    name = type(failure.value).__name__
    if "Timeout" in name:
        return Verdict(UNREACHABLE, "连接超时")
    return Verdict(UNREACHABLE, f"访问失败（{name}）")
