"""General assemblies: preparing a sitting and its agenda, convening it, proxies and postal
votes before it, checking members in, voting the resolutions live one after another, a
first convocation without quorum and the second one, and closing the sitting.

The engine decides what the law decides (docs/rules.md 0.4 and 8b, "Meetings"): whether the
convocation gave the preset's notice (``convene``), who is present and whether the quorum is
reached (``sheet``), which proxies and postal forms stand, and each resolution's outcome,
from the cases ``assembly_cases`` builds. The server enforces, when a member acts, what the
engine would otherwise have to refuse afterwards: the statutory cap on proxies and the rules
of a proxy (no chain, no proxy of a member who takes part in person or by post), and, in a
secret resolution, everything the engine cannot see in counters that name nobody.

Legal points (C. com., applied to cooperatives as docs/rules.md 1.2 says):
- notice: 15 days on first convocation, 10 on a second (R225-69), counted as the courts do
  (the sending day out, the meeting day in), by the engine's ``convocation_check``;
- a second convocation keeps the agenda (R225-69), and the proxies and postal forms given
  for the first stand for it (R225-77, R225-79);
- postal forms count when received before the meeting (L225-107 I): taken until the day
  before the meeting day; members taking part remotely count as present only if the statuts
  say so (L225-107 II: ``remote_counts_as_present``).

Flask-free: the session and the clock are parameters; every change is logged in the
organisation's audit chain in the same transaction.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, delete, exists, or_, select, update
from sqlalchemy.orm import Session

from decisions.engine import CaseError, evaluate, load_case

from .. import assembly_cases, round_cases
from ..families import TALLY_POSITIONS, descriptor
from ..models import (
    CHANGEABLE,
    AgendaItem,
    Assembly,
    AssemblyKind,
    AssemblyStatus,
    Attendance,
    AttendanceMode,
    Ballot,
    College,
    ElectorateScope,
    Membership,
    NoticeKind,
    Organisation,
    Participation,
    PostalTally,
    PostalVote,
    Proposal,
    ProposalStatus,
    Proxy,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    RoundTally,
    User,
)
from . import ServiceError, audit, email_convocation, notices, proposals, rounds
from .messages import N_

#: The presets of a SCIC's resolutions (docs/rules.md section 7): an ordinary resolution
#: (accounts, board: C. com. L225-98) and an extraordinary one (statuts: L225-96).
ORDINARY_PRESET, EXTRAORDINARY_PRESET = "scic_sa_ago", "scic_sa_age"
#: The positions of a resolution (the engine's vote positions a member chooses online).
POSITIONS = ("yes", "no", "abstain", "blank")
#: How long a resolution stays open when the chair gives no length: until the chair closes
#: it, within the day.
UNTIL_CLOSED = timedelta(hours=12)
#: Letters of a room code: no 0/O nor 1/I, read from a screen across a room.
CODE_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


class AssemblyError(ServiceError):
    """Something about a general assembly that cannot be done now."""


class ConvocationRefused(AssemblyError):
    """A convocation sent too late for the notice period: ``params["missing"]`` days."""

    field = "meets_at"


class ProxyRefused(AssemblyError):
    """A proxy that cannot be given or revoked (said next to the holder)."""

    field = "holder"


class VoteRefused(AssemblyError):
    """A ballot, postal vote or count that the server refuses."""

    field = "position"


# Reading ---------------------------------------------------------------------------------


def assembly_in(db: Session, organisation_id: int, assembly_id: int) -> Assembly | None:
    """The sitting, if it belongs to the organisation."""
    return db.scalar(select(Assembly).where(Assembly.id == assembly_id,
                                            Assembly.organisation_id == organisation_id))


def assemblies_of(db: Session, organisation_id: int) -> list[Assembly]:
    """The organisation's sittings, the latest meeting first."""
    return list(db.scalars(select(Assembly).where(Assembly.organisation_id == organisation_id)
                           .order_by(Assembly.meets_at.desc(), Assembly.id.desc())))


def item_in(assembly: Assembly, item_id: int) -> AgendaItem:
    """One resolution of the sitting's agenda."""
    for item in assembly.items:
        if item.id == item_id:
            return item
    raise AssemblyError("assembly.no_item", N_("This resolution is not on the agenda."))


def names(db: Session, membership_ids: Sequence[int]) -> dict[int, str]:
    """Members' names by membership id."""
    if not membership_ids:
        return {}
    return dict(db.execute(select(Membership.id, User.name).join(User)
                           .where(Membership.id.in_(set(membership_ids)))).all())


def _by_college(assembly: Assembly) -> bool:
    family = assembly.items[0].proposal.family if assembly.items else _family(
        assembly.organisation)
    return descriptor(family).by_college


def _family(organisation: Organisation) -> str:
    """The family of a new resolution: by college in an organisation with colleges."""
    return "scic_college" if organisation.colleges else "majority"


def on_roll(db: Session, assembly: Assembly, membership_id: int) -> Membership | None:
    """The member, if they may vote at the sitting: a current member of the organisation
    (with a college in a college vote)."""
    member = db.get(Membership, membership_id)
    if (member is None or member.organisation_id != assembly.organisation_id
            or member.ended_at is not None
            or (_by_college(assembly) and member.college_id is None)):
        return None
    return member


# Preparing a sitting ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Settings:
    """What the organiser sets of a sitting: when, where, who chairs, and the statutory rules
    of attendance."""

    title: str
    kind: AssemblyKind
    meets_at: datetime
    place: str = ""
    video_link: str = ""
    second_meets_at: datetime | None = None
    max_proxies_per_holder: int | None = None
    proxy_same_college: bool = False
    remote_counts_as_present: bool = False
    chair_id: int | None = None
    secretary_id: int | None = None


def _check_settings(db: Session, organisation: Organisation, settings: Settings) -> None:
    if not settings.title.strip():
        raise AssemblyError("assembly.title", N_("Give the assembly a title."), field="title")
    if not settings.place.strip() and not settings.video_link.strip():
        raise AssemblyError("assembly.where", N_("Give a place, a video link, or both."),
                            field="place")
    if settings.second_meets_at is not None and settings.second_meets_at <= settings.meets_at:
        raise AssemblyError("assembly.second_before_first",
                            N_("The second convocation must meet after the first."),
                            field="second_meets_at")
    if settings.max_proxies_per_holder is not None and settings.max_proxies_per_holder < 0:
        raise AssemblyError("assembly.cap", N_("The cap on proxies cannot be negative."),
                            field="max_proxies_per_holder")
    for field_name in ("chair_id", "secretary_id"):
        chosen = getattr(settings, field_name)
        member = db.get(Membership, chosen) if chosen else None
        if chosen and (member is None or member.organisation_id != organisation.id
                       or member.ended_at is not None):
            raise AssemblyError("assembly.officer", N_("Choose a member of the organisation."),
                                field=field_name.removesuffix("_id"))


