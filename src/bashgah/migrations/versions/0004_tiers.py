"""tiers: levels, policy, members' levels and their history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "tier_levels",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_fa", sa.String(length=100), nullable=False),
        sa.Column("name_en", sa.String(length=100), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("threshold", sa.BigInteger(), nullable=False),
        sa.Column("earn_multiplier_pct", sa.Integer(), nullable=False),
        sa.Column("birthday_gift_points", sa.BigInteger(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_tier_levels_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_levels")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_tier_levels_tenant_id_code")),
        sa.UniqueConstraint("tenant_id", "rank", name=op.f("uq_tier_levels_tenant_id_rank")),
    )
    op.create_table(
        "tier_policies",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("metric", sa.String(length=8), nullable=False),
        sa.Column("window", sa.String(length=12), nullable=False),
        sa.Column("window_months", sa.Integer(), nullable=False),
        sa.Column("downgrade", sa.String(length=10), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tier_policies_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("tenant_id", name=op.f("pk_tier_policies")),
    )
    op.create_table(
        "member_tiers",
        sa.Column("member_id", ID, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("level_id", ID, nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("review_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("grace_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("lock_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["level_id"], ["tier_levels.id"], name=op.f("fk_member_tiers_level_id_tier_levels")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_tiers_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_tiers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_tiers")),
    )
    op.create_index(op.f("ix_member_tiers_tenant_id"), "member_tiers", ["tenant_id"], unique=False)
    op.create_index(op.f("ix_member_tiers_review_at"), "member_tiers", ["review_at"], unique=False)
    op.create_table(
        "tier_changes",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("from_level_id", ID, nullable=True),
        sa.Column("to_level_id", ID, nullable=True),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_level_id"], ["tier_levels.id"], name=op.f("fk_tier_changes_from_level_id_tier_levels")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_tier_changes_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_tier_changes_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["to_level_id"], ["tier_levels.id"], name=op.f("fk_tier_changes_to_level_id_tier_levels")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tier_changes")),
    )
    op.create_index("ix_tier_changes_member", "tier_changes", ["member_id", "id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_tier_changes_member", table_name="tier_changes")
    op.drop_table("tier_changes")
    op.drop_index(op.f("ix_member_tiers_review_at"), table_name="member_tiers")
    op.drop_index(op.f("ix_member_tiers_tenant_id"), table_name="member_tiers")
    op.drop_table("member_tiers")
    op.drop_table("tier_policies")
    op.drop_table("tier_levels")
