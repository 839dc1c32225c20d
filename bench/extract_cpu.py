"""CPU per page of each page reader on the synthetic portal's pages (no server, no crawl).

    .venv/bin/python bench/extract_cpu.py                  # this checkout's crawler/extract
    .venv/bin/python bench/extract_cpu.py --repo ../old    # another checkout's, to compare

Pages from bench/synthetic_portal.Pages (60 units): the column pages (what extract_list reads
in a crawl, after readable.py judged the answer and the redirect middleware asked whether the
page only moves the visitor on), the disclosure pages (read by extract_list, discover_columns and extract_links
together, as the spider does) and article pages (extract_article_date, extract_text). CPU is
this process's time (time.process_time), best of 3 passes, so other load on the machine
matters little.
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 27)
URL = "http://127.0.0.1/u1/xxgk/tzgg/index.html"
CTYPE = "text/html; charset=utf-8"


def best_ms(work, items: list, passes: int = 3) -> float:
    """Least CPU milliseconds per item of ``passes`` passes over ``items``."""
    best = float("inf")
    for _ in range(passes):
        started = time.process_time()
        for x in items:
            work(x)
        best = min(best, (time.process_time() - started) / len(items) * 1000)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repo", type=Path, default=HERE.parent, help="checkout whose crawler/extract is read")
    parser.add_argument("--units", type=int, default=60)
    args = parser.parse_args()
    sys.path[:0] = [str(args.repo.resolve()), str(HERE)]
    from synthetic_portal import Pages
    from crawler.extract import dom
    from crawler.extract.article import extract_article_date, extract_text
    from crawler.extract.encoding import decode
    from crawler.extract.links import discover_columns, extract_links
    from crawler.extract.listpage import extract_list
    from crawler.extract.readable import judge_answer, page_redirect

    pages = Pages(TODAY)
    lists, disclosures, articles = [], [], []
    for i in range(args.units):
        lists += [html.encode() for status, html in map(pages.respond, pages.list_paths(i)) if status == 200]
        disclosures.append(pages.respond(f"/u{i}/xxgk/index.html")[1].encode())
        articles += [pages.respond(p)[1].encode() for p in pages.paths(i)
                     if p.rsplit("/", 1)[-1].startswith("t")]

    def disclosure(body: bytes) -> None:
        html = decode(body, CTYPE)
        if hasattr(dom, "Page"):   # one tree for the three readers
            shared = dom.Page(html)
            extract_list(shared, URL, TODAY)
        else:                      # before the shared tree: the list reader parsed on its own
            extract_list(body, URL, TODAY, CTYPE)
            shared = dom.parse_html(html)
        discover_columns(shared, URL, {"127.0.0.1"})
        extract_links(shared, URL)

    print(f"crawler/extract from {args.repo.resolve()}, {args.units} units of the synthetic portal")
    print("| reader | pages | CPU ms per page |")
    print("|---|---|---|")
    print(f"| judge_answer + page_redirect, column pages | {len(lists)} | "
          f"{best_ms(lambda b: (judge_answer(200, b, CTYPE), page_redirect(b)), lists):.2f} |")
    print(f"| extract_list, column pages | {len(lists)} | {best_ms(lambda b: extract_list(b, URL, TODAY, CTYPE), lists):.2f} |")
    print(f"| disclosure page: list + columns + links | {len(disclosures)} | {best_ms(disclosure, disclosures):.2f} |")
    print(f"| extract_article_date, articles | {len(articles)} | {best_ms(lambda b: extract_article_date(b, URL, CTYPE), articles):.2f} |")
    print(f"| extract_text, articles | {len(articles)} | {best_ms(lambda b: extract_text(b, URL, CTYPE), articles):.2f} |")


if __name__ == "__main__":
    main()
