"""The baseline: a bare Scrapy spider that fetches a list of URLs and does nothing else.

    python bench/bare_spider.py urls.txt [--concurrency 16] [--per-host 16]

Scrapy's default settings (middlewares, stats, retries, redirects) except what a bench
needs: the same concurrency as the govfresh crawl it is compared with, robots.txt not
asked for (govfresh does not ask either), quiet logs. The callback only counts responses.
"""
from __future__ import annotations

import argparse
import sys

import scrapy
from scrapy.crawler import CrawlerProcess


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, urls: list[str], **kwargs):
        super().__init__(**kwargs)
        self.urls = urls
        self.fetched = 0
        self.errors = 0

    async def start(self):
        for url in self.urls:
            yield scrapy.Request(url, callback=self.parse, errback=self.failed, dont_filter=True)

    def parse(self, response):
        self.fetched += 1
        return None

    def failed(self, failure):
        self.errors += 1


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("urls")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--per-host", type=int, default=16)
    args = parser.parse_args()
    with open(args.urls) as f:
        urls = [line.strip() for line in f if line.strip()]
    process = CrawlerProcess({"CONCURRENT_REQUESTS": args.concurrency,
                              "CONCURRENT_REQUESTS_PER_DOMAIN": args.per_host,
                              "ROBOTSTXT_OBEY": False, "LOG_LEVEL": "WARNING",
                              "TELNETCONSOLE_ENABLED": False})
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, urls=urls)
    process.start()
    print(crawler.spider.fetched, crawler.spider.errors)
    return 0


if __name__ == "__main__":
    sys.exit(main())
