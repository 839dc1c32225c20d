"""QQ groups through OneBot v11 (NapCat, LLOneBot, go-cqhttp): POST /send_group_msg."""
from __future__ import annotations

import base64
from typing import Any

from .base import FILES_BY_MAIL, Message, PermanentError, Sender, image_preview
from .notice import Notice
from .split import split_text, utf8_len
from .transport import post_json

# QQ caps a message at a few thousand characters; 4000 bytes stays under it
# even for text that is all 汉字.
TEXT_LIMIT = 4000


class OneBotSender(Sender):
    kind = "onebot"
    label = "QQ 群，经 OneBot v11（NapCat、LLOneBot、go-cqhttp）"

    def plan(self, notice: Notice) -> list[Message]:
        # Segments, not a CQ-code string: the text is sent as-is, no escaping of [ ] & needed.
        messages = [Message("text", chunk, utf8_len(chunk), [{"type": "text", "data": {"text": chunk}}])
                    for part in notice.parts for chunk in split_text(part, TEXT_LIMIT)]
        if notice.png is not None and self.target.image:
            encoded = base64.b64encode(notice.png).decode("ascii")
            messages.append(Message("image", image_preview(notice.png), len(notice.png),
                                    [{"type": "image", "data": {"file": f"base64://{encoded}"}}]))
        if notice.files:
            self.notes.append(FILES_BY_MAIL)
        return messages

    def send(self, message: Message) -> Any:
        headers = {"Authorization": f"Bearer {self.target.token}"} if self.target.token else {}
        answer = post_json(self.target.url.rstrip("/") + "/send_group_msg",
                           {"group_id": self.target.group_id, "message": message.body},
                           headers=headers, timeout=self.timeout)
        # OneBot answers HTTP 200 even when the message was not sent.
        if isinstance(answer, dict) and answer.get("status") == "ok" and answer.get("retcode") == 0:
            return answer
        if not isinstance(answer, dict):
            raise PermanentError(f"OneBot answer is not an object: {answer!r:.200}", answer)
        detail = answer.get("wording") or answer.get("message") or ""
        raise PermanentError(f"OneBot status {answer.get('status')} retcode {answer.get('retcode')}: {detail}",
                             answer)
