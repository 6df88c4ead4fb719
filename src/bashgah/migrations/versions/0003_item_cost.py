"""item cost: purchase_items.unit_cost_rials, so reports can measure profit where cost is known

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 05:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("purchase_items", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unit_cost_rials", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("purchase_items", schema=None) as batch_op:
        batch_op.drop_column("unit_cost_rials")
