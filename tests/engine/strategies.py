"""Hypothesis strategies: valid cases of every family, as JSON values of the case format.

Every strategy draws a case that ``load_case`` accepts: a case it refuses is a bug of the
strategy, not of the engine. Times are whole minutes after the fixed start of
``decisions.engine.testing.at``, in a short span, so that equal timestamps, ballots on the
deadline and evaluations before it come up often. Nothing here reads /work/shared.

Strategy objects are built once (module constants, or cached factories): building and
validating them anew for every example would cost more than evaluating the cases.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Any

from hypothesis import strategies as st

from decisions.engine import PRESETS, Family
from decisions.engine.testing import at

__all__ = [
    "SPAN",
    "Json",
    "ballot_lists",
    "college_cases",
    "college_weights",
    "consent_cases",
    "election_logs",
    "majority_cases",
    "meeting_cases",
    "minute_of",
    "sociocratic_logs",
    "vote_params",
    "windows",
]

Json = dict[str, Any]

#: Ballots are cast from minute 0 to minute ``SPAN``; windows open and close inside it.
SPAN = 12

TALLY_KEYS = ("yes", "no", "abstain", "blank", "invalid")
VOTE_POSITIONS = ("yes", "yes", "yes", "no", "no", "abstain", "blank", "invalid")
CONSENT_POSITIONS = ("consent", "abstain", "object")
COLLEGE_IDS = ("salaries", "usagers", "partenaires", "fondateurs", "collectivites")
CIRCLE = ("ana", "bo", "cy", "di")
OUTSIDER = "zed"  # never a member: ballots and events of an outsider are refused
VOTE_PRESETS = tuple(sorted(n for n, p in PRESETS.items() if Family.MAJORITY in p.families))


def minute_of(text: str) -> int:
    """The minute, after the fixed start of ``at``, of a time written by the strategies."""
    return (datetime.fromisoformat(text) - datetime.fromisoformat(at(0))) // timedelta(minutes=1)


def _ratio(max_den: int = 6) -> st.SearchStrategy[Json]:
    return st.integers(1, max_den).flatmap(
        lambda den: st.integers(0, den).map(lambda num: {"num": num, "den": den}))


def _per_convocation(values: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A value, or ``{"first": X, "second": Y}`` (``second`` optional)."""
    return values | st.fixed_dictionaries({"first": values}, optional={"second": values})


# Constant strategies --------------------------------------------------------------------

BOOLEANS = st.booleans()
MINUTES = st.integers(0, SPAN)
TIMES = MINUTES.map(at)
REASONS = st.sampled_from([None, "", "  ", "over budget", "unsafe for the members",
                           "breaks the budget rule"])
CONCERNS = st.sampled_from([None, "worried about cost"])
SEQS = st.integers(0, 3)


def _custom_threshold(ratio: Json, inclusive: bool | None) -> Json:
    return ratio if inclusive is None else {**ratio, "inclusive": inclusive}


