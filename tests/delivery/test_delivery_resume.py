"""The delivery log: resume where a failure stopped, never post twice, dry run sends nothing."""
import pytest

from delivery import Notice, deliver, parse_targets

PARTS = ["【周报 1/3】第一部分", "【周报 2/3】第二部分", "【周报 3/3】第三部分"]


def wecom_target(wecom):
    return parse_targets([{"type": "wecom", "webhook": wecom.url()}])[0]


def contents(fake):
    return [m["payload"]["text"]["content"] for m in fake.accepted]


def test_a_failure_on_part_2_resumes_at_part_2(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", PARTS)
    wecom.fail_when = lambda p: (502, {"error": "bad gateway"}) if "第二部分" in p["text"]["content"] else None
    first = deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock, retries=1)
    result = first.targets[0]
    assert result.sent == [1] and result.failed == 2
    assert [p.status for p in result.parts] == ["sent", "failed", "not sent"]
    assert contents(wecom) == PARTS[:1]                 # part 3 waited for part 2
    assert store.delivered_contents(notice.id, result.key) == {result.parts[0].content}

    wecom.fail_when = None
    second = deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert second.ok and second.targets[0].sent == [2, 3]
    assert contents(wecom) == PARTS                     # each part exactly once, in order

    third = deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert third.targets[0].sent == [] and contents(wecom) == PARTS


def test_failures_are_logged_with_ok_0(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", PARTS)
    wecom.fail_when = lambda p: (500, {"error": "down"})
    deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock, retries=0)
    (row,) = store.recent_deliveries()
    assert (row["notice"], row["part"], row["ok"]) == ("weekly-2026-11-27", 1, 0)
    assert "HTTP 500" in row["response"]


def test_one_target_failing_does_not_hold_back_the_others(wecom, onebot, store, clock):
    onebot.fail_retcode = 100
    qq = parse_targets([{"type": "onebot", "url": onebot.base, "group_id": 42, "token": onebot.token}])[0]
    report = deliver(Notice("n1", PARTS), [qq, wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert not report.ok
    assert report.targets[0].failed == 1 and report.targets[1].complete
    assert contents(wecom) == PARTS


def test_dry_run_sends_nothing_and_shows_every_part(wecom, onebot, store, clock):
    targets = [wecom_target(wecom),
               parse_targets([{"type": "onebot", "url": onebot.base, "group_id": 42, "token": onebot.token}])[0]]
    report = deliver(Notice("weekly-2026-11-27", PARTS), targets, store, dry_run=True,
                     sleep=clock.sleep, clock=clock)
    assert wecom.requests == 0 and onebot.requests == 0
    assert store.recent_deliveries() == []
    text = report.render()
    assert "试运行：未发送任何内容" in text
    for part in PARTS:
        assert text.count(part) == 2                    # once per target
    assert "第 1/3 部分 · 文字 · 28 字节 · 将发送" in text
    assert "key=***" in text and "group 42" in text


def test_dry_run_marks_parts_already_delivered(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", PARTS)
    wecom.fail_when = lambda p: (500, {}) if "第三部分" in p["text"]["content"] else None
    deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock, retries=0)
    text = deliver(notice, [wecom_target(wecom)], store, dry_run=True).render()
    assert "第 1/3 部分 · 文字 · 28 字节 · 此前已送达" in text
    assert "第 3/3 部分 · 文字 · 28 字节 · 将发送" in text
    assert "第一部分" not in text and "第三部分" in text


def test_dry_run_needs_no_store_but_a_real_run_does(wecom):
    notice = Notice("n1", PARTS)
    assert deliver(notice, [wecom_target(wecom)], None, dry_run=True).targets[0].parts[0].status == "would send"
    with pytest.raises(ValueError, match="needs a store"):
        deliver(notice, [wecom_target(wecom)], None)
    assert wecom.requests == 0


def test_a_notice_needs_an_id_and_content():
    with pytest.raises(ValueError, match="needs an id"):
        Notice("", PARTS)
    with pytest.raises(ValueError, match="nothing to send"):
        Notice("n1", ["  "])


def test_two_runs_at_once_still_post_each_part_once(wecom, tmp_path, clock):
    # The scheduler's weekly job and a manual `govfresh notify` racing on one database.
    import threading
    from store import Store
    parts = [f"第{i}部分" for i in range(1, 9)]
    Store(tmp_path / "t.db").close()                    # create the schema before the race
    start = threading.Barrier(2, timeout=10)
    errors = []

    def run():
        try:
            with Store(tmp_path / "t.db") as own:      # one connection per thread, as two processes would
                start.wait()
                deliver(Notice("weekly-2026-11-27", parts), [wecom_target(wecom)], own, sleep=lambda s: None)
        except Exception as exc:  # surfaced below; a dead thread must not hang the run
            errors.append(exc)
            start.abort()
    threads = [threading.Thread(target=run, daemon=True) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert not errors and not any(t.is_alive() for t in threads)
    assert contents(wecom) == parts


def test_a_changed_plan_never_skips_a_part(wecom, store, clock):
    # A waiver changed the notice after parts were sent: the first two parts now say
    # something else. Known by content, they go out; the unchanged third does not go twice.
    notice = Notice("weekly-2026-11-27", PARTS)
    assert deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock).ok
    changed = Notice("weekly-2026-11-27", ["【周报 1/3】豁免后的第一部分", "【周报 2/3】豁免后的第二部分", PARTS[2]])
    again = deliver(changed, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert again.ok and again.targets[0].sent == [1, 2]
    assert contents(wecom) == PARTS + list(changed.parts[:2])


class _DiesAfterPosting:
    """The store of a process killed after part `n` went out, before its answer was logged."""

    def __init__(self, store, n):
        self.store, self.n, self.parts = store, n, {}

    def __getattr__(self, name):
        return getattr(self.store, name)

    def begin_delivery(self, notice, target, part, content, note=None):
        row = self.store.begin_delivery(notice, target, part, content, note)
        self.parts[row] = part
        return row

    def end_delivery(self, row, ok, response):
        if self.parts[row] == self.n:
            raise SystemExit("killed")
        self.store.end_delivery(row, ok, response)


def test_a_crash_between_send_and_log_costs_one_repeat_which_the_log_records(wecom, store, clock):
    notice = Notice("weekly-2026-11-27", PARTS)
    with pytest.raises(SystemExit):
        deliver(notice, [wecom_target(wecom)], _DiesAfterPosting(store, 2), sleep=clock.sleep, clock=clock)
    assert contents(wecom) == PARTS[:2]                 # part 2 reached the group, unlogged
    rerun = deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert rerun.ok and rerun.targets[0].sent == [2, 3]
    assert contents(wecom) == PARTS[:2] + PARTS[1:]     # part 2 at most once more, part 1 not again
    assert "重发" in rerun.targets[0].parts[1].detail
    repeat = [r for r in store.recent_deliveries() if r["part"] == 2 and r["ok"] == 1]
    assert len(repeat) == 1 and "重发" in repeat[0]["note"]
    third = deliver(notice, [wecom_target(wecom)], store, sleep=clock.sleep, clock=clock)
    assert third.targets[0].sent == [] and len(wecom.accepted) == 4
