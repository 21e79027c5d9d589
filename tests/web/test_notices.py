"""Who is told what: each event writes one notice per recipient in its own transaction, the
delivery each member chose, reminders only to those who have not answered and once, a
facilitator's nudge limited and logged, objections to the facilitators and the author, a new
version to those who consented, the outcome to every member; answer links only where they
are allowed; and how many electors were told of a consent round where silence consents."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from decisions.web import db, notice_mail, scheduler
from decisions.web.models import (
    Announcement,
    AuditEntry,
    Ballot,
    Delivery,
    ElectorateScope,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    Role,
    RoundKind,
    User,
)
from decisions.web.services import notices, organisations, preferences, proposals, rounds

from .conftest import Clock, module_world, unit
from .round_pages import Browsers
from .round_steps import close_due

#: The members of the world, by name: their address is ``<name>@example.org``. ``ana`` is
#: the admin, ``fa`` a facilitator, ``author`` puts proposals forward (members may), and
#: ``digest``, ``action`` and ``muted`` chose to receive less by e-mail.
NAMES = ("ana", "fa", "author", "all", "digest", "action", "muted")


@dataclass(frozen=True)
class Coop:
    organisation: Organisation
    members: dict[str, int]  # membership ids by name
    users: dict[str, int]  # user ids by name

    def name_of(self, user_id: int) -> str:
        return next(name for name, user in self.users.items() if user == user_id)


def _coop(app: Flask, make_org: Any, make_member: Any) -> Coop:
    """An association whose members chose what they receive, built once for the module."""
    organisation = make_org("coop", admin="ana@example.org", is_scic=False)
    for name in NAMES[1:]:
        make_member(organisation, f"{name}@example.org",
                    role="facilitator" if name == "fa" else "member")
    with unit(app) as session:
        org = session.get_one(Organisation, organisation.id)
        organisations.update_settings(session, org, name=org.name, timezone=org.timezone,
                                      is_scic=False, allow_member_proposals=True)
        found = dict(session.execute(select(User.email, Membership.id).join(Membership).where(
            Membership.organisation_id == organisation.id)).all())
        users = dict(session.execute(select(User.email, User.id)).all())
        members = {name: found[f"{name}@example.org"] for name in NAMES}
        for name, mode, muted in (("digest", "digest", ()), ("action", "action", ()),
                                  ("muted", "all", ("round_opened", "objection", "outcome"))):
            preferences.set_messages(session, users[f"{name}@example.org"], members[name],
                                     mode=mode, muted=muted)
    return Coop(organisation, members, {name: users[f"{name}@example.org"] for name in NAMES})


coop = module_world(_coop, name="coop")


@pytest.fixture
def app(rolled_back_app: Flask, coop: Coop) -> Flask:
    """The application on the module's world: what a test writes is rolled back."""
    return rolled_back_app


# Steps ----------------------------------------------------------------------------------


def propose(app: Flask, coop: Coop, family: str, params: dict[str, Any], clock: Clock,
            author: str = "author", **options: Any) -> int:
    with unit(app) as session:
        return proposals.create_proposal(
            session, session.get_one(Organisation, coop.organisation.id),
            session.get_one(Membership, coop.members[author]), title="Buy cargo bikes",
            body="Two.", family=family, params=params, now=clock(), **options).id


def open_round(app: Flask, proposal_id: int, kind: RoundKind, clock: Clock,
               days: float = 7) -> int:
    """Open a round, then write its opening's notices as the sender's next pass does."""
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal_id), kind,
                                     closes_at=clock() + timedelta(days=days), now=clock()).id
    expand(app, clock)
    return round_id


def expand(app: Flask, clock: Clock) -> int:
    """The sender's first step: the notices of the announcements (openings) not yet written."""
    with app.app_context():
        return notices.expand_due(app.extensions["decisions.db"], clock())


def vote(app: Flask, coop: Coop, round_id: int, name: str, position: str, clock: Clock,
         reason: str = "") -> None:
    with unit(app) as session:
        rounds.cast_ballot(session, round_id, coop.members[name], position, now=clock(),
                           reason=reason)


