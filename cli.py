"""The `govfresh` command: a thin layer over the Python API, one subcommand per job.

Exit codes: 0 done (sites being down is a finding, not a failure), 1 the job
itself failed, 2 bad input (config, rule file, arguments).
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from config import Config, ConfigError, load_config
import jobs
from rules.ruleset import RuleSetError

DEFAULT_DB = "govfresh.db"
DEFAULT_OUT = "reports-out"


class UsageError(Exception):
    """Bad arguments: exit 2."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def db_path(args: argparse.Namespace, config: Config | None = None) -> str:
    """--db, else the config's `db:`, else govfresh.db — both beside the config file, so
    cron (which starts in $HOME) and a person in the office folder use the same database."""
    if getattr(args, "db", None):
        return args.db
    if config is not None and getattr(args, "config", None):
        path = Path(config.db or DEFAULT_DB)
        if not path.is_absolute():
            path = Path(args.config).resolve().parent / path
        return str(path)
    return DEFAULT_DB


def _existing_db(path: str) -> str:
    if not Path(path).exists():
        raise UsageError(f"{path}: no such database (run `govfresh crawl` first, or pass --db)")
    return path


def _as_of(args: argparse.Namespace, tz: str = "Asia/Shanghai") -> date:
    from crawler.run import today_in
    return args.as_of or today_in(tz)


# ---- jobs -----------------------------------------------------------------

def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import crawl_here
    from store import Store

    config = load_config(args.config)
    db = db_path(args, config)
    run_id = crawl_here(config, db, args.crawl_date)
    with Store(db) as store:
        counts = store.run_counts(run_id)
        read_with = store.run_read_with(run_id)
    print(f"crawl {run_id} finished: {counts['units']} units ({counts['unreachable']} unreachable), "
          f"{counts['columns']} columns, {counts['links']} links checked → {db}")
    if read_with:
        print(f"  {_read_with(read_with)}")
    return 0


def _read_with(counts: dict[str, int]) -> str:
    """How many lists needed a data call or the browser (their cost), for the crawl summary and status."""
    calls = {k: n for k, n in counts.items() if k != "browser"}
    parts = []
    if calls:
        parts.append(f"{sum(calls.values())} lists read through their data calls ("
                     + ", ".join(f"{k} {n}" for k, n in calls.items()) + ")")
    if counts.get("browser"):
        parts.append(f"{counts['browser']} lists read in the browser")
    return "; ".join(parts)


def cmd_export(args: argparse.Namespace) -> int:
    data = jobs.export(jobs.judge(_existing_db(args.db), _as_of(args), rules=args.rules))
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _formats(text: str) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()]


def cmd_report(args: argparse.Namespace) -> int:
    as_of = _as_of(args)
    db = _existing_db(args.db)
    judgement = jobs.judge(db, as_of, rules=args.rules)
    if not judgement.runs:
        raise UsageError(f"{args.db}: no finished crawl on or before {as_of}")
    report = jobs.period_report(judgement, args.period)
    try:
        paths = jobs.write_reports(report, judgement, _formats(args.format), Path(args.out), _options(args.option),
                                   rejudge=lambda day: jobs.judge(db, day, rules=args.rules))
    except ValueError as exc:  # an unknown format or renderer option, named in the message
        raise UsageError(str(exc)) from None
    if jobs.stale_warning(report):
        print(jobs.stale_warning(report), file=sys.stderr)
    print_paths(paths)
    return 0


def print_paths(paths: list[Path]) -> None:
    """The files a person opens; the per-unit pages are counted, not listed."""
    unit_pages = [p for p in paths if p.parent.name == "units"]
    for path in paths:
        if path not in unit_pages:
            print(path)
    if unit_pages:
        print(f"{unit_pages[0].parent}/ ({len(unit_pages)} 个单位页面)")


