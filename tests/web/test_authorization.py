"""The authorization matrix: every route of the application, for every kind of visitor.

A new route fails ``test_every_route_is_in_the_matrix`` until its expected answers are
written here: nobody can add a page without saying who may open it. The cases share one world
(``world.py``), built once; what a case writes is rolled back after it.
"""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from .conftest import Auth
from .world import VISITOR_EMAIL
from .world import app as app
from .world import world as world

VISITORS = ("anonymous", "outsider", "member", "facilitator", "admin")
LOGIN, OK, FORBIDDEN, MISSING = "login", "ok", "forbidden", "missing"

# An organisation page: members may read it, only some roles may change things.
READ = {"anonymous": LOGIN, "outsider": FORBIDDEN, "member": OK, "facilitator": OK, "admin": OK}
ADMIN = {"anonymous": LOGIN, "outsider": FORBIDDEN, "member": FORBIDDEN,
         "facilitator": FORBIDDEN, "admin": OK}
# Putting forward and changing proposals: facilitators and admins (members only when the
# organisation allows it, which the world below does not).
FACILITATE = {"anonymous": LOGIN, "outsider": FORBIDDEN, "member": FORBIDDEN,
              "facilitator": OK, "admin": OK}
SIGNED_IN = {"anonymous": LOGIN, "outsider": OK, "member": OK, "facilitator": OK, "admin": OK}
PUBLIC = dict.fromkeys(VISITORS, OK)
# Token links with a token that does not exist: a clear "not found" page for everyone.
BAD_TOKEN = dict.fromkeys(VISITORS, MISSING)
# What belongs to one person: signed in as anyone else, it does not exist.
OTHERS_MISSING = {**dict.fromkeys(VISITORS, MISSING), "anonymous": LOGIN}
# An admin's page of something the world does not hold (a webhook endpoint, a token).
ADMIN_NONE = {**ADMIN, "admin": MISSING}
# The JSON API takes a bearer token, never the cookie of a session: 401 for every visitor.
UNAUTHORIZED = "unauthorized"
API = dict.fromkeys(VISITORS, UNAUTHORIZED)

