"""Organisations may let their members put forward proposals.

Revision ID: 4d5f91975a59
Revises: 89160e46e9ed
Create Date: 2026-11-26 15:05:10.324205
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "4d5f91975a59"
down_revision = "89160e46e9ed"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing organisations keep proposals to facilitators and admins: the server default
    # fills their rows, then goes, as the model has none (two batches: SQLite copies the
    # table in each, and the copy needs the default to fill the new column).
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_member_proposals", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("allow_member_proposals", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_column("allow_member_proposals")
