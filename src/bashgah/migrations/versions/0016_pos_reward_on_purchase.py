"""pos: the reward used on a sale (its instance and discount) and the cashier who recorded it

Revision ID: pos_1
Revises: api_1
Create Date: 2026-12-02 07:40:00
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "pos_1"
down_revision = "api_1"


def upgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sh.ref("reward_instance_id", nullable=True))
        batch_op.add_column(sh.amount("reward_discount_rials", server_default="0"))
        batch_op.add_column(sh.ref("staff_id", nullable=True))
        batch_op.create_foreign_key(
            op.f("fk_purchases_reward_instance_id_reward_instances"),
            "reward_instances",
            ["reward_instance_id"],
            ["id"],
        )
        batch_op.create_foreign_key(op.f("fk_purchases_staff_id_staff"), "staff", ["staff_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_purchases_staff_id_staff"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_purchases_reward_instance_id_reward_instances"), type_="foreignkey")
        batch_op.drop_column("staff_id")
        batch_op.drop_column("reward_discount_rials")
        batch_op.drop_column("reward_instance_id")