# (endpoint, method, path with {slug} {circle} {college} {member} {invitation} {proposal},
# expected)
MATRIX: list[tuple[str, str, str, dict[str, str]]] = [
    ("index", "GET", "/", SIGNED_IN),
    ("auth.login", "GET", "/auth/login", PUBLIC),
    ("auth.login", "POST", "/auth/login", PUBLIC),
    ("auth.logout", "POST", "/auth/logout", SIGNED_IN),
    ("auth.reset_request", "GET", "/auth/reset", PUBLIC),
    ("auth.reset_request", "POST", "/auth/reset", PUBLIC),
    ("auth.reset", "GET", "/auth/reset/not-a-token", BAD_TOKEN),
    ("auth.reset", "POST", "/auth/reset/not-a-token", BAD_TOKEN),
    ("auth.invitation", "GET", "/auth/invitation/not-a-token", BAD_TOKEN),
    ("auth.invitation", "POST", "/auth/invitation/not-a-token", BAD_TOKEN),
    ("unsubscribe.one_click", "GET", "/unsubscribe/not-a-token", BAD_TOKEN),
    ("unsubscribe.one_click", "POST", "/unsubscribe/not-a-token", BAD_TOKEN),
    ("answer.confirm", "GET", "/answer/not-a-token", BAD_TOKEN),
    ("answer.confirm", "POST", "/answer/not-a-token", BAD_TOKEN),
    ("account.profile", "GET", "/account/profile", SIGNED_IN),
    ("account.profile", "POST", "/account/profile", SIGNED_IN),
    ("account.password", "POST", "/account/password", SIGNED_IN),
    # Another person's membership ({member}): nobody but its owner changes its e-mail choice.
    ("account.messages", "POST", "/account/messages/{member}", OTHERS_MISSING),
    ("account.convocation", "POST", "/account/convocation/{member}", OTHERS_MISSING),
    ("account.calendar_new", "POST", "/account/calendar/new", SIGNED_IN),
    ("account.calendar_revoke", "POST", "/account/calendar/revoke", SIGNED_IN),
    ("account.token_new", "POST", "/account/tokens/new", SIGNED_IN),
    ("account.token_revoke", "POST", "/account/tokens/1/revoke", OTHERS_MISSING),
    ("privacy.policy", "GET", "/privacy", PUBLIC),
    # An organisation's privacy page is owed to people before they join: public.
    ("privacy.organisation", "GET", "/orgs/{slug}/privacy", PUBLIC),
    ("privacy.settings", "GET", "/orgs/{slug}/privacy/settings", ADMIN),
    ("privacy.settings", "POST", "/orgs/{slug}/privacy/settings", ADMIN),
    ("privacy.my_data", "GET", "/account/data", SIGNED_IN),
    ("privacy.export", "GET", "/account/data.json", SIGNED_IN),
    ("privacy.close", "GET", "/account/close", SIGNED_IN),
    ("privacy.close", "POST", "/account/close", SIGNED_IN),
    ("calendar.feed", "GET", "/calendar/not-a-token.ics", BAD_TOKEN),
    ("inbox.index", "GET", "/notifications/", SIGNED_IN),
    ("inbox.read", "POST", "/notifications/1/read", SIGNED_IN),
    ("inbox.read_all", "POST", "/notifications/read", SIGNED_IN),
    ("orgs.index", "GET", "/orgs/", SIGNED_IN),
    ("orgs.create", "GET", "/orgs/new", SIGNED_IN),
    ("orgs.create", "POST", "/orgs/new", SIGNED_IN),
    ("orgs.show", "GET", "/orgs/{slug}/", READ),
    ("orgs.settings", "GET", "/orgs/{slug}/settings", ADMIN),
    ("orgs.settings", "POST", "/orgs/{slug}/settings", ADMIN),
    ("orgs.audit", "GET", "/orgs/{slug}/audit", READ),
    ("orgs.members", "GET", "/orgs/{slug}/members", READ),
    ("orgs.member_edit", "GET", "/orgs/{slug}/members/{member}/edit", ADMIN),
    ("orgs.member_convocation", "POST", "/orgs/{slug}/members/{member}/convocation", ADMIN),
    ("orgs.member_edit", "POST", "/orgs/{slug}/members/{member}/edit", ADMIN),
    ("orgs.member_remove", "POST", "/orgs/{slug}/members/{member}/remove", ADMIN),
    ("orgs.colleges", "GET", "/orgs/{slug}/colleges", READ),
    ("orgs.college_new", "POST", "/orgs/{slug}/colleges/new", ADMIN),
    ("orgs.college_weights", "POST", "/orgs/{slug}/colleges/weights", ADMIN),
    ("orgs.college_edit", "GET", "/orgs/{slug}/colleges/{college}/edit", ADMIN),
    ("orgs.college_edit", "POST", "/orgs/{slug}/colleges/{college}/edit", ADMIN),
    ("orgs.college_delete", "POST", "/orgs/{slug}/colleges/{college}/delete", ADMIN),
    ("orgs.circles", "GET", "/orgs/{slug}/circles", READ),
    ("orgs.circle", "GET", "/orgs/{slug}/circles/{circle}", READ),
    ("orgs.circle_new", "GET", "/orgs/{slug}/circles/new", ADMIN),
    ("orgs.circle_new", "POST", "/orgs/{slug}/circles/new", ADMIN),
    ("orgs.circle_edit", "GET", "/orgs/{slug}/circles/{circle}/edit", ADMIN),
    ("orgs.circle_edit", "POST", "/orgs/{slug}/circles/{circle}/edit", ADMIN),
    ("orgs.circle_delete", "POST", "/orgs/{slug}/circles/{circle}/delete", ADMIN),
    ("invitations.index", "GET", "/orgs/{slug}/invitations/", ADMIN),
    ("invitations.index", "POST", "/orgs/{slug}/invitations/", ADMIN),
    ("invitations.revoke", "POST", "/orgs/{slug}/invitations/{invitation}/revoke", ADMIN),
    ("integrations.index", "GET", "/orgs/{slug}/integrations/", ADMIN),
    ("integrations.token_new", "POST", "/orgs/{slug}/integrations/tokens", ADMIN),
    ("integrations.token_revoke", "POST", "/orgs/{slug}/integrations/tokens/1/revoke",
     ADMIN_NONE),
    ("integrations.webhook_new", "POST", "/orgs/{slug}/integrations/webhooks", ADMIN),
    ("integrations.webhook", "GET", "/orgs/{slug}/integrations/webhooks/1", ADMIN_NONE),
    ("integrations.webhook", "POST", "/orgs/{slug}/integrations/webhooks/1", ADMIN_NONE),
    ("integrations.webhook_rotate", "POST", "/orgs/{slug}/integrations/webhooks/1/rotate",
     ADMIN_NONE),
    ("integrations.webhook_enable", "POST", "/orgs/{slug}/integrations/webhooks/1/enable",
     ADMIN_NONE),
    ("integrations.webhook_delete", "POST", "/orgs/{slug}/integrations/webhooks/1/delete",
     ADMIN_NONE),
    ("proposals.index", "GET", "/orgs/{slug}/proposals/", READ),
    ("proposals.new", "GET", "/orgs/{slug}/proposals/new", FACILITATE),
    ("proposals.new", "POST", "/orgs/{slug}/proposals/new", FACILITATE),
    ("proposals.show", "GET", "/orgs/{slug}/proposals/{proposal}", READ),
    ("proposals.versions", "GET", "/orgs/{slug}/proposals/{proposal}/versions", READ),
    ("proposals.amend", "GET", "/orgs/{slug}/proposals/{proposal}/amend", FACILITATE),
    ("proposals.amend", "POST", "/orgs/{slug}/proposals/{proposal}/amend", FACILITATE),
    ("proposals.withdraw", "POST", "/orgs/{slug}/proposals/{proposal}/withdraw", FACILITATE),
    ("proposals.outcome", "GET", "/orgs/{slug}/proposals/{proposal}/outcome", FACILITATE),
    ("proposals.outcome", "POST", "/orgs/{slug}/proposals/{proposal}/outcome", FACILITATE),
    # Rounds: {vote} has a closed first convocation {closed} and an open second one {vote_round};
    # {socio} has an open consent round {consent_round}; {talk} an open clarifying round.
    ("rounds.open", "GET", "/orgs/{slug}/proposals/{vote}/rounds/open", FACILITATE),
    ("rounds.open", "POST", "/orgs/{slug}/proposals/{vote}/rounds/open", FACILITATE),
    ("rounds.show", "GET", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}", READ),
    ("rounds.vote", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/vote", READ),
    ("rounds.comment", "POST",
     "/orgs/{slug}/proposals/{talk}/rounds/{comment_round}/comment", READ),
    ("rounds.results", "GET", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/results",
     READ),
    ("rounds.case", "GET", "/orgs/{slug}/proposals/{vote}/rounds/{closed}/case.json", READ),
    ("register.round_csv", "GET",
     "/orgs/{slug}/proposals/{vote}/rounds/{closed}/results.csv", READ),
    # The register of decisions (issue 15); its public face exists only for an organisation
    # that makes it public (none here).
    ("register.index", "GET", "/orgs/{slug}/register/", READ),
    ("register.csv", "GET", "/orgs/{slug}/register.csv", READ),
    ("register.feed", "GET", "/orgs/{slug}/register.atom", READ),
    ("register.history", "GET", "/orgs/{slug}/proposals/{proposal}/history", READ),
    ("register.public", "GET", "/public/{slug}/register/", BAD_TOKEN),
    ("register.public_csv", "GET", "/public/{slug}/register.csv", BAD_TOKEN),
    ("register.public_feed", "GET", "/public/{slug}/register.atom", BAD_TOKEN),
    ("rounds.extend", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/extend",
     FACILITATE),
    ("rounds.close", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/close",
     FACILITATE),
    ("rounds.cancel", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/cancel",
     FACILITATE),
    ("rounds.qualify", "POST",
     "/orgs/{slug}/proposals/{socio}/rounds/{consent_round}/qualify", FACILITATE),
    ("rounds.tally", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/tally",
     FACILITATE),
    ("rounds.remind", "POST", "/orgs/{slug}/proposals/{vote}/rounds/{vote_round}/remind",
     FACILITATE),
    # General assemblies (issue 13): {assembly} is in preparation, {item} on its agenda.
    # Members act for themselves; a service refuses what the assembly's state does not allow
    # (a redirect with the reason), facilitators chair.
    ("assemblies.index", "GET", "/orgs/{slug}/assemblies/", READ),
    ("assemblies.new", "GET", "/orgs/{slug}/assemblies/new", FACILITATE),
    ("assemblies.new", "POST", "/orgs/{slug}/assemblies/new", FACILITATE),
    ("assemblies.show", "GET", "/orgs/{slug}/assemblies/{assembly}", READ),
    ("assemblies.edit", "GET", "/orgs/{slug}/assemblies/{assembly}/edit", FACILITATE),
    ("assemblies.edit", "POST", "/orgs/{slug}/assemblies/{assembly}/edit", FACILITATE),
    ("assemblies.add_resolution", "POST", "/orgs/{slug}/assemblies/{assembly}/resolutions",
     FACILITATE),
    ("assemblies.attach", "POST", "/orgs/{slug}/assemblies/{assembly}/attach", FACILITATE),
    ("assemblies.remove_item", "POST",
     "/orgs/{slug}/assemblies/{assembly}/items/{item}/remove", FACILITATE),
    ("assemblies.convene", "POST", "/orgs/{slug}/assemblies/{assembly}/convene", FACILITATE),
    ("assemblies.convocation", "GET", "/orgs/{slug}/assemblies/{assembly}/convocation",
     FACILITATE),
    ("assemblies.letters", "GET", "/orgs/{slug}/assemblies/{assembly}/convocation/letters",
     FACILITATE),
    ("assemblies.letters_pdf", "GET",
     "/orgs/{slug}/assemblies/{assembly}/convocation/letters.pdf", FACILITATE),
    ("assemblies.proxy", "POST", "/orgs/{slug}/assemblies/{assembly}/proxy", READ),
    ("assemblies.revoke", "POST", "/orgs/{slug}/assemblies/{assembly}/proxy/revoke", READ),
    ("assemblies.postal", "POST", "/orgs/{slug}/assemblies/{assembly}/postal", READ),
    ("assemblies.check_in", "POST", "/orgs/{slug}/assemblies/{assembly}/check-in", READ),
    ("assemblies.leave", "POST", "/orgs/{slug}/assemblies/{assembly}/leave", READ),
    ("assemblies.open_sitting", "POST", "/orgs/{slug}/assemblies/{assembly}/open", FACILITATE),
    ("assemblies.room_code", "POST", "/orgs/{slug}/assemblies/{assembly}/room-code",
     FACILITATE),
    ("assemblies.officers", "POST", "/orgs/{slug}/assemblies/{assembly}/officers", FACILITATE),
    ("assemblies.screen", "GET", "/orgs/{slug}/assemblies/{assembly}/screen", FACILITATE),
    ("assemblies.sheet", "GET", "/orgs/{slug}/assemblies/{assembly}/sheet", READ),
    ("assemblies.sheet_csv", "GET", "/orgs/{slug}/assemblies/{assembly}/sheet.csv", READ),
    ("assemblies.open_item", "POST", "/orgs/{slug}/assemblies/{assembly}/items/{item}/open",
     FACILITATE),
    ("assemblies.vote", "POST", "/orgs/{slug}/assemblies/{assembly}/items/{item}/vote", READ),
    ("assemblies.room", "POST", "/orgs/{slug}/assemblies/{assembly}/items/{item}/room",
     FACILITATE),
    ("assemblies.close_item", "POST",
     "/orgs/{slug}/assemblies/{assembly}/items/{item}/close", FACILITATE),
    ("assemblies.no_quorum", "POST", "/orgs/{slug}/assemblies/{assembly}/no-quorum",
     FACILITATE),
    ("assemblies.second", "POST", "/orgs/{slug}/assemblies/{assembly}/second", FACILITATE),
    ("assemblies.close", "POST", "/orgs/{slug}/assemblies/{assembly}/close", FACILITATE),
    ("assemblies.minutes", "GET", "/orgs/{slug}/assemblies/{assembly}/minutes", READ),
    ("assemblies.minutes_pdf", "GET", "/orgs/{slug}/assemblies/{assembly}/minutes.pdf", READ),
    # The JSON API (issue 14): the token's scopes and member are tested in test_api*.py.
    ("api.get_organisation", "GET", "/api/v1/organisations/{slug}", API),
    ("api.list_members", "GET", "/api/v1/organisations/{slug}/members", API),
    ("api.invite_member", "POST", "/api/v1/organisations/{slug}/members", API),
    ("api.list_proposals", "GET", "/api/v1/organisations/{slug}/proposals", API),
    ("api.create_proposal", "POST", "/api/v1/organisations/{slug}/proposals", API),
    ("api.get_proposal", "GET", "/api/v1/proposals/{proposal}", API),
    ("api.publish_version", "POST", "/api/v1/proposals/{proposal}/versions", API),
    ("api.list_rounds", "GET", "/api/v1/proposals/{vote}/rounds", API),
    ("api.open_round", "POST", "/api/v1/proposals/{vote}/rounds", API),
    ("api.get_round", "GET", "/api/v1/rounds/{vote_round}", API),
    ("api.close_round", "POST", "/api/v1/rounds/{vote_round}/close", API),
    ("api.extend_round", "POST", "/api/v1/rounds/{vote_round}/extend", API),
    ("api.get_ballot", "GET", "/api/v1/rounds/{vote_round}/ballot", API),
    ("api.put_ballot", "PUT", "/api/v1/rounds/{vote_round}/ballot", API),
    ("api.get_result", "GET", "/api/v1/rounds/{vote_round}/result", API),
    ("api.get_case", "GET", "/api/v1/rounds/{closed}/case", API),
    ("api.list_assemblies", "GET", "/api/v1/organisations/{slug}/assemblies", API),
    ("api.get_assembly", "GET", "/api/v1/assemblies/{assembly}", API),
    ("api.get_minutes", "GET", "/api/v1/assemblies/{assembly}/minutes", API),
    ("api.list_audit", "GET", "/api/v1/organisations/{slug}/audit", API),
    ("api.openapi_document", "GET", "/api/v1/openapi.json", PUBLIC),
    ("api.docs", "GET", "/api/v1/docs", PUBLIC),
]


def test_every_route_is_in_the_matrix(app: Flask) -> None:
    routes = {(rule.endpoint, method) for rule in app.url_map.iter_rules()
              if rule.endpoint != "static"
              for method in rule.methods or () if method not in ("HEAD", "OPTIONS")}
    assert routes == {(endpoint, method) for endpoint, method, _, _ in MATRIX}


@pytest.mark.parametrize("visitor", VISITORS)
@pytest.mark.parametrize(("endpoint", "method", "path", "expected"), MATRIX,
                         ids=[f"{e}-{m}" for e, m, _, _ in MATRIX])
def test_each_visitor_gets_the_answer_the_matrix_gives(
        client: FlaskClient, auth: Auth, world: dict[str, object], visitor: str,
        endpoint: str, method: str, path: str, expected: dict[str, str]) -> None:
    if visitor != "anonymous":
        assert auth.login(VISITOR_EMAIL[visitor]).status_code == 302
    response = client.open(path.format(**world), method=method, data={})
    location = response.headers.get("Location", "")
    want = expected[visitor]
    if want == LOGIN:
        assert response.status_code == 302
        assert "/auth/login" in location
    elif want == FORBIDDEN:
        assert response.status_code == 403
    elif want == UNAUTHORIZED:
        assert response.status_code == 401
        assert response.mimetype == "application/problem+json"
    elif want == MISSING:
        assert response.status_code in (404, 410)
    else:
        assert response.status_code in (200, 302), response.status_code
        assert "/auth/login" not in location or endpoint.startswith("auth.")
