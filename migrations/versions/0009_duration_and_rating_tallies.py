"""Duration histograms and rating counts per report tally key, kept with every write.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 20:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.tallies import rebuild_details_sql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY = ("is_public", "status", "category_id", "agency_id", "area_id", "month")


def _key_columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("is_public", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("agency_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("area_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_duration_tallies",
        *_key_columns(),
        sa.Column("measure", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*KEY, "measure", "bucket", name=op.f("pk_report_duration_tallies")),
    )
    op.create_table(
        "report_rating_tallies",
        *_key_columns(),
        sa.Column("rated_agency_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("satisfaction", sa.String(length=32), nullable=False),
        sa.Column("ratings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            *KEY, "rated_agency_id", "satisfaction", name=op.f("pk_report_rating_tallies")
        ),
    )
    # Existing reports and ratings are counted once here (the same statements as a rebuild's);
    # from now on every flush keeps them (models.tallies).
    for statement in rebuild_details_sql(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("report_rating_tallies")
    op.drop_table("report_duration_tallies")
