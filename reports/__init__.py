"""Period problem lists (问题清单): one view model, many renderers.

    report = build_period(export, "week")          # reports.model
    paths = render(report, ["html", "md", "xlsx", "docx", "chat", "png"], out,
                   options={"docx": {"number": "12"}})   # reports.formats
    parts = chat_parts(report, limit_bytes=2048, kind="text")   # messages to post
    picture = summary_png(report)                                # the table as PNG bytes

Formats register themselves in reports/renderers/; FORMATS lists them.
"""
from .model import PeriodReport, build_period
from .formats import FORMATS, Renderer, render, render_bytes, renderer_for
from . import renderers  # noqa: F401  (registers html, md, xlsx, docx, chat, png)
from .renderers.chat import chat_parts
from .renderers.docx import WordingError, render_notice
from .renderers.png import MissingFontError, summary_png

__all__ = ["FORMATS", "MissingFontError", "PeriodReport", "Renderer", "WordingError", "build_period",
           "chat_parts", "render", "render_bytes", "render_notice", "renderer_for", "summary_png"]