def create_assembly(db: Session, organisation: Organisation, actor: Membership,
                    settings: Settings, *, now: datetime) -> Assembly:
    """A sitting in preparation (its agenda comes next), logged."""
    _check_settings(db, organisation, settings)
    assembly = Assembly(organisation_id=organisation.id, created_at=now,
                        status=AssemblyStatus.DRAFT, convocation="first")
    _apply(assembly, settings)
    db.add(assembly)
    db.flush()
    _log(db, assembly, "assembly_created", now, actor, title=assembly.title,
         meets_at=assembly.meets_at)
    return assembly


def update_assembly(db: Session, assembly: Assembly, actor: Membership, settings: Settings,
                    *, now: datetime) -> None:
    """Change a sitting not yet convened (a convened one is what members were told)."""
    _require(assembly, AssemblyStatus.DRAFT)
    _check_settings(db, assembly.organisation, settings)
    _apply(assembly, settings)
    db.flush()
    _log(db, assembly, "assembly_changed", now, actor, title=assembly.title,
         meets_at=assembly.meets_at)


def set_officers(db: Session, assembly: Assembly, actor: Membership, *, chair_id: int | None,
                 secretary_id: int | None, now: datetime) -> None:
    """Name the chair and the secretary (the minutes carry their names), until the sitting
    is closed."""
    if assembly.status in (AssemblyStatus.CLOSED, AssemblyStatus.NO_QUORUM):
        raise AssemblyError("assembly.closed", N_("This assembly is closed."))
    current = Settings(title=assembly.title, kind=assembly.kind, meets_at=assembly.meets_at,
                       place=assembly.place, video_link=assembly.video_link,
                       chair_id=chair_id, secretary_id=secretary_id)
    _check_settings(db, assembly.organisation, current)
    assembly.chair_id, assembly.secretary_id = chair_id, secretary_id
    db.flush()
    _log(db, assembly, "assembly_officers", now, actor, chair=chair_id, secretary=secretary_id)


def _apply(assembly: Assembly, settings: Settings) -> None:
    assembly.title = settings.title.strip()
    assembly.kind = settings.kind
    assembly.meets_at = settings.meets_at
    assembly.place = settings.place.strip()
    assembly.video_link = settings.video_link.strip()
    assembly.second_meets_at = settings.second_meets_at
    assembly.max_proxies_per_holder = settings.max_proxies_per_holder
    assembly.proxy_same_college = settings.proxy_same_college
    assembly.remote_counts_as_present = settings.remote_counts_as_present
    assembly.chair_id = settings.chair_id or None
    assembly.secretary_id = settings.secretary_id or None


def preset_of(assembly: Assembly, extraordinary: bool) -> str:
    """The SCIC preset of a new resolution of this sitting."""
    if assembly.kind is AssemblyKind.EXTRAORDINARY or (
            assembly.kind is AssemblyKind.BOTH and extraordinary):
        return EXTRAORDINARY_PRESET
    return ORDINARY_PRESET


def add_resolution(db: Session, assembly: Assembly, actor: Membership, *, title: str,
                   body: str, extraordinary: bool = False, secret: bool = False,
                   now: datetime) -> AgendaItem:
    """A new resolution at the end of the agenda: a proposal under the SCIC preset of the
    sitting's kind (ordinary, or extraordinary in an extraordinary or "mixte" sitting), by
    college when the organisation has colleges."""
    _require(assembly, AssemblyStatus.DRAFT)
    if not title.strip():
        raise AssemblyError("assembly.resolution_title", N_("Give the resolution a title."),
                            field="title")
    proposal = proposals.create_proposal(
        db, assembly.organisation, actor, title=title, body=body,
        family=_family(assembly.organisation),
        params={"preset": preset_of(assembly, extraordinary)}, now=now, secret=secret,
        reminder_hours=None)
    return _append(db, assembly, actor, proposal, now)


def attach_proposal(db: Session, assembly: Assembly, actor: Membership, proposal_id: int, *,
                    now: datetime) -> AgendaItem:
    """Put one of the organisation's draft votes on the agenda, with its own rule (the
    organisation's, when the presets do not fit its statuts)."""
    _require(assembly, AssemblyStatus.DRAFT)
    proposal = db.get(Proposal, proposal_id)
    if (proposal is None or proposal.organisation_id != assembly.organisation_id
            or proposal.status is not ProposalStatus.DRAFT):
        raise AssemblyError("assembly.not_draft", N_("Choose a draft proposal of the"
                                                     " organisation."), field="proposal")
    if not descriptor(proposal.family).is_vote or (
            proposal.electorate_scope is not ElectorateScope.ORGANISATION):
        raise AssemblyError("assembly.not_a_vote",
                            N_("Only votes of every member can be put to an assembly."),
                            field="proposal")
    if any(i.proposal_id == proposal.id for i in assembly.items):
        raise AssemblyError("assembly.already", N_("This proposal is on the agenda already."),
                            field="proposal")
    return _append(db, assembly, actor, proposal, now)


def _append(db: Session, assembly: Assembly, actor: Membership, proposal: Proposal,
            now: datetime) -> AgendaItem:
    families = {i.proposal.family for i in assembly.items} | {proposal.family}
    if len({descriptor(f).by_college for f in families}) > 1:
        raise AssemblyError("assembly.mixed", N_("Every resolution of an assembly is voted"
                                                 " by college, or none is."), field="proposal")
    item = AgendaItem(assembly_id=assembly.id, number=len(assembly.items) + 1,
                      proposal_id=proposal.id, version_number=proposal.current_version.number)
    db.add(item)
    db.flush()
    db.refresh(assembly)
    _log(db, assembly, "agenda_item_added", now, actor, number=item.number,
         proposal=proposal.id, version=item.version_number)
    return item


def remove_item(db: Session, assembly: Assembly, actor: Membership, item_id: int, *,
                now: datetime) -> None:
    """Take a resolution off the agenda of a sitting not yet convened; the others close up."""
    _require(assembly, AssemblyStatus.DRAFT)
    item = item_in(assembly, item_id)
    number = item.number
    db.delete(item)
    db.flush()
    for later in sorted((i for i in assembly.items if i.number > number),
                        key=lambda i: i.number):
        later.number -= 1
        db.flush()
    db.refresh(assembly)
    _log(db, assembly, "agenda_item_removed", now, actor, number=number)


# Convening -------------------------------------------------------------------------------


