"""Facts travel in bundles: one Scrapy item for all the facts one answer produced.

Scrapy handles every item a callback yields on its own (the spider middlewares, the item
signal, the pipeline's call: as much CPU as a small page's parse). A re-crawl's unchanged
unit yields some thirty facts (its check, each 304's carry-forward, each link checked): as
one item they pay that once. The pipeline (crawler/pipelines.py), the distributed
coordinator and the progress bar read the facts with `facts_of`.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

FACTS = "facts"   # an item's type: {"type": FACTS, "facts": [fact, ...]}


def bundled(outputs: Iterable[Any]) -> Iterator[Any]:
    """`outputs` of a callback with its facts (dicts) in one item, after its requests."""
    facts: list[dict] = []
    for out in outputs:
        if isinstance(out, dict):
            facts.extend(facts_of(out))
        else:
            yield out
    if len(facts) == 1:
        yield facts[0]
    elif facts:
        yield {"type": FACTS, "facts": facts}


def facts_of(item: dict) -> list[dict]:
    """The facts an item carries: a bundle's, or the item itself."""
    return item["facts"] if item.get("type") == FACTS else [item]
