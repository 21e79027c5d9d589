"""Convocation by e-mail only with the member's agreement (C. com. R225-63): when each
member agreed to be convened electronically, and how each member was convened to a sitting
(by e-mail or by post).

One plain nullable column added to ``membership`` (NULL: no agreement, convened by post;
the safe default for the members who exist already, see docs/rules.md "Convocation by
e-mail") and one new table: no table is copied (no batch mode), so that on SQLite nothing
that refers to ``membership`` is cascaded or set to NULL.

Revision ID: d5c1a8e3f720
Revises: b9e4f7a2c610
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "d5c1a8e3f720"
down_revision = "b9e4f7a2c610"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("membership", sa.Column("email_convocation_agreed_at", UTCDateTime(),
                                          nullable=True))
    op.create_table(
        "convened_member",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("by_email", sa.Boolean(), nullable=False),
        sa.Column("agreed_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE",
                                name="fk_convened_member_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"], ondelete="CASCADE",
                                name="fk_convened_member_membership_id_membership"),
        sa.PrimaryKeyConstraint("assembly_id", "membership_id", name="pk_convened_member"),
    )


def downgrade() -> None:
    op.drop_table("convened_member")
    op.drop_column("membership", "email_convocation_agreed_at")