def notice_shortfall(db: Session, assembly: Assembly, now: datetime) -> int:
    """How many days of notice are missing if the convocation is sent at ``now``: the
    engine's convocation check of every rule of the agenda (0: enough notice)."""
    missing = 0
    for rule in _rules(assembly):
        params = json.loads(rule.params or "{}")
        check = assembly_cases.convocation_check(assembly, params, now)
        if check is None:
            continue
        params.update(convocation=assembly.convocation, convocation_check=check)
        result = _evaluate_params(assembly, rule, params)
        for step in result.explanation:
            if step.code == "convocation" and step.data.get("met") is False:
                days, minimum = step.data.get("days"), step.data.get("min_days")
                if isinstance(days, int) and isinstance(minimum, int):
                    missing = max(missing, minimum - days)
    return missing


def _rules(assembly: Assembly) -> list[Proposal]:
    """One proposal of each distinct rule on the agenda, in agenda order."""
    seen: set[tuple[str, str]] = set()
    found = []
    for item in assembly.items:
        key = (item.proposal.family, item.proposal.params or "{}")
        if key not in seen:
            seen.add(key)
            found.append(item.proposal)
    return found


def _evaluate_params(assembly: Assembly, proposal: Proposal, params: dict[str, Any]) -> Any:
    """The engine's result of a rule with no member and no ballot (a convocation check)."""
    if descriptor(proposal.family).by_college:
        params["colleges"] = round_cases.engine_colleges(assembly.organisation.colleges)
        params.setdefault("enforce_scic_bounds", assembly.organisation.is_scic)
        electorate: dict[str, Any] = {"colleges": {}}
    else:
        electorate = {"eligible": 1}
    return evaluate(load_case({"family": proposal.family, "params": params,
                               "electorate": electorate, "ballots": []}))


def convene(db: Session, assembly: Assembly, actor: Membership, *, now: datetime) -> int:
    """Convene every current member, with the agenda and the texts: by e-mail (through the
    notices' outbox) those who agreed to it in time, by post the others (C. com. R225-63:
    ``email_convocation``), who find the notice in the application too; how many notices
    were written. Refused when the agenda is empty, the date past, or the notice too short
    for a rule of the agenda (``ConvocationRefused`` says how many days are missing)."""
    _require(assembly, AssemblyStatus.DRAFT)
    if not assembly.items:
        raise AssemblyError("assembly.empty", N_("Put at least one resolution on the agenda"
                                                 " first."))
    if assembly.meets_at <= now:
        raise ConvocationRefused("assembly.past", N_("The meeting date has passed."))
    missing = notice_shortfall(db, assembly, now)
    if missing:
        raise ConvocationRefused(
            "assembly.notice", N_("Too late to convene for this date: %(days)d days of notice"
                                  " are missing. Choose a later date."),
            params={"days": missing})
    assembly.status, assembly.convened_at = AssemblyStatus.CONVENED, now
    db.flush()
    for item in assembly.items:
        if item.proposal.secret:
            _create_postal_counters(db, assembly, item)
    email_convocation.record(db, assembly)
    split = email_convocation.channels(db, assembly) or email_convocation.Channels(0, 0)
    _log(db, assembly, "assembly_convened", now, actor, convocation=assembly.convocation,
         meets_at=assembly.meets_at,
         agenda=[[i.number, i.proposal_id, i.version_number] for i in assembly.items],
         by_email=split.by_email, by_post=split.by_post)
    return sum(notices.notify(db, NoticeKind.CONVOCATION,
                              organisation_id=assembly.organisation_id,
                              user_ids=email_convocation.recipients(assembly, by_email=mailed),
                              payload={"assembly": assembly.id}, now=now, mailed=mailed)
               for mailed in (True, False))


def _create_postal_counters(db: Session, assembly: Assembly, item: AgendaItem) -> None:
    """The zero postal counters of a secret resolution, one per college and position (a
    second convocation has those of the first, carried over)."""
    if db.scalar(select(exists().where(PostalTally.agenda_item_id == item.id))):
        return
    groups = [c.name for c in assembly.organisation.colleges] if _by_college(assembly) else [""]
    db.add_all(PostalTally(agenda_item_id=item.id, college=college, position=position,
                           ballots=0, weight=0)
               for college in sorted(groups) for position in sorted(POSITIONS))
    db.flush()


# Proxies ---------------------------------------------------------------------------------


def standing(query: Select[Any], at: datetime | None = None) -> Select[Any]:
    """Proxies not revoked (at ``at``, when given)."""
    if at is None:
        return query.where(Proxy.revoked_at.is_(None))
    return query.where(Proxy.given_at <= at,
                       or_(Proxy.revoked_at.is_(None), Proxy.revoked_at > at))


def proxy_given(db: Session, assembly_id: int, giver_id: int) -> Proxy | None:
    """The member's standing proxy for the sitting, if they gave one."""
    found: Proxy | None = db.scalar(standing(select(Proxy)).where(
        Proxy.assembly_id == assembly_id, Proxy.giver_id == giver_id))
    return found


def proxies_held(db: Session, assembly_id: int, holder_id: int) -> list[Proxy]:
    """The standing proxies the member holds for the sitting."""
    return list(db.scalars(standing(select(Proxy)).where(
        Proxy.assembly_id == assembly_id, Proxy.holder_id == holder_id).order_by(Proxy.id)))


def _lock(db: Session, assembly: Assembly) -> None:
    """Take the sitting's row lock (PostgreSQL; SQLite's writer holds the database's), so
    that two proxies to one holder cannot both pass the cap."""
    db.execute(select(Assembly.id).where(Assembly.id == assembly.id).with_for_update())


def give_proxy(db: Session, assembly: Assembly, giver_id: int, holder_id: int, *,
               by: Membership, now: datetime) -> Proxy:
    """A member gives a proxy to another for the sitting (or a facilitator records one given
    on paper): refused, as the engine would refuse it at the meeting, when the holder is
    not a member, would pass it on (a chain), is of another college where the statuts ask
    for the same one, or would hold more than the statutory cap; and when the giver takes
    part in person or by post (their own vote counts), or already gave one."""
    _changing_part(assembly, by, giver_id)
    _lock(db, assembly)
    giver = on_roll(db, assembly, giver_id)
    holder = on_roll(db, assembly, holder_id)
    if giver is None:
        raise ProxyRefused("proxy.giver", N_("Only a member who may vote can give a proxy."))
    if holder is None:
        raise ProxyRefused("proxy.holder_not_member",
                           N_("The holder must be a member who may vote at the assembly."))
    if holder.id == giver.id:
        raise ProxyRefused("proxy.self", N_("Choose another member than yourself."))
    if proxy_given(db, assembly.id, giver.id) is not None:
        raise ProxyRefused("proxy.already", N_("A proxy is given already: revoke it first."))
    if proxies_held(db, assembly.id, giver.id):
        raise ProxyRefused("proxy.chain_giver",
                           N_("You hold proxies of other members: a proxy cannot be passed on"
                              " (they are not transferable)."))
    if proxy_given(db, assembly.id, holder.id) is not None:
        raise ProxyRefused("proxy.chain", N_("This member has given a proxy themself: a proxy"
                                             " cannot be passed on."))
    if _has_postal_form(db, assembly.id, giver.id):
        raise ProxyRefused("proxy.postal", N_("A postal vote was received: it stands, and a"
                                              " proxy cannot be added to it."))
    if _checked_in(db, assembly.id, giver.id) is not None:
        raise ProxyRefused("proxy.present", N_("This member takes part in the meeting: their"
                                               " own vote counts."))
    if assembly.proxy_same_college and giver.college_id != holder.college_id:
        raise ProxyRefused("proxy.college", N_("The statuts require a holder of the same"
                                               " college."))
    cap = assembly.max_proxies_per_holder
    if cap is not None and len(proxies_held(db, assembly.id, holder.id)) >= cap:
        raise ProxyRefused("proxy.over_cap",
                           N_("This member holds %(count)d proxies already, the most the"
                              " statuts allow."), params={"count": cap})
    proxy = Proxy(assembly_id=assembly.id, giver_id=giver.id, holder_id=holder.id,
                  given_at=now)
    db.add(proxy)
    db.flush()
    _log(db, assembly, "proxy_given", now, by, giver=giver.id, holder=holder.id)
    return proxy


