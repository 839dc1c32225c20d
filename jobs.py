"""The jobs govfresh does, as plain functions: the CLI and the scheduler both call these.

This is the one place that strings the parts together (config → crawler →
store ← rules → reports → delivery):

    crawl(config_path, db)                        → run id (in a child process)
    probe(config, db)                             → probe results
    judge(db, as_of, config)                      → Judgement: every crawl up to as_of judged once
    period_report(judgement, period)              → the period's model, with its history
    write_reports(report, judgement, formats, out)→ files (the period page, index, unit pages, others)
    notify(config, db, period, as_of)             → delivery report
    report_job(config, db, period, as_of, …)      → judge once, write the forms, notify when asked
    scheduled_jobs(config_path, config, db, out)  → the scheduler's jobs (each also a command: config.JOB_COMMANDS)
    waive(db, unit, …)                            → a waiver for names checked against the crawls and rules
    status_lines(config, db)                      → what `govfresh status` prints
    explain_rules(ruleset)                        → what `govfresh rules explain` prints
    demo(today, out, say)                         → the bundled county crawled, judged and reported
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from zoneinfo import ZoneInfo

from config import Config, ConfigError
from plugins import unknown_name

if TYPE_CHECKING:
    from reports.model import PeriodReport
    from rules.period import Judgement

DEFAULT_FORMATS = ("html", "md")
DEFAULT_RULESET = "national-2019"


class InputError(ValueError):
    """A name, date or option the user gave that does not fit what is there: exit 2."""
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


def ruleset_for(config: Config | None = None, rules: str | None = None):
    """The rule set a command judges by: --rules, else the config's `ruleset:`, else the national one."""
    from rules import RuleSetError, load_ruleset

    name: str | Path = rules or (config.ruleset if config else DEFAULT_RULESET)
    if not rules and config is not None and Path(name).suffix in (".yaml", ".yml"):
        name = Path(config.source).parent / name     # a rule file named in sites.yaml sits beside it
    try:
        ruleset = load_ruleset(name)
    except RuleSetError as exc:
        if rules or config is None:
            raise
        raise RuleSetError([f"{config.source}: ruleset: {line}" for line in exc.problems]) from None
    if config is not None:
        kinds = [spec.kind for spec in ruleset.rules]
        bad = [f"{config.source}: waivers[{i}].rule: {unknown_name('rule', w.rule, kinds)}"
               for i, w in enumerate(config.waivers) if w.rule and w.rule not in kinds]
        if bad:
            raise ConfigError("\n".join(bad))
    return ruleset


def judge(db: str | Path, as_of: date, config: Config | None = None, rules: str | None = None) -> "Judgement":
    """Every finished crawl up to as_of judged once, and the ledger derived from them."""
    from rules.period import judge_as_of
    from store import Store

    ruleset = ruleset_for(config, rules)
    with Store(db, create=False) as store:
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
    unchecked = sum(1 for u in report.units if u.verdict == "待核验")
    lines = [f"{report.county} {report.as_of}: {t.units_checked} 个单位，{t.units_with_problems} 个存在问题，"
             f"共 {t.problem_count} 个问题，{failed} 个单位不合格" + (f"，{unchecked} 个单位待核验" if unchecked else "")]
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
    """Send an already built period report to every configured target.

    The secrets are read here and nowhere earlier; a dry run builds its attachments
    in a temporary folder, so it leaves nothing behind in the reports folder.
    """
    from delivery import deliver
    from store import Store

    targets = config.notify_targets()
    with tempfile.TemporaryDirectory(prefix="govfresh-dry-run-") as scratch:
        notice = notice_for(report, judgement, scratch if dry_run and out is not None else out)
        with Store(db, create=False) as store:
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


def report_job(config: Config | None, db: str | Path, period: str, as_of: date, formats, out: str | Path,
               rules: str | None = None, notify_targets: bool = True,
               options: dict[str, dict[str, Any]] | None = None) -> RunResult:
    """Judge once, write the period's forms and site, and notify with the same model when asked."""
    judgement = judge(db, as_of, config, rules)
    if not judgement.runs:
        raise InputError(f"{db}: no finished crawl on or before {as_of}")
    report = period_report(judgement, period)
    paths = write_reports(report, judgement, formats, out, options,
                          rejudge=lambda day: judge(db, day, config, rules))
    sending = notify_targets and config is not None and config.notify
    delivery = send(config, db, report, judgement, out=out) if sending else None
    return RunResult(report, paths, delivery)


