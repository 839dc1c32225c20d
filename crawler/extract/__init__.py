"""Pure extraction: page bytes in, plain values out (see types.py)."""
from .article import extract_article_date, extract_text
from .encoding import decode
from .listpage import extract_list

__all__ = ["decode", "extract_article_date", "extract_list", "extract_text"]
