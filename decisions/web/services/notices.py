"""Notices: who is told what, written in the transaction of the event that tells it.

A round opened, an objection raised, a new version to consent to again, an outcome decided:
each writes one ``Notice`` row per recipient in the event's own transaction, so that an event
and its messages are stored together or not at all, and no request waits for a mail server
(the sender, ``services.outbox``, mails the rows afterwards). A row's ``delivery`` follows
what its recipient chose in that organisation (``Membership.notify`` and ``muted``):
:func:`delivery_for`.

Rows are written with one statement of many values, from one query of the recipients and
their choices, never one ORM object at a time. A round's opening tells every elector: it
writes one ``Announcement`` in its transaction instead, and the sender's next pass writes
its notices (:func:`expand_due`, a few seconds later), so that opening a round for 5,000
electors stays well under 300 ms on PostgreSQL too (``benchmarks/open_round.py``).

Also here, because they are the same rows: the reminder before a deadline (the scheduler's
``remind_due``), a facilitator's ``nudge``, the single-use answer links that a round's
messages carry, and how many electors were told of a round by e-mail (a consent round where
silence counts as consent is legitimate only if they all were).

Secret rounds: their notices carry no answer link and name nobody's position; no objection
notice can come from one (the families that take objections are never secret), so none is
written there. A member who left the organisation is told nothing more.

Flask-free, as every service: the clock and the session are parameters.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ARRAY,
    Integer,
    Select,
    String,
    Text,
    bindparam,
    case,
    exists,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session, aliased, sessionmaker

from decisions.engine import Family
from decisions.engine.params import ConsentParams, SociocraticParams
from decisions.engine.vocabulary import SilencePolicy

from .. import round_cases
from ..families import descriptor
from ..models import (
    ACTION_KINDS,
    ALWAYS_SENT,
    COMMENT_KINDS,
    Announcement,
    Delivery,
    Elector,
    Membership,
    Notice,
    NoticeKind,
    NotifyMode,
    Participation,
    Proposal,
    Role,
    Round,
    RoundKind,
    RoundStatus,
    User,
)
from ..transactions import begin_write, rowcount
from . import ServiceError, audit
from .messages import N_

logger = logging.getLogger(__name__)

#: The kinds whose e-mail carries answer links (a button per position).
LINK_KINDS = frozenset({NoticeKind.ROUND_OPENED, NoticeKind.REMINDER, NoticeKind.NUDGE})
#: How long after a nudge a round's non-answerers may be nudged again.
NUDGE_INTERVAL = timedelta(hours=6)
#: Counted positions that consent (a sociocratic concern counts as consent, SOC-10).
CONSENTING = ("consent", "concern")


class NoticeError(ServiceError):
    """Something about notices that cannot be done now."""


class NudgeRefused(NoticeError):
    """A nudge refused: the round is not open, or nobody is left to remind, or it is too
    soon after the last one (``available_at`` then says from when)."""

    def __init__(self, code: str, message: str, *, params: Mapping[str, object] | None = None,
                 available_at: datetime | None = None) -> None:
        super().__init__(code, message, params=params)
        self.available_at = available_at


class LinkError(NoticeError):
    """An answer link that cannot be used: ``gone`` when it was a genuine link that has
    served, expired or been turned off, not when it was never valid (410 or 404)."""

    def __init__(self, code: str, message: str, *, gone: bool) -> None:
        super().__init__(code, message)
        self.gone = gone


# Who receives what ----------------------------------------------------------------------


def delivery_for(kind: str, mode: str | None, muted: str | None) -> Delivery:
    """Where one notice of ``kind`` goes for a member who chose ``mode`` and muted the
    space-separated kinds ``muted`` (``None``: a person without membership, mailed)."""
    if kind in ALWAYS_SENT:
        return Delivery.PENDING
    if muted and kind in muted.split():
        return Delivery.IN_APP
    if mode is None or mode == NotifyMode.ALL or kind in ACTION_KINDS:
        return Delivery.PENDING
    return Delivery.HELD if mode == NotifyMode.DIGEST else Delivery.IN_APP


#: A recipient: (user id, their membership's mode, its muted kinds), the mode ``None``
#: without membership.
Recipient = tuple[int, str | None, str | None]


def _insert_unnested() -> Any:
    """PostgreSQL: insert one row per element of four arrays (user, delivery, the secret of
    its answer link or ``""``, the secret's hash), the other columns the same for each; the
    payload of a row with a link is the common payload with its link and hash added."""
    rows = func.unnest(bindparam("n_users", type_=ARRAY(Integer)),
                       bindparam("n_deliveries", type_=ARRAY(String)),
                       bindparam("n_secrets", type_=ARRAY(String)),
                       bindparam("n_digests", type_=ARRAY(String))).table_valued(
        "user_id", "delivery", "secret", "digest").render_derived(name="rows")
    names = ("kind", "organisation_id", "email", "proposal_id", "round_id", "created_at",
             "send_after", "attempts")
    same = [bindparam(name, type_=Notice.__table__.c[name].type) for name in names]
    # The link's characters need no escaping in JSON: the payload is written as text.
    payload = case((rows.c.secret == "", bindparam("payload", type_=Text)), else_=func.concat(
        bindparam("linked_head", type_=Text), sql_cast(bindparam("round_id", type_=Integer),
                                                       Text),
        ".", sql_cast(rows.c.user_id, Text), ".", rows.c.secret, '", "link_hash": "',
        rows.c.digest, '"}'))
    return insert(Notice.__table__).from_select(
        [*names, "user_id", "delivery", "payload"],
        select(*same, rows.c.user_id, rows.c.delivery, payload))


_INSERT_UNNESTED = _insert_unnested()


def _choices() -> Select[int, str, str]:
    """Members with what they chose to receive: the start of every query of recipients."""
    return select(Membership.user_id, Membership.notify, Membership.muted)


def notify(db: Session, kind: NoticeKind, *, organisation_id: int | None,
           user_ids: Iterable[int] | Select[int] | None = None, email: str | None = None,
           proposal_id: int | None = None, round_id: int | None = None,
           payload: Mapping[str, Any] | None = None, now: datetime,
           links: bool = False, mailed: bool = True) -> int:
    """Write one notice of ``kind`` to each person of ``user_ids`` (ids, or a query of
    ids), or to the address ``email`` of a person without account; how many were written.

    Each row's delivery follows the person's choices in ``organisation_id``
    (:func:`delivery_for`); without ``mailed``, every row is shown in the application only
    (a convocation sent by post to a member who did not agree to e-mail). With ``links``
    (answer links allowed: see :func:`links_allowed`), each mailed row of a round gets its
    own single-use link."""
    if email is not None:
        return _write(db, kind, [(0, None, None)], organisation_id=organisation_id,
                      email=email, proposal_id=proposal_id, round_id=round_id,
                      payload=payload, now=now)
    if user_ids is None:
        return 0
    given = sorted(set(db.scalars(user_ids) if isinstance(user_ids, Select) else user_ids))
    found: dict[int, Recipient] = {}
    if organisation_id is not None and given:
        found = {row[0]: (row[0], row[1], row[2]) for row in db.execute(_choices().where(
            Membership.organisation_id == organisation_id, Membership.user_id.in_(given)))}
    recipients = [found.get(user, (user, None, None)) for user in given]
    return _write(db, kind, recipients, organisation_id=organisation_id,
                  proposal_id=proposal_id, round_id=round_id, payload=payload, now=now,
                  links=links, mailed=mailed)


def _write(db: Session, kind: NoticeKind,
           recipients: Iterable[Recipient] | Select[int, str, str], *,
           organisation_id: int | None, proposal_id: int | None, round_id: int | None,
           payload: Mapping[str, Any] | None, now: datetime, email: str | None = None,
           links: bool = False, mailed: bool = True) -> int:
    """Insert the rows, one statement of many values (``recipients``: rows of
    (user id, mode, muted), or a query of them)."""
    people = db.execute(recipients).all() if isinstance(recipients, Select) else recipients
    base = dict(payload or {})
    text = json.dumps(base, ensure_ascii=False)
    linked = links and round_id is not None and kind in LINK_KINDS
    users, deliveries, links_ = [], [], []
    for user_id, mode, muted in people:
        delivery = delivery_for(kind, mode, muted) if mailed else Delivery.IN_APP
        users.append(user_id or None)
        deliveries.append(delivery.value)
        links_.append(secrets.token_urlsafe(18) if linked and delivery is not Delivery.IN_APP
                      else "")
    if not users:
        return 0
    digests = [_digest(secret) if secret else "" for secret in links_]
    same = {"kind": kind.value, "organisation_id": organisation_id, "email": email,
            "proposal_id": proposal_id, "round_id": round_id, "created_at": now,
            "send_after": now, "attempts": 0}
    if db.get_bind().dialect.name == "postgresql":
        # One statement of four arrays of plain words: psycopg sends an executemany as one
        # statement per row, and escapes an array of JSON texts slowly (5,000 rows: 170 ms
        # and 70 ms of Python; this, 25 ms).
        head = json.dumps({**base, "link": ""}, ensure_ascii=False).removesuffix('"}')
        db.execute(_INSERT_UNNESTED, {**same, "payload": text, "linked_head": head,
                                      "n_users": users, "n_deliveries": deliveries,
                                      "n_secrets": links_, "n_digests": digests})
    else:
        db.execute(insert(Notice.__table__), [
            {**same, "user_id": user, "delivery": delivery,
             "payload": json.dumps({**base, "link": f"{round_id}.{user}.{secret}",
                                    "link_hash": digest}, ensure_ascii=False)
             if secret else text}
            for user, delivery, secret, digest in zip(users, deliveries, links_, digests,
                                                      strict=True)])
    return len(users)


def _current_members(organisation_id: int) -> Select[int, str, str]:
    return _choices().where(Membership.organisation_id == organisation_id,
                            Membership.ended_at.is_(None))


def _electors(round_id: int) -> Select[int, str, str]:
    """A round's electors who are still members (one who left is told nothing more)."""
    return (_choices().join(Elector, Elector.membership_id == Membership.id)
            .where(Elector.round_id == round_id, Membership.ended_at.is_(None)))


def _awaited(round_: Round) -> Select[int, str, str]:
    """The round's electors who have not answered: no counted ballot, or in a secret round
    no participation (which is all that is stored of a secret ballot's voter)."""
    if round_.proposal.secret:
        return _electors(round_.id).where(~exists().where(
            Participation.round_id == round_.id,
            Participation.membership_id == Elector.membership_id))
    return _electors(round_.id).where(Elector.position.is_(None))


def _takes_answers(round_: Round) -> bool:
    """Whether members answer this round with a position (or a nomination), as opposed to
    comments, which nobody is awaited to post."""
    return round_.kind in descriptor(round_.proposal.family).positions


def links_allowed(round_: Round) -> bool:
    """Whether the messages of this round carry answer links: the organisation allows them,
    the ballot is not secret, and members take positions in it (not comments)."""
    proposal = round_.proposal
    return proposal.organisation.answer_links and not proposal.secret and _takes_answers(round_)


def _about(round_: Round) -> dict[str, Any]:
    return {"organisation_id": round_.proposal.organisation_id,
            "proposal_id": round_.proposal_id, "round_id": round_.id}


# The events -----------------------------------------------------------------------------


def round_opened(db: Session, round_: Round, now: datetime) -> Announcement:
    """Tell every elector of a round just opened (its electors are stored): one
    announcement now, its notices written by the sender's next pass (:func:`expand`)."""
    announcement = Announcement(kind=NoticeKind.ROUND_OPENED.value, round_id=round_.id,
                                links=links_allowed(round_), created_at=now)
    db.add(announcement)
    return announcement


def expand_due(sessions: sessionmaker[Session], now: datetime) -> int:
    """Write the notices of every announcement not yet expanded, each in a transaction of
    its own (the sender's first step); how many notices were written."""
    with sessions() as db:
        due = announcements_due(db)
    return one_transaction_each(sessions, due, expand, now,
                                "The notices of announcement %d could not be written")


def announcements_due(db: Session) -> list[int]:
    """The announcements whose notices are not written yet, oldest first."""
    return list(db.scalars(select(Announcement.id).where(Announcement.expanded_at.is_(None))
                           .order_by(Announcement.id)))


def expand(db: Session, announcement_id: int, now: datetime) -> int:
    """Write one notice per recipient of an announcement, unless a sender already did:
    taken with a conditional update, as closing a round is, so that several senders write
    them once. The notices bear the announcement's time (the event's), and the recipients'
    choices of now; a member who left meanwhile is told nothing. How many were written."""
    taken = db.execute(update(Announcement).where(
        Announcement.id == announcement_id, Announcement.expanded_at.is_(None))
        .values(expanded_at=now).execution_options(synchronize_session=False))
    if rowcount(taken) != 1:
        return 0
    announcement = db.get_one(Announcement, announcement_id)
    if announcement.kind != NoticeKind.ROUND_OPENED:
        raise ValueError(f"no recipients known for an announcement of {announcement.kind}")
    round_ = db.get_one(Round, announcement.round_id)
    written = _write(db, NoticeKind.ROUND_OPENED, _electors(round_.id), **_about(round_),
                     payload={}, now=announcement.created_at, links=announcement.links)
    announcement.notices = written
    return written


def objection_raised(db: Session, round_: Round, *, ballot_id: int, objector_id: int,
                     reason: str, now: datetime) -> int:
    """Tell the organisation's facilitators and admins and the proposal's author that a
    member objects, with the reason (not the objector: they know). Only named ballots
    object: the families that take objections are never secret."""
    proposal = round_.proposal
    if proposal.secret:
        return 0
    recipients = _current_members(proposal.organisation_id).where(
        Membership.id != objector_id,
        or_(Membership.role.in_((Role.FACILITATOR, Role.ADMIN)),
            Membership.id == proposal.author_id))
    return _write(db, NoticeKind.OBJECTION, recipients, **_about(round_), now=now,
                  payload={"event_id": None, "ballot_id": ballot_id, "reason": reason})


def asks_consent_again(proposal: Proposal) -> bool:
    """Whether a new version asks for consent again: a sociocratic rule with
    ``recheck_all_after_amend`` (its default, docs/rules.md 5.2), under which consents given
    on an earlier version no longer count. Other families never amend between consent
    rounds (a consent process has one round, a vote is no consent)."""
    if not descriptor(proposal.family).sociocratic:
        return False
    rule = round_cases.rule_params(proposal.family, json.loads(proposal.params or "{}"))
    return isinstance(rule, SociocraticParams) and rule.recheck_all_after_amend


def version_published(db: Session, proposal: Proposal, version: int, now: datetime) -> int:
    """Tell the members who consented to an earlier version (their counted position in a
    closed consent round of the proposal) that a new one asks for their consent again."""
    if not asks_consent_again(proposal):
        return 0
    consented = (select(Elector.membership_id).join(Round, Round.id == Elector.round_id)
                 .where(Round.proposal_id == proposal.id, Round.kind == RoundKind.CONSENT,
                        Round.status == RoundStatus.CLOSED, Round.version_number < version,
                        Elector.position.in_(CONSENTING)))
    recipients = _current_members(proposal.organisation_id).where(Membership.id.in_(consented))
    return _write(db, NoticeKind.NEW_VERSION, recipients,
                  organisation_id=proposal.organisation_id, proposal_id=proposal.id,
                  round_id=None, payload={"version": version}, now=now)


def outcome_decided(db: Session, round_: Round, now: datetime) -> int:
    """Tell every current member of the organisation (the electors and its followers, the
    members outside the electorate) the outcome of a consent round or vote just counted."""
    if round_.status is not RoundStatus.CLOSED or round_.kind not in (RoundKind.CONSENT,
                                                                      RoundKind.VOTE):
        return 0
    return _write(db, NoticeKind.OUTCOME, _current_members(round_.proposal.organisation_id),
                  **_about(round_), payload={}, now=now)


# Reminders ------------------------------------------------------------------------------


def reminder_at(round_: Round) -> datetime | None:
    """When the round's non-answerers are reminded: ``reminder_hours`` before its deadline,
    if that is after its opening (else the opening message is the reminder); ``None``
    without a reminder."""
    hours = round_.proposal.reminder_hours
    if hours is None or hours <= 0:
        return None
    at = round_.closes_at - timedelta(hours=hours)
    return at if at > round_.opens_at else None


def _locked_round(db: Session, round_id: int) -> Round | None:
    """The round, its row locked until the transaction ends (PostgreSQL; on SQLite the
    transaction holds the write lock from ``begin_write``): writers of the same round's
    reminders or nudges take turns, and each sees what the one before committed."""
    return db.scalar(select(Round).where(Round.id == round_id).with_for_update()
                     .execution_options(populate_existing=True))


def _not_reminded(kind: NoticeKind, round_id: int) -> Any:
    return ~exists().where(Notice.round_id == round_id, Notice.kind == kind.value,
                           Notice.user_id == Membership.user_id)


def remind(db: Session, round_id: int, now: datetime) -> int:
    """Remind the round's electors who have not answered, if its reminder is due at
    ``now``, each at most once (``NOT EXISTS`` a reminder of the round to them); how many.

    The caller's transaction writes (``begin_write``): the round's row is locked first, so
    that two schedulers meeting on one round take turns, and the second, seeing the first's
    rows, writes none."""
    round_ = _locked_round(db, round_id)
    if round_ is None or not round_.accepting(now) or not _takes_answers(round_):
        return 0
    at = reminder_at(round_)
    if at is None or now < at:
        return 0
    recipients = _awaited(round_).where(_not_reminded(NoticeKind.REMINDER, round_id))
    return _write(db, NoticeKind.REMINDER, recipients, **_about(round_), payload={},
                  now=now, links=links_allowed(round_))


def due_reminders(db: Session, now: datetime) -> list[int]:
    """Open rounds whose reminder is due at ``now`` and has not gone out, with someone to
    remind (read only: a round where everyone answered takes no lock)."""
    rows = db.execute(
        select(Round.id, Round.opens_at, Round.closes_at, Proposal.reminder_hours,
               Proposal.secret)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .where(Round.status == RoundStatus.OPEN, Round.closes_at > now,
               Round.kind.not_in(COMMENT_KINDS), Proposal.reminder_hours > 0,
               ~exists().where(Notice.round_id == Round.id,
                               Notice.kind == NoticeKind.REMINDER.value))
        .order_by(Round.closes_at)).all()
    due = []
    for row in rows:
        at = row.closes_at - timedelta(hours=row.reminder_hours)
        if not row.opens_at < at <= now:
            continue
        answered = (exists().where(Participation.round_id == row.id,
                                   Participation.membership_id == Elector.membership_id)
                    if row.secret else Elector.position.is_not(None))
        if db.scalar(select(exists().where(Elector.round_id == row.id, ~answered))):
            due.append(row.id)
    return due


def remind_due(sessions: sessionmaker[Session], now: datetime) -> int:
    """Send every reminder due at ``now``, one round per transaction (the scheduler's
    tick); how many members were reminded. A round that fails is logged and tried again
    at the next tick."""
    with sessions() as db:
        due = due_reminders(db, now)
    return one_transaction_each(sessions, due, remind, now,
                                "The reminder of round %d could not be written")


def one_transaction_each(sessions: sessionmaker[Session], ids: Iterable[int],
                         act: Callable[[Session, int, datetime], int], now: datetime,
                         failure: str) -> int:
    """Run ``act`` on each id in a write transaction of its own (the scheduler's jobs that
    tell many); the sum of what they return. One that fails is logged (``failure``, with
    the id) and left for the next pass, without taking the others down."""
    done = 0
    for item_id in ids:
        try:
            with sessions() as db:
                done += act(begin_write(db), item_id, now)
                db.commit()
        except Exception:
            logger.exception(failure, item_id)
    return done


def next_nudge_at(db: Session, round_id: int) -> datetime | None:
    """From when a facilitator may nudge the round's non-answerers again (``None``: never
    nudged)."""
    last = db.scalar(select(func.max(Notice.created_at)).where(
        Notice.round_id == round_id, Notice.kind == NoticeKind.NUDGE.value))
    return None if last is None else last + NUDGE_INTERVAL


def nudge(db: Session, round_id: int, by: Membership, now: datetime) -> int:
    """A facilitator's "remind those who have not answered": every elector of the open
    round without an answer is told now, at most once every ``NUDGE_INTERVAL`` per round
    (refused with :class:`NudgeRefused` before then), logged in the audit chain; how many
    were reminded. The caller's transaction writes (``begin_write``)."""
    round_ = _locked_round(db, round_id)
    if (round_ is None or not by.can(Role.FACILITATOR) or by.ended_at is not None
            or round_.proposal.organisation_id != by.organisation_id):
        raise NudgeRefused("nudge.not_allowed",
                           N_("Only a facilitator of the organisation can remind members."))
    if not round_.accepting(now) or not _takes_answers(round_):
        raise NudgeRefused("round.not_open",
                           N_("Members can be reminded only while the round takes answers."))
    available = next_nudge_at(db, round_id)
    if available is not None and now < available:
        local = available.astimezone(ZoneInfo(round_.proposal.organisation.timezone))
        raise NudgeRefused("nudge.too_soon",
                           N_("Members were reminded less than %(hours)d hours ago: you can"
                              " remind them again from %(time)s."),
                           params={"hours": NUDGE_INTERVAL // timedelta(hours=1),
                                   "time": local.strftime("%H:%M")},
                           available_at=available)
    count = _write(db, NoticeKind.NUDGE, _awaited(round_), **_about(round_),
                   payload={"by": by.id}, now=now, links=links_allowed(round_))
    if not count:
        raise NudgeRefused("nudge.nobody", N_("Every elector has answered: nobody to remind."))
    audit.round_event(db, round_, "round_nudged", at=now, actor_id=by.id, reminded=count)
    return count


# Answer links ---------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class AnswerLink:
    """A usable answer link: whose (``user``, as ``membership_id`` of the organisation), for
    which round, and the notice that carried it."""

    notice_id: int
    user: User
    membership_id: int
    round: Round


_NOT_A_LINK = N_("This link is not valid. Open the round from the application instead.")


def answer_link(db: Session, token: str, now: datetime) -> AnswerLink:
    """The answer link of ``token`` if it may be used at ``now`` (not used yet, its round
    still taking answers, links still allowed, its member still an elector); else
    :class:`LinkError`. Does not use it: see :func:`use_answer_link`."""
    round_part, _, rest = token.partition(".")
    user_part, _, secret = rest.partition(".")
    if not (round_part.isdigit() and user_part.isdigit() and secret):
        raise LinkError("link.invalid", _NOT_A_LINK, gone=False)
    round_id, user_id, digest = int(round_part), int(user_part), _digest(secret)
    found = None
    for notice_id, payload, used_at in db.execute(
            select(Notice.id, Notice.payload, Notice.link_used_at).where(
                Notice.round_id == round_id, Notice.user_id == user_id,
                Notice.kind.in_([kind.value for kind in LINK_KINDS]))):
        stored = json.loads(payload or "{}").get("link_hash")
        if isinstance(stored, str) and hmac.compare_digest(stored, digest):
            found = (notice_id, used_at)
    if found is None:
        raise LinkError("link.invalid", _NOT_A_LINK, gone=False)
    if found[1] is not None:
        raise LinkError("link.used", N_("This link was already used: it works once. Sign in"
                                        " to answer."), gone=True)
    round_ = db.get_one(Round, round_id)
    if not links_allowed(round_):
        raise LinkError("link.off", N_("Answer links are turned off for this round. Sign in"
                                       " to answer."), gone=True)
    if not round_.accepting(now):
        raise LinkError("link.expired", N_("This round no longer takes answers: the link has"
                                           " expired."), gone=True)
    membership_id = db.scalar(select(Membership.id).join(
        Elector, Elector.membership_id == Membership.id).where(
            Elector.round_id == round_id, Membership.user_id == user_id,
            Membership.ended_at.is_(None)))
    if membership_id is None:
        raise LinkError("link.not_elector", N_("You are not in the electorate of this round"
                                               " any more."), gone=True)
    return AnswerLink(found[0], db.get_one(User, user_id), membership_id, round_)


def use_answer_link(db: Session, token: str, now: datetime) -> AnswerLink:
    """Use the answer link of ``token`` once (see :func:`answer_link`): a conditional
    update marks its notice's ``link_used_at``, so of two uses at once only one wins."""
    link = answer_link(db, token, now)
    used = db.execute(update(Notice).where(Notice.id == link.notice_id,
                                           Notice.link_used_at.is_(None))
                      .values(link_used_at=now).execution_options(synchronize_session=False))
    if rowcount(used) != 1:
        raise LinkError("link.used", N_("This link was already used: it works once. Sign in"
                                        " to answer."), gone=True)
    return link


# Silence is consent only when everyone was told ------------------------------------------


def silence_is_consent(proposal: Proposal) -> bool:
    """Whether the proposal's consent rounds count an elector's silence as consent: a
    consent process with ``silence_policy: consent`` (its default, docs/rules.md 4.1)."""
    if descriptor(proposal.family).family is not Family.CONSENT:
        return False
    rule = round_cases.rule_params(proposal.family, json.loads(proposal.params or "{}"))
    return isinstance(rule, ConsentParams) and rule.silence_policy is SilencePolicy.CONSENT


def silence_untold(proposal: Proposal, kind: RoundKind, *, mail_printed: bool) -> bool:
    """Whether a round of ``kind`` would count as consent the silence of electors whom no
    e-mail tells (``mail_printed``: the server only prints its mail): its facilitator is
    warned before opening it (the page) or on opening it (the API)."""
    return mail_printed and kind is RoundKind.CONSENT and silence_is_consent(proposal)


def told_by_mail(db: Session, round_id: int) -> int:
    """How many electors of the round were told of its opening by e-mail: their opening
    notice was accepted by the SMTP server, alone or in a digest the server accepted (a
    notice is ``digested`` as soon as its digest is composed, before that is sent). A
    message the console backend printed (``printed``) told nobody."""
    digest = aliased(Notice)
    return db.scalar(select(func.count()).select_from(Notice).where(
        Notice.round_id == round_id, Notice.kind == NoticeKind.ROUND_OPENED.value,
        or_(Notice.delivery == Delivery.SENT.value,
            (Notice.delivery == Delivery.DIGESTED.value) & exists().where(
                digest.id == Notice.digest_id, digest.delivery == Delivery.SENT.value)))
    ) or 0
