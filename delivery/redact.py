"""Keep webhook keys, tokens and passwords out of logs, errors, reports and the delivery log.

A robot webhook key is the robot: whoever has it can post to the office's group.
So every string that leaves a sender goes through a Redactor first.
"""
from __future__ import annotations

from typing import Any, Iterable
from urllib.parse import quote, quote_plus

from config.targets import MASK

# Shorter strings cannot be secrets worth hiding, and masking them would garble
# ordinary text (a one-letter "password" would blank every matching letter).
_MIN_SECRET_LEN = 4


class Redactor:
    """Replaces every known secret, raw or URL-encoded, by ***."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        variants: set[str] = set()
        for secret in secrets:
            if not secret or len(secret) < _MIN_SECRET_LEN:
                continue
            # The same secret shows up encoded once it has been put in a query string.
            variants.update({secret, quote(secret, safe=""), quote_plus(secret)})
        # Longest first, so a webhook URL is masked whole before its key inside it.
        self._secrets = sorted(variants, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def scrub(self, value: Any) -> Any:
        """Redact every string inside a JSON-like value (dict keys included)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value
