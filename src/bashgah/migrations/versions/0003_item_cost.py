"""item cost: purchase_items.unit_cost_rials, so reports can measure profit where cost is known

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:30:00.000000
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("purchase_items", schema=None) as batch_op:
        batch_op.add_column(sh.amount("unit_cost_rials", nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_items", schema=None) as batch_op:
        batch_op.drop_column("unit_cost_rials")
