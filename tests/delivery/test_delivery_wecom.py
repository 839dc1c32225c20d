"""WeCom group robot: byte limits, 20 messages a minute, 45009, and errcode-based success."""
import base64

from delivery import Notice, deliver, parse_targets, utf8_len

ROW = "清河县教育局 · 工作动态 · 最新信息 2026-10-02 · 超过 14 天未更新"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40


def target(webhook, **kw):
    return parse_targets([{"type": "wecom", "webhook": webhook, **kw}])[0]


def contents(fake):
    return [m["payload"][m["payload"]["msgtype"]].get("content") for m in fake.accepted]


def test_text_over_2048_bytes_is_split_and_every_message_fits(wecom, store, clock):
    long_part = "\n".join(f"{i}. {ROW}" for i in range(1, 60))          # ~5 KB of mostly 汉字
    notice = Notice("weekly-2026-11-27", ["第一部分", long_part, "第三部分"], png=PNG)
    report = deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock)
    assert report.ok, report.render()
    assert not wecom.rejected
    texts = [m["payload"]["text"]["content"] for m in wecom.accepted if m["payload"]["msgtype"] == "text"]
    assert len(texts) > 3 and all(utf8_len(t) <= 2048 for t in texts)
    assert "\n".join(texts[1:-1]) == long_part                        # split at lines, nothing lost
    image = wecom.accepted[-1]["payload"]
    assert image["msgtype"] == "image" and base64.b64decode(image["image"]["base64"]) == PNG


def test_markdown_uses_the_4096_byte_limit(wecom, store, clock):
    md = "\n".join(f"- **{ROW}**" for _ in range(80))
    notice = Notice("weekly-2026-11-27", ["纯文本"], markdown_parts=[md])
    report = deliver(notice, [target(wecom.url(), format="markdown")], store, sleep=clock.sleep, clock=clock)
    assert report.ok and not wecom.rejected
    sizes = [utf8_len(c) for c in contents(wecom)]
    assert all(m["payload"]["msgtype"] == "markdown" for m in wecom.accepted)
    assert max(sizes) > 2048 and all(s <= 4096 for s in sizes)


def test_a_rerun_sends_nothing_new(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", ["一", "二", "三"])
    assert deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock).ok
    again = deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock)
    assert again.ok and again.targets[0].sent == []
    assert contents(wecom) == ["一", "二", "三"]
    assert "本次发送 0 部分，此前已送达 3 部分" in again.summary()


def test_never_more_than_20_messages_in_any_minute(wecom, store, clock):
    notice = Notice("monthly-2026-11", [f"第{i}条" for i in range(1, 46)])
    report = deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock)
    assert report.ok and len(wecom.accepted) == 45
    times = [m["at"] for m in wecom.accepted]
    assert all(later - earlier >= 60 for earlier, later in zip(times, times[20:]))
    assert clock.sleeps and sum(clock.sleeps) < 3 * 60              # paced, not stalled


def test_45009_waits_and_resumes_without_a_duplicate(wecom, store, clock):
    wecom.rate_limit_on = {2}                      # the platform refuses the 2nd request
    notice = Notice("weekly-2026-11-27", ["一", "二", "三"])
    report = deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock)
    assert report.ok
    assert 60 in clock.sleeps
    assert contents(wecom) == ["一", "二", "三"]
    assert store.delivered_contents(notice.id, report.targets[0].key) == {p.content for p in report.targets[0].parts}


def test_bad_key_93000_stops_that_target_but_not_the_others(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", ["一", "二"])
    bad, good = target(wecom.url("not-the-key")), target(wecom.url())
    report = deliver(notice, [bad, good], store, sleep=clock.sleep, clock=clock)
    assert not report.ok
    assert report.targets[0].failed == 1 and "93000" in report.targets[0].error
    assert [p.status for p in report.targets[0].parts] == ["failed", "not sent"]
    assert report.targets[1].complete and contents(wecom) == ["一", "二"]
    assert wecom.requests == 3                     # a permanent error is not retried
    assert clock.sleeps == []


def test_a_picture_over_2_mb_is_left_out_with_a_note(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", ["一"], png=b"\x89PNG" + bytes(2 * 1024 * 1024))
    report = deliver(notice, [target(wecom.url())], store, sleep=clock.sleep, clock=clock)
    assert report.ok and contents(wecom) == ["一"]
    assert any("2 MB" in n for n in report.targets[0].notes)
