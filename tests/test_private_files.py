"""What govfresh writes is private by default: the database, its locks and journals, the reports.

They hold what units got wrong, the office's contacts and (in the delivery log) what was
posted where. Run as a user runs it, with the common umask 022, every file is 0600 and
every folder it makes 0700.
"""
import os
import stat
import subprocess
import sys

from mockserver import MockServer, html


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_database_journal_and_reports_are_private(tmp_path):
    routes = {"/p/xxgk/": html('<html><body><ul class="nav"><li><a href="/p/gzdt/">工作动态</a></li></ul></body></html>'),
              "/p/gzdt/": html('<ul class="list"><li><a href="/p/a/1.html">全县教育工作会议召开</a>'
                               '<span>2026-11-25</span></li></ul>')}
    with MockServer(routes) as server:
        sites = tmp_path / "sites.yaml"
        sites.write_text(f"county: 测试县\nunits:\n  - name: 私密局\n    url: {server.url}/p/xxgk/\n", encoding="utf-8")
        db = tmp_path / "p.db"
        common = dict(capture_output=True, text=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
        crawl = subprocess.run([sys.executable, "-m", "cli", "crawl", "--config", str(sites), "--db", str(db),
                                "--crawl-date", "2026-11-27"], **common)
        assert crawl.returncode == 0, crawl.stderr
    out = tmp_path / "reports"
    report = subprocess.run([sys.executable, "-m", "cli", "report", "--db", str(db), "--period", "week",
                             "--as-of", "2026-11-27", "--format", "html,md,xlsx", "--out", str(out)], **common)
    assert report.returncode == 0, report.stderr
    files = [db, *[p for p in tmp_path.glob("p.db*") if p.is_file()], *[p for p in out.rglob("*") if p.is_file()]]
    assert len(files) > 4
    assert {str(p): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(d): oct(mode(d)) for d in [out, *[p for p in out.rglob("*") if p.is_dir()]] if mode(d) != 0o700} == {}
