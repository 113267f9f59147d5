"""`classconnect-stats bench`: the benchmark of bench/run.py (see `bench --help`).

The benchmark is a development tool that lives in the source checkout, not in the installed
package (it would put a generic top-level `bench` package into site-packages and into the image):
from a checkout this command puts the checkout on the import path and runs it; from an install
without one, it says so.
"""

import argparse
import sys
from pathlib import Path

from entrypoints.settings import Settings

CHECKOUT = Path(__file__).resolve().parents[2]


def register(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    # Every argument, options included, goes to the benchmark's own parser: this one takes
    # none of its own (no option prefix it would recognise).
    command = commands.add_parser(
        "bench", add_help=False, prefix_chars="+",
        help="the benchmark (from a source checkout; bench --help)",
    )
    command.add_argument("bench_args", nargs=argparse.REMAINDER)
    command.set_defaults(handler=_bench)


def _bench(settings: Settings, args: argparse.Namespace) -> None:
    if not (CHECKOUT / "bench" / "run.py").is_file():
        sys.exit("the benchmark runs from a source checkout of classconnect-stats (bench/run.py)")
    if str(CHECKOUT) not in sys.path:
        sys.path.insert(0, str(CHECKOUT))
    from bench.run import main

    main(args.bench_args)
