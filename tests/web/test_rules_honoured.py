"""Issue 9: the web never overrules the rule a proposal shows.

Every rule parameter the proposal form offers (``ProposalForm.rule``) and the options that
touch the count, one test each: a round is driven through the services the views call, and
its stored result is compared with ``evaluate()`` of the same ballots given directly to the
engine, every ballot a member tried, in order, with the times the server saw.

Parameters of the form, and how each is honoured:

- preset, threshold (named, or a fraction, strict or not), base, quorum (none or a
  fraction), per convocation: passed to the engine as chosen (vote rounds).
- min_consents, silence_policy: passed to the engine (consent).
- reasons (the objection's): ``objection_requires_reason`` of the rule; the vote form, the
  round page and the proposal page read it (``rounds.reasons_required``); a reason
  required for the objection by a rule that does not require one is refused at creation,
  next to the field.
- reasons (other positions): asked by the web beside the rule; the engine counts every
  ballot the web stores.
- max_consent_rounds, escalation_target, role, term_months: passed to the engine
  (sociocratic families); the stored case holds them as chosen.
- secret: counters, never changed; tallies of them.
- hide_results, voters_visible, scope: who sees and who decides, not how it is counted.
- allow_vote_change (given by the services, not by the form): ``false`` is refused at cast
  time in the engine's words, and the case holds every ballot so that the engine confirms.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select

from decisions.engine import evaluate, load_case
from decisions.engine.results import time_json
from decisions.web import round_cases
from decisions.web.models import (
    Ballot,
    Elector,
    Membership,
    Organisation,
    Proposal,
    Round,
    RoundKind,
)
from decisions.web.services import proposals, rounds

from .conftest import Auth, Clock, unit
from .round_steps import Coop as Coop  # test_close_when_all imports it from here
from .round_steps import coop_once as coop_once

#: The fields of a result that decide (the explanation and refused ballots aside: a
#: ballot the server refused is not in the stored case).
DECISIVE = ("outcome", "counts", "participants", "eligible", "quorum_met", "base",
            "base_count", "yes_share", "weighted_yes_share", "colleges", "responders",
            "missing", "outstanding_objections", "reason")


@pytest.fixture
def app(rolled_back_app: Flask) -> Flask:
    """The application on the module's world, built once: what a test writes is rolled
    back after it."""
    return rolled_back_app


def _proposal(app: Flask, coop: Coop, clock: Clock, family: str, params: dict[str, Any],
              **options: Any) -> int:
    organisation, members = coop
    with unit(app) as session:
        return proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id),
            session.get_one(Membership, members[0]), title="Buy cargo bikes", body="Two.",
            family=family, params=params, now=clock(), **options).id


def _drive(app: Flask, proposal_id: int, clock: Clock,
           ballots: list[tuple[int, str, dict[str, Any]]],
           kind: RoundKind = RoundKind.VOTE) -> tuple[Round, list[dict[str, Any]]]:
    """Open a round, try each ballot a minute apart, close it at its deadline; the closed
    round and every ballot tried, as the engine's individual ballots."""
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal_id), kind,
                                     closes_at=clock() + timedelta(days=7), now=clock()).id
    tried = []
    for member, position, extra in ballots:
        at = clock.advance(minutes=1)
        tried.append({"voter": str(member), "position": position, "cast_at": time_json(at),
                      **extra})
        try:
            with unit(app) as session:
                rounds.cast_ballot(session, round_id, member, position, now=at, **extra)
        except rounds.BallotRefused:
            pass
    clock.advance(days=8)
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock())
        round_ = session.get_one(Round, round_id)
        session.expunge(round_)
    return round_, tried


def electorate(app: Flask, round_: Round, *, colleges: bool = False) -> list[Any]:
    """The round's electorate as named members (with their colleges)."""
    with unit(app) as session:
        rows = session.execute(select(Elector.membership_id, Elector.college).where(
            Elector.round_id == round_.id).order_by(Elector.membership_id)).all()
    if colleges:
        return [{"id": str(m), "college": c} for m, c in rows]
    return [str(m) for m, _ in rows]


