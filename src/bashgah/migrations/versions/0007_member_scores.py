"""member_scores: the RFM, CLV and churn scores of the last ``jobs run scores``

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 06:30:00.000000
"""

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "0007"
down_revision = "0006"


def upgrade() -> None:
    sh.create_table(
        "member_scores",
        sh.ref("member_id", autoincrement=False),
        sh.tenant_id(),
        sa.Column("rfm_r", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_f", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_m", sa.SmallInteger(), nullable=True),
        sh.string("rfm_group", 32, nullable=True),
        sh.amount("expected_value_365d_rials", nullable=True),
        sa.Column("probability_alive", sa.Float(), nullable=True),
        sa.Column("churn_ratio", sa.Float(), nullable=True),
        sh.moment("scored_at"),
        refs={"member_id": "members", "tenant_id": "tenants"},
        key=("member_id",),
        indexes=[sh.index("ix_member_scores_tenant", "tenant_id", "member_id")],
    )


def downgrade() -> None:
    op.drop_table("member_scores")
