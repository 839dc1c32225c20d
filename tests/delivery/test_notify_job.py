"""`govfresh notify`: the period's notice from the store to a (fake) WeCom group, once."""
import subprocess
import sys
from datetime import date

from config import load_config
from platforms import WECOM_KEY
from jobs import notify
from store import Store

AS_OF = date(2026, 11, 27)


def seed(db):
    with Store(db) as store:
        run = store.start_run("crawl", AS_OF, "清河县")
        for i in range(12):
            name = f"清河县第{i}局"
            uid = store.unit_id(name, "department", f"http://x/{i}/")
            store.record_unit_check(run, uid, fetched_at="2026-11-27T01:00:00+00:00", url=f"http://x/{i}/",
                                    final_url=None, http_status=200, reachable=1, error=None, elapsed_ms=1,
                                    newest_date="2026-11-26")
            store.record_column(run, uid, "工作动态", f"http://x/{i}/gzdt/",
                                {"state": "list", "item_count": 5, "newest_date": "2026-09-01",
                                 "newest_title": "<img src=x onerror=alert(1)>"}, [])
            store.record_column(run, uid, "通知公告", f"http://x/{i}/tzgg/", {"state": "empty", "item_count": 0}, [])
        store.finish_run(run)


def config_file(tmp_path, webhook):
    path = tmp_path / "sites.yaml"
    path.write_text(f"county: 清河县\nunits:\n  - name: 清河县第0局\n    url: http://x/0/\n"
                    f"notify:\n  - type: wecom\n    webhook: {webhook}\n", encoding="utf-8")
    return path


def test_notice_goes_out_once_within_limits(tmp_path, wecom):
    db = tmp_path / "g.db"
    seed(db)
    config = load_config(config_file(tmp_path, wecom.url()))
    first = notify(config, db, "week", AS_OF, out=tmp_path / "out")
    assert first.ok, first.summary()
    texts = [m["payload"] for m in wecom.accepted]
    assert len(texts) >= 3  # summary, several list parts, the picture
    for payload in texts:
        if payload["msgtype"] in ("text", "markdown"):
            content = payload[payload["msgtype"]]["content"]
            assert len(content.encode()) <= (2048 if payload["msgtype"] == "text" else 4096)
            if payload["msgtype"] == "markdown":  # plain text shows a crawled tag as the letters it is
                assert "<img" not in content
    sent = len(wecom.accepted)
    again = notify(config, db, "week", AS_OF, out=tmp_path / "out")
    assert again.ok and len(wecom.accepted) == sent  # nothing posted twice


def test_dry_run_command_prints_parts_and_no_secret(tmp_path, wecom):
    db = tmp_path / "g.db"
    seed(db)
    path = config_file(tmp_path, wecom.url().replace(WECOM_KEY, "${GF_WECOM_KEY}"))
    result = subprocess.run([sys.executable, "-m", "cli", "notify", "--config", str(path), "--db", str(db),
                             "--as-of", AS_OF.isoformat(), "--dry-run", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "GF_WECOM_KEY": WECOM_KEY})
    assert result.returncode == 0, result.stderr
    assert "1/" in result.stdout and "清河县" in result.stdout
    assert WECOM_KEY not in result.stdout + result.stderr
    assert wecom.requests == 0
