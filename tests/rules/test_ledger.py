"""The findings ledger derived from crawls: new → open → rectified, unread targets, recurrence, any date."""
from datetime import date, timedelta

import pytest

from rules.ledger import NEW, OPEN, RECTIFIED, RECURRED, JudgedCrawl, UnitRead, as_of, derive
from rules.registry import Finding
from rules.workdays import add_working_days

W1, W2, W3, W4 = date(2026, 11, 6), date(2026, 11, 13), date(2026, 11, 20), date(2026, 11, 27)


def deadline(day):
    return add_working_days(day, 10)


def stale(unit="教育局", column="工作动态", message="…"):
    return Finding(unit=unit, rule="column_stale", severity="deduction", message=message, column=column,
                   url=f"http://x/{column}/")


def crawl(day, *findings, units=("教育局",), unread_columns=(), unread_units=(), run_id=None):
    """A judged crawl: the units it checked, which pages it could read, what it saw."""
    read = {u: UnitRead(u not in unread_units, {c: False for c in unread_columns}) for u in units}
    return JudgedCrawl(run_id=run_id or day.toordinal(), day=day, findings=tuple(findings), units=read)


def only(entries):
    (entry,) = entries
    return entry


def test_new_then_open_then_rectified():
    e = only(derive([crawl(W1, stale()), crawl(W2, stale()), crawl(W3)], deadline))
    assert (e.first_seen, e.last_seen, e.rectified_at) == (W1, W2, W3)
    assert e.deadline == date(2026, 11, 20)           # 10 working days after Friday 11-06
    assert e.as_of(W1).state(W1) == NEW
    assert e.as_of(W2).state(W2 - timedelta(days=6)) == OPEN
    assert e.as_of(W3).state(W3 - timedelta(days=6)) == RECTIFIED


def test_the_ledger_of_a_past_date_shows_nothing_later():
    entries = derive([crawl(W1, stale()), crawl(W2, stale()), crawl(W3)], deadline)
    then = only(as_of(entries, W2))
    assert then.is_open and then.rectified_at is None and then.last_seen == W2
    assert as_of(entries, W1 - timedelta(days=1)) == []


def test_derivation_is_causal_whatever_comes_later():
    """The ledger of W2 is the same whether or not W3 and W4 were crawled since."""
    history = [crawl(W1, stale(), stale(column="通知公告")), crawl(W2, stale()),
               crawl(W3, stale(column="通知公告")), crawl(W4)]
    for n in range(1, len(history) + 1):
        day = history[n - 1].day
        assert as_of(derive(history, deadline), day) == derive(history[:n], deadline)


def test_a_unit_left_out_of_a_crawl_has_not_fixed_anything():
    e = only(derive([crawl(W1, stale(unit="新兴镇"), units=("新兴镇",)), crawl(W2, units=("教育局",))], deadline))
    assert e.is_open


def test_a_site_that_could_not_be_read_has_not_fixed_its_content_problems():
    e = only(derive([crawl(W1, stale()), crawl(W2, unread_units=("教育局",))], deadline))
    assert e.is_open and e.last_seen == W1


def test_a_column_that_could_not_be_read_has_not_fixed_its_staleness():
    e = only(derive([crawl(W1, stale()), crawl(W2, unread_columns=("工作动态",)), crawl(W3)], deadline))
    assert e.rectified_at == W3


def test_reachability_problems_are_settled_by_any_answer():
    down = Finding(unit="教育局", rule="site_unreachable", severity="veto", message="无法访问", url="http://x/")
    e = only(derive([crawl(W1, down), crawl(W2, unread_units=("教育局",))], deadline))
    assert e.rectified_at == W2                       # it answered (with a challenge): not down any more


def test_a_problem_back_within_the_window_reopens_its_entry():
    e = only(derive([crawl(W1, stale()), crawl(W2), crawl(W3, stale())], deadline))
    assert (e.first_seen, e.deadline, e.recurrences, e.is_open) == (W1, deadline(W1), 1, True)
    assert e.as_of(W3).state(W3 - timedelta(days=6)) == RECURRED
    assert e.as_of(W2).rectified_at == W2             # the week it was fixed still shows it fixed
    assert e.as_of(W1).is_open                        # and the week before, open


def test_a_problem_back_after_the_window_is_a_new_entry():
    entries = derive([crawl(W1, stale()), crawl(W2), crawl(W2 + timedelta(days=40), stale())], deadline,
                     recurrence_days=28)
    first, second = sorted(entries, key=lambda e: e.first_seen)
    assert first.rectified_at == W2 and second.first_seen == W2 + timedelta(days=40)
    assert second.recurrences == 0 and second.identity == first.identity


def test_the_message_is_the_one_last_seen_by_the_date_asked():
    e = only(derive([crawl(W1, stale(message="已20天")), crawl(W2, stale(message="已27天"))], deadline))
    assert e.message == "已27天" and e.as_of(W1).message == "已20天"


def test_identity_ignores_scheme_host_and_port():
    moved = Finding(unit="教育局", rule="column_stale", severity="deduction", message="…", column="工作动态",
                    url="https://new.example.gov.cn:8443/gzdt/")
    e = only(derive([crawl(W1, stale()), crawl(W2, moved)], deadline))
    assert e.is_open and e.first_seen == W1


def test_dead_links_are_told_apart_by_path_only():
    def dead(url):
        return Finding(unit="教育局", rule="dead_link", severity="deduction", message="…", url=url,
                       key=url.split("//", 1)[1].split("/", 1)[1])
    entries = derive([crawl(W1, dead("http://a/x/1.html"), dead("http://a/x/2.html")),
                      crawl(W2, dead("https://b:8080/x/1.html"), dead("https://b:8080/x/2.html"))], deadline)
    assert sorted(e.first_seen for e in entries) == [W1, W1] and all(e.is_open for e in entries)


@pytest.mark.parametrize("found, due", [
    (date(2026, 9, 25), date(2026, 10, 15)),   # across 国庆: 10-01…10-07 off, Sat 10-10 worked (Mon–Fri: 10-09)
    (date(2026, 2, 6), date(2026, 2, 27)),     # across 春节: 02-15…02-23 off, Sat 02-14 worked (Mon–Fri: 02-20)
    (date(2026, 11, 27), date(2026, 12, 11)),  # an ordinary fortnight
], ids=["national-day", "spring-festival", "ordinary"])
def test_deadlines_count_china_working_days(found, due):
    assert only(derive([crawl(found, stale())], deadline)).deadline == due
