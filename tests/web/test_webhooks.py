"""Webhooks: an organisation's admins register endpoints per event; deliveries come from the
audit chain through an outbox of their own (never lost, at most once per event and
endpoint, tried again with backoff for more than a day); they arrive signed as Standard
Webhooks say, verified here with the independent ``standardwebhooks`` package, at a real
HTTP server on 127.0.0.1; chat rooms get a readable message in the organisation's language;
an endpoint failing for a day is disabled and its admins see why."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from decisions.web import db, notice_mail
from decisions.web.api import sending
from decisions.web.cli import cli
from decisions.web.models import (
    Assembly,
    AssemblyKind,
    AttendanceMode,
    AuditEntry,
    Membership,
    Notice,
    Organisation,
    Proposal,
    RoundKind,
    User,
    WebhookDelivery,
    WebhookEndpoint,
)
from decisions.web.scheduler import WEBHOOK_JOB_ID, build_scheduler
from decisions.web.services import assemblies, proposals, rounds, webhooks

from .api_world import Receiver, receiver
from .conftest import Auth, Clock, module_world, new_member, new_user, unit
from .round_pages import MakeMember, MakeOrg
from .smtp import smtp_server, smtp_settings

ADMIN, FACILITATOR = "ana@coop.example.org", "fay@coop.example.org"
SECOND_ADMIN = "bo@coop.example.org"
MEMBERS = ("m0@coop.example.org", "m1@coop.example.org", "m2@coop.example.org")
EVERY_EVENT = ["round.opened", "round.closing_soon", "round.closed", "proposal.decided",
               "version.published"]


@module_world
def coop(make_org: MakeOrg, make_member: MakeMember) -> Organisation:
    """An organisation (its messages in French, the default), its admin, a facilitator and
    three members."""
    organisation = make_org("coop", admin=ADMIN, is_scic=False)
    make_member(organisation, FACILITATOR, role="facilitator")
    for email in MEMBERS:
        make_member(organisation, email)
    return organisation


@pytest.fixture
def app(rolled_back_app: Flask, coop: Organisation) -> Flask:
    return rolled_back_app


def register(app: Flask, url: str, *, kind: str = "standard",
             events: list[str] | None = None, access_token: str = "",
             description: str = "") -> tuple[int, str]:
    """An endpoint registered by the admin through the services: its id and secret."""
    with unit(app) as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "coop"))
        assert organisation is not None
        admin = session.scalar(select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role == "admin"))
        assert admin is not None
        done = webhooks.register(session, organisation, admin, url=url, kind=kind,
                                 events=events or EVERY_EVENT, access_token=access_token,
                                 description=description, now=db.utcnow(),
                                 private_allowed=True)
        return done.endpoint.id, done.secret


def consent_round(app: Flask, clock: Clock, days: int = 7) -> tuple[int, int]:
    """A consent proposal with its round open for ``days``: (proposal id, round id)."""
    with unit(app) as session:
        organisation = session.scalar(select(Organisation).where(Organisation.slug == "coop"))
        assert organisation is not None
        author = session.scalar(select(Membership).where(
            Membership.organisation_id == organisation.id, Membership.role == "facilitator"))
        assert author is not None
        proposal = proposals.create_proposal(session, organisation, author,
                                             title="Buy cargo bikes", body="Two.",
                                             family="consent", params={}, now=clock())
        round_ = rounds.open_round(session, proposal, RoundKind.CONSENT,
                                   closes_at=clock() + timedelta(days=days), now=clock())
        return proposal.id, round_.id


def close(app: Flask, round_id: int, clock: Clock) -> None:
    with unit(app) as session:
        rounds.close_round(session, round_id, now=clock())


def run(app: Flask) -> sending.Report:
    """One pass of the scheduler's webhook job."""
    return sending.send_webhooks(app)


def verified(hook: Receiver, secret: str) -> list[dict[str, Any]]:
    """The bodies received, each signature checked by the standardwebhooks package."""
    checker = Webhook(secret)
    return [checker.verify(r.body, r.headers) for r in hook.received]


