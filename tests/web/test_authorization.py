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
    ("account.profile", "GET", "/account/profile", SIGNED_IN),
    ("account.profile", "POST", "/account/profile", SIGNED_IN),
    ("account.password", "POST", "/account/password", SIGNED_IN),
    ("orgs.index", "GET", "/orgs/", SIGNED_IN),
    ("orgs.create", "GET", "/orgs/new", SIGNED_IN),
    ("orgs.create", "POST", "/orgs/new", SIGNED_IN),
    ("orgs.show", "GET", "/orgs/{slug}/", READ),
    ("orgs.settings", "GET", "/orgs/{slug}/settings", ADMIN),
    ("orgs.settings", "POST", "/orgs/{slug}/settings", ADMIN),
    ("orgs.audit", "GET", "/orgs/{slug}/audit", READ),
    ("orgs.members", "GET", "/orgs/{slug}/members", READ),
    ("orgs.member_edit", "GET", "/orgs/{slug}/members/{member}/edit", ADMIN),
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
    elif want == MISSING:
        assert response.status_code in (404, 410)
    else:
        assert response.status_code in (200, 302), response.status_code
        assert "/auth/login" not in location or endpoint.startswith("auth.")
