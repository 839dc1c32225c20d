"""企业微信群机器人: text ≤ 2048 bytes, markdown ≤ 4096 bytes, image ≤ 2 MB, 20 messages a minute."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

from .base import Message, PermanentError, RateLimited, Sender, TransientError, image_preview
from .notice import Notice
from .split import split_text, utf8_len
from .transport import post_json

TEXT_LIMIT = 2048
MARKDOWN_LIMIT = 4096
IMAGE_LIMIT = 2 * 1024 * 1024      # bytes of the picture before base64

RATE_LIMITED = 45009               # 接口调用超过限制: over 20 messages in a minute
BUSY = -1                          # 系统繁忙


class WecomSender(Sender):
    kind = "wecom"
    label = "企业微信群机器人（text/markdown，图片）"
    per_minute = 20

    def plan(self, notice: Notice) -> list[Message]:
        msgtype, parts = self.text_parts(notice, self.target.format)
        limit = MARKDOWN_LIMIT if msgtype == "markdown" else TEXT_LIMIT
        messages = [Message(msgtype, chunk, utf8_len(chunk), {"msgtype": msgtype, msgtype: {"content": chunk}})
                    for part in parts for chunk in split_text(part, limit)]
        if notice.png is not None and self.target.image:
            if len(notice.png) > IMAGE_LIMIT:
                self.notes.append(f"picture not sent: {len(notice.png)} bytes is over WeCom's 2 MB")
            else:
                messages.append(Message("image", image_preview(notice.png), len(notice.png), {
                    "msgtype": "image",
                    "image": {"base64": base64.b64encode(notice.png).decode("ascii"),
                              "md5": hashlib.md5(notice.png).hexdigest()}}))
        if notice.files:
            self.notes.append("files are sent by e-mail only")
        return messages

    def send(self, message: Message) -> Any:
        answer = post_json(self.target.webhook, message.body, timeout=self.timeout)
        # HTTP 200 means nothing; errcode 0 is the only confirmation.
        code = answer.get("errcode") if isinstance(answer, dict) else None
        if code == 0:
            return answer
        text = f"WeCom errcode {code}: {answer.get('errmsg', '') if isinstance(answer, dict) else answer}"
        if code == RATE_LIMITED:
            raise RateLimited(text, answer, wait=60.0)
        if code == BUSY:
            raise TransientError(text, answer)
        # 93000 invalid webhook, 40058 content too long, 40008 bad msgtype…
        raise PermanentError(text, answer)
