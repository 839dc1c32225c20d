"""The period view model: one problem list, computed once, rendered many ways.

`build_period` turns the export JSON (the contract in DESIGN.md) into frozen
dataclasses that every renderer reads. All judging has already happened in
rules/; this module only labels, cleans, counts and orders. Crawled text is
cleaned here (reports.text) but not escaped: escaping belongs to each format.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from functools import cached_property
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from . import labels
from .periods import cn_range, file_stem, period_kind, period_range
from .text import clean_text, clean_url, safe_href

if TYPE_CHECKING:
    from .history import History

# How many periods the trend chart shows, the current one included.
TREND_PERIODS = 12


@dataclass(frozen=True)
class FindingRow:
    """One line of the 问题清单."""
    rule: str
    problem_type: str            # 问题类型, e.g. 栏目更新不及时
    severity: str                # veto | deduction | warning (or a newer one)
    severity_label: str          # 单项否决 | 扣分 | 提醒
    column: str | None           # 栏目; None for site-level problems
    element: str | None          # guide element id, for guide_missing_element
    element_label: str | None    # e.g. 办公时间
    description: str             # 问题描述, plain Chinese
    newest_date: date | None     # 最新更新日期 of the column, when known
    newest_title: str | None     # title of that newest item, when known
    url: str | None              # the crawled URL, cleaned, for display as text
    link: str | None             # the same URL when it is safe to link, else None
    state: str                   # new | recurred | open | rectified | waived
    state_label: str             # 新发现 | 复发 | 未整改 | 已整改 | 已豁免
    first_seen: date | None
    deadline: date | None
    rectified_at: date | None = None
    recurrences: int = 0         # 复发次数: times it came back after being rectified
    overdue: bool = False        # still open after its deadline (逾期)
    date_note: str | None = None  # how the newest date was read, when not from the page as served (浏览器渲染)

    @property
    def is_open(self) -> bool:
        """Still a problem (new or not yet rectified)."""
        return self.state not in labels.CLOSED_STATES

    @property
    def is_veto(self) -> bool:
        return self.severity == "veto"

    @property
    def state_text(self) -> str:
        """状态 with 复发 and 逾期, as every form prints it (labels.state_text)."""
        return labels.state_text(self.state, self.recurrences, self.overdue)


@dataclass(frozen=True)
class UnitRow:
    """One unit (department, town) and everything found on its pages."""
    name: str
    kind: str | None
    kind_label: str | None
    url: str | None
    link: str | None
    reachable: bool | None       # None when the export does not say
    error: str | None            # crawler's reason when unreachable
    crawled_at: datetime | None
    findings: tuple[FindingRow, ...]   # open ones first, worst first
    score: float | None = None         # out of 100, from the rules' verdict (rules/verdict.py)
    verdict: str | None = None         # 合格 / 不合格 / 待核验, None when the export does not say
    vetoes: tuple[str, ...] = ()       # labels of the veto items (单项否决) the unit triggered

    @property
    def vetoed(self) -> bool:
        """A veto item decided the verdict: the score does not count (单项否决)."""
        return bool(self.vetoes)

    @property
    def score_label(self) -> str | None:
        """What every form shows for the score: 单项否决 where a veto decided, else the score."""
        if self.vetoed:
            return labels.VETOED
        return None if self.score is None else f"{self.score:.1f}"

    @property
    def verdict_text(self) -> str | None:
        """得分95.0，合格 / 单项否决（站点无法访问），不合格: the verdict as every form words it."""
        if not self.verdict:
            return None
        if self.vetoed:
            return f"{labels.VETOED}（{'、'.join(self.vetoes)}），{self.verdict}"
        return f"得分{self.score_label}，{self.verdict}" if self.score is not None else self.verdict

    @property
    def problems(self) -> tuple[FindingRow, ...]:
        return tuple(f for f in self.findings if f.is_open)

    @property
    def closed(self) -> tuple[FindingRow, ...]:
        """Rectified or waived findings, kept so readers see the progress."""
        return tuple(f for f in self.findings if not f.is_open)

    @property
    def problem_count(self) -> int:
        return len(self.problems)

    @property
    def veto_count(self) -> int:
        return sum(1 for f in self.problems if f.is_veto)

    @property
    def rectified_count(self) -> int:
        return sum(1 for f in self.closed if f.state == "rectified")

    @property
    def has_problems(self) -> bool:
        return bool(self.problems)

    @property
    def is_unreachable(self) -> bool:
        """The site could not be loaded: by the crawl's own record or the rule."""
        return self.reachable is False or any(
            f.rule == "site_unreachable" for f in self.problems)

    @property
    def slug(self) -> str:
        """The file name (without .html) of this unit's own page; see unit_slug."""
        return unit_slug(self.name)


