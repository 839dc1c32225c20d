"""Importing a renderer module registers its format (see reports.registry)."""
from . import chat, docx, html, markdown, png, xlsx  # noqa: F401
