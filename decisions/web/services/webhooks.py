"""Webhooks: the endpoints an organisation's admins register, and the outbox of their
deliveries.

Events come from the organisation's audit chain, which every event writes in its own
transaction (a round opened, closed; a version published; a general assembly convened,
its sitting opened, closed): each endpoint keeps the number
of the last entry it has turned into deliveries (``audit_seq``), and the scheduler turns the
entries after it into one delivery per event, the endpoint's number moved by a conditional
update, so that two schedulers never both do it. An event is therefore never lost (it is in
the chain, or it did not happen), never waits for an endpoint (no request sends anything),
and is delivered at most once per endpoint (a delivery is unique per endpoint and event).
``round.closing_soon`` has no entry: it is due when an open round's deadline is a day away,
once per round.

Deliveries are sent as the e-mail outbox's notices are (``services.outbox``): claimed with
a conditional update and a lease (``FOR UPDATE SKIP LOCKED`` in a CTE on PostgreSQL), each
result committed at once; a failed delivery is tried again after a wait that grows
(``SCHEDULE``: 5 seconds, 5 minutes, half an hour, 2, 5, 10 and 10 hours, so over more than
a day), then given up. An endpoint that has failed for a day without any success is
disabled, its pending deliveries given up, and its organisation's admins are told. A
receiver may get a delivery twice in one case only (its sender died after the receiver's
2xx and before recording it): the ``webhook-id`` is the same at every attempt.

Signatures follow Standard Webhooks (https://www.standardwebhooks.com): the headers
``webhook-id``, ``webhook-timestamp`` and ``webhook-signature``, an HMAC-SHA256 of
``id.timestamp.body`` with the endpoint's secret (``whsec_`` and base64); after a rotation
the previous secret signs too, for a day.

Flask-free, as every service: the clock and the session are parameters.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import String, and_, func, literal, or_, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    Assembly,
    AssemblyStatus,
    AuditEntry,
    DeliveryState,
    EndpointKind,
    Membership,
    NoticeKind,
    Organisation,
    Proposal,
    ProposalStatus,
    Role,
    Round,
    RoundStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from ..transactions import rowcount
from . import ServiceError, audit, notices
from .messages import N_

SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix of every secret, not a secret
#: How long the secret a rotation replaced still signs.
ROTATION_GRACE = timedelta(hours=24)
#: The waits after each failed attempt; after the last, the delivery is given up (about
#: 27 hours after its first attempt).
SCHEDULE = (timedelta(seconds=5), timedelta(minutes=5), timedelta(minutes=30),
            timedelta(hours=2), timedelta(hours=5), timedelta(hours=10), timedelta(hours=10))
#: An endpoint failing this long without a success is disabled.
DISABLE_AFTER = timedelta(hours=24)
#: ``round.closing_soon`` is due this long before a deadline.
CLOSING_SOON = timedelta(hours=24)
LEASE = timedelta(minutes=5)
BATCH = 50
#: Audit entries read at once for one endpoint.
ENTRIES = 200
ERROR_LENGTH = 1000
URL_LENGTH = 2000
#: The audit entries that are events, and the events each may be.
EVENT_ENTRIES = ("round_opened", "round_closed", "version_published", "assembly_convened",
                 "sitting_opened", "sitting_closed", "sitting_without_quorum")
#: The audit entries of a general assembly's life, and the event each is.
ASSEMBLY_EVENTS = {"assembly_convened": WebhookEvent.ASSEMBLY_CONVENED,
                   "sitting_opened": WebhookEvent.ASSEMBLY_OPENED,
                   "sitting_closed": WebhookEvent.ASSEMBLY_CLOSED,
                   "sitting_without_quorum": WebhookEvent.ASSEMBLY_CLOSED}


class WebhookError(ServiceError):
    """An endpoint that cannot be registered or changed so."""


@dataclass(frozen=True, slots=True)
class Registered:
    """An endpoint just registered (or its secret rotated), and its secret: show it now."""

    endpoint: WebhookEndpoint
    secret: str


# Endpoints ------------------------------------------------------------------------------


def new_secret() -> str:
    """A signing secret: ``whsec_`` and 32 random bytes in base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def private_host(host: str) -> bool:
    """Whether ``host`` is written as an address of this machine or of a private network
    (``localhost``, 10.x, 192.168.x, ::1...). Names are resolved when sending."""
    if host.lower().rstrip(".") in ("localhost", "localhost.localdomain") or host.lower(
            ).endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not address.is_global


