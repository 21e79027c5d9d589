"""The webhook sender: the scheduler's job (every few seconds) and ``decisions
send-webhooks``.

One run turns the new audit entries of each endpoint's organisation into deliveries, adds
the ``round.closing_soon`` ones due, then sends what is due a batch at a time: claimed and
committed first, each answer recorded and committed at once (``services.webhooks``). A
standard endpoint receives the JSON signed as Standard Webhooks say; a Mattermost or Slack
incoming webhook ``{"text": ...}`` and a Matrix room an ``m.text`` message, written in the
organisation's language when sent, with the round's deadline or the outcome and its
explanation. Nothing is sent to this machine or a private network unless
``WEBHOOK_PRIVATE_ADDRESSES`` allows it (the names are resolved before sending).
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from flask import Flask, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from decisions.engine import render

from .. import db, transactions
from ..i18n import local_time
from ..models import (
    Assembly,
    AssemblyStatus,
    EndpointKind,
    Organisation,
    Proposal,
    Round,
    VotersVisibility,
    WebhookDelivery,
    WebhookEndpoint,
)
from ..notice_mail import links
from ..proposals.rule_words import OUTCOME_LABELS, ROUND_KIND_LABELS
from ..services import explaining, results, webhooks

logger = logging.getLogger(__name__)

USER_AGENT = "decisions-webhooks/1"
#: How much of an endpoint's answer is kept with a failure.
ANSWER_KEPT = 300


@dataclass
class Report:
    """What one run of the sender did."""

    added: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    disabled: int = 0
    released: int = 0

    def __str__(self) -> str:
        return (f"{self.added} deliveries added, {self.sent} sent, {self.retried} to try"
                f" again, {self.failed} given up, {self.disabled} endpoints disabled")


class Unsafe(Exception):
    """An endpoint's address that the server does not send to."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """An endpoint answers; it does not send the delivery elsewhere (a redirection would
    also escape the check of private addresses)."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One HTTP request to make."""

    method: str
    url: str
    body: bytes
    headers: dict[str, str]


def private_allowed(app: Flask) -> bool:
    """``WEBHOOK_PRIVATE_ADDRESSES``, by default on only under TESTING or in debug mode."""
    allowed = app.config.get("WEBHOOK_PRIVATE_ADDRESSES")
    return bool(app.testing or app.debug) if allowed is None else bool(allowed)


def check_address(url: str, allowed: bool) -> None:
    """Refuse an address whose host is, or resolves to, this machine or a private
    network (unless ``allowed``)."""
    if allowed:
        return
    host = urlsplit(url).hostname or ""
    if webhooks.private_host(host):
        raise Unsafe(f"{host} is a private address")
    try:
        found = socket.getaddrinfo(host, None)
    except OSError as error:
        raise Unsafe(f"{host} cannot be resolved: {error}") from None
    for *_rest, sockaddr in found:
        if not ipaddress.ip_address(str(sockaddr[0]).split("%")[0]).is_global:
            raise Unsafe(f"{host} resolves to a private address")


# Messages for chat rooms ----------------------------------------------------------------


def _round_link(round_: Round, organisation: Organisation) -> str:
    return url_for("rounds.show", slug=organisation.slug, proposal_id=round_.proposal_id,
                   round_id=round_.id, _external=True)


def _explanation(session: Session, round_: Round, language: str) -> str:
    """The outcome's explanation in ``language``, members named only where the proposal
    lets every member see who took which position (a chat room is read by members)."""
    stored = json.loads(round_.result_json or "{}")
    if not stored.get("explanation"):
        return ""
    proposal = round_.proposal
    shown = (not proposal.secret and results.counts_visible(proposal, round_)
             and proposal.voters_visible is VotersVisibility.EVERYONE)
    keys = explaining.members_named(stored)
    names = results.member_names(session, round_.id, keys) if keys else {}
    steps = explaining.named_steps(stored, names, voters_shown=shown, someone=_("a member"),
                                   context=explaining.context_of(session, round_))
    return render(steps, "fr" if language.startswith("fr") else "en")


def chat_text(session: Session, delivery: WebhookDelivery, language: str) -> str:
    """A delivery as a sentence or two for people, in ``language`` (the current locale)."""
    return str(_chat_text(session, delivery, language))


