"""Benchmark: a ``scic_college`` case of 1,000,000 individual ballots, from its JSON file.

The requirement: evaluating the case with the engine, end to end from the file, takes at
most 2x the time of a minimal script doing the unavoidable work on the same file
(``json.load``, parse each ``cast_at``, keep the latest ballot per voter, count per college
and position), both measured side by side in one run; and a 60,000-member assembly (the
size of the largest French SCICs) evaluates in well under a second.

    .venv/bin/python benchmarks/college_million.py [--repeat 5] [--gc off] [--profile]

The case files are generated (seeded, deterministic) into ``benchmarks/data/`` unless they
are already there. The two sides run alternately, each run after a full collection; the
limit applies to the ratio of the best times (the least disturbed run of each side), and
the medians and CPU times are printed beside it. Both sides must find the same counts per
college. Exit status: 0 when both limits hold, 1 otherwise. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import platform
import pstats
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from decisions.engine import evaluate
from decisions.engine.cases import load_case, parse_json

DATA = Path(__file__).resolve().parent / "data"
MAX_RATIO = 2.0
MAX_ASSEMBLY_SECONDS = 1.0

COLLEGES = (("salaries", 50), ("usagers", 30), ("partenaires", 20))
POSITIONS = ("yes", "no", "abstain")
OPENS = datetime(2026, 11, 16, 8, 0, tzinfo=UTC)
CLOSES = OPENS + timedelta(days=7)

Counts = dict[str, dict[str, int]]


# The case files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """What to generate: the sizes of a case, and its seed."""

    name: str
    members: int
    voters: int
    ballots: int
    late: int
    seed: int

    @property
    def path(self) -> Path:
        return DATA / (f"{self.name}_{self.members}m_{self.ballots}b_{self.late}late"
                       f"_seed{self.seed}.json")


MILLION = Spec("scic_college", members=400_000, voters=352_000, ballots=1_000_000, late=250,
               seed=20261126)
ASSEMBLY = Spec("scic_college", members=60_000, voters=60_000, ballots=63_000, late=20,
                seed=20261127)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def generate(spec: Spec) -> dict[str, Any]:
    """The case of ``spec``, the same for the same seed.

    Members are spread 10/80/10 over the colleges (weighted 50/30/20); ``voters`` of them
    vote once in the window, the other ballots change a vote (some voters change many times)
    or come late (at the deadline, which is exclusive, or after it). Ballots are listed in
    the order they were cast, as a platform exports them.
    """
    rng = random.Random(spec.seed)
    names = [c for c, _ in COLLEGES]
    colleges = rng.choices(names, weights=(10, 80, 10), k=spec.members)
    members = [{"id": f"m{i:07d}", "college": college} for i, college in enumerate(colleges)]
    leaning = {"salaries": (60, 30, 10), "usagers": (45, 45, 10), "partenaires": (50, 35, 15)}
    voters = rng.sample(range(spec.members), spec.voters)
    changers = rng.choices(voters, k=spec.ballots - spec.voters - spec.late)
    window = int((CLOSES - OPENS).total_seconds())
    rows: list[tuple[int, int]] = [(rng.randrange(window), v) for v in voters + changers]
    rows += [(window + (0 if i == 0 else rng.randrange(86_400)), rng.choice(voters))
             for i in range(spec.late)]
    rows.sort(key=lambda row: row[0])
    ballots = [
        {"voter": members[v]["id"],
         "position": rng.choices(POSITIONS, weights=leaning[colleges[v]])[0],
         "cast_at": _stamp(OPENS + timedelta(seconds=second))}
        for second, v in rows
    ]
    return {
        "id": f"bench-{spec.members}-members-{spec.ballots}-ballots",
        "family": "scic_college",
        "params": {
            "preset": "scic_sa_ago",
            "mode": "async",
            "colleges": [{"id": c, "weight": w} for c, w in COLLEGES],
            "opens_at": _stamp(OPENS),
            "closes_at": _stamp(CLOSES),
        },
        "electorate": {"members": members},
        "ballots": ballots,
    }


def ensure(spec: Spec) -> Path:
    """The case file of ``spec``, generated first if it is not there."""
    if not spec.path.exists():
        DATA.mkdir(parents=True, exist_ok=True)
        print(f"generating {spec.path.name} ...", flush=True)
        partial = spec.path.with_suffix(".tmp")
        partial.write_text(json.dumps(generate(spec)), encoding="utf-8")
        os.replace(partial, spec.path)
    return spec.path


# The two sides -------------------------------------------------------------------------


def baseline(path: Path) -> Counts:
    """The unavoidable work, written plainly: load, parse the times, keep each voter's latest
    ballot in the window, count per college and position."""
    with path.open(encoding="utf-8") as file:
        case = json.load(file)
    params = case["params"]
    opens = datetime.fromisoformat(params["opens_at"])
    closes = datetime.fromisoformat(params["closes_at"])
    college_of = {m["id"]: m["college"] for m in case["electorate"]["members"]}
    latest: dict[str, tuple[datetime, str]] = {}
    for ballot in case["ballots"]:
        cast_at = datetime.fromisoformat(ballot["cast_at"])
        if cast_at < opens or cast_at >= closes:  # the deadline is exclusive
            continue
        voter = ballot["voter"]
        kept = latest.get(voter)
        if kept is None or cast_at >= kept[0]:
            latest[voter] = (cast_at, ballot["position"])
    counts = {c["id"]: dict.fromkeys(POSITIONS, 0) for c in params["colleges"]}
    for voter, (_, position) in latest.items():
        counts[college_of[voter]][position] += 1
    return counts


def engine(path: Path) -> dict[str, Any]:
    """The engine end to end, as ``python -m decisions.engine evaluate`` runs it: the bytes,
    ``parse_json``, ``load_case``, ``evaluate``, ``to_json`` and the JSON text."""
    data = path.read_bytes()
    result = evaluate(load_case(parse_json(data))).to_json()
    json.dumps(result, ensure_ascii=False)
    return result


def engine_counts(result: dict[str, Any]) -> Counts:
    return {c: {p: row[p] for p in POSITIONS} for c, row in result["colleges"].items()}


# Measuring -----------------------------------------------------------------------------


@dataclass
class Times:
    """The runs of one side: wall-clock and CPU seconds of each."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"best {min(self.wall):6.3f} s  median {statistics.median(self.wall):6.3f} s"
                f"  worst {max(self.wall):6.3f} s  (CPU best {min(self.cpu):6.3f} s)")


