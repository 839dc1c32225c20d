"""Plain data that extraction returns: pure values, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Page states a column list can be in.
LIST = "list"                  # items found (some may lack dates)
EMPTY = "empty"                # a list page with no items ("暂无信息", empty container)
UNVERIFIABLE = "unverifiable"  # filled by JavaScript from a source govfresh cannot read
NOT_LIST = "not_list"          # an article, guide or navigation page: no list to judge

# Where a column's newest date came from, most trusted first.
SOURCE_LIST = "list"
SOURCE_DETAIL = "detail"
SOURCE_LAST_MODIFIED = "last_modified"


@dataclass(frozen=True)
class Link:
    """A hyperlink as shown on a page: its visible text and absolute URL."""
    text: str
    url: str


@dataclass(frozen=True)
class Item:
    """One entry of a column's list."""
    title: str
    url: str
    date: date | None = None
    pinned: bool = False


@dataclass
class ListPage:
    """What one list page says about its column."""
    state: str
    items: list[Item] = field(default_factory=list)
    column_name: str | None = None          # ColumnName meta, when the page has one
    next_pages: list[str] = field(default_factory=list)  # further list pages (absolute URLs)
    total_pages: int | None = None          # as announced by the pager, when it says
    note: str | None = None                 # why the state was chosen (placeholder text, loader seen…)

    @property
    def newest_date(self) -> date | None:
        """Newest item date: pinned old items and ascending lists do not fool a max()."""
        dates = [i.date for i in self.items if i.date is not None]
        return max(dates) if dates else None

    @property
    def item_count(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class ArticleDate:
    """An article page's own publication date and where on the page it was found."""
    date: date | None
    source: str | None = None   # "shown" (发布时间 text), "meta:PubDate", …
