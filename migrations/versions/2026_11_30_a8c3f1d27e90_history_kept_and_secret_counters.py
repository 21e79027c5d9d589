"""History is kept and secret ballots become counters.

- ``membership.ended_at``: leaving ends a membership instead of deleting it.
- ``round.closed_by_id``, ``round.colleges_json`` (the colleges as they were at the opening),
  ``round.failure`` (why a round could not be evaluated).
- ``user.session_version``: bumped at sign-out, so that an old session cookie is refused.
- ``proposal_version.body_html``, ``proposal.outcome_statement_html``: Markdown rendered and
  sanitised once, when saved.
- ``secret_tally`` replaces ``secret_ballot``: counters per round, college and position that
  every ballot adds to at once, so that no stored row belongs to one ballot. Existing secret
  ballots are added up into the counters, then their rows are dropped.

Revision ID: a8c3f1d27e90
Revises: c41f0e7d2a85
Create Date: 2026-11-30 18:00:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime
from decisions.web.models.secret import COUNT_OFFSET, FixedWidthCount

revision = "a8c3f1d27e90"
down_revision = "c41f0e7d2a85"
branch_labels = None
depends_on = None

VOTE_POSITIONS = ("yes", "no", "abstain", "blank")


def upgrade() -> None:
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_version", sa.Integer(), nullable=False,
                                      server_default="0"))
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.alter_column("session_version", server_default=None)
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body_html", sa.Text(), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.alter_column("body_html", server_default=None)
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("outcome_statement_html", sa.Text(), nullable=False,
                                      server_default=""))
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.alter_column("outcome_statement_html", server_default=None)
    _render_bodies(op.get_bind())
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("colleges_json", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("failure", sa.Text(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_round_closed_by_id_membership"),
                                    "membership", ["closed_by_id"], ["id"], ondelete="SET NULL")
    op.create_table(
        "secret_tally",
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("college", sa.String(length=80), nullable=False),
        sa.Column("position", sa.String(length=20), nullable=False),
        sa.Column("ballots", FixedWidthCount(), nullable=False),
        sa.Column("weight", FixedWidthCount(), nullable=False),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"],
                                name=op.f("fk_secret_tally_round_id_round"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("round_id", "college", "position", name=op.f("pk_secret_tally")),
    )
    connection = op.get_bind()
    _snapshot_colleges(connection)
    _count_secret_ballots(connection)
    with op.batch_alter_table("secret_ballot", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_secret_ballot_round_id"))
    op.drop_table("secret_ballot")


def _render_bodies(connection: sa.Connection) -> None:
    """Every existing version gets its rendered body."""
    from decisions.web.markdown import render

    for version_id, body in connection.execute(sa.text(
            "select id, body from proposal_version")).all():
        connection.execute(sa.text("update proposal_version set body_html = :h where id = :i"),
                           {"h": str(render(body)), "i": version_id})
    for proposal_id, statement in connection.execute(sa.text(
            "select id, outcome_statement from proposal where outcome_statement <> ''")).all():
        connection.execute(sa.text(
            "update proposal set outcome_statement_html = :h where id = :i"),
            {"h": str(render(statement)), "i": proposal_id})


def _snapshot_colleges(connection: sa.Connection) -> None:
    """Closed college votes take their colleges from their stored case; open ones from the
    organisation as it is now."""
    rounds = connection.execute(sa.text(
        "select r.id, r.case_json, p.organisation_id from round r join proposal p"
        " on p.id = r.proposal_id where p.family = 'scic_college'")).all()
    for round_id, case_json, organisation_id in rounds:
        colleges = None
        if case_json:
            colleges = json.loads(case_json).get("params", {}).get("colleges")
        if colleges is None:
            colleges = [{"id": name, "weight": weight} for name, weight in connection.execute(
                sa.text("select name, weight from college where organisation_id = :o"
                        " order by id"), {"o": organisation_id})]
        connection.execute(sa.text("update round set colleges_json = :c where id = :r"),
                           {"c": json.dumps(colleges, ensure_ascii=False), "r": round_id})


def _count_secret_ballots(connection: sa.Connection) -> None:
    """Every secret round gets a counter per college of its electorate and position, holding
    the sum of its former ballot rows."""
    rounds = connection.execute(sa.text(
        "select r.id from round r join proposal p on p.id = r.proposal_id"
        " where p.secret = :t"), {"t": True}).scalars().all()
    for round_id in rounds:
        colleges = {row or "" for row in connection.execute(sa.text(
            "select distinct college from elector where round_id = :r"), {"r": round_id})
            .scalars()}
        sums = {(college or "", position): (int(count), int(weight))
                for college, position, count, weight in connection.execute(sa.text(
                    "select college, position, count(*), sum(vote_weight) from secret_ballot"
                    " where round_id = :r group by college, position"), {"r": round_id})}
        colleges |= {college for college, _ in sums}
        positions = sorted(set(VOTE_POSITIONS) | {position for _, position in sums})
        for college in sorted(colleges):
            for position in positions:
                count, weight = sums.get((college, position), (0, 0))
                connection.execute(sa.text(
                    "insert into secret_tally (round_id, college, position, ballots, weight)"
                    " values (:r, :c, :p, :b, :w)"),
                    {"r": round_id, "c": college, "p": position, "b": count + COUNT_OFFSET,
                     "w": weight + COUNT_OFFSET})


def downgrade() -> None:
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
    op.drop_table("secret_tally")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_round_closed_by_id_membership"),
                                 type_="foreignkey")
        batch_op.drop_column("failure")
        batch_op.drop_column("colleges_json")
        batch_op.drop_column("closed_by_id")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("ended_at")
    with op.batch_alter_table("proposal_version", schema=None) as batch_op:
        batch_op.drop_column("body_html")
    with op.batch_alter_table("proposal", schema=None) as batch_op:
        batch_op.drop_column("outcome_statement_html")
    with op.batch_alter_table("user", schema=None) as batch_op:
        batch_op.drop_column("session_version")
