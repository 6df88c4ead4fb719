"""stamp cards: definitions, members' cards and the stamps each purchase, event or return moved

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 07:15:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "stamp_cards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("reward_id", ID, nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["reward_id"], ["rewards.id"], name=op.f("fk_stamp_cards_reward_id_rewards")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_stamp_cards_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stamp_cards")),
    )
    with op.batch_alter_table("stamp_cards", schema=None) as batch_op:
        batch_op.create_index("ix_stamp_cards_tenant_active", ["tenant_id", "active"], unique=False)

    op.create_table(
        "member_stamp_cards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("card_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("card_version", sa.Integer(), nullable=False),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("stamps_needed", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reward_instance_id", ID, nullable=True),
        sa.Column("reward_points", sa.BigInteger(), nullable=True),
        sa.Column("reward_transfer_id", ID, nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["card_id"], ["stamp_cards.id"], name=op.f("fk_member_stamp_cards_card_id_stamp_cards")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_stamp_cards_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["reward_instance_id"],
            ["reward_instances.id"],
            name=op.f("fk_member_stamp_cards_reward_instance_id_reward_instances"),
        ),
        sa.ForeignKeyConstraint(
            ["reward_transfer_id"],
            ["transfers.id"],
            name=op.f("fk_member_stamp_cards_reward_transfer_id_transfers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_stamp_cards_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_stamp_cards")),
    )
    with op.batch_alter_table("member_stamp_cards", schema=None) as batch_op:
        batch_op.create_index(
            "ix_member_stamp_cards_member", ["member_id", "card_id", "status"], unique=False
        )

    op.create_table(
        "stamp_awards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("card_id", ID, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("purchase_id", ID, nullable=True),
        sa.Column("refund_id", ID, nullable=True),
        sa.Column("event_id", ID, nullable=True),
        sa.Column("campaign_id", ID, nullable=True),
        sa.Column("stamps", sa.Integer(), nullable=False),
        sa.Column("unrecovered", sa.Integer(), nullable=False),
        sa.Column("basis", sa.JSON(), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_stamp_awards_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["card_id"], ["stamp_cards.id"], name=op.f("fk_stamp_awards_card_id_stamp_cards")
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["member_events.id"], name=op.f("fk_stamp_awards_event_id_member_events")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_stamp_awards_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_stamp_awards_purchase_id_purchases")
        ),
        sa.ForeignKeyConstraint(
            ["refund_id"], ["refunds.id"], name=op.f("fk_stamp_awards_refund_id_refunds")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_stamp_awards_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stamp_awards")),
    )
    with op.batch_alter_table("stamp_awards", schema=None) as batch_op:
        batch_op.create_index("ix_stamp_awards_member", ["member_id", "card_id"], unique=False)
        batch_op.create_index("ix_stamp_awards_purchase", ["purchase_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stamp_awards", schema=None) as batch_op:
        batch_op.drop_index("ix_stamp_awards_purchase")
        batch_op.drop_index("ix_stamp_awards_member")
    op.drop_table("stamp_awards")
    with op.batch_alter_table("member_stamp_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_member_stamp_cards_member")
    op.drop_table("member_stamp_cards")
    with op.batch_alter_table("stamp_cards", schema=None) as batch_op:
        batch_op.drop_index("ix_stamp_cards_tenant_active")
    op.drop_table("stamp_cards")