def _chat_text(session: Session, delivery: WebhookDelivery, language: str) -> Any:
    payload = json.loads(delivery.payload)
    data = payload.get("data", {})
    organisation = session.scalar(select(Organisation).where(
        Organisation.slug == data.get("organisation", "")))
    if organisation is None:
        raise LookupError("the organisation is gone")
    if delivery.event.startswith("assembly."):
        return _assembly_text(session, delivery.event, data, organisation)
    round_ = session.get(Round, (data.get("round") or {}).get("id") or 0)
    proposal = (round_.proposal if round_ is not None
                else session.get(Proposal, (data.get("proposal") or {}).get("id") or 0))
    if proposal is None:
        raise LookupError("the proposal is gone")
    title = proposal.title
    event = delivery.event
    if round_ is not None:
        link = _round_link(round_, organisation)
        kind = str(ROUND_KIND_LABELS.get(round_.kind, round_.kind.value))
        if event == "round.opened":
            return _("%(organisation)s: round %(number)d (%(kind)s) is open on “%(title)s”,"
                     " until %(deadline)s. %(link)s", organisation=organisation.name,
                     number=round_.number, kind=kind, title=title,
                     deadline=local_time(round_.closes_at, organisation), link=link)
        if event == "round.closing_soon":
            return _("%(organisation)s: round %(number)d (%(kind)s) on “%(title)s” closes"
                     " %(deadline)s. %(link)s", organisation=organisation.name,
                     number=round_.number, kind=kind, title=title,
                     deadline=local_time(round_.closes_at, organisation), link=link)
        outcome = str(OUTCOME_LABELS.get(round_.outcome or "", round_.outcome or ""))
        explanation = _explanation(session, round_, language)
        if event == "round.closed":
            return _("%(organisation)s: round %(number)d (%(kind)s) on “%(title)s” is closed:"
                     " %(outcome)s. %(explanation)s %(link)s", organisation=organisation.name,
                     number=round_.number, kind=kind, title=title, outcome=outcome,
                     explanation=explanation, link=link)
        if event == "proposal.decided":
            return _("%(organisation)s: “%(title)s” is decided: %(outcome)s."
                     " %(explanation)s %(link)s", organisation=organisation.name,
                     title=title, outcome=outcome, explanation=explanation, link=link)
    version = data.get("version") or {}
    link = url_for("proposals.show", slug=organisation.slug, proposal_id=proposal.id,
                   _external=True)
    return _("%(organisation)s: version %(number)s of “%(title)s” is published: %(summary)s"
             " %(link)s", organisation=organisation.name, number=version.get("number"),
             title=title, summary=version.get("summary") or "", link=link)


def _assembly_text(session: Session, event: str, data: dict[str, Any],
                   organisation: Organisation) -> Any:
    """A general assembly's event as a sentence: convened for a date, its sitting open, or
    closed with its minutes (or without quorum on its first convocation)."""
    assembly = session.get(Assembly, (data.get("assembly") or {}).get("id") or 0)
    if assembly is None or assembly.organisation_id != organisation.id:
        raise LookupError("the assembly is gone")
    link = url_for("assemblies.show", slug=organisation.slug, assembly_id=assembly.id,
                   _external=True)
    if event == "assembly.convened":
        return _("%(organisation)s: the general assembly “%(title)s” is convened for"
                 " %(date)s. %(link)s", organisation=organisation.name, title=assembly.title,
                 date=local_time(assembly.meets_at, organisation), link=link)
    if event == "assembly.opened":
        return _("%(organisation)s: the sitting of the general assembly “%(title)s” is open."
                 " %(link)s", organisation=organisation.name, title=assembly.title, link=link)
    if (data.get("assembly") or {}).get("status") == AssemblyStatus.NO_QUORUM.value:
        return _("%(organisation)s: the general assembly “%(title)s” did not reach its"
                 " quorum on its first convocation. %(link)s",
                 organisation=organisation.name, title=assembly.title, link=link)
    minutes = url_for("assemblies.minutes", slug=organisation.slug, assembly_id=assembly.id,
                      _external=True)
    return _("%(organisation)s: the sitting of the general assembly “%(title)s” is closed;"
             " its minutes: %(link)s", organisation=organisation.name, title=assembly.title,
             link=minutes)


# Requests -------------------------------------------------------------------------------


def outgoing(session: Session, endpoint: WebhookEndpoint, delivery: WebhookDelivery,
             app: Flask) -> Outgoing:
    """The HTTP request of a delivery to its endpoint."""
    headers = {"User-Agent": USER_AGENT, "Content-Type": "application/json"}
    if endpoint.kind == EndpointKind.STANDARD:
        body = delivery.payload.encode()
        # The time of sending, by the wall clock: receivers check it against theirs.
        timestamp = int(time.time())
        headers.update({
            "webhook-id": delivery.message_id, "webhook-timestamp": str(timestamp),
            "webhook-signature": webhooks.signature_header(
                endpoint, delivery.message_id, timestamp, body, db.utcnow())})
        return Outgoing("POST", endpoint.url, body, headers)
    organisation = session.get_one(Organisation, endpoint.organisation_id)
    languages = app.config["LANGUAGES"]
    language = organisation.language if organisation.language in languages else languages[0]
    with force_locale(language):
        text = " ".join(chat_text(session, delivery, language).split())
    if endpoint.kind == EndpointKind.SLACK:
        return Outgoing("POST", endpoint.url, json.dumps({"text": text}).encode(), headers)
    headers["Authorization"] = f"Bearer {endpoint.access_token or ''}"
    url = f"{endpoint.url.rstrip('/')}/send/m.room.message/{quote(delivery.message_id)}"
    return Outgoing("PUT", url, json.dumps({"msgtype": "m.text", "body": text}).encode(),
                    headers)


