"""segments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:30:00.000000
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    sh.create_club_table(
        "segments",
        sh.string("name", 200),
        sh.string("description", 1000, nullable=True),
        sh.string("kind", 8),
        sh.document("definition", nullable=True),
        sh.moment("deleted_at", nullable=True),
        sh.moment("updated_at"),
        indexes=[sh.index("ix_segments_tenant", "tenant_id", "deleted_at")],
    )
    sh.create_table(
        "segment_members",
        sh.ref("segment_id", autoincrement=False),
        sh.ref("member_id", autoincrement=False),
        sh.tenant_id(),
        sh.created_at(),
        refs={"member_id": "members", "segment_id": "segments", "tenant_id": "tenants"},
        key=("segment_id", "member_id"),
        indexes=[sh.index("ix_segment_members_member", "member_id")],
    )


def downgrade() -> None:
    op.drop_table("segment_members")
    op.drop_table("segments")
