"""wallet: stored value in rials (member wallets and gift cards) in the same ledger, cashback

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 07:20:00.000000
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
SYSTEM_KINDS = ("issuance", "redemption", "expiry", "adjustment")
SHARDS = 16


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_member_id", type_="unique")
        batch_op.create_unique_constraint("uq_accounts_member_id_asset", ["member_id", "asset"])

    op.create_table(
        "gift_cards",
        sa.Column("tenant_id", ID, nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("account_id", ID, nullable=False),
        sa.Column("batch", sa.String(length=64), nullable=True),
        sa.Column("value_rials", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_gift_cards_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], name=op.f("fk_gift_cards_member_id_members")),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_gift_cards_tenant_id_tenants")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_gift_cards")),
    )
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.create_index("ix_gift_cards_batch", ["tenant_id", "batch", "id"], unique=False)
        batch_op.create_index("uq_gift_cards_tenant_code", ["tenant_id", "code"], unique=True)

    with op.batch_alter_table("purchases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("wallet_rials", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("wallet_lots", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("gift_card_id", ID, nullable=True))
        batch_op.add_column(sa.Column("gift_card_rials", sa.BigInteger(), nullable=False, server_default="0"))
        batch_op.create_foreign_key(
            op.f("fk_purchases_gift_card_id_gift_cards"), "gift_cards", ["gift_card_id"], ["id"]
        )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        for column in ("wallet_returned_rials", "gift_card_returned_rials", "cashback_reversed_rials"):
            batch_op.add_column(sa.Column(column, sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("campaign_awards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("cashback_rials", sa.BigInteger(), nullable=False, server_default="0"))
    with op.batch_alter_table("programs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("earn_on_stored_value", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(
            sa.Column("cashback_expiry_months", sa.Integer(), nullable=False, server_default="6")
        )
    with op.batch_alter_table("rewards", schema=None) as batch_op:
        batch_op.add_column(sa.Column("credit_rials", sa.BigInteger(), nullable=True))

    # Existing clubs get the rials asset's system accounts (new clubs get them at creation).
    accounts = sa.table(
        "accounts",
        sa.column("tenant_id", ID),
        sa.column("asset", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("shard", sa.Integer()),
        sa.column("member_id", ID),
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
    with op.batch_alter_table("gift_cards", schema=None) as batch_op:
        batch_op.drop_index("uq_gift_cards_tenant_code")
        batch_op.drop_index("ix_gift_cards_batch")
    op.drop_table("gift_cards")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_constraint("uq_accounts_member_id_asset", type_="unique")
        batch_op.create_unique_constraint("uq_accounts_member_id", ["member_id"])