def check_url(url: str, *, private_allowed: bool) -> str:
    """An endpoint's address: ``https://`` (or ``http://``), with a host, at most
    ``URL_LENGTH`` characters; an address of a private network only where allowed."""
    url = url.strip()
    parts = urlsplit(url)
    if (len(url) > URL_LENGTH or parts.scheme not in ("https", "http") or not parts.hostname
            or any(c.isspace() or ord(c) < 32 for c in url)):
        raise WebhookError("webhook.url", N_("Give the address of the endpoint, starting with"
                                             " https://."), field="url")
    if not private_allowed and private_host(parts.hostname):
        raise WebhookError("webhook.private_url",
                           N_("This address is on a private network: the server does not"
                              " send webhooks there."), field="url")
    return url


def _check_events(events: Collection[str]) -> str:
    known = [event.value for event in WebhookEvent]
    if not events or any(event not in known for event in events):
        raise WebhookError("webhook.events", N_("Choose at least one event."), field="events")
    return " ".join(event for event in known if event in events)


def _check_description(description: str) -> str:
    description = description.strip()
    if len(description) > 200 or any(ord(c) < 32 for c in description):
        raise WebhookError("webhook.description",
                           N_("Describe the endpoint in one line of at most 200 characters."),
                           field="description")
    return description


def audit_head(db: Session, organisation_id: int) -> int:
    """The number of the organisation's last sealed audit entry (0: none)."""
    return int(db.scalar(select(func.max(AuditEntry.seq)).where(
        AuditEntry.organisation_id == organisation_id)) or 0)


def register(db: Session, organisation: Organisation, by: Membership, *, url: str, kind: str,
             events: Collection[str], description: str = "", access_token: str = "",
             now: datetime, private_allowed: bool = False) -> Registered:
    """Register an endpoint of the organisation, by one of its admins; it is told of the
    events from now on (not of those before)."""
    if by.organisation_id != organisation.id or not by.can(Role.ADMIN) or by.ended_at:
        raise WebhookError("webhook.not_admin",
                           N_("Only an admin of the organisation can register endpoints."))
    if kind not in {k.value for k in EndpointKind}:
        raise WebhookError("webhook.kind", N_("Choose what the endpoint receives."),
                           field="kind")
    access_token = access_token.strip()
    if kind == EndpointKind.MATRIX and not access_token:
        raise WebhookError("webhook.access_token",
                           N_("A Matrix room needs the access token of the account that"
                              " posts in it."), field="access_token")
    if len(access_token) > 500 or any(c.isspace() for c in access_token):
        raise WebhookError("webhook.access_token", N_("This access token is not valid."),
                           field="access_token")
    endpoint = WebhookEndpoint(
        organisation_id=organisation.id, url=check_url(url, private_allowed=private_allowed),
        kind=kind, events=_check_events(events), description=_check_description(description),
        secret=new_secret(), access_token=access_token or None,
        audit_seq=audit_head(db, organisation.id), created_at=now, created_by_id=by.id)
    db.add(endpoint)
    db.flush()
    return Registered(endpoint, endpoint.secret)


def change(db: Session, endpoint: WebhookEndpoint, *, events: Collection[str],
           description: str) -> WebhookEndpoint:
    """Change the events an endpoint is told of, and its description."""
    endpoint.events = _check_events(events)
    endpoint.description = _check_description(description)
    db.flush()
    return endpoint


