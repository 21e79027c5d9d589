"""The floor under a ballot request: the same pages as the application's vote (the sign-in
form, the round page, the vote's POST answered by a redirect), with the same libraries
(Flask, its signed session cookie, Flask-WTF's CSRF check, Flask-Login) but no database, no
rule, no audit. ``http_load.py --floor`` serves it under the same gunicorn and load, so that
the application's figures stand beside what the framework alone costs on this machine.

    gunicorn benchmarks.floor_app:app   (``http_load.py --floor`` starts it)
"""

from __future__ import annotations

from flask import Flask, flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, UserMixin, current_user, login_required, login_user
from flask_wtf.csrf import CSRFProtect, generate_csrf

app = Flask(__name__)
app.config.update(SECRET_KEY="floor",  # noqa: S106 (the same in every worker; no secret)
                  SESSION_COOKIE_HTTPONLY=True)
CSRFProtect(app)
logins = LoginManager(app)


class Person(UserMixin):  # type: ignore[misc]
    def __init__(self, email: str) -> None:
        self.id = email


@logins.user_loader  # type: ignore[untyped-decorator]
def load(email: str) -> Person:
    return Person(email)


def _form(action: str) -> str:
    return (f'<form method="post" action="{action}"><input name="csrf_token"'
            f' type="hidden" value="{generate_csrf()}"></form>')


@app.get("/auth/login")
def login_page() -> str:
    return _form("/auth/login")


@app.post("/auth/login")
def login() -> ResponseReturnValue:
    login_user(Person(request.form["email"]))
    return redirect("/")


@app.get("/orgs/<slug>/proposals/<int:proposal>/rounds/<int:round_>")
@login_required  # type: ignore[untyped-decorator]
def round_page(slug: str, proposal: int, round_: int) -> str:
    return _form(request.path + "/vote")


@app.post("/orgs/<slug>/proposals/<int:proposal>/rounds/<int:round_>/vote")
@login_required  # type: ignore[untyped-decorator]
def vote(slug: str, proposal: int, round_: int) -> ResponseReturnValue:
    flash(f"Your position is recorded: {request.form['position']} ({current_user.id}).")
    return redirect(request.path.removesuffix("/vote"))
