"""What the last crawl saw is read from the store once per unit, however many units a re-crawl has."""
from datetime import date

from crawler import previous
from crawler.previous import PreviousCrawl
from store import Store


def last_crawl(path, units: int) -> None:
    with Store(path) as store:
        run = store.start_run("crawl", date(2026, 11, 27))
        for k in range(units):
            uid = store.unit_id(f"单位{k}", "department", f"http://127.0.0.1/u{k}/")
            store.record_unit_check(run, uid, url=f"http://127.0.0.1/u{k}/", final_url=f"http://127.0.0.1/u{k}/",
                                    reachable=1, http_status=200, etag=f'"u{k}"')
        store.finish_run(run)


def test_each_units_lookups_are_read_once_in_the_spiders_order(tmp_path, monkeypatch):
    # The spider's order: a window of units' disclosure pages is sent (validators) while the
    # window before it answers: each unit's answer (found_on), then its columns (validators).
    window, units = 5, 17
    # The kept units, scaled from the spider's window to this one.
    monkeypatch.setattr(PreviousCrawl, "KEPT_UNITS", PreviousCrawl.KEPT_UNITS * window // previous.UNITS_AT_ONCE)
    last_crawl(tmp_path / "c.db", units)
    reads = []
    for name in ("unit_validators", "unit_found_on"):
        real = getattr(Store, name)
        monkeypatch.setattr(Store, name, lambda self, run, uid, _real=real, _name=name:
                            reads.append((_name, uid)) or _real(self, run, uid))
    prev = PreviousCrawl(tmp_path / "c.db")
    windows = [range(start, min(start + window, units)) for start in range(0, units, window)] + [range(0)]
    for k in windows[0]:
        assert prev.validators(f"单位{k}", f"http://127.0.0.1/u{k}/") == {"If-None-Match": f'"u{k}"'}
    for answering, sending in zip(windows, windows[1:]):
        for k in sending:
            prev.validators(f"单位{k}", f"http://127.0.0.1/u{k}/")
        for k in answering:
            prev.found_on(f"单位{k}", f"http://127.0.0.1/u{k}/")
            prev.validators(f"单位{k}", f"http://127.0.0.1/u{k}/xxgk/")
    prev.close()
    assert sorted(reads) == sorted({(what, prev.unit_ids[n]) for what in ("unit_validators", "unit_found_on")
                                    for n in prev.unit_ids})