def rotate_secret(db: Session, endpoint: WebhookEndpoint, now: datetime) -> Registered:
    """A new signing secret; the one it replaces still signs for ``ROTATION_GRACE``."""
    endpoint.previous_secret, endpoint.previous_secret_until = (endpoint.secret,
                                                                now + ROTATION_GRACE)
    endpoint.secret = new_secret()
    db.flush()
    return Registered(endpoint, endpoint.secret)


def enable(db: Session, endpoint: WebhookEndpoint, now: datetime) -> None:
    """Turn a disabled endpoint on again: it is told of events from now on."""
    endpoint.disabled_at = endpoint.disabled_reason = endpoint.failing_since = None
    endpoint.audit_seq = audit_head(db, endpoint.organisation_id)
    db.flush()


def delete(db: Session, endpoint: WebhookEndpoint) -> None:
    """Remove an endpoint and its deliveries."""
    db.delete(endpoint)
    db.flush()


def endpoints_of(db: Session, organisation: Organisation) -> list[WebhookEndpoint]:
    """The organisation's endpoints, oldest first."""
    return list(db.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.organisation_id == organisation.id).order_by(WebhookEndpoint.id)))


def find(db: Session, organisation: Organisation, endpoint_id: int) -> WebhookEndpoint | None:
    """One of the organisation's endpoints."""
    return db.scalar(select(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint_id, WebhookEndpoint.organisation_id == organisation.id))


def deliveries_of(db: Session, endpoint: WebhookEndpoint, limit: int = 50,
                  ) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first."""
    return list(db.scalars(select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id).order_by(WebhookDelivery.id.desc())
        .limit(limit)))


# Signing --------------------------------------------------------------------------------


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """``v1,`` and the base64 HMAC-SHA256 of ``id.timestamp.body`` with the secret's key."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    content = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode()


def signature_header(endpoint: WebhookEndpoint, message_id: str, timestamp: int, body: bytes,
                     now: datetime) -> str:
    """The ``webhook-signature`` header: by the secret, and during a rotation's grace also by
    the one before, separated by a space."""
    found = [sign(endpoint.secret, message_id, timestamp, body)]
    if (endpoint.previous_secret and endpoint.previous_secret_until is not None
            and now < endpoint.previous_secret_until):
        found.append(sign(endpoint.previous_secret, message_id, timestamp, body))
    return " ".join(found)


# Events into deliveries ------------------------------------------------------------------


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


def _proposal_data(proposal: Proposal) -> dict[str, Any]:
    return {"id": proposal.id, "title": proposal.title, "family": proposal.family,
            "status": proposal.status.value}


def _round_data(round_: Round) -> dict[str, Any]:
    return {"id": round_.id, "number": round_.number, "kind": round_.kind.value,
            "opens_at": _iso(round_.opens_at), "closes_at": _iso(round_.closes_at),
            "secret": round_.proposal.secret}


def _assembly_data(assembly: Assembly) -> dict[str, Any]:
    return {"id": assembly.id, "title": assembly.title, "kind": assembly.kind.value,
            "status": assembly.status.value, "convocation": assembly.convocation,
            "meets_at": _iso(assembly.meets_at), "place": assembly.place}


def _assembly_event(entry: AuditEntry, data: dict[str, Any], assembly: Assembly,
                    organisation: Organisation) -> tuple[WebhookEvent, str, dict[str, Any]]:
    """An assembly's audit entry as its event: convened (with the agenda's proposals),
    opened, or closed (held, or recorded without quorum), with its minutes' address."""
    event = ASSEMBLY_EVENTS[entry.kind]
    about: dict[str, Any] = {"assembly": _assembly_data(assembly),
                             "links": {"assembly": f"/api/v1/assemblies/{assembly.id}"}}
    if event is WebhookEvent.ASSEMBLY_CONVENED:
        about["assembly"].update(status=AssemblyStatus.CONVENED.value,
                                 convened_at=_iso(entry.at))
        about["agenda"] = [{"number": number, "proposal_id": proposal, "version": version}
                           for number, proposal, version in data.get("agenda") or []]
    elif event is WebhookEvent.ASSEMBLY_OPENED:
        about["assembly"].update(status=AssemblyStatus.IN_SESSION.value,
                                 opened_at=_iso(entry.at))
    else:
        held = entry.kind == "sitting_closed"
        about["assembly"].update(
            status=(AssemblyStatus.CLOSED if held else AssemblyStatus.NO_QUORUM).value,
            closed_at=_iso(entry.at))
        about["attendance"] = {"present": data.get("present"), "eligible": data.get("eligible")}
        if held:
            about["outcomes"] = data.get("outcomes") or {}
        about["links"]["minutes"] = f"/api/v1/assemblies/{assembly.id}/minutes"
    return event, f"{event.value}:{assembly.id}", _envelope(event, entry.at, organisation,
                                                           about)


