"""The `govfresh` command: a thin layer over jobs.py, one subcommand per job.

Every command finds sites.yaml and the database the same way (config/locate.py):
--config, $GOVFRESH_CONFIG or ./sites.yaml; --db, $GOVFRESH_DB, the config's `db:`
or govfresh.db beside sites.yaml.

Exit codes: 0 done (sites being down is a finding, not a failure), 1 the job
itself failed, 2 bad input (config, rule file, arguments, names), 3 another
scheduler has the database, 141 the reader closed the pipe (`| head`).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from config import Config, ConfigError, load_config
from config.locate import CONFIG_ENV, DB_ENV, find_config, find_db
import jobs
from rules.ruleset import RuleSetError
from store import NoDatabase

DEFAULT_OUT = "reports-out"
DEFAULT_ENV_FILE = "/etc/govfresh.env"


class UsageError(Exception):
    """Bad arguments: exit 2."""


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _config(args: argparse.Namespace, required: bool = True) -> tuple[Config | None, Path | None]:
    """The config the command runs with (None when none is here and the command can do without)."""
    path = find_config(getattr(args, "config", None), required=required)
    return (load_config(path), path) if path else (None, None)


def _db(args: argparse.Namespace, config: Config | None, config_path: Path | None) -> Path:
    return find_db(getattr(args, "db", None), config_path, config.db if config else None)


def _as_of(args: argparse.Namespace, config: Config | None) -> date:
    from crawler.run import today_in
    return args.as_of or today_in(config.timezone if config else "Asia/Shanghai")


def _formats(text: str) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()]


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


def print_paths(paths: list[Path]) -> None:
    """The files a person opens; the per-unit pages are counted, not listed."""
    unit_pages = [p for p in paths if p.parent.name == "units"]
    for path in paths:
        if path not in unit_pages:
            print(path)
    if unit_pages:
        print(f"{unit_pages[0].parent}/ ({len(unit_pages)} 个单位页面)")


def _print_result(result: jobs.RunResult) -> int:
    if jobs.stale_warning(result.report):
        print(jobs.stale_warning(result.report), file=sys.stderr)
    print_paths(result.paths)
    if result.delivery is not None:
        print(result.delivery.summary())
        return 0 if result.delivery.ok else 1
    return 0


# ---- commands ---------------------------------------------------------------------

def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import crawl_here

    config, path = _config(args)
    db = _db(args, config, path)
    run_id = crawl_here(config, db, args.crawl_date, redis_url=args.redis)
    print(jobs.crawl_summary(db, run_id))
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from crawler.distributed.redis_url import RedisUnavailable
    from crawler.distributed.worker import serve

    config, path = _config(args)
    redis_url = args.redis or config.crawl.redis
    if not redis_url:
        raise UsageError(f"{path}: no crawl.redis (and no --redis): a worker needs the crawl's Redis")
    try:
        serve(redis_url, config.county, once=args.once)
    except RedisUnavailable as exc:
        print(f"govfresh: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    config, path = _config(args, required=False)
    db = _db(args, config, path)
    judgement = jobs.judge(db, _as_of(args, config), config, rules=args.rules)
    if not judgement.runs and not judgement.unfinished:   # a failed crawl is worth showing: it says why
        raise UsageError(f"{db}: no crawl on or before {judgement.as_of}")
    json.dump(jobs.export(judgement), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    config, path = _config(args, required=args.notify)
    if args.notify and not config.notify:   # as the scheduler's job: report, and say there is no one to tell
        print(f"{path}：未配置发送对象（notify:），问题清单已生成，未发送", file=sys.stderr)
    try:
        result = jobs.report_job(config, _db(args, config, path), args.period, _as_of(args, config),
                                 _formats(args.format), Path(args.out), args.rules,
                                 notify_targets=args.notify, options=_options(args.option))
    except ValueError as exc:  # an unknown format or renderer option, named in the message
        raise UsageError(str(exc)) from None
    return _print_result(result)


def cmd_run(args: argparse.Namespace) -> int:
    from crawler.run import crawl

    config, path = _config(args)
    db = _db(args, config, path)
    if config.notify:
        config.notify_targets()   # a missing secret is found now, not after an hour of crawling
    crawl(path, db, args.crawl_date)
    as_of = args.as_of or args.crawl_date or _as_of(args, config)
    result = jobs.report_job(config, db, args.period, as_of, _formats(args.format), Path(args.out), args.rules)
    print(jobs.summarise(result.report))
    return _print_result(result)


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.run import today_in

    html, paths = jobs.demo(args.today or today_in("Asia/Shanghai"), args.out)
    print_paths(paths)
    print(f"周问题清单：{html}")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    from crawler.probe import probe_all

    config, path = _config(args)
    results = probe_all(config, str(_db(args, config, path)), timeout=args.timeout)
    failed = [r for r in results if not r.ok]
    print(f"监测 {len(results)} 个单位：{len(results) - len(failed)} 个可以访问，{len(failed)} 个无法访问")
    for r in failed:
        print(f"  {r.unit}：{r.error or r.http_status}")
    return 0


def cmd_waive(args: argparse.Namespace) -> int:
    config, path = _config(args, required=False)
    waiver_id = jobs.waive(_db(args, config, path), args.unit, reason=args.reason, until=args.until,
                           rule=args.rule, column=args.column, config=config, rules=args.rules)
    what = " / ".join(x for x in (args.unit, args.column, args.rule) if x)
    print(f"豁免 #{waiver_id}：{what}，至 {args.until} — {args.reason}")
    return 0


def cmd_notify(args: argparse.Namespace) -> int:
    config, path = _config(args)
    if not config.notify:
        raise UsageError(f"{path}: no `notify:` targets configured")
    db = _db(args, config, path)
    judgement = jobs.judge(db, _as_of(args, config), config)
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

    config, path = _config(args)
    db = _db(args, config, path)
    if config.notify:
        config.notify_targets()   # the weekly job would fail on a missing secret: say so at start
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    try:
        run_forever(parse_schedule(config.schedule), jobs.scheduled_jobs(str(path), config, str(db), args.out),
                    timezone=config.timezone, db_path=db)
    except SchedulerLocked as exc:
        print(f"govfresh: {exc}", file=sys.stderr)
        return exc.exit_code
    return 0


def cmd_crontab(args: argparse.Namespace) -> int:
    import shutil

    from config import parse_schedule
    from service import crontab_lines, systemd_unit

    config, path = _config(args)
    beside_python = Path(sys.executable).parent / "govfresh"  # the venv's own, even when not activated
    govfresh_bin = str(beside_python) if beside_python.exists() else (shutil.which("govfresh") or "govfresh")
    config_path = str(path.resolve())
    if args.systemd:
        # The unit may write only where the database and the reports live.
        print(systemd_unit(config_path, govfresh_bin, os.getcwd(), data_dir=_db(args, config, path).resolve().parent,
                           out_dir=Path(args.out).resolve()))
    else:
        # A database named outside the config (--db, $GOVFRESH_DB) goes into the lines:
        # cron's environment does not have it.
        named = args.db or os.environ.get(DB_ENV)
        db = str(_db(args, config, path).resolve()) if named else None
        print("\n".join(crontab_lines(config_path, parse_schedule(config.schedule), govfresh_bin,
                                      timezone=config.timezone, env_file=args.env_file, db=db,
                                      out=str(Path(args.out).resolve()))))
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    config, path = _config(args)
    print("\n".join(jobs.status_lines(config, _db(args, config, path))))
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from rules import load_ruleset

    if args.rules_cmd == "check":
        try:
            rs = load_ruleset(args.file)
        except RuleSetError as exc:
            print(f"{args.file}: {len(exc.problems)} 处问题", file=sys.stderr)
            print("\n".join(exc.problems), file=sys.stderr)
            return 2
        print(f"{args.file}：检查通过 — 规则集 {rs.id}，{len(rs.categories)} 个类别，{len(rs.rules)} 条规则")
        return 0
    config = None if args.rules else _config(args, required=False)[0]
    print(jobs.explain_rules(jobs.ruleset_for(config, args.rules)))
    return 0


# ---- parser -----------------------------------------------------------------------

CONFIG_HELP = f"sites.yaml to use (default: ${CONFIG_ENV}, else ./sites.yaml)"
DB_HELP = (f"SQLite database (default: ${DB_ENV}, else the config's `db:`, "
           "else govfresh.db beside sites.yaml)")
RULES_HELP = "rule set name or file (default: the config's `ruleset:`, else national-2019)"
PERIOD_HELP = "week: the weekly list (default); month: the monthly list"
AS_OF_HELP = "judge as of this date, YYYY-MM-DD (default: today in the config's time zone)"
FORMAT_HELP = "comma-separated formats: html, md, xlsx, docx, chat, png (default: html,md)"
OUT_HELP = f"folder the files are written to (default: {DEFAULT_OUT})"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("govfresh")
    except PackageNotFoundError:   # run from a source tree that was never installed
        return "unknown"


class _TopParser(argparse.ArgumentParser):
    """`govfresh --help` ends with every plug-in kind, listed from the registries when asked."""

    def format_help(self) -> str:
        return super().format_help() + "\nplug-in kinds (plugins.py):" + jobs.plugin_help() + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = _TopParser(prog="govfresh", description="政府信息公开栏目检查：抓取、判定、报告、推送")
    parser.add_argument("--version", action="version", version=f"govfresh {_version()}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, func, help: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    def locate(p: argparse.ArgumentParser, db: bool = True) -> None:
        p.add_argument("--config", help=CONFIG_HELP)
        if db:
            p.add_argument("--db", help=DB_HELP)

    p = add("crawl", cmd_crawl, "crawl every unit in sites.yaml and store what was seen")
    locate(p)
    p.add_argument("--crawl-date", type=_date, help="date the crawl counts as (default: today); for replays")
    p.add_argument("--redis", metavar="URL", help="crawl on `govfresh worker` processes sharing this Redis "
                   "(default: the config's crawl.redis); this process writes the store")

    p = add("worker", cmd_worker, "answer the requests of distributed crawls (crawl.redis), on any machine")
    locate(p, db=False)
    p.add_argument("--redis", metavar="URL", help="the crawl's Redis (default: the config's crawl.redis)")
    p.add_argument("--once", action="store_true", help="work on one crawl, then exit (default: serve every crawl)")

    p = add("export", cmd_export, "print one date's facts and findings as JSON")
    locate(p)
    p.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    p.add_argument("--rules", help=RULES_HELP)

    p = add("report", cmd_report, "write the weekly or monthly problem list")
    locate(p)
    p.add_argument("--period", choices=["week", "month"], default="week", help=PERIOD_HELP)
    p.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    p.add_argument("--format", default="html,md", help=FORMAT_HELP)
    p.add_argument("--out", default=DEFAULT_OUT, help=OUT_HELP)
    p.add_argument("--rules", help=RULES_HELP)
    p.add_argument("--option", action="append", metavar="FORMAT.NAME=VALUE",
                   help="a renderer option, e.g. docx.doc_number=清政务办〔2026〕12号 or docx.letterhead=红头.docx")
    p.add_argument("--notify", action="store_true",
                   help="also send the list to the config's `notify:` groups (what the scheduler's weekly "
                        "and monthly jobs do)")

    p = add("run", cmd_run, "crawl, then write the period's problem list (and notify, when configured)")
    locate(p)
    p.add_argument("--period", choices=["week", "month"], default="week", help=PERIOD_HELP)
    p.add_argument("--as-of", type=_date, help="judge as of this date (default: the crawl date)")
    p.add_argument("--crawl-date", type=_date, help="date the crawl counts as (default: today); for replays")
    p.add_argument("--format", default="html,md", help=FORMAT_HELP)
    p.add_argument("--out", default=DEFAULT_OUT, help=OUT_HELP)
    p.add_argument("--rules", help=RULES_HELP)

    p = add("demo", cmd_demo, "serve the bundled demo county on loopback and run the whole job on it")
    p.add_argument("--today", type=_date, help="the demo county's 'today' (default: today)")
    p.add_argument("--out", default="out/demo", help="folder for the demo's database and reports (default: out/demo)")

    p = add("probe", cmd_probe, "check once that each unit's disclosure page loads (run it ≥ 20 times a day)")
    locate(p)
    p.add_argument("--timeout", type=float, default=15.0,
                   help="seconds a page may take (default: 15, as the 2019 indicators)")

    p = add("waive", cmd_waive, "exempt a unit, one of its columns or one rule from the notices until a date")
    locate(p)
    p.add_argument("--unit", required=True, help="unit name as crawled (as in sites.yaml)")
    p.add_argument("--rule", help="rule id of the rule set, e.g. column_stale (default: every rule)")
    p.add_argument("--column", help="column name as crawled from the site (default: every column)")
    p.add_argument("--reason", required=True, help="why, shown in the ledger")
    p.add_argument("--until", type=_date, required=True, help="last day the waiver holds (YYYY-MM-DD)")
    p.add_argument("--rules", help=RULES_HELP)

    p = add("notify", cmd_notify, "send the period's notice to the configured groups (only parts not yet confirmed)")
    locate(p)
    p.add_argument("--period", choices=["week", "month"], default="week", help=PERIOD_HELP)
    p.add_argument("--as-of", type=_date, help=AS_OF_HELP)
    p.add_argument("--dry-run", action="store_true",
                   help="print exactly what would be sent, attachments by name; send and write nothing")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"where the attached files are written (default: {DEFAULT_OUT})")

    p = add("schedule", cmd_schedule, "run probes, crawls, reports and notices on the config's schedule")
    locate(p)
    p.add_argument("--out", default=DEFAULT_OUT, help=OUT_HELP)

    p = add("crontab", cmd_crontab, "print crontab lines (or a systemd unit) that do what the scheduler does")
    locate(p)
    p.add_argument("--systemd", action="store_true", help="print a systemd service unit instead")
    p.add_argument("--env-file", default=DEFAULT_ENV_FILE,
                   help=f"KEY=value file each cron line loads the ${{VAR}} secrets from (default: {DEFAULT_ENV_FILE})")
    p.add_argument("--out", default=DEFAULT_OUT, help=OUT_HELP + "; written into the lines as an absolute path")

    p = add("status", cmd_status, "show the scheduler, the next jobs, the last runs and deliveries")
    locate(p)

    p = add("rules", cmd_rules, "check a rule file, or explain the rules")
    rsub = p.add_subparsers(dest="rules_cmd", required=True, metavar="ACTION")
    c = rsub.add_parser("check", help="validate a rule file and list every problem in it")
    c.add_argument("file", help="the rule file (YAML), e.g. my-province.yaml")
    e = rsub.add_parser("explain", help="explain the scoring and every rule, with thresholds and sources")
    e.add_argument("--rules", help=RULES_HELP)
    e.add_argument("--config", help=CONFIG_HELP + "; its `ruleset:` is explained")
    return parser


def _quiet_broken_pipe() -> int:
    """The reader went away (`govfresh … | head`): stop without a traceback."""
    # Python flushes stdout again at exit; point it at /dev/null so that flush cannot fail.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 141


def main(argv: list[str] | None = None) -> int:
    # The database, locks and reports hold what units got wrong and how to reach the
    # office: readable by the account that runs govfresh only (0600 files, 0700 folders),
    # whatever the login's umask. Children (the crawl) inherit it.
    os.umask(os.umask(0o077) | 0o077)
    try:
        args = build_parser().parse_args(argv)
        return args.func(args)
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except (ConfigError, RuleSetError, UsageError, jobs.InputError, NoDatabase) as exc:
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
