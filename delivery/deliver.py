"""deliver(): post a notice to every target, logging each part by its content so nothing goes twice.

A part is known by a hash of what it says and where it goes (`content_key`), not
by its number: when the plan changes between runs (a waiver removes a finding,
the parts shift), a part is skipped only if that very content was confirmed to
that target. Each part is logged before it is sent and confirmed after, so a
crash in between costs at most one repeat, and the log says so. Parts are sent
in order and a target stops at its first unconfirmed part, so a rerun resumes
exactly where the last one stopped.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Protocol

from email.message import EmailMessage

from .base import Message, PermanentError, RateLimited, SendError, Sender, TransientError, sender_for
from .notice import Notice
from .redact import Redactor

LOG = logging.getLogger("govfresh.delivery")

SENT, SKIPPED, FAILED, NOT_SENT, WOULD_SEND = "sent", "already delivered", "failed", "not sent", "would send"
# What the clerk reads on the console for each state (the log keeps the English key).
STATUS_LABELS = {SENT: "已发送", SKIPPED: "此前已送达", FAILED: "发送失败", NOT_SENT: "未发送（等待前一部分）",
                 WOULD_SEND: "将发送"}
KIND_LABELS = {"text": "文字", "markdown": "Markdown", "image": "图片", "email": "邮件"}
REPEAT_NOTE = "上次发送后未记录平台回复，本次重发（群内可能重复一条）"


class DeliveryLog(Protocol):
    """The part of store.Store deliver() needs."""
    def delivered_contents(self, notice: str, target: str) -> set[str]: ...
    def unconfirmed_contents(self, notice: str, target: str) -> set[str]: ...
    def begin_delivery(self, notice: str, target: str, part: int, content: str, note: str | None = None) -> int: ...
    def end_delivery(self, row: int, ok: bool, response: Any) -> None: ...


def content_key(target_key: str, message: Message) -> str:
    """What identifies a part: its target and what it says (never its number in the plan).

    An e-mail is known by its text and the names of its attachments: its Date and
    Message-ID headers, and the bytes of a freshly rendered attachment, differ on every run.
    """
    body = message.body
    if isinstance(body, EmailMessage):
        names = sorted(part.get_filename() or "" for part in body.iter_attachments())
        canonical = json.dumps([message.preview, names], ensure_ascii=False)
    else:
        canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, default=str)
    digest = hashlib.sha256(f"{target_key}\x1f{message.kind}\x1f{canonical}".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


@dataclass
class PartResult:
    number: int
    total: int
    kind: str
    size: int
    status: str
    preview: str = ""
    detail: str = ""
    content: str = ""       # content_key: what the delivery log knows the part by

    @property
    def label(self) -> str:
        return f"{self.number}/{self.total}"


@dataclass
class TargetResult:
    key: str
    description: str
    parts: list[PartResult] = field(default_factory=list)
    error: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def sent(self) -> list[int]:
        return [p.number for p in self.parts if p.status == SENT]

    @property
    def failed(self) -> int | None:
        return next((p.number for p in self.parts if p.status == FAILED), None)

    @property
    def complete(self) -> bool:
        """Every part confirmed, now or by an earlier run."""
        return self.error is None and all(p.status in (SENT, SKIPPED) for p in self.parts)


@dataclass
class DeliveryReport:
    notice_id: str
    dry_run: bool
    targets: list[TargetResult] = field(default_factory=list)
    attachments: tuple[str, ...] = ()       # the picture and files the notice carries, by name

    @property
    def ok(self) -> bool:
        return self.dry_run or all(t.complete for t in self.targets)

    def summary(self) -> str:
        """One line per target, for the CLI and the scheduler's log."""
        lines = []
        for t in self.targets:
            total = len(t.parts)
            if self.dry_run:
                state = f"试运行：{total} 部分中将发送 {sum(p.status == WOULD_SEND for p in t.parts)} 部分"
            elif t.complete:
                state = f"完成：本次发送 {len(t.sent)} 部分，此前已送达 {total - len(t.sent)} 部分"
            else:
                state = f"失败：{t.error}"
            lines.append(f"{t.description}：{state}")
        return "\n".join(lines) or "未配置发送对象（notify）"

    def render(self) -> str:
        """Everything, part by part; for a dry run this is exactly what would be posted."""
        out = [f"通报 {self.notice_id}{'（试运行：未发送任何内容）' if self.dry_run else ''}"]
        if self.attachments:
            out.append(f"附件：{'、'.join(self.attachments)}")
        for t in self.targets:
            out.append(f"\n== {t.description}：共 {len(t.parts)} 部分")
            out.extend(f"   说明：{n}" for n in t.notes)
            if t.error and not t.parts:
                out.append(f"   错误：{t.error}")
            for p in t.parts:
                out.append(f"-- 第 {p.label} 部分 · {KIND_LABELS.get(p.kind, p.kind)} · {p.size} 字节 · "
                           f"{STATUS_LABELS.get(p.status, p.status)}" + (f" · {p.detail}" if p.detail else ""))
                if self.dry_run and p.status == WOULD_SEND:
                    out.append(p.preview)
        return "\n".join(out)