def _envelope(event: WebhookEvent, at: datetime, organisation: Organisation,
              data: dict[str, Any]) -> dict[str, Any]:
    """The JSON of a delivery (Standard Webhooks' shape: type, timestamp, data)."""
    return {"type": event.value, "timestamp": _iso(at),
            "data": {"organisation": organisation.slug, **data}}


def events_of(db: Session, entry: AuditEntry) -> Iterator[tuple[WebhookEvent, str,
                                                                dict[str, Any]]]:
    """The events an audit entry stands for: (event, its key, its JSON)."""
    data = json.loads(entry.data)
    organisation = db.get_one(Organisation, entry.organisation_id)
    if entry.kind in ("round_opened", "round_closed"):
        round_ = db.get(Round, data.get("round"))
        if round_ is None:
            return
        proposal = round_.proposal
        about = {"proposal": _proposal_data(proposal), "round": _round_data(round_),
                 "links": {"round": f"/api/v1/rounds/{round_.id}",
                           "proposal": f"/api/v1/proposals/{proposal.id}"}}
        if entry.kind == "round_opened":
            if isinstance(data.get("closes_at"), str):  # the deadline when it opened
                about["round"]["closes_at"] = _iso(datetime.fromisoformat(data["closes_at"]))
            yield (WebhookEvent.ROUND_OPENED, f"round.opened:{round_.id}",
                   _envelope(WebhookEvent.ROUND_OPENED, entry.at, organisation, about))
            return
        about["round"].update(status=RoundStatus.CLOSED.value, outcome=data.get("outcome"),
                              closed_at=_iso(entry.at))
        about["links"]["result"] = f"/api/v1/rounds/{round_.id}/result"
        yield (WebhookEvent.ROUND_CLOSED, f"round.closed:{round_.id}",
               _envelope(WebhookEvent.ROUND_CLOSED, entry.at, organisation, about))
        if (proposal.status in (ProposalStatus.DECIDED, ProposalStatus.REVIEWED)
                and proposal.decided_at == round_.closed_at):
            decided = {**about, "proposal": {**_proposal_data(proposal),
                                             "outcome": proposal.outcome,
                                             "decided_at": _iso(proposal.decided_at)}}
            yield (WebhookEvent.PROPOSAL_DECIDED, f"proposal.decided:{proposal.id}",
                   _envelope(WebhookEvent.PROPOSAL_DECIDED, entry.at, organisation, decided))
    elif entry.kind in ASSEMBLY_EVENTS:
        assembly = db.get(Assembly, data.get("assembly"))
        if assembly is None or assembly.organisation_id != entry.organisation_id:
            return
        yield _assembly_event(entry, data, assembly, organisation)
    elif entry.kind == "version_published":
        proposal_ = db.get(Proposal, data.get("proposal"))
        if proposal_ is None:
            return
        number = data.get("version")
        yield (WebhookEvent.VERSION_PUBLISHED, f"version.published:{proposal_.id}:{number}",
               _envelope(WebhookEvent.VERSION_PUBLISHED, entry.at, organisation, {
                   "proposal": _proposal_data(proposal_),
                   "version": {"number": number, "title": data.get("title"),
                               "summary": data.get("summary")},
                   "links": {"proposal": f"/api/v1/proposals/{proposal_.id}"}}))


