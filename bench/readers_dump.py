"""What every page reader says about every page we have: a speed-up of crawler/extract must not
change a single answer.

    .venv/bin/python bench/readers_dump.py dump ../old /tmp/old.json   # one checkout's answers
    .venv/bin/python bench/readers_dump.py dump . /tmp/new.json
    .venv/bin/python bench/readers_dump.py compare /tmp/old.json /tmp/new.json

Pages (this checkout's, whichever checkout's code reads them): bench/corpus, tests/fixtures,
../shared/corpus/real (where present), and the synthetic portal's column, disclosure and
article pages (`--units`, 60 by default: 1,620 pages in all).
Readers, on each page: extract_list, judge_answer, page_redirect, extract_article_date,
extract_text, and extract_list + discover_columns + extract_links on one shared tree. An answer
is its repr (or the exception's type and message), so a change anywhere in it shows.
"""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 11, 27)
URL = "http://127.0.0.1/u1/xxgk/tzgg/index.html"
CTYPE = "text/html; charset=utf-8"


def pages(units: int) -> list[tuple[str, bytes, str | None]]:
    """(name, body, Content-Type) of every page the dump reads: this checkout's pages, whichever
    checkout's code reads them, so two dumps read the same pages."""
    from synthetic_portal import Pages

    found = []
    repo = HERE.parent
    for root in (repo / "bench" / "corpus", repo / "tests" / "fixtures", repo.parent / "shared" / "corpus" / "real"):
        for path in sorted(root.rglob("*.htm*")):
            found.append((f"{root.parent.name}/{root.name}/{path.relative_to(root)}", path.read_bytes(), None))
    portal = Pages(TODAY)
    for i in range(units):
        articles = [p for p in portal.paths(i) if p.rsplit("/", 1)[-1].startswith("t")]
        for path in [*portal.list_paths(i), f"/u{i}/xxgk/index.html", *articles]:
            status, html = portal.respond(path)
            if status == 200:
                found.append((f"synthetic{path}", html.encode(), CTYPE))
    return found


def answers(body: bytes, content_type: str | None) -> dict[str, str]:
    """Every reader's answer on one page."""
    from crawler.extract.article import extract_article_date, extract_text
    from crawler.extract.dom import Page
    from crawler.extract.encoding import decode
    from crawler.extract.links import discover_columns, extract_links
    from crawler.extract.listpage import extract_list
    from crawler.extract.readable import judge_answer, page_redirect

    def shared():
        page = Page(decode(body, content_type))
        return (extract_list(page, URL, TODAY), discover_columns(page, URL, {"127.0.0.1"}),
                extract_links(page, URL))

    readers = {
        "list": lambda: extract_list(body, URL, TODAY, content_type),
        "judge": lambda: judge_answer(200, body, content_type),
        "redirect": lambda: page_redirect(body),
        "article_date": lambda: extract_article_date(body, URL, content_type),
        "text": lambda: extract_text(body, URL, content_type),
        "shared": shared,
    }
    out = {}
    for name, read in readers.items():
        try:
            out[name] = repr(read())
        except Exception as exc:   # an exception is an answer too: it must stay the same
            out[name] = f"raised {type(exc).__name__}: {exc}"
    return out


def dump(repo: Path, out: Path, units: int) -> None:
    sys.path[:0] = [str(repo), str(HERE)]
    found = {name: answers(body, ctype) for name, body, ctype in pages(units)}
    out.write_text(json.dumps(found, ensure_ascii=False, indent=0, sort_keys=True), encoding="utf-8")
    print(f"{len(found)} pages read by {repo}: {out}")


def compare(a: Path, b: Path, shown: int = 10) -> int:
    """Print the answers that differ (the first `shown` of them in full); their number."""
    old, new = (json.loads(p.read_text(encoding="utf-8")) for p in (a, b))
    differ = [(page, reader) for page in sorted(old.keys() | new.keys())
              for reader in sorted(old.get(page, {}).keys() | new.get(page, {}).keys())
              if old.get(page, {}).get(reader) != new.get(page, {}).get(reader)]
    for page, reader in differ[:shown]:
        print(f"{page} {reader}\n  {a}: {old.get(page, {}).get(reader, '(no page)')[:400]}"
              f"\n  {b}: {new.get(page, {}).get(reader, '(no page)')[:400]}")
    print(f"{len(differ)} answers differ, on {len({p for p, _ in differ})} of {len(old.keys() | new.keys())} pages")
    return len(differ)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("dump", help="write one checkout's answers")
    d.add_argument("repo", type=Path)
    d.add_argument("out", type=Path)
    d.add_argument("--units", type=int, default=60)
    c = sub.add_parser("compare", help="two dumps' differences (exit status 1 when any)")
    c.add_argument("a", type=Path)
    c.add_argument("b", type=Path)
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.repo.resolve(), args.out, args.units)
    else:
        sys.exit(1 if compare(args.a, args.b) else 0)


if __name__ == "__main__":
    main()
