"""钉钉 / 政务钉钉 custom robot: text or markdown, optionally signed (加签)."""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any
from urllib.parse import quote_plus

from .base import FILES_BY_MAIL, Message, Sender, robot_answer
from .notice import Notice
from .split import split_text, utf8_len
from .transport import post_json

# DingTalk rejects messages of about 20000 bytes; keep a margin.
TEXT_LIMIT = 18000

RATE_LIMITED = 130101      # send too fast, exceed 20 times per minute
BUSY = -1


def sign(secret: str, timestamp_ms: int) -> str:
    """The 加签 value: urlencode(base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")))."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"),
                      hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


class DingTalkSender(Sender):
    kind = "dingtalk"
    label = "钉钉 / 政务钉钉群机器人（可加签）"
    per_minute = 20

    def plan(self, notice: Notice) -> list[Message]:
        msgtype, parts = self.text_parts(notice, self.target.format)
        messages = []
        for part in parts:
            for chunk in split_text(part, TEXT_LIMIT):
                body = ({"msgtype": "markdown", "markdown": {"title": notice.subject, "text": chunk}}
                        if msgtype == "markdown" else {"msgtype": "text", "text": {"content": chunk}})
                messages.append(Message(msgtype, chunk, utf8_len(chunk), body))
        if notice.png is not None:
            self.notes.append("图片未发送：钉钉机器人只接受图片链接")
        if notice.files:
            self.notes.append(FILES_BY_MAIL)
        return messages

    def _url(self) -> str:
        if not self.target.secret:
            return self.target.webhook
        # Signed per request: DingTalk refuses a timestamp more than an hour off.
        timestamp = int(self.wall() * 1000)
        return f"{self.target.webhook}&timestamp={timestamp}&sign={sign(self.target.secret, timestamp)}"

    def send(self, message: Message) -> Any:
        # 310000 bad signature / keyword / IP, 300001 bad token, 460101 too long… are final.
        return robot_answer(post_json(self._url(), message.body, timeout=self.timeout),
                            "DingTalk", RATE_LIMITED, BUSY)
