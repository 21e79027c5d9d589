"""Who calls the API and what they may reach: the bearer token of the request (never a
cookie, never an address's query), its scopes, the caller's language, and the member the
request acts as in an organisation, which the pages' rules then judge
(``services.policies``).

An organisation the caller does not belong to answers 403, as its pages do; a proposal or
round in such an organisation answers 404, so that ids tell nothing of other
organisations.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask import current_app, g, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from .. import db
from ..models import (
    ApiToken,
    Assembly,
    Membership,
    Organisation,
    Proposal,
    Role,
    Round,
    Scope,
    User,
)
from ..services import api_tokens, policies
from ..services.organisations import visit
from .problems import Problem, refused

#: The header an organisation's token names the member it acts for with (a membership id).
MEMBER_HEADER = "Decisions-Member"
REALM = 'Bearer realm="decisions"'


def bearer_text() -> str | None:
    """The token of the ``Authorization: Bearer`` header, if there is one."""
    header = request.headers.get("Authorization", "")
    scheme, _, text = header.partition(" ")
    if scheme.lower() != "bearer" or not text.strip():
        return None
    return text.strip()


def refuse_tokens_in_address() -> None:
    """A token in the address ends up in logs and histories: refused, even a valid one."""
    if "access_token" in request.args or any(
            value.startswith(api_tokens.PREFIX) for value in request.args.values()):
        raise Problem(400, "token.in_address",
                      _("Send the token in the Authorization header (Bearer), never in the"
                        " address."), field="access_token")


def language(user: User | None = None) -> str:
    """The caller's language: their account's, else the request's ``Accept-Language``,
    else the application's default."""
    languages = current_app.config["LANGUAGES"]
    if user is not None and user.language in languages:
        return str(user.language)
    return str(request.accept_languages.best_match(languages)
               or current_app.config.get("BABEL_DEFAULT_LOCALE") or "en")


@contextmanager
def in_callers_language(user: User | None = None) -> Iterator[None]:
    """Translate in the caller's language meanwhile (no cookie session is read)."""
    with force_locale(language(user)):
        yield


@dataclass
class Call:
    """One authenticated request: its token, the token's owner, the clock, and the member an
    organisation's token was asked to act for."""

    token: ApiToken
    user: User
    now: datetime
    named: int | None

    @property
    def session(self) -> Session:
        """The request's database session (reads; writes go through ``db.transaction``)."""
        return db.session()

    def require(self, scope: Scope) -> None:
        """Refuse (403) when the token lacks ``scope``."""
        if scope not in self.token.scope_set:
            raise Problem(403, "token.scope",
                          _("This token does not have the %(scope)s scope.", scope=scope.value),
                          headers={"WWW-Authenticate":
                                   f'{REALM}, error="insufficient_scope", scope="{scope}"'})

    def member_in(self, organisation_id: int) -> Membership | None:
        """Who the request acts as in the organisation (``None``: nobody there)."""
        try:
            return api_tokens.acting_member(self.session, self.token, organisation_id,
                                            self.named)
        except api_tokens.TokenError as error:
            raise refused(error) from None

    def organisation(self, slug: str, role: Role = Role.MEMBER,
                     ) -> tuple[Organisation, Membership]:
        """The organisation of ``slug`` and the acting member, who has at least ``role``
        (404 for no such organisation, 403 otherwise, as on the pages)."""
        organisation, _member = visit(self.session, slug, self.user.id)
        if organisation is None:
            raise not_found()
        member = self.member_in(organisation.id)
        if member is None:
            raise Problem(403, "organisation.not_member",
                          _("This token does not act for a member of this organisation."))
        self.allow(member, role)
        g.organisation = organisation
        return organisation, member

    def allow(self, member: Membership, role: Role) -> None:
        """Refuse (403) what a member below ``role`` may not do, as the pages do."""
        if not member.can(role):
            raise Problem(403, "role.insufficient",
                          _("Only a member with the role %(role)s or above can do this.",
                            role=role.value))

    def proposal(self, proposal_id: int) -> tuple[Proposal, Membership]:
        """A proposal the acting member may see, and that member (404 otherwise)."""
        proposal = self.session.get(Proposal, proposal_id)
        member = None if proposal is None else self.member_in(proposal.organisation_id)
        if proposal is None or member is None or not policies.may_see(proposal, member):
            raise not_found()
        g.organisation = proposal.organisation
        return proposal, member

    def round(self, round_id: int) -> tuple[Round, Membership]:
        """A round of a proposal the acting member may see, and that member (404
        otherwise)."""
        round_ = self.session.get(Round, round_id)
        if round_ is None:
            raise not_found()
        _proposal, member = self.proposal(round_.proposal_id)
        return round_, member

    def assembly(self, assembly_id: int) -> tuple[Assembly, Membership]:
        """A general assembly of an organisation the acting member belongs to, and that
        member (404 otherwise)."""
        found = self.session.get(Assembly, assembly_id)
        member = None if found is None else self.member_in(found.organisation_id)
        if found is None or member is None:
            raise not_found()
        g.organisation = found.organisation
        return found, member


def not_found() -> Problem:
    """Nothing here for this caller."""
    return Problem(404, "not_found", _("There is nothing at this address."))


def authenticate(now: datetime) -> Call:
    """The request's caller, from its bearer token (401 without a valid one)."""
    text = bearer_text()
    if text is None:
        raise Problem(401, "token.missing",
                      _("Send an API token in the Authorization header: Bearer and the"
                        " token."), headers={"WWW-Authenticate": REALM})
    session = db.session()
    try:
        token = api_tokens.authenticate(session, text, now)
    except api_tokens.TokenRefused as error:
        problem = refused(error)
        problem.status = 401
        problem.headers["WWW-Authenticate"] = f'{REALM}, error="invalid_token"'
        raise problem from None
    user = session.get_one(User, token.user_id)
    if api_tokens.needs_touch(token, now):
        with db.transaction() as writing:
            api_tokens.touch(writing, token.id, now)
    return Call(token=token, user=user, now=now, named=_named_member())


def _named_member() -> int | None:
    """The membership id of the ``Decisions-Member`` header (400 when it is not one)."""
    text = request.headers.get(MEMBER_HEADER)
    if text is None:
        return None
    if not text.strip().isdigit() or not 1 <= int(text) <= 2**31 - 1:
        raise Problem(400, "token.member_header",
                      _("Decisions-Member names a member by the id of their membership."),
                      field=MEMBER_HEADER)
    return int(text)

