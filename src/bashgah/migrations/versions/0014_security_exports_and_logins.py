"""security: analysts' downloads as a club setting; sign-in locks per (person, address)

Revision ID: security_1
Revises: 0013
Create Date: 2026-12-02 07:40:00
"""

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "security_1"
down_revision = "0013"


def upgrade() -> None:
    # Plain ALTER TABLE (no batch copy): tenants is referenced by every table, and SQLite adds a column
    # with a default in place.
    op.add_column("tenants", sh.flag("analysts_may_export", server_default=sa.false()))
    sh.create_club_table(
        "login_throttles",
        sh.ref("staff_id"),
        sh.string("address", 64),
        sh.number("failures"),
        sh.number("lockouts"),
        sh.moment("locked_until", nullable=True),
        stamped=False,
        refs={"staff_id": "staff"},
        unique=[("staff_id", "address")],
    )
    # The person-wide lock is replaced by the per-address one above (ALTER TABLE … DROP COLUMN in place:
    # a batch copy of staff would trip the foreign keys pointing at it).
    op.drop_column("staff", "locked_until")
    op.drop_column("staff", "failed_logins")


def downgrade() -> None:
    op.add_column("staff", sh.number("failed_logins", server_default="0"))
    op.add_column("staff", sh.moment("locked_until", nullable=True))
    op.drop_table("login_throttles")
    op.drop_column("tenants", "analysts_may_export")