def deliveries(app: Flask, endpoint_id: int) -> list[WebhookDelivery]:
    with app.app_context():
        return list(db.session().scalars(select(WebhookDelivery).where(
            WebhookDelivery.endpoint_id == endpoint_id).order_by(WebhookDelivery.id)))


# Registering ----------------------------------------------------------------------------


def test_an_admin_registers_an_endpoint_whose_secret_is_shown_once(
        app: Flask, client: FlaskClient, auth: Auth) -> None:
    assert auth.login(ADMIN).status_code == 302
    page = client.get("/orgs/coop/integrations/").get_data(as_text=True)
    assert "Webhook endpoints" in page or "webhook" in page.lower()
    made = client.post("/orgs/coop/integrations/webhooks", data={
        "url": "https://platform.example.org/hooks", "kind": "standard",
        "events": ["round.opened", "round.closed"], "description": "Our platform"})
    assert made.status_code == 200
    assert made.headers["Cache-Control"] == "no-store"
    secret = re.search(r'id="secret" value="(whsec_[A-Za-z0-9+/=]+)"',
                       made.get_data(as_text=True))
    assert secret is not None
    with app.app_context():
        endpoint = db.session().scalar(select(WebhookEndpoint))
        assert endpoint is not None
        assert endpoint.events == "round.opened round.closed"
    again = client.get(f"/orgs/coop/integrations/webhooks/{endpoint.id}")
    assert again.status_code == 200
    assert secret.group(1) not in again.get_data(as_text=True)
    assert auth.logout().status_code == 302
    assert auth.login(FACILITATOR).status_code == 302
    assert client.get("/orgs/coop/integrations/").status_code == 403


def test_an_address_on_a_private_network_is_refused_unless_allowed(app: Flask) -> None:
    for url in ("http://127.0.0.1:8000/x", "https://10.0.0.2/x", "http://localhost/x",
                "http://[::1]/x", "https://192.168.1.9/hooks"):
        with pytest.raises(webhooks.WebhookError) as refused:
            webhooks.check_url(url, private_allowed=False)
        assert refused.value.code == "webhook.private_url"
    assert webhooks.check_url(" https://platform.example.org/h ", private_allowed=False) == (
        "https://platform.example.org/h")
    with pytest.raises(webhooks.WebhookError):
        webhooks.check_url("ftp://platform.example.org/h", private_allowed=True)
    with pytest.raises(sending.Unsafe):
        sending.check_address("http://localhost:9/x", allowed=False)


# Delivering -----------------------------------------------------------------------------


