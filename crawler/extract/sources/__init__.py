"""List sources (base.py): the data calls a page's script makes for its list, one module per kind.

Importing this package registers every kind; the order here is the order they are tried.
"""
from . import hanweb, json_api  # noqa: F401  (each module registers its kind)
from .base import BROWSER, LIST_SOURCES, STATIC, Batch, DataCall, ListSource, find_data_call, read_data_call

__all__ = ["BROWSER", "LIST_SOURCES", "STATIC", "Batch", "DataCall", "ListSource", "find_data_call",
           "read_data_call"]
