"""People who sign in."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime

if TYPE_CHECKING:
    from .organisation import Membership


def session_identifier(user_id: int, session_version: int | None, password_hash: str) -> str:
    """The identifier a person's sessions carry (``User.get_id``): the id, the session
    version and a short digest of the password hash, which changes whenever the password
    does and tells nothing of it (the hash's salt stays secret)."""
    fingerprint = hashlib.sha256(password_hash.encode()).hexdigest()[:16]
    return f"{user_id}-{session_version or 0}-{fingerprint}"


class User(UserMixin, Base):
    """A person with an account; belongs to organisations through memberships."""

    __tablename__ = "user"
    __table_args__ = (Index("ix_user_calendar_token_hash", "calendar_token_hash", unique=True),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Bumped at sign-out and password change: a session cookie made before is then refused.
    session_version: Mapped[int] = mapped_column(Integer, default=0)
    # The hash of the token of this person's calendar feed (None: no feed); revoking it
    # makes a new one.
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64))
    # Closed by its owner (no sign-in from then on); pseudonymised: name and e-mail replaced
    # ("Former member 17"), what the records of decisions keep of the person is ids only
    # (services.personal_data).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pseudonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the password hash: it changes whenever the password does, and
        tells nothing of the password (the hash's salt stays secret)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """The session's identifier of this person (Flask-Login): the id, the session version
        and the password fingerprint, so that signing out or changing the password ends every
        session and "remember me" cookie made before, even a copied one."""
        return session_identifier(self.id, self.session_version, self.password_hash)
