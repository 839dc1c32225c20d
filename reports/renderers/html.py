"""The problem list as one self-contained HTML page (inline CSS, no script,
no external assets), readable on screen and printable on A4."""
from __future__ import annotations

from jinja2 import Environment, StrictUndefined

from ..model import PeriodReport
from ..registry import Renderer
from .templating import FILTERS, LOADER

# autoescape=True rather than select_autoescape(): escaping must not depend
# on a template's file name. Crawled text reaches every cell of this page.
_ENV = Environment(loader=LOADER, autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(FILTERS)


class HtmlRenderer(Renderer):
    format = "html"
    suffix = ".html"
    description = "网页，可直接打印为 A4"

    def render(self, report: PeriodReport) -> bytes:
        return _ENV.get_template("period.html.j2").render(report=report).encode("utf-8")
