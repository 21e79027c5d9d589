"""Audit entries chained after their commit: ``seq``, ``previous_hash`` and ``hash`` may be
empty while an entry waits to be sealed (``services.audit``); and an index by organisation
and kind, for the pages and checks that look for one kind of entry (closes, ballots).

Revision ID: c7d2e8f4a613
Revises: 5b2e9d4c7a31
Create Date: 2026-12-01 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7d2e8f4a613"
down_revision = "5b2e9d4c7a31"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64),
                              nullable=True)
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=True)
        batch_op.create_index("ix_audit_entry_kind", ["organisation_id", "kind"], unique=False)


def downgrade() -> None:
    # Entries still pending cannot be left without a number: a downgrade needs them sealed.
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_kind")
        batch_op.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("previous_hash", existing_type=sa.String(length=64),
                              nullable=False)
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