CUSTOM_THRESHOLDS = st.builds(_custom_threshold, _ratio(), st.none() | BOOLEANS)
THRESHOLDS: st.SearchStrategy[Any] = (
    st.sampled_from(["simple", "absolute", "two_thirds", "three_quarters"]) | CUSTOM_THRESHOLDS
)
BASES = st.sampled_from(["YN", "YNA", "valid", "cast", "present", "entitled"])
QUORUMS: st.SearchStrategy[Json | None] = st.none() | _ratio()
THRESHOLD_PARAM = _per_convocation(THRESHOLDS)
BASE_PARAM = _per_convocation(BASES)
QUORUM_PARAM = _per_convocation(QUORUMS)
PRESET_OR_NONE = st.none() | st.sampled_from(VOTE_PRESETS)
CONVOCATIONS = st.sampled_from(["first", "second"])
MODES = st.sampled_from(["meeting", "async"])
NOTICE_DAYS = st.sampled_from([20, 15, 10, 16, 14, 9, 0])
MIN_DAYS = _per_convocation(st.sampled_from([10, 15, 0, 14]))
RARELY = st.sampled_from([False, False, False, True])
METHODS = st.sampled_from(["proportional", "bloc"])
POLICIES = st.sampled_from(["redistribute", "fixed"])
SCOPES = st.sampled_from(["assembly_heads", "weighted", "per_college_min"])
DENOMINATORS = st.sampled_from([1, 2, 3, 4, 5, 7])
CONSENT_PRESET = st.just("consent_async")
POSITION_LISTS = st.lists(st.sampled_from(CONSENT_POSITIONS), unique=True, max_size=3)
OBJECTION_POLICIES = st.sampled_from(["reject_ballot", "downgrade_to_concern"])
SILENCE_POLICIES = st.sampled_from(["consent", "require_all"])
MIN_CONSENTS = st.integers(0, 3)
ROUNDS_LIMITS = st.integers(1, 4)
TARGETS = st.sampled_from([None, "general_circle"])
ABSENT_POLICIES = st.sampled_from(["await", "cannot_object", "prior_input"])
PHASE_LISTS = st.lists(st.sampled_from(["clarifying", "reactions"]), unique=True, max_size=2)
REVIEW_DATES = st.sampled_from([None, "2026-04-01"])
ROUND_COUNTS = st.sampled_from([1, 2, 1, 3, 0])
ANSWERS = st.sampled_from([0, 1, 1, 1, 1, 1, 1, 2])
OUTSIDER_ANSWERS = st.sampled_from([0, 0, 1])
PROPOSAL_RULES = st.sampled_from(["facilitator", "top_nominee"])
TERMS = st.integers(1, 24)


def _maybe(draw: st.DrawFn, params: Json, key: str, values: st.SearchStrategy[Any]) -> None:
    """Set ``params[key]`` to a drawn value, or leave it out (the default applies)."""
    if draw(BOOLEANS):
        params[key] = draw(values)


@lru_cache(maxsize=64)
def _subsets(items: tuple[str, ...]) -> st.SearchStrategy[list[str]]:
    return st.lists(st.sampled_from(items), unique=True) if items else st.just([])


# Windows and vote parameters --------------------------------------------------------------


@st.composite
def windows(draw: st.DrawFn) -> Json:
    """Time-window parameters: ``opens_at <= closes_at``, each optional, and
    ``evaluated_at`` anywhere (before opening, inside, on or after the deadline)."""
    params: Json = {}
    if draw(BOOLEANS):
        params["opens_at"] = at(draw(st.integers(0, 4)))
    if draw(BOOLEANS):
        opens = minute_of(params["opens_at"]) if "opens_at" in params else 0
        params["closes_at"] = at(draw(st.integers(opens, SPAN)))
    if draw(BOOLEANS):
        params["evaluated_at"] = at(draw(st.integers(0, SPAN + 2)))
    _maybe(draw, params, "deadline_inclusive", BOOLEANS)
    return params


@st.composite
def vote_params(draw: st.DrawFn) -> Json:
    """Parameters of a majority vote: a preset or an explicit threshold and base, quorum,
    convocation (with a notice check), mode, vote changes, early close and a window."""
    params: Json = {}
    preset = draw(PRESET_OR_NONE)
    if preset is not None:
        params["preset"] = preset
    if preset is None or draw(BOOLEANS):
        params["threshold"] = draw(THRESHOLD_PARAM)
        params["base"] = draw(BASE_PARAM)
    _maybe(draw, params, "quorum", QUORUM_PARAM)
    _maybe(draw, params, "convocation", CONVOCATIONS)
    _maybe(draw, params, "mode", MODES)
    _maybe(draw, params, "allow_vote_change", BOOLEANS)
    _maybe(draw, params, "close_when_all_voted", BOOLEANS)
    if draw(RARELY):
        day = draw(st.integers(1, 9))
        notice = draw(NOTICE_DAYS)
        check: Json = {"sent_on": f"2025-03-0{day}", "meeting_on": f"2025-03-{day + notice:02d}"}
        has_notice = preset is not None and PRESETS[preset].notice_days is not None
        if not has_notice or draw(BOOLEANS):
            check["min_days"] = draw(MIN_DAYS)
        params["convocation_check"] = check
    params.update(draw(windows()))
    return params


