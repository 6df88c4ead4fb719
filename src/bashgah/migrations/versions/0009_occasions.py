"""occasions: occasion rules and awards, notices, members.wedding_date, programs.notify_expiring_days

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 07:05:00.000000
"""

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "0009"
down_revision = "0008"


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wedding_date", sa.Date(), nullable=True))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sh.number("notify_expiring_days", server_default="14"))

    sh.create_club_table(
        "occasion_rules",
        sh.string("kind", 24),
        sh.string("name_fa", 200),
        sh.string("name_en", 200),
        sh.amount("points"),
        sh.ref("reward_id", nullable=True),
        sh.document("tiers"),
        sh.number("days_early"),
        sh.flag("active"),
        refs={"reward_id": "rewards"},
        indexes=[sh.index("ix_occasion_rules_tenant", "tenant_id", "id")],
    )
    sh.create_club_table(
        "occasion_awards",
        sh.ref("rule_id"),
        sh.ref("member_id"),
        sh.number("jalali_year"),
        sh.amount("points"),
        sh.ref("transfer_id", nullable=True),
        sh.ref("reward_instance_id", nullable=True),
        refs={
            "member_id": "members",
            "reward_instance_id": "reward_instances",
            "rule_id": "occasion_rules",
            "transfer_id": "transfers",
        },
        unique=[("tenant_id", "rule_id", "member_id", "jalali_year")],
    )
    sh.create_club_table(
        "notices",
        sh.ref("member_id"),
        sh.string("kind", 32),
        sh.string("ref", 64),
        sh.document("payload"),
        sh.moment("due_at"),
        sh.moment("sent_at", nullable=True),
        refs={"member_id": "members"},
        unique=[("tenant_id", "member_id", "kind", "ref")],
        indexes=[sh.index("ix_notices_unsent", "tenant_id", "sent_at", "id")],
    )


def downgrade() -> None:
    for table in ("notices", "occasion_awards", "occasion_rules"):
        op.drop_table(table)
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("notify_expiring_days")
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_column("wedding_date")
