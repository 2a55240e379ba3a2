"""Report tallies: counts per status, category, agency, area and month, kept with every write.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ANSWERED = "status IN ('RESOLVED', 'CLOSED') AND due_at IS NOT NULL AND resolved_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "report_tallies",
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("area_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("on_time", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "is_public",
            "status",
            "category_id",
            "agency_id",
            "area_id",
            "month",
            name=op.f("pk_report_tallies"),
        ),
    )
    # Existing reports are counted once here; from now on every flush keeps the counts
    # (models.tallies). Months are Vietnam's (UTC+7 all year).
    if op.get_bind().dialect.name == "postgresql":
        month = "to_char(timezone('Asia/Ho_Chi_Minh', submitted_at), 'YYYY-MM')"
    else:
        month = "strftime('%Y-%m', submitted_at, '+7 hours')"
    op.execute(
        f"""
        INSERT INTO report_tallies
            (is_public, status, category_id, agency_id, area_id, month, reports, answered, on_time)
        SELECT is_public, status, category_id, coalesce(assigned_agency_id, 0),
               coalesce(area_id, 0), {month}, count(*),
               sum(CASE WHEN {ANSWERED} THEN 1 ELSE 0 END),
               sum(CASE WHEN {ANSWERED} AND resolved_at <= due_at THEN 1 ELSE 0 END)
        FROM reports
        GROUP BY 1, 2, 3, 4, 5, 6
        """
    )


def downgrade() -> None:
    op.drop_table("report_tallies")
