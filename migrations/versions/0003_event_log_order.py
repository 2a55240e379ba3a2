"""Event log order: report events carry their transaction id for commit-safe cursors.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tx_id", sa.BigInteger(), server_default=sa.text("0"), nullable=False)
        )
        batch_op.create_index("ix_report_events_tx_id_id", ["tx_id", "id"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        # Every event row records the id of the transaction that wrote it.
        op.execute(
            "ALTER TABLE report_events ALTER COLUMN tx_id "
            "SET DEFAULT (pg_current_xact_id()::text)::bigint"
        )


def downgrade() -> None:
    with op.batch_alter_table("report_events", schema=None) as batch_op:
        batch_op.drop_index("ix_report_events_tx_id_id")
        batch_op.drop_column("tx_id")
