"""Newest-date extraction benchmark: govfresh vs htmldate vs a naive baseline.

    .venv/bin/python bench/extraction.py          # from the repo root; < 1 minute

Corpus: bench/corpus/generated (bench/make_corpus.py, fixed seed; regenerated when missing),
bench/corpus/handwritten (pages modelled on real sites), and, when present, the list pages of
../shared/corpus/real.  A page counts as right when the newest item date equals the label
(for empty/unverifiable columns: no date at all; govfresh must also give the right state);
govfresh's item count (what a reader sees on the first page) is checked against the label too.
"""
from __future__ import annotations

import json
import platform
import sys
import time
import warnings
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from crawler.extract.dates import all_dates  # noqa: E402
from crawler.extract.encoding import decode  # noqa: E402
from crawler.extract.listpage import extract_list  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"
REAL = ROOT / ".." / "shared" / "corpus" / "real"
REAL_CRAWL = date(2026, 11, 27)
URL = "https://www.example.gov.cn/col/tzgg/index.html"


def load() -> list[dict]:
    if not (CORPUS / "generated" / "labels.json").is_file():
        import make_corpus  # type: ignore[import-not-found]
        make_corpus.make()
    pages = []
    for part in ("generated", "handwritten"):
        folder = CORPUS / part
        for lab in json.loads((folder / "labels.json").read_text(encoding="utf-8")):
            pages.append({**lab, "set": part, "path": folder / lab["file"],
                          "markup": lab.get("markup", "handwritten")})
    if (REAL / "labels.json").is_file():
        for lab in json.loads((REAL / "labels.json").read_text(encoding="utf-8")):
            if lab["kind"] == "list":
                pages.append({**lab, "set": "real", "path": REAL / lab["file"], "markup": "real",
                              "state": "list", "crawl_date": REAL_CRAWL.isoformat()})
    for p in pages:
        p["body"] = p["path"].read_bytes()
        p["crawl"] = date.fromisoformat(p["crawl_date"])
        p["truth"] = date.fromisoformat(p["newest_date"]) if p["newest_date"] else None
    return pages


def run_govfresh(p: dict) -> tuple[date | None, str]:
    lp = extract_list(p["body"], URL, p["crawl"])
    p["govfresh_items"] = lp.item_count  # the count a reader sees on the first page
    return lp.newest_date, lp.state


def run_htmldate(p: dict) -> tuple[date | None, str]:
    from htmldate import find_date
    # Same decoded text for everyone (isolates the date logic from charset handling);
    # max_date = crawl date, so htmldate is not punished for our fixed crawl dates.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            got = find_date(decode(p["body"]), extensive_search=True, original_date=False,
                            outputformat="%Y-%m-%d", max_date=p["crawl"].isoformat())
        except Exception:  # noqa: BLE001 - a crash is a miss
            got = None
    return (date.fromisoformat(got) if got else None), ""


def run_naive(p: dict) -> tuple[date | None, str]:
    """Latest date-looking string anywhere in the page, not after the crawl date."""
    ds = all_dates(decode(p["body"]), p["crawl"])
    return (max(ds) if ds else None), ""


TOOLS = [("govfresh extract_list", run_govfresh), ("htmldate find_date", run_htmldate),
         ("naive latest date", run_naive)]


def right(tool: str, p: dict, got: date | None, state: str) -> bool:
    if tool.startswith("govfresh") and state != p["state"]:
        return False
    return got == p["truth"]


def pct(a: int, n: int) -> str:
    return f"{a}/{n} {100 * a / n:5.1f}%" if n else "-"


def _speed(pages: list[dict]) -> tuple[float, float]:
    """Best of three passes of extract_list over ``pages``: (seconds, mean KB)."""
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        for p in pages:
            extract_list(p["body"], URL, p["crawl"])
        best = min(best, time.perf_counter() - t)
    return best, sum(len(p["body"]) for p in pages) / len(pages) / 1024


def main() -> None:
    t0 = time.perf_counter()
    pages = load()
    results: dict[str, list[bool]] = {}
    for name, fn in TOOLS:
        results[name] = [right(name, p, *fn(p)) for p in pages]

    speeds = [("whole corpus", pages), ("real pages only", [p for p in pages if p["set"] == "real"])]
    speeds = [(name, ps, *_speed(ps)) for name, ps in speeds if ps]

    groups = {
        "list pages": [i for i, p in enumerate(pages) if p["set"] != "real" and p["state"] == "list"],
        "empty/unverifiable": [i for i, p in enumerate(pages) if p["state"] != "list"],
        "real list pages": [i for i, p in enumerate(pages) if p["set"] == "real"],
        "all": list(range(len(pages))),
    }
    cols = [f"{k} (n={len(v)})" for k, v in groups.items() if v]
    print(f"Newest-date extraction, {date.today().isoformat()}, Python {platform.python_version()}, "
          f"{len(pages)} pages ({sum(p['set'] == 'generated' for p in pages)} generated, "
          f"{sum(p['set'] == 'handwritten' for p in pages)} hand-written, {sum(p['set'] == 'real' for p in pages)} real)")
    print()
    print("| tool | " + " | ".join(cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name, _ in TOOLS:
        r = results[name]
        cells = [pct(sum(r[i] for i in idx), len(idx)) for idx in groups.values() if idx]
        print(f"| {name} | " + " | ".join(cells) + " |")
    counts = [p.get("item_count") is not None and p["govfresh_items"] == p["item_count"] for p in pages]
    cells = [pct(sum(counts[i] for i in idx), len(idx)) for idx in groups.values() if idx]
    print("| govfresh item count (as labelled) | " + " | ".join(cells) + " |")
    print()
    print("Per markup (newest date right / pages; govfresh's item count right / pages):")
    by: dict[str, list[int]] = defaultdict(list)
    for i, p in enumerate(pages):
        by[p["markup"]].append(i)
    print("| markup | " + " | ".join(n for n, _ in TOOLS) + " | govfresh item count |")
    print("|---|" + "---|" * (len(TOOLS) + 1))
    for m in sorted(by):
        idx = by[m]
        print(f"| {m} | " + " | ".join(f"{sum(results[n][i] for i in idx)}/{len(idx)}" for n, _ in TOOLS)
              + f" | {sum(counts[i] for i in idx)}/{len(idx)} |")
    print()
    for name, ps, secs, kb in speeds:
        print(f"govfresh speed, {name}: {len(ps) / secs:.0f} pages/s ({secs * 1000 / len(ps):.1f} ms/page, "
              f"mean page {kb:.1f} KB, one process, best of 3)")
    misses = [p["file"] for p, ok, n_ok in zip(pages, results[TOOLS[0][0]], counts) if not (ok and n_ok)]
    if misses:
        print("govfresh misses (date, state or count):", ", ".join(misses))
    print(f"total bench time {time.perf_counter() - t0:.1f} s")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
