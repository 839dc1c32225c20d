"""The report folder as a small static site: the period page, index.html and a page per unit.

    paths = write_site("govfresh.db", "week", date(2026, 11, 27), "reports-out")

writes, into `out`:

    weekly-2026-11-27.html      the period page, with 与上期相比 and the trend (from the ledger),
                                unit names linked to their pages
    index.html                  every weekly and monthly page found in out/, newest first, with totals
    units/u-<hash>.html         per unit: its ledger history and its periods
    periods.json                what each period page showed (totals, per-unit score and verdict),
                                so the index and unit pages repeat the same numbers later

Every link is relative, so the folder works opened from disk or copied to a
file share. Unit page names are a hash of the unit name (model.unit_slug),
never a path built from crawled or configured text.

The view models and their builders here are pure; write_site is the I/O edge.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from .history import LedgerRow, build_history, month_end, summarise_period, unit_ledger
from .model import TREND_PERIODS, PeriodReport, PeriodSummary, UnitRow, build_period, unit_slug
from .periods import PERIODS, cn_range, period_range
from .registry import _write_atomically, render, renderer_for
from .text import clean_text

if TYPE_CHECKING:
    from config import Config
    from rules.ledger import Entry
    from store import Store

INDEX = "index.html"
UNITS_DIR = "units"
MANIFEST = "periods.json"
MANIFEST_VERSION = 1

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
    new_count: int | None
    rectified_count: int
    from_ledger: bool            # totals counted from the ledger, the page's own not recorded


@dataclass(frozen=True)
class IndexUnit:
    name: str
    href: str                    # units/u-….html
    problem_count: int
    veto_count: int
    verdict: str | None


@dataclass(frozen=True)
class SiteIndex:
    title: str
    county: str
    as_of: date
    weekly: tuple[IndexRow, ...]     # newest first
    monthly: tuple[IndexRow, ...]    # newest first
    units: tuple[IndexUnit, ...]     # as the current period orders them, worst first


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


def manifest_record(report: PeriodReport) -> dict[str, Any]:
    """What a period page showed, for periods.json."""
    t = report.totals
    changes = report.changes
    return {
        "period": report.period, "start": report.start.isoformat(), "end": report.end.isoformat(),
        "as_of": report.as_of.isoformat(),
        "totals": {"units_checked": t.units_checked, "units_with_problems": t.units_with_problems,
                   "problem_count": t.problem_count, "veto_count": t.veto_count,
                   "rectified_count": t.rectified_count, "waived_count": t.waived_count},
        "new_count": changes.new_count if changes else None,
        "units": [{"name": u.name, "problem_count": u.problem_count, "veto_count": u.veto_count,
                   "score": u.score, "verdict": u.verdict} for u in report.units],
    }


def parse_manifest(data: Any) -> dict[str, dict[str, Any]]:
    """periods.json's records by file stem; anything malformed is dropped, not trusted.

    The file sits in a shared folder: it is read as untrusted input, like a crawl.
    """
    if not isinstance(data, Mapping) or data.get("version") != MANIFEST_VERSION:
        return {}
    periods = data.get("periods")
    if not isinstance(periods, Mapping):
        return {}
    records = {}
    for stem, record in periods.items():
        ref = page_ref(f"{stem}.html") if isinstance(stem, str) else None
        if ref is None or not isinstance(record, Mapping) or record.get("period") != ref.period:
            continue
        totals = record.get("totals")
        if not isinstance(totals, Mapping) or not all(
                _is_count(totals.get(k)) for k in ("units_with_problems", "problem_count", "veto_count",
                                                    "rectified_count")):
            continue
        units = {}
        for u in record.get("units") if isinstance(record.get("units"), list) else ():
            if isinstance(u, Mapping) and isinstance(u.get("name"), str):
                score = u.get("score")
                units[clean_text(u["name"])] = {
                    "score": score if isinstance(score, (int, float)) and not isinstance(score, bool) else None,
                    "verdict": clean_text(u["verdict"]) or None if isinstance(u.get("verdict"), str) else None}
        new_count = record.get("new_count")
        records[stem] = {"period": ref.period, "totals": dict(totals), "units": units,
                         "new_count": new_count if _is_count(new_count) else None}
    return records


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def build_index(report: PeriodReport, pages: Iterable[PageRef], manifest: Mapping[str, Mapping[str, Any]],
                entries: Sequence["Entry"], waivers: Sequence[Mapping[str, Any]] = ()) -> SiteIndex:
    """index.html's model: every period page in the folder, newest first.

    A period's totals are those its page showed (periods.json); for a page
    written before there was a periods.json they are counted from the ledger.
    """
    refs = {p.stem: p for p in pages}
    current = PageRef(report.period, report.file_stem, report.start, report.end)
    refs[current.stem] = current
    rows: dict[str, list[IndexRow]] = {"week": [], "month": []}
    for stem, ref in refs.items():
        record = manifest.get(stem)
        if stem == current.stem:
            t = report.totals
            new_count = report.changes.new_count if report.changes else None
            values = (t.units_with_problems, t.problem_count, t.veto_count, new_count, t.rectified_count, False)
            start, end = report.start, report.end
        elif record is not None:
            t = record["totals"]
            values = (t["units_with_problems"], t["problem_count"], t["veto_count"], record["new_count"],
                      t["rectified_count"], False)
            start, end = ref.start, ref.end
        else:
            s = summarise_period(entries, ref.period, ref.start, ref.end, waivers=waivers)
            values = (s.totals.units_with_problems, s.totals.problem_count, s.totals.veto_count,
                      s.new_count, s.totals.rectified_count, True)
            start, end = ref.start, ref.end
        rows[ref.period].append(IndexRow(
            ref.period, PERIODS[ref.period].name, f"{stem}.html", cn_range(start, end), end, *values))
    newest_first = {k: tuple(sorted(v, key=lambda r: (r.end, r.href), reverse=True)) for k, v in rows.items()}
    return SiteIndex(
        title=f"{report.county}政府信息公开检查问题清单汇总", county=report.county, as_of=report.as_of,
        weekly=newest_first["week"], monthly=newest_first["month"],
        units=tuple(IndexUnit(u.name, f"{UNITS_DIR}/{u.slug}.html", u.problem_count, u.veto_count, u.verdict)
                    for u in report.units))


def build_unit_page(report: PeriodReport, unit: UnitRow, entries: Sequence["Entry"],
                    manifest: Mapping[str, Mapping[str, Any]], page_stems: Iterable[str],
                    waivers: Sequence[Mapping[str, Any]] = ()) -> UnitPage:
    """One unit's page: its periods (from the trend and periods.json) and its ledger entries."""
    page_stems = set(page_stems) | {report.file_stem}
    trend: Sequence[PeriodSummary] = report.trend or ()
    periods = []
    for summary in reversed(trend) if trend else ():
        stem = summary.file_stem
        current = summary.end == report.end
        counts = next((u for u in summary.by_unit if u.name == unit.name), None)
        scored = manifest.get(stem or "", {}).get("units", {}).get(unit.name, {})
        periods.append(UnitPeriodRow(
            label=summary.period_label, href=f"../{stem}.html" if stem in page_stems else None,
            problem_count=counts.problem_count if counts else 0,
            new_count=counts.new_count if counts else 0,
            rectified_count=counts.rectified_count if counts else 0,
            score=unit.score if current else scored.get("score"),
            verdict=unit.verdict if current else scored.get("verdict"),
            current=current))
    if not periods:   # no history: this period alone
        periods.append(UnitPeriodRow(
            label=report.period_label, href=f"../{report.file_stem}.html", problem_count=unit.problem_count,
            new_count=sum(1 for f in unit.findings if f.state == "new"), rectified_count=unit.rectified_count,
            score=unit.score, verdict=unit.verdict, current=True))
    return UnitPage(
        title=f"{unit.name}政府信息公开问题台账", county=report.county, as_of=report.as_of,
        period_name=report.period_name, report_title=report.title, report_href=f"../{report.file_stem}.html",
        unit=unit, periods=tuple(periods),
        entries=unit_ledger(entries, unit.name, report.start, report.as_of, waivers=waivers))