# Ballots ---------------------------------------------------------------------------------


def _rank_key(ballot: Json) -> tuple[str, str, int]:
    return ballot["voter"], ballot["cast_at"], ballot.get("seq") or 0


def _time_key(ballot: Json) -> str:
    return str(ballot["cast_at"])


@lru_cache(maxsize=4096)
def _ballot_lists(voters: tuple[str, ...], positions: tuple[str, ...],
                  palette: tuple[int, ...], max_size: int,
                  distinct_times: bool, with_seq: bool) -> st.SearchStrategy[list[Json]]:
    times = st.sampled_from(palette).map(at) | TIMES  # shared instants come up often
    optional: dict[str, st.SearchStrategy[Any]] = {"reason": REASONS, "concern": CONCERNS}
    if with_seq:
        optional["seq"] = SEQS
    ballot = st.fixed_dictionaries(
        {"voter": st.sampled_from(voters), "position": st.sampled_from(positions),
         "cast_at": times}, optional=optional)
    return st.lists(ballot, max_size=max_size,
                    unique_by=_time_key if distinct_times else _rank_key)


PALETTES = st.lists(MINUTES, min_size=1, max_size=3, unique=True)
TIGHT_PALETTES = st.lists(MINUTES, min_size=2, max_size=2, unique=True)
TIGHT_CHOICES = st.sampled_from([(1,), (0, 1), (0,), (0, 1)])  # first, last or both


@st.composite
def ballot_lists(
    draw: st.DrawFn, voters: list[str], positions: tuple[str, ...], *, max_size: int = 10,
    distinct_times: bool = False, everyone: list[str] | None = None, tight: bool = False,
) -> list[Json]:
    """Individual ballots. Two ballots of one voter never share both ``cast_at`` and
    ``seq`` (their order is then fixed by the case, not by arrival); with
    ``distinct_times`` no two ballots at all share a ``cast_at``; with ``everyone``, each
    of those voters casts at least one ballot (so that early close can happen); ``tight``
    casts every ballot at one of one or two instants, without ``seq``. Half of the lists
    have no ``seq`` at all (the engine counts those on a faster path)."""
    if tight and everyone:
        return draw(_tight_ballots(tuple(everyone), positions))
    palette = tuple(draw(PALETTES))
    ballots = draw(_ballot_lists(tuple(voters), positions, palette, max_size, distinct_times,
                                 draw(BOOLEANS)))
    if everyone:
        seen = {_time_key(b) if distinct_times else _rank_key(b) for b in ballots}
        for voter in everyone:
            if any(b["voter"] == voter for b in ballots):
                continue
            for minute in (*palette, *range(SPAN + 1)):
                ballot = {"voter": voter, "position": draw(st.sampled_from(positions)),
                          "cast_at": at(minute)}
                key = _time_key(ballot) if distinct_times else _rank_key(ballot)
                if key not in seen:
                    seen.add(key)
                    ballots.insert(draw(st.integers(0, len(ballots))), ballot)
                    break
    return ballots


@st.composite
def _tight_ballots(draw: st.DrawFn, voters: tuple[str, ...],
                   positions: tuple[str, ...]) -> list[Json]:
    """Every voter votes at one or both of two instants, without ``seq``: a voter's
    change often falls at the very instant the last voter answers."""
    palette = sorted(draw(TIGHT_PALETTES))
    ballots = [{"voter": voter, "position": draw(st.sampled_from(positions)),
                "cast_at": at(palette[i]), "reason": "over budget"}
               for voter in voters for i in draw(TIGHT_CHOICES)]
    return draw(st.permutations(ballots))