def _options(pairs: list[str] | None) -> dict[str, dict[str, str]]:
    """["docx.doc_number=清政务办〔2026〕12号"] → {"docx": {"doc_number": "…"}}."""
    options: dict[str, dict[str, str]] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        fmt, dot, name = key.partition(".")
        if not sep or not dot or not fmt or not name:
            raise UsageError(f"--option {pair!r}: expected FORMAT.NAME=VALUE, e.g. docx.doc_number=清政务办〔2026〕12号")
        options.setdefault(fmt.strip(), {})[name.strip()] = value
    return options


def cmd_run(args: argparse.Namespace) -> int:
    from crawler.run import crawl

    config = load_config(args.config)
    db = db_path(args, config)
    crawl(args.config, db, args.crawl_date)
    as_of = args.as_of or args.crawl_date or _as_of(args, config.timezone)
    result = jobs.report_job(config, db, args.period, as_of, _formats(args.format), Path(args.out), args.rules)
    print(jobs.summarise(result.report))
    if jobs.stale_warning(result.report):
        print(jobs.stale_warning(result.report), file=sys.stderr)
    print_paths(result.paths)
    if result.delivery is not None:
        print(result.delivery.summary())
        return 0 if result.delivery.ok else 1
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.run import crawl, today_in
    from demo.server import DemoPortal

    today = args.today or today_in("Asia/Shanghai")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    db = out / "demo.db"
    if db.exists():
        db.unlink()  # the demo starts from nothing every time
    from demo.county import compare

    with DemoPortal(today) as portal:
        sites = out / "sites.yaml"
        portal.sites(sites)
        print(f"demo county portal serving at {portal.base_url}")
        crawl(sites, db, today)
        planted = portal.expected()["findings"]
    judgement = jobs.judge(db, today)
    report = jobs.period_report(judgement, "week")
    print(jobs.summarise(report))
    missed, false = compare(jobs.export(judgement), planted)
    print(f"模拟县预设问题 {len(planted)} 个：发现 {len(planted) - len(missed)} 个，漏报 {len(missed)} 个，"
          f"误报 {len(false)} 个")
    paths = jobs.write_reports(report, judgement, jobs.available_formats(), out)
    print_paths([p.resolve() for p in paths])
    html = next(p for p in paths if p.suffix == ".html")
    print(f"weekly problem list: {html.resolve()}")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    from crawler.probe import probe_all

    config = load_config(args.config)
    results = probe_all(config, db_path(args, config), timeout=args.timeout)
    failed = [r for r in results if not r.ok]
    print(f"probed {len(results)} units: {len(results) - len(failed)} ok, {len(failed)} failed")
    for r in failed:
        print(f"  {r.unit}: {r.error or r.http_status}")
    return 0


def cmd_waive(args: argparse.Namespace) -> int:
    from store import Store

    if args.until <= date.today():
        raise UsageError(f"--until {args.until} is not in the future")
    with Store(args.db) as store:
        if args.unit not in store.unit_ids():
            raise UsageError(f"{args.db}: no unit named {args.unit!r} has been crawled")
        waiver_id = store.add_waiver(args.unit, args.rule, args.column, args.reason, args.until)
    what = " / ".join(x for x in (args.unit, args.column, args.rule) if x)
    print(f"waiver {waiver_id}: {what} until {args.until} — {args.reason}")
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    if not config.notify:
        raise UsageError(f"{args.config}: no `notify:` targets configured")
    db = _existing_db(db_path(args, config))
    judgement = jobs.judge(db, _as_of(args, config.timezone), config)
    report = jobs.period_report(judgement, args.period)
    if jobs.stale_warning(report):
        print(jobs.stale_warning(report), file=sys.stderr)
    result = jobs.send(config, db, report, judgement, dry_run=args.dry_run, out=args.out)
    print(result.render() if args.dry_run else result.summary())
    return 0 if result.ok else 1


