"""POST JSON with urllib and sort failures into transient and permanent.

Error messages never contain the URL: webhook URLs carry the robot's key.
"""
from __future__ import annotations

import http.client
import json
import socket
import urllib.error
import urllib.request
from typing import Any

from .base import PermanentError, TransientError


def post_json(url: str, payload: Any, *, headers: dict[str, str] | None = None,
              timeout: float = 20.0) -> Any:
    """The decoded JSON answer of a 2xx response; TransientError/PermanentError otherwise."""
    data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(url, data=data, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
    except urllib.error.HTTPError as exc:
        detail = _body_text(exc)
        exc.close()
        # 429 and 5xx are the platform's trouble, not ours: worth another try.
        cls = TransientError if exc.code >= 500 or exc.code == 429 else PermanentError
        raise cls(f"HTTP {exc.code} {exc.reason}", {"http_status": exc.code, "body": detail}) from None
    except urllib.error.URLError as exc:
        raise TransientError(f"cannot connect: {exc.reason}", {"error": str(exc.reason)}) from None
    except (socket.timeout, TimeoutError):
        # A timeout after the request went out may mean it was posted; the platform
        # gives no way to ask, so a retry risks a duplicate rather than a gap.
        raise TransientError(f"no answer within {timeout:g} s", {"error": "timeout"}) from None
    except (OSError, http.client.HTTPException) as exc:
        raise TransientError(f"connection failed: {type(exc).__name__}", {"error": str(exc)}) from None
    try:
        return json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        # A proxy or captive portal answering HTML: not the platform speaking.
        raise TransientError("answer is not JSON", {"body": body[:300].decode("utf-8", "replace")}) from None


def _body_text(exc: urllib.error.HTTPError) -> str:
    try:
        return exc.read()[:300].decode("utf-8", "replace")
    except Exception:  # the body is only a detail for the log
        return ""
