"""企业微信群机器人: text ≤ 2048 bytes, markdown ≤ 4096 bytes, image ≤ 2 MB, 20 messages a minute."""
from __future__ import annotations

import base64
import hashlib
from typing import Any

from .base import FILES_BY_MAIL, Message, Sender, image_preview, robot_answer
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
                self.notes.append(f"图片未发送：{len(notice.png)} 字节，超过企业微信 2 MB 的上限")
            else:
                messages.append(Message("image", image_preview(notice.png), len(notice.png), {
                    "msgtype": "image",
                    "image": {"base64": base64.b64encode(notice.png).decode("ascii"),
                              "md5": hashlib.md5(notice.png).hexdigest()}}))
        if notice.files:
            self.notes.append(FILES_BY_MAIL)
        return messages

    def send(self, message: Message) -> Any:
        # 93000 invalid webhook, 40058 content too long, 40008 bad msgtype… are final.
        return robot_answer(post_json(self.target.webhook, message.body, timeout=self.timeout),
                            "WeCom", RATE_LIMITED, BUSY)
