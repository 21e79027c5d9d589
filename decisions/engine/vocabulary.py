"""The vocabularies of a case: families, outcomes, positions and the choices of parameters.

Each is a string enum whose values are the words of the case format (docs/case-format.md),
so that a value read from JSON and a value written back are the same word. What each word
means for the rules is in docs/rules.md, section by section as cited below.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "OUTSIDE_SEARCH",
    "UNLIMITED",
    "AbsentPolicy",
    "Base",
    "CollegeMethod",
    "CollegeRefusal",
    "ConfigError",
    "Convocation",
    "EmptyCollegePolicy",
    "Family",
    "Mode",
    "Outcome",
    "Position",
    "PostalOnAmended",
    "ProxyRefusal",
    "Qualification",
    "QuorumBasis",
    "QuorumScope",
    "RejectionReason",
    "SilencePolicy",
    "ThresholdName",
    "UnreasonedObjectionPolicy",
]

#: The reserved nominee id of an election: "search outside the circle"
#: (docs/rules.md section 6, item 2).
OUTSIDE_SEARCH = "outside_search"

#: ``max_proxies_per_holder`` when the statuts set no cap on proxies per holder.
UNLIMITED = "unlimited"


class Family(StrEnum):
    """The five families of decision rules (docs/rules.md sections 2 to 6)."""

    MAJORITY = "majority"
    SCIC_COLLEGE = "scic_college"
    CONSENT = "consent"
    SOCIOCRATIC_CONSENT = "sociocratic_consent"
    SOCIOCRATIC_ELECTION = "sociocratic_election"


class Outcome(StrEnum):
    """What the engine decides about a case (docs/rules.md 0.2)."""

    PENDING = "pending"
    ADOPTED = "adopted"
    REJECTED = "rejected"
    NO_QUORUM = "no_quorum"
    BLOCKED = "blocked"
    NEEDS_INTEGRATION = "needs_integration"
    ESCALATED = "escalated"
    INVALID_CONFIG = "invalid_config"
    INVALID_CONVOCATION = "invalid_convocation"


class Position(StrEnum):
    """A position a member can take; each family accepts its own subset."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"
    BLANK = "blank"
    INVALID = "invalid"
    CONSENT = "consent"
    OBJECT = "object"
    CONCERN = "concern"


class RejectionReason(StrEnum):
    """Why a ballot or an event was refused (docs/rules.md 0.3 and 8b)."""

    NOT_ELIGIBLE = "not_eligible"
    TOO_EARLY = "too_early"
    LATE = "late"
    POSITION_NOT_ALLOWED = "position_not_allowed"
    ABSTAIN_NOT_ALLOWED = "abstain_not_allowed"
    MISSING_REASON = "missing_reason"
    CHANGE_NOT_ALLOWED = "change_not_allowed"
    STALE_VERSION = "stale_version"
    NOT_AUTHORIZED = "not_authorized"
    # Meetings with an attendance sheet (docs/rules.md 0.4 and 8b "Meetings"):
    PROXY_REFUSED = "proxy_refused"
    """Cast by a holder whose proxy for the voter was refused."""
    NOT_PROXY_HOLDER = "not_proxy_holder"
    """Cast by someone who holds no proxy of the voter."""
    REPRESENTED = "represented"
    """Cast by a member whose accepted proxy makes their holder vote for them."""
    REMOTE_NOT_ALLOWED = "remote_not_allowed"
    """Cast by a member taking part remotely when the statuts do not count them present."""
    RESOLUTION_AMENDED = "resolution_amended"
    """A postal ballot on a resolution amended in the meeting (``postal_on_amended``)."""


class ProxyRefusal(StrEnum):
    """Why a proxy of the attendance sheet is refused (docs/rules.md 0.4); the first that
    applies is reported, in this order."""

    HOLDER_NOT_MEMBER = "holder_not_member"
    CHAIN = "chain"
    REPRESENTED_PRESENT = "represented_present"
    HOLDER_ABSENT = "holder_absent"
    HOLDER_OTHER_COLLEGE = "holder_other_college"
    HOLDER_OVER_CAP = "holder_over_cap"


class PostalOnAmended(StrEnum):
    """What postal votes count as on a resolution amended in the meeting: not a vote
    expressed (``absent``: the member stays present, without a ballot) or a vote
    against (``no``), as the statuts say."""

    ABSENT = "absent"
    NO = "no"


class Mode(StrEnum):
    """Meeting (present members, counts, proxies) or asynchronous (online ballots)."""

    MEETING = "meeting"
    ASYNC = "async"


class Base(StrEnum):
    """What counts in the denominator of a majority (docs/rules.md 2.1)."""

    YN = "YN"
    YNA = "YNA"
    VALID = "valid"
    CAST = "cast"
    PRESENT = "present"
    ENTITLED = "entitled"


class ThresholdName(StrEnum):
    """The named thresholds; ``custom`` carries its own fraction."""

    SIMPLE = "simple"
    ABSOLUTE = "absolute"
    TWO_THIRDS = "two_thirds"
    THREE_QUARTERS = "three_quarters"
    CUSTOM = "custom"


class Convocation(StrEnum):
    """First or second convocation (or consultation) of an assembly."""

    FIRST = "first"
    SECOND = "second"


class QuorumBasis(StrEnum):
    """What a quorum counts: heads present or represented (cooperatives) or capital."""

    MEMBERS_PRESENT_OR_REPRESENTED = "members_present_or_represented"
    CAPITAL = "capital"


class QuorumScope(StrEnum):
    """How a multi-college assembly checks its quorum (docs/rules.md 3.3)."""

    ASSEMBLY_HEADS = "assembly_heads"
    WEIGHTED = "weighted"
    PER_COLLEGE_MIN = "per_college_min"


class CollegeMethod(StrEnum):
    """How college results combine: proportional shares or each college as one bloc."""

    PROPORTIONAL = "proportional"
    BLOC = "bloc"


class EmptyCollegePolicy(StrEnum):
    """What the weight of a college that expresses nothing does (docs/rules.md 3.4)."""

    REDISTRIBUTE = "redistribute"
    FIXED = "fixed"


class CollegeRefusal(StrEnum):
    """Why a college configuration is refused (docs/rules.md 3.2)."""

    TOO_FEW_COLLEGES = "too_few_colleges"
    WEIGHTS_SUM = "weights_sum"
    WEIGHT_OUT_OF_BOUNDS = "weight_out_of_bounds"


ConfigError = CollegeRefusal
"""The former name of ``CollegeRefusal`` (an enum, not an exception), kept for embedders."""


class SilencePolicy(StrEnum):
    """Whether silence at the deadline of a consent process means consent."""

    CONSENT = "consent"
    REQUIRE_ALL = "require_all"


class UnreasonedObjectionPolicy(StrEnum):
    """What happens to an objection given without a reason when one is required."""

    REJECT_BALLOT = "reject_ballot"
    DOWNGRADE_TO_CONCERN = "downgrade_to_concern"


class AbsentPolicy(StrEnum):
    """How a sociocratic circle treats absent members (SoFA options A, B, C)."""

    AWAIT = "await"
    CANNOT_OBJECT = "cannot_object"
    PRIOR_INPUT = "prior_input"


class Qualification(StrEnum):
    """What an objection was recognised as, by a recorded decision."""

    VALID = "valid"
    INVALID = "invalid"
    CONCERN = "concern"
