"""occasions: occasion rules and awards, notices, members.wedding_date, programs.notify_expiring_days

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 07:05:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wedding_date", sa.Date(), nullable=True))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_expiring_days", sa.Integer(), nullable=False, server_default="14")
        )

    op.create_table(
        "occasion_rules",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("name_fa", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("reward_id", ID, nullable=True),
        sa.Column("tiers", sa.JSON(), nullable=False),
        sa.Column("days_early", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["reward_id"], ["rewards.id"], name=op.f("fk_occasion_rules_reward_id_rewards")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_occasion_rules_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occasion_rules")),
    )
    with op.batch_alter_table("occasion_rules", schema=None) as batch_op:
        batch_op.create_index("ix_occasion_rules_tenant", ["tenant_id", "id"], unique=False)

    op.create_table(
        "occasion_awards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("rule_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("jalali_year", sa.Integer(), nullable=False),
        sa.Column("points", sa.BigInteger(), nullable=False),
        sa.Column("transfer_id", ID, nullable=True),
        sa.Column("reward_instance_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_occasion_awards_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["reward_instance_id"],
            ["reward_instances.id"],
            name=op.f("fk_occasion_awards_reward_instance_id_reward_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["rule_id"], ["occasion_rules.id"], name=op.f("fk_occasion_awards_rule_id_occasion_rules")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_occasion_awards_tenant_id_tenants")
        ),
        sa.ForeignKeyConstraint(
            ["transfer_id"], ["transfers.id"], name=op.f("fk_occasion_awards_transfer_id_transfers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_occasion_awards")),
        sa.UniqueConstraint(
            "tenant_id",
            "rule_id",
            "member_id",
            "jalali_year",
            name=op.f("uq_occasion_awards_tenant_id_rule_id_member_id_jalali_year"),
        ),
    )

    op.create_table(
        "notices",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("ref", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_notices_member_id_members")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_notices_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
        sa.UniqueConstraint(
            "tenant_id", "member_id", "kind", "ref", name=op.f("uq_notices_tenant_id_member_id_kind_ref")
        ),
    )
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.create_index("ix_notices_unsent", ["tenant_id", "sent_at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notices", schema=None) as batch_op:
        batch_op.drop_index("ix_notices_unsent")
    op.drop_table("notices")
    op.drop_table("occasion_awards")
    with op.batch_alter_table("occasion_rules", schema=None) as batch_op:
        batch_op.drop_index("ix_occasion_rules_tenant")
    op.drop_table("occasion_rules")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("notify_expiring_days")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("wedding_date")
