"""Profiles PhanAnh under one row's load with py-spy and prints where its CPU time goes.

    .venv/bin/python -m pip install py-spy        # once; not a locked dependency
    .venv/bin/python -m bench.profile read         # or write, fanout
    .venv/bin/python -m bench.profile fanout --subscribers 2000 --patch no-deflate

py-spy samples the server process (`--nonblocking`, so it never pauses it) while the row's load
runs, and writes the raw stacks to bench/results/profile-<row>.txt (flamegraph.pl or speedscope
read them). The summary groups samples by function, as self time and as inclusive time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import fanout, scenarios, seed
from bench.patches import PATCHES
from bench.procs import run_fanout, run_http
from bench.report import RESULTS
from bench.run import category_ids, ensure_node_modules, environment, log, raise_file_limit


def summarize(raw: Path, top: int = 25) -> str:
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        samples = int(count)
        total += samples
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        own[frames[-1]] += samples
        for frame in set(frames):
            inclusive[frame] += samples
    lines = [f"{total} samples", "--- self time"]
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in own.most_common(top)]
    lines.append("--- inclusive time")
    lines += [f"{100 * n / total:5.1f}%  {frame}" for frame, n in inclusive.most_common(top * 2)]
    return "\n".join(lines)


def _spy(pid: int, seconds: int, out: Path) -> subprocess.Popen[bytes]:
    binary = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    command = [binary, "record", "-p", str(pid), "-d", str(seconds), "-r", "200"]
    return subprocess.Popen([*command, "-f", "raw", "-o", str(out), "--nonblocking"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("row", choices=["read", "write", "fanout"])
    parser.add_argument("--subscribers", type=int, default=2000)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--patch", action="append", default=[], choices=sorted(PATCHES))
    args = parser.parse_args()
    raise_file_limit()
    ensure_node_modules()
    seeded = asyncio.run(seed.ensure(scenarios.QUICK.reports))
    profile = scenarios.Profile(
        **{
            **scenarios.QUICK.__dict__,
            "repeats": 1,
            "warmup_seconds": 2,
            "seconds": args.seconds + 2,
            "rounds": 4 * args.seconds,
        }
    )
    raw = RESULTS / f"profile-{args.row}{''.join('-' + p for p in args.patch)}.txt"
    RESULTS.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="phananh-profile-") as scratch:
        logs = Path(scratch)
        env = environment(seeded, logs / "media")
        categories = asyncio.run(category_ids(seeded.database))
        run = scenarios.Run(profile, seeded, env, logs, tuple(args.patch), log, categories)
        with run.app() as app:
            spies: list[subprocess.Popen[bytes]] = []
            if args.row == "fanout":
                url = app.url("/graphql", "ws")
                config = fanout.fanout_config(run, [url], args.subscribers, "graphql-transport-ws")
                config["trigger"] = fanout.trigger(run, app)
                start = lambda: spies.append(_spy(app.pid, args.seconds, raw))  # noqa: E731
                asyncio.run(run_fanout(config, [app], start))
            else:
                if args.row == "read":
                    bodies = scenarios.read_bodies(app, profile.pages)
                    requests = [{"body": json.dumps(body)} for body in bodies]
                    config = scenarios.http_config(run, app.url("/graphql"), requests)
                else:
                    submissions = scenarios.Submissions(run)
                    requests = submissions.take(int(1000 * profile.seconds))
                    config = scenarios.http_config(
                        run, app.url("/graphql"), requests, cycle=False,
                        warmupRequests=submissions.take(int(1000 * profile.warmup_seconds)),
                    )  # fmt: skip
                spies.append(_spy(app.pid, args.seconds, raw))
                log(f"{args.row}: {run_http(config, [app])['rps']:.0f} req/s while profiled")
            for spy in spies:
                spy.wait()
    print(summarize(raw))  # noqa: T201
    log(f"raw stacks: {raw}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
