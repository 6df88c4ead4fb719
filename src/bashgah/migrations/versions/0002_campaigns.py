"""campaigns

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 05:16:13.696570
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    sh.create_club_table(
        "campaigns",
        sh.number("version"),
        sh.flag("active"),
        sh.document("definition"),
        sh.amount("budget_used"),
        sh.moment("updated_at"),
        indexes=[sh.index("ix_campaigns_tenant_active", "tenant_id", "active")],
    )
    sh.create_table(
        "campaign_versions",
        sh.ref("campaign_id"),
        sh.number("version"),
        sh.document("definition"),
        sh.string("actor", 64, nullable=True),
        sh.id_pk(),
        sh.created_at(),
        refs={"campaign_id": "campaigns"},
        unique=[("campaign_id", "version")],
    )
    sh.create_club_table(
        "member_events",
        sh.ref("member_id"),
        sh.string("name", 64),
        sh.document("properties", nullable=True),
        sh.moment("occurred_at"),
        refs={"member_id": "members"},
        indexes=[sh.index("ix_member_events_member", "member_id", "id")],
    )
    sh.create_club_table(
        "campaign_awards",
        sh.ref("campaign_id"),
        sh.number("version"),
        sh.document("rules"),
        sh.ref("member_id"),
        sh.ref("purchase_id", nullable=True),
        sh.ref("event_id", nullable=True),
        sh.amount("points"),
        sh.ref("transfer_id"),
        refs={
            "campaign_id": "campaigns",
            "event_id": "member_events",
            "member_id": "members",
            "purchase_id": "purchases",
            "transfer_id": "transfers",
        },
        indexes=[
            sh.index("ix_campaign_awards_member", "campaign_id", "member_id", "created_at"),
            sh.index("ix_campaign_awards_purchase", "purchase_id"),
        ],
    )


def downgrade() -> None:
    for table in ("campaign_awards", "member_events", "campaign_versions", "campaigns"):
        op.drop_table(table)
