"""coupons: batches, codes and their uses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:07:54.888375
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:

    op.create_table(
        "coupon_batches",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("discount_type", sa.String(length=8), nullable=False),
        sa.Column("discount_value", sa.BigInteger(), nullable=False),
        sa.Column("max_discount_rials", sa.BigInteger(), nullable=True),
        sa.Column("min_basket_rials", sa.BigInteger(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_uses", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_code", sa.Integer(), nullable=True),
        sa.Column("max_uses_per_member", sa.Integer(), nullable=True),
        sa.Column("code_count", sa.Integer(), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_coupon_batches_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_batches")),
    )
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.create_index("ix_coupon_batches_tenant", ["tenant_id", "id"], unique=False)

    op.create_table(
        "coupon_codes",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["coupon_batches.id"], name=op.f("fk_coupon_codes_batch_id_coupon_batches")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_coupon_codes_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_codes")),
    )
    with op.batch_alter_table("coupon_codes", schema=None) as batch_op:
        batch_op.create_index("ix_coupon_codes_batch", ["batch_id", "id"], unique=False)
        batch_op.create_index("uq_coupon_codes_tenant_code", ["tenant_id", "code"], unique=True)

    op.create_table(
        "coupon_uses",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("batch_id", ID, nullable=False),
        sa.Column("code_id", ID, nullable=False),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("purchase_id", ID, nullable=False),
        sa.Column("discount_rials", sa.BigInteger(), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["coupon_batches.id"], name=op.f("fk_coupon_uses_batch_id_coupon_batches")
        ),
        sa.ForeignKeyConstraint(
            ["code_id"], ["coupon_codes.id"], name=op.f("fk_coupon_uses_code_id_coupon_codes")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_coupon_uses_member_id_members")),
        sa.ForeignKeyConstraint(
            ["purchase_id"], ["purchases.id"], name=op.f("fk_coupon_uses_purchase_id_purchases")
        ),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_coupon_uses_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coupon_uses")),
    )
    with op.batch_alter_table("coupon_uses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coupon_uses_batch_member", ["batch_id", "member_id", "returned_at"], unique=False
        )
        batch_op.create_index("ix_coupon_uses_code", ["code_id", "returned_at"], unique=False)
        batch_op.create_index("uq_coupon_uses_purchase", ["purchase_id"], unique=True)


def downgrade() -> None:

    with op.batch_alter_table("coupon_uses", schema=None) as batch_op:
        batch_op.drop_index("uq_coupon_uses_purchase")
        batch_op.drop_index("ix_coupon_uses_code")
        batch_op.drop_index("ix_coupon_uses_batch_member")

    op.drop_table("coupon_uses")
    with op.batch_alter_table("coupon_codes", schema=None) as batch_op:
        batch_op.drop_index("uq_coupon_codes_tenant_code")
        batch_op.drop_index("ix_coupon_codes_batch")

    op.drop_table("coupon_codes")
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.drop_index("ix_coupon_batches_tenant")

    op.drop_table("coupon_batches")
