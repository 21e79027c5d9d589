"""General assemblies: sittings, their agendas, proxies, postal votes (and the secret
resolutions' postal counters), attendance; the proxy holder who cast a ballot.

New tables only, and one plain nullable column added to ``ballot``: no table is copied (no
batch mode), so that on SQLite nothing that refers to a copied table is cascaded or set to
NULL.

Revision ID: b9e4f7a2c610
Revises: a7d4c2e9b513
Create Date: 2026-12-01 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from decisions.web.db import UTCDateTime
from decisions.web.models.secret import FixedWidthCount

revision = "b9e4f7a2c610"
down_revision = "a7d4c2e9b513"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assembly",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.Enum("ordinary", "extraordinary", "both", name="assemblykind",
                                  native_enum=False, length=20), nullable=False),
        sa.Column("convocation", sa.String(10), nullable=False),
        sa.Column("first_sitting_id", sa.Integer(), nullable=True),
        sa.Column("meets_at", UTCDateTime(), nullable=False),
        sa.Column("second_meets_at", UTCDateTime(), nullable=True),
        sa.Column("place", sa.Text(), nullable=False),
        sa.Column("video_link", sa.String(500), nullable=False),
        sa.Column("status", sa.Enum("draft", "convened", "in_session", "closed", "no_quorum",
                                    name="assemblystatus", native_enum=False, length=20),
                  nullable=False),
        sa.Column("convened_at", UTCDateTime(), nullable=True),
        sa.Column("opened_at", UTCDateTime(), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("chair_id", sa.Integer(), nullable=True),
        sa.Column("secretary_id", sa.Integer(), nullable=True),
        sa.Column("max_proxies_per_holder", sa.Integer(), nullable=True),
        sa.Column("proxy_same_college", sa.Boolean(), nullable=False),
        sa.Column("remote_counts_as_present", sa.Boolean(), nullable=False),
        sa.Column("room_code", sa.String(12), nullable=True),
        sa.Column("attendance_case_json", sa.Text(), nullable=True),
        sa.Column("attendance_result_json", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisation.id"], ondelete="CASCADE",
                                name="fk_assembly_organisation_id_organisation"),
        sa.ForeignKeyConstraint(["first_sitting_id"], ["assembly.id"], ondelete="SET NULL",
                                name="fk_assembly_first_sitting_id_assembly"),
        sa.ForeignKeyConstraint(["chair_id"], ["membership.id"], ondelete="SET NULL",
                                name="fk_assembly_chair_id_membership"),
        sa.ForeignKeyConstraint(["secretary_id"], ["membership.id"], ondelete="SET NULL",
                                name="fk_assembly_secretary_id_membership"),
        sa.PrimaryKeyConstraint("id", name="pk_assembly"),
    )
    op.create_table(
        "agenda_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE",
                                name="fk_agenda_item_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["proposal_id"], ["proposal.id"], ondelete="CASCADE",
                                name="fk_agenda_item_proposal_id_proposal"),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], ondelete="SET NULL",
                                name="fk_agenda_item_round_id_round"),
        sa.PrimaryKeyConstraint("id", name="pk_agenda_item"),
        sa.UniqueConstraint("assembly_id", "number", name="uq_agenda_item_assembly_id_number"),
    )
    op.create_table(
        "proxy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("giver_id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("given_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE",
                                name="fk_proxy_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["giver_id"], ["membership.id"], ondelete="CASCADE",
                                name="fk_proxy_giver_id_membership"),
        sa.ForeignKeyConstraint(["holder_id"], ["membership.id"], ondelete="CASCADE",
                                name="fk_proxy_holder_id_membership"),
        sa.PrimaryKeyConstraint("id", name="pk_proxy"),
    )
    op.create_index("ix_proxy_assembly_holder", "proxy", ["assembly_id", "holder_id"])
    op.create_index("ix_proxy_assembly_giver", "proxy", ["assembly_id", "giver_id"])
    op.create_table(
        "postal_vote",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.String(20), nullable=True),
        sa.Column("received_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE",
                                name="fk_postal_vote_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="CASCADE",
                                name="fk_postal_vote_agenda_item_id_agenda_item"),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"], ondelete="CASCADE",
                                name="fk_postal_vote_membership_id_membership"),
        sa.PrimaryKeyConstraint("id", name="pk_postal_vote"),
        sa.UniqueConstraint("agenda_item_id", "membership_id",
                            name="uq_postal_vote_agenda_item_id_membership_id"),
    )
    op.create_index("ix_postal_vote_assembly_member", "postal_vote",
                    ["assembly_id", "membership_id"])
    op.create_table(
        "postal_tally",
        sa.Column("agenda_item_id", sa.Integer(), nullable=False),
        sa.Column("college", sa.String(80), nullable=False),
        sa.Column("position", sa.String(20), nullable=False),
        sa.Column("ballots", FixedWidthCount(), nullable=False),
        sa.Column("weight", FixedWidthCount(), nullable=False),
        sa.ForeignKeyConstraint(["agenda_item_id"], ["agenda_item.id"], ondelete="CASCADE",
                                name="fk_postal_tally_agenda_item_id_agenda_item"),
        sa.PrimaryKeyConstraint("agenda_item_id", "college", "position",
                                name="pk_postal_tally"),
    )
    op.create_table(
        "attendance",
        sa.Column("assembly_id", sa.Integer(), nullable=False),
        sa.Column("membership_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.Enum("room", "remote", name="attendancemode", native_enum=False,
                                  length=20), nullable=False),
        sa.Column("checked_in_at", UTCDateTime(), nullable=False),
        sa.Column("checked_in_by_id", sa.Integer(), nullable=True),
        sa.Column("left_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["assembly_id"], ["assembly.id"], ondelete="CASCADE",
                                name="fk_attendance_assembly_id_assembly"),
        sa.ForeignKeyConstraint(["membership_id"], ["membership.id"], ondelete="CASCADE",
                                name="fk_attendance_membership_id_membership"),
        sa.ForeignKeyConstraint(["checked_in_by_id"], ["membership.id"], ondelete="SET NULL",
                                name="fk_attendance_checked_in_by_id_membership"),
        sa.PrimaryKeyConstraint("assembly_id", "membership_id", name="pk_attendance"),
    )
    # A plain ADD COLUMN: the ballot table is not copied. No reference, as the audit
    # entries' actor has none (memberships are never deleted, and SQLite's ALTER TABLE
    # would keep a reference where its reflection cannot name it).
    op.add_column("ballot", sa.Column("cast_by_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("ballot", "cast_by_id")
    op.drop_table("attendance")
    op.drop_table("postal_tally")
    op.drop_index("ix_postal_vote_assembly_member", table_name="postal_vote")
    op.drop_table("postal_vote")
    op.drop_index("ix_proxy_assembly_giver", table_name="proxy")
    op.drop_index("ix_proxy_assembly_holder", table_name="proxy")
    op.drop_table("proxy")
    op.drop_table("agenda_item")
    op.drop_table("assembly")
