"""Proposals: drafting with a rule of the engine, amending into new versions, withdrawing,
and the facilitator's outcome statement."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, null, select, update
from sqlalchemy.orm import Session

from decisions.engine import CaseError, load_case

from .. import markdown, round_cases
from ..families import DESCRIPTORS, descriptor
from ..models import (
    CHANGEABLE,
    Circle,
    ElectorateScope,
    Membership,
    Organisation,
    Proposal,
    ProposalElector,
    ProposalStatus,
    ProposalVersion,
    RoundStatus,
    VotersVisibility,
)
from ..transactions import rowcount
from . import ServiceError, audit, notices, rounds
from .messages import N_
from .organisations import current_members


class ProposalError(ServiceError):
    """A change to a proposal that cannot be made."""


class ReasonsError(ProposalError):
    """Positions requiring a reason that contradict the rule: said next to that field."""

    field = "reason_required"


class RuleError(ProposalError):
    """The engine refuses the rule or its parameters: ``path`` names the parameter at fault
    in the engine's case format (``"quorum.first.num"``), ``None`` the rule itself. The
    engine's own words are English only."""

    def __init__(self, code: str, message: str, path: str | None = None) -> None:
        super().__init__(code, message, field="family" if path is None else "params")
        self.path = path


#: Parameters each round sets when it is counted: its window (ballots are taken strictly
#: before the deadline, ``deadline_inclusive`` false), the vote's convocation and mode, and
#: a college vote's colleges (the organisation's, kept when the round opens). A proposal
#: choosing them would show a rule the server does not apply: they are refused.
SET_BY_EACH_ROUND = ("opens_at", "closes_at", "evaluated_at", "deadline_inclusive",
                     "convocation", "mode", "colleges")


def _zero_quorum(quorum: Any, path: str = "quorum") -> str | None:
    """The path of a quorum of zero members, which the engine accepts but which means
    nothing a ``null`` quorum would not say plainly."""
    if isinstance(quorum, dict) and "num" in quorum:
        return f"{path}.num" if quorum["num"] == 0 else None
    if isinstance(quorum, dict):
        return next((found for convocation in ("first", "second") if (found := _zero_quorum(
            quorum.get(convocation), f"{path}.{convocation}")) is not None), None)
    return None


#: Hours before a round's deadline when those who have not answered are reminded, unless
#: the proposal says otherwise; and the most hours it may say (a round lasts at most the
#: deadline horizon, but a reminder weeks ahead reminds nobody of a deadline).
DEFAULT_REMINDER_HOURS = 24
MAX_REMINDER_HOURS = 24 * 30


def check_reminder(hours: int | None) -> None:
    """Refuse a reminder that is not a whole number of hours from 1 to
    ``MAX_REMINDER_HOURS`` (``None``: no reminder)."""
    if hours is not None and not 1 <= hours <= MAX_REMINDER_HOURS:
        raise ProposalError("proposal.reminder_hours",
                            N_("Remind from 1 to %(most)d hours before the deadline, or"
                               " leave the field empty for no reminder."),
                            field="reminder_hours", params={"most": MAX_REMINDER_HOURS})


def check_rule(family: str, params: dict[str, Any]) -> RuleError | None:
    """The engine's objection to a rule and its parameters (not raised), or ``None`` when it
    accepts."""
    if family not in DESCRIPTORS:
        return RuleError("rule.unknown", N_("Unknown decision rule."))
    own = next((name for name in SET_BY_EACH_ROUND if name in params), None)
    if own is not None:
        return RuleError("rule.set_by_application",
                         N_("this parameter is set by the application for each round"), own)
    zero = _zero_quorum(params.get("quorum"))
    if zero is not None:
        return RuleError("rule.zero_quorum",
                         N_("a quorum of 0 is no quorum (null), give at least 1"), zero)
    if descriptor(family).by_college and "colleges" not in params:
        # The organisation's colleges join the parameters when a round is counted.
        params = {**params, "colleges": [{"id": c} for c in ("a", "b", "c")]}
    case = {"family": family, "params": params,
            "electorate": round_cases.sample_electorate(family), "ballots": []}
    try:
        load_case(case)
    except CaseError as error:
        if not error.path.startswith("$.params"):
            return None
        return RuleError("rule.engine", error.message, error.path.removeprefix("$.params."))
    return None