@dataclass(frozen=True)
class Told:
    name: str
    delivery: str
    payload: dict[str, Any]
    created_at: Any


def told(app: Flask, coop: Coop, kind: NoticeKind, **where: Any) -> dict[str, Told]:
    """The notices of ``kind`` (matching ``where``), by recipient's name."""
    with app.app_context():
        found = db.session().scalars(select(Notice).filter_by(kind=kind.value, **where)
                                     .order_by(Notice.id)).all()
        result: dict[str, Told] = {}
        for notice in found:
            name = coop.name_of(notice.user_id or 0)
            assert name not in result, f"{name} told twice"
            result[name] = Told(name, notice.delivery, json.loads(notice.payload),
                                notice.created_at)
        return result


def consent_round(app: Flask, coop: Coop, clock: Clock, **options: Any) -> tuple[int, int]:
    proposal = propose(app, coop, "consent", {"preset": "consent_async"}, clock, **options)
    return proposal, open_round(app, proposal, RoundKind.CONSENT, clock)


# Who receives what, as they chose -------------------------------------------------------


@pytest.mark.parametrize(("kind", "mode", "muted", "expected"), [
    ("round_opened", "all", "", "pending"),
    ("outcome", "all", "", "pending"),
    ("outcome", "digest", "", "held"),
    ("round_opened", "digest", "", "pending"),  # asks to act: not held for the digest
    ("outcome", "action", "", "in_app"),
    ("reminder", "action", "", "pending"),
    ("outcome", "all", "objection outcome", "in_app"),
    ("objection", "action", "objection", "in_app"),
    ("invitation", "action", "invitation", "pending"),  # always sent
    ("password_reset", None, None, "pending"),
    ("new_version", None, None, "pending"),  # a person without membership here
])
def test_each_notice_goes_where_its_recipient_chose(kind: str, mode: str | None,
                                                     muted: str | None, expected: str) -> None:
    assert notices.delivery_for(kind, mode, muted) == Delivery(expected)


def test_notify_writes_one_row_per_person_as_each_chose(app: Flask, coop: Coop,
                                                         clock: Clock) -> None:
    with unit(app) as session:
        written = notices.notify(session, NoticeKind.OUTCOME,
                                 organisation_id=coop.organisation.id,
                                 user_ids=[coop.users[n] for n in ("all", "digest", "all")],
                                 payload={"note": "é"}, now=clock())
        invited = notices.notify(session, NoticeKind.INVITATION, organisation_id=None,
                                 email="new@example.org", payload={"token": "t"}, now=clock())
    assert (written, invited) == (2, 1)
    outcome = told(app, coop, NoticeKind.OUTCOME)
    assert {n.name: (n.delivery, n.payload) for n in outcome.values()} == {
        "all": ("pending", {"note": "é"}), "digest": ("held", {"note": "é"})}
    with app.app_context():
        invitation = db.session().scalars(select(Notice).where(
            Notice.kind == NoticeKind.INVITATION.value)).one()
        assert (invitation.email, invitation.user_id, invitation.delivery) == (
            "new@example.org", None, "pending")


# Round opened ---------------------------------------------------------------------------


def test_opening_a_round_tells_every_elector_once_with_a_link_in_each_mailed_notice(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock)
    opened = told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)
    assert set(opened) == set(NAMES)
    assert {n.name: n.delivery for n in opened.values() if n.delivery != "pending"} == {
        "muted": "in_app"}
    for name, notice in opened.items():
        assert notice.created_at == clock()
        if name == "muted":  # read in the application, signed in: no link
            assert notice.payload == {}
        else:
            token = notice.payload["link"]
            assert token.startswith(f"{round_id}.{coop.users[name]}.")
            assert set(notice.payload) == {"link", "link_hash"}
    tokens = [n.payload.get("link") for n in opened.values()]
    assert len(set(tokens)) == len(tokens)


