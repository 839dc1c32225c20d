"""QQ groups through OneBot v11: Bearer token, segments, status/retcode-based success."""
from delivery import Notice, deliver, parse_targets

PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 100


def target(fake, token=None, **kw):
    return parse_targets([{"type": "onebot", "url": fake.base, "group_id": 123456789,
                           "token": token or fake.token, **kw}])[0]


def test_text_and_picture_go_as_segments(onebot, store, clock):
    notice = Notice("weekly-2026-11-27", ["第一部分 [含方括号] & 符号", "第二部分"], png=PNG)
    report = deliver(notice, [target(onebot)], store, sleep=clock.sleep, clock=clock)
    assert report.ok, report.render()
    segments = [m["payload"]["message"][0] for m in onebot.accepted]
    assert [s["type"] for s in segments] == ["text", "text", "image"]
    assert segments[0]["data"]["text"] == "第一部分 [含方括号] & 符号"   # no CQ-code escaping needed
    assert segments[2]["data"]["file"].startswith("base64://")
    assert all(m["payload"]["group_id"] == 123456789 for m in onebot.accepted)


def test_a_failed_retcode_is_recorded_as_failed_not_sent(onebot, store, clock):
    onebot.fail_retcode = 100                # HTTP 200, but {"status": "failed", "retcode": 100}
    notice = Notice("weekly-2026-11-27", ["一", "二"])
    report = deliver(notice, [target(onebot)], store, sleep=clock.sleep, clock=clock)
    result = report.targets[0]
    assert not report.ok and result.sent == [] and result.failed == 1
    assert "retcode 100" in result.error and "群消息发送失败" in result.error
    rows = store.recent_deliveries()
    assert [(r["part"], r["ok"]) for r in rows] == [(1, 0)]
    assert store.delivered_contents(notice.id, result.key) == set()
    onebot.fail_retcode = None                # the next run sends both parts
    assert deliver(notice, [target(onebot)], store, sleep=clock.sleep, clock=clock).targets[0].sent == [1, 2]


def test_a_wrong_token_is_permanent(onebot, store, clock):
    report = deliver(Notice("n1", ["一"]), [target(onebot, token="wrong-token")], store,
                     sleep=clock.sleep, clock=clock)
    assert "HTTP 403" in report.targets[0].error and onebot.requests == 1


def test_5xx_is_retried_with_exponential_backoff(onebot, store, clock):
    failures = iter([(503, {"status": "failed"}), (502, {"status": "failed"})])
    onebot.fail_when = lambda payload: next(failures, None)
    report = deliver(Notice("n1", ["一"]), [target(onebot)], store, sleep=clock.sleep, clock=clock, backoff=2)
    assert report.ok and clock.sleeps == [2, 4]
    assert len(onebot.accepted) == 1


def test_connection_refused_gives_up_after_bounded_attempts(closed_port, store, clock):
    dead = parse_targets([{"type": "onebot", "url": f"http://127.0.0.1:{closed_port}", "group_id": 1}])[0]
    report = deliver(Notice("n1", ["一", "二"]), [dead], store, sleep=clock.sleep, clock=clock, retries=3)
    assert clock.sleeps == [2, 4, 8]
    assert "gave up after 4 attempts" in report.targets[0].error
    assert [(r["part"], r["ok"]) for r in store.recent_deliveries()] == [(1, 0)]
