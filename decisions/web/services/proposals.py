"""Proposals: drafting with a rule of the engine, amending into new versions, withdrawing,
and the facilitator's outcome statement."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import update
from sqlalchemy.orm import Session

from decisions.engine import CaseError, load_case

from .. import markdown
from ..models import (
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
from . import audit, rounds

FAMILIES = ("consent", "sociocratic_consent", "sociocratic_election", "majority",
            "scic_college")
#: Families whose votes may be secret (consent needs named objections).
SECRET_FAMILIES = ("majority", "scic_college")


class ProposalError(ValueError):
    """A change to a proposal that cannot be made, with a message for the person."""


class ReasonsError(ProposalError):
    """Positions requiring a reason that contradict the rule: said next to that field."""


def _sample_electorate(family: str, params: dict[str, Any]) -> dict[str, Any]:
    if family == "scic_college":
        return {"colleges": {}}
    if family == "majority":
        return {"eligible": 1}
    return {"members": ["x"]}


def _zero_quorum(quorum: Any, path: str = "quorum") -> str | None:
    """The path of a quorum of zero members, which the engine accepts but which means
    nothing a ``null`` quorum would not say plainly."""
    if isinstance(quorum, dict) and "num" in quorum:
        return f"{path}.num" if quorum["num"] == 0 else None
    if isinstance(quorum, dict):
        return next((found for convocation in ("first", "second") if (found := _zero_quorum(
            quorum.get(convocation), f"{path}.{convocation}")) is not None), None)
    return None


def check_rule(family: str, params: dict[str, Any]) -> str | None:
    """The engine's objection to a rule and its parameters, or ``None`` when it accepts."""
    if family not in FAMILIES:
        return str(_l("Unknown decision rule."))
    zero = _zero_quorum(params.get("quorum"))
    if zero is not None:
        reason = _l("a quorum of 0 is no quorum (null), give at least 1")
        return f"{zero}: {reason}"
    if family == "scic_college" and "colleges" not in params:
        # The organisation's colleges join the parameters when a round is counted.
        params = {**params, "colleges": [{"id": c} for c in ("a", "b", "c")]}
    case = {"family": family, "params": params, "electorate": _sample_electorate(family, params),
            "ballots": []}
    try:
        load_case(case)
    except CaseError as error:
        if not error.path.startswith("$.params"):
            return None
        return f"{error.path.removeprefix('$.params.')}: {error.message}"
    return None


def create_proposal(db: Session, organisation: Organisation, author: Membership, *,
                    title: str, body: str, family: str, params: dict[str, Any],
                    now: datetime, scope: ElectorateScope = ElectorateScope.ORGANISATION,
                    circle_id: int | None = None, electors: list[int] | None = None,
                    hide_results: bool = False, reason_required: tuple[str, ...] = (),
                    voters_visible: VotersVisibility = VotersVisibility.EVERYONE,
                    secret: bool = False) -> Proposal:
    """A draft proposal with its first version; the engine checks the rule first."""
    problem = check_rule(family, params)
    if problem is not None:
        raise ProposalError(problem)
    if secret and family not in SECRET_FAMILIES:
        raise ProposalError(_l("Only votes can be secret: objections and consent must be "
                               "named."))
    if secret and reason_required:
        raise ProposalError(_l("A secret ballot cannot ask for reasons."))
    if ("object" in reason_required and family in rounds.OBJECTION_FAMILIES
            and "object" not in rounds.engine_reasons(family, params)):
        raise ReasonsError(_l("The rule counts an objection without a reason (it does not"
                              " require one): untick Objection, or choose a rule that"
                              " requires a reason."))
    if scope is ElectorateScope.CIRCLE and circle_id is None:
        raise ProposalError(_l("Choose the circle that decides."))
    if scope is ElectorateScope.LIST and not electors:
        raise ProposalError(_l("Choose at least one member who decides."))
    proposal = Proposal(
        organisation_id=organisation.id, author_id=author.id, title=title.strip(),
        family=family, params=json.dumps(params, ensure_ascii=False), electorate_scope=scope,
        circle_id=circle_id if scope is ElectorateScope.CIRCLE else None,
        hide_results=hide_results or secret, reason_required=",".join(reason_required),
        voters_visible=VotersVisibility.NOBODY if secret else voters_visible, secret=secret,
        status=ProposalStatus.DRAFT, created_at=now)
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
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.OPEN):
        raise ProposalError(_l("A decided or withdrawn proposal cannot be amended."))
    if any(r.status.value == "open" for r in proposal.rounds):
        raise ProposalError(_l("Close the open round before publishing a new version."))
    if not summary.strip():
        raise ProposalError(_l("Say what changed in this version."))
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
    db.refresh(proposal)
    return version


def withdraw(db: Session, proposal: Proposal, *, now: datetime,
             actor_id: int | None = None) -> None:
    """Withdraw a proposal before it is decided, by ``actor_id``. Its open round is cancelled
    as a facilitator cancels one (conditional update, ``round_cancelled`` entry): a round the
    scheduler closed meanwhile is never overwritten, and the withdrawal is refused."""
    if proposal.status not in (ProposalStatus.DRAFT, ProposalStatus.OPEN):
        raise ProposalError(_l("Only a proposal not yet decided can be withdrawn."))
    cancelled = []
    for round_id in [r.id for r in proposal.rounds if r.status is RoundStatus.OPEN]:
        try:
            rounds.cancel_round(db, round_id, now=now, actor_id=actor_id)
        except rounds.RoundError:
            raise ProposalError(_l("Its round has just closed: see its result before"
                                   " withdrawing the proposal.")) from None
        cancelled.append(round_id)
    changed = db.connection().execute(
        update(Proposal).where(Proposal.id == proposal.id,
                               Proposal.status.in_((ProposalStatus.DRAFT, ProposalStatus.OPEN)))
        .values(status=ProposalStatus.WITHDRAWN))
    if rounds.rowcount(changed) != 1:
        raise ProposalError(_l("Only a proposal not yet decided can be withdrawn."))
    db.refresh(proposal)
    audit.proposal_event(db, proposal, "proposal_withdrawn", at=now, actor_id=actor_id,
                         cancelled_rounds=cancelled)


def record_outcome(db: Session, proposal: Proposal, *, statement: str,
                   review_date: date | None) -> None:
    """The facilitator's outcome statement and review date, after the decision."""
    if proposal.status is not ProposalStatus.DECIDED:
        raise ProposalError(_l("The outcome is recorded once the proposal is decided."))
    proposal.outcome_statement = statement.strip()
    proposal.outcome_statement_html = markdown.render(proposal.outcome_statement).html
    proposal.review_date = review_date
    db.flush()
    audit.proposal_event(db, proposal, "outcome_written", outcome=proposal.outcome,
                         statement=proposal.outcome_statement, review_date=review_date)
