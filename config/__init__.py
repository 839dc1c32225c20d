"""sites.yaml: the units an office watches, how to crawl them, the rule set, where notices go, when.

Every model of the file lives in this package and imports nothing else of
govfresh, so every other part can read the config without cycles:

    config = load_config("sites.yaml")      # ConfigError names the file, unit and key
"""
from .errors import ConfigError
from .schedule import JOB_COMMANDS, JOB_NAMES, ScheduleConfig, ScheduleError, parse_crontab, parse_schedule
from .sites import ColumnOverride, Config, CrawlSettings, Unit, Waiver, load_config, parse_config
from .targets import TARGET_TYPES, Target, TargetConfigError, describe_targets, parse_targets

__all__ = ["ConfigError", "Config", "Unit", "ColumnOverride", "Waiver", "CrawlSettings", "load_config",
           "parse_config", "ScheduleConfig", "ScheduleError", "JOB_NAMES", "JOB_COMMANDS", "parse_crontab", "parse_schedule",
           "Target", "TARGET_TYPES", "TargetConfigError", "parse_targets", "describe_targets"]
