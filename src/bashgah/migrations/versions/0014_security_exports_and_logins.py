"""security: analysts' downloads as a club setting; sign-in locks per (person, address)

Revision ID: security_1
Revises: 0013
Create Date: 2026-12-02 07:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "security_1"
down_revision = "0013"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): tenants is referenced by every table, and SQLite adds a column
    # with a default in place.
    op.add_column(
        "tenants", sa.Column("analysts_may_export", sa.Boolean(), server_default=sa.false(), nullable=False)
    )
    op.create_table(
        "login_throttles",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("staff_id", ID, nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("lockouts", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_login_throttles_staff_id_staff")),
        sa.ForeignKeyConstraint(
            ["tenant_id"], ["tenants.id"], name=op.f("fk_login_throttles_tenant_id_tenants")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_throttles")),
        sa.UniqueConstraint("staff_id", "address", name=op.f("uq_login_throttles_staff_id_address")),
    )
    # The person-wide lock is replaced by the per-address one above (ALTER TABLE … DROP COLUMN in place:
    # a batch copy of staff would trip the foreign keys pointing at it).
    op.drop_column("staff", "locked_until")
    op.drop_column("staff", "failed_logins")


def downgrade() -> None:
    op.add_column("staff", sa.Column("failed_logins", sa.Integer(), server_default="0", nullable=False))
    op.add_column("staff", sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True))
    op.drop_table("login_throttles")
    op.drop_column("tenants", "analysts_may_export")