def _add(db: Session, endpoint: WebhookEndpoint, event: WebhookEvent, key: str,
         payload: dict[str, Any], now: datetime) -> bool:
    """One delivery of an event to an endpoint, unless it has one already."""
    if db.scalar(select(WebhookDelivery.id).where(WebhookDelivery.endpoint_id == endpoint.id,
                                                  WebhookDelivery.event_key == key)):
        return False
    try:
        with db.begin_nested():
            db.add(WebhookDelivery(
                endpoint_id=endpoint.id, event=event.value, event_key=key,
                message_id="msg_" + secrets.token_hex(12),
                payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
                created_at=now, state=DeliveryState.PENDING.value, send_after=now,
                attempts=0))
    except IntegrityError:  # another scheduler added it meanwhile
        return False
    return True


def enqueue_entries(db: Session, endpoint_id: int, now: datetime) -> int:
    """Turn the audit entries after the endpoint's ``audit_seq`` into deliveries of the
    events it is told of, in the caller's transaction; how many. The entries read are
    claimed by a conditional update of ``audit_seq``: a scheduler that lost the race to
    another adds nothing."""
    endpoint = db.get(WebhookEndpoint, endpoint_id, populate_existing=True)
    if endpoint is None or endpoint.disabled_at is not None:
        return 0
    head = audit_head(db, endpoint.organisation_id)
    if head <= endpoint.audit_seq:
        return 0
    entries = list(db.scalars(
        select(AuditEntry).where(AuditEntry.organisation_id == endpoint.organisation_id,
                                 AuditEntry.seq > endpoint.audit_seq, AuditEntry.seq <= head,
                                 AuditEntry.kind.in_(EVENT_ENTRIES))
        .order_by(AuditEntry.seq).limit(ENTRIES)))
    reached = head if len(entries) < ENTRIES else entries[-1].seq
    claimed = db.execute(update(WebhookEndpoint).where(
        WebhookEndpoint.id == endpoint.id, WebhookEndpoint.audit_seq == endpoint.audit_seq)
        .values(audit_seq=reached).execution_options(synchronize_session=False))
    if not rowcount(claimed):
        return 0
    told = endpoint.event_set
    added = 0
    for entry in entries:
        for event, key, payload in events_of(db, entry):
            if event in told:
                added += _add(db, endpoint, event, key, payload, now)
    return added


def active_endpoints(db: Session) -> list[int]:
    """The endpoints that are not disabled."""
    return list(db.scalars(select(WebhookEndpoint.id).where(
        WebhookEndpoint.disabled_at.is_(None)).order_by(WebhookEndpoint.id)))


def enqueue_closing_soon(db: Session, now: datetime) -> int:
    """A ``round.closing_soon`` delivery to each endpoint told of it, for every open round
    whose deadline is less than ``CLOSING_SOON`` away (once per round and endpoint); how
    many."""
    rows = db.execute(
        select(WebhookEndpoint, Round)
        .join(Proposal, Proposal.organisation_id == WebhookEndpoint.organisation_id)
        .join(Round, Round.proposal_id == Proposal.id)
        .where(WebhookEndpoint.disabled_at.is_(None),
               WebhookEndpoint.events.contains(WebhookEvent.ROUND_CLOSING_SOON.value),
               Round.status == RoundStatus.OPEN, Round.closes_at > now,
               Round.closes_at <= now + CLOSING_SOON, WebhookEndpoint.created_at <= now,
               ~select(WebhookDelivery.id).where(
                   WebhookDelivery.endpoint_id == WebhookEndpoint.id,
                   WebhookDelivery.event_key == literal("round.closing_soon:", String)
                   + sql_cast(Round.id, String)).exists())
        .order_by(Round.closes_at)).all()
    added = 0
    for endpoint, round_ in rows:
        proposal = round_.proposal
        organisation = db.get_one(Organisation, endpoint.organisation_id)
        payload = _envelope(WebhookEvent.ROUND_CLOSING_SOON, now, organisation, {
            "proposal": _proposal_data(proposal), "round": _round_data(round_),
            "links": {"round": f"/api/v1/rounds/{round_.id}",
                      "proposal": f"/api/v1/proposals/{proposal.id}"}})
        added += _add(db, endpoint, WebhookEvent.ROUND_CLOSING_SOON,
                      f"round.closing_soon:{round_.id}", payload, now)
    return added