def standing(unit: UnitRow) -> tuple:
    """Where a unit stands in the ranking, best first; equal standings share a rank.

    The rules' verdict decides, as rules.verdict.rank_key does: every unit without
    a veto before every vetoed one (单项否决 fails a unit whatever it scored), fewer
    veto items first, then the higher score. A unit without a verdict (an export
    from before verdicts) stands by its open problems: fewer vetoes, then fewer problems.
    """
    if unit.verdict is not None:
        return (unit.vetoed, len(unit.vetoes), unit.verdict == labels.UNCHECKED, -(unit.score or 0.0))
    return (unit.veto_count > 0, unit.veto_count, unit.problem_count)


def rank_units(units: Iterable[UnitRow], ranking: Iterable[str] = ()) -> tuple[UnitRow, ...]:
    """Every unit, best first: in the rules' ranking (the export's `ranking`, by name),
    then any unit it does not list, by standing and name."""
    waiting: dict[str, list[UnitRow]] = {}
    for unit in units:
        waiting.setdefault(unit.name, []).append(unit)
    ordered = [waiting[name].pop(0) for name in ranking if waiting.get(name)]
    rest = sorted((u for us in waiting.values() for u in us), key=lambda u: (standing(u), u.name))
    return tuple(ordered + rest)


def worst_first(ranked: Iterable[UnitRow]) -> tuple[UnitRow, ...]:
    """The ranking turned round: worst standing first, equal standings in the ranking's order
    (a stable sort), so they keep the order, and the shared 名次, the ranking gives them."""
    return tuple(sorted(ranked, key=standing, reverse=True))


def places(ranked: Iterable[UnitRow]) -> tuple[tuple[int, UnitRow], ...]:
    """(名次, unit) in ranking order; units of equal standing share a place (1, 2, 2, 4)."""
    out: list[tuple[int, UnitRow]] = []
    for position, unit in enumerate(ranked, start=1):
        same = out and standing(out[-1][1]) == standing(unit)
        out.append((out[-1][0] if same else position, unit))
    return tuple(out)


