"""Results: the machine-readable JSON of a run, and its table in BENCHMARKS.md.

The table of a profile lives between `<!-- bench:<profile>:start -->` and `<!-- bench:<profile>:end
-->` markers and is rewritten by each run of that profile; everything else in BENCHMARKS.md (the
analysis of the profiles, the proposed fixes) is written by people and left alone.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
BENCHMARKS = ROOT / "BENCHMARKS.md"

READ_TARGET = 0.5
WRITE_TARGET = 0.5
FANOUT_TARGET = 0.33
FANOUT_P99_TARGET = 2.0
IDLE_TARGET_KIB = 100.0
SEARCH_TARGET_MS = 50.0
STATS_TARGET_MS = 500.0


def save(results: dict[str, Any], name: str) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    return path


def _met(ok: bool | None) -> str:
    if ok is None:
        return "not measured"
    return "**met**" if ok else "**not met**"


def _http(side: dict[str, Any]) -> str:
    return f"{side['rps']:,.0f} req/s, p50 {side['p50Ms']:,.0f} ms, p99 {side['p99Ms']:,.0f} ms"


def _cpu(row: dict[str, Any], unit: str = "request") -> str:
    app, base = row["phananh"]["cpuMsPerRequest"], row["baseline"]["cpuMsPerRequest"]
    return f"{app:.1f} / {base:.1f} CPU ms per {unit}"


def _micros(side: dict[str, Any], subscribers: int) -> str:
    """Server CPU per delivery; the CPU count includes the unmeasured first round."""
    deliveries = side["delivered"] + side.get("warmReceived", subscribers)
    return f"{sum(side['serverCpuSeconds'].values()) * 1e6 / max(deliveries, 1):,.0f}"


def _delivery(side: dict[str, Any]) -> str:
    return (
        f"{side['deliveriesPerSecond']:,.0f} deliveries/s, p50 {side['p50Ms']:,.0f} ms, "
        f"p99 {side['p99Ms']:,.0f} ms"
    )


def _experiment(results: dict[str, Any], row: str) -> list[list[str]]:
    """The patched PhanAnh of an A/B run (`--patch`), measured in the same run as `row`."""
    measured = results.get(row) or {}
    patched = measured.get("patched")
    if not patched:
        return []
    return [
        [
            f"{row}, with {', '.join(results['patches'])} (same run)",
            _http(patched["phananh"]),
            _http(patched["baseline"]),
            f"{patched['ratio']:.2f}× ({_cpu(patched)})",
            "experiment",
            f"as is: {measured['ratio']:.2f}× "
            f"({measured['phananh']['cpuMsPerRequest']:.1f} CPU ms per request)",
        ]
    ]


def rows(results: dict[str, Any]) -> list[list[str]]:
    """`what | PhanAnh | baseline | ratio | target | met` for every measured row."""
    table: list[list[str]] = []
    if read := results.get("read"):
        counts = read["statementsByFirst"]
        sizes = sorted(counts, key=int)
        constant = len(set(counts.values())) == 1
        table.append(
            [
                "read: `reports(first: 50)` + category, area, agency, attachments",
                f"{_http(read['phananh'])}; SQL statements for first = "
                f"{', '.join(sizes)}: {', '.join(str(counts[key]) for key in sizes)}",
                f"{_http(read['baseline'])}; same JSON: {'yes' if read['sameJson'] else 'NO'}",
                f"{read['ratio']:.2f}× ({_cpu(read)})",
                "≥ 0.5× req/s; statements constant",
                _met(read["ratio"] >= READ_TARGET and constant),
            ]
        )
    table += _experiment(results, "read")
    if write := results.get("write"):
        table.append(
            [
                "write: `submitReport` without files",
                _http(write["phananh"]),
                f"{_http(write['baseline'])} (asyncpg: counter, report, event; Redis publish)",
                f"{write['ratio']:.2f}× ({_cpu(write)})",
                "≥ 0.5× req/s",
                _met(write["ratio"] >= WRITE_TARGET),
            ]
        )
    table += _experiment(results, "write")
    for fan in results.get("fanout", []):
        ok = fan["ratio"] is not None and fan["ratio"] >= FANOUT_TARGET
        ok = ok and fan["p99Ratio"] is not None and fan["p99Ratio"] <= FANOUT_P99_TARGET
        app, base = fan["phananh"], fan["baseline"]
        lost = f"; {app['missing']} not delivered" if app["missing"] else ""
        if app["failedTriggers"] or base["failedTriggers"]:
            lost += f"; {app['failedTriggers'] + base['failedTriggers']} rounds not triggered"
        table.append(
            [
                f"fan-out: one event to {fan['subscribers']:,} `publicReportEvents` subscribers, "
                "one process",
                _delivery(app) + lost,
                _delivery(base) + f" ({fan['messageBytes']} B text)",
                f"{fan['ratio']:.2f}×; p99 {fan['p99Ratio']:.1f}× "
                f"({_micros(app, fan['subscribers'])} / {_micros(base, fan['subscribers'])} "
                "CPU µs per delivery)",
                "≥ 0.33× deliveries/s; p99 ≤ 2× baseline's",
                _met(ok),
            ]
        )
    if fans := results.get("fanout"):
        biggest = max(fans, key=lambda fan: fan["subscribers"])
        idle = biggest["phananh"]["idle"]
        base = biggest["baseline"]["idle"]
        table.append(
            [
                f"idle cost: RSS growth / {biggest['subscribers']:,} idle subscribed connections",
                f"{idle['kibPerConnection']:.1f} KiB per connection",
                f"(plain socket: {base['kibPerConnection']:.1f} KiB)",
                "—",
                "≤ 100 KiB",
                _met(idle["kibPerConnection"] <= IDLE_TARGET_KIB),
            ]
        )
    if latency := results.get("latency"):
        reports = results["reports"]
        for kind, target in (
            ("search", SEARCH_TARGET_MS),
            ("near", SEARCH_TARGET_MS),
            ("stats", STATS_TARGET_MS),
        ):
            found = latency[kind]
            label = {"search": "`reports(filter: {search})`", "near": "`reports(filter: {near})`"}
            table.append(
                [
                    f"{label.get(kind, '`reportStats`')} on {reports:,} reports",
                    f"p50 {found['p50Ms']:,.0f} ms, p99 {found['p99Ms']:,.0f} ms "
                    f"({found['requests']} requests, {found['errors']} errors)",
                    "—",
                    "—",
                    f"p50 ≤ {target:.0f} ms",
                    _met(found["p50Ms"] <= target and not found["errors"]),
                ]
            )
    if scale := results.get("scaleout"):
        two = scale["twoProcesses"]
        one = next(
            (f for f in results.get("fanout", []) if f["subscribers"] == scale["subscribers"]),
            None,
        )
        single = one["phananh"] if one else None
        ratio = (
            f"{two['deliveriesPerSecond'] / single['deliveriesPerSecond']:.2f}× one process"
            if single and single["deliveriesPerSecond"]
            else "—"
        )
        a, b = two["byUrl"]
        table.append(
            [
                f"scale-out: {scale['subscribers']:,} subscribers on two processes sharing Redis",
                f"{_delivery(two)} (p50 {a['p50Ms']:,.0f} ms on the publishing process, "
                f"{b['p50Ms']:,.0f} ms on the other)",
                f"one process: {_delivery(single)}" if single else "—",
                ratio,
                "recorded, with what limits it",
                "recorded",
            ]
        )
    return table


def markdown(results: dict[str, Any]) -> str:
    machine = results["machine"]
    lines = [
        f"### {results['profile']} run — {results['date']}",
        "",
        f"- Command: `{results['command']}` ({results['seconds']:.0f} s)",
        f"- Data: {results['reports']:,} seeded reports (`{results['database']}`)",
        f"- Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memoryGiB']} GiB; "
        f"{machine['os']}; Python {machine['python']}, Node {machine['node']}, "
        f"{machine['postgres']}, Redis {machine['redis']}",
        f"- Load average (1 min) at start / end: {machine['loadStart']} / {machine['loadEnd']} "
        "— other work shares this machine: read ratios, not absolute numbers",
        f"- Code: `{machine['commit']}`{' with uncommitted changes' if machine['dirty'] else ''}"
        + (f"; experiments: {', '.join(results['patches'])}" if results["patches"] else ""),
        "",
        "| what | PhanAnh | baseline (same run) | ratio | target | met |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for row in rows(results):
        lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")
    lines.append("")
    lines.append(f"Full results: `bench/results/{results['name']}.json`.")
    return "\n".join(lines)


def update_benchmarks(results: dict[str, Any]) -> None:
    """Rewrite this profile's section of BENCHMARKS.md (created with markers if missing)."""
    start = f"<!-- bench:{results['profile']}:start -->"
    end = f"<!-- bench:{results['profile']}:end -->"
    block = f"{start}\n{markdown(results)}\n{end}"
    text = BENCHMARKS.read_text() if BENCHMARKS.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(start) + ".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    BENCHMARKS.write_text(text)