def test_opening_a_round_writes_one_announcement_whose_notices_the_sender_writes_once(
        app: Flask, coop: Coop, clock: Clock) -> None:
    proposal_id = propose(app, coop, "consent", {"preset": "consent_async"}, clock)
    opened_at = clock()
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal_id),
                                     RoundKind.CONSENT, closes_at=clock() + timedelta(days=7),
                                     now=clock()).id
    assert told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id) == {}
    with app.app_context():
        [announcement] = db.session().scalars(select(Announcement).where(
            Announcement.round_id == round_id)).all()
        assert (announcement.kind, announcement.links, announcement.created_at,
                announcement.expanded_at) == ("round_opened", True, opened_at, None)
    clock.advance(seconds=5)
    assert expand(app, clock) == len(NAMES)
    assert expand(app, clock) == 0  # the next pass, or another sender: nothing twice
    with unit(app) as session:
        assert notices.expand(session, announcement.id, clock()) == 0
        stored = session.get_one(Announcement, announcement.id)
        assert (stored.expanded_at, stored.notices) == (clock(), len(NAMES))
    opened = told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)
    assert set(opened) == set(NAMES)
    assert {n.created_at for n in opened.values()} == {opened_at}  # the event's time


def test_an_organisation_that_turns_answer_links_off_gets_none(app: Flask, coop: Coop,
                                                               clock: Clock) -> None:
    with unit(app) as session:
        org = session.get_one(Organisation, coop.organisation.id)
        organisations.update_settings(session, org, name=org.name, timezone=org.timezone,
                                      is_scic=False, answer_links=False)
    _, round_id = consent_round(app, coop, clock)
    opened = told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)
    assert len(opened) == len(NAMES)
    assert all(n.payload == {} for n in opened.values())


def test_a_secret_vote_is_announced_without_answer_links(app: Flask, coop: Coop,
                                                          clock: Clock) -> None:
    proposal = propose(app, coop, "majority", {"preset": "association_default"}, clock,
                       author="fa", secret=True)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    opened = told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)
    assert len(opened) == len(NAMES)
    assert all(n.payload == {} for n in opened.values())


def test_only_the_electors_of_a_list_are_told_of_the_opening(app: Flask, coop: Coop,
                                                              clock: Clock) -> None:
    chosen = ["all", "digest"]
    _, round_id = consent_round(app, coop, clock, scope=ElectorateScope.LIST,
                                electors=[coop.members[n] for n in chosen])
    assert set(told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)) == set(chosen)


# Objections -----------------------------------------------------------------------------


def test_an_objection_tells_the_facilitators_and_the_author_with_the_reason(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock)
    vote(app, coop, round_id, "all", "consent", clock)
    assert told(app, coop, NoticeKind.OBJECTION) == {}
    clock.advance(hours=1)
    vote(app, coop, round_id, "digest", "object", clock, reason="Too expensive.")
    objection = told(app, coop, NoticeKind.OBJECTION, round_id=round_id)
    assert set(objection) == {"ana", "fa", "author"}  # admin, facilitator, author
    with app.app_context():
        ballot = db.session().scalar(select(Ballot.id).where(
            Ballot.round_id == round_id, Ballot.membership_id == coop.members["digest"]))
    for notice in objection.values():
        assert notice.payload == {"event_id": None, "ballot_id": ballot,
                                  "reason": "Too expensive."}
        assert notice.delivery == "pending"


