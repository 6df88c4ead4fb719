"""coupon batches can be switched off (and on again) from the console

Revision ID: console_1
Revises: pos_1
Create Date: 2026-12-02 08:00:00.000000
"""

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "console_1"
down_revision = "pos_1"


def upgrade() -> None:
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.add_column(sh.flag("active", server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("coupon_batches", schema=None) as batch_op:
        batch_op.drop_column("active")
