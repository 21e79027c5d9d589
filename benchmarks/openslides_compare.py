"""N votes and their result: OpenSlides 3.3's ``MotionPollViewSet.vote`` against our ballot
service, in process, on SQLite for both.

    .venv/bin/python benchmarks/openslides_compare.py [--sizes 1000,10000] [--budget 7200]

OpenSlides cannot share our virtual environment (its Django 2.2 and ours would clash): it
is installed, the first time, in a throwaway one at ``benchmarks/data/openslides-venv``
(``pip install openslides==3.3 "twisted[tls]==21.7.0"``, then ``pip install bleach==3.3.1``,
the version that runs it on Python 3.11; pip warns that OpenSlides asked for an older one),
and ``benchmarks/openslides_votes.py`` runs there in its own process: a fresh SQLite
database, N delegates, a named yes/no/abstain poll, N votes through the viewset's ``vote``
action, then its ``stop`` action and the poll's result (DEBUG off).

Our side, in this process: a fresh SQLite database, an association of N members and an open
majority vote (through the services), N ballots through ``rounds.cast_ballot``, one
transaction each as a request makes it, then ``rounds.close_round`` (the engine's result,
stored with its case and audited) and the stored result read. Both sides take the same
positions in the same order (yes, no, abstain, yes, …) and must count the same.

Prints, per N, both times, the time per vote and the ratios (OpenSlides / ours).
OpenSlides' time per vote grows with the votes already cast (each vote serialises the
poll with everyone who voted again): 1,000 votes take about 4 minutes there, 10,000 many
hours. So its voting has a budget (``--budget`` seconds, two hours by default): past it,
OpenSlides casts no more votes, stops the poll with those it has, and the ratio compares the
same first votes on both sides (a lower bound of the ratio for all N: OpenSlides' later
votes cost more). Not part of ``make test``; part of ``make bench`` only with
``BENCH=--with-openslides``. Figures: benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assembly import DATA, fresh_database, open_assembly, setup_app, work_folder

from decisions.web import db
from decisions.web.models import Round
from decisions.web.services import rounds

HERE = Path(__file__).resolve().parent
VENV = DATA / "openslides-venv"
#: What pip installs in the throwaway environment, in two steps (the second overrides the
#: bleach that OpenSlides 3.3 pins, which no longer builds on Python 3.11).
INSTALLS = (("openslides==3.3", "twisted[tls]==21.7.0"), ("bleach==3.3.1",))
POSITIONS = ("yes", "no", "abstain")


@dataclass(frozen=True)
class Side:
    """One side's figures: the votes cast, seconds for them, seconds for the result, the
    counts, and the seconds taken by the first ``k`` votes (``elapsed[k - 1]``)."""

    votes: int
    voting_s: float
    result_s: float
    counts: dict[str, int]
    elapsed: tuple[float, ...] = ()


def openslides_python() -> Path:
    """The interpreter of the throwaway environment, made and filled when missing."""
    python = VENV / "bin" / "python"
    marker = VENV / ".installed"
    if marker.exists():
        return python
    print(f"installing OpenSlides 3.3 in {VENV} (once)", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
    for packages in INSTALLS:
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages],
                       check=True)
    marker.write_text(" ".join(p for packages in INSTALLS for p in packages) + "\n")
    return python


def openslides_side(python: Path, votes: int, budget: float) -> Side:
    """OpenSlides' run of ``votes`` votes, at most ``budget`` seconds of them, in its
    environment (its progress on stderr)."""
    with work_folder("openslides") as folder:
        done = subprocess.run([str(python), str(HERE / "openslides_votes.py"), str(folder),
                               str(votes), str(budget)], cwd=folder, stdout=subprocess.PIPE,
                              text=True, timeout=budget * 1.5 + 600, check=True)
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result = figures["result"]
    counts = {"yes": result["yes"], "no": result["no"], "abstain": result["abstain"]}
    return Side(figures["votes"], figures["voting_s"], figures["result_s"],
                {position: int(float(count)) for position, count in counts.items()})


def our_side(votes: int) -> Side:
    """Our run of ``votes`` ballots through the ballot service, then the close."""
    with work_folder("compare") as folder, fresh_database(False, folder) as url:
        app = setup_app(url, folder)
        assembly = open_assembly(app, votes)
        started, elapsed = time.perf_counter(), []
        for index, member in enumerate(assembly.memberships, start=1):
            with app.app_context(), db.transaction() as session:
                rounds.cast_ballot(session, assembly.round_id, member,
                                   POSITIONS[(index - 1) % 3], now=datetime.now(UTC))
            elapsed.append(time.perf_counter() - started)
            if index % max(votes // 10, 1) == 0:
                print(f"ours: {index} ballots in {elapsed[-1]:.0f} s", file=sys.stderr,
                      flush=True)
        voting = elapsed[-1]
        started = time.perf_counter()
        with app.app_context(), db.transaction() as session:
            if not rounds.close_round(session, assembly.round_id, now=datetime.now(UTC)):
                raise SystemExit("the round was already closed")
        with app.app_context():
            stored = db.session().get_one(Round, assembly.round_id).result_json
            counts = json.loads(stored or "{}").get("counts") or {}
        closing = time.perf_counter() - started
        db.engine_of(app).dispose()
    return Side(votes, voting, closing, {p: int(counts.get(p, 0)) for p in POSITIONS},
                tuple(elapsed))


def _report(votes: int, theirs: Side, ours: Side) -> None:
    for name, side in (("openslides", theirs), ("ours", ours)):
        print(f"n={votes} {name + ':':11} {side.votes} votes {side.voting_s:.2f} s "
              f"({side.voting_s * 1000 / side.votes:.1f} ms each), result "
              f"{side.result_s:.3f} s, counts {side.counts}")
    same = ours.elapsed[theirs.votes - 1]
    bound = "" if theirs.votes == votes else (
        f" (over the first {theirs.votes} votes, when OpenSlides' budget ran out: at least"
        " this for all)")
    print(f"n={votes} ratio (openslides / ours): votes {theirs.voting_s / same:.1f}{bound}, "
          f"result {theirs.result_s / ours.result_s:.1f}"
          f"{'' if theirs.votes == votes else ' (OpenSlides with fewer votes)'}", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="numbers of votes, comma-separated")
    parser.add_argument("--budget", type=float, default=2 * 3600,
                        help="seconds of voting OpenSlides is given for each N")
    args = parser.parse_args()
    python = openslides_python()
    agree = True
    for votes in (int(s) for s in args.sizes.split(",")):
        theirs = openslides_side(python, votes, args.budget)
        ours = our_side(votes)
        if theirs.votes == votes:
            agree = agree and theirs.counts == ours.counts
        _report(votes, theirs, ours)
    if not agree:
        print("the two sides counted differently")
    return 0 if agree else 1


if __name__ == "__main__":
    raise SystemExit(main())
