"""web: staff logins, web sessions, member one-time codes, audit log

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 07:02:37
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0013"
down_revision = "0012"


def upgrade() -> None:
    sh.create_club_table(
        "audit_log",
        sh.ref("actor_staff_id", nullable=True),
        sh.string("action", 64),
        sh.string("object_type", 32, nullable=True),
        sh.string("object_id", 64, nullable=True),
        sh.document("summary"),
        sh.moment("at"),
        stamped=False,
        refs={"actor_staff_id": "staff"},
        indexes=[sh.index("ix_audit_log_tenant_at", "tenant_id", "at")],
    )
    sh.create_club_table(
        "member_otps",
        sh.ref("member_id", nullable=True),
        sh.string("mobile", 20),
        sh.string("code_hash", 255),
        sh.number("attempts", server_default="0"),
        sh.moment("sent_at", nullable=True),
        sh.moment("expires_at"),
        sh.moment("used_at", nullable=True),
        refs={"member_id": "members"},
        indexes=[sh.index("ix_member_otps_tenant_mobile", "tenant_id", "mobile", "id")],
    )
    sh.create_table(
        "web_sessions",
        sh.string("id_hash", 64),
        sh.tenant_id(),
        sh.ref("staff_id", nullable=True),
        sh.ref("member_id", nullable=True),
        sh.string("csrf_token", 64),
        sh.moment("last_seen_at"),
        sh.moment("expires_at"),
        sh.created_at(),
        refs={"member_id": "members", "staff_id": "staff", "tenant_id": "tenants"},
        key=("id_hash",),
        indexes=[sh.index("ix_web_sessions_expires_at", "expires_at")],
    )

    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.add_column(sh.string("password_hash", 255, nullable=True))
        batch_op.add_column(sh.number("failed_logins", server_default="0"))
        batch_op.add_column(sh.moment("locked_until", nullable=True))
        batch_op.add_column(sh.string("language", 8, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_column("language")
        batch_op.drop_column("locked_until")
        batch_op.drop_column("failed_logins")
        batch_op.drop_column("password_hash")
    for table in ("web_sessions", "member_otps", "audit_log"):
        op.drop_table(table)
