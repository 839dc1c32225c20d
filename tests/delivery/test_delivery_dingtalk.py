"""DingTalk custom robot: 加签 signature, text and markdown."""
from delivery import Notice, deliver, parse_targets
from delivery.dingtalk import sign


def target(fake, secret=None, **kw):
    return parse_targets([{"type": "dingtalk", "webhook": fake.url(), "secret": secret or fake.secret, **kw}])[0]


def test_signed_messages_are_accepted(dingtalk, store, clock):
    report = deliver(Notice("weekly-2026-11-27", ["一", "二"]), [target(dingtalk)], store,
                     sleep=clock.sleep, clock=clock)
    assert report.ok, report.render()
    assert [m["payload"]["text"]["content"] for m in dingtalk.accepted] == ["一", "二"]


def test_markdown_carries_the_notice_title(dingtalk, store, clock):
    notice = Notice("weekly-2026-11-27", ["一"], title="清河县政务公开周报", markdown_parts=["## 一"])
    assert deliver(notice, [target(dingtalk, format="markdown")], store, sleep=clock.sleep, clock=clock).ok
    assert dingtalk.accepted[0]["payload"]["markdown"] == {"title": "清河县政务公开周报", "text": "## 一"}


def test_a_wrong_secret_is_refused_by_the_signature_check(dingtalk, store, clock):
    report = deliver(Notice("n1", ["一"]), [target(dingtalk, secret="SECwrong-secret")], store,
                     sleep=clock.sleep, clock=clock)
    assert "310000" in report.targets[0].error and not dingtalk.accepted


def test_sign_matches_the_documented_recipe():
    # Checked with: printf "1700000000000\nSEC123" | openssl dgst -sha256 -hmac SEC123 -binary | base64
    assert sign("SEC123", 1700000000000) == "lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D"
