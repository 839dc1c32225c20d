"""E-mail: one UTF-8 message with every text part, the picture and files attached."""
from delivery import Notice, deliver, parse_targets

PNG = b"\x89PNG\r\n\x1a\n" + b"\1" * 64


def target(smtp, password=None, **kw):
    return parse_targets([{"type": "email", "smtp": smtp.address, "security": "none",
                           "username": "notice@example.gov.cn", "password": password or smtp.password,
                           "from": "notice@example.gov.cn", "to": ["a@b.cn", "c@d.cn"], **kw}])[0]


def test_one_message_with_the_parts_and_attachments(smtp, store, clock, tmp_path):
    sheet = tmp_path / "问题清单.xlsx"
    sheet.write_bytes(b"PK\3\4 fake xlsx")
    notice = Notice("weekly-2026-11-27", ["【清河县政务公开周报】第一部分", "第二部分：教育局 工作动态 超期"],
                    title="清河县政务公开周报 2026-11-27", png=PNG, files=[sheet])
    report = deliver(notice, [target(smtp)], store, sleep=clock.sleep, clock=clock)
    assert report.ok, report.render()
    (sent,) = smtp.messages
    assert sent["to"] == ["a@b.cn", "c@d.cn"]
    mail = sent["message"]
    assert mail["Subject"] == "清河县政务公开周报 2026-11-27"
    body = mail.get_body(("plain",)).get_content()
    assert "第一部分" in body and "第二部分：教育局 工作动态 超期" in body
    attachments = {a.get_filename(): a.get_content() for a in mail.iter_attachments()}
    assert attachments == {"weekly-2026-11-27.png": PNG, "问题清单.xlsx": b"PK\3\4 fake xlsx"}
    assert deliver(notice, [target(smtp)], store, sleep=clock.sleep, clock=clock).targets[0].sent == []
    assert len(smtp.messages) == 1


def test_a_refused_login_is_permanent(smtp, store, clock):
    report = deliver(Notice("n1", ["一"]), [target(smtp, password="wrong-password")], store,
                     sleep=clock.sleep, clock=clock)
    assert "login refused (535)" in report.targets[0].error
    assert not smtp.messages and clock.sleeps == []


def test_a_missing_attachment_sends_nothing(smtp, store, clock, tmp_path):
    notice = Notice("n1", ["一"], files=[tmp_path / "gone.xlsx"])
    report = deliver(notice, [target(smtp)], store, sleep=clock.sleep, clock=clock)
    assert "cannot prepare" in report.targets[0].error and not smtp.messages
