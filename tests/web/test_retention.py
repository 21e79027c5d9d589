"""What serves for a while only is purged after its period (``RETAIN_*``) by the scheduler's
personal data job: used or expired invitations, delivered notices, done webhook deliveries,
the answers kept for the API's Idempotency-Keys.
What is still needed stays: a pending invitation, a notice not yet delivered, a notice of a
round still running, the record that a member was told of a round's opening. Password reset
links and sign-ins leave nothing behind."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from decisions.web import db, scheduler
from decisions.web.cli import cli
from decisions.web.db import Base
from decisions.web.models import (
    ApiToken,
    DeliveryState,
    IdempotentAnswer,
    Invitation,
    Membership,
    Notice,
    NoticeKind,
    Organisation,
    Proposal,
    Role,
    RoundKind,
    User,
    WebhookDelivery,
)
from decisions.web.services import (
    api_tokens,
    invitations,
    notices,
    rounds,
    webhooks,
)

from .api_world import Api, token_for
from .conftest import PASSWORD, Auth, Clock, unit
from .outbox import deliver, last_link
from .round_steps import close_due, open_round, proposal_of


def purged_after(app: Flask, clock: Clock, what: str, **moved: float) -> int:
    """How many rows of ``what`` one pass of the scheduler's personal data job purges, once
    the clock has moved forward by ``moved`` (``days=30, seconds=-1``; nothing: not moved)."""
    clock.advance(**moved)
    done = scheduler.keep_personal_data(app)
    assert done is not None
    return done.purged[what]


def count(app: Flask, model: type[Base], *where: object) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(model).where(
            *where)) or 0  # type: ignore[arg-type]


def _invite(app: Flask, organisation: Organisation, email: str, days: int) -> str:
    with unit(app) as session:
        org = session.get_one(Organisation, organisation.id)
        admin = session.scalars(select(Membership).where(
            Membership.organisation_id == org.id, Membership.role == Role.ADMIN)).first()
        assert admin is not None
        return invitations.invite(session, org, admin.user, email=email, role=Role.MEMBER,
                                  days=days, now=clock_of(app)()).token


def _admin(app: Flask) -> int:
    """The membership id of ana, who made the organisation."""
    with app.app_context():
        admin = db.session().scalar(select(Membership.id).join(User).where(
            User.email == "ana@example.org"))
    assert admin is not None
    return admin


def clock_of(app: Flask) -> Clock:
    found: Clock = app.config["CLOCK"]
    return found


def test_used_and_expired_invitations_go_after_their_period_pending_ones_stay(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "used@example.org")  # invited, accepted now
    _invite(app, organisation, "expires@example.org", days=14)
    _invite(app, organisation, "pending@example.org", days=200)
    assert count(app, Invitation) == 3
    # used 43 days ago; expired 29 days ago
    assert purged_after(app, clock, "invitations", days=14 + 29) == 1
    assert count(app, Invitation, Invitation.email == "used@example.org") == 0
    assert purged_after(app, clock, "invitations", days=1, seconds=1) == 1
    with app.app_context():
        assert db.session().scalars(select(Invitation.email)).all() == ["pending@example.org"]


def test_the_periods_are_settings(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "used@example.org")
    app.config["RETAIN_INVITATIONS_DAYS"] = 2
    assert purged_after(app, clock, "invitations", days=2, seconds=1) == 1


def test_delivered_notices_go_after_their_period_but_openings_and_running_rounds_stay(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    members = [make_member(organisation, f"m{i}@example.org").id for i in range(3)]
    admin = _admin(app)
    decided = proposal_of(app, organisation, admin, "majority",
                          {"preset": "association_default"}, clock)
    short = open_round(app, decided, RoundKind.VOTE, clock)
    running = proposal_of(app, organisation, admin, "majority",
                          {"preset": "association_default"}, clock)
    with unit(app) as session:
        long_round = rounds.open_round(session, session.get_one(Proposal, running),
                                       RoundKind.VOTE, closes_at=clock() + timedelta(days=200),
                                       now=clock()).id
        assert notices.nudge(session, long_round, session.get_one(Membership, admin),
                             clock()) == len(members) + 1
    deliver(app)  # the openings and nudges
    clock.advance(days=7)
    close_due(app, clock)  # the outcome of the short round
    deliver(app)
    with app.app_context():
        session = db.session()
        by_kind = {row[0]: row[1] for row in session.execute(
            select(Notice.kind, func.count()).group_by(Notice.kind))}
    assert by_kind[NoticeKind.OUTCOME] > 0
    assert by_kind[NoticeKind.NUDGE] == len(members) + 1
    openings = by_kind[NoticeKind.ROUND_OPENED]
    app.test_client().post("/auth/reset", data={"email": "m0@example.org"})
    assert purged_after(app, clock, "notices", days=90) == 0  # delivered 90 days ago: not yet
    purged = purged_after(app, clock, "notices", seconds=1)
    assert purged == by_kind[NoticeKind.OUTCOME]  # the reset is still pending: kept
    assert count(app, Notice, Notice.kind == NoticeKind.OUTCOME) == 0
    assert count(app, Notice, Notice.kind == NoticeKind.ROUND_OPENED) == openings
    assert count(app, Notice, Notice.kind == NoticeKind.NUDGE) == len(members) + 1
    assert count(app, Notice, Notice.kind == NoticeKind.PASSWORD_RESET) == 1
    clock.advance(days=110)  # the long round closes: its nudges go
    close_due(app, clock)
    deliver(app)
    # its nudges, and the reset, sent 110 days ago
    assert purged_after(app, clock, "notices") == len(members) + 1 + 1
    assert count(app, Notice, Notice.kind == NoticeKind.NUDGE) == 0
    with app.app_context():
        told = notices.told_by_mail(db.session(), short)
    assert told == len(members) + 1  # what silence-as-consent rests on is still known


def test_done_webhook_deliveries_go_after_their_period(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    with unit(app) as session:
        admin = session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id)).one()
        endpoint = webhooks.register(session, session.get_one(Organisation, organisation.id),
                                     admin, url="https://hooks.example.org/coop",
                                     kind="standard", events=["round.closed"], now=clock(),
                                     private_allowed=True).endpoint
        for state in (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.PENDING):
            session.add(WebhookDelivery(
                endpoint_id=endpoint.id, event="round.closed", event_key=f"{state}:1",
                message_id=f"msg_{uuid.uuid4().hex}", payload=json.dumps({"state": state}),
                created_at=clock(), state=state.value, send_after=clock()))
    assert purged_after(app, clock, "webhook deliveries", days=30, seconds=1) == 2
    with app.app_context():
        assert db.session().scalars(select(WebhookDelivery.state)).all() == ["pending"]


def test_a_password_reset_link_leaves_no_token_behind(
        app: Flask, client: FlaskClient, make_user: Callable[..., User]) -> None:
    make_user("ana@example.org")
    client.post("/auth/reset", data={"email": "ana@example.org"})
    link = last_link(app, "/auth/reset/")
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        payloads = " ".join(db.session().scalars(select(Notice.payload)))
    assert token not in payloads  # erased once sent: the link is signed, nothing to look up
    assert client.get(link).status_code == 200


@pytest.mark.parametrize("password", [PASSWORD, "not the password"])
def test_signing_in_stores_nothing(
        app: Flask, client: FlaskClient, make_user: Callable[..., User], password: str) -> None:
    make_user("ana@example.org")

    def rows() -> dict[str, int]:
        with app.app_context():
            return {table.name: db.session().scalar(select(func.count()).select_from(table))
                    or 0 for table in Base.metadata.sorted_tables}

    before = rows()
    Auth(client).login("ana@example.org", password)
    assert rows() == before


def test_the_command_keeps_personal_data_once(
        app: Flask, clock: Clock, runner: FlaskCliRunner,
        make_org: Callable[..., Organisation], make_member: Callable[..., Membership]) -> None:
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "used@example.org")
    clock.advance(days=31)
    result = runner.invoke(cli, ["keep-personal-data"])
    assert result.exit_code == 0, result.output
    assert result.output == ("Personal data: 0 accounts pseudonymised, writings of 0 former"
                             " members removed, purged: 1 invitations.\n")


def test_the_scheduler_holds_the_personal_data_job(app: Flask) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    built = scheduler.build_scheduler(app, BackgroundScheduler)
    job = built.get_job(scheduler.PERSONAL_DATA_JOB_ID)
    assert job is not None
    assert job.trigger.interval == timedelta(seconds=scheduler.PERSONAL_DATA_INTERVAL_SECONDS)


@pytest.mark.parametrize("days", [None, 3], ids=["default", "setting"])
def test_the_answers_kept_for_idempotency_keys_go_after_their_period(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation],
        make_member: Callable[..., Membership], days: int | None) -> None:
    """The period is a setting (``RETAIN_IDEMPOTENCY_KEYS_DAYS``), a day by default."""
    if days is not None:
        app.config["RETAIN_IDEMPOTENCY_KEYS_DAYS"] = days
    organisation = make_org("coop", admin="ana@example.org")
    make_member(organisation, "bo@example.org")
    proposal = proposal_of(app, organisation, _admin(app), "majority",
                           {"preset": "association_default"}, clock)
    with unit(app) as session:
        round_id = rounds.open_round(session, session.get_one(Proposal, proposal),
                                     RoundKind.VOTE, closes_at=clock() + timedelta(days=9),
                                     now=clock()).id
    api = Api(app.test_client(), token_for(app, "bo@example.org", ("vote",)),
              {"Idempotency-Key": "ballot-1"})

    def put(position: str) -> tuple[int, str | None]:
        answer = api.put(f"/rounds/{round_id}/ballot", {"position": position})
        return answer.status_code, answer.headers.get("Idempotent-Replayed")

    assert put("yes") == (200, None)
    assert purged_after(app, clock, "idempotency keys", days=days or 1, seconds=-1) == 0
    assert count(app, IdempotentAnswer) == 1
    assert put("yes") == (200, "true")  # still answered again: the same answer
    assert purged_after(app, clock, "idempotency keys", seconds=1) == 1  # its period old: gone
    assert count(app, IdempotentAnswer) == 0
    assert put("no") == (200, None)  # the key is free again: a new request


def test_revoked_and_expired_api_tokens_are_deleted_once_the_period_has_passed(
        app: Flask, clock: Clock, make_org: Callable[..., Organisation]) -> None:
    app.config["RETAIN_API_TOKENS_DAYS"] = 30
    make_org("coop", admin="ana@example.org")
    texts = {name: token_for(app, "ana@example.org", ("read",), days=days)
             for name, days in (("live", 365), ("revoked", 365), ("expiring", 1))}
    with unit(app) as session:
        ids = {name: session.scalars(select(ApiToken.id).where(
            ApiToken.token_hash == api_tokens.digest(text))).one()
            for name, text in texts.items()}
        user = session.get_one(User, session.get_one(ApiToken, ids["revoked"]).user_id)
        api_tokens.revoke(session, user, ids["revoked"], clock())
    assert purged_after(app, clock, "api tokens", days=30, seconds=-1) == 0
    assert purged_after(app, clock, "api tokens", seconds=2) == 1  # 30 days after its revocation
    assert purged_after(app, clock, "api tokens", days=1) == 1  # 30 days after it expired
    with app.app_context():
        assert set(db.session().scalars(select(ApiToken.id))) == {ids["live"]}
