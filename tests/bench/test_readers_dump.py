"""The readers' dump: two dumps of the same code agree, and a changed answer is named."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    return subprocess.run([sys.executable, "bench/readers_dump.py", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_a_changed_answer_is_named_and_the_same_code_agrees(tmp_path):
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert run("dump", ".", str(first), "--units", "1").returncode == 0
    assert run("dump", ".", str(second), "--units", "1").returncode == 0
    same = run("compare", str(first), str(second))
    assert same.returncode == 0 and "0 answers differ" in same.stdout, same.stdout + same.stderr

    answers = json.loads(second.read_text(encoding="utf-8"))
    page = next(name for name in answers if name.startswith("synthetic/u0/xxgk/") and "index" in name)
    assert "ListPage(" in answers[page]["list"]
    answers[page]["list"] = answers[page]["list"].replace("state='list'", "state='empty'", 1)
    second.write_text(json.dumps(answers, ensure_ascii=False), encoding="utf-8")
    changed = run("compare", str(first), str(second))
    assert changed.returncode == 1
    assert f"{page} list" in changed.stdout and "1 answers differ" in changed.stdout, changed.stdout
