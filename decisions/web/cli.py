"""The ``decisions`` command: a Flask CLI group around ``create_app``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from . import create_app, db, migrate
from .services import accounts


@click.group(cls=FlaskGroup, create_app=create_app)
def cli() -> None:
    """decisions: democratic decisions for cooperatives."""


@cli.group("db")
def db_group() -> None:
    """The database."""


@db_group.command("upgrade")
@click.option("--revision", default="head", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Upgrade the database to the latest schema (creates it when empty)."""
    migrate.upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database at {revision}.")


@cli.group("user")
def user_group() -> None:
    """Accounts."""


@user_group.command("create")
@click.option("--email", prompt=True)
@click.option("--name", prompt=True)
@click.password_option()
@with_appcontext
def user_create(email: str, name: str, password: str) -> None:
    """Create an account."""
    try:
        with db.transaction() as session:
            user = accounts.create_user(session, email=email, name=name, password=password)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Account {user.email} created.")


@cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no organisation.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Seed a demo network of cooperative platforms and print its logins."""
    from .demo import seed

    logins = seed(only_if_empty=if_empty)
    if logins is None:
        click.echo("The database already has organisations: no demo added.")
        return
    click.echo("Demo organisation ready. Sign in at http://127.0.0.1:5000/auth/login with:")
    for email, password, role in logins:
        click.echo(f"  {email:<32} {password:<16} {role}")


def main() -> None:
    """Entry point of the ``decisions`` console script."""
    cli()
