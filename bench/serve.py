"""Runs PhanAnh or the baseline app exactly as `python server.py serve` runs PhanAnh.

    python -m bench.serve phananh [--patch NAME ...]
    python -m bench.serve baseline

Both go through server.main, with uvicorn.run swapped for a wrapper: the baseline therefore gets
the same uvicorn options (loop, HTTP and WebSocket implementations, limits) as the application,
whatever server.py says today. `--patch` applies an experiment from bench.patches before serving
(bench-only monkeypatches that measure a proposed fix; the application code is not changed).
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

import uvicorn

import server
from bench import patches


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve PhanAnh or the baseline for the benchmarks")
    parser.add_argument("app", choices=["phananh", "baseline"])
    parser.add_argument("--patch", action="append", default=[], choices=sorted(patches.PATCHES))
    args = parser.parse_args()
    overrides: dict[str, Any] = {}
    for name in args.patch:
        overrides.update(patches.PATCHES[name]() or {})
    run = uvicorn.run

    def wrapped(target: Any, **options: Any) -> None:
        if args.app == "baseline":
            target = "bench.baseline:create_app"
        run(target, **{**options, **overrides})

    uvicorn.run = wrapped  # type: ignore[assignment]  # server.main calls uvicorn.run
    return server.main(["serve"])


if __name__ == "__main__":
    sys.exit(main())
