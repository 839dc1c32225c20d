"""Importing a renderer module registers its format (see reports.registry)."""
from . import html, markdown  # noqa: F401
