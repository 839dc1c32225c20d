"""The problem list as one self-contained HTML page (inline CSS, no script,
no external assets), readable on screen and printable on A4.

With history the page also compares with the previous period and draws the
trend as inline SVG (a few rectangles and text; no script, nothing to load).
The site pages of reports.site (index.html, units/<slug>.html) are rendered
here too, from the same environment, so the same escaping holds for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Sequence

from jinja2 import Environment, StrictUndefined

from ..model import PeriodReport, PeriodSummary
from ..formats import Renderer
from .templating import FILTERS, LOADER

if TYPE_CHECKING:
    from ..site import SiteIndex, UnitPage

# autoescape=True rather than select_autoescape(): escaping must not depend
# on a template's file name. Crawled text reaches every cell of this page.
_ENV = Environment(loader=LOADER, autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_ENV.filters.update(FILTERS)


def delta(current: int, previous: int) -> str:
    """↓4 / ↑3 / 持平: the change from the previous period, as 与上期相比 prints it."""
    if current < previous:
        return f"↓{previous - current}"
    if current > previous:
        return f"↑{current - previous}"
    return "持平"


def delta_class(current: int, previous: int) -> str:
    """CSS class for a change in a count of problems: fewer is better."""
    return "better" if current < previous else "worse" if current > previous else "same"


_ENV.filters.update(delta=delta, delta_class=delta_class)


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    label: str                   # short, under the bar: 11/27 or 26年11月
    title: str                   # full period label, for the tooltip and the text alternative
    current: bool


@dataclass(frozen=True)
class TrendChart:
    """The geometry of the trend chart; the template only prints these numbers."""
    width: int
    height: int
    baseline: float
    label_y: float
    bars: tuple[Bar, ...]

    @property
    def description(self) -> str:
        """The chart as a sentence: its text alternative."""
        values = "；".join(f"{b.title} {b.value} 个" for b in self.bars)
        return f"近 {len(self.bars)} 期问题总数（由早到晚）：{values}。"


# Layout of the chart, in SVG user units (1 unit = 1 CSS px at natural size).
_SLOT, _BAR, _PAD, _TOP, _PLOT, _BOTTOM = 52, 30, 8, 22, 110, 26


def trend_chart(trend: Sequence[PeriodSummary]) -> TrendChart | None:
    """Bars of open problems per period, oldest first; None with fewer than two periods."""
    if len(trend) < 2:
        return None
    top = max(max(s.totals.problem_count for s in trend), 1)
    bars = []
    for i, s in enumerate(trend):
        value = s.totals.problem_count
        height = round(_PLOT * value / top, 1)
        bars.append(Bar(x=_PAD + i * _SLOT + (_SLOT - _BAR) / 2, y=round(_TOP + _PLOT - height, 1),
                        width=_BAR, height=height, value=value, label=_short_label(s),
                        title=s.period_label, current=i == len(trend) - 1))
    return TrendChart(width=2 * _PAD + len(trend) * _SLOT, height=_TOP + _PLOT + _BOTTOM,
                      baseline=_TOP + _PLOT, label_y=_TOP + _PLOT + 17, bars=tuple(bars))


def _short_label(summary: PeriodSummary) -> str:
    end = summary.end
    if summary.period == "month":
        return f"{end.year % 100}年{end.month}月"
    return f"{end.month}/{end.day}"


class HtmlRenderer(Renderer):
    kind = "html"
    suffix = ".html"
    description = "网页，可直接打印为 A4"

    def render(self, report: PeriodReport) -> bytes:
        return render_period_page(report)


def render_period_page(report: PeriodReport, site: bool = False) -> bytes:
    """The period page; `site` links unit names to units/<slug>.html and the page to
    index.html, the pages reports.site.write_site writes beside it."""
    return _ENV.get_template("period.html.j2").render(
        report=report, chart=trend_chart(report.trend), site=site).encode("utf-8")


def render_index(index: "SiteIndex") -> bytes:
    """index.html: every period's problem list, newest first, and the units."""
    return _ENV.get_template("index.html.j2").render(index=index).encode("utf-8")


def render_unit_page(page: "UnitPage") -> bytes:
    """units/<slug>.html: one unit's findings history and its periods."""
    return _ENV.get_template("unit.html.j2").render(page=page).encode("utf-8")
