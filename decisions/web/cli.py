"""The ``decisions`` command: a Flask CLI group around ``create_app``."""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

import click
from flask import current_app
from flask.cli import FlaskGroup, ScriptInfo, with_appcontext
from flask.cli import run_command as flask_run_command
from flask.helpers import get_debug_flag
from sqlalchemy import select
from sqlalchemy.orm import Session

from . import create_app, db, migrate, notice_mail, scheduler
from .api import sending
from .config import audit_folder
from .models import Organisation, Round, Scope
from .services import (
    accounts,
    api_tokens,
    audit,
    checkpoints,
    organisations,
    personal_data,
    recount,
)
from .services.checkpoints import Head


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
            user = accounts.create_user(session, email=email, name=name, password=password,
                                        now=db.utcnow())
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Account {user.email} created.")


@user_group.command("export")
@click.argument("email")
@click.option("--output", type=click.File("w", encoding="utf-8"), default="-",
              help="Write the JSON to this file (default: standard output).")
@with_appcontext
def user_export(email: str, output: Any) -> None:
    """Print everything the application holds about the account EMAIL, as JSON (the
    person's right of access and portability)."""
    session = db.session()
    user = accounts.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    json.dump(personal_data.export(session, user, db.utcnow()), output, ensure_ascii=False,
              indent=2)
    output.write("\n")


@cli.command("keep-personal-data")
@with_appcontext
def keep_personal_data_command() -> None:
    """Pseudonymise the accounts due, remove the writings of former members due and purge
    what served, once (for cron; the scheduler does it hourly); print what was done."""
    kept = scheduler.keep_personal_data(current_app._get_current_object())  # type: ignore[attr-defined]
    if kept is None:
        raise click.ClickException("Personal data could not be kept to their periods: see the"
                                   " log.")
    click.echo(f"Personal data: {kept}.")


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
    click.echo("Its proposals show every decision rule at work: a consent round open for five"
               " more days, a sociocratic consent after an objection, a general assembly by"
               " colleges, a second convocation, and an election.")


def _run(**options: Any) -> None:
    """Flask's ``run``, with the in-process scheduler started before and stopped after."""
    ctx = click.get_current_context()
    try:
        app = ctx.ensure_object(ScriptInfo).load_app()
    except Exception:
        app = None  # Flask's own run reports the error (or serves it, under the reloader)
    reloading = options["reload"] if options["reload"] is not None else get_debug_flag()
    try:
        in_process = None if app is None else scheduler.start_in_process(app,
                                                                         reloading=reloading)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    try:
        ctx.invoke(flask_run_command.callback, **options)  # type: ignore[arg-type]
    finally:
        if in_process is not None and in_process.running:
            in_process.shutdown()


cli.add_command(click.Command(
    "run", callback=_run, params=list(flask_run_command.params),
    short_help="Run a development server (and the scheduler, in-process).",
    help=f"""Run a development server, with the scheduler that closes due rounds in the
    serving process (unless SCHEDULER is "off"; never in the reloader's watching parent).

    {flask_run_command.help}"""))