def scheduled_jobs(config_path: str, config: Config, db: str, out: str) -> dict[str, Callable[[], Any]]:
    """The scheduler's jobs: the same functions the commands of config.JOB_COMMANDS call."""
    from crawler.probe import probe_all
    from crawler.run import crawl, today_in

    def report_and_notify(period: str) -> None:
        report_job(config, db, period, today_in(config.timezone), DEFAULT_FORMATS, out)

    return {"probe": lambda: probe_all(config, db),
            "crawl": lambda: crawl(config_path, db),
            "weekly": lambda: report_and_notify("week"),
            "monthly": lambda: report_and_notify("month")}


# ---- crawl -----------------------------------------------------------------------------

def crawl_summary(db: str | Path, run_id: int) -> str:
    """One line for the terminal after a crawl, in the office's words."""
    from store import Store

    with Store(db, create=False) as store:
        n = store.run_counts(run_id)
        read_with = store.run_read_with(run_id)
    line = (f"第 {run_id} 次抓取完成：{n['units']} 个单位（{n['unreachable']} 个无法访问），"
            f"{n['columns']} 个栏目，检查链接 {n['links']} 个 → {db}")
    return line + (f"\n  {read_with_text(read_with)}" if read_with else "")


def read_with_text(counts: dict[str, int]) -> str:
    """How many lists needed a data call or the browser (their cost), for the crawl summary and status."""
    calls = {k: n for k, n in counts.items() if k not in ("browser", "browser_units")}
    parts = []
    if calls:
        parts.append(f"{sum(calls.values())} 个栏目列表通过数据接口读取（"
                     + "，".join(f"{k} {n}" for k, n in calls.items()) + "）")
    if counts.get("browser"):
        parts.append(f"{counts['browser']} 个栏目列表用浏览器读取")
    if counts.get("browser_units"):
        parts.append(f"{counts['browser_units']} 个信息公开页在浏览器中通过反爬虫验证后读取")
    return "；".join(parts)


# ---- waivers ---------------------------------------------------------------------------

def waive(db: str | Path, unit: str, *, reason: str, until: date, rule: str | None = None,
          column: str | None = None, config: Config | None = None, rules: str | None = None,
          today: date | None = None) -> int:
    """Record a waiver after checking its names: the unit and column against what was
    crawled, the rule against the rule set. A misspelt name is an error with the closest
    valid names, never a waiver that silently matches nothing."""
    from store import Store

    today = today or datetime.now(ZoneInfo(config.timezone if config else "Asia/Shanghai")).date()
    if until <= today:
        raise InputError(f"--until {until} is not in the future")
    kinds = [spec.kind for spec in ruleset_for(config, rules).rules]
    if rule is not None and rule not in kinds:
        raise InputError(f"--rule: {unknown_name('rule', rule, kinds)}")
    with Store(db, create=False) as store:
        units = store.unit_ids()
        if unit not in units:
            raise InputError(f"--unit: {unknown_name('unit', unit, units)} — names as crawled in {db}")
        if column is not None:
            columns = store.column_names(unit)
            if column not in columns:
                raise InputError(f"--column: {unknown_name(f'column of {unit}', column, columns)}")
        return store.add_waiver(unit, rule, column, reason, until)


# ---- status ----------------------------------------------------------------------------

JOB_LABELS = {"probe": "可用性监测", "crawl": "抓取", "weekly": "周报并推送", "monthly": "月报并推送"}
RUN_STATES = {"finished": "已完成", "running": "进行中", "aborted": "中断", "failed": "失败"}