def revoke_proxy(db: Session, assembly: Assembly, giver_id: int, *, by: Membership,
                 now: datetime) -> None:
    """Revoke the member's proxy, until its holder first votes in the sitting."""
    _changing_part(assembly, by, giver_id)
    proxy = proxy_given(db, assembly.id, giver_id)
    if proxy is None:
        raise ProxyRefused("proxy.none", N_("No proxy is given."))
    if proxy.used_at is not None:
        raise ProxyRefused("proxy.used", N_("The holder has voted already: the proxy can no"
                                            " longer be revoked."))
    proxy.revoked_at = now
    db.flush()
    _log(db, assembly, "proxy_revoked", now, by, giver=giver_id, holder=proxy.holder_id)


def _changing_part(assembly: Assembly, by: Membership, member_id: int) -> None:
    """A change to how a member takes part (a proxy given or revoked, leaving the meeting):
    only while the sitting is convened or in session, and by the member themself or a
    facilitator."""
    _require(assembly, AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION)
    _acting_for(by, member_id)


def _acting_for(by: Membership, member_id: int) -> None:
    """A member acts for themself; a facilitator may act for anyone (a paper form)."""
    if by.id != member_id and not by.can(Role.FACILITATOR):
        raise AssemblyError("assembly.not_yours", N_("Only a facilitator can do this for"
                                                     " another member."))


# Postal votes ----------------------------------------------------------------------------


def _has_postal_form(db: Session, assembly_id: int, member_id: int) -> bool:
    return bool(db.scalar(select(exists().where(PostalVote.assembly_id == assembly_id,
                                                PostalVote.membership_id == member_id))))


def postal_open(assembly: Assembly, now: datetime) -> bool:
    """Whether postal votes are taken now: once convened, until the day before the
    meeting's day (so that every form is received before the meeting, L225-107 I)."""
    return (assembly.status is AssemblyStatus.CONVENED
            and now < assembly_cases.meeting_day_start(assembly))


def vote_by_post(db: Session, assembly: Assembly, member_id: int,
                 positions: Mapping[int, str], *, by: Membership, now: datetime) -> int:
    """A member's postal form: a position on each resolution they vote on (by agenda item
    id), received now, final (a form received stands). On a secret resolution the position
    only goes to the resolution's postal counters. Refused from the meeting's day on, for a
    member who gave a proxy (revoke it first) or sent a form already."""
    if not postal_open(assembly, now):
        raise VoteRefused("postal.closed", N_("Postal votes are taken until the day before the"
                                              " meeting."))
    _acting_for(by, member_id)
    member = on_roll(db, assembly, member_id)
    if member is None:
        raise VoteRefused("postal.not_member", N_("Only a member who may vote can vote by"
                                                  " post."))
    if _has_postal_form(db, assembly.id, member.id):
        raise VoteRefused("postal.already", N_("Your postal vote was received already: it"
                                               " stands."))
    if proxy_given(db, assembly.id, member.id) is not None:
        raise VoteRefused("postal.proxy", N_("You gave a proxy: revoke it first to vote by"
                                             " post."))
    chosen = {item_id: p for item_id, p in positions.items() if p}
    if not chosen:
        raise VoteRefused("postal.empty", N_("Choose a position on at least one resolution."))
    college = member.college.name if member.college is not None and _by_college(assembly) \
        else ""
    shown: dict[str, str | None] = {}
    for item_id, position in sorted(chosen.items()):
        item = item_in(assembly, item_id)
        if position not in POSITIONS:
            raise VoteRefused("postal.position", N_("This position is not possible."))
        secret = item.proposal.secret
        db.add(PostalVote(assembly_id=assembly.id, agenda_item_id=item.id,
                          membership_id=member.id, position=None if secret else position,
                          received_at=now))
        if secret:
            _add_to_postal_counters(db, item.id, college, position, member.vote_weight)
        shown[str(item.number)] = None if secret else position
    db.flush()
    _log(db, assembly, "postal_vote_received", now, by, member=member.id, positions=shown)
    return len(chosen)


def _add_to_postal_counters(db: Session, item_id: int, college: str, position: str,
                            weight: int) -> None:
    """Add one secret postal vote: every counter of the resolution is rewritten, all but
    one with zero added, as a secret round's counters are (models.secret)."""
    mine = and_(PostalTally.college == college, PostalTally.position == position)
    db.execute(update(PostalTally).where(PostalTally.agenda_item_id == item_id).values(
        ballots=PostalTally.ballots + case((mine, 1), else_=0),
        weight=PostalTally.weight + case((mine, weight), else_=0))
        .execution_options(synchronize_session=False))


# Attendance ------------------------------------------------------------------------------


def _checked_in(db: Session, assembly_id: int, member_id: int) -> Attendance | None:
    """The member's check-in, if they are at the meeting now (not left)."""
    return db.scalar(select(Attendance).where(Attendance.assembly_id == assembly_id,
                                              Attendance.membership_id == member_id,
                                              Attendance.left_at.is_(None)))


def _room_code() -> str:
    return "".join(secrets.choice(CODE_LETTERS) for _ in range(CODE_LENGTH))


def check_in_open(assembly: Assembly, now: datetime) -> bool:
    """Whether members may check in now: from the meeting's day until the sitting closes."""
    return (assembly.status in (AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION)
            and now >= assembly_cases.meeting_day_start(assembly))


