"""Announcements: an event that tells many people (a round's opening, to its electors) is
one row written in the event's transaction, and the sender writes its notices, one per
person, just after (``models.notice.Announcement``).

A new table only. Rounds opened before this revision wrote their notices at once, as before.

Revision ID: a7e2c9d4b1f3
Revises: d5a1c3e7f902
Create Date: 2026-12-01 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "a7e2c9d4b1f3"
down_revision = "d5a1c3e7f902"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("links", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expanded_at", UTCDateTime(), nullable=True),
        sa.Column("notices", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_announcement_expanded_at", "announcement", ["expanded_at"])


def downgrade() -> None:
    op.drop_index("ix_announcement_expanded_at", table_name="announcement")
    op.drop_table("announcement")
