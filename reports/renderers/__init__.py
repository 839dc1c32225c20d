"""Importing a renderer module registers its format (see reports.formats)."""
from . import chat, docx, html, markdown, png, xlsx  # noqa: F401
