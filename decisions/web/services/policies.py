"""Who may do what with proposals and their rounds, by the acting membership: pages ask here
which links, buttons and forms to show and which requests to refuse, and the API asks the
same. The services check each change again when it is made (a round may close meanwhile)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..families import descriptor
from ..models import (
    CHANGEABLE,
    COMMENT_KINDS,
    AgendaItem,
    Membership,
    Organisation,
    Proposal,
    ProposalStatus,
    Role,
    Round,
    RoundKind,
    RoundStatus,
)
from .objections import standing_objections
from .results import took_part, voters_visible
from .rounds import RoundRules, is_elector, next_kinds


def may_propose(organisation: Organisation, membership: Membership) -> bool:
    """Facilitators and admins put forward proposals; members when the organisation lets
    them."""
    return membership.can(Role.FACILITATOR) or organisation.allow_member_proposals


def may_change(proposal: Proposal, organisation: Organisation, membership: Membership) -> bool:
    """Facilitators and admins amend and withdraw; so does the author when members may
    propose."""
    return membership.can(Role.FACILITATOR) or (
        organisation.allow_member_proposals and proposal.author_id == membership.id)


def changeable(proposal: Proposal) -> bool:
    """Whether the proposal may still be amended or withdrawn (not decided nor withdrawn)."""
    return proposal.status in CHANGEABLE


def may_see(proposal: Proposal, membership: Membership) -> bool:
    """A draft is seen by facilitators, admins and its author; the rest by every member."""
    return (proposal.status is not ProposalStatus.DRAFT or membership.can(Role.FACILITATOR)
            or proposal.author_id == membership.id)


def may_open_round(proposal: Proposal, membership: Membership) -> bool:
    """Facilitators open a proposal's next round, when one may follow."""
    return membership.can(Role.FACILITATOR) and bool(next_kinds(proposal))


# Rounds ---------------------------------------------------------------------------------


def takes_ballots(round_: Round | RoundRules) -> bool:
    """Whether members take positions (or nominate) in this round."""
    family = round_.family if isinstance(round_, RoundRules) else round_.proposal.family
    return round_.kind in descriptor(family).positions


def takes_comments(round_: Round) -> bool:
    """Whether members post comments in this round (clarifying questions, reactions)."""
    return round_.kind in COMMENT_KINDS


def takes_objections(round_: Round) -> bool:
    """Whether decisions about objections are recorded in this round: its consent rounds."""
    return (round_.kind is RoundKind.CONSENT
            and descriptor(round_.proposal.family).takes_objections)


def takes_room_counts(round_: Round) -> bool:
    """Whether the counts of the people in the room are entered in this round: a vote's."""
    return round_.kind is RoundKind.VOTE and descriptor(round_.proposal.family).is_vote


@dataclass(frozen=True, slots=True, kw_only=True)
class RoundActions:
    """What a member may do in a round at one moment, so which forms its page shows."""

    #: In the round's electorate (snapshotted when it opened).
    elector: bool
    #: The round takes ballots, comments and events now (see ``Round.accepting``).
    accepting: bool
    #: Already voted by secret ballot, which is never changed.
    voted_in_secret: bool
    #: Take or change a position (or a nomination).
    vote: bool
    #: Post a comment.
    comment: bool
    #: Read the decisions recorded about objections.
    see_objection_events: bool
    #: Facilitators: move the deadline later, close now, cancel.
    extend: bool
    close: bool
    cancel: bool
    #: Facilitators: record a decision about a standing objection (or its withdrawal).
    qualify: bool
    #: Facilitators: enter the counts of the room.
    tally: bool
    #: The general assembly whose resolution the round is: voted from the assembly's page
    #: (checked in, by proxy, by post), never with the round's own form.
    assembly_id: int | None = None

    @property
    def facilitates(self) -> bool:
        """Any of a facilitator's actions is open."""
        return self.extend or self.close or self.cancel or self.qualify or self.tally


def round_actions(db: Session, round_: Round, membership: Membership,
                  now: datetime) -> RoundActions:
    """What ``membership`` may do in the round at ``now``."""
    proposal = round_.proposal
    facilitator = membership.can(Role.FACILITATOR)
    elector = is_elector(db, round_.id, membership.id)
    accepting = bool(round_.accepting(now))
    voted_in_secret = proposal.secret and took_part(db, round_.id, membership.id)
    # A facilitator keeps the deadline, close and cancel forms while the round is open, even
    # once its deadline has passed; objections and counts only while it takes them.
    steers = facilitator and round_.status is RoundStatus.OPEN
    records = facilitator and accepting
    assembly_id = db.scalar(select(AgendaItem.assembly_id).where(AgendaItem.round_id == round_.id))
    return RoundActions(
        elector=elector, accepting=accepting, voted_in_secret=voted_in_secret,
        vote=(takes_ballots(round_) and accepting and elector and not voted_in_secret
              and assembly_id is None),
        comment=takes_comments(round_) and accepting and elector,
        see_objection_events=takes_objections(round_) and (
            facilitator or voters_visible(proposal, round_, membership)),
        extend=steers, close=steers, cancel=steers,
        qualify=records and takes_objections(round_) and bool(standing_objections(db, round_.id)),
        tally=records and takes_room_counts(round_), assembly_id=assembly_id)
