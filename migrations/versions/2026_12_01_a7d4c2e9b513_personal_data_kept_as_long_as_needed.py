"""Personal data kept as long as needed: each organisation's contact for data requests, how
long it keeps the names of former members and the reasons and comments they wrote, whether
its public pages name members; when a member's writings were removed; when an account was
closed and pseudonymised.

Existing rows get the models' defaults through server defaults, which stay. No table is
copied (no batch mode): on SQLite, dropping the old copy of ``organisation``, ``user`` or
``membership`` would cascade to every row that refers to it; adding and dropping plain
columns needs no copy.

Revision ID: a7d4c2e9b513
Revises: f3b8c6a1d492
Create Date: 2026-12-01 06:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime

revision = "a7d4c2e9b513"
down_revision = "f3b8c6a1d492"
branch_labels = None
depends_on = None

#: (table, column, type, the server default that fills existing rows)
NEW_COLUMNS = (
    ("organisation", "privacy_contact", sa.String(254), ""),
    ("organisation", "former_member_days", sa.Integer(), "0"),
    ("organisation", "record_years", sa.Integer(), "10"),
    ("organisation", "public_names", sa.Boolean(), sa.false()),
)
#: (table, column): moments, empty for existing rows.
NEW_MOMENTS = (
    ("membership", "writings_removed_at"),
    ("user", "closed_at"),
    ("user", "pseudonymised_at"),
)


def upgrade() -> None:
    for table, column, type_, default in NEW_COLUMNS:
        op.add_column(table, sa.Column(column, type_, nullable=False, server_default=default))
    for table, column in NEW_MOMENTS:
        op.add_column(table, sa.Column(column, UTCDateTime(), nullable=True))


def downgrade() -> None:
    for table, column in reversed(NEW_MOMENTS):
        op.drop_column(table, column)
    for table, column, *_ in reversed(NEW_COLUMNS):
        op.drop_column(table, column)
