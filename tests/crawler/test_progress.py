"""The crawl's progress bar counts pages and estimates what is left, not only units."""
import io

from rich.console import Console

from crawler.progress import CrawlProgress, PageEstimate


def test_pages_of_units_not_yet_opened_are_estimated_from_those_opened():
    e = PageEstimate(total_units=10)
    assert e.expected_total == 10          # nothing known yet: at least one page per unit
    e.units_opened, e.scheduled, e.done = 2, 56, 40
    assert (e.queued, e.expected_total) == (16, 280)
    e.units_opened, e.scheduled = 10, 300
    assert e.expected_total == 300         # every unit opened: the pages known are the total


def test_the_bar_shows_pages_done_queued_and_time_left():
    out = io.StringIO()
    bar = CrawlProgress(23, console=Console(file=out, width=120, force_terminal=False))
    bar.opened()
    for _ in range(12):
        bar.item({"type": "unit"})
        for _ in range(28):
            bar.scheduled()
        for _ in range(26):
            bar.left()
    shown = io.StringIO()
    Console(file=shown, width=120).print(bar.progress.get_renderable())
    text = shown.getvalue()
    assert "单位 12/23" in text and "页面 312/644" in text and "排队 24" in text and "剩余" in text
    bar.closed()
    assert "页面 312/312" in out.getvalue()


def test_a_batch_counts_as_the_pages_it_asks_for():
    from scrapy import Request

    from crawler import batches
    from crawler.progress import pages_in

    asks = Request("http://a.gov.cn/1", meta={batches.ASKS: [(f"http://a.gov.cn/{i}", {}) for i in range(7)]})
    links = Request("http://a.gov.cn/x", method="HEAD", meta={batches.BATCH: [("http://a.gov.cn/x", "x")] * 3})
    both = Request("http://a.gov.cn/1", meta={**asks.meta, **links.meta})   # links riding with the asks
    assert [pages_in(asks), pages_in(links), pages_in(both), pages_in(Request("http://a.gov.cn/"))] == [7, 3, 10, 1]
