"""Each elector's counted ballot: ``elector.ballot_id`` and ``elector.position``.

The ballot that counts for a member of a round's electorate (the latest, or the first when
the rule refuses changes) and its position, kept by the statement that follows each stored
ballot, so that counts and the list of voters read one row per elector instead of every
ballot ever cast. Indexed by round, college and position (with the vote weight) so that a
round's counts are read from the index alone.

Existing rows are filled from the ballots: the latest ballot of each elector, or the first
in the rounds whose rule refuses changes (``allow_vote_change: false``, which only the
proposal's own parameters set: no preset does; sociocratic processes always take the
latest). Secret rounds have no ballot rows, so their electors keep none.

Revision ID: 5b2e9d4c7a31
Revises: a8c3f1d27e90
Create Date: 2026-12-01 10:00:00.000000
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "5b2e9d4c7a31"
down_revision = "a8c3f1d27e90"
branch_labels = None
depends_on = None

elector = sa.table("elector", sa.column("round_id", sa.Integer),
                   sa.column("membership_id", sa.Integer), sa.column("ballot_id", sa.Integer),
                   sa.column("position", sa.String))
ballot = sa.table("ballot", sa.column("id", sa.Integer), sa.column("round_id", sa.Integer),
                  sa.column("membership_id", sa.Integer), sa.column("position", sa.String))


def upgrade() -> None:
    with op.batch_alter_table("elector", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ballot_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("position", sa.String(length=20), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_elector_ballot_id_ballot"), "ballot",
                                    ["ballot_id"], ["id"], ondelete="SET NULL")
        batch_op.create_index("ix_elector_round_position",
                              ["round_id", "college", "position", "vote_weight"], unique=False)
    _fill(sa.func.max, None)
    first_only = _first_only_rounds()
    if first_only:
        _fill(sa.func.min, first_only)
    op.execute(elector.update().where(elector.c.ballot_id.is_not(None)).values(
        position=sa.select(ballot.c.position).where(ballot.c.id == elector.c.ballot_id)
        .scalar_subquery()))


def _fill(pick: Callable[..., Any], rounds: list[int] | None) -> None:
    """Each elector's ballot picked by ``pick`` (max or min id), in ``rounds`` (all: None)."""
    chosen = (sa.select(pick(ballot.c.id))
              .where(ballot.c.round_id == elector.c.round_id,
                     ballot.c.membership_id == elector.c.membership_id).scalar_subquery())
    update = elector.update().values(ballot_id=chosen)
    if rounds is not None:
        update = update.where(elector.c.round_id.in_(rounds))
    op.execute(update)


def _first_only_rounds() -> list[int]:
    """Votes and consent rounds of proposals whose own parameters refuse changes."""
    rows = op.get_bind().execute(sa.text(
        "SELECT round.id, proposal.family, proposal.params FROM round"
        " JOIN proposal ON proposal.id = round.proposal_id"
        " WHERE round.kind IN ('vote', 'consent')")).all()
    return [round_id for round_id, family, params in rows
            if not family.startswith("sociocratic")
            and json.loads(params or "{}").get("allow_vote_change") is False]


def downgrade() -> None:
    with op.batch_alter_table("elector", schema=None) as batch_op:
        batch_op.drop_index("ix_elector_round_position")
        batch_op.drop_constraint(batch_op.f("fk_elector_ballot_id_ballot"), type_="foreignkey")
        batch_op.drop_column("position")
        batch_op.drop_column("ballot_id")
