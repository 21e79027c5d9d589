"""An independent recount of meetings, written from docs/rules.md 0.4 and 8b ("Meetings")
without any of the engine's code.

It reads a case as JSON (the cases of ``strategies.meeting_cases``: a meeting evaluated
closed, ballots at distinct times, proportional colleges with equal weights) and decides it
the plain way, one member and one ballot at a time, in exact fractions. The property tests
compare it with the engine on random cases: two readings of the rules must agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from fractions import Fraction
from typing import Any

Json = dict[str, Any]

_THRESHOLDS = {"simple": (Fraction(1, 2), False), "absolute": (Fraction(1, 2), False),
               "two_thirds": (Fraction(2, 3), True), "three_quarters": (Fraction(3, 4), True)}
_POSITIONS = ("yes", "no", "abstain", "blank", "invalid")


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


@dataclass
class Recount:
    """What the recount finds: the figures of the result, in exact fractions."""

    outcome: str
    counts: dict[str, Fraction]
    eligible: Fraction
    present: Fraction
    participants: Fraction
    quorum_met: bool
    base_count: Fraction | None = None
    yes_share: Fraction | None = None
    weighted_yes_share: Fraction | None = None
    refused_proxies: list[tuple[str, str, str]] = field(default_factory=list)
    refused_postal: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    attendance: dict[str, int] = field(default_factory=dict)


def _members(electorate: Json) -> dict[str, tuple[str | None, Fraction]]:
    found: dict[str, tuple[str | None, Fraction]] = {}
    for item in electorate["members"]:
        if isinstance(item, str):
            found[item] = (None, Fraction(1))
        else:
            found[item["id"]] = (item.get("college"), Fraction(str(item.get("weight", 1))))
    return found


def _proxies(params: Json, electorate: Json, members: Mapping[str, Any],
             in_room: set[str], remote: set[str], postal: set[str]
             ) -> tuple[dict[str, str], list[tuple[str, str, str]]]:
    """Accepted proxies (member -> holder) and the refused ones, with the first reason."""
    given = dict(electorate.get("represented_by", {}))
    refused: list[tuple[str, str, str]] = []
    standing = {}
    for member, holder in given.items():
        if holder not in members:
            refused.append((member, holder, "holder_not_member"))
        elif holder in given:
            refused.append((member, holder, "chain"))
        elif member in in_room or member in remote or member in postal:
            refused.append((member, holder, "represented_present"))
        elif holder not in in_room and holder not in remote:
            refused.append((member, holder, "holder_absent"))
        elif params.get("proxy_same_college") and members[holder][0] != members[member][0]:
            refused.append((member, holder, "holder_other_college"))
        else:
            standing[member] = holder
    cap = params["max_proxies_per_holder"] if given else "unlimited"
    accepted = {}
    for member, holder in standing.items():
        held = sum(1 for h in standing.values() if h == holder)
        if isinstance(cap, int) and held > cap:
            refused.append((member, holder, "holder_over_cap"))
        else:
            accepted[member] = holder
    return accepted, sorted(refused)


def recount(case: Json) -> Recount:
    """Decide a meeting case from its JSON, as docs/rules.md says, with no engine code."""
    params, electorate = case["params"], case["electorate"]
    members = _members(electorate)
    in_room = set(electorate.get("present", []))
    remote_listed = set(electorate.get("remote", []))
    remote = remote_listed if params.get("remote_counts_as_present") else set()
    opens = _time(params["opens_at"]) if "opens_at" in params else None
    closes = _time(params["closes_at"]) if "closes_at" in params else None
    deadline = _time(params["postal_deadline"]) if "postal_deadline" in params else opens
    forms = {m: _time(t) for m, t in electorate.get("postal", {}).items()}
    postal = {m for m, t in forms.items() if deadline is None or t < deadline}
    late_forms = set(forms) - postal
    accepted, refused_proxies = _proxies(params, electorate, members, in_room, remote, postal)
    refused_holder = {m: h for m, h, _ in refused_proxies}
    amended = params.get("amended_in_meeting", False)
    change = params.get("allow_vote_change", True)

    rejected: list[tuple[str, str]] = []
    direct: list[Json] = []
    by_post: list[Json] = []
    for ballot in sorted(case["ballots"], key=lambda b: _time(b["cast_at"])):
        voter, holder = ballot["voter"], ballot.get("cast_by")
        if voter not in members:
            rejected.append((voter, "not_eligible"))
        elif ballot.get("postal"):
            if voter in late_forms:
                rejected.append((voter, "late"))
            elif amended:
                rejected.append((voter, "resolution_amended"))
            else:
                by_post.append(ballot)
        elif holder is not None and holder != voter:
            if accepted.get(voter) == holder:
                direct.append(ballot)
            elif refused_holder.get(voter) == holder:
                rejected.append((voter, "proxy_refused"))
            else:
                rejected.append((voter, "not_proxy_holder"))
        elif voter in postal:
            rejected.append((voter, "change_not_allowed"))
        elif voter in accepted:
            rejected.append((voter, "represented"))
        elif voter in remote_listed and not remote:
            rejected.append((voter, "remote_not_allowed"))
        else:
            direct.append(ballot)
    on_time = []
    for ballot in direct:
        cast = _time(ballot["cast_at"])
        if opens is not None and cast < opens:
            rejected.append((ballot["voter"], "too_early"))
        elif closes is not None and cast >= closes:
            rejected.append((ballot["voter"], "late"))
        else:
            on_time.append(ballot)
    position: dict[str, str] = {}
    for ballot in on_time + by_post:  # each list in time order; their voters never meet
        voter = ballot["voter"]
        if voter in position and not change:
            rejected.append((voter, "change_not_allowed"))
        else:
            position[voter] = ballot["position"]
    if amended and params.get("postal_on_amended", "absent") == "no":
        position.update(dict.fromkeys(postal, "no"))

    def weight(member: str) -> Fraction:
        return members[member][1]

    def votes(ids: set[str] | list[str], college: str | None = None) -> Fraction:
        return sum((weight(m) for m in ids
                    if college is None or members[m][0] == college), Fraction(0))

    attending = in_room | remote | set(accepted) | postal | set(position)
    counts = {p: votes([v for v, q in position.items() if q == p]) for p in _POSITIONS}
    eligible, present = votes(list(members)), votes(attending)
    quorum = params.get("quorum")
    quorum_met = quorum is None or present * quorum["den"] >= quorum["num"] * eligible
    result = Recount(outcome="", counts=counts, eligible=eligible, present=present,
                     participants=votes(list(position)), quorum_met=quorum_met,
                     refused_proxies=refused_proxies, refused_postal=sorted(late_forms),
                     rejected=sorted(rejected))
    result.attendance = {
        "in_room": len(in_room - postal), "remote": len(remote - postal - in_room),
        "remote_not_counted": len(remote_listed - remote - postal - in_room - set(accepted)),
        "represented": len(accepted), "postal": len(postal)}
    threshold = params["threshold"]
    if isinstance(threshold, dict):
        fraction = Fraction(threshold["num"], threshold["den"])
        inclusive, name = threshold.get("inclusive", True), "custom"
    else:
        (fraction, inclusive), name = _THRESHOLDS[threshold], threshold

    def base_of(tally: dict[str, Fraction], present: Fraction, eligible: Fraction) -> Fraction:
        return {"YN": tally["yes"] + tally["no"],
                "YNA": tally["yes"] + tally["no"] + tally["abstain"],
                "valid": tally["yes"] + tally["no"] + tally["abstain"] + tally["blank"],
                "cast": sum(tally.values(), Fraction(0)),
                "present": present, "entitled": eligible}[params["base"]]

    def reaches(share: Fraction) -> bool:
        return share >= fraction if inclusive else share > fraction

    if case["family"] == "majority":
        base = base_of(counts, present, eligible)
        result.base_count = base
        result.yes_share = counts["yes"] / base if base else None
        if not quorum_met:
            result.outcome = "no_quorum"
        elif not base:
            result.outcome = "rejected"
        elif name == "simple":
            result.outcome = "adopted" if counts["yes"] > counts["no"] else "rejected"
        else:
            result.outcome = "adopted" if reaches(counts["yes"] / base) else "rejected"
        return result
    # Colleges: proportional, equal weights, a silent college's weight redistributed.
    colleges = [c["id"] for c in params["colleges"]]
    yes_side = no_side = expressed = Fraction(0)
    for college in colleges:
        voters = [v for v in position if members[v][0] == college]
        tally = {p: votes([v for v in voters if position[v] == p]) for p in _POSITIONS}
        base = base_of(tally, votes(attending, college),
                       votes(list(members), college))
        if base:
            share_weight = Fraction(1, len(colleges))
            expressed += share_weight
            yes_side += share_weight * tally["yes"] / base
            no_side += share_weight * tally["no"] / base
    result.weighted_yes_share = yes_side / expressed if expressed else None
    if not quorum_met:
        result.outcome = "no_quorum"
    elif not expressed:
        result.outcome = "rejected"
    elif name == "simple":
        result.outcome = "adopted" if yes_side > no_side else "rejected"
    else:
        result.outcome = "adopted" if reaches(yes_side / expressed) else "rejected"
    return result
