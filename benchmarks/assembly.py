"""What the web benchmarks share: a fresh database of their own (SQLite in
``benchmarks/data/``, or a PostgreSQL database created and dropped), and an organisation with
its members and one open vote, made through the services.

Imported by ``http_load.py``, ``results_scale.py`` and ``openslides_compare.py`` (run as
scripts from ``benchmarks/``, so this folder is on their path).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import create_engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from decisions.web import create_app, db, migrate
from decisions.web.models import Membership, Organisation, Role, RoundKind, User
from decisions.web.services import accounts, organisations, proposals, rounds

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "benchmarks" / "data"
#: Where the PostgreSQL databases of the benchmarks are created (and dropped): the server's
#: maintenance database, reached as a superuser.
POSTGRES_ADMIN_URL = os.environ.get("DECISIONS_BENCH_POSTGRES_URL",
                                    "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
#: Werkzeug's hash of the benchmark accounts: signing a thousand members in measures the
#: vote, not scrypt (which is what the application uses otherwise).
FAST_HASH = "pbkdf2:sha256:1000"
PASSWORD = "benchmark member"  # noqa: S105 - throwaway accounts of a throwaway database
OWNER = "owner@example.org"
SLUG = "bench"


@contextmanager
def work_folder(name: str) -> Iterator[Path]:
    """A folder of its own under ``benchmarks/data/`` (on the disk, as a server's database
    would be), removed afterwards."""
    DATA.mkdir(exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f"{name}-", dir=DATA))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def fresh_database(postgres: bool, folder: Path) -> Iterator[str]:
    """The URL of an empty database migrated to the latest schema: a SQLite file in
    ``folder``, or a PostgreSQL database of its own, dropped afterwards."""
    if not postgres:
        url = f"sqlite:///{folder / 'bench.sqlite'}"
        migrate.upgrade(url)
        yield url
        return
    name = f"decisions_bench_{os.getpid()}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(
            hide_password=False)
        migrate.upgrade(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def setup_app(url: str, folder: Path) -> Flask:
    """The application as the benchmarks' own setup and checks use it (not the server's)."""
    return create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "benchmark setup",
                       "INSTANCE_PATH": str(folder / "instance"),
                       "AUDIT_FOLDER": str(folder / "audit"),
                       "PASSWORD_HASH_METHOD": FAST_HASH})


def server_environment(url: str, folder: Path) -> dict[str, str]:
    """The ``DECISIONS_*`` settings of the application under gunicorn: the benchmark's
    database, the fast hash, plain HTTP cookies, no sign-in limit (a thousand members sign
    in from one address), no scheduler in the workers."""
    return {**os.environ, "DECISIONS_DATABASE_URL": url,
            "DECISIONS_SECRET_KEY": "benchmark server",
            "DECISIONS_PASSWORD_HASH_METHOD": FAST_HASH,
            "DECISIONS_RATELIMIT_ENABLED": "false", "DECISIONS_SECURE_COOKIES": "false",
            "DECISIONS_SCHEDULER": "off", "DECISIONS_MAIL_BACKEND": "console",
            "DECISIONS_AUDIT_FOLDER": str(folder / "audit")}


@dataclass(frozen=True)
class Assembly:
    """An organisation, its members (``emails[i]`` is ``memberships[i]``) and one open vote;
    its owner (an admin) is in the electorate but never votes, so that no benchmark ballot
    is the last one and closes the round by itself."""

    slug: str
    proposal_id: int
    round_id: int
    emails: list[str]
    memberships: list[int]
    owner_membership: int
    opened_at: datetime

    @property
    def round_path(self) -> str:
        return f"/orgs/{self.slug}/proposals/{self.proposal_id}/rounds/{self.round_id}"


def email_of(index: int) -> str:
    return f"member{index:06d}@example.org"


def open_assembly(app: Flask, members: int, *, bulk: bool = False,
                  opened_at: datetime | None = None) -> Assembly:
    """An association with ``members`` members and a majority vote open for a day from
    ``opened_at`` (now by default). Accounts are made through the accounts service one by
    one, or, with ``bulk``, inserted in two statements (a hundred thousand members)."""
    opened_at = opened_at or datetime.now(UTC)
    with app.app_context(), db.transaction() as session:
        owner = accounts.create_user(session, email=OWNER, name="Owner", password=PASSWORD,
                                     now=opened_at)
        organisation = organisations.create_organisation(session, owner, name="Benchmark",
                                                         slug=SLUG, is_scic=False, now=opened_at)
        emails = [email_of(i) for i in range(members)]
        if bulk:
            _insert_members(session, organisation.id, emails, opened_at)
        else:
            for email in emails:
                user = accounts.create_user(session, email=email, name=email.split("@")[0],
                                            password=PASSWORD, now=opened_at)
                session.add(Membership(organisation_id=organisation.id, user_id=user.id,
                                       role=Role.MEMBER, vote_weight=1, joined_at=opened_at))
            session.flush()
        ids = dict(session.execute(select(User.email, Membership.id).join(
            Membership, Membership.user_id == User.id).where(
                Membership.organisation_id == organisation.id)).tuples().all())
        author = session.scalars(select(Membership).where(
            Membership.organisation_id == organisation.id,
            Membership.user_id == owner.id)).one()
        proposal = proposals.create_proposal(
            session, session.get_one(Organisation, organisation.id), author,
            title="Budget 2027", body="The assembly adopts the budget.", family="majority",
            params={"preset": "association_default"}, now=opened_at)
        round_ = rounds.open_round(session, proposal, RoundKind.VOTE,
                                   closes_at=opened_at + timedelta(days=1), now=opened_at)
        assembly = Assembly(SLUG, proposal.id, round_.id, emails, [ids[e] for e in emails],
                            author.id, opened_at)
    db.engine_of(app).dispose()
    return assembly


def _insert_members(session: Session, organisation_id: int, emails: list[str],
                    joined_at: datetime) -> None:
    """Accounts and memberships in two statements, every account with the same hash."""
    password_hash = accounts.hash_password(PASSWORD)
    session.execute(insert(User), [
        {"email": email, "name": email.split("@")[0], "password_hash": password_hash,
         "created_at": joined_at, "session_version": 0} for email in emails])
    users = session.scalars(select(User.id).where(User.email.like("member%@example.org")))
    session.execute(insert(Membership), [
        {"organisation_id": organisation_id, "user_id": user_id, "role": Role.MEMBER,
         "vote_weight": 1, "joined_at": joined_at} for user_id in users])