# The outbox -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Claim:
    """The deliveries one sender claimed at ``at`` with ``token``."""

    token: str
    ids: tuple[int, ...]
    at: datetime


def backoff(attempts: int) -> timedelta | None:
    """How long a delivery waits after its ``attempts``-th failure (``None``: given up)."""
    return SCHEDULE[attempts - 1] if 1 <= attempts <= len(SCHEDULE) else None


def _due(now: datetime, lease: timedelta) -> Any:
    return or_(and_(WebhookDelivery.state == DeliveryState.PENDING.value,
                    WebhookDelivery.send_after <= now),
               and_(WebhookDelivery.state == DeliveryState.SENDING.value,
                    WebhookDelivery.claimed_at < now - lease))


def claim(db: Session, now: datetime, *, limit: int = BATCH, lease: timedelta = LEASE) -> Claim:
    """Claim up to ``limit`` due deliveries, oldest due first (the caller commits, then
    sends), as ``outbox.claim`` claims notices: one conditional update, the rows chosen in
    a locking CTE on PostgreSQL."""
    token = secrets.token_hex(16)
    due = _due(now, lease)
    chosen = (select(WebhookDelivery.id).where(due)
              .order_by(WebhookDelivery.send_after, WebhookDelivery.id).limit(limit))
    if db.get_bind().dialect.name == "postgresql":
        batch = chosen.with_for_update(skip_locked=True).cte("batch")
        statement = update(WebhookDelivery).where(WebhookDelivery.id == batch.c.id, due)
    else:
        statement = update(WebhookDelivery).where(
            WebhookDelivery.id.in_(chosen.scalar_subquery()), due)
    ids = db.scalars(statement.values(state=DeliveryState.SENDING.value, claim=token,
                                      claimed_at=now)
                     .returning(WebhookDelivery.id)
                     .execution_options(synchronize_session=False)).all()
    return Claim(token, tuple(sorted(ids)), now)


def claimed(db: Session, claim_: Claim) -> list[WebhookDelivery]:
    """The deliveries of a claim still held by it, in order of id."""
    return list(db.scalars(select(WebhookDelivery).where(
        WebhookDelivery.claim == claim_.token,
        WebhookDelivery.state == DeliveryState.SENDING.value).order_by(WebhookDelivery.id)))


def _held(delivery: WebhookDelivery, token: str) -> Any:
    return and_(WebhookDelivery.id == delivery.id, WebhookDelivery.claim == token,
                WebhookDelivery.state == DeliveryState.SENDING.value)


def mark_sent(db: Session, delivery: WebhookDelivery, token: str, status: int,
              now: datetime) -> bool:
    """Record the endpoint's 2xx answer to ``delivery`` (the caller commits at once), and
    that the endpoint works; ``False`` when the claim was lost."""
    result = db.execute(update(WebhookDelivery).where(_held(delivery, token)).values(
        state=DeliveryState.SENT.value, sent_at=now, claim=None, last_status=status,
        last_error=None, last_attempt_at=now, attempts=delivery.attempts + 1)
        .execution_options(synchronize_session=False))
    db.execute(update(WebhookEndpoint).where(WebhookEndpoint.id == delivery.endpoint_id)
               .values(failing_since=None, last_success_at=now)
               .execution_options(synchronize_session=False))
    return bool(rowcount(result))


@dataclass(frozen=True, slots=True)
class Failure:
    """What a failed attempt led to: the delivery's new state (``None``: the claim was
    lost), and whether its endpoint was disabled by it."""

    state: DeliveryState | None
    disabled: bool


