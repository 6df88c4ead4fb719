"""wallet: stored value in rials (member wallets and gift cards) in the same ledger, cashback

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 07:20:00.000000
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "0012"
down_revision = "0011"

SYSTEM_KINDS = ("issuance", "redemption", "expiry", "adjustment")
SHARDS = 16


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_member_id", type_="unique")
        batch_op.create_unique_constraint("uq_accounts_member_id_asset", ["member_id", "asset"])

    sh.create_club_table(
        "gift_cards",
        sh.string("code", 32),
        sh.ref("account_id"),
        sh.string("batch", 64, nullable=True),
        sh.amount("value_rials"),
        sh.moment("expires_at", nullable=True),
        sh.ref("member_id", nullable=True),
        sh.string("status", 10),
        refs={"account_id": "accounts", "member_id": "members"},
        indexes=[
            sh.index("ix_gift_cards_batch", "tenant_id", "batch", "id"),
            sh.index("uq_gift_cards_tenant_code", "tenant_id", "code", unique=True),
        ],
    )

    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sh.amount("wallet_rials", server_default="0"))
        batch_op.add_column(sh.document("wallet_lots", nullable=True))
        batch_op.add_column(sh.ref("gift_card_id", nullable=True))
        batch_op.add_column(sh.amount("gift_card_rials", server_default="0"))
        batch_op.create_foreign_key(
            op.f("fk_purchases_gift_card_id_gift_cards"), "gift_cards", ["gift_card_id"], ["id"]
        )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        for column in ("wallet_returned_rials", "gift_card_returned_rials", "cashback_reversed_rials"):
            batch_op.add_column(sh.amount(column, server_default="0"))
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.add_column(sh.amount("cashback_rials", server_default="0"))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(sh.flag("earn_on_stored_value", server_default=sa.false()))
        batch_op.add_column(sh.number("cashback_expiry_months", server_default="6"))
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.add_column(sh.amount("credit_rials", nullable=True))

    # Existing clubs get the rials asset's system accounts (new clubs get them at creation).
    accounts = sa.table(
        "accounts",
        sa.column("tenant_id", sh.ID),
        sa.column("asset", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("shard", sa.Integer()),
        sa.column("member_id", sh.ID),
        sa.column("posted", sa.BigInteger()),
        sa.column("pending", sa.BigInteger()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    now = datetime.now(UTC)
    tenant_ids = [row[0] for row in op.get_bind().execute(sa.text("SELECT id FROM tenants ORDER BY id"))]
    rows = [
        {
            "tenant_id": tenant_id,
            "asset": "rials",
            "kind": kind,
            "shard": shard,
            "member_id": None,
            "posted": 0,
            "pending": 0,
            "created_at": now,
        }
        for tenant_id in tenant_ids
        for kind in SYSTEM_KINDS
        for shard in range(SHARDS)
    ]
    if rows:
        op.bulk_insert(accounts, rows)


def downgrade() -> None:
    op.execute("DELETE FROM accounts WHERE asset = 'rials' AND member_id IS NULL AND kind <> 'gift_card'")
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.drop_column("credit_rials")
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.drop_column("cashback_expiry_months")
        batch_op.drop_column("earn_on_stored_value")
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.drop_column("cashback_rials")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        for column in ("cashback_reversed_rials", "gift_card_returned_rials", "wallet_returned_rials"):
            batch_op.drop_column(column)
    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_purchases_gift_card_id_gift_cards"), type_="foreignkey")
        batch_op.drop_column("gift_card_rials")
        batch_op.drop_column("gift_card_id")
        batch_op.drop_column("wallet_lots")
        batch_op.drop_column("wallet_rials")
    op.drop_table("gift_cards")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_member_id_asset", type_="unique")
        batch_op.create_unique_constraint("uq_accounts_member_id", ["member_id"])
