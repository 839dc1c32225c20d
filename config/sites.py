"""Load and validate sites.yaml: the list of units an office watches.

Every error names the file, the unit (by its name when it has one) and the key,
so an office clerk can find the line to fix.
"""
from __future__ import annotations

import difflib
import os
import re
from datetime import date
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from .errors import ConfigError
from .schedule import parse_schedule
from .targets import parse_targets


class _Strict(BaseModel):
    # A misspelt key is an error, never silently ignored.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _http_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"must be an http:// or https:// address, got {value!r}")
    return value.strip()


def _redis_url(value: str) -> str:
    if urlsplit(value.strip()).scheme not in ("redis", "rediss", "unix"):
        raise ValueError("must be a redis://, rediss:// or unix:// address")   # never echo it: it may hold a password
    return value.strip()


class ColumnOverride(_Strict):
    """A column the office names by hand when discovery cannot find it."""
    name: str = Field(min_length=1)
    url: str

    _check_url = field_validator("url")(lambda cls, v: _http_url(v))


class Unit(_Strict):
    """One department, town or the county government."""
    name: str = Field(min_length=1)
    kind: Literal["department", "town", "government"] = "department"
    url: str
    columns: list[ColumnOverride] = []
    # Other addresses of the unit's own site (its site cluster, another port): the
    # crawler never leaves the configured URL's scheme + host + port otherwise.
    hosts: list[str] = []
    group: str | None = None

    _check_url = field_validator("url")(lambda cls, v: _http_url(v))
    _check_hosts = field_validator("hosts")(lambda cls, v: [_http_url(h) for h in v])

    @property
    def host(self) -> str:
        return urlsplit(self.url).hostname or ""


class Waiver(_Strict):
    """An exception the office grants: the finding stays in the ledger but leaves the notices.

    It holds from `from` (when given; else for every date up to `until`, a standing
    exemption) to `until`. A waiver granted during the year is best recorded with
    `govfresh waive`, which dates it, so last week's list stays as it was sent.
    """
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    unit: str = Field(min_length=1)
    rule: str | None = None
    column: str | None = None
    reason: str = Field(min_length=1)
    from_: date | None = Field(None, alias="from", description="first day the waiver holds")
    until: date


class CrawlSettings(_Strict):
    """Per-office crawl knobs; the defaults suit a county of a few dozen sites."""
    timeout: float = Field(30, gt=0, le=300, description="seconds before a page counts as not loading")
    concurrency: int = Field(16, ge=1, le=256, description="requests in flight over all hosts")
    concurrency_per_host: int = Field(2, ge=1, le=16)
    delay: float = Field(0.0, ge=0, description="seconds between requests to one host")
    max_column_depth: int = Field(2, ge=1, le=4, description="levels of sub-columns to follow")
    max_links_checked: int = Field(200, ge=0, description="links per disclosure page checked for dead links")
    obey_robots_txt: bool = False
    count_all_pages: bool = Field(False, description="follow each column's pager (TRS createPageHTML, Hanweb "
                                  "nextgroup/dataproxy, ?page=N) so 条数 is the column's total, not its first page's")
    max_pages_per_column: int = Field(20, ge=1, le=500, description="with count_all_pages: list pages read per "
                                      "column at most (the first included)")
    browser: bool = Field(True, description="render in Debian's Chromium the pages the static path cannot read "
                          "(lists filled by script that no data call reads, anti-bot challenges); false: never")
    browser_path: str | None = Field(None, description="the Chromium to drive (default /usr/bin/chromium); "
                                     "nothing is ever downloaded")
    browser_pages: int = Field(2, ge=1, le=8, description="pages rendered at once at most")
    browser_timeout: float = Field(30, gt=0, le=300, description="seconds a page may take to render, "
                                   "a challenge's reload included")
    browser_memory_mb: int = Field(512, ge=64, le=8192, description="JavaScript heap of one rendered page at most")
    reference_url: str | None = Field(
        None, description="an address the office can always reach (the county portal, a public site): when most "
                          "units fail alike, it tells an outage of the office's own network from one of the units")
    outage_share: float = Field(0.8, gt=0, le=1, description="share of units failing alike that makes a crawl suspect")
    outage_min_units: int = Field(5, ge=1, description="fewer units than this are never taken for an outage")
    processes: int = Field(1, ge=1, le=64, description="crawl processes on this machine, the units shared out by "
                           "host (a host's units in one process); more use more cores (up to one per host)")
    redis: str | None = Field(
        None, description="redis://[:password@]host:port/db — crawl on `govfresh worker` processes that share this "
                          "Redis (the queue, the columns taken); unset: one process crawls")
    redis_lease: float = Field(15.0, ge=1, le=600, description="seconds a silent worker keeps its requests before "
                               "they go back to the queue for the others")

    max_duration: float = Field(2 * 3600, gt=0, description="seconds; a longer crawl ends with what it has, "
                                                               "units not reached are recorded as not checked")
    page_cpu_budget: float = Field(2.0, gt=0, le=60, description="CPU seconds for each parse of a page; a page "
                                                                 "needing more is recorded unverifiable")

    _check_reference = field_validator("reference_url")(lambda cls, v: v if v is None else _http_url(v))
    _check_redis = field_validator("redis")(lambda cls, v: v if v is None else _redis_url(v))