def send(request: Outgoing, timeout: float) -> tuple[int | None, str]:
    """Make the request: the answer's status (``None``: no answer) and, unless a success,
    what went wrong."""
    if urlsplit(request.url).scheme not in ("http", "https"):
        return None, "only http and https addresses are sent to"
    prepared = urllib.request.Request(  # noqa: S310 - the scheme is checked above
        request.url, data=request.body, method=request.method, headers=request.headers)
    try:
        with _OPENER.open(prepared, timeout=timeout) as answer:
            return int(answer.status), ""
    except urllib.error.HTTPError as error:
        text = error.read(ANSWER_KEPT).decode("utf-8", "replace") if error.fp else ""
        return int(error.code), f"HTTP {error.code}: {text}".strip()
    except (OSError, ValueError) as error:
        return None, f"{type(error).__name__}: {error}"


# The job --------------------------------------------------------------------------------


def add_due(app: Flask, report: Report) -> None:
    """Turn new audit entries into deliveries, endpoint by endpoint, and add the
    ``round.closing_soon`` ones due (a failure is logged and tried again next time)."""
    sessions: sessionmaker[Session] = app.extensions["decisions.db"]
    now = db.utcnow()
    with sessions() as session:
        endpoint_ids = webhooks.active_endpoints(session)
    for endpoint_id in endpoint_ids:
        try:
            with sessions() as session:
                report.added += webhooks.enqueue_entries(transactions.begin_write(session),
                                                         endpoint_id, now)
                session.commit()
        except Exception:
            logger.exception("The events of webhook endpoint %d could not be added",
                             endpoint_id)
    if endpoint_ids:
        try:
            with sessions() as session:
                report.added += webhooks.enqueue_closing_soon(
                    transactions.begin_write(session), now)
                session.commit()
        except Exception:
            logger.exception("The round.closing_soon deliveries could not be added")


def send_due(app: Flask, report: Report, *, limit: int = webhooks.BATCH) -> None:
    """Send the deliveries due, a batch at a time, until none is left."""
    sessions: sessionmaker[Session] = app.extensions["decisions.db"]
    while True:
        with sessions() as session:
            claim = webhooks.claim(transactions.begin_write(session), db.utcnow(), limit=limit)
            session.commit()
            if not claim.ids:
                return
            try:
                with links(app):
                    _send_claimed(app, session, claim, report)
            finally:
                session.rollback()
                report.released += webhooks.release(transactions.begin_write(session),
                                                    claim.token)
                session.commit()
        if len(claim.ids) < limit:
            return


def _send_claimed(app: Flask, session: Session, claim: webhooks.Claim, report: Report) -> None:
    timeout = float(app.config.get("WEBHOOK_TIMEOUT") or 10)
    allowed = private_allowed(app)
    for delivery in webhooks.claimed(session, claim):
        if db.utcnow() - claim.at >= webhooks.LEASE / 2:
            return  # the rest is released before another sender may take it over
        endpoint = session.get_one(WebhookEndpoint, delivery.endpoint_id)
        try:
            check_address(endpoint.url, allowed)
            request = outgoing(session, endpoint, delivery, app)
        except Exception as refusal:  # an address refused, a message that cannot be written
            _failed(session, delivery, claim, None, f"not sent: {refusal}", report)
            continue
        status, error = send(request, timeout)
        if status is not None and 200 <= status < 300:
            webhooks.mark_sent(transactions.begin_write(session), delivery, claim.token,
                               status, db.utcnow())
            session.commit()
            report.sent += 1
            continue
        _failed(session, delivery, claim, status, error, report, permanent=status == 410)


def _failed(session: Session, delivery: WebhookDelivery, claim: webhooks.Claim,
            status: int | None, error: str, report: Report, *, permanent: bool = False) -> None:
    session.rollback()
    failure = webhooks.mark_failed(transactions.begin_write(session), delivery, claim.token,
                                   status=status, error=error, now=db.utcnow(),
                                   permanent=permanent)
    session.commit()
    if failure.state is not None and failure.state.value == "failed":
        report.failed += 1
    elif failure.state is not None:
        report.retried += 1
    if failure.disabled:
        report.disabled += 1
        logger.warning("Webhook endpoint %d is disabled: %s", delivery.endpoint_id, error)


def send_webhooks(app: Flask) -> Report:
    """The webhook job: add the deliveries due, send them."""
    report = Report()
    with app.app_context():
        add_due(app, report)
        send_due(app, report)
    return report
