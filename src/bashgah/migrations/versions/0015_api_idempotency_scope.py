"""api: an Idempotency-Key belongs to whoever sent it (API key or staff member), not the whole club

Revision ID: api_1
Revises: security_1
Create Date: 2026-12-02 07:50:00
"""

from alembic import op

from bashgah.migrations import shapes as sh

revision = "api_1"
down_revision = "security_1"


def upgrade() -> None:
    # Keys stored before this change keep an empty scope: nobody replays them any more.
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.add_column(sh.string("scope", 64, server_default=""))
        batch_op.drop_constraint("uq_idempotency_records_tenant_id_key", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_idempotency_records_tenant_id_scope_key"), ["tenant_id", "scope", "key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("idempotency_records", schema=None) as batch_op:
        batch_op.drop_constraint("uq_idempotency_records_tenant_id_scope_key", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_idempotency_records_tenant_id_key"), ["tenant_id", "key"]
        )
        batch_op.drop_column("scope")