def _direct(round_: Round, family: str, params: dict[str, Any], members: list[Any],
            tried: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    """The engine's own result of the same ballots under the same rule and window."""
    stored = json.loads(round_.case_json or "{}")["params"]
    window = {key: stored[key] for key in ("opens_at", "closes_at", "evaluated_at")}
    case = {"family": family, "params": {**params, **window, **more},
            "electorate": {"members": members}, "ballots": tried}
    return evaluate(load_case(case)).to_json()


def _same(stored: dict[str, Any], direct: dict[str, Any]) -> None:
    for key in DECISIVE:
        assert stored.get(key) == direct.get(key), key


def _vote(app: Flask, coop: Coop, clock: Clock, params: dict[str, Any],
          positions: list[str], family: str = "majority", **options: Any) -> None:
    """A vote of the six members under ``params``, compared with the engine's."""
    members = coop[1]
    proposal = _proposal(app, coop, clock, family, params, **options)
    round_, tried = _drive(app, proposal, clock,
                           [(m, p, {}) for m, p in zip(members, positions, strict=False)])
    stored = json.loads(round_.result_json or "{}")
    named = electorate(app, round_, colleges=family == "scic_college")
    more: dict[str, Any] = {"mode": "async", "convocation": round_.convocation}
    if family == "scic_college":
        case_params = json.loads(round_.case_json or "{}")["params"]
        more.update(colleges=case_params["colleges"],
                    enforce_scic_bounds=case_params["enforce_scic_bounds"])
    _same(stored, _direct(round_, family, params, named, tried, **more))


VOTE_PARAMETERS: dict[str, dict[str, Any]] = {
    "preset": {"preset": "scic_sa_age"},
    "threshold_named": {"threshold": "two_thirds", "base": "YN"},
    "threshold_fraction": {"threshold": {"num": 2, "den": 3, "inclusive": True}, "base": "YN"},
    "threshold_strict": {"threshold": {"num": 2, "den": 3, "inclusive": False}, "base": "YN"},
    "base": {"threshold": "absolute", "base": "YNA"},
    "quorum_none": {"preset": "association_default", "quorum": None},
    "quorum_fraction": {"preset": "association_default", "quorum": {"num": 5, "den": 6}},
    "per_convocation": {"threshold": {"first": "absolute", "second": "simple"},
                        "base": "YN", "quorum": {"first": {"num": 1, "den": 2},
                                                 "second": None}},
}


@pytest.mark.parametrize("name", sorted(VOTE_PARAMETERS))
def test_a_vote_parameter_is_honoured_as_the_engine_defines_it(
        app: Flask, coop: Coop, clock: Clock, name: str) -> None:
    _vote(app, coop, clock, VOTE_PARAMETERS[name], ["yes", "yes", "yes", "yes", "no", "abstain"])


def test_a_college_vote_is_honoured_as_the_engine_defines_it(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _vote(app, coop, clock, {"preset": "scic_sa_ago"}, ["yes", "no", "yes", "no", "no", "yes"],
          family="scic_college")


def test_changed_votes_count_as_the_engine_counts_all_ballots(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """allow_vote_change true (the default): the tally of latest ballots is the engine's
    count of every ballot."""
    members = coop[1]
    proposal = _proposal(app, coop, clock, "majority", {"preset": "association_default"})
    ballots: list[tuple[int, str, dict[str, Any]]] = [
        (members[0], "no", {}), (members[1], "yes", {}), (members[0], "yes", {}),
               (members[2], "no", {}), (members[2], "abstain", {}), (members[1], "no", {})]
    round_, tried = _drive(app, proposal, clock, ballots)
    assert json.loads(round_.case_json or "{}")["ballots"]["format"] == "tally"
    direct = _direct(round_, "majority", {"preset": "association_default"},
                     electorate(app, round_), tried, mode="async", convocation="first")
    _same(json.loads(round_.result_json or "{}"), direct)
    assert direct["superseded_ballots"] == 3


def test_a_second_ballot_is_refused_when_the_rule_forbids_changes(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """allow_vote_change false: the first ballot stands, as the engine says, and the server
    refuses the second in the engine's words."""
    members = coop[1]
    params = {"preset": "association_default", "allow_vote_change": False}
    proposal = _proposal(app, coop, clock, "majority", params)
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal), RoundKind.VOTE,
                                     closes_at=clock() + timedelta(days=7), now=clock()).id
    with unit(app) as session:
        rounds.cast_ballot(session, round_id, members[0], "no", now=clock.advance(minutes=1))
    with pytest.raises(rounds.BallotRefused, match="change not allowed"), unit(app) as session:
        rounds.cast_ballot(session, round_id, members[0], "yes", now=clock.advance(minutes=1))
    clock.advance(days=8)
    with unit(app) as session:
        rounds.close_round(session, round_id, now=clock())
        round_ = session.get_one(Round, round_id)
        result = json.loads(round_.result_json or "{}")
    assert (result["counts"]["no"], result["counts"]["yes"]) == (1, 0)


def test_the_engine_rejects_a_changed_ballot_that_raced_past_the_server(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    """allow_vote_change false: the case holds every ballot, so the engine itself rejects a
    later one, and its refusal reaches the results page."""
    members = coop[1]
    params = {"preset": "association_default", "allow_vote_change": False}
    proposal = _proposal(app, coop, clock, "majority", params)
    ballots: list[tuple[int, str, dict[str, Any]]] = [
        (members[0], "no", {}), (members[1], "yes", {}), (members[2], "yes", {})]
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal), RoundKind.VOTE,
                                     closes_at=clock() + timedelta(days=7), now=clock()).id
    tried = []
    for member, position, _ in [*ballots, (members[0], "yes", {})]:
        at = clock.advance(minutes=1)
        tried.append({"voter": str(member), "position": position, "cast_at": time_json(at)})
        with unit(app) as session:  # as two requests racing: both past the server's check
            session.execute(insert(Ballot).values(round_id=round_id, membership_id=member,
                                                   position=position, reason="", concern="",
                                                   cast_at=at))
    clock.advance(days=8)
    with unit(app) as session:
        rounds.close_round(session, round_id, now=clock())
        round_ = session.get_one(Round, round_id)
        session.expunge(round_)
    stored = json.loads(round_.result_json or "{}")
    assert [(r["voter"], r["reason"]) for r in stored["rejected_ballots"]] == [
        (str(members[0]), "change_not_allowed")]
    direct = _direct(round_, "majority", params, electorate(app, round_), tried,
                     mode="async", convocation="first")
    _same(stored, direct)
    assert stored["rejected_ballots"] == direct["rejected_ballots"]
    auth.login("ana@example.org")
    page = client.get(f"/orgs/coop/proposals/{proposal}/rounds/{round_id}/results")
    assert "1 ballot not counted: 1 change not allowed." in page.get_data(as_text=True)


def test_a_secret_vote_is_tallied_as_the_engine_counts_it(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _vote(app, coop, clock, {"preset": "association_default"},
          ["yes", "no", "yes", "blank", "abstain", "yes"], secret=True)


# Consent -------------------------------------------------------------------------------


def _consent(app: Flask, coop: Coop, clock: Clock, params: dict[str, Any],
             ballots: list[tuple[int, str, dict[str, Any]]], **options: Any) -> dict[str, Any]:
    proposal = _proposal(app, coop, clock, "consent", params, **options)
    round_, tried = _drive(app, proposal, clock, ballots, RoundKind.CONSENT)
    stored: dict[str, Any] = json.loads(round_.result_json or "{}")
    _same(stored, _direct(round_, "consent", params, electorate(app, round_), tried))
    return stored


def test_min_consents_is_honoured(app: Flask, coop: Coop, clock: Clock) -> None:
    members = coop[1]
    stored = _consent(app, coop, clock, {"min_consents": 3},
                      [(members[0], "consent", {}), (members[1], "consent", {})])
    assert stored["outcome"] != "adopted"


def test_silence_policy_is_honoured(app: Flask, coop: Coop, clock: Clock) -> None:
    members = coop[1]
    _consent(app, coop, clock, {"silence_policy": "require_all"},
             [(members[0], "consent", {}), (members[1], "abstain", {})])


def test_an_objection_without_reason_counts_when_the_rule_does_not_require_one(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """objection_requires_reason false (the form's Objection unticked): the server takes an
    objection without a reason, as the engine does, and it blocks."""
    members = coop[1]
    stored = _consent(app, coop, clock, {"objection_requires_reason": False},
                      [(members[0], "consent", {}), (members[1], "object", {})])
    assert stored["outcome"] == "blocked"


def test_an_objection_needs_a_reason_when_the_rule_requires_one(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """The default rule: the server refuses an objection without a reason, which the engine
    would refuse too (missing_reason), so the result is the same."""
    members = coop[1]
    stored = _consent(app, coop, clock, {},
                      [(members[0], "consent", {}), (members[1], "object", {}),
                       (members[2], "object", {"reason": "Too expensive."})])
    assert stored["outstanding_objections"] == [str(members[2])]


def test_a_reason_asked_for_another_position_is_counted_as_the_engine_counts(
        app: Flask, coop: Coop, clock: Clock) -> None:
    """Reasons for positions the rule does not know: the server asks for one as for any
    required field, and the engine counts every ballot stored (a member refused for want of
    a reason has cast nothing: left out of the ballots given to the engine)."""
    members = coop[1]
    proposal = _proposal(app, coop, clock, "consent", {}, reason_required=("abstain",))
    round_, tried = _drive(app, proposal, clock, [
        (members[0], "abstain", {}), (members[1], "abstain", {"reason": "Away."}),
        (members[2], "consent", {})], RoundKind.CONSENT)
    stored = json.loads(round_.result_json or "{}")
    _same(stored, _direct(round_, "consent", {}, electorate(app, round_), tried[1:]))
    assert stored["counts"]["abstain"] == 1


def test_a_changed_consent_is_refused_when_the_rule_forbids_changes(
        app: Flask, coop: Coop, clock: Clock) -> None:
    members = coop[1]
    stored = _consent(app, coop, clock, {"allow_vote_change": False},
                      [(members[0], "consent", {}), (members[0], "object", {"reason": "No."}),
                       (members[1], "consent", {})])
    assert stored["outcome"] == "adopted"


def test_a_reason_for_the_objection_is_refused_at_creation_when_the_rule_takes_none(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with pytest.raises(proposals.ReasonsError):
        _proposal(app, coop, clock, "consent", {"objection_requires_reason": False},
                  reason_required=("object",))


def test_the_pages_say_the_reason_rule_the_server_applies(
        app: Flask, coop: Coop, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    """Demo proposals 1, 2 and 5: the proposal page, the round page and the server agree."""
    members = coop[1]
    required = _proposal(app, coop, clock, "consent", {"preset": "consent_async"})
    free = _proposal(app, coop, clock, "consent", {"objection_requires_reason": False})
    auth.login("ana@example.org")
    for proposal, needed in ((required, True), (free, False)):
        with unit(app) as session:
            round_id = rounds.open_round(
                session, session.get_one(Proposal, proposal), RoundKind.CONSENT,
                closes_at=clock() + timedelta(days=7), now=clock()).id
        shown = client.get(f"/orgs/coop/proposals/{proposal}").get_data(as_text=True)
        assert ("Required for: Objection." in shown) is needed
        assert ("No position requires a reason." in shown) is not needed
        with unit(app) as session:
            assert ("object" in rounds.reasons_required(
                session.get_one(Proposal, proposal))) is needed
        if not needed:
            with unit(app) as session:
                rounds.cast_ballot(session, round_id, members[0], "object", now=clock())


# Sociocratic families ------------------------------------------------------------------


@pytest.mark.parametrize(("family", "params"), [
    ("sociocratic_consent", {"max_consent_rounds": 2, "escalation_target": "Board"}),
    ("sociocratic_election", {"role": "treasurer", "term_months": 12,
                              "max_consent_rounds": 1}),
])
def test_sociocratic_parameters_reach_the_engine_as_chosen(
        app: Flask, coop: Coop, clock: Clock, family: str, params: dict[str, Any]) -> None:
    """max_consent_rounds, escalation_target, role, term_months: in the case as chosen, and
    the stored result is the engine's of that case."""
    proposal = _proposal(app, coop, clock, family, params)
    kind = RoundKind.CONSENT if family == "sociocratic_consent" else RoundKind.NOMINATION
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal), kind,
                                     closes_at=clock() + timedelta(days=7), now=clock()).id
        round_ = session.get_one(Round, round_id)
        case = round_cases.case_json(session, round_, clock())
    for key, value in params.items():
        assert case["params"][key] == value
    assert evaluate(load_case(case)).outcome.value in ("pending", "needs_integration")