def local_time(stamp: str | datetime | None, tz: ZoneInfo) -> str:
    """A stored time (ISO, UTC or with its offset) as the office reads it: in its own zone, to the minute."""
    if not stamp:
        return "—"
    when = stamp if isinstance(stamp, datetime) else datetime.fromisoformat(str(stamp))
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def status_lines(config: Config, db: str | Path, now: datetime | None = None) -> list[str]:
    """What `govfresh status` shows: only what happened (runs, probes, reports sent) and
    what comes next, every time in the config's time zone."""
    from config import parse_schedule
    from config.schedule import next_runs
    from scheduler import ScheduleState, lock_holder, state_path_for
    from store import Store

    tz = ZoneInfo(config.timezone)
    now = now or datetime.now(tz)
    holder = lock_holder(db)
    from rules.workdays import coverage_line

    lines = [f"数据库：{db}",
             coverage_line(now.date()),
             f"调度程序：{'运行中，进程 ' + str(holder) if holder else '未运行'}",
             f"定时任务（{config.timezone}）："]
    exists = Path(db).is_file()
    last: dict[str, str | datetime | None] = dict(ScheduleState(state_path_for(db)).load())
    recent_runs, deliveries, run_read_with = [], [], {}
    if exists:
        with Store(db, create=False) as store:
            crawl = store.latest_run("crawl")
            last["crawl"] = crawl["finished"] if crawl else None
            last["probe"] = store.latest_probe()
            recent_runs, deliveries = store.recent_runs(5), store.recent_deliveries(10)
            run_read_with = {r["id"]: store.run_read_with(r["id"]) for r in recent_runs if r["kind"] == "crawl"}
    upcoming = next_runs(parse_schedule(config.schedule), timezone=tz, now=now)
    for name, times in upcoming.items():
        lines.append(f"  {JOB_LABELS.get(name, name)}（{name}）：上次 {local_time(last.get(name), tz)}，"
                     f"下次 {local_time(times[0], tz) if times else '—'}")
    if not exists:
        lines.append(f"{db}：还没有数据库（第一次抓取时创建）")
        return lines
    lines.append("最近的抓取：" if recent_runs else "最近的抓取：无")
    for run in recent_runs:
        state = RUN_STATES.get(run["status"], run["status"])
        if run["status"] != "finished":
            state += f"（{run['status']}）"       # the word to quote to whoever looks after the machine
        lines.append(f"  #{run['id']} 检查日期 {run['crawl_date']}，{state}"
                     f"（开始 {local_time(run['started'], tz)}，结束 {local_time(run['finished'], tz)}）"
                     + (f" — {run['note']}" if run["note"] else ""))
        read_with = run_read_with.get(run["id"])
        if read_with:
            lines.append(f"      {read_with_text(read_with)}")
    lines.append("最近的推送：" if deliveries else "最近的推送：无")
    for d in deliveries:
        lines.append(f"  {local_time(d['sent_at'], tz)} {d['notice']} → {d['target']} 第 {d['part']} 部分："
                     f"{'成功' if d['ok'] else '失败'}")
    return lines


# ---- rules explained -------------------------------------------------------------------

def _shown(value: Any) -> str:
    """A rule parameter as a clerk reads it: lists joined, element tables by their labels."""
    if isinstance(value, dict):
        if all(isinstance(v, dict) for v in value.values()):
            return "、".join(str(v.get("label", k)) for k, v in value.items())
        return "，".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "、".join(map(str, value))
    return str(value)


def _categories_text(keys, ruleset) -> str:
    return "、".join(ruleset.categories[k].label if k in ruleset.categories else k for k in keys)


def _limited_to(item: dict, ruleset) -> str:
    """A verdict item's column categories, when it counts only some: （政策文件类栏目）."""
    return f"（{_categories_text(item['categories'], ruleset)}栏目）" if item.get("categories") else ""