def cmd_schedule(args: argparse.Namespace) -> int:
    import logging

    from config import parse_schedule
    from scheduler import SchedulerLocked, run_forever

    config = load_config(args.config)
    db = db_path(args, config)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        run_forever(parse_schedule(config.schedule), jobs.scheduled_jobs(args.config, config, db, args.out),
                    timezone=config.timezone, db_path=db)
    except SchedulerLocked as exc:
        print(f"govfresh: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


def cmd_crontab(args: argparse.Namespace) -> int:
    import os
    import shutil

    from config import parse_schedule
    from service import crontab_lines, systemd_unit

    config = load_config(args.config)
    beside_python = Path(sys.executable).parent / "govfresh"  # the venv's own, even when not activated
    govfresh_bin = str(beside_python) if beside_python.exists() else (shutil.which("govfresh") or "govfresh")
    config_path = str(Path(args.config).resolve())
    if args.systemd:
        print(systemd_unit(config_path, govfresh_bin, os.getcwd()))
    else:
        print("\n".join(crontab_lines(config_path, parse_schedule(config.schedule), govfresh_bin,
                                      timezone=config.timezone)))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from config import parse_schedule
    from config.schedule import next_runs
    from scheduler import ScheduleState, lock_holder, state_path_for
    from store import Store

    config = load_config(args.config)
    db = db_path(args, config)
    tz = ZoneInfo(config.timezone)
    holder = lock_holder(db)
    print(f"scheduler: {'running, pid ' + str(holder) if holder else 'not running'}")
    last = ScheduleState(state_path_for(db)).load()
    upcoming = next_runs(parse_schedule(config.schedule), timezone=config.timezone, now=datetime.now(tz))
    print("jobs:")
    for name, times in upcoming.items():
        done = last.get(name)
        print(f"  {name:<8} last {done.strftime('%Y-%m-%d %H:%M') if done else '—':<16} "
              f"next {times[0].strftime('%Y-%m-%d %H:%M') if times else '—'}")
    if not Path(db).exists():
        print(f"{db}: no database yet")
        return 0
    with Store(db) as store:
        print("recent runs:")
        for run in store.recent_runs(5):
            print(f"  #{run['id']} {run['kind']} {run['crawl_date']} {run['status']}"
                  f" (started {run['started']}, finished {run['finished'] or '—'})"
                  + (f" — {run['note']}" if run["note"] else ""))
            read_with = store.run_read_with(run["id"]) if run["kind"] == "crawl" else {}
            if read_with:
                print(f"      {_read_with(read_with)}")
        print("recent deliveries:")
        for d in store.recent_deliveries(10):
            print(f"  {d['sent_at']} {d['notice']} → {d['target']} part {d['part']}: {'ok' if d['ok'] else 'FAILED'}")
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from rules import load_ruleset
    from rules.registry import RULE_KINDS

    if args.rules_cmd == "check":
        rs = load_ruleset(args.file)
        print(f"{args.file}: ok — rule set {rs.id}, {len(rs.categories)} categories, {len(rs.rules)} rules")
        return 0
    rs = load_ruleset(args.rules or "national-2019")
    print(f"{rs.title} ({rs.id})\n")
    print("栏目分类 categories:")
    for cat in rs.categories.values():
        limit = f"{cat.max_age_days} 天" if cat.max_age_days else "不判定更新周期"
        print(f"  {cat.key:<9} {cat.label}: {limit} — {'、'.join(cat.names)}")
        if cat.source:
            print(f"            依据：{cat.source}")
    print("\n规则 rules:")
    for spec in rs.rules:
        doc = (RULE_KINDS[spec.kind].__doc__ or "").strip().splitlines()[0]
        print(f"  {spec.kind} [{spec.severity}] {doc}")
        for key, value in spec.params.items():
            shown = value if not isinstance(value, dict) else ", ".join(value)
            print(f"      {key}: {shown}")
        if spec.source:
            print(f"      依据：{spec.source}")
    return 0


# ---- parser -----------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govfresh", description="政府信息公开栏目检查：抓取、判定、报告、推送")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    p = add("crawl", cmd_crawl, "crawl every unit in sites.yaml and store what was seen")
    p.add_argument("--config", required=True, help="sites.yaml")
    p.add_argument("--db", help=f"SQLite database (default: config `db:` or {DEFAULT_DB})")
    p.add_argument("--crawl-date", type=_date, help="date the crawl counts as (default: today); for replays")

    p = add("export", cmd_export, "print one date's facts and findings as JSON")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--as-of", type=_date, help="judge as of this date (default: today)")
    p.add_argument("--rules", help="rule set name or file (default: national-2019)")

    p = add("report", cmd_report, "write the weekly or monthly problem list")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--period", choices=["week", "month"], default="week")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--format", default="html,md",
                   help="comma-separated formats: html, md, xlsx, docx, chat, png (default: html,md)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    p.add_argument("--rules")
    p.add_argument("--option", action="append", metavar="FORMAT.NAME=VALUE",
                   help="a renderer option, e.g. docx.doc_number=清政务办〔2026〕12号 or docx.letterhead=红头.docx")

    p = add("run", cmd_run, "crawl, then write the period's problem list")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--period", choices=["week", "month"], default="week")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--crawl-date", type=_date)
    p.add_argument("--format", default="html,md")
    p.add_argument("--out", default=DEFAULT_OUT)
    p.add_argument("--rules")

    p = add("demo", cmd_demo, "serve the bundled demo county on loopback and run the whole job on it")
    p.add_argument("--today", type=_date, help="the demo county's 'today' (default: today)")
    p.add_argument("--out", default="out/demo")

    p = add("probe", cmd_probe, "check once that each unit's disclosure page loads (run it ≥ 20 times a day)")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--timeout", type=float, default=15.0, help="seconds a page may take (default: 15, as the 2019 indicators)")

    p = add("waive", cmd_waive, "exempt a unit, one of its columns or one rule from the notices until a date")
    p.add_argument("--db", default=DEFAULT_DB)
    p.add_argument("--unit", required=True, help="unit name as in sites.yaml")
    p.add_argument("--rule", help="rule id, e.g. column_stale (default: every rule)")
    p.add_argument("--column", help="column name as shown on the site (default: every column)")
    p.add_argument("--reason", required=True, help="why, shown in the ledger")
    p.add_argument("--until", type=_date, required=True, help="last day the waiver holds (YYYY-MM-DD)")

    p = add("notify", cmd_notify, "send the period's notice to the configured groups (only parts not yet confirmed)")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--period", choices=["week", "month"], default="week")
    p.add_argument("--as-of", type=_date)
    p.add_argument("--dry-run", action="store_true", help="print exactly what would be sent; send nothing")
    p.add_argument("--out", default=DEFAULT_OUT, help="where the attached files are written")

    p = add("schedule", cmd_schedule, "run probes, crawls, reports and notices on the config's schedule")
    p.add_argument("--config", required=True)
    p.add_argument("--db")
    p.add_argument("--out", default=DEFAULT_OUT)

    p = add("crontab", cmd_crontab, "print crontab lines (or a systemd unit) equivalent to the schedule")
    p.add_argument("--config", required=True)
    p.add_argument("--systemd", action="store_true", help="print a systemd service unit instead")

    p = add("status", cmd_status, "show the scheduler, the next jobs, the last runs and deliveries")
    p.add_argument("--config", required=True)
    p.add_argument("--db")

    p = add("rules", cmd_rules, "check a rule file, or explain the rules")
    rsub = p.add_subparsers(dest="rules_cmd", required=True, metavar="ACTION")
    c = rsub.add_parser("check", help="validate a rule file")
    c.add_argument("file")
    e = rsub.add_parser("explain", help="list every rule with its threshold and source")
    e.add_argument("--rules")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ConfigError, RuleSetError, UsageError) as exc:
        print(f"govfresh: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 — one clear line, not a traceback, for office staff
        from crawler.run import CrawlError
        if isinstance(exc, CrawlError):
            print(f"govfresh: {exc}", file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
