"""coupons: batches, codes and their uses

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 06:07:54.888375
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0006"
down_revision = "0005"


def upgrade() -> None:
    sh.create_club_table(
        "coupon_batches",
        sh.string("name", 200),
        sh.string("kind", 10),
        sh.string("discount_type", 8),
        sh.amount("discount_value"),
        sh.amount("max_discount_rials", nullable=True),
        sh.amount("min_basket_rials"),
        sh.moment("valid_from"),
        sh.moment("valid_until", nullable=True),
        sh.number("max_uses", nullable=True),
        sh.number("max_uses_per_code", nullable=True),
        sh.number("max_uses_per_member", nullable=True),
        sh.number("code_count"),
        indexes=[sh.index("ix_coupon_batches_tenant", "tenant_id", "id")],
    )
    sh.create_club_table(
        "coupon_codes",
        sh.ref("batch_id"),
        sh.string("code", 32),
        stamped=False,
        refs={"batch_id": "coupon_batches"},
        indexes=[
            sh.index("ix_coupon_codes_batch", "batch_id", "id"),
            sh.index("uq_coupon_codes_tenant_code", "tenant_id", "code", unique=True),
        ],
    )
    sh.create_club_table(
        "coupon_uses",
        sh.ref("batch_id"),
        sh.ref("code_id"),
        sh.ref("member_id"),
        sh.ref("purchase_id"),
        sh.amount("discount_rials"),
        sh.moment("returned_at", nullable=True),
        refs={
            "batch_id": "coupon_batches",
            "code_id": "coupon_codes",
            "member_id": "members",
            "purchase_id": "purchases",
        },
        indexes=[
            sh.index("ix_coupon_uses_batch_member", "batch_id", "member_id", "returned_at"),
            sh.index("ix_coupon_uses_code", "code_id", "returned_at"),
            sh.index("uq_coupon_uses_purchase", "purchase_id", unique=True),
        ],
    )


def downgrade() -> None:
    for table in ("coupon_uses", "coupon_codes", "coupon_batches"):
        op.drop_table(table)
