"""Search and insight: folded titles for ranking, a trigram index, deadline warnings.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from models.text import fold

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000
_reports = sa.table(
    "reports",
    sa.column("id", sa.Integer()),
    sa.column("title", sa.String()),
    sa.column("search_title", sa.Text()),
)


def upgrade() -> None:
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("deadline_warned_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("search_title", sa.Text(), server_default="", nullable=False))
    _fold_existing_titles()
    if op.get_bind().dialect.name == "postgresql":
        # pg_trgm is a trusted contrib extension (PostgreSQL 13+): the database owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index(
            "ix_reports_search_text_trgm",
            "reports",
            ["search_text"],
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        )
    else:
        # An index that holds no rows: SQLite has no trigram index, and the model (one for both
        # backends) names this index, so the migrated schema must too.
        op.create_index(
            "ix_reports_search_text_trgm", "reports", ["search_text"], sqlite_where=sa.text("0")
        )


def _fold_existing_titles() -> None:
    """Folding is Python (models.text.fold), so existing rows are filled in batches by id."""
    bind = op.get_bind()
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(_reports.c.id, _reports.c.title)
            .where(_reports.c.id > last_id)
            .order_by(_reports.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            _reports.update()
            .where(_reports.c.id == sa.bindparam("report_id"))
            .values(search_title=sa.bindparam("folded")),
            [{"report_id": row[0], "folded": fold(row[1] or "")} for row in rows],
        )
        last_id = rows[-1][0]


def downgrade() -> None:
    op.drop_index("ix_reports_search_text_trgm", table_name="reports")
    with op.batch_alter_table("reports", schema=None) as batch_op:
        batch_op.drop_column("search_title")
        batch_op.drop_column("deadline_warned_at")