def test_the_objector_is_not_told_of_their_own_objection_and_a_muted_kind_stays_in_app(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with unit(app) as session:
        preferences.set_messages(session, coop.users["fa"], coop.members["fa"], mode="all",
                                 muted=["objection"])
    proposal = propose(app, coop, "sociocratic_consent", {"preset": "sociocratic_consent"},
                       clock, author="ana")
    round_id = open_round(app, proposal, RoundKind.CONSENT, clock)
    vote(app, coop, round_id, "ana", "object", clock, reason="Not now.")
    objection = told(app, coop, NoticeKind.OBJECTION, round_id=round_id)
    assert {n.name: n.delivery for n in objection.values()} == {"fa": "in_app"}


# New version ----------------------------------------------------------------------------


def sociocratic_round_with_an_objection(app: Flask, coop: Coop, clock: Clock,
                                        params: dict[str, Any]) -> int:
    proposal = propose(app, coop, "sociocratic_consent", params, clock, author="fa",
                       scope=ElectorateScope.LIST,
                       electors=[coop.members[n] for n in ("all", "digest", "action", "muted")])
    round_id = open_round(app, proposal, RoundKind.CONSENT, clock)
    vote(app, coop, round_id, "all", "consent", clock)
    vote(app, coop, round_id, "digest", "object", clock, reason="Rent first.")
    vote(app, coop, round_id, "action", "concern", clock, reason="Watch the budget.")
    clock.advance(days=7)  # "muted" says nothing
    with unit(app) as session:
        assert rounds.close_round(session, round_id, now=clock())
    return proposal


def amend(app: Flask, coop: Coop, proposal_id: int, clock: Clock) -> None:
    with unit(app) as session:
        proposals.amend(session, session.get_one(Proposal, proposal_id),
                        session.get_one(Membership, coop.members["fa"]), title="Rent bikes",
                        body="Rent two.", summary="Rent instead of buying.", now=clock())


def test_a_new_version_asks_those_who_consented_to_the_earlier_one_to_consent_again(
        app: Flask, coop: Coop, clock: Clock) -> None:
    proposal = sociocratic_round_with_an_objection(app, coop, clock,
                                                   {"preset": "sociocratic_consent"})
    amend(app, coop, proposal, clock)
    again = told(app, coop, NoticeKind.NEW_VERSION, proposal_id=proposal)
    assert set(again) == {"all", "action"}  # a concern is a consent (SOC-10)
    assert all(n.payload == {"version": 2} for n in again.values())
    assert again["action"].delivery == "pending"


def test_a_new_version_tells_nobody_when_consents_carry_over(app: Flask, coop: Coop,
                                                            clock: Clock) -> None:
    proposal = sociocratic_round_with_an_objection(
        app, coop, clock, {"preset": "sociocratic_consent", "recheck_all_after_amend": False})
    amend(app, coop, proposal, clock)
    assert told(app, coop, NoticeKind.NEW_VERSION, proposal_id=proposal) == {}


# Outcome --------------------------------------------------------------------------------


def test_the_outcome_tells_every_current_member_electors_and_followers_alike(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock, scope=ElectorateScope.LIST,
                                electors=[coop.members[n] for n in ("all", "author")])
    vote(app, coop, round_id, "all", "consent", clock)
    with unit(app) as session:
        organisations.remove_membership(session, session.get_one(Membership,
                                                                 coop.members["author"]),
                                        now=clock())
    vote(app, coop, round_id, "author", "consent", clock)  # left, still an elector
    outcome = told(app, coop, NoticeKind.OUTCOME, round_id=round_id)
    assert set(outcome) == set(NAMES) - {"author"}  # closed by the last answer
    assert {n.name: n.delivery for n in outcome.values() if n.delivery != "pending"} == {
        "digest": "held", "action": "in_app", "muted": "in_app"}
    assert all(n.payload == {} for n in outcome.values())


def test_a_round_of_comments_or_a_cancelled_round_tells_no_outcome(app: Flask, coop: Coop,
                                                                   clock: Clock) -> None:
    proposal = propose(app, coop, "sociocratic_consent", {"preset": "sociocratic_consent"},
                       clock, author="fa")
    talk = open_round(app, proposal, RoundKind.CLARIFYING, clock)
    assert len(told(app, coop, NoticeKind.ROUND_OPENED, round_id=talk)) == len(NAMES)
    clock.advance(days=8)
    with unit(app) as session:
        assert rounds.close_round(session, talk, now=clock())
    consent = open_round(app, proposal, RoundKind.CONSENT, clock)
    with unit(app) as session:
        rounds.cancel_round(session, consent, now=clock())
    with app.app_context():
        assert db.session().scalars(select(Notice.id).where(
            Notice.kind == NoticeKind.OUTCOME.value)).all() == []


# Reminders ------------------------------------------------------------------------------


def remind_due(app: Flask, clock: Clock) -> int:
    with app.app_context():
        return notices.remind_due(app.extensions["decisions.db"], clock())


def test_the_reminder_goes_once_to_the_electors_who_have_not_answered(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock)  # 7 days, reminded 24 hours before
    vote(app, coop, round_id, "all", "consent", clock)
    vote(app, coop, round_id, "digest", "abstain", clock)
    clock.advance(days=6, seconds=-1)
    assert remind_due(app, clock) == 0
    clock.advance(seconds=1)
    assert remind_due(app, clock) == len(NAMES) - 2
    reminded = told(app, coop, NoticeKind.REMINDER, round_id=round_id)
    assert set(reminded) == set(NAMES) - {"all", "digest"}
    assert all(n.delivery == "pending" for n in reminded.values())  # it asks to act
    assert reminded["action"].payload["link"].startswith(f"{round_id}.")
    assert remind_due(app, clock) == 0  # the job's next tick
    clock.advance(hours=12)
    vote(app, coop, round_id, "action", "consent", clock)
    assert remind_due(app, clock) == 0
    assert len(told(app, coop, NoticeKind.REMINDER, round_id=round_id)) == len(NAMES) - 2


def test_a_proposal_without_reminder_and_a_round_shorter_than_the_reminder_remind_nobody(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, silent = consent_round(app, coop, clock, reminder_hours=None)
    proposal = propose(app, coop, "consent", {"preset": "consent_async"}, clock,
                       reminder_hours=48)
    short = open_round(app, proposal, RoundKind.CONSENT, clock, days=1)  # the opening tells
    clock.advance(hours=23)
    assert remind_due(app, clock) == 0
    clock.advance(days=6)
    assert remind_due(app, clock) == 0
    assert told(app, coop, NoticeKind.REMINDER, round_id=silent) == {}
    assert told(app, coop, NoticeKind.REMINDER, round_id=short) == {}


def test_a_round_of_comments_awaits_no_answer_and_reminds_nobody(app: Flask, coop: Coop,
                                                                 clock: Clock) -> None:
    proposal = propose(app, coop, "sociocratic_consent", {"preset": "sociocratic_consent"},
                       clock, author="fa")
    talk = open_round(app, proposal, RoundKind.CLARIFYING, clock)
    clock.advance(days=6, hours=1)
    assert remind_due(app, clock) == 0
    with pytest.raises(notices.NudgeRefused):
        nudge(app, coop, talk, "fa", clock)


def test_a_secret_vote_reminds_those_who_have_not_taken_part_without_a_link(
        app: Flask, coop: Coop, clock: Clock) -> None:
    proposal = propose(app, coop, "majority", {"preset": "association_default"}, clock,
                       author="fa", secret=True, reminder_hours=2)
    round_id = open_round(app, proposal, RoundKind.VOTE, clock, days=1)
    vote(app, coop, round_id, "all", "yes", clock)
    clock.advance(hours=22)
    assert remind_due(app, clock) == len(NAMES) - 1
    reminded = told(app, coop, NoticeKind.REMINDER, round_id=round_id)
    assert "all" not in reminded
    assert all(n.payload == {} for n in reminded.values())


def test_the_schedulers_reminder_job_is_safe_to_run_at_every_tick(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock)
    clock.advance(days=6, hours=1)
    assert scheduler.remind_due(app, clock()) == len(NAMES)
    assert scheduler.remind_due(app, clock()) == 0
    assert len(told(app, coop, NoticeKind.REMINDER, round_id=round_id)) == len(NAMES)


# A facilitator's nudge ------------------------------------------------------------------


def nudge(app: Flask, coop: Coop, round_id: int, by: str, clock: Clock) -> int:
    with unit(app) as session:
        return notices.nudge(session, round_id, session.get_one(Membership, coop.members[by]),
                             clock())


def test_a_facilitator_nudges_those_who_have_not_answered_at_most_every_six_hours(
        app: Flask, coop: Coop, clock: Clock) -> None:
    _, round_id = consent_round(app, coop, clock)
    vote(app, coop, round_id, "all", "consent", clock)
    assert nudge(app, coop, round_id, "fa", clock) == len(NAMES) - 1
    nudged = told(app, coop, NoticeKind.NUDGE, round_id=round_id)
    assert set(nudged) == set(NAMES) - {"all"}
    assert nudged["action"].payload["by"] == coop.members["fa"]
    assert "link" in nudged["action"].payload
    with app.app_context():
        entry = db.session().scalars(select(AuditEntry).where(
            AuditEntry.kind == "round_nudged").order_by(AuditEntry.id.desc())).first()
        assert entry is not None
        assert entry.actor_id == coop.members["fa"]
        assert json.loads(entry.data)["reminded"] == len(NAMES) - 1
        assert entry.hash is not None  # sealed in the chain
    clock.advance(hours=6, seconds=-1)
    with pytest.raises(notices.NudgeRefused) as refused:
        nudge(app, coop, round_id, "ana", clock)
    assert refused.value.code == "nudge.too_soon"
    assert refused.value.available_at == clock() + timedelta(seconds=1)
    assert refused.value.params == {"hours": 6, "time": "16:00"}  # 15:00 UTC in Paris
    clock.advance(seconds=1)
    vote(app, coop, round_id, "digest", "consent", clock)
    assert nudge(app, coop, round_id, "ana", clock) == len(NAMES) - 2


@pytest.mark.parametrize(("who", "code"), [("all", "nudge.not_allowed"),
                                           ("author", "nudge.not_allowed")])
def test_a_member_cannot_nudge(app: Flask, coop: Coop, clock: Clock, who: str,
                               code: str) -> None:
    _, round_id = consent_round(app, coop, clock)
    with pytest.raises(notices.NudgeRefused) as refused:
        nudge(app, coop, round_id, who, clock)
    assert refused.value.code == code


def test_nobody_is_nudged_once_everyone_answered_nor_after_the_deadline(
        app: Flask, coop: Coop, clock: Clock) -> None:
    proposal = propose(app, coop, "majority", {"preset": "association_default"}, clock,
                       author="fa", scope=ElectorateScope.LIST,
                       electors=[coop.members["all"]])
    round_id = open_round(app, proposal, RoundKind.VOTE, clock)
    vote(app, coop, round_id, "all", "yes", clock)
    with pytest.raises(notices.NudgeRefused) as refused:
        nudge(app, coop, round_id, "fa", clock)
    assert refused.value.code == "nudge.nobody"
    clock.advance(days=7)
    with pytest.raises(notices.NudgeRefused) as refused:
        nudge(app, coop, round_id, "fa", clock)
    assert refused.value.code == "round.not_open"
    assert told(app, coop, NoticeKind.NUDGE, round_id=round_id) == {}


# Silence is consent only when everyone was told -----------------------------------------


def test_a_consent_round_says_how_many_electors_were_told_by_e_mail(
        app: Flask, coop: Coop, clock: Clock) -> None:
    proposal, round_id = consent_round(app, coop, clock)
    page = Browsers(app, "coop").page("all@example.org", proposal, round_id, "/results")
    assert f"0 of {len(NAMES)} electors were told of this round by e-mail" in page
    vote_proposal = propose(app, coop, "majority", {"preset": "association_default"}, clock,
                            author="fa")
    vote_round = open_round(app, vote_proposal, RoundKind.VOTE, clock)
    page = Browsers(app, "coop").page("all@example.org", vote_proposal, vote_round,
                                      "/results")
    assert "told of this round by e-mail" not in page


def test_a_consent_rule_that_needs_every_answer_does_not_count_silence(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with app.app_context():
        session = db.session()
        assert notices.silence_is_consent(session.get_one(Proposal, propose(
            app, coop, "consent", {"preset": "consent_async"}, clock)))
        assert not notices.silence_is_consent(session.get_one(Proposal, propose(
            app, coop, "consent", {"preset": "consent_async", "silence_policy": "require_all"},
            clock)))
        assert not notices.silence_is_consent(session.get_one(Proposal, propose(
            app, coop, "sociocratic_consent", {"preset": "sociocratic_consent"}, clock)))


@pytest.mark.parametrize(("backend", "family", "warned"), [
    ("console", "consent", True), ("smtp", "consent", False), ("console", "majority", False)])
def test_opening_a_consent_round_while_e_mail_is_not_configured_warns_first(
        app: Flask, coop: Coop, clock: Clock, backend: str, family: str,
        warned: bool) -> None:
    app.config["MAIL_BACKEND"] = backend
    params = {"preset": "consent_async" if family == "consent" else "association_default"}
    proposal = propose(app, coop, family, params, clock, author="fa")
    page = Browsers(app, "coop").of("fa@example.org").get(
        f"/orgs/coop/proposals/{proposal}/rounds/open").get_data(as_text=True)
    assert ("E-mail is not configured" in page) is warned


def test_messages_printed_on_the_console_tell_nobody_so_silence_is_not_said_to_be_informed(
        app: Flask, coop: Coop, clock: Clock, capsys: pytest.CaptureFixture[str]) -> None:
    app.config["MAIL_BACKEND"] = "console"  # what `make run` does
    proposal = propose(app, coop, "consent", {"preset": "consent_async"}, clock, author="fa")
    browsers = Browsers(app, "coop")
    opening = browsers.of("fa@example.org").get(
        f"/orgs/coop/proposals/{proposal}/rounds/open").get_data(as_text=True)
    assert "E-mail is not configured: electors will not be told by e-mail" in opening
    round_id = browsers.open("fa@example.org", proposal, "consent")
    report = notice_mail.send_due(app)
    printed = capsys.readouterr().err
    assert "--- e-mail to all@example.org: [Coop] Votre réponse est attendue : Buy cargo" \
        in printed
    opened = told(app, coop, NoticeKind.ROUND_OPENED, round_id=round_id)
    assert {n.name: n.delivery for n in opened.values()} == {
        **dict.fromkeys(NAMES, "printed"), "muted": "in_app"}
    assert (report.sent, report.printed) == (0, len(NAMES) - 1)  # "muted" reads it in-app
    vote(app, coop, round_id, "all", "consent", clock)
    clock.advance(days=7)
    assert close_due(app, clock) == [round_id]  # adopted: the others' silence consents
    results = browsers.page("all@example.org", proposal, round_id, "/results")
    assert (f"Silence counts as consent under this rule: 0 of {len(NAMES)} electors were"
            " told of this round by e-mail.") in results
    assert f"0 of {len(NAMES)} electors were told of this round by e-mail (the mail server" \
        in results
    with app.app_context():
        assert notices.told_by_mail(db.session(), round_id) == 0
    notice_mail.send_due(app)  # the outcome, printed too (in French), says so as well
    assert (f"le silence vaut consentement : 0 électeur·rice sur {len(NAMES)} a été"
            " prévenu·e de ce tour par e-mail.") in " ".join(capsys.readouterr().err.split())


# A vote is never rolled back by notifications -------------------------------------------


def test_an_objection_is_stored_with_its_notices_while_the_mail_server_is_down(
        app: Flask, coop: Coop, clock: Clock) -> None:
    with socket.socket() as unused:  # a port nobody listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    app.config.update(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    proposal, round_id = consent_round(app, coop, clock)
    response = Browsers(app, "coop").vote("all@example.org", proposal, round_id, "object",
                                          reason="We have no room for them.")
    assert response.status_code == 302
    with app.app_context():
        assert db.session().scalar(select(Ballot.position).where(
            Ballot.round_id == round_id)) == "object"
    objection = told(app, coop, NoticeKind.OBJECTION, round_id=round_id)
    assert set(objection) == {"ana", "fa", "author"}
    assert {n.delivery for n in objection.values()} == {"pending"}  # the sender's, later


def test_the_demo_tells_its_members_through_the_same_services(app: Flask) -> None:
    from decisions.web import demo

    with app.app_context():
        demo.seed()
        kinds = set(db.session().scalars(select(Notice.kind).join(
            Organisation, Organisation.id == Notice.organisation_id).where(
                Organisation.slug == "reseau-demo")))
        facilitators = db.session().scalar(select(Membership.id).join(Organisation).where(
            Organisation.slug == "reseau-demo", Membership.role == Role.FACILITATOR).limit(1))
    assert facilitators is not None
    assert {"round_opened", "objection", "new_version", "outcome"} <= kinds
