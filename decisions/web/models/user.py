"""People who sign in."""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, UTCDateTime

if TYPE_CHECKING:
    from .organisation import Membership


class User(UserMixin, Base):
    """A person with an account; belongs to organisations through memberships."""

    __tablename__ = "user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @property
    def password_fingerprint(self) -> str:
        """A short digest of the password hash: it changes whenever the password does, and
        tells nothing of the password (the hash's salt stays secret)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]

    def get_id(self) -> str:
        """The session's identifier of this person (Flask-Login): the id and the password
        fingerprint, so that changing the password signs out every other session and
        "remember me" cookie."""
        return f"{self.id}-{self.password_fingerprint}"
