"""E-mail through SMTP: every text part in one UTF-8 message, the picture and files attached."""
from __future__ import annotations

import mimetypes
import smtplib
import socket
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Any

from .base import Message, PermanentError, Sender, TransientError
from .notice import Notice


class EmailSender(Sender):
    kind = "email"
    label = "电子邮件（SMTP），附 Excel 与图片"

    def plan(self, notice: Notice) -> list[Message]:
        target = self.target
        mail = EmailMessage()
        mail["Subject"] = notice.subject
        mail["From"] = target.from_
        mail["To"] = ", ".join(target.to)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=target.from_.rpartition("@")[2])
        text = "\n\n".join(p.strip("\n") for p in notice.parts)
        mail.set_content(text, charset="utf-8")
        if notice.png is not None:
            mail.add_attachment(notice.png, maintype="image", subtype="png", filename=notice.picture_name)
        for path in notice.files:
            # A missing file fails the plan, so nothing half-made is mailed.
            data = path.read_bytes()
            ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            maintype, _, subtype = ctype.partition("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=path.name)
        attached = notice.attachments
        preview = f"Subject: {notice.subject}\n\n{text}" + (f"\n\n[附件：{'、'.join(attached)}]" if attached else "")
        return [Message("email", preview, len(mail.as_bytes()), mail)]

    def _connect(self) -> smtplib.SMTP:
        target = self.target
        if target.mode == "ssl":
            return smtplib.SMTP_SSL(target.host, target.port, timeout=target.timeout,
                                    context=ssl.create_default_context())
        client = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
        if target.mode == "starttls":
            client.starttls(context=ssl.create_default_context())
        return client

    def send(self, message: Message) -> Any:
        target = self.target
        try:
            with self._connect() as client:
                if target.username:
                    client.login(target.username, target.password)
                refused = client.send_message(message.body, from_addr=target.from_, to_addrs=target.to)
        except smtplib.SMTPRecipientsRefused as exc:
            raise PermanentError(f"every recipient refused: {', '.join(exc.recipients)}",
                                 {"refused": _codes(exc.recipients)}) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise PermanentError(f"SMTP login refused ({exc.smtp_code})", {"smtp_code": exc.smtp_code}) from None
        except smtplib.SMTPResponseException as exc:
            # 4xx is "try again later" in SMTP; 5xx is final.
            cls = TransientError if 400 <= exc.smtp_code < 500 else PermanentError
            raise cls(f"SMTP {exc.smtp_code} {_text(exc.smtp_error)}", {"smtp_code": exc.smtp_code}) from None
        except smtplib.SMTPServerDisconnected:
            raise TransientError(f"{target.host}:{target.port} closed the connection",
                                 {"error": "disconnected"}) from None
        except (smtplib.SMTPException, ssl.SSLError) as exc:
            raise PermanentError(f"SMTP failed: {type(exc).__name__}: {exc}", {"error": str(exc)}) from None
        except (socket.timeout, TimeoutError):
            raise TransientError(f"no answer from {target.host}:{target.port}", {"error": "timeout"}) from None
        except OSError as exc:
            raise TransientError(f"cannot connect to {target.host}:{target.port}: {exc.strerror or exc}",
                                 {"error": str(exc)}) from None
        # send_message raises unless at least one recipient took it; report the others.
        return {"accepted": [a for a in target.to if a not in refused], "refused": _codes(refused)}


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _codes(refused: dict) -> dict[str, str]:
    return {addr: f"{code} {_text(msg)}" for addr, (code, msg) in refused.items()}
