"""The schedule as crontab lines and a systemd unit: the same jobs, loading the secrets, confined."""
import subprocess

from config.schedule import ScheduleConfig
from service import crontab_lines, systemd_unit


def test_crontab_lines_load_the_secrets_then_run_the_jobs_commands(tmp_path):
    config = tmp_path / "sites.yaml"
    lines = crontab_lines(config, ScheduleConfig(), "/opt/govfresh/bin/govfresh", env_file="/etc/govfresh.env",
                          out="/srv/reports")
    assert "CRON_TZ=Asia/Shanghai" in lines
    load = "set -a; [ ! -r /etc/govfresh.env ] || . /etc/govfresh.env; set +a;"
    assert lines[-4:] == [
        f"0 * * * * {load} /opt/govfresh/bin/govfresh probe --config {config}",
        f"0 6 * * 1 {load} /opt/govfresh/bin/govfresh crawl --config {config}",
        # the weekly job reports and notifies; it does not crawl again (the crawl is its own job)
        f"30 8 * * 1 {load} /opt/govfresh/bin/govfresh report --config {config} --period week --notify"
        " --out /srv/reports",
        f"30 8 1 * * {load} /opt/govfresh/bin/govfresh report --config {config} --period month --notify"
        " --out /srv/reports",
    ]


def test_crontab_lines_quote_paths_and_note_disabled_jobs():
    lines = crontab_lines("/srv/清河 县/sites%.yaml", ScheduleConfig(probe=None), "govfresh",
                          env_file="/etc/gov fresh%.env", db="/var/lib/g.db")
    assert "# probe: disabled in the schedule" in lines
    assert ("0 6 * * 1 set -a; [ ! -r '/etc/gov fresh\\%.env' ] || . '/etc/gov fresh\\%.env'; set +a;"
            " govfresh crawl --config '/srv/清河 县/sites\\%.yaml' --db /var/lib/g.db") in lines


def test_a_crontab_line_is_a_shell_command_that_loads_the_env_file(tmp_path):
    env_file = tmp_path / "govfresh.env"
    env_file.write_text("ONEBOT_TOKEN=t0ken\n", encoding="utf-8")
    fake = tmp_path / "govfresh"
    fake.write_text('#!/bin/sh\necho "$ONEBOT_TOKEN $*"\n', encoding="utf-8")
    fake.chmod(0o755)
    line = crontab_lines(tmp_path / "sites.yaml", ScheduleConfig(), fake, env_file=env_file)[-1]
    command = line.split(" ", 5)[5].replace("\\%", "%")      # what cron hands to /bin/sh
    done = subprocess.run(["/bin/sh", "-c", command], capture_output=True, text=True, env={"PATH": "/usr/bin:/bin"})
    assert done.stdout.split() == ["t0ken", "report", "--config", str(tmp_path / "sites.yaml"),
                                   "--period", "month", "--notify"]


def test_systemd_unit_runs_the_scheduler_confined(tmp_path):
    unit = systemd_unit("/etc/govfresh/sites.yaml", "/opt/govfresh/bin/govfresh", "/var/lib/govfresh",
                        out_dir="/srv/govfresh/reports")
    # Crawled pages are untrusted: a user of its own, no privileges, a read-only system,
    # a private /tmp, and write access to its data and output folders only.
    for line in ("User=govfresh", "NoNewPrivileges=yes", "ProtectSystem=strict", "PrivateTmp=yes",
                 "ReadWritePaths=/var/lib/govfresh /srv/govfresh/reports", "UMask=0077"):
        assert f"\n{line}\n" in unit, line
    assert "User=root" not in unit
    assert "ExecStart=/opt/govfresh/bin/govfresh schedule --config /etc/govfresh/sites.yaml" in unit
    assert "WorkingDirectory=/var/lib/govfresh" in unit
    assert "RestartPreventExitStatus=3" in unit and "KillSignal=SIGTERM" in unit
    assert "[Install]\nWantedBy=multi-user.target" in unit
