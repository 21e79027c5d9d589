"""Public registers and reviews told: whether an organisation makes its register of decisions
public (its admins' choice, replacing the server's ``PUBLIC_REGISTERS`` list of slugs), and
the review date whose coming a decision's proposer was told of.

Two plain columns: no table is copied (no batch mode), so that on SQLite nothing that refers
to ``organisation`` is cascaded. Existing organisations keep a private register (the server
default, which stays); no review was told before.

Revision ID: d5a1c3e7f902
Revises: d5c1a8e3f720
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5a1c3e7f902"
down_revision = "d5c1a8e3f720"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("organisation", sa.Column("public_register", sa.Boolean(), nullable=False,
                                            server_default=sa.false()))
    op.add_column("proposal", sa.Column("review_told_on", sa.Date(), nullable=True))


def downgrade() -> None:
    op.drop_column("proposal", "review_told_on")
    op.drop_column("organisation", "public_register")
