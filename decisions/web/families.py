"""What each family of decision rules allows on the web, in one descriptor per family.

A descriptor says which rounds a proposal of the family holds and in which order, the
positions its members may take in each, whether its ballots may be secret, how it is
counted (a tallied vote, maybe by college, or named positions with objections), which
groups of parameters the proposal form shows for it, and which outcomes of a closed round
leave the proposal open. It is built on the engine's own enums (``Family``, ``Position``,
``Outcome``); a proposal stores its family as the word of the case format, read back here
by :func:`descriptor`.

Adding a family = the engine's rule module + its descriptor here + its templates (its words
in ``proposals/rule_words.py``, its fields in the proposal form, if it has new ones).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

from decisions.engine import Family, Outcome, Position, Tally

from .models import RoundKind

__all__ = [
    "DESCRIPTORS",
    "NOMINATE",
    "TALLY_POSITIONS",
    "FamilyDescriptor",
    "descriptor",
]

#: The position of a nomination ballot: the engine records nominations as events, with a
#: nominee, not as positions.
NOMINATE = "nominate"

#: The positions a vote's tally counts, in the engine's order (its ``Tally``), as the words
#: of the case format: those cast online, and the spoiled ballots counted in the room.
TALLY_POSITIONS: tuple[str, ...] = tuple(Position(f.name).value for f in fields(Tally))

_VOTE = (Position.YES, Position.NO, Position.ABSTAIN, Position.BLANK)
_SOCIOCRATIC = (Position.CONSENT, Position.CONCERN, Position.OBJECT)


@dataclass(frozen=True, slots=True, kw_only=True)
class FamilyDescriptor:
    """What one family allows: its rounds, positions, secrecy, counting and form."""

    family: Family
    #: The kinds of round that may open a proposal.
    first_rounds: frozenset[RoundKind]
    #: The kinds of round that may follow a closed round of a kind, with its outcome
    #: (``None`` for rounds the engine does not count: comments, nominations).
    next_rounds: Mapping[tuple[RoundKind, Outcome | None], frozenset[RoundKind]]
    #: The positions a member may take in a round of each kind, in the order shown.
    positions: Mapping[RoundKind, tuple[str, ...]]
    #: Counted as a vote: weighted tallies, counts from the room, cases of counts only.
    is_vote: bool = False
    #: Counted by college, each weighing by its share of the voting rights.
    by_college: bool = False
    #: Ballots may be secret (objections and consents must be named).
    may_be_secret: bool = False
    #: Members may object, and an objection may need a reason.
    takes_objections: bool = False
    #: A sociocratic process: its rounds are one log, counted together.
    sociocratic: bool = False
    #: Consent rounds are on a candidate, whom the facilitator chooses.
    elects: bool = False
    #: A consent may carry a concern that does not block (no concern position).
    concern_with_consent: bool = False
    #: The groups of parameters the proposal form shows for this family.
    form_groups: tuple[str, ...] = ()
    #: Outcomes of a closed round that leave the proposal open for another round.
    stays_open: frozenset[Outcome] = frozenset({Outcome.NEEDS_INTEGRATION, Outcome.PENDING})

    def rounds_after(self, kind: RoundKind, outcome: str | None) -> frozenset[RoundKind]:
        """The kinds of round that may follow a closed round of ``kind`` with ``outcome``."""
        return self.next_rounds.get((kind, None if outcome is None else Outcome(outcome)),
                                    frozenset())

    @property
    def every_position(self) -> tuple[str, ...]:
        """Every position a member may take in the rounds of this family, in order, as the
        words a ballot stores."""
        found: list[str] = []
        for positions in self.positions.values():
            found += [str(p) for p in positions if p not in found]
        return tuple(found)


def _vote(family: Family, *, by_college: bool = False) -> FamilyDescriptor:
    """A vote: one round, and a second convocation after a first without quorum."""
    vote = frozenset({RoundKind.VOTE})
    return FamilyDescriptor(
        family=family, first_rounds=vote,
        next_rounds={(RoundKind.VOTE, Outcome.NO_QUORUM): vote},
        positions={RoundKind.VOTE: _VOTE}, is_vote=True, by_college=by_college,
        may_be_secret=True, form_groups=("vote",))


#: A consent round with objections to integrate, or still pending, is held again.
_CONSENT_AGAIN: dict[tuple[RoundKind, Outcome | None], frozenset[RoundKind]] = {
    (RoundKind.CONSENT, Outcome.NEEDS_INTEGRATION): frozenset({RoundKind.CONSENT}),
    (RoundKind.CONSENT, Outcome.PENDING): frozenset({RoundKind.CONSENT}),
}
_SOCIOCRATIC_FIRST = frozenset({RoundKind.CLARIFYING, RoundKind.REACTIONS, RoundKind.CONSENT})

#: The descriptor of each family, in the order the proposal form offers them.
DESCRIPTORS: Mapping[Family, FamilyDescriptor] = {d.family: d for d in (
    FamilyDescriptor(
        family=Family.CONSENT, first_rounds=frozenset({RoundKind.CONSENT}), next_rounds={},
        positions={RoundKind.CONSENT: (Position.CONSENT, Position.ABSTAIN, Position.OBJECT)},
        takes_objections=True, concern_with_consent=True, form_groups=("consent",)),
    FamilyDescriptor(
        family=Family.SOCIOCRATIC_CONSENT, first_rounds=_SOCIOCRATIC_FIRST,
        # Questions and reactions may follow each other before the consent rounds.
        next_rounds={(RoundKind.CLARIFYING, None): _SOCIOCRATIC_FIRST,
                     (RoundKind.REACTIONS, None): _SOCIOCRATIC_FIRST, **_CONSENT_AGAIN},
        positions={RoundKind.CONSENT: _SOCIOCRATIC}, takes_objections=True, sociocratic=True,
        form_groups=("sociocratic",)),
    FamilyDescriptor(
        family=Family.SOCIOCRATIC_ELECTION, first_rounds=frozenset({RoundKind.NOMINATION}),
        next_rounds={(RoundKind.NOMINATION, None): frozenset({RoundKind.CHANGE,
                                                              RoundKind.CONSENT}),
                     (RoundKind.CHANGE, None): frozenset({RoundKind.CONSENT}), **_CONSENT_AGAIN},
        positions={RoundKind.CONSENT: _SOCIOCRATIC, RoundKind.NOMINATION: (NOMINATE,),
                   RoundKind.CHANGE: (NOMINATE,)},
        takes_objections=True, sociocratic=True, elects=True,
        form_groups=("sociocratic", "election")),
    _vote(Family.MAJORITY),
    _vote(Family.SCIC_COLLEGE, by_college=True),
)}


def descriptor(family: str) -> FamilyDescriptor:
    """The descriptor of a family, from its word in the case format (as a proposal stores
    it); ``ValueError`` for a word that names no family, ``KeyError`` for a family without
    a descriptor."""
    return DESCRIPTORS[Family(family)]