def mark_failed(db: Session, delivery: WebhookDelivery, token: str, *, status: int | None,
                error: str, now: datetime, permanent: bool = False) -> Failure:
    """Count a failed attempt: pending again after :func:`backoff`, or failed after the
    last one (or when the endpoint said it is gone, ``permanent``). The endpoint's
    failure since its last success is dated; a day of it disables the endpoint."""
    attempts = delivery.attempts + 1
    wait = None if permanent else backoff(attempts)
    state = DeliveryState.FAILED if wait is None else DeliveryState.PENDING
    result = db.execute(update(WebhookDelivery).where(_held(delivery, token)).values(
        state=state.value, attempts=attempts, last_status=status,
        last_error=error[:ERROR_LENGTH], last_attempt_at=now, claim=None, claimed_at=None,
        send_after=now if wait is None else now + wait)
        .execution_options(synchronize_session=False))
    if not rowcount(result):
        return Failure(None, False)
    endpoint = db.get_one(WebhookEndpoint, delivery.endpoint_id, populate_existing=True)
    if endpoint.failing_since is None:
        endpoint.failing_since = now
    disabled = False
    if endpoint.disabled_at is None and (permanent or now - endpoint.failing_since
                                         >= DISABLE_AFTER):
        disable(db, endpoint, now, reason="gone" if permanent else "failing")
        disabled = True
    db.flush()
    return Failure(state, disabled)


def disable(db: Session, endpoint: WebhookEndpoint, now: datetime, *, reason: str) -> None:
    """Disable an endpoint (``reason``: ``failing`` for a day, ``gone``: it answered 410);
    its pending deliveries are given up, the disabling is recorded in the audit log, and
    the organisation's current admins are told (a notice each, by e-mail and in the
    application), all in the caller's transaction."""
    endpoint.disabled_at, endpoint.disabled_reason = now, reason
    db.execute(update(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id,
        WebhookDelivery.state == DeliveryState.PENDING.value).values(
        state=DeliveryState.FAILED.value, last_error="endpoint disabled")
        .execution_options(synchronize_session=False))
    db.flush()
    audit.record(db, endpoint.organisation_id, "webhook_disabled",
                 {"endpoint": endpoint.id, "reason": reason}, at=now)
    notices.notify(db, NoticeKind.WEBHOOK_DISABLED, organisation_id=endpoint.organisation_id,
                   user_ids=admins_of(db, endpoint.organisation_id),
                   payload={"endpoint": endpoint.id, "reason": reason}, now=now)


def release(db: Session, token: str) -> int:
    """Put back, without counting an attempt, the deliveries still held by the claim."""
    result = db.execute(update(WebhookDelivery).where(
        WebhookDelivery.claim == token, WebhookDelivery.state == DeliveryState.SENDING.value)
        .values(state=DeliveryState.PENDING.value, claim=None, claimed_at=None)
        .execution_options(synchronize_session=False))
    return rowcount(result)


def last_attempt(db: Session, endpoint: WebhookEndpoint) -> WebhookDelivery | None:
    """The endpoint's delivery tried last (its answer says why the endpoint failed)."""
    return db.scalar(select(WebhookDelivery).where(
        WebhookDelivery.endpoint_id == endpoint.id,
        WebhookDelivery.last_attempt_at.is_not(None))
        .order_by(WebhookDelivery.last_attempt_at.desc(), WebhookDelivery.id.desc()).limit(1))


def name_of(endpoint: WebhookEndpoint) -> str:
    """How messages name an endpoint: its description, else its address's host (never
    the whole address, which may hold a secret: a chat's incoming webhook)."""
    return endpoint.description or host_of(endpoint)


def host_of(endpoint: WebhookEndpoint) -> str:
    """The host of an endpoint's address."""
    return urlsplit(endpoint.url).hostname or ""


def admins_of(db: Session, organisation_id: int) -> list[int]:
    """The user ids of the organisation's current admins (told of a disabled endpoint)."""
    return list(db.scalars(select(Membership.user_id).where(
        Membership.organisation_id == organisation_id, Membership.ended_at.is_(None),
        Membership.role == Role.ADMIN)))
