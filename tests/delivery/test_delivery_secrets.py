"""Webhook keys, tokens and passwords never appear in logs, errors, reports or the delivery log."""
import logging

from delivery import Notice, deliver, parse_targets


def test_secrets_stay_hidden_while_every_target_fails(wecom, onebot, dingtalk, smtp, store, clock,
                                                      closed_port, secrets, caplog):
    wecom.fail_when = lambda p: (500, {"echo": wecom.url()})   # a server that echoes the webhook back
    onebot.fail_retcode = 100
    targets = parse_targets([
        {"type": "wecom", "webhook": wecom.url()},
        {"type": "wecom", "webhook": f"http://127.0.0.1:{closed_port}/cgi-bin/webhook/send?key={wecom.key}x"},
        {"type": "onebot", "url": onebot.base, "group_id": 1, "token": onebot.token},
        {"type": "onebot", "url": onebot.base, "group_id": 2, "token": onebot.token + "-wrong"},
        {"type": "dingtalk", "webhook": dingtalk.url(), "secret": dingtalk.secret + "-wrong"},
        {"type": "email", "smtp": smtp.address, "security": "none", "username": "u@x.cn",
         "password": smtp.password, "from": "u@x.cn", "to": ["a@b.cn"]},
    ])
    caplog.set_level(logging.DEBUG)
    notice = Notice("weekly-2026-11-27", ["一", "二"])
    dry = deliver(notice, targets, store, dry_run=True)
    report = deliver(notice, targets, store, sleep=clock.sleep, clock=clock, retries=2)
    assert not report.ok and all(t.error for t in report.targets)
    shown = "\n".join([
        caplog.text, report.render(), report.summary(), dry.render(), repr(report),
        *map(repr, targets), *(str(r) for r in store.recent_deliveries(100)),
    ])
    assert "***" in shown
    for secret in secrets:
        assert secret not in shown, secret
    assert "HTTP 500" in shown and "retcode 100" in shown and "310000" in shown and "535" in shown


def test_an_unexpected_error_is_reported_without_the_key(wecom, store, clock, monkeypatch, caplog):
    from delivery.wecom import WecomSender

    def broken(self, message):
        raise RuntimeError(f"could not post to {self.target.webhook}")
    monkeypatch.setattr(WecomSender, "send", broken)
    target = parse_targets([{"type": "wecom", "webhook": wecom.url()}])[0]
    report = deliver(Notice("n1", ["一"]), [target], store, sleep=clock.sleep, clock=clock)
    assert "unexpected RuntimeError: could not post to" in report.targets[0].error
    for text in (report.render(), caplog.text, str(store.recent_deliveries())):
        assert wecom.key not in text