class Config(_Strict):
    """The whole sites.yaml."""
    county: str = Field(min_length=1)
    units: list[Unit] = Field(min_length=1)
    ruleset: str = "national-2019"
    db: str | None = None
    timezone: str = "Asia/Shanghai"
    crawl: CrawlSettings = CrawlSettings()
    rectification_days: int = Field(10, ge=1, le=90, description="working days a unit has to fix a finding")
    recurrence_days: int = Field(28, ge=0, le=366, description="a problem back within this many days of being "
                                 "rectified reopens its entry (复发) with its first deadline")
    waivers: list[Waiver] = []
    notify: list[dict[str, Any]] = []
    schedule: dict[str, Any] = {}

    # The file it was read from, for messages about it (`notify_targets`, the waivers' rule ids).
    _source: str = PrivateAttr("sites.yaml")

    @property
    def source(self) -> str:
        return self._source

    def notify_targets(self) -> list[Any]:
        """The notify targets with their ${VAR} secrets read from the environment now.

        Only sending needs the secrets, so only sending asks for them: `status`,
        `report` or `crontab` work on a machine where ONEBOT_TOKEN is not set.
        """
        where = f"{self._source}: notify"
        return parse_targets(_expand_env(self.notify, where), source=where)

    def unit(self, name: str) -> Unit:
        return next(u for u in self.units if u.name == name)


_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _expand_env(value: Any, where: str, *, keep_unset: bool = False) -> Any:
    """Replace ${VAR} with the environment's value, so secrets stay out of the file.

    An unset variable is an error naming it and its key, or with `keep_unset` stays
    as written (to check the shape of a notify target whose secret is not needed yet).
    """
    if isinstance(value, str):
        def sub(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in os.environ:
                return os.environ[name]
            if keep_unset:
                return match.group(0)
            raise ConfigError(f"{where}: environment variable {name} is not set"
                              " (export it, or put it in the environment file the scheduler reads)")
        return _ENV_REF.sub(sub, value)
    if isinstance(value, dict):
        return {k: _expand_env(v, f"{where}.{k}", keep_unset=keep_unset) for k, v in value.items()}
    if isinstance(value, list):
        return [_expand_env(v, f"{where}[{i}]", keep_unset=keep_unset) for i, v in enumerate(value)]
    return value


def _describe(loc: tuple, raw: dict) -> str:
    """('units', 3, 'url') → 'units[3] (清河县教育局): url'."""
    out: list[str] = []
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            out[-1] += f"[{part}]"
            try:
                node = node[part]
            except (IndexError, KeyError, TypeError):
                node = None
            if isinstance(node, dict) and node.get("name"):
                out[-1] += f" ({node['name']})"
        else:
            out.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(out) if out else "(top level)"


def _cross_checks(config: Config, raw: dict) -> list[str]:
    """What one key cannot tell alone: unit names are unique, waivers name a unit."""
    problems: list[str] = []
    first: dict[str, int] = {}
    for i, unit in enumerate(config.units):
        if unit.name in first:
            problems.append(f"{_describe(('units', i, 'name'), raw)}: {unit.name!r} is already the name of "
                            f"units[{first[unit.name]}]; names identify units in reports")
        first.setdefault(unit.name, i)
    for i, waiver in enumerate(config.waivers):
        if waiver.unit not in first:
            close = difflib.get_close_matches(waiver.unit, list(first), n=1, cutoff=0.5)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(f"{_describe(('waivers', i, 'unit'), raw)}: {waiver.unit!r} is not one of the units{hint}")
    return problems


def parse_config(raw: Any, source: str = "sites.yaml") -> Config:
    """Validate an already-loaded mapping."""
    if raw is None:
        raise ConfigError(f"{source}: the file is empty; it needs at least `county:` and `units:`"
                          " (see the README's example)")
    if not isinstance(raw, dict):
        kind = {list: "a list", str: "a line of text"}.get(type(raw), type(raw).__name__)
        raise ConfigError(f"{source}: expected a mapping with `county:` and `units:` at the top level, found {kind}")
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown key (misspelt?)"
            lines.append(f"{source}: {_describe(tuple(err['loc']), raw)}: {msg}")
        raise ConfigError("\n".join(lines)) from None
    problems = _cross_checks(config, raw)
    if problems:
        raise ConfigError("\n".join(f"{source}: {p}" for p in problems))
    config._source = source
    return config


def load_config(path: str | Path) -> Config:
    """Read, expand ${VAR} references and validate sites.yaml."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    try:
        # libyaml's loader where PyYAML has it: the pure-Python one's node graph leaves a third
        # more of the process's memory behind (3,572 units: 17.5 MB against 11.6 MB).
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}:{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if isinstance(raw, dict):
        # Secrets are read when sending (Config.notify_targets): the rest of the file now.
        raw = {k: v if k == "notify" else _expand_env(v, f"{path}: {k}") for k, v in raw.items()}
    config = parse_config(raw, str(path))
    # Delivery targets and the schedule have their own models; check them now, so a
    # typo there is found before a crawl of a hundred sites, not after it.
    parse_targets(_expand_env(config.notify, f"{path}: notify", keep_unset=True), source=f"{path}: notify")
    parse_schedule(config.schedule, source=f"{path}: schedule")
    return config
