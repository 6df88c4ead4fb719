"""member_scores: the RFM, CLV and churn scores of the last ``jobs run scores``

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 06:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "member_scores",
        sa.Column("member_id", ID, autoincrement=False, nullable=False),
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("rfm_r", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_f", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_m", sa.SmallInteger(), nullable=True),
        sa.Column("rfm_group", sa.String(length=32), nullable=True),
        sa.Column("expected_value_365d_rials", sa.BigInteger(), nullable=True),
        sa.Column("probability_alive", sa.Float(), nullable=True),
        sa.Column("churn_ratio", sa.Float(), nullable=True),
        sa.Column("scored_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_member_scores_member_id_members")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_member_scores_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_member_scores")),
    )
    with op.batch_alter_table("member_scores", schema=None) as batch_op:
        batch_op.create_index("ix_member_scores_tenant", ["tenant_id", "member_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("member_scores", schema=None) as batch_op:
        batch_op.drop_index("ix_member_scores_tenant")
    op.drop_table("member_scores")
