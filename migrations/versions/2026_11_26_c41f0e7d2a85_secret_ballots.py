"""Secret ballots: who took part (participation) apart from what was voted (secret_ballot).

Revision ID: c41f0e7d2a85
Revises: b7e3a1c9d402
Create Date: 2026-11-26 15:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "c41f0e7d2a85"
down_revision = "b7e3a1c9d402"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "participation",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"],
                                name=op.f("fk_participation_membership_id_membership"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"],
                                name=op.f("fk_participation_round_id_round"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "membership_id", name=op.f("pk_participation")),
    )
    # No rowid on SQLite: the storage order would follow the order of the participations.
    op.create_table(
        "secret_ballot",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("college", sa.String(length=80), nullable=True),
        sa.Column("vote_weight", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"],
                                name=op.f("fk_secret_ballot_round_id_round"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_secret_ballot")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("secret_ballot", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_secret_ballot_round_id"), ["round_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("secret_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_ballot_round_id"))
    op.drop_table("secret_ballot")
    op.drop_table("participation")
