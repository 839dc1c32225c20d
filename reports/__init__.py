"""Period problem lists (问题清单): one view model, many renderers.

    report = build_period(export, "week")          # reports.model
    paths = render(report, ["html", "md"], out)    # reports.registry

Formats register themselves in reports/renderers/; FORMATS lists them.
"""
from .model import PeriodReport, build_period
from .registry import FORMATS, Renderer, render, render_bytes, renderer_for
from . import renderers  # noqa: F401  (registers html, md)

__all__ = ["FORMATS", "PeriodReport", "Renderer", "build_period", "render",
           "render_bytes", "renderer_for"]
