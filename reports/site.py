"""The report folder as a small static site: the period page, index.html and a page per unit.

    paths = write_site(report, judgement, "reports-out")

writes, into `out`:

    weekly-2026-11-27.html      the period page, with 与上期相比 and the trend, unit names linked
    index.html                  every weekly and monthly page found in out/, newest first, with totals
    units/u-<hash>.html         per unit: its ledger history and its periods

Every number on the index and the unit pages is the one the period's own page
shows: each comes from the export of that period's end date (rules.period),
which says the same whenever it is rebuilt. Every link is relative, so the folder works opened from disk or copied to a
file share. Unit page names are a hash of the unit name (model.unit_slug),
never a path built from crawled or configured text.

The view models and their builders here are pure; write_site is the I/O edge.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Mapping

from .history import LedgerRow, month_end, unit_ledger
from .model import PeriodReport, PeriodSummary, UnitRow, build_period, summary_of, unit_slug
from .periods import PERIODS, cn_range, period_range
from .formats import _write_atomically, render, renderer_for

if TYPE_CHECKING:
    from rules.period import Judgement

INDEX = "index.html"
UNITS_DIR = "units"

# The period pages write_reports and write_site name (periods.file_stem).
_PAGE_NAME = re.compile(r"(?:weekly-(\d{4}-\d{2}-\d{2})|monthly-(\d{4}-\d{2}))\.html")


@dataclass(frozen=True)
class PageRef:
    """A period page found in the output folder."""
    period: str                  # week | month
    stem: str                    # weekly-2026-11-27
    start: date
    end: date


@dataclass(frozen=True)
class IndexRow:
    """One period on index.html."""
    period: str
    period_name: str             # 周 / 月
    href: str                    # weekly-2026-11-27.html, relative
    label: str                   # 2026年11月21日—11月27日
    end: date
    units_with_problems: int
    problem_count: int
    veto_count: int
    new_count: int
    rectified_count: int


@dataclass(frozen=True)
class IndexUnit:
    name: str
    href: str                    # units/u-….html
    problem_count: int
    veto_count: int
    verdict: str | None
    rank: int                    # 名次 in the period's one ranking
    score_label: str | None      # 得分, or 单项否决 where a veto decided


@dataclass(frozen=True)
class SiteIndex:
    title: str
    county: str
    as_of: date
    weekly: tuple[IndexRow, ...]     # newest first
    monthly: tuple[IndexRow, ...]    # newest first
    units: tuple[IndexUnit, ...]     # as the current period orders them, worst first
    report: PeriodReport             # the current period: its data source, data note and footnotes


@dataclass(frozen=True)
class UnitPeriodRow:
    """One period on a unit's page."""
    label: str
    href: str | None             # ../weekly-….html when that page is in the folder
    problem_count: int
    new_count: int
    rectified_count: int
    score: float | None
    verdict: str | None
    vetoed: bool
    current: bool


@dataclass(frozen=True)
class UnitPage:
    title: str
    county: str
    as_of: date
    period_name: str
    report_title: str
    report_href: str             # ../weekly-2026-11-27.html
    unit: UnitRow
    periods: tuple[UnitPeriodRow, ...]   # newest first
    entries: tuple[LedgerRow, ...]       # the unit's ledger: open first, then rectified
    report: PeriodReport                 # the current period: its data source, data note and footnotes


# ---- pure: period pages, the manifest, the view models ---------------------------------

def page_ref(name: str) -> PageRef | None:
    """The period a file name like weekly-2026-11-27.html is the page of; None for other files."""
    match = _PAGE_NAME.fullmatch(name)
    if not match:
        return None
    try:
        if match.group(1):
            end = date.fromisoformat(match.group(1))
            return PageRef("week", f"weekly-{end.isoformat()}", period_range("week", end)[0], end)
        first = date.fromisoformat(match.group(2) + "-01")
        return PageRef("month", f"monthly-{first:%Y-%m}", first, month_end(first))
    except ValueError:
        return None


def period_summary(judgement: "Judgement", ref: PageRef) -> PeriodSummary:
    """What the page of a period shows, from the export of its end date."""
    return summary_of(build_period(judgement.export(ref.start, at=ref.end), ref.period, ref.end))


