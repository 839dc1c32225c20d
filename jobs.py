"""The jobs govfresh does, as plain functions: the CLI and the scheduler both call these.

This is the one place that strings the parts together (config → crawler →
store ← rules → reports → delivery):

    crawl(config_path, db)                        → run id (in a child process)
    probe(config, db)                             → probe results
    judge(db, as_of, config)                      → Judgement: every crawl up to as_of judged once
    period_report(judgement, period)              → the period's model, with its history
    write_reports(report, judgement, formats, out)→ files (the period page, index, unit pages, others)
    notify(config, db, period, as_of)             → delivery report
    run(config_path, …)                           → crawl, judge once, report, notify
    scheduled_jobs(config_path, config, db, out)  → the scheduler's jobs
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from config import Config

if TYPE_CHECKING:
    from reports.model import PeriodReport
    from rules.period import Judgement

DEFAULT_FORMATS = ("html", "md")
ALL_FORMATS = ("html", "md", "xlsx", "docx", "chat", "png")


def available_formats(formats=ALL_FORMATS) -> list[str]:
    """The formats this machine can render: the picture needs a CJK font installed."""
    from reports import MissingFontError
    from reports.renderers.png import find_cjk_font
    try:
        find_cjk_font()
        return list(formats)
    except MissingFontError:
        return [f for f in formats if f != "png"]


# ---- judging ---------------------------------------------------------------------------

def settings_of(config: Config | None):
    """What sites.yaml says about judging: deadlines, recurrence, time zone, waivers."""
    from rules.period import Settings

    if config is None:
        return Settings()
    return Settings(deadline_days=config.rectification_days, recurrence_days=config.recurrence_days,
                    timezone=config.timezone,
                    waivers=tuple(w.model_dump(by_alias=True) for w in config.waivers))


def judge(db: str | Path, as_of: date, config: Config | None = None, rules: str | None = None) -> "Judgement":
    """Every finished crawl up to as_of judged once, and the ledger derived from them."""
    from rules import load_ruleset
    from rules.period import judge_as_of
    from store import Store

    ruleset = load_ruleset(rules or (config.ruleset if config else "national-2019"))
    with Store(db) as store:
        return judge_as_of(store, as_of, ruleset, settings_of(config))


def export(judgement: "Judgement", period: str = "week") -> dict[str, Any]:
    """The export JSON of the judgement's date, its period starting where `period` says."""
    from reports.periods import period_range

    start, _ = period_range(period, judgement.as_of)
    return judgement.export(start)


def period_report(judgement: "Judgement", period: str) -> "PeriodReport":
    """The period's one view model, with the comparison and the trend: every form reads this."""
    from reports.history import build_history
    from reports.model import build_period

    history = build_history(judgement, period, judgement.as_of)
    return build_period(export(judgement, period), period, judgement.as_of, history=history)


def write_reports(report: "PeriodReport", judgement: "Judgement", formats, out: str | Path,
                  options: dict[str, dict[str, Any]] | None = None,
                  rejudge: Callable[[date], "Judgement"] | None = None) -> list[Path]:
    """Render the period's model in every format asked for, as a small site when html is among them.

    `options` go to the renderers, e.g. {"docx": {"doc_number": "清政务办〔2026〕12号"}}.
    """
    from reports import render
    from reports.site import write_site

    formats = list(formats)
    if any(f.strip().lower() == "html" for f in formats):
        return write_site(report, judgement, out, formats=formats, options=options, rejudge=rejudge)
    return render(report, formats, Path(out), options)


def summarise(report: "PeriodReport") -> str:
    """A few lines for the terminal, in the office's words: units, problems, and of which kind."""
    t = report.totals
    failed = sum(1 for u in report.units if u.verdict == "不合格")
    lines = [f"{report.county} {report.as_of}: {t.units_checked} 个单位，{t.units_with_problems} 个存在问题，"
             f"共 {t.problem_count} 个问题，{failed} 个单位不合格"]
    lines += [f"  {r.problem_type}：{r.count}" for r in t.by_rule]
    if report.data_source:
        lines.append(f"  数据来源：{report.data_source}")
    lines += [f"  注意：{note}" for note in (report.data_note, *report.notes) if note]
    return "\n".join(lines)


def stale_warning(report: "PeriodReport") -> str | None:
    """The warning `run` and `notify` print when the report stands on no crawl of its period."""
    return f"警告：{report.data_note}" if report.data_note else None


# ---- delivery --------------------------------------------------------------------------

def notice_for(report: "PeriodReport", judgement: "Judgement", out: str | Path | None = None):
    """The chat notice of a period: text parts, markdown parts, the table picture, the Excel list."""
    from delivery import Notice
    from reports import MissingFontError, render_bytes
    from reports.renderers.chat import chat_parts

    try:
        png = render_bytes(report, "png")
    except MissingFontError:  # no CJK font here: the text still goes out, without the picture
        png = None
    files = write_reports(report, judgement, ["xlsx"], out) if out is not None else []
    return Notice(id=report.file_stem, parts=chat_parts(report), title=report.title,
                  markdown_parts=chat_parts(report, 4096, "markdown"), png=png, files=files)


def send(config: Config, db: str | Path, report: "PeriodReport", judgement: "Judgement", *,
         dry_run: bool = False, out: str | Path | None = None):
    """Send an already built period report to every configured target."""
    from delivery import deliver, parse_targets
    from store import Store

    targets = parse_targets(config.notify)
    notice = notice_for(report, judgement, out)
    with Store(db) as store:
        return deliver(notice, targets, store, dry_run=dry_run)


def notify(config: Config, db: str | Path, period: str, as_of: date, *, dry_run: bool = False,
           out: str | Path | None = None):
    """Judge, build the period's notice and send it; parts already confirmed are skipped."""
    judgement = judge(db, as_of, config)
    return send(config, db, period_report(judgement, period), judgement, dry_run=dry_run, out=out)


# ---- whole jobs ------------------------------------------------------------------------

@dataclass
class RunResult:
    report: "PeriodReport"
    paths: list[Path]
    delivery: Any = None


def report_job(config: Config, db: str | Path, period: str, as_of: date, formats, out: str | Path,
               rules: str | None = None, notify_targets: bool = True) -> RunResult:
    """Judge once, write the period's forms and site, and notify with the same model."""
    judgement = judge(db, as_of, config, rules)
    report = period_report(judgement, period)
    paths = write_reports(report, judgement, formats, out,
                          rejudge=lambda day: judge(db, day, config, rules))
    delivery = send(config, db, report, judgement, out=out) if notify_targets and config.notify else None
    return RunResult(report, paths, delivery)


def scheduled_jobs(config_path: str, config: Config, db: str, out: str) -> dict[str, Callable[[], Any]]:
    """The scheduler's jobs: the same functions the commands call."""
    from crawler.probe import probe_all
    from crawler.run import crawl, today_in

    def report_and_notify(period: str) -> None:
        report_job(config, db, period, today_in(config.timezone), DEFAULT_FORMATS, out)

    return {"probe": lambda: probe_all(config, db),
            "crawl": lambda: crawl(config_path, db),
            "weekly": lambda: report_and_notify("week"),
            "monthly": lambda: report_and_notify("month")}
