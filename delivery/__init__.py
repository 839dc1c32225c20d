"""Delivery of notices to WeCom, QQ (OneBot v11), DingTalk and e-mail, logged so nothing goes twice.

    targets = parse_targets(config.notify)
    report = deliver(Notice("weekly-2026-11-27", parts), targets, store)
"""
from . import dingtalk, mail, onebot, wecom  # noqa: F401  (importing registers the senders)
from .base import SENDERS, Message, PermanentError, RateLimited, SendError, Sender, TransientError
from .notice import Notice
from .deliver import DeliveryReport, PartResult, TargetResult, deliver
from .redact import Redactor
from .split import split_text, utf8_len
from config.targets import (DingTalkTarget, EmailTarget, OneBotTarget, Target, TargetConfigError, WecomTarget,
                            describe_targets, parse_targets, redact_url)

__all__ = [
    "Notice", "deliver", "DeliveryReport", "TargetResult", "PartResult",
    "parse_targets", "describe_targets", "Target", "TargetConfigError", "WecomTarget", "OneBotTarget", "DingTalkTarget", "EmailTarget",
    "Sender", "SENDERS", "Message", "SendError", "TransientError", "PermanentError", "RateLimited",
    "Redactor", "redact_url", "split_text", "utf8_len",
]
