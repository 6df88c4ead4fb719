"""stamp cards: definitions, members' cards and the stamps each purchase, event or return moved

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 07:15:00.000000
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "0010"
down_revision = "0009"


def upgrade() -> None:
    sh.create_club_table(
        "stamp_cards",
        sh.number("version"),
        sh.flag("active"),
        sh.document("definition"),
        sh.ref("reward_id", nullable=True),
        sh.moment("updated_at"),
        refs={"reward_id": "rewards"},
        indexes=[sh.index("ix_stamp_cards_tenant_active", "tenant_id", "active")],
    )
    sh.create_club_table(
        "member_stamp_cards",
        sh.ref("card_id"),
        sh.ref("member_id"),
        sh.number("card_version"),
        sh.number("stamps"),
        sh.number("stamps_needed"),
        sh.string("status", 10),
        sh.moment("expires_at", nullable=True),
        sh.moment("completed_at", nullable=True),
        sh.ref("reward_instance_id", nullable=True),
        sh.amount("reward_points", nullable=True),
        sh.ref("reward_transfer_id", nullable=True),
        refs={
            "card_id": "stamp_cards",
            "member_id": "members",
            "reward_instance_id": "reward_instances",
            "reward_transfer_id": "transfers",
        },
        indexes=[sh.index("ix_member_stamp_cards_member", "member_id", "card_id", "status")],
    )
    sh.create_club_table(
        "stamp_awards",
        sh.ref("card_id"),
        sh.number("version"),
        sh.ref("member_id"),
        sh.ref("purchase_id", nullable=True),
        sh.ref("refund_id", nullable=True),
        sh.ref("event_id", nullable=True),
        sh.ref("campaign_id", nullable=True),
        sh.number("stamps"),
        sh.number("unrecovered"),
        sh.document("basis", nullable=True),
        refs={
            "campaign_id": "campaigns",
            "card_id": "stamp_cards",
            "event_id": "member_events",
            "member_id": "members",
            "purchase_id": "purchases",
            "refund_id": "refunds",
        },
        indexes=[
            sh.index("ix_stamp_awards_member", "member_id", "card_id"),
            sh.index("ix_stamp_awards_purchase", "purchase_id"),
        ],
    )


def downgrade() -> None:
    for table in ("stamp_awards", "member_stamp_cards", "stamp_cards"):
        op.drop_table(table)
