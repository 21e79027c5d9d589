"""What the JSON API and the webhooks keep: access tokens, the answers remembered for an
``Idempotency-Key``, the endpoints an organisation's admins register, and the outbox of
webhook deliveries (``services.webhooks``: claimed with a conditional update, as the e-mail
outbox is)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime


class Scope(enum.StrEnum):
    """What a token may do, on top of what its member's role allows (each scope alone: a
    token that votes does not read unless it has ``read`` too)."""

    READ = "read"  # every GET of the API
    VOTE = "vote"  # take or change one's position (my ballot)
    FACILITATE = "facilitate"  # put forward proposals and versions, open, close, extend rounds
    ADMINISTER = "administer"  # invite members


class ApiToken(Base):
    """A bearer token of the API. Personal (``organisation_id`` ``None``): it acts as its
    owner ``user_id`` in every organisation they belong to. An organisation's: made by one
    of its admins (``user_id``) for a platform, it acts in that organisation only, as the
    member the request names (``Decisions-Member``), else as that admin. Only the SHA-256
    of the token is stored; it is shown once when made."""

    __tablename__ = "api_token"
    __table_args__ = (Index("ix_api_token_user", "user_id"),
                      Index("ix_api_token_organisation", "organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, shown in lists so that its owner recognises it.
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(80))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id",
                                                                   ondelete="CASCADE"))
    # Space-separated ``Scope`` values.
    scopes: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def scope_set(self) -> frozenset[Scope]:
        """The token's scopes."""
        known = {s.value: s for s in Scope}
        return frozenset(known[s] for s in self.scopes.split() if s in known)


class IdempotentAnswer(Base):
    """The answer given to a request that carried an ``Idempotency-Key``, stored in the
    request's own transaction: the same key and request from the same token get the same
    answer again instead of a second ballot; the same key with another request is refused."""

    __tablename__ = "api_idempotency"
    __table_args__ = (UniqueConstraint("token_id", "key"),
                      Index("ix_api_idempotency_created_at", "created_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    token_id: Mapped[int] = mapped_column(ForeignKey("api_token.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    # SHA-256 of the method, path, acting member and body: what the key stands for.
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EndpointKind(enum.StrEnum):
    """What an endpoint receives: signed JSON (Standard Webhooks), or a readable message
    for a chat room."""

    STANDARD = "standard"
    SLACK = "slack"  # a Mattermost or Slack incoming webhook: {"text": ...}
    MATRIX = "matrix"  # a Matrix room, through the client-server API with an access token


class WebhookEvent(enum.StrEnum):
    """The events an endpoint may be told of."""

    ROUND_OPENED = "round.opened"
    ROUND_CLOSING_SOON = "round.closing_soon"
    ROUND_CLOSED = "round.closed"
    PROPOSAL_DECIDED = "proposal.decided"
    VERSION_PUBLISHED = "version.published"
    ASSEMBLY_CONVENED = "assembly.convened"
    ASSEMBLY_OPENED = "assembly.opened"
    ASSEMBLY_CLOSED = "assembly.closed"  # its minutes are ready (held, or without quorum)


class WebhookEndpoint(Base):
    """An address an organisation's admins registered to be told of some events.

    ``audit_seq``: the organisation's audit entries up to this one have been turned into
    deliveries (events are read from the audit chain, written in each event's own
    transaction: none is lost, none is read twice). ``failing_since``: the first failure
    since the last success; an endpoint failing for a day is disabled (``disabled_at``)."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = (Index("ix_webhook_endpoint_organisation", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id",
                                                            ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(12), default=EndpointKind.STANDARD.value)
    # Space-separated ``WebhookEvent`` values.
    events: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(200), default="")
    # Standard Webhooks' signing secret (``whsec_`` and base64); the one it replaced is
    # also used until ``previous_secret_until``, so that receivers can switch.
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A Matrix room's access token (the ``Authorization: Bearer`` of its homeserver).
    access_token: Mapped[str | None] = mapped_column(String(500))
    audit_seq: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("membership.id",
                                                                 ondelete="SET NULL"))
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str | None] = mapped_column(String(300))

    @property
    def event_set(self) -> frozenset[WebhookEvent]:
        """The events this endpoint is told of."""
        known = {e.value: e for e in WebhookEvent}
        return frozenset(known[e] for e in self.events.split() if e in known)


class DeliveryState(enum.StrEnum):
    """Where a webhook delivery stands (as ``models.notice.Delivery`` for e-mail)."""

    PENDING = "pending"  # to be sent from ``send_after`` on
    SENDING = "sending"  # claimed at ``claimed_at`` (a lease)
    SENT = "sent"  # answered 2xx at ``sent_at``
    FAILED = "failed"  # given up: ``last_error`` says why


class WebhookDelivery(Base):
    """One event to tell one endpoint: at most one row per event and endpoint
    (``event_key``), sent until it is answered 2xx, with backoff, for a day and more."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_key"),
                      Index("ix_webhook_delivery_state", "state", "send_after"))

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id",
                                                        ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    # The event and what it is about ("round.opened:31"): one delivery per endpoint.
    event_key: Mapped[str] = mapped_column(String(80))
    # The ``webhook-id`` header: the same at every attempt, so that a receiver that got the
    # message already can tell.
    message_id: Mapped[str] = mapped_column(String(40))
    # The JSON body of a standard endpoint (a chat message is written from it when sent).
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default=DeliveryState.PENDING.value)
    send_after: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claim: Mapped[str | None] = mapped_column(String(32))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The HTTP status of the last answer (``None``: no answer, see ``last_error``).
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
