"""coupon batches can be switched off (and on again) from the console

Revision ID: console_1
Revises: pos_1
Create Date: 2026-12-02 08:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "console_1"
down_revision = "pos_1"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.drop_column("active")