def explain_rules(ruleset) -> str:
    """`govfresh rules explain`: how a unit is scored, then every rule and column category, in Chinese."""
    from reports.labels import rule_label, severity_label
    from rules.registry import RULE_KINDS

    verdict = ruleset.verdict or {}
    out = [f"{ruleset.title}（{ruleset.id}）", "", "一、评分办法",
           f"  每个单位满分 100 分，按下列扣分项扣分，低于 {verdict.get('pass_score', 60)} 分为不合格；"
           "出现任一单项否决即为不合格，不论得分。网站页面完全无法读取（反爬虫验证、页面无法核验、未检查到）"
           "且无单项否决的单位不评分，结论为“待核验”，排在评分单位之后、单项否决单位之前。"]
    out.append("  单项否决（任一项即不合格）：")
    for item in verdict.get("vetoes", []):
        out.append(f"    {item['label']}：“{rule_label(item['rule'])}”{_limited_to(item, ruleset)}"
                   f" {item.get('min_count', 1)} 个及以上")
    if not verdict.get("vetoes"):
        out.append("    无")
    out.append("  扣分项：")
    for item in verdict.get("deductions", []):
        cap = f"，最多扣 {item['max_points']:g} 分" if "max_points" in item else ""
        out.append(f"    {item['label']}：“{rule_label(item['rule'])}”{_limited_to(item, ruleset)}"
                   f"每个扣 {item['points']:g} 分{cap}")
    if not verdict.get("deductions"):
        out.append("    无")

    out += ["", "二、检查规则"]
    for spec in ruleset.rules:
        cls = RULE_KINDS[spec.kind]
        out.append(f"  {cls.label}（{spec.kind}，{severity_label(spec.severity)}）")
        out.append(f"      说明：{cls.description}")
        for key, value in spec.params.items():
            shown = _categories_text(value, ruleset) if key == "categories" else _shown(value)
            out.append(f"      参数 {key}：{shown}")
        if spec.source:
            out.append(f"      依据：{spec.source}")
    unused = [cls for kind, cls in RULE_KINDS.items() if ruleset.rule(kind) is None]
    if unused:
        out.append("  本规则集未启用：")
        out += [f"    {cls.label}（{cls.kind}）：{cls.description}" for cls in unused]

    out += ["", "三、栏目分类（按栏目名称归类，取最长的匹配词）"]
    for cat in ruleset.categories.values():
        limit = f"{cat.max_age_days} 天内须更新" if cat.max_age_days else "不判定更新周期"
        out.append(f"  {cat.label}（{cat.key}）：{limit}；栏目名含 {'、'.join(cat.names)}")
        if cat.source:
            out.append(f"      依据：{cat.source}")
    return "\n".join(out)


# ---- the demo --------------------------------------------------------------------------

def demo(today: date, out: str | Path, say: Callable[[str], None] = print) -> tuple[Path, list[Path]]:
    """Serve the bundled county on loopback, crawl, judge and report it: the weekly HTML and every file."""
    from crawler.run import crawl
    from demo.county import compare
    from demo.server import DemoPortal

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    db.unlink(missing_ok=True)   # the demo starts from nothing every time
    with DemoPortal(today) as portal:
        sites = out / "sites.yaml"
        portal.sites(sites)
        say(f"模拟县网站已在 {portal.base_url} 启动")
        say(crawl_summary(db, crawl(sites, db, today)))   # with the lists that needed a data call or the browser
        planted = portal.expected()["findings"]
    judgement = judge(db, today)
    report = period_report(judgement, "week")
    say(summarise(report))
    missed, false = compare(export(judgement), planted)
    say(f"模拟县预设问题 {len(planted)} 个：发现 {len(planted) - len(missed)} 个，漏报 {len(missed)} 个，"
        f"误报 {len(false)} 个")
    paths = write_reports(report, judgement, available_formats(), out)
    return next(p for p in paths if p.suffix == ".html").resolve(), [p.resolve() for p in paths]


# ---- plug-in kinds ---------------------------------------------------------------------

def plugin_families() -> dict[str, Any]:
    """Every plug-in family (plugins.py) and its registry, for --help and the README."""
    from crawler.extract.sources import ListSource
    from delivery import Sender
    from reports import FORMATS
    from rules.registry import RULE_KINDS

    return {"rule kinds (rules/registry.py; `govfresh rules explain`)": RULE_KINDS,
            "report formats (reports/renderers/; `report --format`)": FORMATS,
            "senders (delivery/; `notify:` targets)": Sender.registry,
            "list sources (crawler/extract/sources/)": ListSource.registry}


def plugin_help() -> str:
    """The plug-in kinds as `govfresh --help` lists them."""
    from plugins import describe

    return "\n".join(f"\n{family}:\n{describe(registry)}" for family, registry in plugin_families().items())