def new_room_code(db: Session, assembly: Assembly, actor: Membership, *, now: datetime) -> str:
    """A new code to show on the screen of the room (the previous one stops working)."""
    _require(assembly, AssemblyStatus.CONVENED, AssemblyStatus.IN_SESSION)
    assembly.room_code = _room_code()
    db.flush()
    _log(db, assembly, "room_code_changed", now, actor)
    return assembly.room_code


def check_in(db: Session, assembly: Assembly, member_id: int, mode: AttendanceMode, *,
             by: Membership, now: datetime, code: str | None = None) -> Attendance:
    """Check a member in, in the room or remotely. A member checks themself in the room with
    the code shown there, or remotely when the sitting has a video link; a facilitator
    checks anyone in. Checking in again changes the mode (a member who left comes back)."""
    if not check_in_open(assembly, now):
        raise AssemblyError("attendance.closed", N_("Members check in on the meeting's day,"
                                                    " until the assembly closes."))
    member = on_roll(db, assembly, member_id)
    if member is None:
        raise AssemblyError("attendance.not_member", N_("Only a member who may vote can check"
                                                        " in."))
    if not by.can(Role.FACILITATOR):
        _acting_for(by, member_id)
        if mode is AttendanceMode.ROOM and (
                not assembly.room_code or (code or "").strip().upper() != assembly.room_code):
            raise AssemblyError("attendance.code", N_("This is not the code shown in the room."),
                                field="code")
        if mode is AttendanceMode.REMOTE and not assembly.video_link:
            raise AssemblyError("attendance.no_video", N_("This assembly meets in the room"
                                                          " only."), field="mode")
    found = db.get(Attendance, (assembly.id, member.id))
    if found is None:
        found = Attendance(assembly_id=assembly.id, membership_id=member.id)
        db.add(found)
    found.mode, found.checked_in_at, found.left_at = mode, now, None
    found.checked_in_by_id = by.id
    db.flush()
    _log(db, assembly, "checked_in", now, by, member=member.id, mode=mode.value)
    return found


def leave(db: Session, assembly: Assembly, member_id: int, *, by: Membership,
          now: datetime) -> None:
    """A member leaves the meeting (said by them or a facilitator)."""
    _changing_part(assembly, by, member_id)
    found = _checked_in(db, assembly.id, member_id)
    if found is None:
        raise AssemblyError("attendance.absent", N_("This member is not checked in."))
    found.left_at = now
    db.flush()
    _log(db, assembly, "left", now, by, member=member_id)


# The attendance sheet, as the engine reads it ------------------------------------------


@dataclass(frozen=True, slots=True)
class Quorum:
    """Whether the quorum of one rule of the agenda is reached, and the engine's figures."""

    preset: str | None
    required: str | None
    met: bool
    present: int | str
    eligible: int | str


@dataclass(frozen=True, slots=True)
class SheetLine:
    """One member on the attendance sheet."""

    membership_id: int
    name: str
    college: str
    status: str  # room, remote, remote_not_counted, represented, postal, absent
    holder: str = ""
    checked_in_at: datetime | None = None
    refused: str = ""  # the engine's reason when their proxy was refused


@dataclass(frozen=True, slots=True)
class Sheet:
    """The attendance sheet: the engine's attendance (in total and per college), the quorum
    of each rule, what it refused, and each member's line."""

    attendance: dict[str, Any]
    by_college: dict[str, dict[str, Any]]
    present: int | str
    eligible: int | str
    quorums: list[Quorum]
    refused_proxies: list[dict[str, Any]]
    refused_postal: list[dict[str, Any]]
    lines: list[SheetLine]
    case: dict[str, Any] = field(repr=False, default_factory=dict)
    result: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def quorum_met(self) -> bool:
        """Whether every rule of the agenda has its quorum."""
        return all(q.met for q in self.quorums)


def sheet(db: Session, assembly: Assembly, now: datetime) -> Sheet:
    """The attendance sheet at ``now``, live: the engine reads the sheet under each rule
    of the agenda (the quorum differs between ordinary and extraordinary resolutions)."""
    rules = _rules(assembly)
    if not rules:
        raise AssemblyError("assembly.empty", N_("The agenda is empty."))
    return sheet_of(db, assembly, assembly_cases.sheet_case(db, assembly, rules[0], now))


def sheet_of(db: Session, assembly: Assembly, case: dict[str, Any]) -> Sheet:
    """The attendance sheet of a sheet's case (live, or the one stored at the close): the
    engine's result under the first rule of the agenda, and the quorum under each."""
    quorums = []
    first: dict[str, Any] = {}
    for proposal in _rules(assembly):
        params = assembly_cases.meeting_params(assembly, proposal, assembly.convocation)
        for kept in ("opens_at", "colleges"):
            if kept in case["params"]:
                params[kept] = case["params"][kept]
        result = evaluate(load_case({**case, "family": proposal.family,
                                     "params": params})).to_json()
        first = first or result
        step = next((s for s in result["explanation"] if s["code"] == "quorum"), None)
        quorums.append(Quorum(json.loads(proposal.params or "{}").get("preset"),
                              None if step is None else step.get("required"),
                              bool(result.get("quorum_met")), result["present"],
                              result["eligible"]))
    return Sheet(attendance=first.get("attendance") or {},
                 by_college={c: v.get("attendance") or {}
                             for c, v in (first.get("colleges") or {}).items()},
                 present=first["present"], eligible=first["eligible"], quorums=quorums,
                 refused_proxies=first.get("refused_proxies") or [],
                 refused_postal=first.get("refused_postal") or [],
                 lines=_lines(db, assembly, case, first), case=case, result=first)


def _lines(db: Session, assembly: Assembly, case: dict[str, Any],
           result: dict[str, Any]) -> list[SheetLine]:
    """Each member of the roll with how they take part, as the engine accepted it."""
    electorate = case["electorate"]
    ids = [int(m if isinstance(m, str) else m["id"]) for m in electorate["members"]]
    rows = db.execute(select(Membership.id, User.name, College.name).join(User)
                      .outerjoin(College, College.id == Membership.college_id)
                      .where(Membership.id.in_(ids))).all()
    info = {m: (n, c or "") for m, n, c in rows}
    checked = dict(db.execute(
        select(Attendance.membership_id, Attendance.checked_in_at)
        .where(Attendance.assembly_id == assembly.id, Attendance.left_at.is_(None)))
        .all())
    in_room = set(electorate.get("present") or [])
    remote = set(electorate.get("remote") or [])
    postal = set(electorate.get("postal") or {}) - {
        r["member"] for r in result.get("refused_postal") or []}
    represented: dict[str, str] = result.get("represented_by") or {}
    refused = {r["member"]: r["reason"] for r in result.get("refused_proxies") or []}
    lines = []
    for member in ids:
        key = str(member)
        if key in postal:
            status = "postal"
        elif key in represented:
            status = "represented"
        elif key in in_room:
            status = "room"
        elif key in remote:
            status = "remote" if assembly.remote_counts_as_present else "remote_not_counted"
        else:
            status = "absent"
        holder = represented.get(key, "")
        name, college = info.get(member, (key, ""))
        lines.append(SheetLine(member, name, college, status,
                               info.get(int(holder), (holder, ""))[0] if holder else "",
                               checked.get(member), refused.get(key, "")))
    return sorted(lines, key=lambda line: (line.college, line.name.casefold(),
                                           line.membership_id))


