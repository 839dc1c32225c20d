"""Where a unit may be crawled: the origins (scheme + host + port) of its configured URLs.

Crawled pages are untrusted. A link or a redirect must never take the crawler to
another host, another port of the same host (host:8081 → host:8099 is another
service), an intranet address or a file:// URL. Every request — column pages,
item pages, redirects, robots.txt, link checks — asks the same `Scope.allows`.

One widening is deliberate: a site configured as http:// may upgrade itself to
https:// on the same host (default ports only), as most government sites now do.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}


# The common address, scheme://host[:port] and then a path, a query or nothing, read without
# urlsplit (a tenth of its cost: a re-crawl asks for ~25 addresses per unit, more than the cache
# below holds). Anything else (userinfo, IPv6, stray characters) takes urlsplit's reading.
_PLAIN = re.compile(r"(https?)://([a-z0-9.-]+)(?::(\d{1,5}))?(?=[/?#]|\Z)", re.I)


@lru_cache(maxsize=2048)   # every step that handles a URL asks: the scope guard, batches, the walk
def origin(url: str) -> str | None:
    """'http://host:port' of an http(s) URL, ports always explicit; None for anything else."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    plain = _PLAIN.match(url)
    if plain is not None:
        scheme, host, port = plain.groups()
        number = int(port) if port else 0
        if number > 65535:
            return None
        scheme = scheme.lower()
        return f"{scheme}://{host.lower()}:{number or _DEFAULT_PORTS[scheme]}"
    return _split_origin(url)


def _split_origin(url: str) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except (ValueError, AttributeError):   # a malformed port or IPv6 literal
        return None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return None
    return f"{scheme}://{parts.hostname.lower()}:{port or _DEFAULT_PORTS[scheme]}"


def host(url: str) -> str:
    """The lower-case host of `url` (urlsplit's hostname; '' when it has none), from the cached
    origin when it is http(s): batches group every page and link by it."""
    where = origin(url)
    if where is not None:
        return where.partition("://")[2].rpartition(":")[0]
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""


class Scope:
    """The origins one unit may be crawled on."""

    def __init__(self, urls: Iterable[str]):
        origins: set[str] = set()
        for url in urls:
            o = origin(url)
            if o is None:
                continue
            origins.add(o)
            scheme, _, rest = o.partition("://")
            host, _, port = rest.rpartition(":")
            if scheme == "http" and port == "80":
                origins.add(f"https://{host}:443")   # the same site upgraded to https
        self.origins = frozenset(origins)
        self.hosts = frozenset(o.partition("://")[2].rpartition(":")[0] for o in origins)

    def allows(self, url: str) -> bool:
        """True when `url` is http(s) on one of the unit's origins."""
        return origin(url) in self.origins

    def __repr__(self) -> str:
        return f"Scope({sorted(self.origins)})"


def why_not(url: str, scope: Scope | None) -> str | None:
    """A plain reason `url` may not be requested (None: it may)."""
    where = origin(url)   # once: every request of a crawl asks
    # An address that starts with its scheme's first letter has the scheme origin() read: an
    # http(s) origin then answers alone (urlsplit was ~2% of a nothing-changed day).
    if where is None or not (url[:1].isascii() and url[:1].isalpha()):
        try:
            scheme = urlsplit(url).scheme.lower()
        except ValueError:
            return "地址无法解析"
        if scheme not in _DEFAULT_PORTS:
            return f"不支持的协议 {scheme or '(无)'}"
        if where is None:
            return "地址无法解析"
    if scope is not None and where not in scope.origins:
        return f"{where} 不在该单位的站点范围内"
    return None
