"""The audit log: a hash-chained list of the events that matter, per organisation.

Revision ID: b7e3a1c9d402
Revises: 4d5f91975a59
Create Date: 2026-11-26 15:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "b7e3a1c9d402"
down_revision = "4d5f91975a59"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"],
                                name=op.f("fk_audit_entry_organisation_id_organisation"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entry")),
        sa.UniqueConstraint("organisation_id", "seq",
                            name=op.f("uq_audit_entry_organisation_id_seq")),
    )


def downgrade() -> None:
    op.drop_table("audit_entry")
