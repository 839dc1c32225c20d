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
    """--db, else the config's `db:` (relative to the config file), else ./govfresh.db."""
    if getattr(args, "db", None):
        return args.db
    if config is not None and config.db:
        path = Path(config.db)
        if not path.is_absolute() and getattr(args, "config", None):
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
    print(f"crawl {run_id} finished: {counts['units']} units ({counts['unreachable']} unreachable), "
          f"{counts['columns']} columns, {counts['links']} links checked → {db}")
    return 0


def _export(db: str, as_of: date, rules: str | None, period: str = "week", config: Config | None = None) -> dict:
    from export import build_export
    from reports.periods import period_range
    from rules import load_ruleset
    from store import Store

    start, _ = period_range(period, as_of)
    waivers = [w.model_dump() for w in config.waivers] if config else []
    with Store(db) as store:
        return build_export(store, as_of, load_ruleset(rules or (config.ruleset if config else "national-2019")),
                            period_start=start, waivers=waivers,
                            rectification_days=config.rectification_days if config else 10)


def cmd_export(args: argparse.Namespace) -> int:
    data = _export(_existing_db(args.db), _as_of(args), args.rules)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def write_report(export_data: dict, period: str, as_of: date, formats: list[str], out: Path) -> list[Path]:
    """Build the period's view model once and render it in every format asked for."""
    from reports import render
    from reports.model import build_period

    model = build_period(export_data, period, as_of)
    out.mkdir(parents=True, exist_ok=True)
    return render(model, formats, out)


def _formats(text: str) -> list[str]:
    return [f.strip() for f in text.split(",") if f.strip()]


def cmd_report(args: argparse.Namespace) -> int:
    as_of = _as_of(args)
    data = _export(_existing_db(args.db), as_of, args.rules, args.period)
    if data["run"] is None:
        raise UsageError(f"{args.db}: no finished crawl on or before {as_of}")
    for path in write_report(data, args.period, as_of, _formats(args.format), Path(args.out)):
        print(path)
    return 0


def summarise(data: dict) -> str:
    units = data["units"]
    with_problems = [u for u in units if u["findings"]]
    findings = [f for u in units for f in u["findings"]]
    by_rule: dict[str, int] = {}
    for f in findings:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    lines = [f"{data.get('county') or ''} {data['as_of']}: {len(units)} 个单位，"
             f"{len(with_problems)} 个存在问题，共 {len(findings)} 个问题"]
    lines += [f"  {rule}: {n}" for rule, n in sorted(by_rule.items(), key=lambda kv: -kv[1])]
    return "\n".join(lines)


def cmd_run(args: argparse.Namespace) -> int:
    from crawler.run import crawl

    config = load_config(args.config)
    db = db_path(args, config)
    crawl(args.config, db, args.crawl_date)
    as_of = args.as_of or args.crawl_date or _as_of(args, config.timezone)
    data = _export(db, as_of, args.rules, args.period, config)
    print(summarise(data))
    for path in write_report(data, args.period, as_of, _formats(args.format), Path(args.out)):
        print(path)
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
    data = _export(str(db), today, None)
    print(summarise(data))
    missed, false = compare(data, planted)
    print(f"模拟县预设问题 {len(planted)} 个：发现 {len(planted) - len(missed)} 个，漏报 {len(missed)} 个，"
          f"误报 {len(false)} 个")
    paths = write_report(data, "week", today, ["html", "md"], out)
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
    p.add_argument("--format", default="html,md", help="comma-separated formats (default: html,md)")
    p.add_argument("--out", default=DEFAULT_OUT, help=f"output folder (default: {DEFAULT_OUT})")
    p.add_argument("--rules")

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