def build_index(report: PeriodReport, pages: Iterable[PageRef],
                summarise: Callable[[PageRef], PeriodSummary]) -> SiteIndex:
    """index.html's model: every period page in the folder, newest first, each with its own totals."""
    refs = {p.stem: p for p in pages}
    current = PageRef(report.period, report.file_stem, report.start, report.end)
    refs[current.stem] = current
    rows: dict[str, list[IndexRow]] = {"week": [], "month": []}
    for stem, ref in refs.items():
        s = summary_of(report) if stem == current.stem else summarise(ref)
        rows[ref.period].append(IndexRow(
            ref.period, PERIODS[ref.period].name, f"{stem}.html", cn_range(s.start, s.end), s.end,
            s.totals.units_with_problems, s.totals.problem_count, s.totals.veto_count, s.new_count,
            s.totals.rectified_count))
    newest_first = {k: tuple(sorted(v, key=lambda r: (r.end, r.href), reverse=True)) for k, v in rows.items()}
    place = {id(u): rank for rank, u in report.places}
    return SiteIndex(
        title=f"{report.county}政府信息公开检查问题清单汇总", county=report.county, as_of=report.as_of,
        weekly=newest_first["week"], monthly=newest_first["month"],
        units=tuple(IndexUnit(u.name, f"{UNITS_DIR}/{u.slug}.html", u.problem_count, u.veto_count, u.verdict,
                              place[id(u)], u.score_label)
                    for u in report.units),
        report=report)


def build_unit_page(report: PeriodReport, unit: UnitRow, entries: tuple[LedgerRow, ...],
                    page_stems: Iterable[str]) -> UnitPage:
    """One unit's page: its periods (from the report's trend) and its ledger entries."""
    page_stems = set(page_stems) | {report.file_stem}
    periods = []
    for summary in reversed(report.trend or (summary_of(report),)):
        stem = summary.file_stem
        counts = next((u for u in summary.by_unit if u.name == unit.name), None)
        periods.append(UnitPeriodRow(
            label=summary.period_label, href=f"../{stem}.html" if stem in page_stems else None,
            problem_count=counts.problem_count if counts else 0,
            new_count=counts.new_count if counts else 0,
            rectified_count=counts.rectified_count if counts else 0,
            score=counts.score if counts else None, verdict=counts.verdict if counts else None,
            vetoed=counts.vetoed if counts else False, current=summary.end == report.end))
    return UnitPage(
        title=f"{unit.name}政府信息公开问题台账", county=report.county, as_of=report.as_of,
        period_name=report.period_name, report_title=report.title, report_href=f"../{report.file_stem}.html",
        unit=unit, periods=tuple(periods), entries=entries, report=report)


# ---- I/O: the folder ------------------------------------------------------------------

def find_pages(out: Path) -> list[PageRef]:
    """The period pages already in the folder (weekly-….html, monthly-….html)."""
    if not out.is_dir():
        return []
    return [ref for p in out.iterdir() if p.is_file() and (ref := page_ref(p.name)) is not None]


def write_site(report: PeriodReport, judgement: "Judgement", out: str | Path, *,
               formats: Iterable[str] = ("html",), options: Mapping[str, Mapping[str, Any]] | None = None,
               rejudge: Callable[[date], "Judgement"] | None = None) -> list[Path]:
    """Write the period's page(s), index.html and units/<slug>.html; return the paths.

    `report` is the period's model with its history (jobs.period_report);
    `judgement` the same as_of's. Pages already in the folder for later dates
    are summarised from `rejudge(their end)` when given (a past week rebuilt
    after later ones), else left off the index.
    """
    from .renderers.html import render_index, render_period_page, render_unit_page

    others = [f for f in (formats.split(",") if isinstance(formats, str) else formats)
              if f.strip() and f.strip().lower() != "html"]
    options = {k.strip().lower(): dict(v) for k, v in (options or {}).items()}
    for fmt in ["html", *others]:
        # A typo in a format or option name fails before anything is written.
        renderer_for(fmt, **options.get(fmt.strip().lower(), {}))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    page_path = out / f"{report.file_stem}.html"
    _write_atomically(page_path, render_period_page(report, site=True))
    paths = [page_path] + (render(report, others, out, options) if others else [])

    pages = find_pages(out)
    newest = max((p.end for p in pages), default=judgement.as_of)
    later = rejudge(newest) if rejudge is not None and newest > judgement.as_of else None
    pages = [p for p in pages if p.end <= judgement.as_of or later is not None]
    index = build_index(report, pages, lambda ref: period_summary(
        later if later is not None and ref.end > judgement.as_of else judgement, ref))
    index_path = out / INDEX
    _write_atomically(index_path, render_index(index))
    paths.append(index_path)

    units_dir = out / UNITS_DIR
    units_dir.mkdir(exist_ok=True)
    stems = {p.stem for p in pages}
    waived = {e.identity: judgement.waived(e, report.as_of) for e in judgement.entries}
    for unit in report.units:
        entries = unit_ledger(judgement.entries, unit.name, report.start, report.as_of, waived=waived)
        path = units_dir / f"{unit_slug(unit.name)}.html"
        _write_atomically(path, render_unit_page(build_unit_page(report, unit, entries, stems)))
        paths.append(path)
    return paths
