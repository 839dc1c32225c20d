"""Two checkouts' crawlers on the same synthetic portal, in alternating turns: is a change faster?

    .venv/bin/python bench/compare.py ../old .            # 300 units, 3 turns each
    .venv/bin/python bench/compare.py ../old . --units 100 --rounds 5

Each turn crawls day 1 (new database), day 2 (~1 list in 10 changed) and day 3 (nothing
changed) with one checkout, then the other, as bench/crawl.py does (nginx on loopback,
crawl.concurrency 16). The machine's speed drifts over minutes, so a change is only as
certain as its least-CPU turns differ by more than the turns of one checkout do.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from crawl import CRAWL_DATE, NginxPortal, govfresh  # noqa: E402

DAYS = (("day 1", 0), ("day 2 (1 in 10 changed)", 1), ("day 3 (nothing changed)", 2))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repos", type=Path, nargs=2, help="the two checkouts")
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-host", type=int, default=16)
    args = parser.parse_args()
    repos = [r.resolve() for r in args.repos]
    cpu: dict[tuple[int, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="govfresh-compare-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)   # nginx's workers (nobody) must get through to the pages
        with NginxPortal(args.units, hosts=8, today=CRAWL_DATE, work=work / "nginx") as portal:
            for turn in range(args.rounds):
                for k, repo in enumerate(repos):
                    for name, day in DAYS:
                        if day < 2:
                            portal.prepare(args.units, day)
                        r = govfresh(portal, args.units, work, repo, args.per_host, day, tag=f"{args.units}u-{k}")
                        cpu.setdefault((k, name), []).append(r["cpu"])
                    print(f"  turn {turn + 1}/{args.rounds}, {repo}: " + ", ".join(
                        f"{name} {cpu[k, name][-1]:.2f}" for name, _ in DAYS) + " s CPU", flush=True)
    print()
    print(f"{args.units} units, CPU seconds (least of {args.rounds} turns; every turn):")
    print("| crawl | " + " | ".join(str(r) for r in repos) + " | change |")
    print("|---|---|---|---|")
    for name, _ in DAYS:
        a, b = cpu[0, name], cpu[1, name]
        print(f"| {name} | {min(a):.2f} ({' / '.join(f'{x:.2f}' for x in a)}) "
              f"| {min(b):.2f} ({' / '.join(f'{x:.2f}' for x in b)}) | {100 * (min(b) / min(a) - 1):+.0f}% |")


if __name__ == "__main__":
    main()
