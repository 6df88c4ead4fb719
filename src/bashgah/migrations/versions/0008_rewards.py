"""rewards: the catalogue, partner voucher pools and redeemed reward instances

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 06:35:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("name_fa", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("cost_points", sa.BigInteger(), nullable=False),
        sa.Column("discount_rials", sa.BigInteger(), nullable=True),
        sa.Column("discount_percent", sa.Integer(), nullable=True),
        sa.Column("max_discount_rials", sa.BigInteger(), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("per_member_limit", sa.Integer(), nullable=True),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_rewards_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
    )
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.create_index("ix_rewards_tenant", ["tenant_id", "id"], unique=False)

    op.create_table(
        "reward_instances",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("reward_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("allocations", sa.JSON(), nullable=False),
        sa.Column("partner_code", sa.String(length=128), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_reward_instances_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"], ["rewards.id"], name=op.f("fk_reward_instances_reward_id_rewards")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reward_instances_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_instances")),
    )
    with op.batch_alter_table("reward_instances", schema=None) as batch_op:
        batch_op.create_index("ix_reward_instances_member", ["member_id", "id"], unique=False)
        batch_op.create_index(
            "ix_reward_instances_reward_member", ["reward_id", "member_id", "status"], unique=False
        )
        batch_op.create_index("uq_reward_instances_tenant_code", ["tenant_id", "code"], unique=True)

    op.create_table(
        "reward_vouchers",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("reward_id", ID, nullable=False),
        sa.Column("code", sa.String(length=128), nullable=False),
        sa.Column("instance_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["instance_id"],
            ["reward_instances.id"],
            name=op.f("fk_reward_vouchers_instance_id_reward_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"], ["rewards.id"], name=op.f("fk_reward_vouchers_reward_id_rewards")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_reward_vouchers_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_vouchers")),
    )
    with op.batch_alter_table("reward_vouchers", schema=None) as batch_op:
        batch_op.create_index("ix_reward_vouchers_free", ["reward_id", "instance_id"], unique=False)
        batch_op.create_index("uq_reward_vouchers_reward_code", ["reward_id", "code"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("reward_vouchers", schema=None) as batch_op:
        batch_op.drop_index("uq_reward_vouchers_reward_code")
        batch_op.drop_index("ix_reward_vouchers_free")
    op.drop_table("reward_vouchers")
    with op.batch_alter_table("reward_instances", schema=None) as batch_op:
        batch_op.drop_index("uq_reward_instances_tenant_code")
        batch_op.drop_index("ix_reward_instances_reward_member")
        batch_op.drop_index("ix_reward_instances_member")
    op.drop_table("reward_instances")
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_index("ix_rewards_tenant")
    op.drop_table("rewards")
