"""coupons a campaign gives one member: coupon_codes.member_id

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 07:55:00.000000
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0011"
down_revision = "0010"


def upgrade() -> None:
    with op.batch_alter_table("coupon_codes") as batch:
        batch.add_column(sh.ref("member_id", nullable=True))
        batch.create_foreign_key("fk_coupon_codes_member_id_members", "members", ["member_id"], ["id"])
        batch.create_index("ix_coupon_codes_member", ["member_id"])


def downgrade() -> None:
    with op.batch_alter_table("coupon_codes") as batch:
        batch.drop_index("ix_coupon_codes_member")
        batch.drop_constraint("fk_coupon_codes_member_id_members", type_="foreignkey")
        batch.drop_column("member_id")