class Pacer:
    """Keeps a robot under its messages-per-minute limit, with an injectable clock."""

    def __init__(self, per_minute: int | None, clock: Callable[[], float], sleep: Callable[[float], None]):
        self.per_minute = per_minute
        self.clock = clock
        self.sleep = sleep
        self.sent_at: deque[float] = deque()

    def wait(self) -> None:
        if not self.per_minute:
            return
        while len(self.sent_at) >= self.per_minute:
            oldest = self.sent_at[0]
            now = self.clock()
            if now - oldest >= 60:
                self.sent_at.popleft()
            else:
                self.sleep(60 - (now - oldest))

    def record(self) -> None:
        if self.per_minute:
            self.sent_at.append(self.clock())


class _SafeLog:
    """A logger whose every message is redacted first."""

    def __init__(self, logger: logging.Logger, redactor: Redactor):
        self.logger, self.redact = logger, redactor

    def __call__(self, level: int, message: str) -> None:
        self.logger.log(level, self.redact(message))


def deliver(notice: Notice, targets: Iterable[Any], store: DeliveryLog | None, *, dry_run: bool = False,
            sleep: Callable[[float], None] = time.sleep, clock: Callable[[], float] = time.monotonic,
            log: logging.Logger | None = None, retries: int = 4, backoff: float = 2.0,
            timeout: float = 20.0, wall: Callable[[], float] = time.time) -> DeliveryReport:
    """Send what each target has not confirmed yet; never raises for a failed target.

    retries: extra attempts after a transient failure, waiting backoff, 2×backoff, 4×…
    """
    if store is None and not dry_run:
        raise ValueError("deliver needs a store unless dry_run=True: the store is what prevents double posts")
    targets = list(targets)
    redact = Redactor(s for t in targets for s in t.secrets())
    say = _SafeLog(log or LOG, redact)
    report = DeliveryReport(notice.id, dry_run, attachments=notice.attachments)
    for target in targets:
        result = TargetResult(target.key, redact(target.redacted()))
        report.targets.append(result)
        try:
            sender = sender_for(target, timeout=timeout, wall=wall)
            messages = sender.plan(notice)
        except (OSError, ValueError) as exc:
            # A missing attachment, say: this target gets nothing rather than half.
            result.error = redact(f"cannot prepare the notice: {exc}")
            say(logging.ERROR, f"{result.description}: {result.error}")
            continue
        result.notes = [redact(n) for n in sender.notes]
        for note in result.notes:
            say(logging.WARNING, f"{result.description}: {note}")
        done = store.delivered_contents(notice.id, target.key) if store is not None else set()
        total = len(messages)
        keys = [content_key(target.key, m) for m in messages]
        result.parts = [PartResult(n, total, m.kind, m.size, SKIPPED if k in done else WOULD_SEND,
                                   redact(m.preview), content=k) for n, (m, k) in enumerate(zip(messages, keys), 1)]
        if dry_run or store is None:
            continue
        with _one_sender_at_a_time(store):
            # Re-read under the lock: another run may have sent parts while we waited.
            done = store.delivered_contents(notice.id, target.key)
            for part in result.parts:
                part.status = SKIPPED if part.content in done else WOULD_SEND
            _send_target(notice, target, sender, messages, result, store, say, redact,
                         Pacer(sender.per_minute, clock, sleep), sleep, retries, backoff)
    return report