def test_events_arrive_signed_and_are_verified_independently(
        app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        endpoint_id, secret = register(app, hook.url)
        proposal_id, round_id = consent_round(app, clock)
        assert hook.received == []  # nothing is sent by the request that opened the round
        report = run(app)
        assert (report.added, report.sent) == (1, 1)
        [opened] = verified(hook, secret)
        assert opened["type"] == "round.opened"
        assert opened["data"]["organisation"] == "coop"
        assert opened["data"]["round"]["id"] == round_id
        assert opened["data"]["round"]["closes_at"] == (clock() + timedelta(days=7)).isoformat(
            ).replace("+00:00", "Z")
        assert opened["data"]["links"]["round"] == f"/api/v1/rounds/{round_id}"
        first = hook.received[0]
        assert first.headers["webhook-id"].startswith("msg_")
        assert first.headers["content-type"] == "application/json"
        clock.advance(days=6, hours=1)  # the deadline is less than a day away
        run(app)
        clock.advance(days=1)
        with unit(app) as session:
            rounds.close_due(app.extensions["decisions.db"], clock())
            del session
        run(app)
        with unit(app) as session:
            proposal = session.get_one(Proposal, proposal_id)
            assert proposal.status.value == "decided"
        kinds = [body["type"] for body in verified(hook, secret)]
        assert kinds == ["round.opened", "round.closing_soon", "round.closed",
                         "proposal.decided"]
        decided = verified(hook, secret)[-1]
        assert decided["data"]["proposal"]["outcome"] == "rejected"
        # Each event once: running again sends nothing more.
        assert run(app).sent == 0
        assert len(hook.received) == 4
        assert [d.last_status for d in deliveries(app, endpoint_id)] == [200] * 4


def test_a_tampered_body_or_another_secret_fails_verification(
        app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        _endpoint, secret = register(app, hook.url)
        consent_round(app, clock)
        run(app)
        [got] = hook.received
        with pytest.raises(WebhookVerificationError):
            Webhook(secret).verify(got.body.replace(b"coop", b"evil"), got.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(webhooks.new_secret()).verify(got.body, got.headers)


def test_the_signature_matches_the_specifications_test_vector() -> None:
    # From standard-webhooks/spec: the secret, id, timestamp, body and signature it gives.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the spec's test vector
    body = b'{"test": 2432232314}'
    assert webhooks.sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")


def test_an_endpoint_is_told_only_of_the_events_it_chose(app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        _endpoint, secret = register(app, hook.url, events=["round.closed"])
        _proposal, round_id = consent_round(app, clock)
        run(app)
        assert hook.received == []
        clock.advance(minutes=5)
        close(app, round_id, clock)
        run(app)
        assert [b["type"] for b in verified(hook, secret)] == ["round.closed"]


def test_a_new_version_is_told(app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        _endpoint, secret = register(app, hook.url, events=["version.published"])
        with unit(app) as session:
            organisation = session.scalar(select(Organisation))
            author = session.scalar(select(Membership).where(Membership.role == "admin"))
            assert organisation is not None
            assert author is not None
            proposal = proposals.create_proposal(session, organisation, author, title="T",
                                                 body="B", family="consent", params={},
                                                 now=clock())
            proposals.amend(session, proposal, author, title="T2", body="B2",
                            summary="Shorter.", now=clock())
        run(app)
        [body] = verified(hook, secret)
        assert body["type"] == "version.published"
        assert body["data"]["version"] == {"number": 2, "title": "T2", "summary": "Shorter."}


def test_a_failed_delivery_is_tried_again_later_and_its_answers_are_listed(
        app: Flask, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    with receiver(answers=[500, 502]) as hook:
        endpoint_id, secret = register(app, hook.url)
        consent_round(app, clock)
        assert run(app).retried == 1
        assert run(app).sent == 0  # not due yet: 5 seconds later
        clock.advance(seconds=5)
        assert run(app).retried == 1
        clock.advance(minutes=4)
        assert run(app).sent == 0  # 5 minutes after the second failure
        clock.advance(minutes=1)
        assert run(app).sent == 1
        [delivery] = deliveries(app, endpoint_id)
        assert (delivery.state, delivery.attempts, delivery.last_status) == ("sent", 3, 200)
        ids = {r.headers["webhook-id"] for r in hook.received}
        assert len(hook.received) == 3
        assert len(ids) == 1  # the same id at every attempt
        assert len(verified(hook, secret)) == 3
    assert auth.login(ADMIN).status_code == 302
    page = client.get(f"/orgs/coop/integrations/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "round.opened" in page
    assert "<strong>200</strong>" in page


def test_an_endpoint_failing_for_a_day_is_disabled_and_its_admins_see_why(
        app: Flask, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    with receiver(answers=[503] * 20) as hook:
        endpoint_id, _secret = register(app, hook.url)
        consent_round(app, clock)
        waits = [timedelta(0), *webhooks.SCHEDULE]
        disabled_after = None
        for index, wait in enumerate(waits):
            clock.now += wait
            report = run(app)
            if report.disabled:
                disabled_after = index + 1
                break
        assert disabled_after is not None
        with app.app_context():
            endpoint = db.session().get_one(WebhookEndpoint, endpoint_id)
            assert endpoint.disabled_at == clock()
            assert endpoint.failing_since is not None
            assert clock() - endpoint.failing_since >= timedelta(hours=24)
            assert endpoint.disabled_reason == "failing"
            logged = db.session().scalar(select(AuditEntry.data).where(
                AuditEntry.kind == "webhook_disabled"))
            assert json.loads(logged or "{}") == {"endpoint": endpoint_id, "reason": "failing"}
        assert [d.state for d in deliveries(app, endpoint_id)] == ["failed"]
        consent_round(app, clock)  # events of a disabled endpoint are not queued
        assert run(app).added == 0
    assert auth.login(ADMIN).status_code == 302
    page = client.get(f"/orgs/coop/integrations/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "Turn it on again" in page or "webhook_enable" not in page
    turned = client.post(f"/orgs/coop/integrations/webhooks/{endpoint_id}/enable")
    assert turned.status_code == 302
    with app.app_context():
        assert db.session().get_one(WebhookEndpoint, endpoint_id).disabled_at is None


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message, as a mail client reads them."""
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    return str(text.get_content()), str(html.get_content())


def test_an_endpoint_failing_for_a_day_tells_its_admins_by_mail_and_in_the_application(
        app: Flask, clock: Clock, client: FlaskClient, auth: Auth) -> None:
    with app.app_context():
        organisation = db.session().scalar(select(Organisation).where(
            Organisation.slug == "coop"))
        assert organisation is not None
    new_user(app, SECOND_ADMIN, language="en")
    new_member(app, organisation, SECOND_ADMIN, role="admin")
    with smtp_server() as mail, receiver(answers=[503] * 20) as hook:
        app.config.update(smtp_settings(mail.port))
        notice_mail.send_due(app)  # the invitation of the second admin
        before = len(mail.received)
        endpoint_id, _secret = register(app, hook.url, events=["round.opened"],
                                        description="Delivery app")
        consent_round(app, clock)
        for wait in [timedelta(0), *webhooks.SCHEDULE]:
            clock.now += wait
            if run(app).disabled:
                break
        with app.app_context():
            endpoint = db.session().get_one(WebhookEndpoint, endpoint_id)
            assert endpoint.disabled_at == clock()
            told = list(db.session().scalars(select(Notice).where(
                Notice.kind == "webhook_disabled").order_by(Notice.id)))
            admins = set(db.session().scalars(select(User.id).where(
                User.email.in_([ADMIN, SECOND_ADMIN]))))
            # Written with the disabling, one to each current admin and to nobody else.
            assert {n.user_id for n in told} == admins
            assert len(told) == 2
            assert {n.created_at for n in told} == {endpoint.disabled_at}
            assert {n.organisation_id for n in told} == {organisation.id}
        notice_mail.send_due(app)  # with the messages of the round that opened
        told_by_mail = [m for m in mail.received[before:] if "webhook" in str(
            m["Subject"]).lower()]
        mails = {str(m["To"]): m for m in told_by_mail}
    assert len(told_by_mail) == 2
    assert set(mails) == {ADMIN, SECOND_ADMIN}
    page = f"https://decisions.example.coop/orgs/coop/integrations/webhooks/{endpoint_id}"
    english, english_html = text_and_html(mails[SECOND_ADMIN])
    assert str(mails[SECOND_ADMIN]["Subject"]) == (
        "[Coop] Webhook endpoint disabled: Delivery app")
    assert "Delivery app (127.0.0.1) is disabled" in english
    assert "failed for a day" in english
    assert "HTTP 503" in english
    assert page in english
    assert f'href="{page}"' in english_html
    assert hook.url not in english + english_html  # an address may hold a secret
    french, french_html = text_and_html(mails[ADMIN])  # the organisation's language
    assert str(mails[ADMIN]["Subject"]) == (
        "[Coop] Point de réception de webhooks désactivé : Delivery app")
    assert "est désactivé" in french
    assert page in french
    assert "désactivé" in french_html
    # In the application: the notice, leading to the endpoint's page, for admins only.
    assert auth.login(SECOND_ADMIN).status_code == 302
    inbox = client.get("/notifications/").get_data(as_text=True)
    assert "A webhook endpoint is disabled: Delivery app" in inbox
    assert f'href="/orgs/coop/integrations/webhooks/{endpoint_id}"' in inbox
    # The audit log says it in words, in both languages.
    log = client.get("/orgs/coop/audit").get_data(as_text=True)
    assert "Webhook endpoint disabled" in log
    assert f"Webhook endpoint: {endpoint_id}" in log
    assert "Reason: it failed for a day without a success" in log
    assert auth.logout().status_code == 302
    assert auth.login(ADMIN).status_code == 302
    log = client.get("/orgs/coop/audit", headers={"Accept-Language": "fr"}).get_data(
        as_text=True)
    assert "Point de réception de webhooks désactivé" in log
    assert "Motif: il a échoué pendant une journée sans un seul succès" in log
    assert "webhook_disabled" not in log
    assert auth.logout().status_code == 302
    assert auth.login(MEMBERS[0]).status_code == 302
    assert "webhook" not in client.get("/notifications/").get_data(as_text=True).lower()


def test_an_endpoint_that_answers_gone_is_disabled_at_once(app: Flask, clock: Clock) -> None:
    with receiver(answers=[410]) as hook:
        endpoint_id, _secret = register(app, hook.url)
        consent_round(app, clock)
        assert run(app).disabled == 1
    with app.app_context():
        endpoint = db.session().get_one(WebhookEndpoint, endpoint_id)
        assert endpoint.disabled_reason == "gone"


def test_two_senders_never_send_one_delivery_twice(app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        endpoint_id, _secret = register(app, hook.url)
        consent_round(app, clock)
        sessions = app.extensions["decisions.db"]
        with app.app_context():
            with sessions() as first:
                assert webhooks.enqueue_entries(first, endpoint_id, clock()) == 1
                first.commit()
            with sessions() as second:  # a second scheduler finds the entries taken
                assert webhooks.enqueue_entries(second, endpoint_id, clock()) == 0
                second.commit()
            with sessions() as one:
                claim_one = webhooks.claim(one, clock())
                one.commit()
            with sessions() as other:
                claim_other = webhooks.claim(other, clock())
                other.commit()
        assert (len(claim_one.ids), claim_other.ids) == (1, ())
        # The first sender dies with its claim; after the lease another takes it over.
        clock.advance(minutes=6)
        assert run(app).sent == 1
        assert len(hook.received) == 1
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_a_rotated_secret_signs_beside_the_old_one_for_a_day(
        app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        endpoint_id, old = register(app, hook.url)
        with unit(app) as session:
            new = webhooks.rotate_secret(session, session.get_one(WebhookEndpoint, endpoint_id),
                                         clock()).secret
        consent_round(app, clock)
        run(app)
        assert len(hook.received[0].headers["webhook-signature"].split()) == 2
        assert verified(hook, old) == verified(hook, new)
        clock.advance(hours=25)
        consent_round(app, clock)
        run(app)
        latest = hook.received[-1]
        assert len(latest.headers["webhook-signature"].split()) == 1
        Webhook(new).verify(latest.body, latest.headers)
        with pytest.raises(WebhookVerificationError):
            Webhook(old).verify(latest.body, latest.headers)


def test_a_general_assemblys_convocation_sitting_and_close_are_told_signed(
        app: Flask, clock: Clock) -> None:
    events = ["assembly.convened", "assembly.opened", "assembly.closed"]
    with receiver() as hook, receiver() as chat:
        _endpoint, secret = register(app, hook.url, events=events)
        register(app, chat.url, kind="slack", events=["assembly.convened"])
        with unit(app) as session:
            organisation = session.scalar(select(Organisation).where(
                Organisation.slug == "coop"))
            chair = session.scalar(select(Membership).where(Membership.role == "facilitator"))
            assert organisation is not None
            assert chair is not None
            sitting = assemblies.create_assembly(session, organisation, chair,
                                                 assemblies.Settings(
                title="AGO 2026", kind=AssemblyKind.ORDINARY,
                meets_at=clock() + timedelta(days=20), place="Salle des fêtes"), now=clock())
            assemblies.add_resolution(session, sitting, chair, title="Accounts 2025",
                                      body="Approved.", now=clock())
            assemblies.convene(session, sitting, chair, now=clock())
            sitting_id = sitting.id
        run(app)
        clock.advance(days=20)
        with unit(app) as session:
            sitting = session.get_one(Assembly, sitting_id)
            chair = session.scalar(select(Membership).where(Membership.role == "facilitator"))
            assert chair is not None
            assemblies.open_sitting(session, sitting, chair, now=clock())
            assemblies.check_in(session, sitting, chair.id, AttendanceMode.ROOM, by=chair,
                                now=clock())
        run(app)
        clock.advance(hours=1)
        with unit(app) as session:
            sitting = session.get_one(Assembly, sitting_id)
            chair = session.scalar(select(Membership).where(Membership.role == "facilitator"))
            assert chair is not None
            assemblies.close_sitting(session, sitting, chair, now=clock())
        run(app)
        bodies = verified(hook, secret)
        [told] = chat.received
    assert [b["type"] for b in bodies] == events
    convened, opened, closed = (b["data"] for b in bodies)
    assert convened["assembly"]["id"] == sitting_id
    assert convened["assembly"]["status"] == "convened"
    assert convened["assembly"]["meets_at"] == (clock() - timedelta(hours=1)).isoformat(
        ).replace("+00:00", "Z")
    assert [i["number"] for i in convened["agenda"]] == [1]
    assert convened["links"]["assembly"] == f"/api/v1/assemblies/{sitting_id}"
    assert opened["assembly"]["status"] == "in_session"
    assert closed["assembly"]["status"] == "closed"
    assert closed["links"]["minutes"] == f"/api/v1/assemblies/{sitting_id}/minutes"
    assert closed["outcomes"] == {"1": None}  # closed without voting its resolution
    text = told.json()["text"]
    assert "AGO 2026" in text
    assert "Coop" in text
    assert f"/orgs/coop/assemblies/{sitting_id}" in text
    assert "convoquée" in text  # in the organisation's language


# Chat rooms -----------------------------------------------------------------------------


def test_a_mattermost_or_slack_channel_gets_a_readable_message_in_the_organisations_language(
        app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        register(app, hook.url, kind="slack")
        _proposal, round_id = consent_round(app, clock)
        run(app)
        clock.advance(minutes=5)
        close(app, round_id, clock)
        run(app)
        texts = [r.json()["text"] for r in hook.received]
    assert len(texts) == 3  # opened, closed, decided
    assert "Buy cargo bikes" in texts[0]
    assert "Coop" in texts[0]
    assert "Europe/Paris" in texts[0]  # the deadline in the organisation's time
    assert "mars 2026" in texts[0]  # in French, the organisation's language
    assert f"/orgs/coop/proposals/{_proposal}/rounds/{round_id}" in texts[0]
    assert "Rejeté" in texts[1] or "rejet" in texts[1].lower()  # the outcome, explained
    assert "consentement" in texts[1].lower()


def test_a_matrix_room_gets_the_message_with_its_access_token(app: Flask, clock: Clock) -> None:
    with receiver() as hook:
        room = hook.url.replace("/hooks", "/_matrix/client/v3/rooms/!room:example.org")
        register(app, room, kind="matrix", events=["round.opened"],
                 access_token="syt_secret_token")  # noqa: S106 - a test's
        consent_round(app, clock)
        run(app)
        [got] = hook.received
    assert got.method == "PUT"
    assert re.fullmatch(r"/_matrix/client/v3/rooms/!room:example.org/send/m.room.message/"
                        r"msg_[0-9a-f]+", got.path)
    assert got.headers["authorization"] == "Bearer syt_secret_token"
    assert got.json()["msgtype"] == "m.text"
    assert "Buy cargo bikes" in got.json()["body"]


# Running --------------------------------------------------------------------------------


def test_the_scheduler_sends_webhooks_and_so_does_the_command_line(
        app: Flask, clock: Clock) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    scheduler = build_scheduler(app, BackgroundScheduler)
    assert scheduler.get_job(WEBHOOK_JOB_ID) is not None
    with receiver() as hook:
        register(app, hook.url, events=["round.opened"])
        consent_round(app, clock)
        result = app.test_cli_runner().invoke(cli, ["send-webhooks"])
        assert result.exit_code == 0, result.output
        assert "1 sent" in result.output
        assert len(hook.received) == 1
