"""Indexes that a close reads alone (``round_cases.electorate_tally``): the ballots' index
by round and member holds the position too (it replaces the index of (round, member, id),
which served the same lookups), so that each elector's ballot is found without reading the
ballot rows, which lie in the order ballots were cast; and the electors' index by round,
college and position holds the member and their counted ballot too, so that the electors
are read from it alone.

Revision ID: dfaef42ac67b
Revises: c7d2e8f4a613
Create Date: 2026-12-01 04:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "dfaef42ac67b"
down_revision = "c7d2e8f4a613"
branch_labels = None
depends_on = None


ELECTOR_INDEX = "ix_elector_round_position"
ELECTOR_COLUMNS = ["round_id", "college", "position", "vote_weight"]


def upgrade() -> None:
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index("ix_ballot_round_member_position",
                              ["round_id", "membership_id", "id", "position"], unique=False)
        batch_op.drop_index("ix_ballot_round_member")
    with op.batch_alter_table("elector", schema=None) as batch_op:
        batch_op.drop_index(ELECTOR_INDEX)
        batch_op.create_index(ELECTOR_INDEX, [*ELECTOR_COLUMNS, "membership_id", "ballot_id"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("elector", schema=None) as batch_op:
        batch_op.drop_index(ELECTOR_INDEX)
        batch_op.create_index(ELECTOR_INDEX, ELECTOR_COLUMNS, unique=False)
    with op.batch_alter_table("ballot", schema=None) as batch_op:
        batch_op.create_index("ix_ballot_round_member", ["round_id", "membership_id", "id"],
                              unique=False)
        batch_op.drop_index("ix_ballot_round_member_position")