@contextmanager
def _one_sender_at_a_time(store: Any) -> Iterator[None]:
    """Serialise deliveries against one database (the scheduler's weekly job and a manual
    `govfresh notify`, say), so two runs cannot both see part 2 unsent and both post it."""
    path = getattr(store, "path", None)
    if not path or str(path) == ":memory:":
        yield
        return
    fd = os.open(f"{path}.deliver.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)     # blocks until the other delivery is done
        yield
    finally:
        os.close(fd)                       # closing releases the lock


def _send_target(notice: Notice, target: Any, sender: Sender, messages: list[Message], result: TargetResult,
                 store: DeliveryLog, say: _SafeLog, redact: Redactor, pacer: Pacer,
                 sleep: Callable[[float], None], retries: int, backoff: float) -> None:
    unconfirmed = store.unconfirmed_contents(notice.id, target.key)
    for part, message in zip(result.parts, messages):
        if part.status == SKIPPED:
            continue
        # Logged before it goes: a crash after the post leaves an unconfirmed row, so the
        # rerun posts it again at most once and says that the group may see it twice.
        note = REPEAT_NOTE if part.content in unconfirmed else None
        row = store.begin_delivery(notice.id, target.key, part.number, part.content, note)
        ok, answer, error = _send_one(sender, message, part, result.description, say, redact,
                                      pacer, sleep, retries, backoff)
        store.end_delivery(row, ok, redact.scrub(answer))
        if note:
            part.detail = note
            say(logging.WARNING, f"{result.description}: part {part.label}: {note}")
        if ok:
            part.status = SENT
            say(logging.INFO, f"{result.description}: part {part.label} sent ({part.size} bytes)")
            continue
        part.status, part.detail = FAILED, error
        result.error = f"part {part.label}: {error}"
        say(logging.ERROR, f"{result.description}: part {part.label} not delivered: {error};"
                           " the next run resumes from this part")
        # Later parts wait: sending 3 before 2 would scramble the notice.
        for later in result.parts[part.number:]:
            if later.status == WOULD_SEND:
                later.status = NOT_SENT
        return


def _send_one(sender: Sender, message: Message, part: PartResult, who: str, say: _SafeLog,
              redact: Redactor, pacer: Pacer, sleep: Callable[[float], None], retries: int,
              backoff: float) -> tuple[bool, Any, str]:
    attempt = 0
    rate_waits = 0
    while True:
        pacer.wait()
        try:
            answer = sender.send(message)
            pacer.record()
            return True, answer, ""
        except RateLimited as exc:
            pacer.record()
            rate_waits += 1
            if rate_waits > max(retries, 3):
                return False, _failure(exc, redact), redact(f"still rate limited: {exc}")
            say(logging.WARNING, f"{who}: part {part.label}: {exc}; waiting {exc.wait:g} s")
            sleep(exc.wait)
        except TransientError as exc:
            attempt += 1
            if attempt > retries:
                return False, _failure(exc, redact), redact(f"{exc} (gave up after {attempt} attempt{'s' * (attempt > 1)})")
            delay = backoff * 2 ** (attempt - 1)
            say(logging.WARNING, f"{who}: part {part.label}: {exc}; retry {attempt}/{retries} in {delay:g} s")
            sleep(delay)
        except PermanentError as exc:
            return False, _failure(exc, redact), redact(str(exc))
        except SendError as exc:  # a sender raising the base class: treat as final
            return False, _failure(exc, redact), redact(str(exc))
        except Exception as exc:  # a bug or an odd answer: stop this target, and say so without secrets
            message = redact(f"unexpected {type(exc).__name__}: {exc}")
            return False, {"error": message}, message


def _failure(exc: SendError, redact: Redactor) -> Any:
    return {"error": redact(str(exc)), "response": redact.scrub(exc.response)}
