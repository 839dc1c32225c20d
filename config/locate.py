"""Where sites.yaml and the database are, the same way for every command.

    config:   --config, else $GOVFRESH_CONFIG, else ./sites.yaml
    database: --db, else $GOVFRESH_DB, else the config's `db:` (relative to the config's folder),
              else govfresh.db beside sites.yaml

Never ./govfresh.db regardless of the config: cron starts in $HOME, a clerk in the office
folder, and both must reach the same history.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Mapping

from .errors import ConfigError

CONFIG_ENV = "GOVFRESH_CONFIG"
DB_ENV = "GOVFRESH_DB"
CONFIG_NAME = "sites.yaml"
DB_NAME = "govfresh.db"


def find_config(given: str | Path | None, *, required: bool = True, env: Mapping[str, str] | None = None,
                cwd: str | Path | None = None) -> Path | None:
    """The config file to read, or None when none was named, none is here and none is required."""
    env = os.environ if env is None else env
    for path, source in ((given, "--config"), (env.get(CONFIG_ENV), f"${CONFIG_ENV}")):
        if path:
            path = Path(path)
            if not path.is_file():
                raise ConfigError(f"{path}: no such file (named by {source})")
            return path
    here = Path(cwd or os.getcwd()) / CONFIG_NAME
    if here.is_file():
        return here
    if required:
        raise ConfigError(f"no {CONFIG_NAME} in {here.parent}: pass --config FILE or set {CONFIG_ENV}")
    return None


def find_db(given: str | Path | None, config_path: str | Path | None, config_db: str | None = None, *,
            env: Mapping[str, str] | None = None) -> Path:
    """The database path (which may not exist yet: only a crawl creates one)."""
    env = os.environ if env is None else env
    if given:
        return Path(given)
    if env.get(DB_ENV):
        return Path(env[DB_ENV])
    if config_path is None:
        raise ConfigError(f"which database? pass --db FILE, set {DB_ENV}, or run where {CONFIG_NAME} is"
                          f" (or name it with --config / {CONFIG_ENV})")
    path = Path(os.path.expanduser(config_db or DB_NAME))
    return path if path.is_absolute() else Path(config_path).resolve().parent / path