# The sitting -------------------------------------------------------------------------------


def open_sitting(db: Session, assembly: Assembly, actor: Membership, *, now: datetime) -> None:
    """The chair opens the sitting (from the meeting's day): resolutions may be voted, the
    attendance sheet is live; a room code is made if there is none."""
    _require(assembly, AssemblyStatus.CONVENED)
    if now < assembly_cases.meeting_day_start(assembly):
        raise AssemblyError("assembly.too_early", N_("The sitting opens on the meeting's day."))
    assembly.status, assembly.opened_at = AssemblyStatus.IN_SESSION, now
    if not assembly.room_code:
        assembly.room_code = _room_code()
    db.flush()
    _log(db, assembly, "sitting_opened", now, actor)


def open_resolution(db: Session, assembly: Assembly, item_id: int, actor: Membership, *,
                    minutes: int | None, now: datetime) -> Round:
    """The chair opens the next resolution's vote: a round of its proposal, for ``minutes``
    or until the chair closes it, on the sitting's convocation, without e-mails."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    item = item_in(assembly, item_id)
    if any(_open(i) for i in assembly.items):
        raise AssemblyError("assembly.vote_open", N_("Close the resolution being voted"
                                                     " first."))
    if _voted(item):
        raise AssemblyError("assembly.voted", N_("This resolution was voted already."))
    if any(not _voted(i) for i in assembly.items if i.number < item.number):
        raise AssemblyError("assembly.order", N_("The resolutions are voted in the order of"
                                                 " the agenda."))
    proposal = item.proposal
    if proposal.status not in CHANGEABLE or proposal.current_version.number != (
            item.version_number):
        raise AssemblyError("assembly.changed", N_("This proposal changed since the"
                                                   " convocation: it cannot be voted."))
    if minutes is not None and not 1 <= minutes <= 24 * 60:
        raise AssemblyError("assembly.minutes", N_("Give a length between 1 minute and a"
                                                   " day."), field="minutes")
    closes_at = now + (UNTIL_CLOSED if minutes is None else timedelta(minutes=minutes))
    try:
        round_ = rounds.open_round(db, proposal, RoundKind.VOTE, closes_at=closes_at,
                                   now=now, convocation=assembly.convocation, tell=False)
    except rounds.RoundError as error:
        raise AssemblyError(error.code, error.message, params=error.params) from error
    item.round = round_
    db.flush()
    return round_


def _open(item: AgendaItem) -> bool:
    return item.round is not None and item.round.status is RoundStatus.OPEN


def _voted(item: AgendaItem) -> bool:
    return item.round is not None and item.round.status is RoundStatus.CLOSED


def current_item(assembly: Assembly) -> AgendaItem | None:
    """The resolution being voted now, if any."""
    return next((i for i in assembly.items if _open(i)), None)


def next_item(assembly: Assembly) -> AgendaItem | None:
    """The next resolution to open, if no vote is open."""
    if current_item(assembly) is not None:
        return None
    return next((i for i in assembly.items if not _voted(i)), None)


@dataclass(frozen=True, slots=True)
class Voice:
    """One vote a member may cast in the resolution open now: their own, or that of a
    member they represent (``for_id``), with the position already counted, if any."""

    for_id: int
    name: str
    own: bool
    cast: str | None


def voices(db: Session, assembly: Assembly, member: Membership, now: datetime) -> list[Voice]:
    """The votes the member may cast now in the open resolution: their own if they take
    part in the meeting (not by post), and each member whose standing proxy they hold who
    does not take part themself. Empty when nothing is open or they are not checked in."""
    item = current_item(assembly)
    attendance = _checked_in(db, assembly.id, member.id)
    if item is None or item.round is None or attendance is None or not item.round.accepting(
            now):
        return []
    if attendance.mode is AttendanceMode.REMOTE and not assembly.remote_counts_as_present:
        return []
    ids = [] if _has_postal_form(db, assembly.id, member.id) else [member.id]
    ids += _representable(db, assembly, member.id)
    found = names(db, ids)
    cast: dict[int, str] = {}
    if not item.proposal.secret:
        cast = dict(db.execute(select(Ballot.membership_id, Ballot.position)
                               .where(Ballot.round_id == item.round.id,
                                      Ballot.membership_id.in_(ids))
                               .order_by(Ballot.id)).all())
    else:
        cast = dict.fromkeys(db.scalars(select(Participation.membership_id).where(
            Participation.round_id == item.round.id, Participation.membership_id.in_(ids))),
            "secret")
    return [Voice(i, found.get(i, str(i)), i == member.id, cast.get(i)) for i in ids]


def _representable(db: Session, assembly: Assembly, holder_id: int) -> list[int]:
    """The givers of the holder's standing proxies who do not take part themselves (in the
    meeting or by post): the engine keeps these proxies (the cap is kept when given)."""
    givers = [p.giver_id for p in proxies_held(db, assembly.id, holder_id)]
    if not givers:
        return []
    present = set(db.scalars(select(Attendance.membership_id).where(
        Attendance.assembly_id == assembly.id, Attendance.left_at.is_(None),
        Attendance.membership_id.in_(givers))))
    by_post = set(db.scalars(select(PostalVote.membership_id).where(
        PostalVote.assembly_id == assembly.id, PostalVote.membership_id.in_(givers))))
    return [g for g in givers if g not in present and g not in by_post]


def cast(db: Session, assembly: Assembly, item_id: int, member: Membership, position: str, *,
         for_ids: Sequence[int], now: datetime) -> int:
    """Cast the member's vote and/or those of the members they represent (``for_ids``, each
    one by one, or all the same at once) on the resolution open now; how many ballots were
    stored. A holder's ballot is the represented member's, cast by the holder (``cast_by``);
    their first vote makes their proxies irrevocable."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    item = item_in(assembly, item_id)
    if item.round is None or not _open(item):
        raise VoteRefused("vote.not_open", N_("This resolution is not being voted."))
    if position not in POSITIONS:
        raise VoteRefused("vote.position", N_("This position is not possible."))
    allowed = {v.for_id for v in voices(db, assembly, member, now)}
    chosen = list(dict.fromkeys(for_ids))
    if not chosen:
        raise VoteRefused("vote.nobody", N_("Choose whose vote you cast."), field="for_ids")
    if not allowed:
        raise VoteRefused("vote.not_present",
                          N_("Check in first: members vote from the meeting (those who voted"
                             " by post have voted)."))
    refused = [i for i in chosen if i not in allowed]
    if refused:
        raise VoteRefused("vote.not_represented",
                          N_("You cannot vote for %(names)s: no standing proxy, or they take"
                             " part themselves."),
                          params={"names": ", ".join(names(db, refused).values())})
    for for_id in chosen:
        rounds.stored_ballot(db, item.round.id, for_id, position, now=now,
                             cast_by=None if for_id == member.id else member.id,
                             through_assembly=True)
    db.execute(update(Proxy).where(Proxy.assembly_id == assembly.id,
                                   Proxy.holder_id == member.id, Proxy.revoked_at.is_(None),
                                   Proxy.used_at.is_(None)).values(used_at=now)
               .execution_options(synchronize_session=False))
    return len(chosen)