@cli.command("close-due")
@with_appcontext
def close_due_command() -> None:
    """Close the rounds whose deadline has passed, once (for cron); print how many."""
    closed = scheduler.close_due_rounds(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo(f"{len(closed)} due round{'' if len(closed) == 1 else 's'} closed.")


@cli.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run only the scheduler that closes due rounds (one per deployment), until SIGINT or
    SIGTERM."""
    scheduler.run_blocking(current_app._get_current_object())  # type: ignore[attr-defined]


@cli.command("send-mail")
@click.option("--loop", is_flag=True, help="Go on, looking at the outbox every few seconds,"
              " until SIGINT or SIGTERM.")
@click.option("--interval", default=scheduler.MAIL_INTERVAL_SECONDS, show_default=True,
              type=click.FloatRange(min=0.1), help="Seconds between two looks (with --loop).")
@with_appcontext
def send_mail_command(loop: bool, interval: float) -> None:
    """Send the e-mails waiting in the outbox (and compose the daily digests due), once (for
    cron) or in a loop; print what was sent. Safe beside the scheduler and other senders."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if not loop:
        click.echo(f"Mail: {notice_mail.send_mail(app)}.")
        return
    stopping = threading.Event()
    previous = {s: signal.signal(s, lambda signum, frame: stopping.set())
                for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stopping.is_set():
            try:
                report = notice_mail.send_mail(app)
            except Exception as error:  # the database away: look again at the next turn
                click.echo(f"Mail could not be sent: {error}", err=True)
            else:
                if report.sent or report.printed or report.retried or report.failed:
                    click.echo(f"Mail: {report}.")
            stopping.wait(interval)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@cli.group("token")
def token_group() -> None:
    """API tokens."""


@token_group.command("create")
@click.option("--email", required=True, help="The account the token acts as (or, with"
              " --organisation, the admin who makes it).")
@click.option("--name", required=True, help="What the token is for.")
@click.option("--scope", "scopes", multiple=True, required=True,
              type=click.Choice([scope.value for scope in Scope]),
              help="What it may do (repeat for several).")
@click.option("--days", default=api_tokens.DEFAULT_DAYS, show_default=True, type=int,
              help="Days before it expires.")
@click.option("--organisation", "slug", metavar="SLUG",
              help="Make an organisation's token (the account must be one of its admins).")
@with_appcontext
def token_create(email: str, name: str, scopes: tuple[str, ...], days: int,
                 slug: str | None) -> None:
    """Make an API token and print it, once: only its hash is kept."""
    session = db.session()
    user = accounts.find_by_email(session, email)
    if user is None:
        raise click.ClickException(f"No account has the address {email}.")
    try:
        with db.transaction() as session:
            if slug is None:
                issued = api_tokens.create_personal(session, user, name=name, scopes=scopes,
                                                    days=days, now=db.utcnow())
            else:
                organisation = session.scalar(select(Organisation).where(
                    Organisation.slug == slug))
                member = None if organisation is None else organisations.membership_of(
                    session, user, organisation)
                if organisation is None or member is None:
                    raise click.ClickException(f"{email} is not a member of {slug!r}.")
                issued = api_tokens.create_for_organisation(
                    session, organisation, member, name=name, scopes=scopes, days=days,
                    now=db.utcnow())
    except api_tokens.TokenError as error:
        raise click.ClickException(str(error)) from None
    click.echo(issued.text)
    click.echo(f"Token {issued.token.name!r} ({' '.join(sorted(scopes))}), until"
               f" {issued.token.expires_at:%Y-%m-%d %H:%M} UTC. Shown once: copy it now.",
               err=True)


@cli.command("send-webhooks")
@with_appcontext
def send_webhooks_command() -> None:
    """Turn new events into webhook deliveries and send those due, once (the scheduler
    does it every few seconds); print what was done. Safe beside other senders."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Webhooks: {sending.send_webhooks(app)}.")


@cli.group("audit")
def audit_group() -> None:
    """The audit log."""


@audit_group.command("verify")
@click.option("--head", "head", metavar="LENGTH:HASH",
              help="A head of the chain kept by a member (printed on the audit page).")
@click.option("--organisation", "slug", metavar="SLUG",
              help="The organisation of --head (needed when there are several).")
@with_appcontext
def audit_verify(head: str | None, slug: str | None) -> None:
    """Check every organisation's audit chain, that every ballot still matches its entry and
    every closed round its closing entry, and each chain against its signed checkpoints (and
    --head); name each problem and exit non-zero on any."""
    session = db.session()
    heads = _heads(session, head, slug)
    organisations, entries, problems = audit.verify(session, db.utcnow())
    problems += checkpoints.verify(session, audit_folder(current_app), heads)
    for problem in problems:
        organisation = session.get(Organisation, problem.organisation_id)
        where = f"organisation {organisation.slug if organisation else problem.organisation_id}"
        if problem.seq:
            where += f", entry {problem.seq}"
        click.echo(f"{where}: {problem.problem}", err=True)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"{organisations} organisation{'' if organisations == 1 else 's'},"
               f" {entries} audit entr{'y' if entries == 1 else 'ies'}: every chain holds and"
               " matches its checkpoints, every ballot and closed round matches its entry.")


def _heads(session: Session, head: str | None, slug: str | None) -> dict[int, Head]:
    """The member's head of ``--head``, by organisation id."""
    if head is None:
        if slug is not None:
            raise click.UsageError("--organisation goes with --head.")
        return {}
    try:
        parsed = Head.parse(head)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--head") from None
    query = select(Organisation)
    if slug is not None:
        query = query.where(Organisation.slug == slug)
    found = list(session.scalars(query.limit(2)))
    if slug is not None and not found:
        raise click.BadParameter(f"no organisation {slug!r}", param_hint="--organisation")
    if len(found) != 1:
        raise click.UsageError("Name the organisation of --head with --organisation SLUG.")
    return {found[0].id: parsed}


@cli.command("recount")
@click.argument("round_id", metavar="ROUND", type=int, required=False)
@click.option("--all", "every", is_flag=True, help="Every closed round.")
@with_appcontext
def recount_command(round_id: int | None, every: bool) -> None:
    """Evaluate closed rounds again from their stored cases, and gather their cases again
    from the current rows: print each difference and exit non-zero on any."""
    if every == (round_id is not None):
        raise click.UsageError("Give a ROUND id or --all.")
    session = db.session()
    if every:
        rounds_ = recount.closed_rounds(session)
    else:
        round_ = session.get(Round, round_id)
        if round_ is None or round_.case_json is None:
            raise click.ClickException(f"Round {round_id} is not a closed round with a case.")
        rounds_ = [round_]
    different = 0
    for round_ in rounds_:
        found = recount.recount(session, round_)
        name = (f"round {round_.id} ({round_.proposal.organisation.slug}/proposal-"
                f"{round_.proposal_id}/round-{round_.number})")
        for difference in found:
            click.echo(f"{name}: {difference}", err=True)
        different += bool(found)
    if different:
        click.echo(f"{different} of {len(rounds_)} rounds differ.", err=True)
        raise click.exceptions.Exit(1)
    click.echo(f"{len(rounds_)} closed round{'' if len(rounds_) == 1 else 's'} recounted:"
               " no difference.")


def main() -> None:
    """Entry point of the ``decisions`` console script."""
    cli()
