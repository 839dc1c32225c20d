"""Fake WeCom, OneBot, DingTalk and SMTP servers on 127.0.0.1, and a fake clock (fixtures: conftest.py).

Each fake implements the documented request format and answers, including the
limits a real platform enforces, so a test that passes here would not be
rejected there. Nothing in these tests leaves the loopback interface.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socketserver
import threading
import time
from email import message_from_bytes, policy
from typing import Any, Callable
from urllib.parse import parse_qs, urlsplit

from demo.loopback import LoopbackServer, Request


WECOM_KEY = "wecom-SECRET-693a91f5-e1b1-4bd6-9c2a-5b4a0f1e7d2c"
ONEBOT_TOKEN = "onebot-SECRET-token-5f0e"
DINGTALK_TOKEN = "dingtalk-SECRET-access-token-88c1"
DINGTALK_SECRET = "SECdingtalk+SECRET/sign=key"
SMTP_PASSWORD = "smtp-SECRET-p@ss w0rd"


class FakeClock:
    """monotonic() and sleep() for code under test: sleeping advances time instantly."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class FakeHTTPPlatform:
    """Shared plumbing: a threaded server on port 0, the requests it got, scripted failures."""

    def __init__(self, clock: FakeClock | None = None):
        self.clock = clock
        self.requests = 0
        self.accepted: list[dict] = []       # messages the platform would have shown in the group
        self.rejected: list[tuple[int, Any]] = []
        # fail_when(payload) -> (http_status, answer) or None, to fail chosen messages.
        self.fail_when: Callable[[Any], tuple[int, Any] | None] | None = None
        self.lock = threading.Lock()
        self.server = LoopbackServer(self._answer).start()

    @property
    def base(self) -> str:
        return self.server.url

    def _answer(self, request: Request) -> None:
        status, answer = self.handle(request.path, dict(request.headers), request.body)
        request.reply(status, {"Content-Type": "application/json; charset=utf-8"},
                      json.dumps(answer, ensure_ascii=False).encode("utf-8"))

    def handle(self, path: str, headers: dict, body: bytes) -> tuple[int, Any]:
        with self.lock:
            self.requests += 1
            try:
                payload = json.loads(body.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                return 400, {"error": "body is not UTF-8 JSON"}
            forced = self.fail_when(payload) if self.fail_when else None
            if forced is not None:
                self.rejected.append(forced)
                return forced
            status, answer = self.check(urlsplit(path), headers, payload)
            if self.is_ok(answer):
                self.accepted.append({"payload": payload, "at": self.clock() if self.clock else None})
            else:
                self.rejected.append((status, answer))
            return status, answer

    def close(self) -> None:
        self.server.stop()


class FakeWecom(FakeHTTPPlatform):
    """POST /cgi-bin/webhook/send?key=KEY, answers {"errcode": …, "errmsg": …}."""
    key = WECOM_KEY

    def __init__(self, clock: FakeClock | None = None):
        super().__init__(clock)
        self.rate_limit_on: set[int] = set()   # request numbers (1-based) answered 45009

    def url(self, key: str = WECOM_KEY) -> str:
        return f"{self.base}/cgi-bin/webhook/send?key={key}"

    @staticmethod
    def is_ok(answer: Any) -> bool:
        return answer.get("errcode") == 0

    def check(self, url: Any, headers: dict, payload: Any) -> tuple[int, Any]:
        if url.path != "/cgi-bin/webhook/send" or parse_qs(url.query).get("key") != [WECOM_KEY]:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url, hint: [1732]"}
        if self.requests in self.rate_limit_on:
            return 200, {"errcode": 45009, "errmsg": "api freq out of limit"}
        msgtype = payload.get("msgtype")
        if msgtype in ("text", "markdown"):
            content = payload.get(msgtype, {}).get("content", "")
            limit = 2048 if msgtype == "text" else 4096
            if not content:
                return 200, {"errcode": 44004, "errmsg": "empty content"}
            if len(content.encode("utf-8")) > limit:
                return 200, {"errcode": 40058, "errmsg": f"content exceed max length {limit}"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        if msgtype == "image":
            raw = base64.b64decode(payload["image"]["base64"])
            if hashlib.md5(raw).hexdigest() != payload["image"]["md5"]:
                return 200, {"errcode": 301019, "errmsg": "media md5 not match"}
            if len(raw) > 2 * 1024 * 1024:
                return 200, {"errcode": 40009, "errmsg": "invalid image size"}
            return 200, {"errcode": 0, "errmsg": "ok"}
        return 200, {"errcode": 40008, "errmsg": "invalid message type"}


class FakeOneBot(FakeHTTPPlatform):
    """OneBot v11 HTTP API: POST /send_group_msg with a Bearer token."""
    token = ONEBOT_TOKEN

    def __init__(self, clock: FakeClock | None = None):
        super().__init__(clock)
        self.fail_retcode: int | None = None

    @staticmethod
    def is_ok(answer: Any) -> bool:
        return answer.get("status") == "ok"

    def check(self, url: Any, headers: dict, payload: Any) -> tuple[int, Any]:
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization")
        if auth is None:
            return 401, {"status": "failed", "retcode": 1401, "message": "token missing"}
        if auth != f"Bearer {ONEBOT_TOKEN}":
            return 403, {"status": "failed", "retcode": 1403, "message": "token wrong"}
        if url.path != "/send_group_msg":
            return 404, {"status": "failed", "retcode": 1404, "message": "no such API"}
        if self.fail_retcode is not None:
            return 200, {"status": "failed", "retcode": self.fail_retcode, "data": None,
                         "message": "发送失败", "wording": "群消息发送失败"}
        segments = payload.get("message")
        ok_shape = isinstance(payload.get("group_id"), int) and isinstance(segments, list) and all(
            s.get("type") == "text" and isinstance(s["data"].get("text"), str)
            or s.get("type") == "image" and s["data"].get("file", "").startswith("base64://")
            for s in segments)
        if not ok_shape:
            return 200, {"status": "failed", "retcode": 100, "message": "bad params"}
        return 200, {"status": "ok", "retcode": 0, "data": {"message_id": self.requests}}


class FakeDingTalk(FakeHTTPPlatform):
    """POST /robot/send?access_token=…&timestamp=…&sign=… (加签 robots)."""
    token = DINGTALK_TOKEN
    secret = DINGTALK_SECRET

    @staticmethod
    def is_ok(answer: Any) -> bool:
        return answer.get("errcode") == 0

    def url(self, token: str = DINGTALK_TOKEN) -> str:
        return f"{self.base}/robot/send?access_token={token}"

    def check(self, url: Any, headers: dict, payload: Any) -> tuple[int, Any]:
        query = parse_qs(url.query)
        if query.get("access_token") != [DINGTALK_TOKEN]:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}
        try:
            timestamp = int(query["timestamp"][0])
            given = query["sign"][0]          # parse_qs has already url-decoded it once
        except (KeyError, ValueError):
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        if abs(time.time() * 1000 - timestamp) > 3600 * 1000:
            return 200, {"errcode": 310000, "errmsg": "timestamp expired"}
        digest = hmac.new(DINGTALK_SECRET.encode(), f"{timestamp}\n{DINGTALK_SECRET}".encode(),
                          hashlib.sha256).digest()
        if given != base64.b64encode(digest).decode():
            return 200, {"errcode": 310000, "errmsg": "sign not match"}
        msgtype = payload.get("msgtype")
        content = (payload.get("text", {}).get("content") if msgtype == "text"
                   else payload.get("markdown", {}).get("text") if msgtype == "markdown" else None)
        if not content:
            return 200, {"errcode": 40035, "errmsg": "missing content"}
        if msgtype == "markdown" and not payload["markdown"].get("title"):
            return 200, {"errcode": 40035, "errmsg": "missing title"}
        if len(content.encode("utf-8")) > 20000:
            return 200, {"errcode": 460101, "errmsg": "message too long"}
        return 200, {"errcode": 0, "errmsg": "ok"}


class _SMTPHandler(socketserver.StreamRequestHandler):
    """Just enough SMTP for smtplib: EHLO/HELO, AUTH PLAIN/LOGIN, MAIL, RCPT, DATA, RSET, QUIT."""

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("utf-8") + b"\r\n")

    def read(self) -> str | None:
        raw = self.rfile.readline()
        return raw.decode("utf-8", "replace").rstrip("\r\n") if raw else None

    def handle(self) -> None:
        fake: FakeSMTP = self.server.fake  # type: ignore[attr-defined]
        self.reply("220 fake.example ESMTP")
        sender, rcpts = None, []
        while True:
            line = self.read()
            if line is None:        # the client hung up
                return
            verb = line.split(" ", 1)[0].upper()
            arg = line[len(verb):].strip()
            if verb == "EHLO":
                self.reply("250-fake.example")
                self.reply("250-AUTH PLAIN LOGIN")
                self.reply("250 8BITMIME")
            elif verb == "HELO":
                self.reply("250 fake.example")
            elif verb == "AUTH":
                method, _, initial = arg.partition(" ")
                if method.upper() == "PLAIN":
                    _, user, password = base64.b64decode(initial).decode().split("\0")
                else:
                    self.reply("334 VXNlcm5hbWU6")
                    user = base64.b64decode(self.read() or "").decode()
                    self.reply("334 UGFzc3dvcmQ6")
                    password = base64.b64decode(self.read() or "").decode()
                if (user, password) == fake.login:
                    self.reply("235 2.7.0 Authentication successful")
                else:
                    self.reply("535 5.7.8 Authentication credentials invalid")
            elif verb == "MAIL":
                sender, rcpts = arg.partition(":")[2].split()[0].strip("<>"), []
                self.reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(arg.partition(":")[2].strip().strip("<>"))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while True:
                    raw = self.rfile.readline()
                    if raw in (b".\r\n", b".\n", b""):
                        break
                    lines.append(raw[1:] if raw.startswith(b"..") else raw)
                fake.messages.append({"from": sender, "to": rcpts,
                                      "message": message_from_bytes(b"".join(lines), policy=policy.default)})
                self.reply("250 OK queued")
            elif verb in ("RSET", "NOOP"):
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 Bye")
                return
            else:
                self.reply("502 Command not implemented")


class FakeSMTP:
    password = SMTP_PASSWORD

    def __init__(self, login: tuple[str, str] = ("notice@example.gov.cn", SMTP_PASSWORD)):
        self.login = login
        self.messages: list[dict] = []
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.01,), daemon=True)
        self.thread.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