def timed(run: Callable[[Path], Any], path: Path, times: Times, *, collect: bool) -> Any:
    """One run, timed into ``times``; garbage is collected before it and, with ``collect``
    False, the collector is off during it. Big values are freed inside the run, as a process
    would free them."""
    gc.collect()
    if not collect:
        gc.disable()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        value = run(path)
        times.cpu.append(time.process_time() - cpu)
        times.wall.append(time.perf_counter() - wall)
        return value
    finally:
        gc.enable()


def machine() -> str:
    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            cpu = next(line.split(":", 1)[1].strip() for line in file
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{os.cpu_count()} CPU, {cpu}, Python {platform.python_version()}"
            f" ({platform.python_implementation()}), {platform.system()} {platform.release()}")


def profile(path: Path, limit: int) -> None:
    """Profile one engine run (cProfile), the functions sorted by their own time."""
    profiler = cProfile.Profile()
    gc.collect()
    profiler.enable()
    engine(path)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(limit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each side (default 5)")
    parser.add_argument("--gc", choices=("on", "off"), default="on",
                        help="cyclic garbage collector during the runs, both sides (default on)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile one engine run on the million-ballot case")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    collect = args.gc == "on"
    million, assembly = ensure(MILLION), ensure(ASSEMBLY)
    print(machine())
    print(f"case: {million.name} ({million.stat().st_size / 1e6:.0f} MB), gc {args.gc},"
          f" {args.repeat} runs each, alternating")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"note: load average {load:.2f} before the runs; other work skews the times")
    million.read_bytes()  # the file in the page cache before the first run of either side

    base, eng = Times(), Times()
    expected: Counts = {}
    result: dict[str, Any] = {}
    for i in range(args.repeat):
        if i % 2 == 0:
            expected = timed(baseline, million, base, collect=collect)
            result = timed(engine, million, eng, collect=collect)
        else:
            result = timed(engine, million, eng, collect=collect)
            expected = timed(baseline, million, base, collect=collect)
        print(f"  run {i + 1}: baseline {base.wall[-1]:6.3f} s   engine {eng.wall[-1]:6.3f} s",
              flush=True)

    status = 0
    agree = engine_counts(result) == expected
    if not agree:
        print(f"MISMATCH: engine counts {engine_counts(result)} != baseline {expected}")
        status = 1
    ratio = min(eng.wall) / min(base.wall)
    median_ratio = statistics.median(eng.wall) / statistics.median(base.wall)
    cpu_ratio = min(eng.cpu) / min(base.cpu)
    print(f"baseline  {base}")
    print(f"engine    {eng}")
    print(f"ratio engine/baseline: {ratio:.2f} (best times; limit {MAX_RATIO}),"
          f" {median_ratio:.2f} (medians), {cpu_ratio:.2f} (best CPU times)")
    print(f"  outcome {result['outcome']}, {result['participants']} participants,"
          f" {len(result['rejected_ballots'])} rejected, {result['superseded_ballots']}"
          f" superseded; counts agree: {agree}")
    if ratio > MAX_RATIO:
        print(f"FAIL: the engine takes {ratio:.2f}x the baseline (limit {MAX_RATIO}x)")
        status = 1

    small, small_result = Times(), {}
    for _ in range(args.repeat):
        small_result = timed(engine, assembly, small, collect=collect)
    if engine_counts(small_result) != baseline(assembly):
        print("MISMATCH on the 60,000-member case")
        status = 1
    print(f"60,000 members ({ASSEMBLY.ballots} ballots): {small}; limit {MAX_ASSEMBLY_SECONDS} s"
          " (worst run)")
    if max(small.wall) >= MAX_ASSEMBLY_SECONDS:
        print(f"FAIL: the 60,000-member case takes {max(small.wall):.3f} s")
        status = 1

    if args.profile:
        profile(million, 30)
    print("OK" if status == 0 else "FAILED")
    return status


if __name__ == "__main__":
    sys.exit(main())
