"""`python -m demo --today 2026-11-27 [--port 8000] [--sites sites.yaml] [--describe]`

Serves the simulated county until Ctrl-C and prints its base URL; --describe
prints the units and their planted problems instead.
"""
from __future__ import annotations

import argparse
import sys
import threading
from collections import defaultdict
from datetime import date

from demo.county import build_county, expected
from demo.server import DemoPortal


def describe(today: date) -> str:
    """A table of units, styles and planted problems, straight from the model."""
    county = build_county(today)
    found = defaultdict(list)
    for unit, rule, column, element in sorted(expected(today, "http://127.0.0.1:PORT")["findings"],
                                              key=lambda f: tuple(str(x) for x in f)):
        found[unit].append(rule + "".join(f" {x}" for x in (column, element) if x))
    lines = [f"{county.name} as of {today.isoformat()}: {len(county.units)} units"]
    for u in county.units:
        traits = [u.style, u.kind, f"dates {u.spec.date_format}"]
        problems = "; ".join(found[u.name]) or "no problems"
        lines.append(f"  /{u.slug}/xxgk/  {u.name}  [{', '.join(traits)}]  {problems}")
        if u.reachable and u.traps:
            lines.append(f"      traps: {'; '.join(u.traps)}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description="Serve the simulated county portal.")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(),
                        help="the portal's today, YYYY-MM-DD (default: the real today)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="default: any free port")
    parser.add_argument("--sites", help="also write a sites.yaml for the portal here")
    parser.add_argument("--describe", action="store_true", help="print units and planted problems, then exit")
    args = parser.parse_args(argv)

    if args.describe:
        print(describe(args.today))
        return 0
    with DemoPortal(args.today, host=args.host, port=args.port) as portal:
        print(f"清河县 demo portal ({args.today.isoformat()}) at {portal.base_url}/", flush=True)
        if args.sites:
            print(f"sites.yaml written to {portal.sites(args.sites)}", flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