# ---- I/O: the folder ------------------------------------------------------------------

def find_pages(out: Path) -> list[PageRef]:
    """The period pages already in the folder (weekly-….html, monthly-….html)."""
    if not out.is_dir():
        return []
    return [ref for p in out.iterdir() if p.is_file() and (ref := page_ref(p.name)) is not None]


def read_manifest(out: Path) -> dict[str, dict[str, Any]]:
    try:
        return parse_manifest(json.loads((out / MANIFEST).read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return {}


def _write_manifest(out: Path, report: PeriodReport) -> Path:
    """Add this period's record to periods.json, keeping the others as they were."""
    path = out / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    periods = dict(data["periods"]) if isinstance(data, dict) and data.get("version") == MANIFEST_VERSION \
        and isinstance(data.get("periods"), dict) else {}
    periods[report.file_stem] = manifest_record(report)
    body = {"version": MANIFEST_VERSION, "periods": dict(sorted(periods.items()))}
    _write_atomically(path, json.dumps(body, ensure_ascii=False, indent=1).encode("utf-8"))
    return path


def _ledger_and_waivers(store_or_db: "Store | str | Path") -> tuple[list["Entry"], list[dict]]:
    from store import Store

    from rules.ledger import from_rows

    if isinstance(store_or_db, Store):
        return from_rows(store_or_db.ledger_rows()), store_or_db.waivers(date.min)
    with Store(store_or_db) as store:
        # waivers(date.min): every waiver ever recorded; history checks each one's dates per period.
        return from_rows(store.ledger_rows()), store.waivers(date.min)


def write_site(store_or_db: "Store | str | Path", period: str, as_of: date, out: str | Path, *,
               export: Mapping[str, Any] | None = None, config: "Config | None" = None,
               rules: str | None = None, formats: Iterable[str] = ("html",),
               options: Mapping[str, Mapping[str, Any]] | None = None,
               count: int = TREND_PERIODS) -> list[Path]:
    """Write the period's page(s) with history, index.html and units/<slug>.html; return the paths.

    `export` is the period's export (jobs.judged); when None it is judged here,
    which brings the ledger up to date first. The history is read from the
    ledger after that, so this period's changes are in it. `formats` other
    than html are rendered from the same model (with previous/trend filled),
    with their renderer `options` as in reports.render.
    """
    from .renderers.html import render_index, render_period_page, render_unit_page
    from store import Store

    others = [f for f in (formats.split(",") if isinstance(formats, str) else formats)
              if f.strip() and f.strip().lower() != "html"]
    options = {k.strip().lower(): dict(v) for k, v in (options or {}).items()}
    for fmt in ["html", *others]:
        # A typo in a format or option name fails before anything is judged or written.
        renderer_for(fmt, **options.get(fmt.strip().lower(), {}))
    out = Path(out)
    db = store_or_db.path if isinstance(store_or_db, Store) else store_or_db
    if export is None:
        from jobs import judged
        export = judged(db, as_of, period, config, rules)
    entries, waivers = _ledger_and_waivers(store_or_db)
    if config is not None:
        waivers = list(waivers) + [w.model_dump() for w in config.waivers]
    history = build_history(entries, period, as_of, count=count, waivers=waivers)
    report = build_period(export, period, as_of, history=history)

    out.mkdir(parents=True, exist_ok=True)
    page_path = out / f"{report.file_stem}.html"
    _write_atomically(page_path, render_period_page(report, site=True))
    paths = [page_path] + (render(report, others, out, options) if others else [])
    _write_manifest(out, report)
    pages = find_pages(out)
    manifest = read_manifest(out)

    index_path = out / INDEX
    _write_atomically(index_path, render_index(build_index(report, pages, manifest, entries, waivers)))
    paths.append(index_path)
    units_dir = out / UNITS_DIR
    units_dir.mkdir(exist_ok=True)
    stems = {p.stem for p in pages}
    for unit in report.units:
        path = units_dir / f"{unit_slug(unit.name)}.html"
        page = build_unit_page(report, unit, entries, manifest, stems, waivers)
        _write_atomically(path, render_unit_page(page))
        paths.append(path)
    return paths
