"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-24 04:28:59.055529
"""

import sqlalchemy as sa
from alembic import op

from bashgah.migrations import shapes as sh

revision = "0001"
down_revision = None


def upgrade() -> None:
    sh.create_table(
        "tenants",
        sh.string("slug", 64),
        sh.string("name", 200),
        sh.string("money_display", 8),
        sh.string("language", 8),
        sh.id_pk(),
        sh.created_at(),
        unique=[("slug",)],
    )
    sh.create_club_table(
        "branches",
        sh.string("code", 64),
        sh.string("name", 200),
        sh.string("kind", 16),
        sh.flag("active"),
        unique=[("tenant_id", "code")],
        indexes=[sh.index("ix_branches_tenant_id", "tenant_id")],
    )
    sh.create_club_table(
        "idempotency_records",
        sh.string("key", 200),
        sh.string("fingerprint", 64),
        sh.number("status_code"),
        sh.document("response", nullable=True),
        unique=[("tenant_id", "key")],
    )
    sh.create_table(
        "programs",
        sh.tenant_id(),
        sh.number("earn_points"),
        sh.amount("earn_per_rials"),
        sh.string("rounding", 8),
        sh.amount("point_value_rials"),
        sh.number("pending_days"),
        sh.string("expiry_mode", 16),
        sh.number("expiry_months"),
        sh.string("refund_policy", 16),
        sh.number("reservation_minutes"),
        refs={"tenant_id": "tenants"},
        key=("tenant_id",),
    )
    sh.create_club_table(
        "members",
        sh.string("mobile", 20),
        sh.string("first_name", 100),
        sh.string("last_name", 100),
        sh.string("name_key", 210),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sh.string("gender", 8, nullable=True),
        sh.string("email", 254, nullable=True),
        sh.string("national_code", 10, nullable=True),
        sh.document("tags"),
        sh.string("status", 8),
        sh.string("blocked_reason", 500, nullable=True),
        sh.flag("sms_consent"),
        sh.moment("sms_consent_at", nullable=True),
        sh.string("sms_consent_source", 32, nullable=True),
        sh.flag("email_consent"),
        sh.moment("email_consent_at", nullable=True),
        sh.string("email_consent_source", 32, nullable=True),
        sh.string("card_number", 16),
        sh.ref("enrolled_branch_id", nullable=True),
        sh.moment("updated_at"),
        refs={"enrolled_branch_id": "branches"},
        unique=[
            ("tenant_id", "card_number"),
            ("tenant_id", "mobile"),
            ("tenant_id", "national_code"),
        ],
        indexes=[sh.index("ix_members_tenant_name_key", "tenant_id", "name_key")],
    )
    sh.create_club_table(
        "staff",
        sh.ref("branch_id", nullable=True),
        sh.string("username", 64),
        sh.string("full_name", 200),
        sh.string("role", 16),
        sh.moment("disabled_at", nullable=True),
        refs={"branch_id": "branches"},
        unique=[("tenant_id", "username")],
        indexes=[sh.index("ix_staff_tenant_id", "tenant_id")],
    )
    sh.create_club_table(
        "accounts",
        sh.string("asset", 16),
        sh.string("kind", 16),
        sh.number("shard"),
        sh.ref("member_id", nullable=True),
        sh.amount("posted"),
        sh.amount("pending"),
        refs={"member_id": "members"},
        unique=[("member_id",)],
        indexes=[sh.index("ix_accounts_tenant_kind", "tenant_id", "asset", "kind")],
    )
    sh.create_club_table(
        "api_keys",
        sh.ref("branch_id", nullable=True),
        sh.ref("staff_id", nullable=True),
        sh.string("name", 100),
        sh.string("role", 16),
        sh.string("prefix", 16),
        sh.string("key_hash", 64),
        sh.moment("revoked_at", nullable=True),
        refs={"branch_id": "branches", "staff_id": "staff"},
        unique=[("key_hash",)],
        indexes=[sh.index("ix_api_keys_tenant_id", "tenant_id")],
    )
    sh.create_club_table(
        "purchases",
        sh.ref("branch_id"),
        sh.ref("member_id"),
        sh.string("external_id", 64),
        sh.amount("total_rials"),
        sh.amount("discount_rials"),
        sh.amount("points_earned"),
        sh.amount("points_redeemed"),
        sh.moment("available_at"),
        sh.moment("occurred_at"),
        sh.amount("refunded_rials"),
        sh.amount("points_reversed"),
        sh.amount("points_returned"),
        sh.document("redeemed_lots", nullable=True),
        refs={"branch_id": "branches", "member_id": "members"},
        unique=[("tenant_id", "branch_id", "external_id")],
        indexes=[sh.index("ix_purchases_member", "member_id", "id")],
    )
    sh.create_table(
        "purchase_items",
        sh.ref("purchase_id"),
        sh.string("sku", 64),
        sh.string("category", 64, nullable=True),
        sh.number("quantity"),
        sh.amount("unit_price_rials"),
        sh.number("refunded_quantity"),
        sh.id_pk(),
        refs={"purchase_id": "purchases"},
        indexes=[sh.index("ix_purchase_items_purchase_id", "purchase_id")],
    )
    sh.create_club_table(
        "refunds",
        sh.ref("purchase_id"),
        sh.amount("amount_rials"),
        sh.document("items"),
        sh.amount("points_reversed"),
        sh.amount("points_unrecovered"),
        sh.amount("points_returned"),
        sh.amount("cash_refund_rials"),
        sh.string("reason", 500, nullable=True),
        refs={"purchase_id": "purchases"},
        indexes=[sh.index("ix_refunds_purchase_id", "purchase_id")],
    )
    sh.create_club_table(
        "reservations",
        sh.ref("member_id"),
        sh.ref("account_id"),
        sh.ref("branch_id", nullable=True),
        sh.amount("points"),
        sh.amount("committed_points"),
        sh.string("status", 12),
        sh.moment("expires_at"),
        sh.moment("closed_at", nullable=True),
        sh.document("allocations"),
        sh.string("external_ref", 64, nullable=True),
        refs={"account_id": "accounts", "branch_id": "branches", "member_id": "members"},
        indexes=[
            sh.index("ix_reservations_member_id", "member_id"),
            sh.index("ix_reservations_open", "status", "expires_at"),
        ],
    )
    sh.create_club_table(
        "transfers",
        sh.ref("debit_account_id"),
        sh.ref("credit_account_id"),
        sh.amount("amount"),
        sh.string("code", 24),
        sh.string("ref_type", 24, nullable=True),
        sh.amount("ref_id", nullable=True),
        sh.string("idempotency_key", 120),
        sh.string("reason", 500, nullable=True),
        sh.string("actor", 64, nullable=True),
        refs={"credit_account_id": "accounts", "debit_account_id": "accounts"},
        checks=[
            sa.CheckConstraint("amount > 0", name=op.f("ck_transfers_positive_amount")),
            sa.CheckConstraint(
                "debit_account_id <> credit_account_id", name=op.f("ck_transfers_distinct_accounts")
            ),
        ],
        unique=[("tenant_id", "idempotency_key")],
        indexes=[
            sh.index("ix_transfers_credit", "credit_account_id", "id"),
            sh.index("ix_transfers_debit", "debit_account_id", "id"),
        ],
    )
    sh.create_club_table(
        "point_lots",
        sh.ref("account_id"),
        sh.ref("transfer_id"),
        sh.ref("purchase_id", nullable=True),
        sh.amount("amount"),
        sh.amount("remaining"),
        sh.moment("available_at"),
        sh.moment("expires_at", nullable=True),
        refs={"account_id": "accounts", "purchase_id": "purchases", "transfer_id": "transfers"},
        indexes=[sh.index("ix_point_lots_account_expiry", "account_id", "expires_at")],
    )


def downgrade() -> None:
    # Dropping a table drops its indexes with it.
    for table in (
        "point_lots",
        "transfers",
        "reservations",
        "refunds",
        "purchase_items",
        "purchases",
        "api_keys",
        "accounts",
        "staff",
        "members",
        "programs",
        "idempotency_records",
        "branches",
        "tenants",
    ):
        op.drop_table(table)