def unit_slug(name: str) -> str:
    """u-<16 hex>: a file name for a unit's page that is safe whatever the name.

    Unit names come from sites.yaml and, through the ledger, from crawls; a
    hash keeps '/', '..', NUL or a 300-character name out of the file system,
    and stays the same from week to week so old pages keep linking.
    """
    return "u-" + hashlib.sha256(clean_text(name).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class RuleCount:
    rule: str
    problem_type: str
    count: int


@dataclass(frozen=True)
class Totals:
    """The summary (总体情况). Counts are of open problems unless named otherwise."""
    units_checked: int
    units_with_problems: int
    problem_count: int
    veto_count: int
    deduction_count: int
    warning_count: int
    unreachable_count: int
    rectified_count: int
    waived_count: int
    by_rule: tuple[RuleCount, ...]   # most frequent first


@dataclass(frozen=True)
class UnitSummary:
    """One unit in a past period (from the ledger): open problems at the period's end."""
    name: str
    problem_count: int
    veto_count: int
    new_count: int               # first seen within the period, still open at its end
    rectified_count: int         # rectified within the period
    score: float | None = None   # the unit's score and verdict in that period's report
    verdict: str | None = None
    vetoed: bool = False


@dataclass(frozen=True)
class PeriodSummary:
    """A past period, reduced to what a comparison or a trend chart needs.

    reports.history computes these from the findings ledger; build_period
    fills PeriodReport.previous and .trend from them when given a History,
    and renderers show them only when present. Counts in `totals` are of
    problems open at the period's end (first seen on or before it and not
    rectified by then, nor waived); `totals.rectified_count` is of those
    rectified within the period. The ledger does not know which units were
    checked, so `totals.units_checked` is 0 in a summary built from it.
    """
    start: date
    end: date
    period_label: str
    totals: Totals
    period: str | None = None            # "week" | "month", for file names and chart labels
    new_count: int = 0                   # 新发现: first seen within the period, still open at its end
    still_open_count: int = 0            # 仍未整改: first seen before the period, still open at its end
    by_unit: tuple[UnitSummary, ...] = ()

    @property
    def file_stem(self) -> str | None:
        """The stem of this period's problem list (weekly-2026-11-27), when the period is known."""
        return file_stem(self.period, self.end) if self.period else None


@dataclass(frozen=True)
class PeriodChanges:
    """What changed since last time (与上期相比), counted from this period's own rows."""
    new_count: int               # 新发现: first seen within this period, still open
    rectified_count: int         # 已整改: rectified within this period
    still_open_count: int        # 仍未整改: found in an earlier period, still open
    recurred_count: int = 0      # 复发: rectified before, back within this period


@dataclass(frozen=True)
class PeriodReport:
    title: str                   # 清河县政府信息公开检查周问题清单（2026年11月21日—11月27日）
    county: str
    period: str                  # "week" | "month"
    period_name: str             # "周" | "月"
    period_label: str            # 2026年11月21日—11月27日
    start: date
    end: date
    as_of: date
    ruleset: str | None
    totals: Totals
    units: tuple[UnitRow, ...]   # every unit checked, worst first (the ranking reversed)
    previous: PeriodSummary | None = None       # 与上期相比: the period before, from the ledger
    trend: tuple[PeriodSummary, ...] = ()       # last 12 periods, oldest first, this one last
    changes: PeriodChanges | None = None        # 新发现 / 已整改 / 仍未整改, with history only
    data_source: str | None = None     # 数据来源: the crawl the report stands on, e.g. 2026-11-27 09:05 完成的检查
    data_note: str | None = None       # 本期未检查，数据截至…: the data is older than the period
    notes: tuple[str, ...] = ()        # footnotes: unfinished crawls, the holiday calendar
    ranking: tuple[str, ...] = ()      # unit names in the rules' ranking order (best first)
    deadline: date | None = None       # 整改期限 of the problems this period's crawl found
    deadline_crawl: date | None = None  # the crawl (its date) whose new problems `deadline` is for

    @property
    def has_history(self) -> bool:
        """There is an earlier period to compare with (renderers show comparison and trend)."""
        return self.previous is not None or len(self.trend) > 1

    @cached_property
    def ranked(self) -> tuple["UnitRow", ...]:
        """Every unit in the one ranking order, best first (the rules' ranking: no veto
        before any veto, then score). Every form that ranks uses this order."""
        return rank_units(self.units, self.ranking)

    @cached_property
    def places(self) -> tuple[tuple[int, "UnitRow"], ...]:
        """(名次, unit) in ranking order, equal standings sharing a place: every form's 名次."""
        return places(self.ranked)

    @property
    def worst_first(self) -> tuple["UnitRow", ...]:
        """The ranking reversed, units of equal standing in the ranking's own order:
        the order of every list of units with problems."""
        return worst_first(self.ranked)

    @property
    def has_verdicts(self) -> bool:
        """The rules gave the units a score and verdict (得分, 结论): forms show them."""
        return any(u.verdict for u in self.units)

    @property
    def deadline_label(self) -> str:
        """What `deadline` is the deadline of, as every form words it: the crawl the report
        stands on may be last week's (本期未检查) or one of a month's four."""
        found = f"（{self.deadline_crawl.isoformat()}）" if self.deadline_crawl else ""
        return f"本次检查{found}新发现问题整改期限"

    @property
    def overdue_count(self) -> int:
        """Open problems past their 整改期限 (逾期)."""
        return sum(1 for u in self.units for f in u.problems if f.overdue)

    @property
    def units_with_problems(self) -> tuple[UnitRow, ...]:
        """Worst first, as the ranking reversed."""
        return tuple(u for u in self.worst_first if u.has_problems)

    @property
    def units_without_problems(self) -> tuple[UnitRow, ...]:
        """Best first, as the ranking lists them."""
        return tuple(u for u in self.ranked if not u.has_problems)

    @property
    def file_stem(self) -> str:
        """weekly-2026-11-27 / monthly-2026-11 (renderers add the suffix)."""
        return file_stem(self.period, self.as_of)


def build_period(export: Mapping[str, Any], period: str, as_of: date | None = None,
                 county: str | None = None, history: "History | None" = None) -> PeriodReport:
    """The problem list for the week or month ending on `as_of`.

    `as_of` defaults to the export's own as-of date; `county` to the export's
    county (sites.yaml can supply it when an older export lacks the field).
    `history` (reports.history.build_history over the findings ledger, for
    the same period and as_of) fills `previous`, `trend` and `changes`;
    without it they stay empty and the report is as before.
    """
    kind = period_kind(period)
    as_of = as_of or _required_date(export.get("as_of"), "as_of")
    start, end = period_range(period, as_of)
    county_name = clean_text(county or export.get("county"))
    ranking = tuple(clean_text(r.get("name")) for r in _dicts(export.get("ranking")))
    units = worst_first(rank_units((_unit_row(u) for u in _dicts(export.get("units"))), ranking))
    period_label = cn_range(start, end)
    run = export.get("run") if isinstance(export.get("run"), Mapping) else None
    report = PeriodReport(
        title=f"{county_name}政府信息公开检查{kind.name}问题清单（{period_label}）",
        county=county_name,
        period=period,
        period_name=kind.name,
        period_label=period_label,
        start=start,
        end=end,
        as_of=as_of,
        ruleset=clean_text(export.get("ruleset_title") or export.get("ruleset")) or None,
        totals=count_totals(units),
        units=units,
        data_source=_data_source(run, export.get("timezone")),
        data_note=clean_text(export.get("data_note")) or None,
        notes=tuple(n for n in (_unfinished_note(export.get("unfinished_runs")),
                                clean_text(export.get("calendar_note")) or None) if n),
        ranking=ranking,
        deadline=_period_deadline(units, run),
        deadline_crawl=_parse_date(run.get("crawl_date")) if run else None,
    )
    return with_history(report, history) if history is not None else report


def _data_source(run: Mapping[str, Any] | None, tz: Any) -> str | None:
    """数据来源: which crawl the report stands on, in the office's time."""
    if not run:
        return None
    finished = _parse_datetime(run.get("finished"))
    if finished is None:
        return f"{clean_text(run.get('crawl_date'))} 的检查" if run.get("crawl_date") else None
    if finished.tzinfo is not None and isinstance(tz, str) and tz:
        from zoneinfo import ZoneInfo
        try:
            finished = finished.astimezone(ZoneInfo(tz))
        except (KeyError, ValueError):
            pass
    crawl_date = clean_text(run.get("crawl_date"))
    if crawl_date and crawl_date != f"{finished:%Y-%m-%d}":
        # A crawl run later for an earlier date (crawl --crawl-date): say both, so a time after the
        # report's date is not read as a mistake.
        return f"{crawl_date} 的检查（实际于 {finished:%Y-%m-%d %H:%M} 完成）"
    return f"{finished:%Y-%m-%d %H:%M} 完成的检查"


def _unfinished_note(runs: Any) -> str | None:
    """Why a newer crawl is not counted (the office's network was down, the crawl was killed)."""
    runs = _dicts(runs)
    if not runs:
        return None
    parts = [f"{clean_text(r.get('crawl_date'))}的检查未完成" + (f"（{clean_text(r.get('note'))}）" if r.get("note") else "")
             for r in runs]
    return "；".join(parts) + "，未计入本期结果。"


def _period_deadline(units: Iterable[UnitRow], run: Mapping[str, Any] | None) -> date | None:
    """The 整改期限 of problems the period's crawl found first: one date, shared by every form."""
    found = _parse_date(run.get("crawl_date")) if run else None
    dates = {f.deadline for u in units for f in u.problems if f.deadline and f.first_seen == found}
    return min(dates) if dates else None


def with_history(report: PeriodReport, history: "History") -> PeriodReport:
    """The report with the comparison, the trend and the changes filled in.

    The previous period comes from the ledger. The trend's last point is this
    report itself, so the chart's last bar is the 问题总数 printed above it,
    even where the ledger and the export differ (a past date judged without
    updating the ledger).
    """
    if history.period != report.period or history.as_of != report.as_of:
        raise ValueError(f"history is for the {history.period} ending {history.as_of}, "
                         f"the report for the {report.period} ending {report.as_of}")
    current = summary_of(report)
    past = tuple(history.periods[:-1])
    return replace(report, previous=past[-1] if past else None,
                   trend=past[-(TREND_PERIODS - 1):] + (current,),
                   changes=changes_of(report.units))


def changes_of(units: Iterable[UnitRow]) -> PeriodChanges:
    """新发现 / 已整改 / 仍未整改, from the ledger states on this period's rows."""
    states = Counter(f.state for u in units for f in u.findings)
    return PeriodChanges(new_count=states["new"], rectified_count=states["rectified"],
                         still_open_count=states["open"], recurred_count=states["recurred"])


def summary_of(report: PeriodReport) -> PeriodSummary:
    """This report reduced to a PeriodSummary, as one point of its own trend."""
    changes = changes_of(report.units)
    return PeriodSummary(
        start=report.start, end=report.end, period_label=report.period_label, totals=report.totals,
        period=report.period, new_count=changes.new_count, still_open_count=changes.still_open_count,
        by_unit=tuple(UnitSummary(
            name=u.name, problem_count=u.problem_count, veto_count=u.veto_count,
            new_count=sum(1 for f in u.findings if f.state == "new"),
            rectified_count=u.rectified_count, score=u.score, verdict=u.verdict, vetoed=u.vetoed)
            for u in report.units))


def count_totals(units: Iterable[UnitRow]) -> Totals:
    units = tuple(units)
    problems = [f for u in units for f in u.problems]
    closed = Counter(f.state for u in units for f in u.closed)
    severities = Counter(f.severity for f in problems)
    rules = Counter(f.rule for f in problems)
    by_rule = sorted(rules.items(), key=lambda kv: (-kv[1], labels.rule_rank(kv[0]), kv[0]))
    return Totals(
        units_checked=len(units),
        units_with_problems=sum(1 for u in units if u.has_problems),
        problem_count=len(problems),
        veto_count=severities["veto"],
        deduction_count=severities["deduction"],
        warning_count=severities["warning"],
        unreachable_count=sum(1 for u in units if u.is_unreachable),
        rectified_count=closed["rectified"],
        waived_count=closed["waived"],
        by_rule=tuple(RuleCount(rule, labels.rule_label(rule), n) for rule, n in by_rule),
    )


def _unit_row(unit: Mapping[str, Any]) -> UnitRow:
    columns = {clean_text(c.get("name")): c for c in _dicts(unit.get("columns"))}
    findings = [_finding_row(f, unit, columns) for f in _dicts(unit.get("findings"))]
    findings.sort(key=lambda f: (not f.is_open, labels.severity_rank(f.severity),
                                 labels.rule_rank(f.rule), f.column or ""))
    kind = clean_text(unit.get("kind")) or None
    reachable = unit.get("reachable")
    return UnitRow(
        name=clean_text(unit.get("name")) or "（未命名单位）",
        kind=kind,
        kind_label=labels.KIND_LABELS.get(kind, kind) if kind else None,
        url=clean_url(unit.get("url")) or None,
        link=safe_href(unit.get("url")),
        reachable=reachable if isinstance(reachable, bool) else None,
        error=clean_text(unit.get("error")) or None,
        crawled_at=_parse_datetime(unit.get("crawled_at")),
        findings=tuple(findings),
        score=unit["score"] if isinstance(unit.get("score"), (int, float)) else None,
        verdict=clean_text(unit.get("verdict")) or None,
        vetoes=tuple(clean_text(v.get("label")) for v in _dicts(unit.get("vetoes"))),
    )


def _finding_row(finding: Mapping[str, Any], unit: Mapping[str, Any],
                 columns: Mapping[str, Mapping[str, Any]]) -> FindingRow:
    rule = clean_text(finding.get("rule")) or "unknown"
    severity = clean_text(finding.get("severity")) or "warning"
    state = clean_text(finding.get("state")) or labels.DEFAULT_STATE
    column = clean_text(finding.get("column")) or None
    element = clean_text(finding.get("element")) or None
    # The column's own facts fill what a finding leaves out: they describe the
    # same column, so the newest date and URL are still true statements.
    facts = columns.get(column or "", {})
    newest_date = _parse_date(finding.get("newest_date")) or _parse_date(facts.get("newest_date"))
    newest_title = clean_text(finding.get("newest_title") or facts.get("newest_title")) or None
    raw_url = finding.get("url") or facts.get("url") or (None if column else unit.get("url"))
    return FindingRow(
        rule=rule,
        problem_type=clean_text(finding.get("label")) or labels.rule_label(rule),
        severity=severity,
        severity_label=labels.severity_label(severity),
        column=column,
        element=element,
        element_label=labels.element_label(element),
        description=clean_text(finding.get("message"))
        or _fallback_description(rule, column, element, newest_date),
        newest_date=newest_date,
        newest_title=newest_title,
        url=clean_url(raw_url) or None,
        link=safe_href(raw_url),
        state=state,
        state_label=labels.state_label(state),
        first_seen=_parse_date(finding.get("first_seen")),
        deadline=_parse_date(finding.get("deadline")),
        rectified_at=_parse_date(finding.get("rectified_at")),
        recurrences=finding["recurrences"] if isinstance(finding.get("recurrences"), int) else 0,
        overdue=finding.get("overdue") is True,
        date_note=_DATE_NOTES.get(clean_text(facts.get("date_source"))) if newest_date else None,
    )


# A date read from a page only a browser could show is said so: a clerk checking it by hand
# must open the page in a browser too (a plain download shows no list).
_DATE_NOTES = {"browser": "浏览器渲染"}


def _fallback_description(rule: str, column: str | None, element: str | None,
                          newest_date: date | None) -> str:
    """A plain sentence when the rules left `message` empty (it is optional)."""
    label = labels.rule_label(rule)
    if element:
        return f"政府信息公开指南缺少“{labels.element_label(element)}”"
    text = f"{column}：{label}" if column else label
    if newest_date:
        text += f"（最新信息 {newest_date.isoformat()}）"
    return text


def _dicts(value: Any) -> list[Mapping[str, Any]]:
    """The mappings in a list field; a missing field or a stray non-object is skipped."""
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, Mapping)]


def _parse_date(value: Any) -> date | None:
    """A date from `2026-11-25`, `2026-11-25T09:00:00` or a date object; else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _parse_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def _required_date(value: Any, field: str) -> date:
    parsed = _parse_date(value)
    if parsed is None:
        raise ValueError(f"export field {field!r} must be a date like 2026-11-27, got {value!r}"
                         " (or pass as_of explicitly)")
    return parsed