@st.composite
def _tally(draw: st.DrawFn, max_count: int = 6) -> Json:
    """A tally, zero counts sometimes left out."""
    counts = [draw(st.integers(0, max_count if k == "yes" else max_count // 2))
              for k in TALLY_KEYS]
    zeros = draw(BOOLEANS)
    return {k: n for k, n in zip(TALLY_KEYS, counts, strict=True) if n or zeros}


def _total(tally: Json) -> int:
    return sum(tally.get(k, 0) for k in TALLY_KEYS)


# Majority and multi-college votes ---------------------------------------------------------


def _early_close(params: Json, flag: str) -> bool:
    """Parameters under which a vote closes once everyone has answered, changes allowed
    until then, and no window: the ballots decide when it closes."""
    params[flag] = params["allow_vote_change"] = True
    for key in ("opens_at", "closes_at", "evaluated_at"):
        params.pop(key, None)
    return True


@st.composite
def majority_cases(draw: st.DrawFn, ballots: str | None = None, *,
                   distinct_times: bool = False, everyone_votes: bool = False,
                   early_close: bool = False) -> Json:
    """A majority case: ``ballots="tally"`` (a counted meeting: eligible, present and a
    tally that fits in it) or ``"individual"`` (ballots over named members, some present,
    and an outsider), or either. ``everyone_votes``: every member casts a ballot;
    ``early_close``: moreover 1 to 3 members and ``close_when_all_voted``."""
    kind = ballots or draw(st.sampled_from(["tally", "individual"]))
    params = draw(vote_params())
    if early_close:
        everyone_votes = _early_close(params, "close_when_all_voted")
    if kind == "tally":
        tally = draw(_tally())
        total = _total(tally)
        present = total + draw(st.integers(0, 4)) if draw(BOOLEANS) else None
        electorate: Json = {"eligible": (total if present is None else present)
                            + draw(st.integers(0, 4))}
        if present is not None:
            electorate["present"] = present
        return {"family": "majority", "params": params, "electorate": electorate,
                "ballots": {"format": "tally", **tally}}
    count = st.integers(2, 3) if early_close else st.integers(1, 6)
    members = [f"m{i}" for i in range(draw(count))]
    electorate = {"members": members}
    _maybe(draw, electorate, "present", _subsets(tuple(members)))
    return {"family": "majority", "params": params, "electorate": electorate,
            "ballots": draw(ballot_lists([*members, OUTSIDER], VOTE_POSITIONS,
                                         distinct_times=distinct_times,
                                         everyone=members if everyone_votes else None,
                                         tight=early_close))}


@lru_cache(maxsize=1024)
def _weight_json(weight: Fraction) -> st.SearchStrategy[Any]:
    """The ways a case may write a weight: ``"a/b"`` (in lowest terms or not), an
    integer, a decimal string or a JSON number."""
    num, den = weight.numerator, weight.denominator
    forms: list[st.SearchStrategy[Any]] = [
        st.just(f"{num}/{den}"), st.integers(2, 3).map(lambda k: f"{num * k}/{den * k}")]
    if den == 1:
        forms.append(st.just(num))
    if 10**6 % den == 0:
        decimal = str(Decimal(num) / Decimal(den))
        forms += [st.just(decimal), st.just(float(decimal))]
    return st.one_of(forms)


@st.composite
def college_weights(draw: st.DrawFn, n: int) -> list[Any] | None:
    """Statutory weights valid under the SCIC bounds (each in [10, 50] percent, summing to
    exactly 100), or ``None`` for the legal default of equal weights."""
    if draw(RARELY):
        return None
    if draw(RARELY):  # equal weights written out, "100/3" for three colleges
        return [draw(_weight_json(Fraction(100, n))) for _ in range(n)]
    den = draw(DENOMINATORS)
    remaining, cap = (100 - 10 * n) * den, 40 * den
    units = []
    for left in range(n - 1, 0, -1):
        unit = draw(st.integers(max(0, remaining - cap * left), min(cap, remaining)))
        units.append(unit)
        remaining -= unit
    units.append(remaining)
    return [draw(_weight_json(10 + Fraction(u, den))) for u in units]


@st.composite
def college_cases(draw: st.DrawFn, ballots: str | None = None, *,
                  distinct_times: bool = False, everyone_votes: bool = False,
                  early_close: bool = False) -> Json:
    """A SCIC multi-college case: 3 to 5 colleges with valid weights (or all ``null``),
    a method, a silent-college policy, a quorum scope, and either counts by college
    (``ballots="tally"``) or individual ballots of members with a college.
    ``everyone_votes`` and ``early_close`` as for :func:`majority_cases`."""
    kind = ballots or draw(st.sampled_from(["tally", "individual"]))
    ids = list(COLLEGE_IDS[:draw(st.integers(3, 5))])
    weights = draw(college_weights(len(ids)))
    params = draw(vote_params())
    params["colleges"] = [
        {"id": c} if weights is None and draw(BOOLEANS)
        else {"id": c, "weight": None if weights is None else weights[i]}
        for i, c in enumerate(ids)]
    _maybe(draw, params, "method", METHODS)
    _maybe(draw, params, "empty_college_policy", POLICIES)
    _maybe(draw, params, "quorum_scope", SCOPES)
    _maybe(draw, params, "enforce_scic_bounds", BOOLEANS)
    if early_close:
        everyone_votes = _early_close(params, "close_when_all_voted")
    case: Json = {"family": "scic_college", "params": params}
    if kind == "tally":
        heads: Json = {}
        tallies: Json = {"format": "tally_by_college"}
        for college in ids:
            tally = draw(_tally(max_count=5))
            present = _total(tally) + draw(st.integers(0, 3))
            members = present + draw(st.integers(0, 3))
            if members or draw(BOOLEANS):  # an empty college may be left out
                heads[college] = {"members": members, "present": present}
            if _total(tally) or draw(BOOLEANS):
                tallies[college] = tally
        case["electorate"] = {"colleges": heads}
        case["ballots"] = tallies
        return case
    roll = [{"id": f"{college[:3]}{i}", "college": college}
            for college in ids
            for i in range(1 if early_close else draw(st.integers(0, 3)))]
    voters = [m["id"] for m in roll]
    electorate: Json = {"members": roll}
    _maybe(draw, electorate, "present", _subsets(tuple(voters)))
    case["electorate"] = electorate
    case["ballots"] = draw(ballot_lists([*voters, OUTSIDER], VOTE_POSITIONS,
                                        distinct_times=distinct_times,
                                        everyone=voters if everyone_votes else None,
                                        tight=early_close))
    return case


# Consent --------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _consent_events(voters: tuple[str, ...]) -> st.SearchStrategy[list[Json]]:
    """Qualifications and withdrawals of objections, dated or not."""
    qualified = st.fixed_dictionaries(
        {"type": st.just("objection_qualified"), "voter": st.sampled_from(voters),
         "result": st.sampled_from(["valid", "invalid", "concern"]),
         "decided_by": st.sampled_from(["circle", "facilitator", *voters])},
        optional={"rationale": st.sampled_from([None, "no harm shown"]), "at": TIMES,
                  "round": st.integers(1, 2)})
    withdrawn = st.fixed_dictionaries(
        {"type": st.just("objection_withdrawn"), "voter": st.sampled_from(voters)},
        optional={"note": st.just("clarified"), "at": TIMES, "round": st.integers(1, 2)})
    return st.lists(qualified | withdrawn, max_size=4)


def _interleave(draw: st.DrawFn, ballots: list[Json], events: list[Json]) -> list[Json]:
    """Events placed among the ballots, in their own order."""
    items = list(ballots)
    position = 0
    for event in events:
        position = draw(st.integers(position, len(items)))
        items.insert(position, event)
        position += 1
    return items


@st.composite
def consent_cases(draw: st.DrawFn, *, distinct_times: bool = False,
                  everyone_votes: bool = False, early_close: bool = False) -> Json:
    """An asynchronous consent case: members, ballots (consent, abstain, object with or
    without a reason, concerns) and qualification or withdrawal events.
    ``everyone_votes`` and ``early_close`` as for :func:`majority_cases`."""
    members = list(CIRCLE[:draw(st.integers(2, 3) if early_close else st.integers(1, 4))])
    params: Json = {}
    _maybe(draw, params, "preset", CONSENT_PRESET)
    _maybe(draw, params, "positions", POSITION_LISTS)
    _maybe(draw, params, "objection_requires_reason", BOOLEANS)
    _maybe(draw, params, "unreasoned_objection_policy", OBJECTION_POLICIES)
    _maybe(draw, params, "silence_policy", SILENCE_POLICIES)
    _maybe(draw, params, "min_responses", QUORUMS)
    _maybe(draw, params, "min_consents", MIN_CONSENTS)
    _maybe(draw, params, "close_when_all_responded", BOOLEANS)
    _maybe(draw, params, "allow_abstain", BOOLEANS)
    _maybe(draw, params, "allow_vote_change", BOOLEANS)
    params.update(draw(windows()))
    if early_close:
        everyone_votes = _early_close(params, "close_when_all_responded")
    voters = [*members, OUTSIDER]
    ballots = draw(ballot_lists(voters, CONSENT_POSITIONS, distinct_times=distinct_times,
                                everyone=members if everyone_votes else None,
                                tight=early_close))
    events = draw(_consent_events(tuple(voters)))
    return {"family": "consent", "params": params, "electorate": {"members": members},
            "ballots": _interleave(draw, ballots, events)}


# Sociocratic consent and elections ---------------------------------------------------------


def _sociocratic_params(draw: st.DrawFn, family: str) -> Json:
    params: Json = {}
    _maybe(draw, params, "preset", st.just(family))
    _maybe(draw, params, "max_consent_rounds", ROUNDS_LIMITS)
    _maybe(draw, params, "escalation_target", TARGETS)
    _maybe(draw, params, "allow_abstain", BOOLEANS)
    _maybe(draw, params, "objection_requires_reason", BOOLEANS)
    _maybe(draw, params, "recheck_all_after_amend", BOOLEANS)
    _maybe(draw, params, "absent_policy", ABSENT_POLICIES)
    _maybe(draw, params, "require_phases", PHASE_LISTS)
    _maybe(draw, params, "review_date", REVIEW_DATES)
    return params


@lru_cache(maxsize=1024)
def _position(voter: str, round_: int, version: int) -> st.SearchStrategy[Json]:
    """A position in a round: mostly on the open round and version, sometimes stale."""
    return st.fixed_dictionaries(
        {"type": st.just("position"), "voter": st.just(voter),
         "round": st.sampled_from([round_] * 6 + [max(1, round_ - 1), round_ + 1]),
         "position": st.sampled_from(["consent"] * 5 + ["concern", "object", "abstain"])},
        optional={"version": st.sampled_from([version] * 10 + [version + 1,
                                                                max(1, version - 1)]),
                  "reason": REASONS})


@lru_cache(maxsize=512)
def _round_noise(voters: tuple[str, ...], round_: int) -> st.SearchStrategy[list[Json]]:
    """What else happens in a round: (re-)qualifications, by the objector, the circle or
    the facilitator alone, and withdrawals."""
    rounds = st.sampled_from([None, round_, max(1, round_ - 1)])
    qualified = st.fixed_dictionaries(
        {"type": st.just("objection_qualified"), "voter": st.sampled_from(voters),
         "result": st.sampled_from(["valid", "invalid", "concern"]),
         "decided_by": st.sampled_from(["circle", "facilitator", *voters])},
        optional={"rationale": st.just("checked with the circle"), "round": rounds})
    withdrawn = st.fixed_dictionaries(
        {"type": st.just("objection_withdrawn"), "voter": st.sampled_from(voters)},
        optional={"round": rounds, "note": st.just("clarified")})
    return st.lists(qualified | withdrawn, max_size=2)


def _consent_rounds(draw: st.DrawFn, members: list[str], *, election: bool) -> list[Json]:
    """Consent rounds: round numbers going up, amendments between rounds (new versions),
    each member answering zero, one or two times, then qualifications and withdrawals."""
    events: list[Json] = []
    voters = (*members, OUTSIDER)
    round_, version = 0, 1
    for _ in range(draw(ROUND_COUNTS)):
        if round_ and draw(RARELY):
            version += 1
            integrates = draw(_subsets(tuple(members)))[:2]
            events.append({"type": "amend", "version": version, "summary": f"v{version}",
                           "integrates": [{"round": round_, "voter": v} for v in integrates]})
        round_ += draw(st.integers(1, 2))
        opened: Json = {"type": "round_open", "round": round_}
        _maybe(draw, opened, "version", st.just(version))
        if election and draw(RARELY):
            opened["candidate"] = draw(st.sampled_from(members))
        events.append(opened)
        for voter in draw(st.permutations(voters)):
            answers = draw(OUTSIDER_ANSWERS if voter == OUTSIDER else ANSWERS)
            events += [draw(_position(voter, round_, version)) for _ in range(answers)]
        events += draw(_round_noise(voters, round_))
    if round_ and draw(RARELY) and draw(BOOLEANS):  # an amendment awaiting its round
        events.append({"type": "amend", "version": version + 1, "summary": "late"})
    return events


@st.composite
def sociocratic_logs(draw: st.DrawFn) -> Json:
    """A sociocratic consent log: phases, rounds on versions, positions (some stale,
    early, late, unreasoned or by an outsider), qualifications, withdrawals, amendments."""
    members = list(CIRCLE[:draw(st.integers(1, 4))])
    electorate: Json = {"members": members}
    _maybe(draw, electorate, "present", _subsets(tuple(members)))
    events: list[Json] = [{"type": "phase", "phase": p} for p in draw(PHASE_LISTS)]
    events += _consent_rounds(draw, members, election=False)
    return {"family": "sociocratic_consent",
            "params": _sociocratic_params(draw, "sociocratic_consent"),
            "electorate": electorate, "ballots": events}


@lru_cache(maxsize=64)
def _nominations(members: tuple[str, ...]) -> st.SearchStrategy[list[tuple[str, str]]]:
    voters = st.sampled_from([*members, OUTSIDER])
    nominees = st.sampled_from([*members, "outside_search", OUTSIDER])
    return st.lists(st.tuples(voters, nominees), max_size=5)


@st.composite
def election_logs(draw: st.DrawFn) -> Json:
    """A sociocratic election log: nominations (self, outside search, outsiders, twice),
    changes, a facilitator's proposal or not, then consent rounds on the candidate."""
    members = list(CIRCLE[:draw(st.integers(1, 4))])
    electorate: Json = {"members": members}
    _maybe(draw, electorate, "present", _subsets(tuple(members)))
    params = _sociocratic_params(draw, "sociocratic_election")
    _maybe(draw, params, "role", st.just("facilitator"))
    _maybe(draw, params, "term_months", TERMS)
    _maybe(draw, params, "self_nomination", BOOLEANS)
    _maybe(draw, params, "proposal_rule", PROPOSAL_RULES)
    _maybe(draw, params, "tie_rule", st.just("facilitator_choice"))
    events: list[Json] = []
    for kind in ("nomination", "change"):
        events += [{"type": kind, "voter": v, "nominee": n, "reason": "skills"}
                   for v, n in draw(_nominations(tuple(members)))]
    if draw(BOOLEANS):
        candidate = draw(st.sampled_from([*members, "outside_search", OUTSIDER]))
        events.append({"type": "facilitator_proposal", "candidate": candidate,
                       "reason": "from the reasons heard"})
    events += _consent_rounds(draw, members, election=True)
    return {"family": "sociocratic_election", "params": params, "electorate": electorate,
            "ballots": events}


# Meetings with an attendance sheet ----------------------------------------------------------

MEMBER_WEIGHTS = st.sampled_from([1, 1, 1, 1, 2, "1/2", "3/10", "3/2"])
CAPS = st.sampled_from([0, 1, 1, 2, 2, 3, "unlimited"])
#: How a member takes part: absent, in the room, remote, by post, or in the room after
#: sending a postal form.
WAYS = st.sampled_from(["absent", "absent", "room", "room", "room", "remote", "postal",
                        "room+postal"])
BALLOT_KINDS = st.sampled_from(["own", "own", "proxy", "proxy", "stray_proxy", "postal"])


@st.composite
def meeting_cases(draw: st.DrawFn, family: str | None = None, *,
                  weighted: bool | None = None) -> Json:
    """A meeting evaluated closed, with an attendance sheet: members (weighted or not, in
    colleges for ``scic_college``), some in the room, remote or voting by post (forms
    received before or after the opening at minute 2), proxies (to members present,
    absent, represented themselves, or to an outsider), and ballots at distinct minutes:
    own ones, ones cast by the proxy holder, by someone holding no proxy, or by post.
    The statutory parameters (cap, same college, remote counted, postal deadline, amended
    resolution and its postal policy) are drawn too. Colleges are proportional with equal
    weights, as ``recount`` expects."""
    family = family or draw(st.sampled_from(["majority", "scic_college"]))
    members = [f"m{i}" for i in range(draw(st.integers(1, 7)))]
    weighted = draw(BOOLEANS) if weighted is None else weighted
    ids = list(COLLEGE_IDS[:3])
    params: Json = {"mode": "meeting", "threshold": draw(THRESHOLDS), "base": draw(BASES),
                    "quorum": draw(QUORUMS), "opens_at": at(2),
                    "max_proxies_per_holder": draw(CAPS)}
    if draw(BOOLEANS):
        params["closes_at"] = at(10)
    _maybe(draw, params, "postal_deadline", st.integers(1, 4).map(at))
    _maybe(draw, params, "remote_counts_as_present", BOOLEANS)
    _maybe(draw, params, "amended_in_meeting", RARELY)
    _maybe(draw, params, "postal_on_amended", st.sampled_from(["absent", "no"]))
    _maybe(draw, params, "allow_vote_change", BOOLEANS)
    roll: list[Any] = []
    college_of: dict[str, str] = {}
    for member in members:
        row: Json = {"id": member}
        if family == "scic_college":
            row["college"] = college_of[member] = draw(st.sampled_from(ids))
        if weighted:
            row["weight"] = draw(MEMBER_WEIGHTS)
        roll.append(row if len(row) > 1 else member)
    if family == "scic_college":
        params["colleges"] = [{"id": c} for c in ids]
        _maybe(draw, params, "proxy_same_college", BOOLEANS)
    ways = {m: draw(WAYS) for m in members}
    electorate: Json = {
        "members": roll,
        "present": [m for m, w in ways.items() if w.startswith("room")],
        "remote": [m for m, w in ways.items() if w == "remote"],
        "postal": {m: at(draw(st.integers(0, 4))) for m, w in ways.items() if "postal" in w},
        "represented_by": {m: draw(st.sampled_from([*members, OUTSIDER]))
                           for m in members if draw(st.sampled_from([False, False, True]))},
    }
    proxies, forms = electorate["represented_by"], electorate["postal"]
    ballots = []
    for minute in draw(st.lists(st.integers(0, 14), unique=True, max_size=10)):
        voter = draw(st.sampled_from([*members, OUTSIDER]))
        ballot: Json = {"voter": voter, "position": draw(st.sampled_from(VOTE_POSITIONS)),
                        "cast_at": at(minute)}
        kind = draw(BALLOT_KINDS)
        if kind == "postal" and voter in forms:
            ballot["postal"] = True
        elif kind == "proxy" and voter in proxies:
            ballot["cast_by"] = proxies[voter]
        elif kind == "stray_proxy":
            ballot["cast_by"] = draw(st.sampled_from([*members, OUTSIDER]))
        ballots.append(ballot)
    return {"family": family, "params": params, "electorate": electorate,
            "ballots": draw(st.permutations(ballots))}
