"""Notices (the outbox and in-application notifications) and what members receive: the
organisation's language and answer links, each member's choice of e-mails, a person's
calendar feed token, a proposal's reminder.

Existing rows get the models' defaults through server defaults, which stay. No table is
copied (no batch mode): on SQLite, dropping the old copy of ``organisation``, ``user`` or
``membership`` would cascade to every row that refers to it; adding and dropping plain
columns and indexes needs no copy.

Revision ID: e4a9b7c2d815
Revises: dfaef42ac67b
Create Date: 2026-12-01 05:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "e4a9b7c2d815"
down_revision = "dfaef42ac67b"
branch_labels = None
depends_on = None

#: (table, column, type, the server default that fills existing rows)
NEW_COLUMNS = (
    ("organisation", "language", sa.String(8), "fr"),
    ("organisation", "answer_links", sa.Boolean(), sa.true()),
    ("membership", "notify", sa.String(12), "all"),
    ("membership", "muted", sa.String(200), ""),
)


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(254), nullable=True),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("delivery", sa.String(12), nullable=False),
        sa.Column("send_after", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("claimed_at", UTCDateTime(), nullable=True),
        sa.Column("claim", sa.String(32), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("digest_id", sa.Integer(), nullable=True),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("link_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["notice.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_notice_delivery", "notice", ["delivery", "send_after"])
    op.create_index("ix_notice_user_org", "notice", ["user_id", "organisation_id", "read_at"])
    op.create_index("ix_notice_round_kind", "notice", ["round_id", "kind", "user_id"])
    for table, column, type_, default in NEW_COLUMNS:
        op.add_column(table, sa.Column(column, type_, nullable=False, server_default=default))
    op.add_column("user", sa.Column("calendar_token_hash", sa.String(64), nullable=True))
    op.create_index("ix_user_calendar_token_hash", "user", ["calendar_token_hash"], unique=True)
    op.add_column("proposal", sa.Column("reminder_hours", sa.Integer(), nullable=True))
    # Existing proposals keep the default reminder: 24 hours before the deadline.
    op.execute("UPDATE proposal SET reminder_hours = 24")


def downgrade() -> None:
    op.drop_column("proposal", "reminder_hours")
    op.drop_index("ix_user_calendar_token_hash", table_name="user")
    op.drop_column("user", "calendar_token_hash")
    for table, column, *_ in reversed(NEW_COLUMNS):
        op.drop_column(table, column)
    op.drop_index("ix_notice_round_kind", table_name="notice")
    op.drop_index("ix_notice_user_org", table_name="notice")
    op.drop_index("ix_notice_delivery", table_name="notice")
    op.drop_table("notice")