@dataclass(frozen=True, slots=True)
class RoomCounts:
    """Votes counted in the room for one college (``""`` without colleges)."""

    yes: int = 0
    no: int = 0
    abstain: int = 0
    blank: int = 0
    invalid: int = 0


def room_groups(db: Session, item: AgendaItem) -> list[str]:
    """The groups counted separately in the room: the colleges of the round, else ``""``."""
    if item.round is None or not descriptor(item.proposal.family).by_college:
        return [""]
    return [c["id"] for c in round_cases.round_colleges(db, item.round)]


def room_counts(db: Session, item: AgendaItem) -> dict[str, RoomCounts]:
    """The counts of the room entered so far for a resolution."""
    if item.round is None:
        return {}
    return {row.college or "": RoomCounts(row.yes, row.no, row.abstain, row.blank,
                                          row.invalid)
            for row in db.scalars(select(RoundTally).where(RoundTally.round_id == item.round.id))}


def enter_room_counts(db: Session, assembly: Assembly, item_id: int,
                      counts: Mapping[str, RoomCounts], actor: Membership, *,
                      now: datetime) -> None:
    """Replace the counts of a show of hands or paper ballots in the room, per college,
    beside the ballots cast online. The engine checks them: each college may count at most
    its votes present that cast no ballot online (else refused with its words)."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    item = item_in(assembly, item_id)
    if item.round is None or not _open(item):
        raise VoteRefused("vote.not_open", N_("This resolution is not being voted."))
    groups = room_groups(db, item)
    for group, count in counts.items():
        if group not in groups:
            raise VoteRefused("tally.unknown_college", N_("Unknown college."))
        if any(getattr(count, p) < 0 for p in TALLY_POSITIONS):
            raise VoteRefused("tally.negative", N_("Counts cannot be negative."))
    db.execute(delete(RoundTally).where(RoundTally.round_id == item.round.id))
    db.add_all(RoundTally(round_id=item.round.id, college=group, present=0,
                          **{p: getattr(count, p) for p in TALLY_POSITIONS},
                          entered_by_id=actor.id, entered_at=now)
               for group, count in counts.items() if count != RoomCounts())
    db.flush()
    _check_case(db, item, now)
    _log(db, assembly, "room_counts", now, actor, number=item.number,
         counts={g: [getattr(c, p) for p in TALLY_POSITIONS] for g, c in counts.items()})


def _check_case(db: Session, item: AgendaItem, now: datetime) -> None:
    """Refuse counts the engine finds impossible (more votes than present without a
    ballot), in the engine's words."""
    assert item.round is not None  # noqa: S101 - callers check the round is open
    try:
        evaluate(round_cases.round_case(db, item.round, now))
    except CaseError as error:
        raise VoteRefused("tally.impossible",
                          N_("The engine refuses these counts: %(reason)s"),
                          params={"reason": str(error)}) from error


def close_resolution(db: Session, assembly: Assembly, item_id: int, actor: Membership, *,
                     now: datetime) -> Round:
    """The chair closes the resolution's vote now: the engine decides it, by college, from
    the ballots, postal votes and room counts until now. Refused (nothing closed) when the
    engine would find the counts impossible."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    item = item_in(assembly, item_id)
    if item.round is None or not _open(item):
        raise AssemblyError("vote.not_open", N_("This resolution is not being voted."))
    round_ = item.round
    # Ballots wait on the round's row (they share-lock it): the check sees the last one.
    db.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    try:
        evaluate(load_case(assembly_cases.resolution_case(db, item, round_, now,
                                                          closing_at=now)))
    except CaseError as error:
        raise VoteRefused("tally.impossible", N_("The engine refuses these counts: %(reason)s"),
                          params={"reason": str(error)}) from error
    rounds.close_early(db, round_.id, now=now, actor_id=actor.id)
    db.refresh(round_)
    return round_


def record_no_quorum(db: Session, assembly: Assembly, actor: Membership, *,
                     now: datetime) -> Sheet:
    """The chair records that the first convocation has no quorum: the sitting ends, its
    attendance sheet (as the engine read it) kept for the minutes. Refused when the engine
    finds every rule's quorum reached, or a vote was held."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    if assembly.convocation != "first":
        raise AssemblyError("assembly.second_has_no_quorum_rule",
                            N_("A second convocation deliberates whatever the attendance,"
                               " as its rules say."))
    if any(i.round is not None for i in assembly.items):
        raise AssemblyError("assembly.voting_started", N_("Resolutions were voted: close the"
                                                          " assembly instead."))
    found = sheet(db, assembly, now)
    if found.quorum_met:
        raise AssemblyError("assembly.quorum_met", N_("The quorum is reached: the assembly"
                                                      " may deliberate."))
    _close(db, assembly, found, AssemblyStatus.NO_QUORUM, now)
    _log(db, assembly, "sitting_without_quorum", now, actor,
         present=found.present, eligible=found.eligible, **_hashes(assembly))
    return found


def close_sitting(db: Session, assembly: Assembly, actor: Membership, *,
                  now: datetime) -> Sheet:
    """The chair closes the sitting once no vote is open: the attendance sheet as the engine
    reads it now is kept for the minutes, and the closing entry of the audit chain is the
    head the minutes carry."""
    _require(assembly, AssemblyStatus.IN_SESSION)
    if current_item(assembly) is not None:
        raise AssemblyError("assembly.vote_open", N_("Close the resolution being voted"
                                                     " first."))
    found = sheet(db, assembly, now)
    _close(db, assembly, found, AssemblyStatus.CLOSED, now)
    _log(db, assembly, "sitting_closed", now, actor, present=found.present,
         eligible=found.eligible,
         outcomes={str(i.number): i.round.outcome if i.round is not None else None
                   for i in assembly.items}, **_hashes(assembly))
    return found


def _close(db: Session, assembly: Assembly, found: Sheet, status: AssemblyStatus,
           now: datetime) -> None:
    assembly.attendance_case_json = json.dumps(found.case, ensure_ascii=False)
    assembly.attendance_result_json = json.dumps(found.result, ensure_ascii=False)
    assembly.status, assembly.closed_at = status, now
    db.flush()


