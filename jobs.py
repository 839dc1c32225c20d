"""The jobs govfresh does, as plain functions: the CLI and the scheduler both call these.

    crawl(config_path, db)                      → run id
    probe(config, db)                           → probe results
    judged(db, as_of, period, config)           → the export dict (facts + findings + ledger)
    write_reports(export, period, as_of, …)     → files
    notify(config, db, period, as_of)           → delivery report
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from config import Config

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


def judged(db: str | Path, as_of: date, period: str = "week", config: Config | None = None,
           rules: str | None = None) -> dict[str, Any]:
    """The export for as_of: the newest finished crawl judged, the ledger brought up to date."""
    from export import build_export
    from reports.periods import period_range
    from rules import load_ruleset
    from store import Store

    start, _ = period_range(period, as_of)
    waivers = [w.model_dump() for w in config.waivers] if config else []
    ruleset = load_ruleset(rules or (config.ruleset if config else "national-2019"))
    with Store(db) as store:
        return build_export(store, as_of, ruleset, period_start=start, waivers=waivers,
                            rectification_days=config.rectification_days if config else 10)


def write_reports(export: dict, period: str, as_of: date, formats: list[str] | tuple[str, ...],
                  out: str | Path, options: dict[str, dict[str, Any]] | None = None,
                  db: str | Path | None = None, config: Config | None = None) -> list[Path]:
    """Build the period's view model once and render it in every format asked for.

    `options` go to the renderers, e.g. {"docx": {"doc_number": "清政务办〔2026〕12号"}}.
    With the database, the HTML becomes a small site: the period page with the
    comparison and trend from the ledger, index.html of all periods, a page per unit.
    """
    from reports import render
    from reports.model import build_period

    if db is not None:
        from reports.site import write_site
        return write_site(db, period, as_of, out, export=export, config=config, formats=formats, options=options)

    model = build_period(export, period, as_of)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return render(model, list(formats), out, options)


def summarise(export: dict) -> str:
    """A few lines for the terminal: how many units, how many problems of which kind."""
    units = export["units"]
    open_findings = [f for u in units for f in u["findings"] if f.get("state") not in ("rectified", "waived")]
    with_problems = {u["name"] for u in units for f in u["findings"] if f.get("state") not in ("rectified", "waived")}
    by_rule: dict[str, int] = {}
    for f in open_findings:
        by_rule[f["rule"]] = by_rule.get(f["rule"], 0) + 1
    failed = sum(1 for u in units if u.get("verdict") == "不合格")
    lines = [f"{export.get('county') or ''} {export['as_of']}: {len(units)} 个单位，{len(with_problems)} 个存在问题，"
             f"共 {len(open_findings)} 个问题，{failed} 个单位不合格"]
    lines += [f"  {rule}: {n}" for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines)


def notice_for(export: dict, period: str, as_of: date, out: str | Path | None = None):
    """The chat notice of a period: text parts, markdown parts, the table picture, the Excel list."""
    from reports import MissingFontError, render_bytes
    from delivery import Notice
    from reports.model import build_period
    from reports.renderers.chat import chat_parts

    model = build_period(export, period, as_of)
    try:
        png = render_bytes(model, "png")
    except MissingFontError:  # no CJK font here: the text still goes out, without the picture
        png = None
    files = []
    if out is not None:
        files = [p for p in write_reports(export, period, as_of, ["xlsx"], out)]
    return Notice(id=f"{model.file_stem}", parts=chat_parts(model), title=model.title,
                  markdown_parts=chat_parts(model, 4096, "markdown"), png=png, files=files)


def notify(config: Config, db: str | Path, period: str, as_of: date, *, dry_run: bool = False,
           out: str | Path | None = None):
    """Send the period's notice to every configured target; parts already confirmed are skipped."""
    from delivery import deliver, parse_targets
    from store import Store

    targets = parse_targets(config.notify)
    export = judged(db, as_of, period, config)
    notice = notice_for(export, period, as_of, out)
    with Store(db) as store:
        return deliver(notice, targets, store, dry_run=dry_run)
