"""What every sender shares: the message it plans, the errors it raises, the registry.

A sender turns a Notice into an ordered list of messages (``plan``, pure) and
posts one message at a time (``send``). Pacing, retries and the delivery log
live in notify.py, once for all platforms.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

from plugins import Plugin, Registry

from .notice import Notice


@dataclass(frozen=True)
class Message:
    """One post to a platform, already within its limits."""
    kind: str           # text | markdown | image | email
    preview: str        # what a person reading the dry run sees
    size: int           # bytes counted against the platform's limit
    body: Any           # what send() posts (JSON payload, or an EmailMessage)


class SendError(Exception):
    """A message was not confirmed. The message text is already redacted by the caller."""

    def __init__(self, message: str, response: Any = None):
        super().__init__(message)
        self.response = response


class TransientError(SendError):
    """Worth retrying: connection refused, timeout, 5xx, platform busy."""


class PermanentError(SendError):
    """Retrying cannot help (bad key, rejected content): stop this target."""


class RateLimited(SendError):
    """The platform says too many messages; wait and resume."""

    def __init__(self, message: str, response: Any = None, wait: float = 60.0):
        super().__init__(message, response)
        self.wait = wait


class Sender(Plugin):
    """Base class; a subclass that sets ``kind`` (the target's type) is registered (plugins.py)."""
    registry = Registry("sender")
    per_minute: ClassVar[int | None] = None   # the platform's rate limit per robot

    def __init__(self, target: Any, *, timeout: float = 20.0, wall: Callable[[], float] = time.time):
        self.target = target
        self.timeout = timeout
        self.wall = wall          # wall-clock seconds, for signatures with timestamps
        self.notes: list[str] = []  # what the plan left out, and why

    def plan(self, notice: Notice) -> list[Message]:
        raise NotImplementedError

    def text_parts(self, notice: Notice, fmt: str) -> tuple[str, tuple[str, ...]]:
        """Which parts a chat target posts: markdown when asked for and present, else text."""
        if fmt == "markdown" and notice.markdown_parts:
            return "markdown", notice.markdown_parts
        if fmt == "markdown":
            self.notes.append("通报没有 Markdown 版本，改发纯文字")
        return "text", notice.parts

    def send(self, message: Message) -> Any:
        """Post one message; return the platform's answer, or raise a SendError."""
        raise NotImplementedError


SENDERS = Sender.registry


FILES_BY_MAIL = "附件（Excel/Word）只通过邮件发送"


def robot_answer(answer: Any, platform: str, rate_limited: int, busy: int) -> Any:
    """A WeCom/DingTalk robot's answer: errcode 0 is the only confirmation (HTTP 200 means nothing)."""
    code = answer.get("errcode") if isinstance(answer, dict) else None
    if code == 0:
        return answer
    text = f"{platform} errcode {code}: {answer.get('errmsg', '') if isinstance(answer, dict) else answer}"
    if code == rate_limited:
        raise RateLimited(text, answer, wait=60.0)
    if code == busy:
        raise TransientError(text, answer)
    raise PermanentError(text, answer)


def image_preview(png: bytes) -> str:
    """How a picture shows in a dry run and the delivery log."""
    return f"[图片 PNG, {len(png) / 1024:.0f} KB]"


def sender_for(target: Any, **kwargs: Any) -> Sender:
    try:
        cls = SENDERS[target.type]
    except KeyError:
        raise ValueError(f"no sender for target type {target.type!r}") from None
    return cls(target, **kwargs)
