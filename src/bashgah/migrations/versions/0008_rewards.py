"""rewards: the catalogue, partner voucher pools and redeemed reward instances

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 06:35:00.000000
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0008"
down_revision = "0007"


def upgrade() -> None:
    sh.create_club_table(
        "rewards",
        sh.string("name_fa", 200),
        sh.string("name_en", 200),
        sh.string("kind", 20),
        sh.amount("cost_points"),
        sh.amount("discount_rials", nullable=True),
        sh.number("discount_percent", nullable=True),
        sh.amount("max_discount_rials", nullable=True),
        sh.string("sku", 64, nullable=True),
        sh.document("tiers"),
        sh.number("stock", nullable=True),
        sh.number("per_member_limit", nullable=True),
        sh.moment("valid_from"),
        sh.moment("valid_until", nullable=True),
        sh.flag("active"),
        indexes=[sh.index("ix_rewards_tenant", "tenant_id", "id")],
    )
    sh.create_club_table(
        "reward_instances",
        sh.ref("reward_id"),
        sh.ref("member_id"),
        sh.string("code", 16),
        sh.string("status", 10),
        sh.amount("points"),
        sh.document("allocations"),
        sh.string("partner_code", 128, nullable=True),
        sh.moment("expires_at", nullable=True),
        sh.moment("used_at", nullable=True),
        sh.moment("cancelled_at", nullable=True),
        refs={"member_id": "members", "reward_id": "rewards"},
        indexes=[
            sh.index("ix_reward_instances_member", "member_id", "id"),
            sh.index("ix_reward_instances_reward_member", "reward_id", "member_id", "status"),
            sh.index("uq_reward_instances_tenant_code", "tenant_id", "code", unique=True),
        ],
    )
    sh.create_club_table(
        "reward_vouchers",
        sh.ref("reward_id"),
        sh.string("code", 128),
        sh.ref("instance_id", nullable=True),
        stamped=False,
        refs={"instance_id": "reward_instances", "reward_id": "rewards"},
        indexes=[
            sh.index("ix_reward_vouchers_free", "reward_id", "instance_id"),
            sh.index("uq_reward_vouchers_reward_code", "reward_id", "code", unique=True),
        ],
    )


def downgrade() -> None:
    for table in ("reward_vouchers", "reward_instances", "rewards"):
        op.drop_table(table)
