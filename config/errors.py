"""The one error a bad sites.yaml raises; its message names the file, the unit and the key."""
from __future__ import annotations


class ConfigError(Exception):
    """sites.yaml cannot be used; the message says where and why."""
