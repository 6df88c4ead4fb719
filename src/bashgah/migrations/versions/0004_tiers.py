"""tiers: levels, policy, members' levels and their history

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    sh.create_club_table(
        "tier_levels",
        sh.string("code", 32),
        sh.string("name_fa", 100),
        sh.string("name_en", 100),
        sh.number("rank"),
        sh.amount("threshold"),
        sh.number("earn_multiplier_pct"),
        sh.amount("birthday_gift_points"),
        unique=[("tenant_id", "code"), ("tenant_id", "rank")],
    )
    sh.create_table(
        "tier_policies",
        sh.tenant_id(),
        sh.flag("enabled"),
        sh.string("metric", 8),
        sh.string("window", 12),
        sh.number("window_months"),
        sh.string("downgrade", 10),
        sh.number("grace_days"),
        refs={"tenant_id": "tenants"},
        key=("tenant_id",),
    )
    sh.create_table(
        "member_tiers",
        sh.ref("member_id"),
        sh.tenant_id(),
        sh.ref("level_id"),
        sh.moment("since"),
        sh.moment("review_at"),
        sh.moment("grace_until", nullable=True),
        sh.flag("locked"),
        sh.string("lock_reason", 500, nullable=True),
        refs={"level_id": "tier_levels", "member_id": "members", "tenant_id": "tenants"},
        key=("member_id",),
        indexes=[
            sh.index("ix_member_tiers_tenant_id", "tenant_id"),
            sh.index("ix_member_tiers_review_at", "review_at"),
        ],
    )
    sh.create_club_table(
        "tier_changes",
        sh.ref("member_id"),
        sh.ref("from_level_id", nullable=True),
        sh.ref("to_level_id", nullable=True),
        sh.string("kind", 12),
        sh.string("reason", 500, nullable=True),
        sh.string("actor", 64, nullable=True),
        refs={"from_level_id": "tier_levels", "member_id": "members", "to_level_id": "tier_levels"},
        indexes=[sh.index("ix_tier_changes_member", "member_id", "id")],
    )


def downgrade() -> None:
    for table in ("tier_changes", "member_tiers", "tier_policies", "tier_levels"):
        op.drop_table(table)