def _check_electorate(db: Session, organisation: Organisation, scope: ElectorateScope,
                      circle_id: int | None, electors: Collection[int]) -> None:
    """Refuse a circle that is not the organisation's, and chosen electors who are not its
    current members (a page offers only those; the API, or a page left open while a member
    left, may send any id: an id of another organisation is refused as unknown)."""
    if scope is ElectorateScope.CIRCLE and circle_id is not None and db.scalar(select(
            Circle.id).where(Circle.id == circle_id,
                             Circle.organisation_id == organisation.id)) is None:
        raise ProposalError("proposal.circle_unknown", N_("Choose the circle that decides."),
                            field="circle")
    if scope is ElectorateScope.LIST and electors:
        chosen = set(electors)
        found = db.scalar(select(func.count()).select_from(
            current_members(organisation.id).where(Membership.id.in_(chosen)).subquery()))
        if found != len(chosen):
            raise ProposalError(
                "proposal.electors_unknown",
                N_("Choose the members who decide among the current members of the"
                   " organisation."), field="electors")


def create_proposal(db: Session, organisation: Organisation, author: Membership, *,
                    title: str, body: str, family: str, params: dict[str, Any],
                    now: datetime, scope: ElectorateScope = ElectorateScope.ORGANISATION,
                    circle_id: int | None = None, electors: Collection[int] | None = None,
                    hide_results: bool = False, reason_required: tuple[str, ...] = (),
                    voters_visible: VotersVisibility = VotersVisibility.EVERYONE,
                    secret: bool = False,
                    reminder_hours: int | None = DEFAULT_REMINDER_HOURS) -> Proposal:
    """A draft proposal with its first version; the engine checks the rule first, and the
    circle or chosen electors are checked to be the organisation's. ``reminder_hours``:
    how long before each round's deadline its electors who have not answered are reminded
    (``None``: never)."""
    problem = check_rule(family, params)
    if problem is not None:
        raise problem
    check_reminder(reminder_hours)
    if secret and not descriptor(family).may_be_secret:
        raise ProposalError("proposal.secret_not_vote",
                            N_("Only votes can be secret: objections and consent must be named."),
                            field="secret")
    if secret and reason_required:
        raise ProposalError("proposal.secret_with_reasons",
                            N_("A secret ballot cannot ask for reasons."), field="secret")
    if ("object" in reason_required and descriptor(family).takes_objections
            and "object" not in rounds.engine_reasons(family, params)):
        raise ReasonsError("proposal.reason_not_required",
                           N_("The rule counts an objection without a reason (it does not"
                              " require one): untick Objection, or choose a rule that"
                              " requires a reason."))
    if scope is ElectorateScope.CIRCLE and circle_id is None:
        raise ProposalError("proposal.circle_missing", N_("Choose the circle that decides."),
                            field="circle")
    if scope is ElectorateScope.LIST and not electors:
        raise ProposalError("proposal.electors_missing",
                            N_("Choose at least one member who decides."), field="electors")
    _check_electorate(db, organisation, scope, circle_id, electors or [])
    proposal = Proposal(
        organisation_id=organisation.id, author_id=author.id, title=title.strip(),
        family=family, params=json.dumps(params, ensure_ascii=False), electorate_scope=scope,
        circle_id=circle_id if scope is ElectorateScope.CIRCLE else None,
        hide_results=hide_results or secret, reason_required=",".join(reason_required),
        voters_visible=VotersVisibility.NOBODY if secret else voters_visible, secret=secret,
        status=ProposalStatus.DRAFT, created_at=now,
        # NULL said in SQL: the ORM would take None for "not given" and store the default.
        reminder_hours=null() if reminder_hours is None else reminder_hours)
    db.add(proposal)
    db.flush()
    db.add(ProposalVersion(proposal_id=proposal.id, number=1, title=proposal.title, body=body,
                           body_html=markdown.render(body).html, summary="",
                           author_id=author.id, created_at=now))
    if scope is ElectorateScope.LIST:
        db.add_all(ProposalElector(proposal_id=proposal.id, membership_id=m)
                   for m in sorted(set(electors or [])))
    db.flush()
    db.refresh(proposal)
    return proposal


