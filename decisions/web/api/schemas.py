"""The shapes of the API: pydantic models that validate what comes in and shape what goes
out, and from which ``/api/v1/openapi.json`` is generated (``spec.py``). There is no other
description of the API to keep in step.

Inputs forbid unknown members (a misspelt field is refused, not ignored) and hold what the
database can store: ids within its integers, text without NUL characters, titles on one
line, the lengths of the pages' forms, instants with a time zone.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    RootModel,
)

from decisions.engine import Family

from ..models import (
    AssemblyKind,
    AssemblyStatus,
    AttendanceMode,
    ElectorateScope,
    ProposalStatus,
    Role,
    RoundKind,
    RoundStatus,
    VotersVisibility,
)

#: The largest id the database holds (PostgreSQL's ``integer``).
ID_MAX = 2**31 - 1
#: Lengths of the pages' forms.
TITLE_LENGTH = 200
BODY_LENGTH = 50_000
SUMMARY_LENGTH = 5000
REASON_LENGTH = 5000

_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _no_nul(text: str) -> str:
    if "\x00" in text:
        raise ValueError("text cannot hold a NUL character")
    return text


def _one_line(text: str) -> str:
    if _CONTROLS.search(text):
        raise ValueError("one line of visible text: no control character, line break or"
                         " direction override")
    text = text.strip()
    if not text:
        raise ValueError("cannot be empty")
    return text


def _in_range(moment: datetime) -> datetime:
    """An instant that can be stored in UTC (years 2000 to 9998): beyond, converting it
    would overflow."""
    if not datetime(2000, 1, 1, tzinfo=UTC) <= moment < datetime(9999, 1, 1, tzinfo=UTC):
        raise ValueError("an instant between the years 2000 and 9998")
    return moment.astimezone(UTC)


Id = Annotated[int, Field(ge=1, le=ID_MAX)]
Text = Annotated[str, AfterValidator(_no_nul)]
Line = Annotated[str, Field(min_length=1, max_length=TITLE_LENGTH), AfterValidator(_one_line)]
Moment = Annotated[AwareDatetime, AfterValidator(_in_range)]
Position = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z_]+$")]


class Input(BaseModel):
    """A request body (or query): unknown members are refused."""

    model_config = ConfigDict(extra="forbid")


class Output(BaseModel):
    """A response body."""


# Lists ----------------------------------------------------------------------------------


class PageQuery(Input):
    """One page of a list: after the ``cursor`` of the page before (none: the first)."""

    limit: int = Field(50, ge=1, le=200, description="How many items, at most.")
    cursor: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                               description="The `next_cursor` of the page before.")


# Organisations and members --------------------------------------------------------------


class College(Output):
    """A college of a multi-college organisation, with its statutory weight in percent
    (an exact fraction as text; ``null``: an equal share)."""

    id: int
    name: str
    weight: str | None


class Member(Output):
    """A current member of an organisation (``id``: the membership's)."""

    id: int
    name: str
    role: Role
    college: str | None
    college_id: int | None
    vote_weight: int
    joined_at: datetime


class Organisation(Output):
    """An organisation, and the member the request acts as (``me``)."""

    slug: str
    name: str
    timezone: str
    language: str
    is_scic: bool
    allow_member_proposals: bool
    colleges: list[College]
    me: Member


class MemberPage(Output):
    """A page of members, by id."""

    items: list[Member]
    next_cursor: str | None


class MemberInvite(Input):
    """Invite someone by e-mail: they get a link to join with this role (and college)."""

    email: EmailStr = Field(max_length=254)
    role: Role = Role.MEMBER
    college_id: Id | None = None


class Invitation(Output):
    """An invitation sent: the person joins when they follow its link."""

    id: int
    email: str
    role: Role
    college_id: int | None
    created_at: datetime
    expires_at: datetime
    status: str


# Proposals ------------------------------------------------------------------------------


class Version(Output):
    """One version of a proposal's text (Markdown, and as shown, sanitised)."""

    number: int
    title: str
    body: str
    body_html: str
    summary: str
    author_id: int | None
    created_at: datetime


class RoundSummary(Output):
    """A round as a proposal lists it."""

    id: int
    number: int
    kind: RoundKind
    status: RoundStatus
    opens_at: datetime
    closes_at: datetime
    outcome: str | None


class ProposalSummary(Output):
    """A proposal as the list shows it."""

    id: int
    title: str
    status: ProposalStatus
    family: Family
    secret: bool
    outcome: str | None
    created_at: datetime
    decided_at: datetime | None


class Proposal(Output):
    """A proposal: its current version, its rule (the engine's parameters), who decides,
    its options, its rounds, and the kinds of round the acting member may open now."""

    id: int
    organisation: str
    title: str
    status: ProposalStatus
    family: Family
    params: dict[str, Any]
    electorate_scope: ElectorateScope
    circle_id: int | None
    electors: list[int] | None
    hide_results: bool
    secret: bool
    voters_visible: VotersVisibility
    reasons_required: list[str]
    reminder_hours: int | None
    outcome: str | None
    outcome_statement: str
    review_date: date | None
    author_id: int | None
    created_at: datetime
    decided_at: datetime | None
    version: Version
    rounds: list[RoundSummary]
    may_open: list[RoundKind]


class ProposalPage(Output):
    """A page of proposals, newest first."""

    items: list[ProposalSummary]
    next_cursor: str | None


class ProposalCreate(Input):
    """A new draft proposal, its rule in the engine's case format (``params``: the rule's
    parameters, such as ``{"preset": "scic_sa_ago"}``; those each round sets are refused)."""

    title: Line
    body: Annotated[Text, Field(min_length=1, max_length=BODY_LENGTH)]
    family: Family
    params: dict[str, Any] = Field(default_factory=dict)
    electorate_scope: ElectorateScope = ElectorateScope.ORGANISATION
    circle_id: Id | None = None
    electors: list[Id] = Field(default_factory=list, max_length=10_000)
    hide_results: bool = False
    secret: bool = False
    voters_visible: VotersVisibility = VotersVisibility.EVERYONE
    reasons_required: list[Position] = Field(default_factory=list, max_length=10)
    reminder_hours: Annotated[int, Field(ge=-ID_MAX, le=ID_MAX)] | None = 24


class VersionCreate(Input):
    """A new version of the text, with what changed."""

    title: Line
    body: Annotated[Text, Field(min_length=1, max_length=BODY_LENGTH)]
    summary: Annotated[Text, Field(min_length=1, max_length=SUMMARY_LENGTH)]


# Rounds ---------------------------------------------------------------------------------


class Actions(Output):
    """What the acting member may do in the round now (the page's forms)."""

    elector: bool
    vote: bool
    comment: bool
    extend: bool
    close: bool
    cancel: bool


class Round(Output):
    """A round: its kind, window, status and outcome, the positions it takes and those
    that need a reason, and what the acting member may do in it now."""

    id: int
    proposal_id: int
    number: int
    kind: RoundKind
    status: RoundStatus
    version: int
    convocation: str
    candidate_id: int | None
    opens_at: datetime
    closes_at: datetime
    closed_at: datetime | None
    outcome: str | None
    secret: bool
    positions: list[str]
    reasons_required: list[str]
    actions: Actions


class ApiWarning(Output):
    """Something the caller should know of what it just did, which did not stop it."""

    code: str = Field(description="The stable code of the warning (`mail.printed_only`).")
    message: str = Field(description="What it means, in the caller's language.")


class OpenedRound(Round):
    """A round just opened, and what the facilitator should know of it: a consent round
    where silence counts as consent, opened while e-mail is only printed on the server's
    console (`mail.printed_only`: no elector is told by e-mail), as the page warns."""

    warnings: list[ApiWarning]


class RoundPage(Output):
    """A page of a proposal's rounds, in order."""

    items: list[Round]
    next_cursor: str | None


class RoundOpen(Input):
    """Open the proposal's next round now, until ``closes_at``; an election's consent round
    is on ``candidate_id``."""

    kind: RoundKind
    closes_at: Moment
    candidate_id: Id | None = None


class RoundExtend(Input):
    """A later deadline for an open round."""

    closes_at: Moment


# Ballots --------------------------------------------------------------------------------


class BallotPut(Input):
    """My position in the round (with a reason where the rule asks one, a concern with a
    consent, or the member I nominate). In a general assembly's resolution, the votes I
    cast: mine and/or those of the members whose proxy I hold (``for_members``)."""

    position: Position
    reason: Annotated[Text, Field(max_length=REASON_LENGTH)] = ""
    concern: Annotated[Text, Field(max_length=REASON_LENGTH)] = ""
    nominee_id: Id | None = None
    for_members: list[Id] | None = Field(
        None, min_length=1, max_length=1000,
        description="Only in a general assembly's resolution: the members (membership ids)"
                    " whose vote this position is, each one cast by me: myself and/or"
                    " members whose standing proxy I hold (the assembly's `me.voices`)."
                    " By default, myself.")


class Ballot(Output):
    """My ballot in a round: the one that counts (the latest, or the first where the rule
    counts first ballots). In a secret round, only whether I voted: what is stored of a
    secret ballot cannot say what it was."""

    round_id: int
    secret: bool
    voted: bool
    position: str | None
    reason: str | None
    concern: str | None
    nominee: str | None
    cast_at: datetime | None
    round_status: RoundStatus


# Results --------------------------------------------------------------------------------


class Participation(Output):
    """How many took part out of how many (weighted for votes), against the quorum."""

    responded: int
    eligible: int
    quorum: str | None
    quorum_met: bool | None
    needed: int | None


class CollegeResult(Output):
    """One college's part in a multi-college vote."""

    name: str
    weight_effective: str
    members: int
    present: int
    counts: dict[str, int]
    yes_share: str | None


class Nomination(Output):
    """A nominee and how many nominated them."""

    name: str
    count: int


class Voter(Output):
    """Who took which position (only where the proposal lets the reader see it)."""

    name: str
    position: str
    reason: str
    concern: str
    nominee: str | None
    cast_at: datetime


class Result(Output):
    """A round's results as the results page shows them to the acting member: counts
    (live unless hidden until the close), participation, the outcome and its explanation
    in the caller's language, and who took which position when visible to them."""

    round_id: int
    status: RoundStatus
    closed: bool
    secret: bool
    counts_visible: bool
    participation: Participation
    counts: dict[str, int] | None
    colleges: list[CollegeResult] | None
    nominations: list[Nomination] | None
    outcome: str | None
    explanation: str | None
    voters: list[Voter] | None
    voters_total: int | None
    case_available: bool


class Case(RootModel[dict[str, Any]]):
    """The engine's case, in its JSON format (docs/case-format.md): the rule, the
    electorate, the ballots and the window, exactly as stored when the round closed."""


# General assemblies ----------------------------------------------------------------------

#: A figure of the engine: a number of members, or a weighted one as an exact fraction.
Figure = int | str


class AssemblySummary(Output):
    """A general assembly as the list shows it."""

    id: int
    title: str
    kind: AssemblyKind
    status: AssemblyStatus
    convocation: str
    meets_at: datetime


class AssemblyPage(Output):
    """A page of the organisation's general assemblies, the latest prepared first."""

    items: list[AssemblySummary]
    next_cursor: str | None


class Resolution(Output):
    """A resolution of the agenda: its proposal (a vote of its own rule), the version
    convened, and the round it is voted in once the chair opened it (its outcome once
    closed). A secret resolution shows no more than its page: the round's result says the
    counts once it is closed, never who voted what."""

    number: int
    proposal_id: int
    title: str
    version: int
    family: Family
    preset: str | None
    secret: bool
    round_id: int | None
    round_status: RoundStatus | None
    outcome: str | None


class Quorum(Output):
    """The quorum of one rule of the agenda (ordinary and extraordinary resolutions differ),
    as the engine reads the attendance sheet."""

    preset: str | None
    required: str | None
    met: bool
    present: Figure
    eligible: Figure


class Attendance(Output):
    """The attendance sheet's figures as the engine reads them (live while the sitting is
    convened or in session, as stored at its close afterwards): how many members take part
    in each way, in all and per college, and whether each rule's quorum is reached."""

    present: Figure
    eligible: Figure
    counts: dict[str, Figure]
    by_college: dict[str, dict[str, Figure]]
    quorums: list[Quorum]
    quorum_met: bool
    refused_proxies: int
    refused_postal: int


class Voice(Output):
    """A vote the acting member may cast in the resolution open now: their own, or that of
    a member whose proxy they hold, and the position already counted (``"secret"`` in a
    secret resolution: only that it was cast)."""

    member_id: int
    name: str
    own: bool
    cast: str | None


class AssemblyMe(Output):
    """Where the acting member stands at the sitting: on the roll, the proxy they gave,
    those they hold, their postal vote, their check-in, and the votes they may cast now."""

    on_roll: bool
    proxy_holder_id: int | None
    proxies_held: list[int]
    voted_by_post: bool
    checked_in: AttendanceMode | None
    voices: list[Voice]


class Assembly(Output):
    """A general assembly: its kind, dates, place, convocation, agenda, attendance and
    quorum, and where the acting member stands."""

    id: int
    organisation: str
    title: str
    kind: AssemblyKind
    status: AssemblyStatus
    convocation: str
    first_sitting_id: int | None
    meets_at: datetime
    second_meets_at: datetime | None
    place: str
    video_link: str
    convened_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    chair: str | None
    secretary: str | None
    max_proxies_per_holder: int | None
    proxy_same_college: bool
    remote_counts_as_present: bool
    agenda: list[Resolution]
    current_round_id: int | None
    attendance: Attendance | None
    me: AssemblyMe


class CollegeFigures(Output):
    """One college's part of a resolution's result, as the engine gave it."""

    name: str
    weight: str | None
    members: Figure
    present: Figure
    yes: Figure
    no: Figure
    abstain: Figure
    blank: Figure
    invalid: Figure
    yes_share: str | None
    carried: bool | None


class MinutesResolution(Output):
    """A resolution as the minutes tell it: its text as convened, its rule's preset, the
    engine's stored outcome and figures by college, and its explanation in the caller's
    language."""

    number: int
    title: str
    version: int
    preset: str | None
    secret: bool
    voted: bool
    outcome: str | None
    round_id: int | None
    case_sha256: str | None
    colleges: list[CollegeFigures]
    explanation: str | None


class RefusedProxy(Output):
    """A proxy the engine refused at the sitting, and why."""

    member: str
    holder: str
    reason: str


class Minutes(Output):
    """The figures of the minutes (procès-verbal) of a closed sitting: the attendance sheet
    stored at its close, each resolution's stored result, and the head of the audit chain
    at the closing entry."""

    assembly_id: int
    organisation: str
    title: str
    kind: AssemblyKind
    status: AssemblyStatus
    convocation: str
    meets_at: datetime
    first_meets_at: datetime | None
    closed_at: datetime | None
    chair: str | None
    secretary: str | None
    notice_days: int | None
    attendance: Attendance
    resolutions: list[MinutesResolution]
    refused_proxies: list[RefusedProxy]
    audit_seq: int | None
    audit_head: str | None


# The audit log --------------------------------------------------------------------------


class AuditEntry(Output):
    """An entry of the organisation's hash-chained log (a secret ballot's shows its round
    and count only)."""

    seq: int
    at: datetime
    kind: str
    actor_id: int | None
    data: dict[str, Any]
    hash: str


class AuditHead(Output):
    """The chain's head: its length and the hash of its last entry."""

    length: int
    hash: str


class AuditPage(Output):
    """A page of the audit log, newest first, and the head of the chain."""

    items: list[AuditEntry]
    next_cursor: str | None
    head: AuditHead


# Problems -------------------------------------------------------------------------------


class FieldError(Output):
    """What is wrong with one field of the body."""

    field: str
    message: str


class Problem(Output):
    """An error (RFC 9457, ``application/problem+json``)."""

    type: str = Field(description="A URI reference naming the problem: `/api/v1/problems/`"
                                  " and its code.")
    code: str = Field(description="The stable code of the problem (`round.closed`).")
    title: str
    status: int
    detail: str = Field(description="What happened, in the caller's language: for a refusal"
                                    " of the rules, the very sentence the page shows.")
    field: str | None = Field(description="The body member, query parameter or header at"
                                          " fault, if one is.")
    instance: str | None
    errors: list[FieldError] | None = None