def _hashes(assembly: Assembly) -> dict[str, str | None]:
    return {"attendance_case_sha256": audit.sha256(assembly.attendance_case_json or ""),
            "attendance_result_sha256": audit.sha256(assembly.attendance_result_json or "")}


def second_convocation(db: Session, assembly: Assembly) -> Assembly | None:
    """The second convocation prepared after this sitting, if any."""
    return db.scalar(select(Assembly).where(Assembly.first_sitting_id == assembly.id))


def prepare_second_convocation(db: Session, assembly: Assembly, actor: Membership, *,
                               meets_at: datetime | None, now: datetime) -> Assembly:
    """After a first convocation without quorum: a second sitting in preparation with the
    same agenda (R225-69), to which the proxies and postal votes given for the first carry
    over (R225-77, R225-79). It is convened as any sitting, with the second convocation's
    notice."""
    _require(assembly, AssemblyStatus.NO_QUORUM)
    if second_convocation(db, assembly) is not None:
        raise AssemblyError("assembly.second_exists", N_("The second convocation is prepared"
                                                         " already."))
    when = meets_at or assembly.second_meets_at
    if when is None or when <= now:
        raise AssemblyError("assembly.second_date", N_("Choose the date of the second"
                                                       " convocation, in the future."),
                            field="meets_at")
    second = Assembly(organisation_id=assembly.organisation_id, title=assembly.title,
                      kind=assembly.kind, convocation="second", first_sitting_id=assembly.id,
                      meets_at=when, place=assembly.place, video_link=assembly.video_link,
                      status=AssemblyStatus.DRAFT,
                      max_proxies_per_holder=assembly.max_proxies_per_holder,
                      proxy_same_college=assembly.proxy_same_college,
                      remote_counts_as_present=assembly.remote_counts_as_present,
                      chair_id=assembly.chair_id, secretary_id=assembly.secretary_id,
                      created_at=now)
    db.add(second)
    db.flush()
    items: dict[int, AgendaItem] = {}
    for item in assembly.items:
        copy = AgendaItem(assembly_id=second.id, number=item.number,
                          proposal_id=item.proposal_id, version_number=item.version_number)
        db.add(copy)
        items[item.id] = copy
    db.flush()
    for proxy in db.scalars(standing(select(Proxy)).where(Proxy.assembly_id == assembly.id)):
        db.add(Proxy(assembly_id=second.id, giver_id=proxy.giver_id,
                     holder_id=proxy.holder_id, given_at=proxy.given_at))
    for vote in db.scalars(select(PostalVote).where(PostalVote.assembly_id == assembly.id)):
        db.add(PostalVote(assembly_id=second.id, agenda_item_id=items[vote.agenda_item_id].id,
                          membership_id=vote.membership_id, position=vote.position,
                          received_at=vote.received_at))
    for counter in db.scalars(select(PostalTally).where(
            PostalTally.agenda_item_id.in_(list(items)))):
        db.add(PostalTally(agenda_item_id=items[counter.agenda_item_id].id,
                           college=counter.college, position=counter.position,
                           ballots=counter.ballots, weight=counter.weight))
    db.flush()
    db.refresh(second)
    _log(db, second, "second_convocation_prepared", now, actor, first=assembly.id,
         meets_at=when)
    return second


# Helpers ---------------------------------------------------------------------------------


def _require(assembly: Assembly, *statuses: AssemblyStatus) -> None:
    if assembly.status not in statuses:
        messages = {
            AssemblyStatus.DRAFT: N_("This assembly is convened already: it can no longer be"
                                     " changed."),
            AssemblyStatus.CONVENED: N_("This assembly is not convened, or its sitting has"
                                        " begun."),
            AssemblyStatus.IN_SESSION: N_("This assembly is not in session."),
            AssemblyStatus.NO_QUORUM: N_("This assembly was not recorded without quorum."),
        }
        raise AssemblyError(f"assembly.{assembly.status.value}",
                            messages.get(statuses[0], N_("Not possible now.")))


def _log(db: Session, assembly: Assembly, kind: str, at: datetime, actor: Membership | None,
         **data: Any) -> None:
    audit.record(db, assembly.organisation_id, kind, {"assembly": assembly.id, **data}, at=at,
                 actor_id=None if actor is None else actor.id)


def roll_names(db: Session, assembly: Assembly) -> list[tuple[int, str]]:
    """The members who may vote at the sitting, as (membership id, name), by name."""
    query = (select(Membership.id, User.name).join(User)
             .where(Membership.organisation_id == assembly.organisation_id,
                    Membership.ended_at.is_(None)))
    if _by_college(assembly):
        query = query.where(Membership.college_id.is_not(None))
    return sorted(((m, n) for m, n in db.execute(query)), key=lambda r: (r[1].casefold(), r[0]))


def draft_votes(db: Session, assembly: Assembly) -> list[tuple[int, str]]:
    """The organisation's draft votes of every member that could go on the agenda."""
    on_agenda = {i.proposal_id for i in assembly.items}
    return [(p.id, p.title) for p in db.scalars(select(Proposal).where(
        Proposal.organisation_id == assembly.organisation_id,
        Proposal.status == ProposalStatus.DRAFT,
        Proposal.electorate_scope == ElectorateScope.ORGANISATION).order_by(Proposal.id))
        if descriptor(p.family).is_vote and p.id not in on_agenda]


@dataclass(frozen=True, slots=True)
class Situation:
    """Where a member stands at the sitting: the proxy they gave, those they hold, their
    postal vote, their check-in, and the votes they may cast now."""

    on_roll: bool
    proxy: Proxy | None
    holder_name: str | None
    held: list[tuple[int, str]]
    postal: dict[int, str | None]
    attendance: Attendance | None
    voices: list[Voice]


def situation(db: Session, assembly: Assembly, member: Membership, now: datetime) -> Situation:
    """The member's situation at the sitting, for their page."""
    proxy = proxy_given(db, assembly.id, member.id)
    held = proxies_held(db, assembly.id, member.id)
    found = names(db, [p.giver_id for p in held] + ([proxy.holder_id] if proxy else []))
    postal = dict(db.execute(
        select(PostalVote.agenda_item_id, PostalVote.position).where(
            PostalVote.assembly_id == assembly.id, PostalVote.membership_id == member.id))
        .all())
    return Situation(
        on_roll=on_roll(db, assembly, member.id) is not None, proxy=proxy,
        holder_name=found.get(proxy.holder_id) if proxy else None,
        held=[(p.giver_id, found.get(p.giver_id, "")) for p in held], postal=postal,
        attendance=_checked_in(db, assembly.id, member.id),
        voices=voices(db, assembly, member, now))
