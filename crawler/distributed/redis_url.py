"""Connecting to the crawl's Redis, and naming it without its password."""
from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


class RedisUnavailable(Exception):
    """The crawl's Redis cannot be reached or refused us."""


def redacted(url: str) -> str:
    """The URL as logs and errors may show it: any password replaced by ***."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}"))


def connect(url: str):
    """A redis-py client for `url` that has answered a PING."""
    import redis

    try:
        server = redis.Redis.from_url(url, socket_connect_timeout=10, socket_timeout=60, health_check_interval=30)
        server.ping()
    except (redis.RedisError, ValueError, OSError) as exc:
        raise RedisUnavailable(f"Redis {redacted(url)} cannot be used: {type(exc).__name__}: {exc}") from None
    return server