def amend(db: Session, proposal: Proposal, author: Membership, *, title: str, body: str,
          summary: str, now: datetime) -> ProposalVersion:
    """Publish a new version, with a summary of what changed."""
    if proposal.status not in CHANGEABLE:
        raise ProposalError("proposal.closed",
                            N_("A decided or withdrawn proposal cannot be amended."))
    if any(r.status.value == "open" for r in proposal.rounds):
        raise ProposalError("proposal.round_open",
                            N_("Close the open round before publishing a new version."))
    if not summary.strip():
        raise ProposalError("proposal.summary_missing", N_("Say what changed in this version."),
                            field="summary")
    version = ProposalVersion(proposal_id=proposal.id, number=proposal.current_version.number + 1,
                              title=title.strip(), body=body,
                              body_html=markdown.render(body).html, summary=summary.strip(),
                              author_id=author.id, created_at=now)
    db.add(version)
    proposal.title = version.title
    db.flush()
    audit.proposal_event(db, proposal, "version_published", at=now, actor_id=author.id,
                         version=version.number, title=version.title,
                         summary=version.summary)
    notices.version_published(db, proposal, version.number, now)
    db.refresh(proposal)
    return version


def withdraw(db: Session, proposal: Proposal, *, now: datetime,
             actor_id: int | None = None) -> None:
    """Withdraw a proposal before it is decided, by ``actor_id``. Its open round is cancelled
    as a facilitator cancels one (conditional update, ``round_cancelled`` entry): a round the
    scheduler closed meanwhile is never overwritten, and the withdrawal is refused."""
    if proposal.status not in CHANGEABLE:
        raise ProposalError("proposal.decided",
                            N_("Only a proposal not yet decided can be withdrawn."))
    cancelled = []
    for round_id in [r.id for r in proposal.rounds if r.status is RoundStatus.OPEN]:
        try:
            rounds.cancel_round(db, round_id, now=now, actor_id=actor_id)
        except rounds.RoundError:
            raise ProposalError("proposal.round_just_closed",
                                N_("Its round has just closed: see its result before"
                                   " withdrawing the proposal.")) from None
        cancelled.append(round_id)
    changed = db.connection().execute(
        update(Proposal).where(Proposal.id == proposal.id,
                               Proposal.status.in_(CHANGEABLE))
        .values(status=ProposalStatus.WITHDRAWN))
    if rowcount(changed) != 1:
        raise ProposalError("proposal.decided",
                            N_("Only a proposal not yet decided can be withdrawn."))
    db.refresh(proposal)
    audit.proposal_event(db, proposal, "proposal_withdrawn", at=now, actor_id=actor_id,
                         cancelled_rounds=cancelled)


def record_outcome(db: Session, proposal: Proposal, *, statement: str,
                   review_date: date | None, now: datetime) -> None:
    """The facilitator's outcome statement and review date, after the decision: a review
    date comes after the day of the decision, in the organisation's time zone."""
    if proposal.status is not ProposalStatus.DECIDED:
        raise ProposalError("proposal.not_decided",
                            N_("The outcome is recorded once the proposal is decided."))
    decided = proposal.decided_at or proposal.created_at
    if review_date is not None and review_date <= decided.astimezone(
            ZoneInfo(proposal.organisation.timezone)).date():
        raise ProposalError("proposal.review_date", N_("Choose a review date after the"
                                                       " decision."), field="review_date")
    proposal.outcome_statement = statement.strip()
    proposal.outcome_statement_html = markdown.render(proposal.outcome_statement).html
    proposal.review_date = review_date
    db.flush()
    audit.proposal_event(db, proposal, "outcome_written", at=now, outcome=proposal.outcome,
                         statement=proposal.outcome_statement, review_date=review_date)
